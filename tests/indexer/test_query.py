"""Pure tests of query parsing, validation and highlighting (no engine)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from indexer.base import MAX_QUERY_CHARS, QueryError, SearchQuery, parse_terms
from indexer.sqlite_backend import match_expression
from indexer.text import highlight, spaced_cjk, to_simplified


def test_spaces_separate_words_and_quotes_keep_a_phrase() -> None:
    assert parse_terms("司法救助  山西") == ["司法救助", "山西"]
    assert parse_terms("司法救助\u3000山西") == ["司法救助", "山西"]
    assert parse_terms('"supreme  court" 检察') == ["supreme court", "检察"]
    assert parse_terms("检察 ， 。") == ["检察"]  # punctuation alone is not a word


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
        ("，。！", "no letters"),
    ],
)
def test_malformed_queries_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        SearchQuery(text)


def test_longest_allowed_query_is_accepted() -> None:
    assert SearchQuery("检" * MAX_QUERY_CHARS).terms == ("检" * MAX_QUERY_CHARS,)


# (name, value) pairs rather than dicts: tests/conftest.py needs hashable parameters.
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("page", 0, "page"),
        ("size", 0, "size"),
        ("size", 101, "size"),
        ("page", 101, "beyond"),
        ("sort", "newest", "sort"),
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
    assert match_expression(["司法救助", "檢察 院", "Court"]) == '"司 法 救 助" AND "检 察 院" AND "Court"'


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
