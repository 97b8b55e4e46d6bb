"""The search syntax and parameters on any input (hypothesis): a tree or a QueryError, never a crash,
and what comes out can be written back and read again to the same search."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from indexer.base import QueryError
from indexer.params import SearchParams, parse_params
from indexer.query import MAX_QUERY_CHARS, And, Node, Not, Or, Term, describe, parse_query, positive_terms

# What people (and people pasting things) type: syntax characters of every width, CJK, Latin, digits.
SYNTAX = st.sampled_from(
    ['"', "“", "”", "「", "」", "『", "』", "＂", "(", ")", "（", "）", "|", "｜", "-", "－", " ", "\u3000",
     "AND", "OR", "NOT", "and", "检察", "司法救助", "公益诉讼", "a", "1", "。", "，", "*", "\\", ":", "~"]
)  # fmt: skip
QUERY_TEXT = st.lists(SYNTAX | st.text(max_size=6), max_size=40).map("".join)
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parsed_or_refused(text: str) -> Node | None:
    try:
        return parse_query(text)
    except QueryError as error:
        assert str(error), "a refusal says why"
        return None


def terms_of(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return terms_of(node.child)
    return [t for child in node.children for t in terms_of(child)]


@FAST
@given(QUERY_TEXT)
@example('“司法"救助”')  # a phrase holding the other kind of quote
@example("(" * 9 + "检察" + ")" * 9)
@example("-(-检察)")
def test_any_text_is_a_search_or_a_reason_and_the_tree_reads_back_the_same(text: str) -> None:
    node = parsed_or_refused(text)
    if node is None:
        return
    # Every parsed search looks for something, and each of its words has a letter or digit.
    assert positive_terms(node)
    assert all(any(c.isalnum() for c in term.text) for term in terms_of(node))
    # The canonical form (logs, saved searches) is itself a query that parses to the same tree.
    assert parse_query(describe(node)) == node


@FAST
@given(st.text(max_size=MAX_QUERY_CHARS * 2))
def test_arbitrary_unicode_never_crashes_the_parser(text: str) -> None:
    node = parsed_or_refused(text)
    if len(text) > MAX_QUERY_CHARS:
        assert node is None


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=200))
def test_deep_nesting_is_refused_with_a_reason_not_a_recursion_error(depth: int) -> None:
    text = "(" * depth + "检察" + ")" * depth
    node = parsed_or_refused(text)
    assert (node is None) == (depth > 8)
    # A run of exclusions cancels pairwise: "--检察" is 检察 again, never a stack overflow.
    assert parsed_or_refused("-" * depth + "检察 公益") is not None


def test_a_not_of_an_or_and_an_and_inside_or_keep_their_shape() -> None:
    node = parse_query("检察 (公益 | 诉讼) -批捕")
    assert node == And((Term("检察"), Or((Term("公益"), Term("诉讼"))), Not(Term("批捕"))))


PARAM_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "0", "1", "-1", "1e9", "nan", "inf", "2024-05-01", "2024-13-40", "today", "7d",
                     "30d", "date", "relevance", "day", "week", "month", "true", "false", "检察", "x" * 3000]),
)  # fmt: skip
PARAM_NAMES = st.sampled_from(
    ["q", "site", "source", "region", "procuratorate", "topic", "tone", "relevant", "min_relevance", "from",
     "to", "preset", "sort", "page", "size", "cursor", "facets", "histogram", "stories", "all_copies", "zzz"]
)  # fmt: skip


@FAST
@given(st.dictionaries(PARAM_NAMES, PARAM_VALUES, max_size=8))
def test_any_query_string_is_valid_parameters_or_a_worded_refusal_and_links_round_trip(
    values: dict[str, str],
) -> None:
    try:
        params = parse_params(values)
    except QueryError as error:
        assert str(error) and "Traceback" not in str(error)
        return
    # A link built from the parameters states the same search.
    assert parse_params(params.as_params()) == params
    try:
        query = params.to_query()
    except QueryError:
        return  # e.g. from after to: worded for a person
    assert 1 <= query.size and query.page >= 1
    if query.date_from and query.date_to:
        assert query.date_from <= query.date_to
    if params.q:
        parsed_or_refused(params.q)


def test_search_params_ignore_unknown_names() -> None:
    assert parse_params({"q": "检察", "utm_source": "x"}) == SearchParams(q="检察")
