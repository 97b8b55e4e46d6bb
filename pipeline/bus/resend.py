"""A producer that can send its unacknowledged records again, so a stage rides out a bus outage.

The Kafka client retries a send by itself for its delivery timeout (two minutes); when the bus is
down for longer, ``flush`` raises and those records are gone from the client. The runner then
waits and calls ``resend``: every record sent since the last successful flush goes out again (some
may now be on the topic twice; the sink is idempotent, so a copy is harmless, a gap is not).
"""

from __future__ import annotations

from pipeline.bus.base import Producer


class ResendingProducer(Producer):
    """Wraps a producer and remembers the records of the current batch until a flush succeeds."""

    def __init__(self, inner: Producer) -> None:
        self.inner = inner
        self._unacknowledged: list[tuple[str, str | None, bytes]] = []

    def send(self, topic: str, key: str | None, value: bytes) -> None:
        self._unacknowledged.append((topic, key, value))
        self.inner.send(topic, key, value)

    def flush(self) -> None:
        self.inner.flush()  # raises if any record was not acknowledged: they stay remembered
        self._unacknowledged.clear()

    def resend(self) -> int:
        """Send every unacknowledged record again (after a failed flush); returns how many."""
        for topic, key, value in self._unacknowledged:
            self.inner.send(topic, key, value)
        return len(self._unacknowledged)

    def close(self) -> None:
        self.inner.close()
