"""Reprint detection, third part: where story state lives, shared by every processor replica.

``StoryStore`` holds one ``Member`` per signed article (its sketch, LSH bands and story) and answers
"which members share a band with this sketch". Implementations: SQLite under ``settings.data_dir``
(embedded mode) and an Elasticsearch index of its own (``<index_name>-stories``). A store must be
read-your-writes across processes: a ``put`` that returned is seen by every later ``get`` and
``candidates``; a ``put_many(..., searchable=False)`` by every later ``get`` at once and by searches
soon after (Elasticsearch: within its refresh interval, a second).
Stories are not stored separately: a ``Story`` (outlets, original, first and last seen) is
derived from its members when asked for.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator

from pipeline.stories import choose_original
from processors.reprints.fingerprint import BOILERPLATE_STORIES, Sketch

# Members sharing the most bands: a copy shares far more than a look-alike, so it is among the first.
CANDIDATE_LIMIT = 20


def epoch(when: datetime) -> float:
    """Seconds since 1970; a naive time is taken as UTC."""
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _to_sketch(value: Any) -> Sketch:
    return value if isinstance(value, Sketch) else Sketch.from_dict(value)


# A sketch is kept as it is in memory and written as Sketch.to_dict (its JSON form) by every store.
SketchField = Annotated[Sketch, PlainValidator(_to_sketch), PlainSerializer(lambda s: s.to_dict())]


class Member(BaseModel):
    """One copy of a story, as every store writes and reads it (``model_dump(mode="json")`` and
    ``model_validate``). ``story_id`` is None while its worker is still deciding (pending)."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    story_id: str | None
    url: str
    outlet: str  # the site that carried the copy
    source: str | None  # the outlet it names in 来源
    published_at: datetime | None
    seen_at: datetime  # when the crawler fetched it
    title: str = ""
    content_hash: str = ""
    registered_at: datetime
    sketch: SketchField

    @property
    def pending(self) -> bool:
        return self.story_id is None

    @property
    def first_time(self) -> datetime:
        return self.published_at or self.seen_at

    @property
    def epoch(self) -> float:
        return epoch(self.first_time)

    def decided(self, story_id: str) -> Member:
        return self.model_copy(update={"story_id": story_id})


# What a store keeps of a member besides its ids and sketch (the SQLite store's ``record`` column).
RECORD_FIELDS = frozenset(Member.model_fields) - {"article_id", "story_id", "sketch"}


def excluded_ids(exclude: str | Collection[str]) -> list[str]:
    """``exclude`` of ``candidates`` as a sorted list of ids ("" excludes nothing)."""
    return sorted(({exclude} if isinstance(exclude, str) else set(exclude)) - {""})


class Lookup(NamedTuple):
    """One candidate search: members sharing a band of ``bands``, none of ``exclude``, sketch size
    within ``sizes`` and first time within ``window`` (both inclusive; None: any time)."""

    bands: Sequence[int]
    exclude: Collection[str]
    sizes: tuple[int, int]
    window: tuple[datetime, datetime] | None = None
    limit: int = CANDIDATE_LIMIT


@dataclass(frozen=True)
class Story:
    story_id: str
    original: Member
    copies: list[Member]  # oldest first, the original among them
    outlets: list[str]  # in the order they carried it
    first_seen: datetime
    last_seen: datetime


class StoryStore(ABC):
    """Where the state lives. ``init`` (run by ``jiancha index init`` only) creates the schema;
    ``check`` (run by a worker at start) raises ``SchemaMissing`` when it is not there."""

    @abstractmethod
    def init(self) -> None:
        """Create or upgrade the tables or index (idempotent)."""

    @abstractmethod
    def check(self) -> None:
        """Raise ``pipeline.errors.SchemaMissing`` (naming the command that fixes it) unless
        the tables or index exist as ``init`` makes them."""

    @abstractmethod
    def put(self, member: Member) -> None:
        """Insert or replace a member (by article id); durable and visible when it returns."""

    def put_many(self, members: Sequence[Member], searchable: bool = True) -> None:
        """``put`` for each, in one request or transaction where the store can: a batch. Without
        ``searchable``, searches may see the batch a moment later (reads by id see it at once)."""
        for member in members:
            self.put(member)

    def register(self, members: Sequence[Member]) -> dict[str, Member]:
        """Write each of ``members`` the store does not hold yet (searchable, as ``put_many``) and
        return, by id, those it already held, as they are (not overwritten): a batch's first write
        and its check for replays together, in one request where the store can."""
        known = self.get_many(m.article_id for m in members)
        self.put_many([m for m in members if m.article_id not in known])
        return known

    @abstractmethod
    def get(self, article_id: str) -> Member | None: ...

    def get_many(self, article_ids: Iterable[str]) -> dict[str, Member]:
        """The members known of ``article_ids``, by id (absent ones are left out); realtime."""
        found = {i: self.get(i) for i in dict.fromkeys(article_ids)}
        return {i: m for i, m in found.items() if m is not None}

    @abstractmethod
    def candidates(
        self,
        bands: Sequence[int],
        exclude: str | Collection[str],
        sizes: tuple[int, int],
        limit: int = CANDIDATE_LIMIT,
        window: tuple[datetime, datetime] | None = None,
    ) -> list[Member]:
        """Members sharing at least one band whose sketch size is within ``sizes`` and whose
        ``first_time`` is within ``window`` (both inclusive), those sharing the most bands first;
        none of ``exclude`` (one article id or several)."""

    def candidates_many(
        self, lookups: Sequence[Lookup], known: Mapping[str, Member] | None = None
    ) -> list[list[Member]]:
        """``candidates`` of each lookup, in order, in one request where the store can; each member
        as a read by id gives it now (a decision written since the last refresh included), except
        that a member in ``known`` may be given as it is there, not read again (for a caller that
        needs only its sketch)."""
        return [
            self.candidates(lookup.bands, lookup.exclude, lookup.sizes, lookup.limit, lookup.window)
            for lookup in lookups
        ]

    @abstractmethod
    def members(self, story_id: str) -> list[Member]: ...

    @abstractmethod
    def boilerplate(self, paragraphs: Collection[int], stories: int = BOILERPLATE_STORIES) -> set[int]:
        """Those of the paragraph hashes that members of at least ``stories`` different (decided)
        stories contain: formulae, not evidence of a copy."""

    @abstractmethod
    def merge(self, story_ids: Collection[str], into: str) -> None:
        """Re-point every member of ``story_ids`` to the story ``into``."""

    @abstractmethod
    def drop(self) -> None:
        """Delete every story (idempotent)."""

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Release connections."""

    def story(self, story_id: str) -> Story | None:
        """The story with its copies, outlets, original and first/last seen; None if unknown."""
        members = [m for m in self.members(story_id) if not m.pending]
        if not members:
            return None
        copies = sorted(members, key=lambda m: (m.first_time, m.article_id))
        outlets = list(dict.fromkeys(m.outlet for m in copies))
        return Story(
            story_id=story_id,
            original=choose_original(
                copies,
                outlet=lambda m: m.outlet,
                source=lambda m: m.source,
                when=lambda m: m.first_time,
                tiebreak=lambda m: m.article_id,
            ),
            copies=copies,
            outlets=outlets,
            first_seen=min(m.first_time for m in copies),
            last_seen=max(m.first_time for m in copies),
        )
