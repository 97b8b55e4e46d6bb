"""The search interface every backend implements (SQLite FTS5, Elasticsearch): the indexer worker
writes through it and the web app reads through it, neither knowing which engine runs.

Just over 300 lines on purpose: the whole contract reads in one file — the query, the result models
and the interface both backends implement.
"""

from __future__ import annotations

import base64
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from indexer.query import MAX_QUERY_CHARS, Node, QueryError, parse_query, positive_terms
from pipeline.errors import SchemaMissing
from pipeline.model import Article
from pipeline.stories import MAX_STORY_COPIES

T = TypeVar("T")

__all__ = ["MAX_QUERY_CHARS", "MAX_STORY_COPIES", "QueryError"]

MAX_PAGE_SIZE = 100
# Elasticsearch's default index.max_result_window; the SQLite backend keeps the same limit so
# that both backends accept the same queries. Deeper pages use ``cursor`` (search_after).
MAX_RESULT_WINDOW = 10_000
FACET_SIZE = 10  # buckets per facet: what a sidebar can show
# Buckets a dashboard may ask for (every county of a province has ~120 units).
MAX_FACET_SIZE = 500
# Facets a search can return: name -> what it counts (articles per value).
FACETS = ("source", "site", "topic", "procuratorate", "region", "tone")
MAX_COPIES_LISTED = 200  # copies listed per story with all_copies (a viral story can have thousands)

Sort = Literal["relevance", "date"]
Interval = Literal["day", "week", "month"]


# Wraps the documents a long operation goes through, given their number when known (a progress bar).
Progress = Callable[[Iterable[T], int | None], Iterable[T]]


def no_progress(items: Iterable[T], total: int | None) -> Iterable[T]:
    return items


class IndexMissing(SchemaMissing):
    """The index has not been created; ``init`` (a command, never a worker) creates it."""

    def __init__(self, name: str, where: str) -> None:
        super().__init__(f"the search index {name!r}", where)
        self.name = name


class TransientIndexError(RuntimeError):
    """The engine is up but refused the work for now (429, 5xx, locked): retry later."""


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque, URL-safe cursor for the page after the one that ended with these sort values."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise QueryError("the page cursor is damaged; start again from the first page") from None
    if not isinstance(values, list) or not values:
        raise QueryError("the page cursor is damaged; start again from the first page")
    return values


@dataclass(frozen=True)
class SearchQuery:
    """What a person asks for. ``date_from`` is inclusive, ``date_to`` exclusive (aware datetimes).

    Constructing it validates everything (QueryError). ``tree`` is the parsed query
    (indexer/query.py); ``terms`` the words a hit may contain, for highlighting.

    Filters are exact values of keyword fields (``topic`` is a topic id or label; ``relevant`` the
    processors' yes/no; ``min_relevance`` a score in 0..1). With ``collapse_stories`` (default)
    the copies of one story (same ``story_id``; an article without one is its own story) come back
    as one hit carrying ``copies`` and ``outlets``; ``all_copies`` lists every copy on the hit.
    ``indexed_from`` (inclusive, aware) keeps the articles the indexer wrote at or after that
    instant: the alerts worker's incremental query.
    ``cursor`` (from the previous page's ``next_cursor``) pages past the 10 000th hit; it needs
    ``collapse_stories=False``, because Elasticsearch collapses only within from/size windows.
    """

    text: str
    site: str | None = None
    source: str | None = None
    region: str | None = None
    procuratorate: str | None = None
    topic: str | None = None
    tone: str | None = None
    relevant: bool | None = None
    min_relevance: float | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    indexed_from: datetime | None = None
    sort: Sort = "relevance"
    page: int = 1
    size: int = 20
    cursor: str | None = None
    facets: bool = False
    facet_size: int = FACET_SIZE
    histogram: Interval | None = None
    collapse_stories: bool = True
    all_copies: bool = False
    tree: Node = field(init=False)
    terms: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        tree = parse_query(self.text)
        object.__setattr__(self, "tree", tree)
        object.__setattr__(self, "terms", tuple(positive_terms(tree)))
        if self.sort not in ("relevance", "date"):
            raise QueryError(f"unknown sort {self.sort!r}: use 'relevance' or 'date'")
        if self.histogram not in (None, "day", "week", "month"):
            raise QueryError(f"unknown histogram interval {self.histogram!r}: use day, week or month")
        if self.page < 1:
            raise QueryError("page must be 1 or more")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise QueryError(f"size must be between 1 and {MAX_PAGE_SIZE}")
        if self.cursor is not None:
            if self.collapse_stories:
                raise QueryError("deep paging with a cursor lists every copy: set collapse_stories off")
            decode_cursor(self.cursor)
        elif self.page * self.size > MAX_RESULT_WINDOW:
            raise QueryError(
                f"results beyond the first {MAX_RESULT_WINDOW} cannot be paged to; refine the query "
                "or page with the cursor"
            )
        if not 1 <= self.facet_size <= MAX_FACET_SIZE:
            raise QueryError(f"facet_size must be between 1 and {MAX_FACET_SIZE}")
        if self.min_relevance is not None and not 0 <= self.min_relevance <= 1:
            raise QueryError("min_relevance must be between 0 and 1")
        for name in ("date_from", "date_to", "indexed_from"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise QueryError(f"{name} must be timezone-aware")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def keyword_filters(self) -> dict[str, str]:
        """The exact-value filters that are set: facet/field name -> value."""
        pairs = {
            "site": self.site,
            "source": self.source,
            "region": self.region,
            "procuratorate": self.procuratorate,
            "topic": self.topic,
            "tone": self.tone,
        }
        return {k: v for k, v in pairs.items() if v is not None}


class StoryCopy(BaseModel):
    """One copy of a story (all_copies)."""

    article_id: str
    url: str
    site: str | None
    source: str | None
    title: str
    published_at: datetime | None
    fetched_at: datetime | None = None  # when the crawler saw it


class SearchHit(BaseModel):
    """One result. ``snippet`` and ``title_highlight`` are HTML: text escaped, matches in <em>.

    ``story_id`` is the article's story (its own ``article_id`` when it has none); ``copies`` is
    how many articles in the index belong to that story and ``outlets`` where they appeared
    (site, else source), so a hit says "reprinted 5 times, by …".
    """

    article_id: str
    url: str
    site: str | None
    title: str
    title_highlight: str
    source: str | None
    published_at: datetime | None
    snippet: str
    score: float | None
    story_id: str
    copies: int = 1
    outlets: list[str] = []
    copy_list: list[StoryCopy] | None = None
    topics: list[str] = []
    procuratorates: list[str] = []
    regions: list[str] = []
    tone: str | None = None
    relevance: float | None = None
    indexed_at: datetime | None = None  # when the indexer wrote this copy


class FacetBucket(BaseModel):
    value: str
    count: int
    label: str | None = None


class HistogramBucket(BaseModel):
    """Articles published in one day/week/month (China Standard Time); ``key`` is its first day."""

    key: str
    count: int


class SearchPage(BaseModel):
    """``total`` counts matching articles, ``stories`` the distinct stories among them."""

    total: int
    stories: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetBucket]] = {}
    histogram: list[HistogramBucket] = []
    next_cursor: str | None = None


