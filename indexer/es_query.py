"""Turns a SearchQuery into an Elasticsearch request body: a bool query built from the parsed
query tree (indexer/query.py) — never ``query_string`` — plus filters, sort, facets, histogram
and story collapsing. Pure functions, tested without an engine.

Each word is a phrase of its characters (what matches), plus optional clauses on the
jieba-segmented word fields (how it ranks): an article with 检察官 as a word scores above one
where the characters only stand across two words (检察 官方).
"""

from __future__ import annotations

from typing import Any

from indexer.base import SearchQuery, decode_cursor
from indexer.outlets import decorated_prefixes, script_forms
from indexer.query import And, Node, Not, Or, Term
from indexer.text import query_words, to_simplified

TITLE_BOOST = 3.0  # a word in the title says more about the article than one in the body
# Weight of the word fields against the character phrase: enough to order an article with the
# query as a whole word above one with the same characters across two words (a word is rarer
# than its characters, so its term weighs more), small enough not to overturn a clearer
# difference of the phrase's own score — a query word that is part of a longer word (救助 in
# 救助金, 黄河 in 黄河流域) gets no bonus. At 1.0 judged queries (evaluation/judged.py) lost their best
# order; 0.1–0.5 keep it, and 0.1 left only a 1 % margin in tests/indexer/test_word_ranking.py.
WORD_BOOST = 0.3
# Story counts are exact up to 3 000 stories and within a few per cent above (HyperLogLog):
# a higher threshold costs memory and time on every search of a broad query.
STORY_COUNT_PRECISION = 3_000

# Facet name -> the keyword field it counts.
FACET_FIELDS = {
    "source": "source",
    "site": "site",
    "tone": "tone",
    "region": "regions",
    "procuratorate": "procuratorates",
    "topic": "topic_pairs",
}


def word_clauses(simplified: str) -> list[dict[str, Any]]:
    """Optional clauses on the word fields: all of the term's jieba words (any order), and the
    whole term as one word when jieba splits it (the entity stage may know a word, e.g. from the
    gazetteer, that the query side's dictionary lacks). Empty for a term without words. (SQLite
    scores the whole term as one word only: sqlite_query.word_phrase says why.)"""
    words = query_words(simplified)
    if not words:
        return []
    queries = [{"match": {"query": " ".join(words), "operator": "and"}}]
    whole = simplified.strip().lower()
    if len(words) > 1 and " " not in whole:
        queries.append({"term": {"value": whole}})
    clauses = []
    for field, boost in (("title_words", TITLE_BOOST * WORD_BOOST), ("body_words", WORD_BOOST)):
        for q in queries:
            ((kind, params),) = q.items()
            clauses.append({kind: {field: {**params, "boost": boost}}})
    return clauses


def term_clause(text: str, scored: bool = True) -> dict[str, Any]:
    """One term: its simplified characters as a phrase of the title or the body (this decides
    what matches); ``scored``, the word fields add to the score of the articles that have the
    term as a word (see word_clauses)."""
    simplified = to_simplified(text)
    phrase = {
        "bool": {
            "should": [
                {"match_phrase": {"title_simplified": {"query": simplified, "boost": TITLE_BOOST}}},
                {"match_phrase": {"body_simplified": {"query": simplified}}},
            ],
            "minimum_should_match": 1,
        }
    }
    words = word_clauses(simplified) if scored else []
    if not words:
        return phrase
    # must + should: the should clauses only add to the score of what the phrase matched.
    return {"bool": {"must": [phrase], "should": words}}


def tree_clause(node: Node, scored: bool = True) -> dict[str, Any]:
    """The bool query of a query tree; what stands under a NOT is not scored."""
    if isinstance(node, Term):
        return term_clause(node.text, scored)
    if isinstance(node, Not):
        return {"bool": {"must_not": [tree_clause(node.child, scored=False)]}}
    if isinstance(node, Or):
        return {
            "bool": {"should": [tree_clause(c, scored) for c in node.children], "minimum_should_match": 1}
        }
    assert isinstance(node, And)
    must = [tree_clause(c, scored) for c in node.children if not isinstance(c, Not)]
    must_not = [tree_clause(c.child, scored=False) for c in node.children if isinstance(c, Not)]
    return {"bool": {"must": must, "must_not": must_not}}


