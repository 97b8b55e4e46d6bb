"""Matching: which stories are new for a saved search since its watermark. One mechanism on both
backends, the incremental query — the saved search's query plus ``indexed_from`` (what the
indexer wrote since the last look, minus an overlap) — with stories collapsed, so a story is one
hit however many copies it has; the decision against the already-announced stories is pure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from alerts.items import AlertItem, item_from_hit
from alerts.model import SavedSearch
from indexer import SearchBackend, SearchHit
from indexer.base import MAX_PAGE_SIZE, MAX_RESULT_WINDOW

log = logging.getLogger(__name__)


def new_hits(backend: SearchBackend, search: SavedSearch, since: datetime) -> list[SearchHit]:
    """Every story matching the search among the articles indexed at or after ``since``, newest first.

    The worker looks from its last watermark minus an overlap, which covers what was written
    before the last look but not yet searchable then (Elasticsearch's refresh, a bulk request in
    flight, the clocks of two machines): a story seen twice is still announced once (decide).
    """
    return new_hits_many(backend, [(search, since)])[0]


def new_hits_many(
    backend: SearchBackend, searches: Sequence[tuple[SavedSearch, datetime]]
) -> list[list[SearchHit]]:
    """new_hits of several searches: their first pages in one ``search_many`` (one round trip on
    Elasticsearch), further pages (a search with more than a page of new stories) one by one."""
    first = backend.search_many(
        [s.search_query(indexed_from=since, size=MAX_PAGE_SIZE) for s, since in searches]
    )
    results = []
    for (search, since), page in zip(searches, first, strict=True):
        hits = list(page.hits)
        number = 1
        while len(page.hits) == MAX_PAGE_SIZE and number < MAX_RESULT_WINDOW // MAX_PAGE_SIZE:
            number += 1
            page = backend.search(search.search_query(indexed_from=since, page=number, size=MAX_PAGE_SIZE))
            hits.extend(page.hits)
        results.append(hits)
    return results


def decide(
    search: SavedSearch, hits: Sequence[SearchHit], announced: Mapping[str, tuple[int, bool]]
) -> list[AlertItem]:
    """The alerts these hits call for: a story not announced yet (once, whatever its copies), and —
    with ``carried_threshold`` — a story announced before that now has at least that many copies,
    once. Oldest first, so the messages read in the order things happened."""
    assert search.id is not None
    items: list[AlertItem] = []
    seen: set[str] = set()
    for hit in reversed(hits):
        if hit.story_id in seen:
            continue
        seen.add(hit.story_id)
        before = announced.get(hit.story_id)
        if before is None:
            items.append(item_from_hit(search.id, search.name, hit, "new"))
        elif (
            search.carried_threshold is not None
            and not before[1]
            and before[0] < search.carried_threshold <= hit.copies
        ):
            items.append(item_from_hit(search.id, search.name, hit, "carried"))
    return items
