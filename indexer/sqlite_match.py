"""Finding and scoring the matches of a search in the embedded index: the temporary table ``m``
that indexer/sqlite_backend.py fills and indexer/sqlite_read.py reads the page, totals, facets
and histogram from. Ranking is BM25 (title weighted 3:1), bounded for very broad queries.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from indexer.base import SearchQuery
from indexer.sqlite_query import match_expression

# Weights of the FTS columns (title, body, title2, body2, title_w, body_w) in BM25: a word in the
# title says more; the word columns (the query term as one word, sqlite_query.word_phrase) weigh
# as Elasticsearch's word fields do against the characters (es_query.WORD_BOOST).
BM25 = "bm25(articles_fts, 3.0, 1.0, 3.0, 1.0, 0.9, 0.3)"
# Bounded ranking (see find_matches): a query with more matches scores only this many of them.
RANKED_CANDIDATES = 10_000
_FILTER_SAMPLE = 1_000  # matches that tell what share of them passes the filters

_MATCHES = """
CREATE TEMP TABLE m (id INTEGER PRIMARY KEY, article_id TEXT, story_no INTEGER, published_ts REAL, bm REAL,
                     facet_set INTEGER, published_day INTEGER)
"""
_NEWEST = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"


def oldest_candidate(conn: sqlite3.Connection, plain: str, where: str, params: list[Any]) -> int | None:
    """The rowid below the RANKED_CANDIDATES newest matches (after the filters), or None when
    there are not that many — or a filter passes so few that scoring every match is cheap.

    FTS5 walks the matches newest first and stops at the offset (a few ms). With filters, the
    newest 1 000 matches say what share passes them, so how far back as many filtered
    candidates reach. A filter that fewer than half of them pass leaves at most half the
    matches, scored all (检察 in one county: 2 500; a date range far back in time, whose share
    of the newest matches is nil, up to half of 75 000: ≈ 40 ms).
    """
    reach = RANKED_CANDIDATES
    if where:
        (sampled, passed) = conn.execute(
            "SELECT count(*), total(1" + where + ") FROM (SELECT rowid AS id FROM articles_fts "
            "WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT ?) AS f CROSS JOIN articles a ON a.id = f.id",
            [*params, plain, _FILTER_SAMPLE],  # the filters stand first in the SQL
        ).fetchone()
        if sampled < _FILTER_SAMPLE or passed * 2 < sampled:
            return None
        reach = int(RANKED_CANDIDATES * sampled / passed)
    row = conn.execute(_NEWEST, (plain, reach)).fetchone()
    return None if row is None else int(row[0])


def find_matches(conn: sqlite3.Connection, query: SearchQuery, where: str, params: list[Any]) -> None:
    """Fill the temporary table ``m`` with the matches, scored by BM25 (``bm``, lower is better):
    all of them, or — a query with more than RANKED_CANDIDATES matches — only the
    RANKED_CANDIDATES most recently indexed ones (bounded ranking); the others get bm NULL and
    follow the scored ones, newest first (sqlite_query.order_sql).

    The trade-off: a very broad query (检察, in three articles of four) sorted by relevance shows
    the best-scored of its newest 10 000 matches first, then the rest newest first, instead of the
    best-scored of all 75 000. BM25 of a word that common says little beyond "it is in the
    title", and a press office reads recent coverage. Newest means most recently indexed (the
    article row's id, which a reindex keeps): it follows the crawl, but a backfill of old articles
    counts as new. Sorted by date such a query is not scored at all: BM25 would only break ties of
    equal publication times (they fall back to article_id) and its hits carry no score.
    Elasticsearch scores every match and needs no bound.

    Why: BM25 costs ≈ 1 µs per scored match inside FTS5 (all 75 000 matches of 检察 at 100 000
    articles took ≈ 80 ms of a 150 ms search), and the word columns (which only rank) cost
    another walk of their posting lists. So the candidates are walked with the scored expression
    (sqlite_query.match_expression(scored=True)) and BM25, the older rest with the plain
    character expression and no score: two rowid ranges FTS5 seeks to, one walk in all.
    """
    conn.execute("DROP TABLE IF EXISTS temp.m")
    conn.execute(_MATCHES)
    plain = match_expression(query.tree)
    insert = (
        "INSERT INTO temp.m SELECT a.id, a.article_id, a.story_no, a.published_ts, {bm}, a.facet_set, "
        "a.published_day "
        # CROSS JOIN keeps the full-text match as the outer loop: with a selective filter the
        # planner would otherwise probe the FTS index once per filtered row.
        "FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid WHERE articles_fts MATCH ?"
    )
    if query.indexed_from is not None:
        # An incremental query (the alerts worker): few rows were written since then, so FTS5
        # looks each of them up by rowid instead of walking every match in the index (500 saved
        # searches a look, bench/alerts.py).
        since = " AND articles_fts.rowid IN (SELECT id FROM articles WHERE indexed_ts >= ?)"
        scored = match_expression(query.tree, scored=True)
        conn.execute(
            insert.format(bm=BM25) + since + where, [scored, query.indexed_from.timestamp(), *params]
        )
        return
    oldest = oldest_candidate(conn, plain, where, params)
    if oldest is None:
        conn.execute(insert.format(bm=BM25) + where, [match_expression(query.tree, scored=True), *params])
    elif query.sort == "date":
        conn.execute(insert.format(bm="NULL") + where, [plain, *params])
    else:  # older rows first: both statements then append to m's rowid order (twice as fast)
        conn.execute(
            insert.format(bm="NULL") + f" AND articles_fts.rowid <= ?{where}", [plain, oldest, *params]
        )
        conn.execute(
            insert.format(bm=BM25) + f" AND articles_fts.rowid > ?{where}",
            [match_expression(query.tree, scored=True), oldest, *params],
        )
