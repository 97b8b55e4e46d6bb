"""The search contract, run unchanged against the embedded SQLite index and the real Elasticsearch."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from evaluation.articles import CORPUS, COUNTY, ENGLISH, SHANXI, SPP
from indexer import IndexMissing, SearchBackend, SearchPage, SearchQuery
from pipeline.model import Article, article_id_for


@pytest.fixture
def backend(empty_backend: SearchBackend) -> SearchBackend:
    """The backend holding the shared corpus."""
    outcomes = empty_backend.index(CORPUS)
    assert all(o.ok for o in outcomes), outcomes
    empty_backend.refresh()
    return empty_backend


def search(backend: SearchBackend, text: str, **kwargs: Any) -> SearchPage:
    return backend.search(SearchQuery(text, **kwargs))


def found(backend: SearchBackend, text: str, **kwargs: Any) -> set[str]:
    return {hit.article_id for hit in search(backend, text, **kwargs).hits}


def test_count_after_indexing(backend: SearchBackend) -> None:
    assert backend.count() == len(CORPUS)


def test_word_in_title_or_body_finds_the_article(backend: SearchBackend) -> None:
    assert found(backend, "专项监督") == {SHANXI.article_id}  # title only
    assert found(backend, "太原市") == {SHANXI.article_id}  # body only
    assert found(backend, "3578") == {SHANXI.article_id}
    assert found(backend, "农村饮水") == set()


def test_traditional_article_found_by_simplified_query(backend: SearchBackend) -> None:
    assert found(backend, "国家司法救助") == {SPP.article_id}
    assert found(backend, "司法救助") == {SPP.article_id, COUNTY.article_id}
    assert found(backend, "检察") == {SPP.article_id, SHANXI.article_id, COUNTY.article_id}


def test_simplified_article_found_by_traditional_query(backend: SearchBackend) -> None:
    assert found(backend, "公益訴訟") == {SHANXI.article_id}
    assert found(backend, "檢察機關") == {SPP.article_id, SHANXI.article_id}


def test_words_separated_by_spaces_must_all_occur(backend: SearchBackend) -> None:
    assert found(backend, "司法救助 会议") == {COUNTY.article_id}
    assert found(backend, "司法救助　山西") == set()  # ideographic space separates too
    assert found(backend, '"救助 资金"') == {COUNTY.article_id}  # a quoted phrase stays one word
    assert found(backend, '"资金 救助"') == set()


def test_latin_words_match_whole_words_ignoring_case(backend: SearchBackend) -> None:
    assert found(backend, "hotline") == {ENGLISH.article_id}
    assert found(backend, "12309 PUBLIC") == {ENGLISH.article_id}
    assert found(backend, "hot") == set()


def test_filters_by_site_source_and_date(backend: SearchBackend) -> None:
    assert found(backend, "检察", site="shanxi") == {SHANXI.article_id, COUNTY.article_id}
    assert found(backend, "检察", source="检察日报") == {SPP.article_id}
    assert found(backend, "检察", site="nowhere") == set()
    may = datetime(2024, 5, 1, tzinfo=UTC)
    assert found(backend, "检察", date_from=may) == {SPP.article_id, SHANXI.article_id}
    assert found(backend, "检察", date_to=may) == {COUNTY.article_id}
    june = datetime(2024, 6, 1, tzinfo=UTC)
    assert found(backend, "检察", date_from=may, date_to=june) == {SPP.article_id}


def test_total_counts_every_match_not_just_the_page(backend: SearchBackend) -> None:
    page = search(backend, "检察", size=1)
    assert page.total == 3
    assert len(page.hits) == 1


def test_date_sort_puts_newest_first_and_undated_last(backend: SearchBackend) -> None:
    undated = Article.new("https://example.cn/undated", title="检察工作简讯", body="")
    assert backend.index([undated])[0].ok
    backend.refresh()
    hits = search(backend, "检察", sort="date").hits
    assert [h.article_id for h in hits] == [
        SHANXI.article_id,
        SPP.article_id,
        COUNTY.article_id,
        undated.article_id,
    ]
    assert hits[0].published_at == SHANXI.published_at


def test_relevance_ranks_a_title_match_above_a_body_match(backend: SearchBackend) -> None:
    hits = search(backend, "司法救助").hits
    assert [h.article_id for h in hits] == [SPP.article_id, COUNTY.article_id]
    assert hits[0].score is not None and hits[1].score is not None
    assert hits[0].score > hits[1].score


def test_reindexing_the_same_article_overwrites_it(backend: SearchBackend) -> None:
    changed = SHANXI.model_copy(
        update={"title": "山西检察机关通报生态环境案件", "title_simplified": "山西检察机关通报生态环境案件"}
    )
    assert backend.index([changed, changed])[0].ok
    backend.refresh()
    assert backend.count() == len(CORPUS)
    assert found(backend, "生态环境") == {SHANXI.article_id}
    assert found(backend, "专项监督") == set()
    stored = backend.get(SHANXI.article_id)
    assert stored is not None and stored.title == "山西检察机关通报生态环境案件"


def test_get_returns_the_indexed_article(backend: SearchBackend) -> None:
    stored = backend.get(SPP.article_id)
    assert stored is not None
    assert (stored.url, stored.title, stored.body, stored.site, stored.source) == (
        SPP.url,
        SPP.title,
        SPP.body,
        SPP.site,
        SPP.source,
    )
    assert stored.published_at == SPP.published_at
    assert stored.title_simplified == "最高检发布国家司法救助典型案例"
    assert backend.get(article_id_for("https://example.cn/never-indexed")) is None


def test_pages_cover_every_hit_once(empty_backend: SearchBackend) -> None:
    articles = [
        Article.new(
            f"https://example.cn/notice/{n}",
            title=f"第{n}号检察通报",
            body="通报内容",
            published_at=datetime(2024, 1, 1 + n, tzinfo=UTC),
        )
        for n in range(25)
    ]
    assert all(o.ok for o in empty_backend.index(articles))
    empty_backend.refresh()
    pages = [search(empty_backend, "检察通报", sort="date", size=10, page=p) for p in (1, 2, 3, 4)]
    assert [len(p.hits) for p in pages] == [10, 10, 5, 0]
    assert {p.total for p in pages} == {25}
    ids = [h.article_id for p in pages for h in p.hits]
    assert ids == [a.article_id for a in reversed(articles)]


def test_snippet_highlights_the_match_in_the_original_script(backend: SearchBackend) -> None:
    (hit,) = search(backend, "国家 群众").hits
    assert hit.article_id == SPP.article_id
    assert "<em>國家</em>" in hit.snippet and "<em>群眾</em>" in hit.snippet
    assert hit.title_highlight == "最高檢發佈<em>國家</em>司法救助典型案例"
    assert hit.title == SPP.title and hit.url == SPP.url and hit.source == "检察日报"


def test_snippet_escapes_the_article_text(backend: SearchBackend) -> None:
    (hit,) = search(backend, "serves").hits
    assert "<b>" not in hit.snippet
    assert "&lt;b&gt;<em>serves</em>&lt;/b&gt; people &amp; firms" in hit.snippet


def test_a_document_that_cannot_be_stored_does_not_sink_the_batch(empty_backend: SearchBackend) -> None:
    # A lone surrogate: text that is not valid Unicode (a decoding accident upstream).
    broken = Article(article_id=article_id_for("https://example.cn/broken"), url="https://example.cn/broken",
                     title="检察\udcff", body="")  # fmt: skip
    outcomes = empty_backend.index([SPP, broken, COUNTY])
    assert [(o.article_id, o.ok) for o in outcomes] == [
        (SPP.article_id, True),
        (broken.article_id, False),
        (COUNTY.article_id, True),
    ]
    assert outcomes[1].error
    empty_backend.refresh()
    assert empty_backend.count() == 2
    assert found(empty_backend, "司法救助") == {SPP.article_id, COUNTY.article_id}


def test_an_index_that_was_never_created_is_reported(empty_backend: SearchBackend) -> None:
    empty_backend.drop()
    with pytest.raises(IndexMissing, match="does not exist"):
        empty_backend.index([SPP])
    with pytest.raises(IndexMissing):
        empty_backend.search(SearchQuery("检察"))
    empty_backend.init()  # and init brings it back
    assert empty_backend.count() == 0


def test_init_is_idempotent(backend: SearchBackend) -> None:
    backend.init()
    assert backend.count() == len(CORPUS)


def test_searches_and_writes_from_several_threads(backend: SearchBackend) -> None:
    # The web app searches from a thread pool while the indexer may write in the same process.
    errors: list[BaseException] = []
    totals: list[int] = []

    def reader() -> None:
        try:
            for _ in range(20):
                totals.append(search(backend, "司法救助").total)
        except BaseException as exc:  # collected and re-checked below, in the test's thread
            errors.append(exc)

    def writer() -> None:
        try:
            for n in range(20):
                backend.index([Article.new(f"https://example.cn/t/{n}", title=f"第{n}条", body="其他")])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)] + [threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert totals == [2] * 80
    backend.refresh()
    assert backend.count() == len(CORPUS) + 20
