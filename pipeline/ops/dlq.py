"""Dead letters for operators: list and show them with filters, and replay each one's original
payload to its stage's input topic. A replay is recorded on ``ops.replayed``, so running it twice
sends a letter once (``force`` sends it again; the index id is the article id, so even then an
article is indexed once)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from pipeline.bus import Bus, Message
from pipeline.bus.inspect import read_topic
from pipeline.ops.status import dead_letter_reason
from pipeline.topics import dlq_topic, replayed_topic, stage_named

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadLetter:
    id: str  # "partition:offset" in the dead-letter topic
    stage: str
    error: str
    reason: str
    retries: int
    source: str  # "topic[partition]@offset" the message came from
    key: str | None
    failed_at: datetime | None
    payload: bytes
    truncated: bool = False  # the letter holds only the start of a payload too large for the bus

    @classmethod
    def from_message(cls, message: Message) -> DeadLetter:
        """Raises ValueError for a record that is not a dead letter of ours."""
        record = json.loads(message.value)
        if not isinstance(record, dict) or "stage" not in record or "payload" not in record:
            raise ValueError("not a dead-letter record (no stage or payload)")
        raw = str(record["payload"])
        payload = base64.b64decode(raw) if record.get("payload_encoding") == "base64" else raw.encode("utf-8")
        failed_at = record.get("failed_at")
        return cls(
            id=f"{message.partition}:{message.offset}",
            stage=str(record["stage"]),
            error=str(record.get("error", "")),
            reason=dead_letter_reason(str(record.get("error", ""))),
            retries=int(record.get("retries", 0)),
            source=f"{record.get('topic')}[{record.get('partition')}]@{record.get('offset')}",
            key=record.get("key"),
            failed_at=datetime.fromisoformat(failed_at) if failed_at else None,
            payload=payload,
            truncated=bool(record.get("payload_truncated")),
        )

    def summary(self) -> dict[str, object]:
        return {
            "id": self.id,
            "stage": self.stage,
            "reason": self.reason,
            "error": self.error,
            "retries": self.retries,
            "source": self.source,
            "key": self.key,
            "failed_at": self.failed_at.isoformat() if self.failed_at else None,
            "payload_bytes": len(self.payload),
            "payload_truncated": self.truncated,
        }


def letters(
    bus: Bus,
    prefix: str,
    stage: str | None = None,
    reason: str | None = None,
    since: datetime | None = None,
) -> Iterator[DeadLetter]:
    """The dead letters matching every filter given (``reason``: a case-insensitive substring of
    the error), in the topic's order. An unreadable record is logged and skipped."""
    for message in read_topic(bus, dlq_topic(prefix)):
        try:
            letter = DeadLetter.from_message(message)
        except (ValueError, TypeError) as error:
            log.warning("dead-letter topic %d:%d is unreadable: %s", message.partition, message.offset, error)
            continue
        if stage and letter.stage != stage:
            continue
        if reason and reason.lower() not in letter.error.lower():
            continue
        if since and (letter.failed_at is None or letter.failed_at < since.astimezone(UTC)):
            continue
        yield letter


def find(bus: Bus, prefix: str, letter_id: str) -> DeadLetter | None:
    return next((letter for letter in letters(bus, prefix) if letter.id == letter_id), None)


def replayed_ids(bus: Bus, prefix: str) -> set[str]:
    return {message.key for message in read_topic(bus, replayed_topic(prefix)) if message.key}


@dataclass
class ReplayResult:
    replayed: int = 0
    already_replayed: int = 0
    not_replayable: int = 0


def replay(
    bus: Bus,
    prefix: str,
    chosen: Iterable[DeadLetter],
    force: bool = False,
    progress: Callable[[Iterable[DeadLetter]], Iterable[DeadLetter]] = lambda items: items,
) -> ReplayResult:
    """Send each letter's payload to its stage's input topic, then record it as replayed.

    The payloads are flushed (acks=all) before the replay records are written, so a replay that
    dies half-way leaves the unsent letters unrecorded and a second run sends them."""
    done = set() if force else replayed_ids(bus, prefix)
    result = ReplayResult()
    producer = bus.producer()
    sent: list[DeadLetter] = []
    try:
        for letter in progress(list(chosen)):
            if letter.id in done:
                result.already_replayed += 1
                continue
            try:
                target = stage_named(letter.stage, prefix).input_topic
            except ValueError:
                target = None
            if target is None or letter.truncated:
                # The crawler has no input topic: its letters are re-crawled instead. A cut payload
                # is not the article: it is read from the input topic at the letter's source.
                log.warning("dead letter %s of stage %s cannot be replayed", letter.id, letter.stage)
                result.not_replayable += 1
                continue
            producer.send(target, letter.key, letter.payload)
            sent.append(letter)
            done.add(letter.id)
        producer.flush()
        for letter in sent:
            producer.send(replayed_topic(prefix), letter.id, json.dumps({"stage": letter.stage}).encode())
        producer.flush()
    finally:
        producer.close()
    result.replayed = len(sent)
    log.info("replayed %d dead letters (%d already replayed before)", len(sent), result.already_replayed)
    return result
