"""Reading a search's results out of the embedded index: the page (with story collapsing), the
facets and the copies of the stories on the page, all from the temporary table ``m`` of the rows
that match (see indexer/sqlite_backend.py).
"""

from __future__ import annotations

import json
import sqlite3

from indexer.base import FACET_SIZE, FACETS, MAX_COPIES_LISTED, FacetBucket, SearchHit, SearchQuery, StoryCopy


def page_rows(
    conn: sqlite3.Connection, query: SearchQuery, order: str, offset: int
) -> list[tuple[int, float]]:
    """(id, bm25) of the page's hits from the temporary table ``m``. Collapsed, the best row of
    each story stands for it: rows are read in order with a bounded sort (LIMIT), deduplicated
    by story here, and read further only when copies crowded the first ones out.
    """
    if not query.collapse_stories:
        sql = f"SELECT id, bm FROM m ORDER BY {order} LIMIT ? OFFSET ?"
        return [(i, bm) for i, bm in conn.execute(sql, (query.size, offset))]
    wanted = offset + query.size
    limit = wanted * 2 + 50
    while True:
        rows = conn.execute(f"SELECT id, bm, story_key FROM m ORDER BY {order} LIMIT ?", (limit,)).fetchall()
        seen: set[str] = set()
        firsts: list[tuple[int, float]] = []
        for row_id, bm, key in rows:
            if key not in seen:
                seen.add(key)
                firsts.append((row_id, bm))
                if len(firsts) == wanted:
                    break
        if len(firsts) == wanted or len(rows) < limit:
            return firsts[offset:]
        limit *= 4


# Single-valued facets are columns of the matches table itself: no join.
_COLUMN_FACETS = ("site", "source", "tone")


def facets(conn: sqlite3.Connection) -> dict[str, list[FacetBucket]]:
    facets: dict[str, list[FacetBucket]] = {}
    for name in FACETS:
        if name in _COLUMN_FACETS:
            rows = conn.execute(
                f"SELECT {name}, NULL, count(*) AS c FROM m WHERE {name} IS NOT NULL "
                f"GROUP BY {name} ORDER BY c DESC, {name} LIMIT ?",
                (FACET_SIZE,),
            ).fetchall()
            facets[name] = [FacetBucket(value=v, label=label, count=c) for v, label, c in rows]
            continue
        rows = conn.execute(
            "SELECT f.value, max(f.label), count(*) AS c FROM m CROSS JOIN article_facets f "
            "ON f.doc = m.id AND f.field = ? GROUP BY f.value ORDER BY c DESC, f.value LIMIT ?",
            (name, FACET_SIZE),
        ).fetchall()
        facets[name] = [FacetBucket(value=v, label=label, count=c) for v, label, c in rows]
    return facets


def add_story_stats(conn: sqlite3.Connection, hits: list[SearchHit], all_copies: bool) -> None:
    keys = list(dict.fromkeys(h.story_id for h in hits))
    marks = ",".join("?" * len(keys))
    stats = {
        key: (count, sorted(o for o in json.loads(outlets) if o))
        for key, count, outlets in conn.execute(
            f"SELECT story_key, count(*), json_group_array(DISTINCT outlet) FROM articles "
            f"WHERE story_key IN ({marks}) GROUP BY story_key",
            keys,
        )
    }
    copies: dict[str, list[StoryCopy]] = {}
    if all_copies:
        for key, payload in conn.execute(
            f"SELECT a.story_key, p.payload FROM articles a JOIN article_payloads p ON p.id = a.id "
            f"WHERE a.story_key IN ({marks}) ORDER BY a.published_ts ASC NULLS LAST, a.article_id",
            keys,
        ):
            listed = copies.setdefault(key, [])
            if len(listed) < MAX_COPIES_LISTED:
                listed.append(StoryCopy.model_validate(json.loads(payload)))
    for hit in hits:
        hit.copies, hit.outlets = stats.get(hit.story_id, (1, hit.outlets))
        if all_copies:
            hit.copy_list = copies.get(hit.story_id, [])
