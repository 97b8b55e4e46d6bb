"""An embedded index written by the first release (payload inside the articles table, no facets)
is rebuilt in place by `jiancha index init`, keeping every article searchable."""

from __future__ import annotations

import sqlite3

from evaluation.articles import SPP
from indexer import SearchQuery, open_index
from pipeline.settings import Settings

OLD_SCHEMA = """
CREATE TABLE articles (id INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, site TEXT, source TEXT,
                       published_ts REAL, payload TEXT NOT NULL);
CREATE VIRTUAL TABLE articles_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2');
"""


def test_init_rebuilds_an_index_of_the_first_schema(settings: Settings) -> None:
    path = settings.data_dir / f"{settings.index_name}.sqlite3"
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute(
            "INSERT INTO articles (article_id, site, source, published_ts, payload) VALUES (?, ?, ?, ?, ?)",
            (SPP.article_id, SPP.site, SPP.source, 0.0, SPP.model_dump_json()),
        )
    backend = open_index(settings)
    try:
        backend.init()
        assert backend.count() == 1
        (hit,) = backend.search(SearchQuery("司法救助", facets=True)).hits
        assert (hit.article_id, hit.copies) == (SPP.article_id, 1)
    finally:
        backend.close()


def test_init_rebuilds_an_index_of_schema_version_4_without_the_bigram_columns(settings: Settings) -> None:
    backend = open_index(settings)
    try:
        backend.init()
        backend.index([SPP])
    finally:
        backend.close()
    # Turn it into what schema 4 wrote: the FTS table had the character columns only.
    path = settings.data_dir / f"{settings.index_name}.sqlite3"
    with sqlite3.connect(path) as conn:
        (row_id, title, body) = conn.execute("SELECT rowid, title, body FROM articles_fts").fetchone()
        conn.execute("DROP TABLE articles_fts")
        conn.execute("CREATE VIRTUAL TABLE articles_fts USING fts5 (title, body)")
        conn.execute("INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)", (row_id, title, body))
        conn.execute("UPDATE index_meta SET value = '4' WHERE key = 'schema_version'")
    backend = open_index(settings)
    try:
        backend.init()
        (hit,) = backend.search(SearchQuery("司法救助")).hits
        assert hit.article_id == SPP.article_id
    finally:
        backend.close()


def test_init_rebuilds_an_index_of_schema_version_5_without_the_word_columns(settings: Settings) -> None:
    article = SPP.model_copy(update={"title_words": "最高检 发布 国家 司法 救助 典型 案例"})
    backend = open_index(settings)
    try:
        backend.init()
        backend.index([article])
    finally:
        backend.close()
    # Turn it into what schema 5 wrote: no word columns in the FTS table.
    path = settings.data_dir / f"{settings.index_name}.sqlite3"
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT rowid, title, body, title2, body2 FROM articles_fts").fetchone()
        conn.execute("DROP TABLE articles_fts")
        conn.execute("CREATE VIRTUAL TABLE articles_fts USING fts5 (title, body, title2, body2)")
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, body, title2, body2) VALUES (?, ?, ?, ?, ?)", row
        )
        conn.execute("UPDATE index_meta SET value = '5' WHERE key = 'schema_version'")
    backend = open_index(settings)
    try:
        backend.init()
        (hit,) = backend.search(SearchQuery("司法救助")).hits
        assert hit.article_id == SPP.article_id
        with sqlite3.connect(path) as conn:  # the words came back from the stored document
            assert conn.execute("SELECT title_w FROM articles_fts").fetchone() == (article.title_words,)
    finally:
        backend.close()
