"""The search interface every backend implements (SQLite FTS5, Elasticsearch): the indexer worker
writes through it and the web app reads through it, neither knowing which engine runs.
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from pipeline.model import Article

MAX_QUERY_CHARS = 500
MAX_PAGE_SIZE = 100
# Elasticsearch's default index.max_result_window; the SQLite backend keeps the same limit so
# that both backends accept the same queries.
MAX_RESULT_WINDOW = 10_000

Sort = Literal["relevance", "date"]


class QueryError(ValueError):
    """A search request a person must change (empty, too long, unbalanced quotes …)."""


class IndexMissing(RuntimeError):
    """The index has not been created; ``init`` (a command, never a worker) creates it."""

    def __init__(self, name: str, where: str) -> None:
        super().__init__(
            f"the search index {name!r} does not exist at {where}; create it with `jiancha index init`"
        )
        self.name = name


class TransientIndexError(RuntimeError):
    """The engine is up but refused the work for now (429, 5xx, locked): retry later."""


def parse_terms(text: str) -> list[str]:
    """Split a query into the words that must all match: whitespace separates words, a
    ``"quoted phrase"`` is one word. Raises QueryError on input a person must change.
    """
    if not text or not text.strip():
        raise QueryError("the query is empty: type a word to search for")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise QueryError("the query contains control characters")
    if text.count('"') % 2:
        raise QueryError('the query has an unbalanced quote (")')
    terms: list[str] = []
    for i, part in enumerate(text.split('"')):
        # Odd parts were inside quotes: one phrase each. Even parts: one word per whitespace run.
        candidates = [" ".join(part.split())] if i % 2 else part.split()
        terms.extend(t for t in candidates if any(unicodedata.category(c)[0] in "LN" for c in t))
    if not terms:
        raise QueryError("the query contains no letters or digits to search for")
    return terms


@dataclass(frozen=True)
class SearchQuery:
    """What a person asks for. ``date_from`` is inclusive, ``date_to`` exclusive (aware datetimes).

    Constructing it validates everything; ``terms`` are the words (original script) that must all
    occur in the title or body; backends convert them to simplified script.
    """

    text: str
    site: str | None = None
    source: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: Sort = "relevance"
    page: int = 1
    size: int = 20
    terms: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(parse_terms(self.text)))
        if self.sort not in ("relevance", "date"):
            raise QueryError(f"unknown sort {self.sort!r}: use 'relevance' or 'date'")
        if self.page < 1:
            raise QueryError("page must be 1 or more")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise QueryError(f"size must be between 1 and {MAX_PAGE_SIZE}")
        if self.page * self.size > MAX_RESULT_WINDOW:
            raise QueryError(
                f"results beyond the first {MAX_RESULT_WINDOW} cannot be paged to; refine the query"
            )
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise QueryError(f"{name} must be timezone-aware")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


class SearchHit(BaseModel):
    """One result. ``snippet`` and ``title_highlight`` are HTML: text escaped, matches in <em>."""

    article_id: str
    url: str
    site: str | None
    title: str
    title_highlight: str
    source: str | None
    published_at: datetime | None
    snippet: str
    score: float | None


class SearchPage(BaseModel):
    total: int
    hits: list[SearchHit]


@dataclass(frozen=True)
class IndexOutcome:
    """The fate of one article in a batch: ``ok=False`` means the engine rejected this document
    (it will never succeed as is); engine-wide failures raise instead.
    """

    article_id: str
    ok: bool
    error: str | None = None


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

    @abstractmethod
    def get(self, article_id: str) -> Article | None: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def drop(self) -> None:
        """Delete the index and everything in it (idempotent)."""

    def refresh(self) -> None:  # noqa: B027 - engines that search what they just wrote need nothing
        """Make everything indexed so far searchable (tests, CLI)."""

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Release connections."""
