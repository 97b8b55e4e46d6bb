"""Reading a search's results out of the embedded index: the page (with story collapsing), the
facets, the histogram and the copies of the stories on the page, all from the temporary table
``m`` of the rows that match (see indexer/sqlite_backend.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from indexer.base import (
    FACET_SIZE,
    FACETS,
    MAX_COPIES_LISTED,
    FacetBucket,
    HistogramBucket,
    Interval,
    SearchHit,
    SearchQuery,
    StoryCopy,
)
from indexer.document import bucket_start, fill_histogram
from indexer.outlets import canonical_outlets

_EPOCH = date(1970, 1, 1)


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
        rows = conn.execute(f"SELECT id, bm, story_no FROM m ORDER BY {order} LIMIT ?", (limit,)).fetchall()
        seen: set[int] = set()
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


def facet_set_key(facets: dict[str, list[tuple[str, str | None]]]) -> str:
    """The stored form of an article's facet values (facet_sets.facets): equal sets, equal text."""
    triples = sorted((name, value, label or "") for name, pairs in facets.items() for value, label in pairs)
    return json.dumps(triples, ensure_ascii=False, separators=(",", ":"))


def _ints(text: str | None) -> np.ndarray:
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class MatchColumns:
    """What the totals, facets and histogram need of the matches in ``m``, read in one scan as
    strings of integers (fetching tens of thousands of rows one by one costs more than the
    search, and SQLite's GROUP BY and count(DISTINCT) sort them): 75 000 matches in ≈ 15 ms."""

    total: int
    stories: int
    facet_sets: np.ndarray
    days: np.ndarray  # published_day of the dated matches

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> MatchColumns:
        count, stories, sets, days = conn.execute(
            "SELECT count(*), group_concat(story_no), group_concat(facet_set), group_concat(published_day) FROM m"
        ).fetchone()
        story_nos = _ints(stories)
        distinct = int(np.count_nonzero(np.bincount(story_nos))) if story_nos.size else 0
        return cls(total=int(count), stories=distinct, facet_sets=_ints(sets), days=_ints(days))


class FacetSets:
    """Facet counts of the matches: how many matches carry each facet set (facet_sets), added
    into every value of the set. Sets never change once written and new ones get higher ids, so
    what they hold is cached here, read incrementally, and dropped when the tables are rebuilt
    (index_meta.generation changes).
    """

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, generation: str | None) -> None:
        self._generation = generation
        self._max_id = 0
        self._index: dict[tuple[str, str], int] = {}  # (facet, value) -> position in the lists below
        self._values: list[str] = []
        self._labels: list[str | None] = []
        self._by_facet: dict[str, list[int]] = {name: [] for name in FACETS}
        # One entry per (set, value in it): which set, which value.
        self._entry_set = np.zeros(0, dtype=np.int64)
        self._entry_value = np.zeros(0, dtype=np.int64)

    def _refresh(self, conn: sqlite3.Connection) -> None:
        (generation,) = conn.execute("SELECT value FROM index_meta WHERE key = 'generation'").fetchone()
        if generation != self._generation:
            self._reset(generation)
        sets: list[int] = []
        values: list[int] = []
        for set_id, text in conn.execute(
            "SELECT id, facets FROM facet_sets WHERE id > ? ORDER BY id", (self._max_id,)
        ):
            for name, value, label in json.loads(text):
                position = self._index.setdefault((name, value), len(self._values))
                if position == len(self._values):
                    self._values.append(value)
                    self._labels.append(label or None)
                    self._by_facet.setdefault(name, []).append(position)
                elif label and label > (self._labels[position] or ""):
                    self._labels[position] = label
                sets.append(set_id)
                values.append(position)
            self._max_id = set_id
        if sets:
            self._entry_set = np.concatenate([self._entry_set, np.array(sets, dtype=np.int64)])
            self._entry_value = np.concatenate([self._entry_value, np.array(values, dtype=np.int64)])

    def count(
        self, conn: sqlite3.Connection, facet_sets: np.ndarray, size: int = FACET_SIZE
    ) -> dict[str, list[FacetBucket]]:
        """The ``size`` biggest facet counts of the matches, given their facet_set ids
        (MatchColumns.facet_sets)."""
        self._refresh(conn)
        per_set = np.bincount(facet_sets, minlength=self._max_id + 1)
        per_value = np.bincount(
            self._entry_value, weights=per_set[self._entry_set], minlength=len(self._values)
        ).astype(np.int64)
        facets: dict[str, list[FacetBucket]] = {}
        for name in FACETS:
            found = [(int(per_value[i]), i) for i in self._by_facet.get(name, []) if per_value[i]]
            found.sort(key=lambda pair: (-pair[0], self._values[pair[1]]))
            facets[name] = [
                FacetBucket(value=self._values[i], count=n, label=self._labels[i]) for n, i in found[:size]
            ]
        return facets


def histogram_of_days(days: np.ndarray, interval: Interval) -> list[HistogramBucket]:
    """Matches per day (China Standard Time, published_day), summed into days, weeks or months."""
    if not days.size:
        return []
    first = int(days.min())
    buckets: Counter[str] = Counter()
    per_day = np.bincount(days - first)
    for offset in np.flatnonzero(per_day):
        start = bucket_start(_EPOCH + timedelta(days=first + int(offset)), interval)
        buckets[start.isoformat()] += int(per_day[offset])
    return fill_histogram(buckets.items(), interval)


def add_story_stats(conn: sqlite3.Connection, hits: list[SearchHit], all_copies: bool) -> None:
    keys = list(dict.fromkeys(h.story_id for h in hits))
    marks = ",".join("?" * len(keys))
    stats = {
        key: (count, sorted(canonical_outlets(json.loads(outlets))))
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
