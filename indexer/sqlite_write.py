"""The embedded search backend's schema and write path: the tables of config/sqlite/articles.sql
and one article into them, inside the indexer's transaction; indexer/sqlite_backend.py holds the
batch and the connection.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from datetime import datetime

from indexer.base import IndexOutcome
from indexer.document import doc_version, document_json, facet_values
from indexer.sqlite_read import facet_set_key
from indexer.text import bigram_text, spaced_cjk
from pipeline.model import Article, utcnow
from pipeline.settings import CONFIG_DIR

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
_CST_OFFSET_S = 8 * 3600  # China Standard Time, no daylight saving


def schema_version() -> str:
    """The schema_version the schema file writes into index_meta."""
    found = re.search(r"'schema_version', '(\d+)'", SCHEMA_FILE.read_text(encoding="utf-8"))
    if found is None:
        raise RuntimeError(f"{SCHEMA_FILE} sets no schema_version in index_meta")
    return found.group(1)


def statements(script: str) -> list[str]:
    """The statements of a SQL script (executescript would commit an open transaction)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def index_one(conn: sqlite3.Connection, article: Article, indexed_at: datetime | None = None) -> IndexOutcome:
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
        conn.execute("INSERT OR REPLACE INTO article_payloads (id, payload) VALUES (?, ?)", (row_id, text))
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
