"""Turns a SearchQuery into SQL for the embedded index: an FTS5 MATCH expression built from the
parsed query tree (indexer/query.py) — user text only ever appears inside quoted FTS5 phrases —
and the WHERE clause of the filters. Pure functions, tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from indexer.base import SearchQuery
from indexer.outlets import decorated_prefixes, script_forms
from indexer.query import And, Node, Not, Or, Term
from indexer.text import han_bigrams, spaced_cjk, to_simplified

_COLUMNS = {"site": "a.site", "source": "a.source", "tone": "a.tone"}
_OUTLET_FILTERS = ("site", "source")


def phrase(text: str) -> str:
    """One term as an FTS5 phrase of its simplified tokens, in the columns that hold them: two or
    more Han characters as a phrase of their pairs in the bigram columns (司法救助 →
    {title2 body2} : "司法 法救 救助", one posting list per pair instead of one per character,
    which a broad word such as 检察 shares with most of the index), anything else as a phrase
    of single tokens in the character columns (检 → {title body} : "检").
    """
    simplified = to_simplified(text)
    pairs = han_bigrams(simplified)
    if pairs is not None:
        return '{title2 body2} : "' + " ".join(pairs) + '"'
    return '{title body} : "' + " ".join(spaced_cjk(simplified).split()).replace('"', '""') + '"'


def _quoted(tokens: Sequence[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def word_phrase(text: str) -> str | None:
    """The term as one word of the word columns (title_w, body_w: the entity stage's jieba
    words), or None when it cannot be one (it holds a space). Only the whole term: a phrase of
    the term's several words (as Elasticsearch's word clauses also match, es_query.word_clauses)
    would make FTS5 walk the whole posting list of every common word in it (检察, 建议) on every
    search, +10–60 % on such queries, for a bonus nearly every match of the characters gets."""
    whole = to_simplified(text).strip().lower()
    if not whole or any(c.isspace() for c in whole):
        return None
    return "{title_w body_w} : " + _quoted([whole])


def scored_phrase(text: str) -> str:
    """One term for a scored search: its character phrase OR the term as one word. The same rows
    match as with the character phrase alone — an article has the term as a word only where it
    has its characters (the words are the segmentation of the same simplified text) — but BM25
    adds the word columns for the articles that have the term as a word."""
    word = word_phrase(text)
    return f"({phrase(text)} OR {word})" if word else phrase(text)


def match_expression(node: Node | Sequence[str], scored: bool = False) -> str:
    """The FTS5 MATCH expression of a query tree (or of a list of words, all required); with
    ``scored``, every term also looks in the word columns (scored_phrase), which only ranks."""
    term = scored_phrase if scored else phrase
    if not isinstance(node, Term | Not | And | Or):
        return " AND ".join(term(t) for t in node)
    if isinstance(node, Term):
        return term(node.text)
    if isinstance(node, Or):
        return "(" + " OR ".join(match_expression(c, scored) for c in node.children) + ")"
    if isinstance(node, Not):  # only under AND (query.py guarantees a positive side)
        raise ValueError("a NOT outside an AND cannot be expressed in FTS5")
    positive = [match_expression(c, scored) for c in node.children if not isinstance(c, Not)]
    # Excluded terms are never scored: their rows are not in the result.
    negative = [match_expression(c.child) for c in node.children if isinstance(c, Not)]
    expression = positive[0] if len(positive) == 1 else "(" + " AND ".join(positive) + ")"
    return expression + "".join(f" NOT {n}" for n in negative)


def filter_sql(query: SearchQuery) -> tuple[str, list[Any]]:
    """`` AND …`` conditions on the articles row ``a`` for the filters, with their parameters."""
    where: list[str] = []
    params: list[Any] = []
    for name, value in query.keyword_filters().items():
        if name in _OUTLET_FILTERS:
            # One outlet whatever its script or decoration (indexer/outlets.py), as in es_query.
            column, forms, prefixes = _COLUMNS[name], script_forms(value), decorated_prefixes(value)
            starts = " OR ".join(f"substr({column}, 1, ?) = ?" for _ in prefixes)
            where.append(f"({column} IN ({', '.join('?' * len(forms))}) OR {starts})")
            params.extend(forms)
            for prefix in prefixes:
                params.extend([len(prefix), prefix])
        elif name in _COLUMNS:
            where.append(f"{_COLUMNS[name]} = ?")
            params.append(value)
        elif name == "topic":
            # A UNION of two index lookups: "value = ? OR label = ?" would read every topic row.
            where.append(
                "a.id IN (SELECT doc FROM article_facets WHERE field = 'topic' AND value = ? "
                "UNION SELECT doc FROM article_facets WHERE field = 'topic' AND label = ?)"
            )
            params.extend([value, value])
        else:
            where.append("a.id IN (SELECT doc FROM article_facets WHERE field = ? AND value = ?)")
            params.extend([name, value])
    if query.relevant is not None:
        where.append("a.relevant = ?")
        params.append(int(query.relevant))
    if query.min_relevance is not None:
        where.append("a.relevance >= ?")
        params.append(query.min_relevance)
    if query.date_from is not None:
        where.append("a.published_ts >= ?")
        params.append(query.date_from.timestamp())
    if query.date_to is not None:
        where.append("a.published_ts < ?")
        params.append(query.date_to.timestamp())
    if query.indexed_from is not None:
        where.append("a.indexed_ts >= ?")
        params.append(query.indexed_from.timestamp())
    return "".join(f" AND {w}" for w in where), params


def order_sql(query: SearchQuery) -> str:
    """The same order as Elasticsearch's sort (bm25 is negative: lower is better; a match left
    unscored by bounded ranking, sqlite_backend._score, comes after the scored ones)."""
    if query.sort == "date":
        return "published_ts DESC NULLS LAST, bm NULLS LAST, article_id"
    return "bm NULLS LAST, published_ts DESC NULLS LAST, article_id"
