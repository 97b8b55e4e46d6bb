"""The embedded search backend (SQLite FTS5) of the one-machine deployment: the indexer worker
writes to it and the web app searches it, in one file under ``settings.data_dir``.

How Chinese is searched: the FTS table holds the simplified title and body with a space around
every Han character (config/sqlite/articles.sql), so the unicode61 tokenizer makes one token per
character, like Elasticsearch's standard tokenizer, and again as pairs of adjacent characters,
like its index_phrases; a query word of two or more Han characters becomes an FTS5 phrase of its
pairs, anything else a phrase of its characters (indexer/sqlite_query.py). Ranking is BM25 with
the title weighted 3:1.

A search materialises the matching rows once into a temporary table and answers the page, the
totals, the facets and the histogram from it, grouping by small integers of the article row
(story_no, facet_set, published_day; config/sqlite/articles.sql). One connection serves all threads behind a lock:
SQLite serialises writers anyway, and WAL mode lets other processes (the web app) read while the
indexer writes. An older version of an article never overwrites a newer one (doc_version).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from indexer.base import (
    MAX_STORY_COPIES,
    IndexMissing,
    IndexOutcome,
    Progress,
    QueryError,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
    StoryCopy,
    TransientIndexError,
    decode_cursor,
    encode_cursor,
    no_progress,
)
from indexer.document import hit_from_document
from indexer.scan import sqlite_scan
from indexer.sqlite_match import find_matches
from indexer.sqlite_query import filter_sql, order_sql
from indexer.sqlite_read import (
    FacetSets,
    MatchColumns,
    add_story_stats,
    histogram_of_days,
    page_rows,
)
from indexer.sqlite_write import SCHEMA_FILE, index_one, schema_version, statements
from pipeline.model import Article

logger = logging.getLogger(__name__)

_TABLES = (
    "articles",
    "article_payloads",
    "article_facets",
    "articles_fts",
    "index_meta",
    "stories",
    "facet_sets",
)

# A search reads tens of megabytes of FTS doclists: keep them in memory between searches (the
# default 2 MB page cache rereads them every time) and the temporary table off the disk.
_PRAGMAS = ("PRAGMA cache_size = -65536", "PRAGMA mmap_size = 268435456", "PRAGMA temp_store = MEMORY")
# A scan (an export, the figure chart) reads every matching document once, 100 000 of them for an
# export: on a connection of its own that reads the file (no memory map) through a 2 MiB page
# cache, so what it read stays in the kernel's shared page cache, not in the app's memory (with the
# main connection the app grew by the size of the documents read). Closed when the scan ends.
_SCAN_PRAGMAS = ("PRAGMA cache_size = -2048", "PRAGMA mmap_size = 0", "PRAGMA temp_store = MEMORY")


class SqliteBackend(SearchBackend):
    name = "sqlite"

    def __init__(self, path: Path, index_name: str, timeout_s: float = 10.0) -> None:
        self.path = path
        self.index_name = index_name
        self._timeout_s = timeout_s
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._facet_sets = FacetSets()

    # -- connection -------------------------------------------------------------------------

    def _connect(self, create: bool = False) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = self._open("rwc" if create else "rw", _PRAGMAS)
        return self._conn

    def _open(self, mode: str, pragmas: Sequence[str]) -> sqlite3.Connection:
        if mode != "rwc" and not self.path.exists():
            raise IndexMissing(self.index_name, str(self.path))
        conn = sqlite3.connect(
            f"{self.path.resolve().as_uri()}?mode={mode}",
            uri=True,
            timeout=self._timeout_s,
            isolation_level=None,  # explicit BEGIN/COMMIT below
            check_same_thread=False,  # also a scan, resumed by whichever thread streams the export
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout_s * 1000)}")
        for pragma in pragmas:
            conn.execute(pragma)
        return conn

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._connect().execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                raise self._translate(exc) from exc

    def _translate(self, exc: sqlite3.OperationalError) -> Exception:
        text = str(exc)
        if "no such table" in text:
            return IndexMissing(self.index_name, str(self.path))
        if "fts5: syntax error" in text:  # a bug of ours, but the person can still rephrase
            return QueryError(f"the query could not be understood: {text}")
        if "locked" in text or "busy" in text:
            return TransientIndexError(f"the SQLite index {self.path} is busy: {text}")
        return exc

    # -- SearchBackend ----------------------------------------------------------------------

    def init(self) -> None:
        with self._lock:
            conn = self._connect(create=True)
            conn.execute("PRAGMA journal_mode = WAL")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = None
            if "index_meta" in tables:
                row = conn.execute("SELECT value FROM index_meta WHERE key = 'schema_version'").fetchone()
                version = row[0] if row else None
            if "articles" in tables and version != schema_version():
                # An index of an older schema: rebuilt from its stored documents, in place.
                logger.info("search index %s has an older schema: rebuilding it", self.path)
                self.reindex()
            conn.executescript(SCHEMA_FILE.read_text(encoding="utf-8"))
        logger.info("search index ready: %s", self.path)

    def reindex(self, progress: Progress = no_progress) -> dict[str, Any]:
        """Rebuild every table from the stored documents and the current schema file, in one
        transaction: readers (WAL) see the old index until the commit, writers wait for it.
        """
        started = time.monotonic()
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                tables = {
                    row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                }
                stored = "article_payloads" if "article_payloads" in tables else "articles"  # older schema
                conn.execute(f"CREATE TEMP TABLE old_docs AS SELECT payload FROM main.{stored}")
                for table in _TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS main.{table}")
                for statement in statements(SCHEMA_FILE.read_text(encoding="utf-8")):
                    conn.execute(statement)
                fields = set(Article.model_fields)
                copied = 0
                rows = conn.execute("SELECT payload FROM old_docs").fetchall()
                for (payload,) in progress(rows, len(rows)):
                    doc = json.loads(payload)
                    article = Article.model_validate({k: doc[k] for k in doc if k in fields})
                    indexed = doc.get("indexed_at")  # a rebuild keeps when each was first written
                    index_one(conn, article, datetime.fromisoformat(indexed) if indexed else None)
                    copied += 1
                conn.execute("DROP TABLE temp.old_docs")
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise self._translate(exc) from exc
        return {"backend": self.name, "path": str(self.path), "copied": copied,
                "seconds": round(time.monotonic() - started, 2)}  # fmt: skip

    def stats(self) -> dict[str, Any]:
        docs = self.count()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        return {
            "backend": self.name,
            "documents": docs,
            "size_bytes": size,
            "bytes_per_document": round(size / docs) if docs else None,
            "path": str(self.path),
        }

    def index(self, articles: Sequence[Article]) -> list[IndexOutcome]:
        outcomes: list[IndexOutcome] = []
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                for article in articles:
                    outcomes.append(index_one(conn, article))
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise self._translate(exc) from exc
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return outcomes

    def search(self, query: SearchQuery) -> SearchPage:
        where, params = filter_sql(query)
        offset = query.offset
        if query.cursor is not None:
            (offset,) = decode_cursor(query.cursor)[:1]
            if not isinstance(offset, int) or offset < 0:
                raise QueryError("the page cursor is damaged; start again from the first page")
        order = order_sql(query)
        with self._lock:
            conn = self._connect()
            try:
                find_matches(conn, query, where, params)
                matched = MatchColumns.read(conn)
                rows = page_rows(conn, query, order, offset)
                payloads = dict(
                    conn.execute(
                        f"SELECT id, payload FROM article_payloads WHERE id IN ({','.join('?' * len(rows))})",
                        [r[0] for r in rows],
                    ).fetchall()
                )
                hits = [
                    hit_from_document(json.loads(payloads[i]), None if bm is None else -bm, query.terms)
                    for i, bm in rows
                ]
                counts = (
                    self._facet_sets.count(conn, matched.facet_sets, query.facet_size) if query.facets else {}
                )
                histogram = histogram_of_days(matched.days, query.histogram) if query.histogram else []
                if hits:
                    add_story_stats(conn, hits, query.all_copies)
                conn.execute("DROP TABLE temp.m")
            except sqlite3.OperationalError as exc:
                raise self._translate(exc) from exc
        next_cursor = None
        if not query.collapse_stories and len(rows) == query.size:
            next_cursor = encode_cursor([offset + query.size])
        return SearchPage(total=matched.total, stories=matched.stories, hits=hits, facets=counts,
                          histogram=histogram, next_cursor=next_cursor)  # fmt: skip

    def scan(self, query: SearchQuery, limit: int) -> Iterator[SearchHit]:
        return sqlite_scan(lambda: self._open("rw", _SCAN_PRAGMAS), self._translate, query, limit)

    def get(self, article_id: str) -> Article | None:
        rows = self._run(
            "SELECT p.payload FROM articles a JOIN article_payloads p ON p.id = a.id WHERE a.article_id = ?",
            (article_id,),
        )
        if not rows:
            return None
        doc = json.loads(rows[0][0])
        return Article.model_validate({k: v for k, v in doc.items() if k in Article.model_fields})

    def count(self) -> int:
        ((total,),) = self._run("SELECT count(*) FROM articles")
        return int(total)

    def story_copies(self, story_id: str, limit: int = MAX_STORY_COPIES) -> list[StoryCopy]:
        rows = self._run(
            "SELECT p.payload FROM articles a JOIN article_payloads p ON p.id = a.id WHERE a.story_key = ? "
            "ORDER BY a.published_ts ASC NULLS LAST, a.article_id LIMIT ?",
            (story_id, limit),
        )
        return [StoryCopy.model_validate_json(payload) for (payload,) in rows]

    def drop(self) -> None:
        if not self.path.exists():
            return
        with self._lock:
            conn = self._connect()
            conn.executescript("".join(f"DROP TABLE IF EXISTS {table};" for table in _TABLES))
        logger.info("search index dropped: %s", self.path)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
