"""The embedded StoryStore: one SQLite file under ``settings.data_dir``, shared by every processor
process on the machine (WAL mode; each ``put_many`` is one committed transaction). Its tables are
created and upgraded by ``init`` (``jiancha index init``, which ``jiancha up`` runs at start); a
worker that finds them missing stops and says so.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from array import array
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.errors import SchemaMissing
from processors.reprints.fingerprint import BOILERPLATE_STORIES, Sketch
from processors.reprints.store import (
    CANDIDATE_LIMIT,
    RECORD_FIELDS,
    Member,
    StoryStore,
    epoch,
    excluded_ids,
)

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
SQL_VARIABLES = 500  # ids per IN (...) list: far below SQLite's limit on bound variables
BUSY_TIMEOUT_MS = 30_000  # several processor processes write to the same file
# Columns ``init`` adds to a store written by an older version (SQLite adds columns in place).
ADDED_COLUMNS = {"first_time": "REAL"}
# Members kept decoded by their row (Member and Sketch are immutable): about 5 KB each.
DECODED_MEMBERS = 4096


class SqliteStoryStore(StoryStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()  # one connection, used by the stage threads of one process
        self._decoded: dict[tuple[Any, ...], Member] = {}  # by their row, every column (see _member)

    @contextmanager
    def _using(self, write: bool = False) -> Iterator[None]:
        """The connection under the lock (in a transaction when ``write``); tables dropped while the
        worker runs become SchemaMissing (the runner waits for ``jiancha index init``)."""
        try:
            with self._lock:
                if not write:
                    yield
                    return
                with self._conn:
                    yield
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                raise self._missing() from error
            raise

    def _missing(self) -> SchemaMissing:
        return SchemaMissing(
            "the reprint story store (its tables, as this version makes them)", str(self.path)
        )

    def init(self) -> None:
        with self._lock, self._conn:
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(members)")}
            for name, kind in ADDED_COLUMNS.items():
                if columns and name not in columns:
                    self._conn.execute(f"ALTER TABLE members ADD COLUMN {name} {kind}")
            self._conn.executescript(SCHEMA)
            undated = self._conn.execute("SELECT id, record FROM members WHERE first_time IS NULL").fetchall()
            for member_id, record_json in undated:  # a store written before the time window
                record = json.loads(record_json)
                when = record.get("published_at") or record.get("seen_at")
                if when:
                    self._conn.execute(
                        "UPDATE members SET first_time = ? WHERE id = ?",
                        (epoch(datetime.fromisoformat(when)), member_id),
                    )

    def check(self) -> None:
        with self._lock:
            tables = {
                row[0] for row in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            columns = {row[1] for row in self._conn.execute("PRAGMA table_info(members)")}
        if not {"members", "bands", "paragraphs"} <= tables or not set(ADDED_COLUMNS) <= columns:
            raise self._missing()

    def put(self, member: Member) -> None:
        self.put_many([member])

    def put_many(self, members: Sequence[Member], searchable: bool = True) -> None:  # always searchable
        if not members:
            return
        with self._using(write=True):
            self._conn.execute("BEGIN IMMEDIATE")
            for member in members:
                self._write(member)

    def _write(self, member: Member) -> None:
        record = member.model_dump(mode="json", include=set(RECORD_FIELDS))
        sk = member.sketch
        extra = {
            "sample": [list(p) for p in sk.sample],
            "paragraphs": list(sk.paragraphs),
            "figures": sorted(sk.figures),
            "places": sorted(sk.places),
            "persons": sorted(sk.persons),
        }
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
            "INSERT OR IGNORE INTO bands (band, member) VALUES (?, ?)", [(band, row[0]) for band in sk.bands]
        )
        self._conn.execute("DELETE FROM paragraphs WHERE member = ?", (row[0],))
        self._conn.executemany(
            "INSERT OR IGNORE INTO paragraphs (hash, member) VALUES (?, ?)",
            [(h, row[0]) for h in set(sk.paragraphs)],
        )

    def _member(self, row: Sequence[Any]) -> Member:
        """The member of a row, decoded once: a batch reads the same few members many times (each is a
        candidate of many articles), and a decoded sketch keeps what comparisons compute of it."""
        key = tuple(row)
        member = self._decoded.get(key)
        if member is None:
            if len(self._decoded) >= DECODED_MEMBERS:
                self._decoded.clear()
            member = self._decoded[key] = self._decode(row)
        return member

    def _decode(self, row: Sequence[Any]) -> Member:
        article_id, story_id, record_json, minhash, sample_json, size = row
        extra = json.loads(sample_json)
        hashes = array("I")
        hashes.frombytes(minhash)
        sketch = Sketch.from_dict({**extra, "minhash": tuple(hashes), "size": size})
        record = json.loads(record_json)
        return Member.model_validate(
            {**record, "article_id": article_id, "story_id": story_id, "sketch": sketch}
        )

    _COLUMNS = "m.article_id, m.story_id, m.record, m.minhash, m.sample, m.size"

    def get(self, article_id: str) -> Member | None:
        with self._using():
            row = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM members m WHERE article_id = ?", (article_id,)
            ).fetchone()
        return self._member(row) if row else None

    def get_many(self, article_ids: Iterable[str]) -> dict[str, Member]:
        ids = list(dict.fromkeys(article_ids))
        found: dict[str, Member] = {}
        for start in range(0, len(ids), SQL_VARIABLES):
            chunk = ids[start : start + SQL_VARIABLES]
            marks = ",".join("?" * len(chunk))
            with self._using():
                rows = self._conn.execute(
                    f"SELECT {self._COLUMNS} FROM members m WHERE article_id IN ({marks})", chunk
                ).fetchall()
            found.update((row[0], self._member(row)) for row in rows)
        return found

    def candidates(
        self,
        bands: Sequence[int],
        exclude: str | Collection[str],
        sizes: tuple[int, int],
        limit: int = CANDIDATE_LIMIT,
        window: tuple[datetime, datetime] | None = None,
    ) -> list[Member]:
        marks = ",".join("?" * len(bands))
        excluded = excluded_ids(exclude)
        not_these = ",".join("?" * len(excluded))
        since, until = (epoch(window[0]), epoch(window[1])) if window else (-math.inf, math.inf)
        with self._using():
            rows = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM members m JOIN ("
                f" SELECT member, COUNT(*) AS shared FROM bands WHERE band IN ({marks}) GROUP BY member"
                f") b ON b.member = m.id WHERE m.article_id NOT IN ({not_these}) AND m.size BETWEEN ? AND ?"
                " AND (m.first_time IS NULL OR m.first_time BETWEEN ? AND ?)"
                " ORDER BY b.shared DESC, m.id LIMIT ?",
                (*bands, *excluded, *sizes, since, until, limit),
            ).fetchall()
        return [self._member(row) for row in rows]

    def boilerplate(self, paragraphs: Collection[int], stories: int = BOILERPLATE_STORIES) -> set[int]:
        hashes = list(set(paragraphs))
        if not hashes:
            return set()
        marks = ",".join("?" * len(hashes))
        with self._using():
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
        with self._using(write=True):
            self._conn.execute(
                f"UPDATE members SET story_id = ? WHERE story_id IN ({marks})", (into, *others)
            )

    def members(self, story_id: str) -> list[Member]:
        with self._using():
            rows = self._conn.execute(
                f"SELECT {self._COLUMNS} FROM members m WHERE story_id = ? ORDER BY id", (story_id,)
            ).fetchall()
        return [self._member(row) for row in rows]

    def drop(self) -> None:
        with self._lock, self._conn:
            # Like the Elasticsearch store: the schema goes too, ``init`` makes it again.
            self._conn.executescript(
                "DROP TABLE IF EXISTS bands; DROP TABLE IF EXISTS paragraphs; DROP TABLE IF EXISTS members;"
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
