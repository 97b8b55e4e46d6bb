"""Pure tests of query parsing, validation and highlighting (no engine)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from indexer.base import MAX_QUERY_CHARS, QueryError, SearchQuery, decode_cursor, encode_cursor
from indexer.es_query import WORD_BOOST, build_query
from indexer.query import describe, parse_query, positive_terms
from indexer.sqlite_query import match_expression
from indexer.text import BIGRAM_GAP, bigram_text, highlight, query_words, spaced_cjk, to_simplified


def parsed(text: str) -> str:
    return describe(parse_query(text))


def test_spaces_separate_words_and_quotes_keep_a_phrase() -> None:
    assert parsed("司法救助  山西") == '("司法救助" AND "山西")'
    assert parsed("司法救助\u3000山西") == '("司法救助" AND "山西")'
    assert parsed('"supreme  court" 检察') == '("supreme court" AND "检察")'
    assert parsed("检察 ， 。") == '"检察"'  # punctuation alone is not a word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“检察听证”", '"检察听证"'),
        ("「公益 诉讼」 黄河", '("公益 诉讼" AND "黄河")'),
        ("『检察』", '"检察"'),
        ("未成年人 -交通", '("未成年人" AND NOT "交通")'),
        ("未成年人 NOT 交通", '("未成年人" AND NOT "交通")'),
        ("黄河 OR 汾河", '("黄河" OR "汾河")'),
        ("黄河 | 汾河", '("黄河" OR "汾河")'),
        ("公益诉讼 AND (黄河 OR 汾河)", '("公益诉讼" AND ("黄河" OR "汾河"))'),
        ("公益诉讼 （黄河 OR 汾河）", '("公益诉讼" AND ("黄河" OR "汾河"))'),
        ("A OR B C", '("A" OR ("B" AND "C"))'),  # AND binds tighter than OR
        ("a (b c) d", '("a" AND "b" AND "c" AND "d")'),  # nested ANDs are one AND
        ("检察 -(-交通)", '("检察" AND "交通")'),  # a double exclusion cancels
        ("COVID-19 检察", '("COVID-19" AND "检察")'),  # a hyphen inside a word is part of it
        ("检察 - 交通", '("检察" AND "交通")'),  # a lone dash is punctuation, not NOT
        ("and or not", '("and" AND "or" AND "not")'),  # only upper-case words are operators
    ],
)
def test_query_syntax(text: str, expected: str) -> None:
    assert parsed(text) == expected


def test_highlighted_terms_leave_out_exclusions() -> None:
    assert positive_terms(parse_query("(黄河 OR 汾河) -交通 公益")) == ["黄河", "汾河", "公益"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        (" \u3000 ", "empty"),
        ("检" * (MAX_QUERY_CHARS + 1), "too long"),
        ("检察\n院", "control"),
        ("\x1b[31m检察", "control"),
        ('"司法救助', "unbalanced quote"),
        ('a "b" c"', "unbalanced quote"),
        ("“检察听证", "unbalanced quote"),
        ("「检察听证”", "unbalanced quote"),
        ("(公益诉讼 黄河", "unbalanced bracket"),
        ("公益诉讼) 黄河", "unbalanced bracket"),
        ("()", "empty brackets"),
        ("黄河 OR", "OR needs"),
        ("OR 黄河", "OR needs"),
        ("黄河 AND", "AND needs"),
        ("黄河 AND OR 汾河", "needs a word"),
        ("-交通", "only excludes"),
        ("NOT 交通", "only excludes"),
        ("黄河 OR -交通", "each side of OR"),
        ("检察 -(-交通 -黄河)", "needs a word inside"),
        ("检察 NOT", "followed by"),
        ("(" * 9 + "检察" + ")" * 9, "nested too deeply"),
        (" ".join(f"词{i}" for i in range(40)), "too many words"),
        ("，。！", "no letters"),
    ],
)
def test_malformed_queries_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        SearchQuery(text)


def test_longest_allowed_query_is_accepted() -> None:
    assert SearchQuery("检" * MAX_QUERY_CHARS).terms == ("检" * MAX_QUERY_CHARS,)


def test_a_ten_thousand_character_query_is_refused() -> None:
    with pytest.raises(QueryError, match="too long"):
        SearchQuery("检察 " * 5000)


# (name, value) pairs rather than dicts: tests/conftest.py needs hashable parameters.
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("page", 0, "page"),
        ("size", 0, "size"),
        ("size", 101, "size"),
        ("page", 101, "beyond"),
        ("sort", "newest", "sort"),
        ("histogram", "year", "histogram"),
        ("min_relevance", 1.5, "min_relevance"),
        ("date_from", datetime(2024, 1, 1), "timezone"),
    ],
)
def test_paging_sort_and_dates_are_validated(name: str, value: object, message: str) -> None:
    kwargs: dict[str, Any] = {"size": 100} if name == "page" else {}
    with pytest.raises(QueryError, match=message):
        SearchQuery("检察", **{**kwargs, name: value})


def test_query_error_is_a_value_error() -> None:
    assert issubclass(QueryError, ValueError)


def test_sqlite_match_expression_is_a_phrase_per_simplified_word() -> None:
    assert match_expression(["司法救助", "檢察 院", "Court", "检"]) == (
        '{title2 body2} : "司法 法救 救助" AND {title2 body2} : "检察 察院" AND {title body} : "Court" '
        'AND {title body} : "检"'
    )


def test_sqlite_match_expression_of_a_tree_quotes_every_user_word() -> None:
    expression = match_expression(parse_query('公益訴訟 (黄河 OR "NEAR a b") -交通'))
    assert expression == (
        '({title2 body2} : "公益 益诉 诉讼" AND ({title2 body2} : "黄河" OR {title body} : "NEAR a b")) '
        'NOT {title2 body2} : "交通"'
    )
    # A double quote inside a 「」 phrase is escaped the FTS5 way, never closes the phrase.
    assert match_expression(parse_query('「a"b」')) == '{title body} : "a""b"'


def test_bigram_text_pairs_adjacent_han_characters_across_punctuation_not_across_other_words() -> None:
    # 检察，院 is still 检察院 (phrase matching skips punctuation); 2024 breaks the run, so the pairs
    # on either side are not adjacent and 察院 cannot follow 检察 as in the word 检察院.
    assert bigram_text("检察，院").split() == ["检察", "察院"]
    assert bigram_text("检察2024察院").split() == ["检察", BIGRAM_GAP, "察院"]
    assert bigram_text("a 检 b 院 c") == ""


def test_elasticsearch_query_never_passes_user_syntax() -> None:
    query = build_query(SearchQuery('title:x* OR "a AND b" -交通'))
    text = str(query)
    assert "query_string" not in text and "simple_query_string" not in text
    (clause,) = query["bool"]["must"]
    term = clause["bool"]["should"][0]["bool"]
    assert term["must"][0]["bool"]["should"][0] == {
        "match_phrase": {"title_simplified": {"query": "title:x*", "boost": 3.0}}
    }
    # The word clauses are term-level queries too: "title:x*" is a word to compare, not syntax.
    assert {"term": {"title_words": {"value": "title:x*", "boost": 3.0 * WORD_BOOST}}} in term["should"]


def test_words_rank_but_only_characters_decide_what_matches() -> None:
    (clause,) = build_query(SearchQuery("檢察官 -官方"))["bool"]["must"]
    (positive,) = clause["bool"]["must"]
    # The phrase of the characters must match; the word fields only add to the score.
    assert positive["bool"]["must"][0]["bool"]["minimum_should_match"] == 1
    assert positive["bool"]["should"] == [
        {"match": {"title_words": {"query": "检察官", "operator": "and", "boost": 3.0 * WORD_BOOST}}},
        {"match": {"body_words": {"query": "检察官", "operator": "and", "boost": WORD_BOOST}}},
    ]
    # An excluded word is not scored.
    (negative,) = clause["bool"]["must_not"]
    assert "title_words" not in str(negative)
    # Several words: all of them, and the whole term as one word (the entity stage may know it).
    (words,) = build_query(SearchQuery("洪洞县检察院"))["bool"]["must"]
    assert {"match": {"body_words": {"query": "洪洞县 检察院", "operator": "and", "boost": WORD_BOOST}}} in (
        words["bool"]["should"]
    )
    assert {"term": {"body_words": {"value": "洪洞县检察院", "boost": WORD_BOOST}}} in words["bool"]["should"]


def test_sqlite_scores_the_term_as_one_word_without_changing_what_matches() -> None:
    assert match_expression(parse_query("檢察官 -官方"), scored=True) == (
        '({title2 body2} : "检察 察官" OR {title_w body_w} : "检察官") NOT {title2 body2} : "官方"'
    )
    # A phrase of several words cannot be one word: no word column.
    assert "title_w" not in match_expression(parse_query('"检察 听证"'), scored=True)
    assert query_words("洪洞县检察院，Hotline") == ("洪洞县", "检察院", "hotline")


def test_cursor_round_trip_and_damaged_cursor() -> None:
    assert decode_cursor(encode_cursor([1.5, "abc", None])) == [1.5, "abc", None]
    with pytest.raises(QueryError, match="cursor"):
        decode_cursor("not-a-cursor!")
    with pytest.raises(QueryError, match="collapse"):
        SearchQuery("检察", cursor=encode_cursor([10]))


def test_every_han_character_becomes_its_own_token() -> None:
    assert spaced_cjk("立案3578件ABC").split() == ["立", "案", "3578", "件", "ABC"]


def test_conversion_to_simplified() -> None:
    assert to_simplified("國家司法救助 檢察機關") == "国家司法救助 检察机关"
    assert to_simplified("") == ""


def test_highlight_escapes_and_marks_every_match() -> None:
    text = "<b>檢察</b> & 國家檢察"
    assert highlight(text, to_simplified(text), ["检察"]) == (
        "&lt;b&gt;<em>檢察</em>&lt;/b&gt; &amp; 國家<em>檢察</em>"
    )


def test_highlight_shows_simplified_text_when_the_lengths_differ() -> None:
    # Processors may repair conversion damage (發(fā)展 → 发展): offsets no longer line up.
    assert highlight("發(fā)展檢察", "发展检察", ["检察"]) == "发展<em>检察</em>"


def test_highlight_keeps_a_window_around_the_first_match() -> None:
    body = "甲" * 300 + "司法救助" + "乙" * 300
    snippet = highlight(body, body, ["司法救助"], max_chars=160)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<em>司法救助</em>" in snippet
    assert len(snippet.replace("<em>", "").replace("</em>", "")) == 162


def test_highlight_of_a_latin_word_respects_word_boundaries() -> None:
    text = "Courtyard of the Court"
    assert highlight(text, text, ["court"]) == "Courtyard of the <em>Court</em>"


def test_highlight_ignores_punctuation_between_the_characters_of_a_phrase() -> None:
    assert highlight("救助，资金", "救助，资金", ["救助 资金"]) == "<em>救助，资金</em>"
