"""The weekly briefing (舆情周报): what it says about a period, read from the index — totals
against the previous period of the same length, top stories by reprints with their original
outlet, critical items with their lead sentence, topics and procuratorates, the daily trend and
the figures the articles report. Rendered by briefing_docx.py (Word) and briefing_html.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.report_data import Story, stories, story_of
from alerts.schedule import CHINA_TZ
from indexer import SearchBackend, SearchQuery
from indexer.base import FacetBucket, HistogramBucket

# Without --query the briefing covers every article judged relevant that names procuratorate work
# (检察), like the dashboard; a stated query is taken as it is, relevant or not.
DEFAULT_QUERY = "检察"
TOP_STORIES = 10
CRITICAL_ITEMS = 10
FIGURES = 20
FIGURE_ARTICLES = 60  # articles whose reported figures are read (the most reprinted stories first)


@dataclass(frozen=True)
class Figure:
    text: str
    title: str
    url: str


@dataclass(frozen=True)
class Briefing:
    start: datetime
    end: datetime  # exclusive
    query: str
    articles: int
    stories: int
    previous_articles: int
    previous_stories: int
    top_stories: list[Story]
    critical: list[Story]
    topics: list[FacetBucket]
    procuratorates: list[FacetBucket]
    trend: list[HistogramBucket]
    figures: list[Figure]

    @property
    def period_label(self) -> str:
        last = self.end - timedelta(days=1)
        return f"{self.start:%Y年%m月%d日}—{last:%Y年%m月%d日}"

    @staticmethod
    def change(now: int, before: int) -> str:
        if before == 0:
            return "—" if now == 0 else "新增"
        delta = (now - before) / before * 100
        return f"{delta:+.0f}%"


def collect_briefing(
    backend: SearchBackend, start: datetime, end: datetime, query: str | None = None
) -> Briefing:
    """``start``/``end``: aware instants (end exclusive), normally China-time midnights."""
    text = query or DEFAULT_QUERY
    relevant = None if query else True
    period = SearchQuery(text, date_from=start, date_to=end, relevant=relevant, facets=True, histogram="day",
                         size=1)  # fmt: skip
    page = backend.search(period)
    previous = backend.search(
        SearchQuery(text, date_from=start - (end - start), date_to=start, relevant=relevant, size=1)
    )
    hits = stories(backend, SearchQuery(text, date_from=start, date_to=end, relevant=relevant))
    ranked = sorted(hits, key=lambda h: (-h.copies, -(h.published_at or start).timestamp()))
    top = [story_of(backend, hit) for hit in ranked[:TOP_STORIES]]
    critical_hits = stories(
        backend,
        SearchQuery(text, date_from=start, date_to=end, relevant=relevant, tone="critical"),
        CRITICAL_ITEMS,
    )
    critical = [story_of(backend, hit, with_lead=True) for hit in critical_hits]
    figures: list[Figure] = []
    for hit in ranked[:FIGURE_ARTICLES]:
        article = backend.get(hit.article_id)
        for statistic in article.statistics if article else []:
            label = _figure_label(statistic.text, statistic.metric)
            if len(figures) < FIGURES and label not in {f.text for f in figures}:
                figures.append(Figure(label, hit.title, hit.url))
    return Briefing(
        start=start.astimezone(CHINA_TZ), end=end.astimezone(CHINA_TZ), query=text,
        articles=page.total, stories=page.stories, previous_articles=previous.total,
        previous_stories=previous.stories, top_stories=top, critical=critical,
        topics=page.facets.get("topic", []), procuratorates=page.facets.get("procuratorate", []),
        trend=daily(page.histogram, start, end), figures=figures,
    )  # fmt: skip


def _figure_label(text: str, metric: str | None) -> str:
    """What a figure counts and the figure: 立案办理公益诉讼案件12件, not a bare 12件."""
    return text if not metric or metric in text else f"{metric}{text}"


def daily(buckets: list[HistogramBucket], start: datetime, end: datetime) -> list[HistogramBucket]:
    """Every day of the period in order, the days without articles as 0 (a chart of the week
    shows its quiet days too)."""
    counts = {b.key: b.count for b in buckets}
    first, last = start.astimezone(CHINA_TZ).date(), (end - timedelta(seconds=1)).astimezone(CHINA_TZ).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [HistogramBucket(key=d.isoformat(), count=counts.get(d.isoformat(), 0)) for d in days]
