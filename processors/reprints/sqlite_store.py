"""The embedded StoryStore: one SQLite file under ``settings.data_dir``, shared by every processor
process on the machine (WAL mode; every write is its own committed transaction).
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from array import array
from collections.abc import Collection, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from processors.reprints.fingerprint import BOILERPLATE_STORIES, Sketch
from processors.reprints.store import CANDIDATE_LIMIT, Member, StoryStore, epoch, member_fields

SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE,
    story_id TEXT,
    record TEXT NOT NULL,      -- url, outlet, source, times, title, content hash (JSON)
    minhash BLOB NOT NULL,     -- 128 x uint32
    sample TEXT NOT NULL,      -- JSON: sampled shingles and hash per paragraph, figures, places, persons
    size INTEGER NOT NULL,
    first_time REAL            -- published (else fetched) time, seconds since 1970
);
CREATE INDEX IF NOT EXISTS members_story ON members (story_id);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL,
    member INTEGER NOT NULL,
    PRIMARY KEY (band, member)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS bands_member ON bands (member);
CREATE TABLE IF NOT EXISTS paragraphs (  -- which members contain a paragraph (boilerplate counts)
    hash INTEGER NOT NULL,
    member INTEGER NOT NULL,
    PRIMARY KEY (hash, member)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paragraphs_member ON paragraphs (member);
"""
BUSY_TIMEOUT_MS = 30_000  # several processor processes write to the same file


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class SqliteStoryStore(StoryStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()  # one connection, used by the stage threads of one process
        self.init()

    def init(self) -> None:
        with self._lock, self._conn:
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(members)")}
            if columns and "first_time" not in columns:  # a store written before the time window
                self._conn.execute("ALTER TABLE members ADD COLUMN first_time REAL")
            self._conn.executescript(SCHEMA)
            undated = self._conn.execute("SELECT id, record FROM members WHERE first_time IS NULL").fetchall()
            for member_id, record_json in undated:
                record = json.loads(record_json)
                when = _dt(record["published_at"] or record["seen_at"])
                if when is not None:
                    self._conn.execute(
                        "UPDATE members SET first_time = ? WHERE id = ?", (epoch(when), member_id)
                    )

    def put(self, member: Member) -> None:
        record = member_fields(member)
        sk = member.sketch
        extra = {
            "sample": [list(p) for p in sk.sample],
            "paragraphs": list(sk.paragraphs),
            "figures": sorted(sk.figures),
            "places": sorted(sk.places),
            "persons": sorted(sk.persons),
        }
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            row = self._conn.execute(
                "INSERT INTO members (article_id, story_id, record, minhash, sample, size, first_time)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET"
                " story_id = excluded.story_id, record = excluded.record, minhash = excluded.minhash,"
                " sample = excluded.sample, size = excluded.size, first_time = excluded.first_time"
                " RETURNING id",
                (
                    member.article_id,
                    member.story_id,
                    json.dumps(record, ensure_ascii=False),
                    array("I", sk.minhash).tobytes(),
                    json.dumps(extra, ensure_ascii=False),
                    sk.size,
                    member.epoch,
                ),
            ).fetchone()
            self._conn.execute("DELETE FROM bands WHERE member = ?", (row[0],))
            self._conn.executemany(
                "INSERT OR IGNORE INTO bands (band, member) VALUES (?, ?)",
                [(band, row[0]) for band in sk.bands],
            )
            self._conn.execute("DELETE FROM paragraphs WHERE member = ?", (row[0],))
            self._conn.executemany(
                "INSERT OR IGNORE INTO paragraphs (hash, member) VALUES (?, ?)",
                [(h, row[0]) for h in set(sk.paragraphs)],
            )

    def _member(self, row: Sequence[Any]) -> Member:
        article_id, story_id, record_json, minhash, sample_json, size = row
        record, extra = json.loads(record_json), json.loads(sample_json)
        hashes = array("I")
        hashes.frombytes(minhash)
        sketch = Sketch.from_dict({**extra, "minhash": tuple(hashes), "size": size})
        seen_at = _dt(record["seen_at"])
        registered_at = _dt(record["registered_at"])
        assert seen_at is not None and registered_at is not None
        return Member(
            article_id=article_id,
            story_id=story_id,
            url=record["url"],
            outlet=record["outlet"],
            source=record["source"],
            published_at=_dt(record["published_at"]),
            seen_at=seen_at,
            title=record["title"],
            content_hash=record["content_hash"],
            registered_at=registered_at,
            sketch=sketch,
        )

    _COLUMNS = "m.article_id, m.story_id, m.record, m.minhash, m.sample, m.size"

    def get(self, article_id: str) -> Member | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM members m WHERE article_id = ?", (article_id,)
            ).fetchone()
        return self._member(row) if row else None

    def candidates(
        self,
        bands: Sequence[int],
        exclude: str,
        sizes: tuple[int, int],
        limit: int = CANDIDATE_LIMIT,
        window: tuple[datetime, datetime] | None = None,
    ) -> list[Member]:
        marks = ",".join("?" * len(bands))
        since, until = (epoch(window[0]), epoch(window[1])) if window else (-math.inf, math.inf)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM members m JOIN ("
                f" SELECT member, COUNT(*) AS shared FROM bands WHERE band IN ({marks}) GROUP BY member"
                f") b ON b.member = m.id WHERE m.article_id != ? AND m.size BETWEEN ? AND ?"
                " AND (m.first_time IS NULL OR m.first_time BETWEEN ? AND ?)"
                " ORDER BY b.shared DESC, m.id LIMIT ?",
                (*bands, exclude, *sizes, since, until, limit),
            ).fetchall()
        return [self._member(row) for row in rows]

    def boilerplate(self, paragraphs: Collection[int], stories: int = BOILERPLATE_STORIES) -> set[int]:
        hashes = list(set(paragraphs))
        if not hashes:
            return set()
        marks = ",".join("?" * len(hashes))
        with self._lock:
            rows = self._conn.execute(
                "SELECT p.hash FROM paragraphs p JOIN members m ON m.id = p.member"
                f" WHERE p.hash IN ({marks}) AND m.story_id IS NOT NULL"
                " GROUP BY p.hash HAVING COUNT(DISTINCT m.story_id) >= ?",
                (*hashes, stories),
            ).fetchall()
        return {row[0] for row in rows}

    def merge(self, story_ids: Collection[str], into: str) -> None:
        others = sorted(set(story_ids) - {into})
        if not others:
            return
        marks = ",".join("?" * len(others))
        with self._lock, self._conn:
            self._conn.execute(
                f"UPDATE members SET story_id = ? WHERE story_id IN ({marks})", (into, *others)
            )

    def members(self, story_id: str) -> list[Member]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM members m WHERE story_id = ? ORDER BY id", (story_id,)
            ).fetchall()
        return [self._member(row) for row in rows]

    def drop(self) -> None:
        with self._lock, self._conn:
            self._conn.executescript("DELETE FROM bands; DELETE FROM paragraphs; DELETE FROM members;")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
