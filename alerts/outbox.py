"""The delivery half of the monitor's store: the outbox of queued deliveries per channel and each
channel's health (failures in a row, the last error, when to try again). alerts/store.py adds the
saved searches and the announced stories on the same SQLite file."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alerts.items import AlertItem
from pipeline.model import utcnow

SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_searches (
    id INTEGER PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL,
    watermark REAL NOT NULL, created_at REAL NOT NULL, UNIQUE (owner, name));
CREATE TABLE IF NOT EXISTS announced (
    search_id INTEGER NOT NULL, story_key TEXT NOT NULL, copies INTEGER NOT NULL,
    carried_sent INTEGER NOT NULL DEFAULT 0, at REAL NOT NULL, PRIMARY KEY (search_id, story_key));
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, search_id INTEGER NOT NULL, item TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS events_search ON events (search_id, id);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, search_id INTEGER NOT NULL,
    channel_no INTEGER NOT NULL, due_at REAL NOT NULL, sent_at REAL);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, due_at);
CREATE TABLE IF NOT EXISTS channel_state (
    search_id INTEGER NOT NULL, channel_no INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0, last_error TEXT, last_ok REAL, last_failure REAL,
    PRIMARY KEY (search_id, channel_no));
"""


def to_ts(value: datetime) -> float:
    return value.timestamp()


def from_ts(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True)
class Pending:
    """Deliveries of one channel of one saved search that are due now."""

    search_id: int
    channel_no: int
    outbox_ids: list[int]
    items: list[AlertItem]


@dataclass(frozen=True)
class ChannelHealth:
    search_id: int
    channel_no: int
    failures: int
    last_error: str | None
    last_ok: datetime | None
    last_failure: datetime | None
    next_attempt: datetime | None
    pending: int

    @property
    def failing(self) -> bool:
        return self.failures > 0


class DeliveryStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")  # "sent" must survive a power cut
        self._conn.executescript(SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- delivery ---------------------------------------------------------------------------

    def due(self, now: datetime, limit_per_channel: int = 20) -> list[Pending]:
        """Unsent deliveries due by ``now`` of every channel that is not backing off, oldest first."""
        rows = self._rows(
            "SELECT o.id, o.search_id, o.channel_no, e.item FROM outbox o JOIN events e ON e.id = o.event_id "
            "LEFT JOIN channel_state c ON c.search_id = o.search_id AND c.channel_no = o.channel_no "
            "WHERE o.sent_at IS NULL AND o.due_at <= ? AND coalesce(c.next_attempt, 0) <= ? ORDER BY o.id",
            (to_ts(now), to_ts(now)),
        )
        grouped: dict[tuple[int, int], tuple[list[int], list[AlertItem]]] = {}
        for outbox_id, search_id, channel_no, item in rows:
            ids, items = grouped.setdefault((search_id, channel_no), ([], []))
            if len(ids) < limit_per_channel:
                ids.append(outbox_id)
                items.append(AlertItem.model_validate_json(item))
        return [Pending(s, c, ids, items) for (s, c), (ids, items) in grouped.items()]

    def mark_sent(self, pending: Pending, now: datetime | None = None) -> None:
        at = to_ts(now or utcnow())
        with self._tx() as conn:
            conn.executemany(
                "UPDATE outbox SET sent_at = ? WHERE id = ?", [(at, i) for i in pending.outbox_ids]
            )
            conn.execute(
                "INSERT INTO channel_state (search_id, channel_no, failures, next_attempt, last_ok) "
                "VALUES (?, ?, 0, 0, ?) ON CONFLICT (search_id, channel_no) DO UPDATE SET failures = 0, "
                "next_attempt = 0, last_ok = excluded.last_ok",
                (pending.search_id, pending.channel_no, at),
            )

    def mark_failed(
        self, search_id: int, channel_no: int, error: str, retry_at: datetime, count: bool = True
    ) -> int:
        """Record a failed attempt (``count=False``: a rate limit, not a failure); returns the failures so far."""
        now = to_ts(utcnow())
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO channel_state (search_id, channel_no, failures, next_attempt, last_error, last_failure) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (search_id, channel_no) DO UPDATE SET "
                "failures = failures + excluded.failures, next_attempt = excluded.next_attempt, "
                "last_error = excluded.last_error, last_failure = excluded.last_failure",
                (search_id, channel_no, int(count), to_ts(retry_at), error[:500], now),
            )
            (failures,) = conn.execute(
                "SELECT failures FROM channel_state WHERE search_id = ? AND channel_no = ?",
                (search_id, channel_no),
            ).fetchone()
        return int(failures)

    def sent_latencies(self) -> list[float]:
        """Seconds from an item's indexing to its delivery, for every delivered item (the benchmark)."""
        rows = self._rows(
            "SELECT e.item, o.sent_at FROM outbox o JOIN events e ON e.id = o.event_id WHERE o.sent_at IS NOT NULL"
        )
        latencies = []
        for item, sent in rows:
            indexed = json.loads(item).get("indexed_at")
            if indexed:
                latencies.append(sent - datetime.fromisoformat(indexed).timestamp())
        return latencies
