"""Reprint detection, third part: where story state lives, shared by every processor replica.

``StoryStore`` holds one ``Member`` per signed article (its sketch, LSH bands and story) and answers
"which members share a band with this sketch". Implementations: SQLite under ``settings.data_dir``
(embedded mode) and an Elasticsearch index of its own (``<index_name>-stories``). A store must be
read-your-writes across processes: a ``put`` that returned is seen by every later ``candidates``.
Stories are not stored separately: a ``Story`` (outlets, original, first and last seen) is
derived from its members when asked for.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from pipeline.stories import choose_original
from processors.reprints.fingerprint import BOILERPLATE_STORIES, Sketch

# Members sharing the most bands: a copy shares far more than a look-alike, so it is among the first.
CANDIDATE_LIMIT = 20


def epoch(when: datetime) -> float:
    """Seconds since 1970; a naive time is taken as UTC."""
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class Member:
    """One copy of a story. ``story_id`` is None while its worker is still deciding (pending)."""

    article_id: str
    story_id: str | None
    url: str
    outlet: str  # the site that carried the copy
    source: str | None  # the outlet it names in 来源
    published_at: datetime | None
    seen_at: datetime  # when the crawler fetched it
    title: str
    content_hash: str
    registered_at: datetime
    sketch: Sketch

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
        return replace(self, story_id=story_id)


def member_fields(member: Member) -> dict[str, str | None]:
    """The descriptive fields of a member as JSON-ready values: what every store keeps besides the sketch."""
    return {
        "url": member.url,
        "outlet": member.outlet,
        "source": member.source,
        "published_at": member.published_at.isoformat() if member.published_at else None,
        "seen_at": member.seen_at.isoformat(),
        "title": member.title,
        "content_hash": member.content_hash,
        "registered_at": member.registered_at.isoformat(),
    }


@dataclass(frozen=True)
class Story:
    story_id: str
    original: Member
    copies: list[Member]  # oldest first, the original among them
    outlets: list[str]  # in the order they carried it
    first_seen: datetime
    last_seen: datetime


class StoryStore(ABC):
    @abstractmethod
    def init(self) -> None:
        """Create the tables or index (idempotent)."""

    @abstractmethod
    def put(self, member: Member) -> None:
        """Insert or replace a member (by article id); durable and visible when it returns."""

    @abstractmethod
    def get(self, article_id: str) -> Member | None: ...

    @abstractmethod
    def candidates(
        self,
        bands: Sequence[int],
        exclude: str,
        sizes: tuple[int, int],
        limit: int = CANDIDATE_LIMIT,
        window: tuple[datetime, datetime] | None = None,
    ) -> list[Member]:
        """Members sharing at least one band whose sketch size is within ``sizes`` and whose
        ``first_time`` is within ``window`` (both inclusive), those sharing the most bands first."""

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
