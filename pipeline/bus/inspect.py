"""Read-only looks at the bus for operators (status, metrics, dead letters): consumer lag per
partition and the records of a topic since a time, without joining any consumer group."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.bus.base import Bus, Message


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    end: int  # the next offset to be written
    committed: int  # the group's committed position (0 when it never committed)

    @property
    def lag(self) -> int:
        return max(0, self.end - self.committed)


def group_lag(bus: Bus, group: str, topics: Sequence[str]) -> list[PartitionLag]:
    """The group's position in every partition of the topics, sorted by topic and partition."""
    from pipeline.bus.embedded import EmbeddedBus

    if isinstance(bus, EmbeddedBus):
        return _embedded_lag(bus, group, topics)
    return _kafka_lag(bus, group, topics)


def read_topic(bus: Bus, topic: str, since: datetime | None = None) -> Iterator[Message]:
    """Every record of the topic written at or after ``since`` (all when None), partition by partition."""
    from pipeline.bus.embedded import EmbeddedBus

    if isinstance(bus, EmbeddedBus):
        yield from _embedded_read(bus, topic, since)
    else:
        yield from _kafka_read(bus, topic, since)


# --- embedded --------------------------------------------------------------------------------------


def _embedded_connection(bus: Bus) -> sqlite3.Connection:
    from pipeline.bus.embedded import EmbeddedBus

    assert isinstance(bus, EmbeddedBus)
    return sqlite3.connect(f"file:{bus.path}?mode=ro", uri=True, timeout=30.0)


def _embedded_lag(bus: Bus, group: str, topics: Sequence[str]) -> list[PartitionLag]:
    conn = _embedded_connection(bus)
    try:
        result = []
        for topic in sorted(topics):
            row = conn.execute("SELECT next_offset FROM topics WHERE topic = ?", (topic,)).fetchone()
            committed = conn.execute(
                "SELECT committed FROM group_offsets WHERE grp = ? AND topic = ?", (group, topic)
            ).fetchone()
            result.append(
                PartitionLag(topic, 0, int(row[0]) if row else 0, int(committed[0]) if committed else 0)
            )
        return result
    finally:
        conn.close()


def _embedded_read(bus: Bus, topic: str, since: datetime | None) -> Iterator[Message]:
    conn = _embedded_connection(bus)
    try:
        after = since.timestamp() if since else 0.0
        position = -1
        while True:  # in pages, so a large topic is never held in memory at once
            rows = conn.execute(
                'SELECT "offset", key, value FROM messages WHERE topic = ? AND "offset" > ? AND ts >= ? '
                'ORDER BY "offset" LIMIT 1000',
                (topic, position, after),
            ).fetchall()
            if not rows:
                return
            for offset, key, value in rows:
                yield Message(topic, 0, int(offset), key, bytes(value))
            position = int(rows[-1][0])
    finally:
        conn.close()


# --- Kafka -----------------------------------------------------------------------------------------


def _kafka_client(bus: Bus, group: str | None = None) -> Any:
    from kafka import KafkaConsumer

    bootstrap = getattr(bus, "bootstrap")  # noqa: B009 - KafkaBus's address, without importing it here
    return KafkaConsumer(
        bootstrap_servers=bootstrap.split(","),
        group_id=group,
        enable_auto_commit=False,
        client_id="jiancha-inspect",
        consumer_timeout_ms=5000,
    )


def _kafka_lag(bus: Bus, group: str, topics: Sequence[str]) -> list[PartitionLag]:
    from kafka import TopicPartition

    # A consumer with the group id but no subscription reads the group's offsets without joining it.
    client = _kafka_client(bus, group)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in sorted(topics)
            for p in sorted(client.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            return []
        ends = client.end_offsets(partitions)
        return [
            PartitionLag(tp.topic, tp.partition, ends[tp], client.committed(tp) or 0) for tp in partitions
        ]
    finally:
        client.close(autocommit=False)


def _kafka_read(bus: Bus, topic: str, since: datetime | None) -> Iterator[Message]:
    from kafka import TopicPartition

    client = _kafka_client(bus)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(client.partitions_for_topic(topic) or ())]
        if not partitions:
            return
        client.assign(partitions)
        ends = client.end_offsets(partitions)
        starts = client.beginning_offsets(partitions)
        if since is not None:
            found = client.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
            starts = {tp: (found[tp].offset if found.get(tp) else ends[tp]) for tp in partitions}
        for tp in partitions:
            position = starts[tp]
            if position >= ends[tp]:
                continue
            client.assign([tp])
            client.seek(tp, position)
            while position < ends[tp]:
                records = client.poll(timeout_ms=2000, max_records=500).get(tp, [])
                if not records:
                    break  # nothing arrived within the timeout: the rest was deleted by retention
                for record in records:
                    if record.offset >= ends[tp]:
                        break
                    key = record.key.decode("utf-8") if record.key is not None else None
                    yield Message(topic, tp.partition, record.offset, key, record.value)
                position = records[-1].offset + 1
    finally:
        client.close(autocommit=False)
