"""Words outrank characters (issue 5): an article with the query as a whole word (检察官) ranks
above one that only has the same characters across two words (检察|官方), on both backends, with
the word fields the real entity stage adds; recall stays the characters' (a part of a word still
finds it), and events from before the word fields still index and match.
"""

from __future__ import annotations

from typing import Any

from evaluation.articles import CORPUS, ENRICHED
from indexer import SearchBackend, SearchQuery
from pipeline.model import Article
from tests.processors.nlp_resources import annotated

# The same kind of story, once with 检察官 (jieba: 检察官) and once with 检察官方 (jieba: 检察|官方).
# The second is shorter, so on the characters alone (BM25's length normalisation) it would win.
WHOLE_WORD = dict(
    title="洪洞县开展防范电信诈骗宣传",
    body="近日，洪洞县人民检察院检察官走进城关社区，向居民讲解防范电信诈骗知识，发放宣传资料三百余份。",
    site="linfen",
)
ACROSS_WORDS = dict(
    title="临汾市发布电信诈骗典型案例",
    body="近日，临汾市人民检察院通过检察官方微博发布一批电信诈骗典型案例，提醒群众提高警惕。",
    site="sxrb",
)


def _articles(words: bool) -> tuple[Article, Article]:
    whole, across = annotated(**WHOLE_WORD), annotated(**ACROSS_WORDS)  # type: ignore[arg-type]
    if not words:  # as an event from before the word fields
        blank: dict[str, Any] = {"title_words": None, "body_words": None}
        whole, across = whole.model_copy(update=blank), across.model_copy(update=blank)
    return whole, across


def _index(backend: SearchBackend, articles: tuple[Article, Article]) -> None:
    # Other articles around them, so that BM25's IDF is that of an index, not of two documents.
    assert all(o.ok for o in backend.index([*CORPUS, *ENRICHED, *articles]))
    backend.refresh()


def _ranked(backend: SearchBackend, text: str, among: tuple[Article, Article]) -> list[str]:
    """The two articles' ids in the order the search ranks them (other hits left out)."""
    ids = {a.article_id for a in among}
    return [h.article_id for h in backend.search(SearchQuery(text, size=50)).hits if h.article_id in ids]


def test_the_entity_stage_segments_title_and_body_into_words() -> None:
    whole, across = _articles(words=True)
    assert "检察官" in (whole.body_words or "").split()
    assert {"检察", "官方"} <= set((across.body_words or "").split())
    assert "检察官" not in (across.body_words or "").split()
    assert "，" not in (whole.body_words or "")  # punctuation left out


def test_a_whole_word_outranks_the_same_characters_across_words(empty_backend: SearchBackend) -> None:
    whole, across = _articles(words=True)
    _index(empty_backend, (whole, across))
    pair = (whole, across)
    assert _ranked(empty_backend, "检察官", pair) == [whole.article_id, across.article_id]
    assert _ranked(empty_backend, "檢察官", pair) == [whole.article_id, across.article_id]  # traditional
    # The characters still decide what matches: part of a word finds it, across words too.
    assert set(_ranked(empty_backend, "察官", pair)) == {whole.article_id, across.article_id}
    assert _ranked(empty_backend, "官方", pair) == [across.article_id]
    assert _ranked(empty_backend, "检察官 -官方", pair) == [whole.article_id]
    assert _ranked(empty_backend, "检察官 社区", pair) == [whole.article_id]


def test_without_word_fields_the_characters_alone_rank(empty_backend: SearchBackend) -> None:
    """Events from before the field index and match as before; the shorter article then wins,
    which is what the word fields overturn in the test above."""
    whole, across = _articles(words=False)
    _index(empty_backend, (whole, across))
    assert _ranked(empty_backend, "检察官", (whole, across)) == [across.article_id, whole.article_id]
    stored = empty_backend.get(whole.article_id)
    assert stored is not None and stored.body_words is None


def test_reindex_carries_the_word_fields(empty_backend: SearchBackend) -> None:
    whole, across = _articles(words=True)
    _index(empty_backend, (whole, across))
    empty_backend.reindex()
    empty_backend.refresh()
    assert _ranked(empty_backend, "检察官", (whole, across)) == [whole.article_id, across.article_id]
    stored = empty_backend.get(whole.article_id)
    assert stored is not None and stored.body_words == whole.body_words
