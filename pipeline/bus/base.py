"""The bus interface every stage uses; nothing outside pipeline/bus knows which one runs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes


class Producer(ABC):
    @abstractmethod
    def send(self, topic: str, key: str | None, value: bytes) -> None:
        """Queue a message; it is durable once ``flush`` returns without raising."""

    @abstractmethod
    def flush(self) -> None:
        """Block until every queued message is acknowledged (acks=all); raise if any failed."""

    def close(self) -> None:
        """Release resources; flushes first."""
        self.flush()


class Consumer(ABC):
    """A member of a consumer group. Offsets move only when ``commit`` is called."""

    @abstractmethod
    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        """Up to ``max_records`` messages after the current position (empty when none arrive)."""

    @abstractmethod
    def commit(self, messages: Sequence[Message]) -> None:
        """Mark these messages (and everything before them in their partitions) as done."""

    @abstractmethod
    def lag(self) -> int:
        """Messages in the subscribed topics not yet committed by this group."""

    @abstractmethod
    def close(self) -> None:
        """Leave the group without committing anything more."""


class Bus(ABC):
    @abstractmethod
    def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create the topics if they don't exist."""

    @abstractmethod
    def producer(self) -> Producer: ...

    @abstractmethod
    def consumer(self, topics: Sequence[str], group: str) -> Consumer: ...

    def delete_topics(self, topics: Sequence[str]) -> None:  # noqa: B027 - optional for tests
        """Remove topics and their offsets (tests clean up with this)."""

    def expire(self, topic: str, older_than_s: float) -> int:
        """Remove ``topic``'s messages older than ``older_than_s`` seconds, for topics read by time
        rather than by a consumer group (heartbeats); the number removed. A broker does this by its
        own retention (Kafka's ``retention.ms``), so by default nothing is done here."""
        return 0

    def close(self) -> None:  # noqa: B027 - nothing to release by default
        """Release connections."""
