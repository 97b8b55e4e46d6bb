"""The daily digest of saved searches: yesterday's new stories (published that day, China time),
critical first, with their outlets and 转载 counts — as an HTML page and an e-mail body."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from jinja2 import Environment, PackageLoader, select_autoescape

from alerts.model import SavedSearch
from alerts.report_data import Story, stories, story_of
from alerts.schedule import CHINA_TZ
from indexer import SearchBackend
from pipeline.model import utcnow

_ENV = Environment(loader=PackageLoader("alerts", "templates"), autoescape=select_autoescape(["html"]))
MAX_STORIES = 50  # per saved search: a digest is read in a few minutes


@dataclass(frozen=True)
class DigestSection:
    search: SavedSearch
    stories: list[Story]


@dataclass(frozen=True)
class Digest:
    day: datetime
    sections: list[DigestSection]

    @property
    def subject(self) -> str:
        total = sum(len(s.stories) for s in self.sections)
        return f"舆情日报 {self.day:%Y-%m-%d}：{total} 条新报道"


def collect_digest(
    backend: SearchBackend, searches: list[SavedSearch], day: datetime | None = None
) -> Digest:
    """``day`` is the day's start (China time); default yesterday."""
    if day is None:
        today = utcnow().astimezone(CHINA_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
        day = today - timedelta(days=1)
    sections = []
    for search in searches:
        query = replace(search.search_query(), date_from=day, date_to=day + timedelta(days=1))
        found = [story_of(backend, hit, with_lead=True) for hit in stories(backend, query, MAX_STORIES)]
        found.sort(key=lambda s: (s.tone != "critical", -s.copies))
        sections.append(DigestSection(search, found))
    return Digest(day, sections)


def render_digest_html(digest: Digest) -> str:
    return _ENV.get_template("digest.html").render(digest=digest)


def render_digest_text(digest: Digest) -> str:
    lines = [digest.subject, ""]
    for section in digest.sections:
        lines.append(f"== {section.search.name}（{len(section.stories)} 条）")
        for story in section.stories:
            mark = "【负面】" if story.tone == "critical" else ""
            lines.append(
                f"{mark}{story.title}\n  {story.url}\n  {'、'.join(story.outlets) or '—'} · 转载 {story.copies - 1}"
            )
        lines.append("")
    return "\n".join(lines)
