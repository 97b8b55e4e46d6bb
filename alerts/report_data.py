"""What the daily digest and the weekly briefing read from the index (through indexer/'s
interface): stories of a period with their copies and original outlet, lead sentences, the
figures the articles report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from indexer import SearchBackend, SearchHit, SearchQuery
from indexer.base import MAX_PAGE_SIZE

_SENTENCE_END = re.compile(r"(?<=[。！？!?])")
STORIES_READ = 500  # stories of a period read to rank by copies: a busy week has a few hundred


@dataclass(frozen=True)
class Story:
    title: str
    url: str
    story_id: str
    copies: int
    outlets: list[str]
    original_outlet: str | None
    published_at: datetime | None
    tone: str | None
    lead: str = ""
    topics: list[str] = field(default_factory=list)


def lead_of(body: str, limit: int = 120) -> str:
    """The first sentence of the first paragraph that has words, at most ``limit`` characters."""
    for paragraph in body.splitlines():
        text = paragraph.strip()
        if text:
            first = _SENTENCE_END.split(text, maxsplit=1)[0]
            return first if len(first) <= limit else first[: limit - 1] + "…"
    return ""


def stories(backend: SearchBackend, query: SearchQuery, limit: int = STORIES_READ) -> list[SearchHit]:
    """Up to ``limit`` story hits of the query (collapsed), paged."""
    hits: list[SearchHit] = []
    page = 1
    while len(hits) < limit:
        result = backend.search(
            replace(query, sort="date", page=page, size=MAX_PAGE_SIZE, collapse_stories=True)
        )
        hits.extend(result.hits)
        if len(result.hits) < MAX_PAGE_SIZE:
            break
        page += 1
    return hits[:limit]


def story_of(backend: SearchBackend, hit: SearchHit, with_lead: bool = False) -> Story:
    """A hit as a story of a report: its original outlet (its oldest copy's), its lead sentence."""
    copies = backend.story_copies(hit.story_id, limit=1)
    original = (copies[0].site or copies[0].source) if copies else None
    published = copies[0].published_at if copies else hit.published_at  # the original's date
    lead = ""
    if with_lead:
        article = backend.get(hit.article_id)
        lead = lead_of(article.body if article else "")
    return Story(title=hit.title, url=hit.url, story_id=hit.story_id, copies=hit.copies, outlets=hit.outlets,
                 original_outlet=original, published_at=published, tone=hit.tone, lead=lead,
                 topics=hit.topics)  # fmt: skip
