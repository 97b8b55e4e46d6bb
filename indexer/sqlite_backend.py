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
import math
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from indexer.base import (
    MAX_STORY_COPIES,
    IndexMissing,
    IndexOutcome,
    QueryError,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
    StoryCopy,
    TransientIndexError,
    decode_cursor,
    encode_cursor,
)
from indexer.document import doc_version, document_json, facet_values, hit_from_document
from indexer.scan import sqlite_scan
from indexer.sqlite_match import find_matches
from indexer.sqlite_query import filter_sql, order_sql
from indexer.sqlite_read import (
    FacetSets,
    MatchColumns,
    add_story_stats,
    facet_set_key,
    histogram_of_days,
    page_rows,
)
from indexer.text import bigram_text, spaced_cjk
from pipeline.model import Article, utcnow
from pipeline.settings import CONFIG_DIR

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

SCHEMA_FILE = CONFIG_DIR / "sqlite" / "articles.sql"
_COLUMNS = (
    "article_id, site, source, tone, relevance, relevant, story_key, outlet, published_ts, doc_version, "
    "story_no, facet_set, published_day, indexed_ts"
)
_UPSERT = f"""
INSERT INTO articles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (article_id) DO UPDATE SET
    site = excluded.site, source = excluded.source, tone = excluded.tone,
    relevance = excluded.relevance, relevant = excluded.relevant, story_key = excluded.story_key,
    outlet = excluded.outlet, published_ts = excluded.published_ts,
    doc_version = excluded.doc_version, story_no = excluded.story_no, facet_set = excluded.facet_set,
    published_day = excluded.published_day, indexed_ts = excluded.indexed_ts
WHERE excluded.doc_version >= articles.doc_version
RETURNING id
"""
# The id of a key, new or not, in one statement (the no-op update makes RETURNING answer).
_STORY_NO = "INSERT INTO stories (key) VALUES (?) ON CONFLICT (key) DO UPDATE SET key = key RETURNING id"
_FACET_SET = "INSERT INTO facet_sets (facets) VALUES (?) ON CONFLICT (facets) DO UPDATE SET facets = facets RETURNING id"
# A search reads tens of megabytes of FTS doclists: keep them in memory between searches (the
# default 2 MB page cache rereads them every time) and the temporary table off the disk.
_PRAGMAS = ("PRAGMA cache_size = -65536", "PRAGMA mmap_size = 268435456", "PRAGMA temp_store = MEMORY")
_CST_OFFSET_S = 8 * 3600  # China Standard Time, no daylight saving


def _schema_version() -> str:
    """The schema_version the schema file writes into index_meta."""
    found = re.search(r"'schema_version', '(\d+)'", SCHEMA_FILE.read_text(encoding="utf-8"))
    if found is None:
        raise RuntimeError(f"{SCHEMA_FILE} sets no schema_version in index_meta")
    return found.group(1)


def _statements(script: str) -> list[str]:
    """The statements of a SQL script (executescript would commit an open transaction)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


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
        if not create and not self.path.exists():
            raise IndexMissing(self.index_name, str(self.path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mode = "rwc" if create else "rw"
        conn = sqlite3.connect(
            f"{self.path.resolve().as_uri()}?mode={mode}",
            uri=True,
            timeout=self._timeout_s,
            isolation_level=None,  # explicit BEGIN/COMMIT below
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._timeout_s * 1000)}")
        for pragma in _PRAGMAS:
            conn.execute(pragma)
        self._conn = conn
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
            if "articles" in tables and version != _schema_version():
                # An index of an older schema: rebuilt from its stored documents, in place.
                logger.info("search index %s has an older schema: rebuilding it", self.path)
                self.reindex()
            conn.executescript(SCHEMA_FILE.read_text(encoding="utf-8"))
        logger.info("search index ready: %s", self.path)

    def reindex(self) -> dict[str, Any]:
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
                for statement in _statements(SCHEMA_FILE.read_text(encoding="utf-8")):
                    conn.execute(statement)
                fields = set(Article.model_fields)
                copied = 0
                for (payload,) in conn.execute("SELECT payload FROM old_docs").fetchall():
                    doc = json.loads(payload)
                    article = Article.model_validate({k: doc[k] for k in doc if k in fields})
                    indexed = doc.get("indexed_at")  # a rebuild keeps when each was first written
                    self._index_one(conn, article, datetime.fromisoformat(indexed) if indexed else None)
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
                    outcomes.append(self._index_one(conn, article))
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

    def _index_one(
        self, conn: sqlite3.Connection, article: Article, indexed_at: datetime | None = None
    ) -> IndexOutcome:
        conn.execute("SAVEPOINT doc")
        try:
            indexed_at = indexed_at or utcnow()
            text = document_json(article, indexed_at)
            doc = json.loads(text)
            published = article.published_at.timestamp() if article.published_at else None
            day = None if published is None else math.floor((published + _CST_OFFSET_S) / 86400)
            relevant = None if article.relevant is None else int(article.relevant)
            facets = facet_values(article)
            (story_no,) = conn.execute(_STORY_NO, (doc["story_key"],)).fetchone()
            (facet_set,) = conn.execute(_FACET_SET, (facet_set_key(facets),)).fetchone()
            params = (article.article_id, article.site, article.source, article.tone, article.relevance,
                      relevant, doc["story_key"], doc["outlet"], published, doc_version(article),
                      story_no, facet_set, day, indexed_at.timestamp())  # fmt: skip
            row = conn.execute(_UPSERT, params).fetchone()
            if row is None:  # the index holds a newer version
                conn.execute("RELEASE doc")
                return IndexOutcome(article.article_id, ok=True, skipped=True, error="newer version indexed")
            (row_id,) = row
            conn.execute(
                "INSERT OR REPLACE INTO article_payloads (id, payload) VALUES (?, ?)", (row_id, text)
            )
            conn.execute("DELETE FROM article_facets WHERE doc = ?", (row_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO article_facets (doc, field, value, label) VALUES (?, ?, ?, ?)",
                [(row_id, f, v, label) for f, pairs in facets.items() for v, label in pairs],
            )
            conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (row_id,))
            title, body = doc["title_simplified"], doc["body_simplified"]
            conn.execute(
                "INSERT INTO articles_fts (rowid, title, body, title2, body2, title_w, body_w) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (row_id, spaced_cjk(title), spaced_cjk(body), bigram_text(title), bigram_text(body),
                 article.title_words or "", article.body_words or ""),
            )  # fmt: skip
        except (ValueError, sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError) as exc:
            # This document can never be stored as is (e.g. text that is not valid Unicode);
            # the rest of the batch goes on.
            conn.execute("ROLLBACK TO doc")
            conn.execute("RELEASE doc")
            return IndexOutcome(article.article_id, ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        conn.execute("RELEASE doc")
        return IndexOutcome(article.article_id, ok=True)

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
        @contextmanager
        def locked() -> Iterator[sqlite3.Connection]:
            with self._lock:
                try:
                    yield self._connect()
                except sqlite3.OperationalError as exc:
                    raise self._translate(exc) from exc

        return sqlite_scan(locked, query, limit)

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
