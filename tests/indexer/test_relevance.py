"""Relevance quality on the judged query set (evaluation/judged.py), on both backends: the figures the
benchmark reports, with a floor so that a ranking regression fails here first.
"""

from __future__ import annotations

from evaluation.judged import JUDGED, corpus, evaluate, ideal_precision_at_5
from indexer import SearchBackend


def test_judged_query_set_is_large_enough() -> None:
    assert len(JUDGED) >= 25
    keys = set(corpus())
    assert {key for judgments in JUDGED.values() for key in judgments} <= keys


def test_precision_and_ndcg_on_the_judged_queries(empty_backend: SearchBackend) -> None:
    articles = corpus()
    assert all(o.ok for o in empty_backend.index(list(articles.values())))
    empty_backend.refresh()
    quality = evaluate(empty_backend, articles)
    misses = {q: v for q, v in quality.per_query.items() if v[1] < 0.8}
    assert quality.ndcg_at_10 >= 0.9, misses
    assert quality.precision_at_5 >= ideal_precision_at_5() - 0.05, misses
