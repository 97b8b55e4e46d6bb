"""The embedded bus: a durable append-only log in one SQLite file, with consumer-group offsets.

One partition per topic (so per-key order is total order). Messages become durable when the
producer's ``flush`` commits its transaction; a group's position moves only on ``commit``, so a
consumer that crashes before committing gets the same messages again, and one that committed
never does. Meant for one consumer per group (the embedded deployment runs one of each stage).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from pipeline.bus.base import Bus, Consumer, Message, Producer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (topic TEXT PRIMARY KEY, next_offset INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages (
    topic TEXT NOT NULL, "offset" INTEGER NOT NULL, key TEXT, value BLOB NOT NULL, ts REAL NOT NULL,
    PRIMARY KEY (topic, "offset")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS group_offsets (
    grp TEXT NOT NULL, topic TEXT NOT NULL, committed INTEGER NOT NULL, PRIMARY KEY (grp, topic)
);
"""
# How often an idle consumer looks for new messages; SQLite has no push notification.
_POLL_INTERVAL_S = 0.05


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # FULL: a flushed message survives a power cut, as acks=all promises on Kafka.
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(_SCHEMA)
    return conn


class EmbeddedProducer(Producer):
    def __init__(self, path: Path) -> None:
        self._conn = _connect(path)
        self._pending: list[tuple[str, str | None, bytes]] = []
        self._lock = threading.Lock()

    def send(self, topic: str, key: str | None, value: bytes) -> None:
        with self._lock:
            self._pending.append((topic, key, value))

    def flush(self) -> None:
        with self._lock:
            if not self._pending:
                return
            pending, self._pending = self._pending, []
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                now = time.time()
                for topic, key, value in pending:
                    self._conn.execute("INSERT OR IGNORE INTO topics (topic) VALUES (?)", (topic,))
                    (offset,) = self._conn.execute(
                        "UPDATE topics SET next_offset = next_offset + 1 WHERE topic = ? RETURNING next_offset - 1",
                        (topic,),
                    ).fetchone()
                    self._conn.execute(
                        'INSERT INTO messages (topic, "offset", key, value, ts) VALUES (?, ?, ?, ?, ?)',
                        (topic, offset, key, value, now),
                    )
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                self._pending = pending + self._pending
                raise

    def close(self) -> None:
        self.flush()
        self._conn.close()


class EmbeddedConsumer(Consumer):
    def __init__(self, path: Path, topics: Sequence[str], group: str) -> None:
        self._conn = _connect(path)
        self._topics = list(topics)
        self._group = group
        self._positions = {topic: self._committed(topic) for topic in self._topics}

    def _committed(self, topic: str) -> int:
        row = self._conn.execute(
            "SELECT committed FROM group_offsets WHERE grp = ? AND topic = ?", (self._group, topic)
        ).fetchone()
        return int(row[0]) if row else 0

    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        deadline = time.monotonic() + timeout_s
        while True:
            batch: list[Message] = []
            for topic in self._topics:
                rows = self._conn.execute(
                    'SELECT "offset", key, value FROM messages WHERE topic = ? AND "offset" >= ? '
                    'ORDER BY "offset" LIMIT ?',
                    (topic, self._positions[topic], max_records - len(batch)),
                ).fetchall()
                batch.extend(Message(topic, 0, offset, key, bytes(value)) for offset, key, value in rows)
                if rows:
                    self._positions[topic] = rows[-1][0] + 1
                if len(batch) >= max_records:
                    break
            if batch or time.monotonic() >= deadline:
                return batch
            time.sleep(_POLL_INTERVAL_S)

    def commit(self, messages: Sequence[Message]) -> None:
        latest: dict[str, int] = {}
        for message in messages:
            latest[message.topic] = max(latest.get(message.topic, -1), message.offset)
        if not latest:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        for topic, offset in latest.items():
            self._conn.execute(
                "INSERT INTO group_offsets (grp, topic, committed) VALUES (?, ?, ?) "
                "ON CONFLICT (grp, topic) DO UPDATE SET committed = MAX(committed, excluded.committed)",
                (self._group, topic, offset + 1),
            )
        self._conn.execute("COMMIT")

    def lag(self) -> int:
        total = 0
        for topic in self._topics:
            row = self._conn.execute("SELECT next_offset FROM topics WHERE topic = ?", (topic,)).fetchone()
            total += max(0, (int(row[0]) if row else 0) - self._committed(topic))
        return total

    def close(self) -> None:
        self._conn.close()


class EmbeddedBus(Bus):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        _connect(self.path).close()

    def ensure_topics(self, topics: Sequence[str]) -> None:
        conn = _connect(self.path)
        try:
            conn.executemany("INSERT OR IGNORE INTO topics (topic) VALUES (?)", [(t,) for t in topics])
        finally:
            conn.close()

    def producer(self) -> EmbeddedProducer:
        return EmbeddedProducer(self.path)

    def consumer(self, topics: Sequence[str], group: str) -> EmbeddedConsumer:
        return EmbeddedConsumer(self.path, topics, group)

    def expire(self, topic: str, older_than_s: float) -> int:
        """The log keeps every message until told otherwise; offsets keep counting up after this."""
        conn = _connect(self.path)
        try:
            cursor = conn.execute(
                "DELETE FROM messages WHERE topic = ? AND ts < ?", (topic, time.time() - older_than_s)
            )
            return cursor.rowcount
        finally:
            conn.close()

    def delete_topics(self, topics: Sequence[str]) -> None:
        conn = _connect(self.path)
        try:
            for topic in topics:
                conn.execute("DELETE FROM messages WHERE topic = ?", (topic,))
                conn.execute("DELETE FROM topics WHERE topic = ?", (topic,))
                conn.execute("DELETE FROM group_offsets WHERE topic = ?", (topic,))
        finally:
            conn.close()
