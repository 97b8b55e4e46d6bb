"""Reading every match of a query, for exports and the figure chart: newest first, in batches,
without the totals, facets, story statistics and highlighting a page of results pays for — a
page's cost is proportional to all the matches, so paging through 100 000 of them page by page
would be quadratic. Each backend's ``scan`` uses these; the results equal a cursor walk.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from indexer.base import SearchHit, SearchQuery
from indexer.document import hit_from_document
from indexer.es_query import build_query
from indexer.sqlite_match import find_matches
from indexer.sqlite_query import filter_sql, order_sql

SCROLL_KEEP_ALIVE = "2m"  # between two batches: a slow client (a spreadsheet download) may pause
SCAN_BATCH = 5000  # hits per Elasticsearch request (it returns at most 10 000)
SQLITE_BATCH = 2000  # documents per read (one IN list of ids)
# What an export row needs (no body: a scanned hit carries no snippet).
SCAN_FIELDS = ["article_id", "url", "site", "title", "source", "published_at", "story_id", "topics",
               "procuratorates", "regions", "tone", "relevance"]  # fmt: skip
_NEWEST_FIRST = [
    {"published_at": {"order": "desc", "missing": "_last", "unmapped_type": "date"}},
    {"article_id": "asc"},
]


def _hit(doc: dict[str, Any]) -> SearchHit:
    return hit_from_document(doc, None, (), highlighted=False)


# SQLite reads only these fields out of each stored document (json_extract in C), not the whole
# document with its body, words and entities: parsing those in Python was the export's largest cost.
_SQLITE_FIELDS = ", ".join(f"'$.{name}'" for name in SCAN_FIELDS)


def sqlite_scan(
    connect: Callable[[], sqlite3.Connection],
    translate: Callable[[sqlite3.OperationalError], Exception],
    query: SearchQuery,
    limit: int,
) -> Iterator[SearchHit]:
    """The matches' ids are listed once (one full-text walk), then their documents read a batch at a
    time, on a connection of the scan's own (``connect``; closed at the end, or when the reader
    stops early), so an export holds up no search and no write: each read sees what was committed."""
    dated = replace(query, sort="date", collapse_stories=False, cursor=None)
    where, params = filter_sql(dated)
    conn = connect()
    try:
        with _translated(translate):
            find_matches(conn, dated, where, params)
            ids = [
                i for (i,) in conn.execute(f"SELECT id FROM m ORDER BY {order_sql(dated)} LIMIT ?", (limit,))
            ]
            conn.execute("DROP TABLE temp.m")
        for start in range(0, len(ids), SQLITE_BATCH):
            batch = ids[start : start + SQLITE_BATCH]
            with _translated(translate):
                payloads = dict(
                    conn.execute(
                        f"SELECT id, json_extract(payload, {_SQLITE_FIELDS}) FROM article_payloads "
                        f"WHERE id IN ({','.join('?' * len(batch))})",
                        batch,
                    )
                )
            for row_id in batch:
                if row_id in payloads:  # deleted since it matched
                    yield _hit(dict(zip(SCAN_FIELDS, json.loads(payloads[row_id]), strict=True)))
    finally:
        conn.close()


@contextmanager
def _translated(translate: Callable[[sqlite3.OperationalError], Exception]) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise translate(exc) from exc


# Elasticsearch sends only what an export row reads: a topic's label, not its evidence sentences;
# and of each hit only its _source (no _index, _id, _score, sort: a fifth of the JSON to decode).
_ES_SOURCE = [name if name != "topics" else "topics.label" for name in SCAN_FIELDS]
_ES_FILTER_PATH = ["_scroll_id", "hits.hits._source"]


def es_scan_requests(query: SearchQuery) -> dict[str, Any]:
    """The request that opens an Elasticsearch scan."""
    return {
        # Filter context: an export is ordered by date, so nothing needs a score.
        "query": {"bool": {"filter": [build_query(query)]}},
        "sort": _NEWEST_FIRST,
        "size": SCAN_BATCH,
        "source_includes": _ES_SOURCE,
        "filter_path": _ES_FILTER_PATH,
    }


def es_scan(client: Any, index: str, query: SearchQuery, limit: int) -> Iterator[SearchHit]:
    """A scroll: the query is evaluated and sorted once and its context kept for the batches that
    follow (search_after would evaluate the whole query again for every batch). The next batch is
    asked for while the reader turns this one into rows (one request in flight, on a thread of the
    scan's own), so Elasticsearch's time and ours overlap instead of adding up. The context is
    cleared at the end, or when the reader stops early."""
    resp = client.search(index=index, scroll=SCROLL_KEEP_ALIVE, **es_scan_requests(query))
    scroll_id = resp.get("_scroll_id")
    sent = 0
    with ThreadPoolExecutor(1, thread_name_prefix="es-scan") as ahead:
        pending: Future[Any] | None = None
        try:
            while True:
                raw = resp.get("hits", {}).get("hits", [])  # filter_path drops an empty list
                if len(raw) == SCAN_BATCH and sent + len(raw) < limit:
                    pending = ahead.submit(
                        client.scroll,
                        scroll_id=scroll_id,
                        scroll=SCROLL_KEEP_ALIVE,
                        filter_path=_ES_FILTER_PATH,
                    )
                for hit in raw[: limit - sent]:
                    yield _hit(hit["_source"])
                sent += len(raw)
                if pending is None:
                    return
                resp, pending = pending.result(), None
                scroll_id = resp.get("_scroll_id", scroll_id)
        finally:
            if pending is not None:  # the reader stopped early: let the request end, then clear
                pending.cancel() or pending.exception()
            if scroll_id:
                client.options(ignore_status=404).clear_scroll(scroll_id=scroll_id)
