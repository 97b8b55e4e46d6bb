"""The incremental query the alerts worker runs (SearchQuery.indexed_from), on SQLite and the real
Elasticsearch: only what the indexer wrote since a watermark matches, and a rebuild keeps the times.
"""

from __future__ import annotations

import time

from evaluation.articles import FENHE_LINFEN, FENHE_SPP, FENHE_SXRB
from indexer import SearchBackend, SearchQuery
from pipeline.model import utcnow


def _ids(backend: SearchBackend, **kwargs: object) -> set[str]:
    page = backend.search(SearchQuery("公益诉讼", collapse_stories=False, size=100, **kwargs))  # type: ignore[arg-type]
    return {hit.article_id for hit in page.hits}


def test_only_articles_indexed_since_the_watermark_match(empty_backend: SearchBackend) -> None:
    assert all(o.ok for o in empty_backend.index([FENHE_SPP]))
    empty_backend.refresh()
    time.sleep(0.01)
    watermark = utcnow()
    assert all(o.ok for o in empty_backend.index([FENHE_SXRB, FENHE_LINFEN]))
    empty_backend.refresh()
    later = {FENHE_SXRB.article_id, FENHE_LINFEN.article_id}
    assert _ids(empty_backend, indexed_from=watermark) == later
    assert _ids(empty_backend) == later | {FENHE_SPP.article_id}
    page = empty_backend.search(SearchQuery("公益诉讼", indexed_from=watermark, collapse_stories=False))
    assert all(h.indexed_at is not None and h.indexed_at >= watermark for h in page.hits)


def test_a_rebuild_keeps_when_each_article_was_indexed(empty_backend: SearchBackend) -> None:
    assert all(o.ok for o in empty_backend.index([FENHE_SPP]))
    empty_backend.refresh()
    time.sleep(0.01)
    watermark = utcnow()
    assert all(o.ok for o in empty_backend.index([FENHE_SXRB]))
    empty_backend.refresh()  # Elasticsearch's reindex copies what a search sees
    empty_backend.reindex()
    empty_backend.refresh()
    assert _ids(empty_backend, indexed_from=watermark) == {FENHE_SXRB.article_id}


def test_search_many_answers_each_query_as_search_does(empty_backend: SearchBackend) -> None:
    assert all(o.ok for o in empty_backend.index([FENHE_SPP, FENHE_SXRB, FENHE_LINFEN]))
    empty_backend.refresh()
    queries = [
        SearchQuery("公益诉讼", collapse_stories=False),
        SearchQuery("汾河", site="spp"),
        SearchQuery("无此词"),
    ]
    many = empty_backend.search_many(queries)
    assert [{h.article_id for h in p.hits} for p in many] == [
        {h.article_id for h in empty_backend.search(q).hits} for q in queries
    ]
    assert [p.total for p in many] == [3, 1, 0]