@dataclass(frozen=True)
class IndexOutcome:
    """The fate of one article in a batch: ``ok=False`` means the engine rejected this document
    (it will never succeed as is); ``skipped`` that the index already holds a newer version of
    it (not an error). Engine-wide failures raise instead.
    """

    article_id: str
    ok: bool
    error: str | None = None
    skipped: bool = False


class SearchBackend(ABC):
    """A search index of articles. Document id = ``article_id``: re-indexing overwrites."""

    name: str

    @abstractmethod
    def init(self) -> None:
        """Create the index from the files in config/ (idempotent). Only a command calls this."""

    @abstractmethod
    def index(self, articles: Sequence[Article]) -> list[IndexOutcome]:
        """Write a batch; one outcome per article, in order. Raises IndexMissing before ``init``,
        ServiceUnavailable/TransientIndexError when the engine cannot take the batch now.
        """

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchPage: ...

    def search_many(self, queries: Sequence[SearchQuery]) -> list[SearchPage]:
        """Several searches at once, pages in order (an engine may answer them in one request)."""
        return [self.search(query) for query in queries]

    def scan(self, query: SearchQuery, limit: int) -> Iterator[SearchHit]:
        """Every match (up to ``limit``), newest first, one hit per article, without snippets,
        totals or facets: what an export reads. This default walks the search cursor; the
        backends override it with one cheaper walk (indexer/scan.py)."""
        page_query = replace(query, sort="date", size=MAX_PAGE_SIZE, page=1, collapse_stories=False,
                             all_copies=False, facets=False, histogram=None, cursor=None)  # fmt: skip
        sent = 0
        while sent < limit:
            page = self.search(page_query)
            yield from page.hits[: limit - sent]
            sent += len(page.hits)
            if page.next_cursor is None or not page.hits:
                return
            page_query = replace(page_query, cursor=page.next_cursor)

    @abstractmethod
    def get(self, article_id: str) -> Article | None: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def story_copies(self, story_id: str, limit: int = MAX_STORY_COPIES) -> list[StoryCopy]:
        """The copies of one story (``story_id``, or the ``article_id`` of an article without one),
        oldest first (``published_at``, undated last, then ``article_id``), at most ``limit``;
        an empty list for a story the index does not hold."""

    @abstractmethod
    def reindex(self, progress: Progress = no_progress) -> dict[str, Any]:
        """Rebuild the index from its stored documents with the current config/ files, with no
        downtime and no lost writes; returns what was done (for the CLI). ``progress`` wraps the
        documents as they are copied (the CLI's progress bar)."""

    @abstractmethod
    def stats(self) -> dict[str, Any]:
        """Documents, size on disk and the names behind the index (for the CLI)."""

    @abstractmethod
    def drop(self) -> None:
        """Delete the index and everything in it (idempotent)."""

    def refresh(self) -> None:  # noqa: B027 - engines that search what they just wrote need nothing
        """Make everything indexed so far searchable (tests, CLI)."""

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Release connections."""
