"""The embedded search backend (SQLite FTS5) of the one-machine deployment: the indexer worker
writes to it and the web app searches it, in one file under ``settings.data_dir``.

How Chinese is searched: the FTS table holds the simplified title and body with a space around
every Han character (config/sqlite/articles.sql), so the unicode61 tokenizer makes one token per
character, like Elasticsearch's standard tokenizer. Each query word becomes an FTS5 phrase of its
simplified characters ("司 法 救 助"), which matches exactly where the word occurs as a substring;
words are ANDed. Ranking is BM25 with the title weighted 3:1 over the body.

One connection serves all threads (``check_same_thread=False``) behind a lock: SQLite serialises
writers anyway, and WAL mode lets other processes (the web app) read while the indexer writes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indexer.base import (
    IndexMissing,
    IndexOutcome,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
    TransientIndexError,
)
from indexer.text import simplified_fields, snippet, spaced_cjk, to_simplified
from pipeline.model import Article
from pipeline.settings import CONFIG_DIR

logger = logging.getLogger(__name__)

SCHEMA_FILE = CONFIG_DIR / "sqlite" / "articles.sql"
# Weights of the FTS columns (title, body) in BM25: a word in the title says more.
_BM25 = "bm25(articles_fts, 3.0, 1.0)"

_UPSERT = """
INSERT INTO articles (article_id, site, source, published_ts, payload) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (article_id) DO UPDATE SET
    site = excluded.site, source = excluded.source,
    published_ts = excluded.published_ts, payload = excluded.payload
RETURNING id
"""


def match_expression(terms: Sequence[str]) -> str:
    """The FTS5 query: every word a quoted phrase of its simplified tokens, all ANDed."""
    phrases = ['"' + " ".join(spaced_cjk(to_simplified(t)).split()).replace('"', '""') + '"' for t in terms]
    return " AND ".join(phrases)


class SqliteBackend(SearchBackend):
    name = "sqlite"

    def __init__(self, path: Path, index_name: str, timeout_s: float = 10.0) -> None:
        self.path = path
        self.index_name = index_name
        self._timeout_s = timeout_s
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

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
        if "locked" in text or "busy" in text:
            return TransientIndexError(f"the SQLite index {self.path} is busy: {text}")
        return exc

    # -- SearchBackend ----------------------------------------------------------------------

    def init(self) -> None:
        with self._lock:
            conn = self._connect(create=True)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA_FILE.read_text(encoding="utf-8"))
        logger.info("search index ready: %s", self.path)

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

    def _index_one(self, conn: sqlite3.Connection, article: Article) -> IndexOutcome:
        conn.execute("SAVEPOINT doc")
        try:
            title_s, body_s = simplified_fields(article)
            stored = article.model_copy(update={"title_simplified": title_s, "body_simplified": body_s})
            published = article.published_at.timestamp() if article.published_at else None
            params = (article.article_id, article.site, article.source, published, stored.model_dump_json())
            (row_id,) = conn.execute(_UPSERT, params).fetchone()
            conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (row_id,))
            conn.execute(
                "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
                (row_id, spaced_cjk(title_s), spaced_cjk(body_s)),
            )
        except (ValueError, sqlite3.IntegrityError, sqlite3.DataError, sqlite3.InterfaceError) as exc:
            # This document can never be stored as is (e.g. text that is not valid Unicode);
            # the rest of the batch goes on.
            conn.execute("ROLLBACK TO doc")
            conn.execute("RELEASE doc")
            return IndexOutcome(article.article_id, ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        conn.execute("RELEASE doc")
        return IndexOutcome(article.article_id, ok=True)

    def search(self, query: SearchQuery) -> SearchPage:
        where = ["articles_fts MATCH ?"]
        params: list[Any] = [match_expression(query.terms)]
        for column, value in (("a.site", query.site), ("a.source", query.source)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if query.date_from is not None:
            where.append("a.published_ts >= ?")
            params.append(query.date_from.timestamp())
        if query.date_to is not None:
            where.append("a.published_ts < ?")
            params.append(query.date_to.timestamp())
        joined = "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid WHERE " + " AND ".join(where)
        if query.sort == "date":
            order = "a.published_ts DESC NULLS LAST, bm, a.article_id"
        else:
            order = "bm, a.published_ts DESC NULLS LAST, a.article_id"
        with self._lock:
            ((total,),) = self._run(f"SELECT count(*) {joined}", params)
            rows = self._run(
                f"SELECT a.payload, {_BM25} AS bm {joined} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, query.size, query.offset],
            )
        return SearchPage(total=total, hits=[_hit(payload, -bm, query.terms) for payload, bm in rows])

    def get(self, article_id: str) -> Article | None:
        rows = self._run("SELECT payload FROM articles WHERE article_id = ?", (article_id,))
        return Article.from_json(rows[0][0]) if rows else None

    def count(self) -> int:
        ((total,),) = self._run("SELECT count(*) FROM articles")
        return int(total)

    def drop(self) -> None:
        if not self.path.exists():
            return
        with self._lock:
            conn = self._connect()
            conn.executescript("DROP TABLE IF EXISTS articles_fts; DROP TABLE IF EXISTS articles;")
        logger.info("search index dropped: %s", self.path)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _hit(payload: str, score: float, terms: Sequence[str]) -> SearchHit:
    article = Article.from_json(payload)
    title_s, body_s = simplified_fields(article)
    title_html, body_html = snippet(article.title, title_s, article.body, body_s, terms)
    return SearchHit(
        article_id=article.article_id,
        url=article.url,
        site=article.site,
        title=article.title,
        title_highlight=title_html,
        source=article.source,
        published_at=article.published_at,
        snippet=body_html,
        score=score,
    )