def filter_clauses(query: SearchQuery) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    fields = {"site": "site", "source": "source", "tone": "tone", "region": "regions",
              "procuratorate": "procuratorates"}  # fmt: skip
    for name, value in query.keyword_filters().items():
        if name == "topic":
            filters.append(
                {"bool": {"should": [{"term": {"topics.id": value}}, {"term": {"topics.label": value}}]}}
            )
        elif name in ("site", "source"):
            # One outlet whatever its script or decoration (indexer/outlets.py), as in sqlite_query.
            field = fields[name]
            should: list[dict[str, Any]] = [{"terms": {field: list(script_forms(value))}}]
            should.extend({"prefix": {field: p}} for p in decorated_prefixes(value))
            filters.append({"bool": {"should": should, "minimum_should_match": 1}})
        else:
            filters.append({"term": {fields[name]: value}})
    if query.relevant is not None:
        filters.append({"term": {"relevant": query.relevant}})
    if query.min_relevance is not None:
        filters.append({"range": {"relevance": {"gte": query.min_relevance}}})
    if query.date_from is not None or query.date_to is not None:
        bounds: dict[str, str] = {}
        if query.date_from is not None:
            bounds["gte"] = query.date_from.isoformat()
        if query.date_to is not None:
            bounds["lt"] = query.date_to.isoformat()
        filters.append({"range": {"published_at": bounds}})
    if query.indexed_from is not None:
        filters.append({"range": {"indexed_at": {"gte": query.indexed_from.isoformat()}}})
    return filters


def build_query(query: SearchQuery) -> dict[str, Any]:
    return {"bool": {"must": [tree_clause(query.tree)], "filter": filter_clauses(query)}}


def build_sort(query: SearchQuery) -> list[Any]:
    by_date = {"published_at": {"order": "desc", "missing": "_last", "unmapped_type": "date"}}
    # article_id last: a total order, so search_after never skips or repeats a hit.
    if query.sort == "date":
        return [by_date, "_score", {"article_id": "asc"}]
    return ["_score", by_date, {"article_id": "asc"}]


def build_aggs(query: SearchQuery) -> dict[str, Any]:
    aggs: dict[str, Any] = {
        "stories": {"cardinality": {"field": "story_key", "precision_threshold": STORY_COUNT_PRECISION}}
    }
    if query.facets:
        for name, field in FACET_FIELDS.items():
            aggs[f"facet_{name}"] = {"terms": {"field": field, "size": query.facet_size}}
    if query.histogram:
        aggs["histogram"] = {
            "date_histogram": {
                "field": "published_at",
                "calendar_interval": query.histogram,
                "time_zone": "+08:00",  # the calendar of the people who read the news
                "format": "yyyy-MM-dd",
                "min_doc_count": 1,
            }
        }
    return aggs


def build_search(query: SearchQuery, source_fields: list[str]) -> dict[str, Any]:
    """The keyword arguments of ``client.search`` for one page of results."""
    body: dict[str, Any] = {
        "query": build_query(query),
        "sort": build_sort(query),
        "size": query.size,
        "track_total_hits": True,
        "track_scores": True,
        "source_includes": source_fields,
        "aggs": build_aggs(query),
    }
    if query.cursor is not None:
        body["search_after"] = decode_cursor(query.cursor)
    else:
        body["from_"] = query.offset
    if query.collapse_stories:
        # The best copy of each story by the sort above stands for it.
        body["collapse"] = {"field": "story_key"}
    return body


# Oldest first, undated last, as indexer/base.py:SearchBackend.story_copies promises.
_COPY_ORDER = [{"published_at": {"order": "asc", "missing": "_last"}}, {"article_id": "asc"}]
# The fields of a StoryCopy, plus the story it belongs to.
_COPY_FIELDS = ["article_id", "url", "site", "source", "title", "published_at", "fetched_at", "story_key"]


def story_copies_request(story_id: str, limit: int) -> dict[str, Any]:
    """The copies of one story, oldest first (a story view)."""
    return {
        "query": {"term": {"story_key": story_id}},
        "size": limit,
        "sort": _COPY_ORDER,
        "source_includes": _COPY_FIELDS,
    }


def story_stats_request(keys: list[str], all_copies: bool, max_copies: int) -> dict[str, Any]:
    """Copies and outlets of the stories on a page (and, with all_copies, the copies themselves)."""
    return {
        "query": {"terms": {"story_key": keys}},
        "size": max_copies if all_copies else 0,
        "sort": _COPY_ORDER,
        "source_includes": _COPY_FIELDS,
        "aggs": {
            "stories": {
                "terms": {"field": "story_key", "size": len(keys)},
                "aggs": {"outlets": {"terms": {"field": "outlet", "size": 100}}},
            }
        },
    }
