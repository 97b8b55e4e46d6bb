"""The search semantics of issue 5, run unchanged against SQLite FTS5 and the real Elasticsearch:
boolean syntax, filters, story collapsing, facets, histogram, cursor paging, versions, reindex.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from evaluation.articles import (
    CORPUS,
    ENRICHED,
    FENHE_LINFEN,
    FENHE_SPP,
    FENHE_SXRB,
    MINORS_CRITICAL,
    MINORS_TRAFFIC,
    SPP,
    UNRELATED,
)
from indexer import SearchBackend, SearchPage, SearchQuery
from pipeline.model import Article


@pytest.fixture
def backend(empty_backend: SearchBackend) -> SearchBackend:
    assert all(o.ok for o in empty_backend.index([*CORPUS, *ENRICHED]))
    empty_backend.refresh()
    return empty_backend


def search(backend: SearchBackend, text: str, **kwargs: Any) -> SearchPage:
    return backend.search(SearchQuery(text, **kwargs))


def ids(backend: SearchBackend, text: str, **kwargs: Any) -> set[str]:
    kwargs.setdefault("collapse_stories", False)
    return {hit.article_id for hit in search(backend, text, size=100, **kwargs).hits}


FENHE = {a.article_id for a in (FENHE_SPP, FENHE_SXRB, FENHE_LINFEN)}


def test_and_or_not_and_brackets(backend: SearchBackend) -> None:
    assert ids(backend, "未成年人 -交通") == {MINORS_CRITICAL.article_id}
    assert ids(backend, "未成年人 NOT 交通") == {MINORS_CRITICAL.article_id}
    assert ids(backend, "未成年人 AND 交通") == {MINORS_TRAFFIC.article_id}
    assert ids(backend, "公益诉讼 (黄河 OR 汾河)") == FENHE
    assert ids(backend, "汾河 -公益诉讼") == {UNRELATED.article_id}
    assert ids(backend, "交通 OR 旅游节") == {MINORS_TRAFFIC.article_id, UNRELATED.article_id}
    assert ids(backend, "(交通 | 旅游節) -(学校 OR 校园)") == {UNRELATED.article_id}  # traditional too
    assert ids(backend, "交通 | 旅游節 -校园") == {
        MINORS_TRAFFIC.article_id,
        UNRELATED.article_id,
    }  # OR binds last


def test_phrases_in_every_kind_of_quotes(backend: SearchBackend) -> None:
    for text in ('"检察建议"', "“检察建议”", "「检察建议」", "『檢察建議』"):
        assert ids(backend, text) == FENHE, text
    assert ids(backend, "“建议 检察”") == set()  # a phrase keeps its order


def test_filters_by_region_procuratorate_topic_tone_and_relevance(backend: SearchBackend) -> None:
    assert ids(backend, "检察", region="洪洞县") == FENHE
    assert ids(backend, "检察", procuratorate="尧都区人民检察院") == {MINORS_TRAFFIC.article_id}
    minors = {MINORS_TRAFFIC.article_id, MINORS_CRITICAL.article_id}
    assert ids(backend, "未成年人", topic="minors") == minors
    assert ids(backend, "检察", topic="未成年人检察") == minors  # the label works too
    assert ids(backend, "检察", tone="critical") == {MINORS_CRITICAL.article_id}
    assert ids(backend, "黄河 OR 汾河", relevant=False) == {UNRELATED.article_id}
    assert ids(backend, "黄河 OR 汾河 OR 未成年人", min_relevance=0.7) == FENHE | {MINORS_TRAFFIC.article_id}
    assert ids(backend, "检察", site="sxrb", region="洪洞县") == {FENHE_SXRB.article_id}


def test_copies_of_a_story_collapse_into_one_hit(backend: SearchBackend) -> None:
    page = search(backend, "汾河 公益诉讼")
    assert (page.total, page.stories) == (3, 1)
    (hit,) = page.hits
    assert hit.article_id in FENHE and hit.story_id == "story-fenhe"
    assert hit.copies == 3
    assert hit.outlets == ["linfen", "spp", "sxrb"]
    assert hit.copy_list is None
    expanded = search(backend, "汾河 公益诉讼", collapse_stories=False)
    assert len(expanded.hits) == 3 and {h.copies for h in expanded.hits} == {3}


def test_all_copies_lists_every_copy_oldest_first(backend: SearchBackend) -> None:
    (hit,) = search(backend, "汾河 公益诉讼", all_copies=True).hits
    assert hit.copy_list is not None
    assert [c.article_id for c in hit.copy_list] == [
        a.article_id for a in (FENHE_SPP, FENHE_SXRB, FENHE_LINFEN)
    ]
    assert [c.site for c in hit.copy_list] == ["spp", "sxrb", "linfen"]


def test_an_article_without_story_id_is_its_own_story(backend: SearchBackend) -> None:
    page = search(backend, "司法救助")
    assert (page.total, page.stories, len(page.hits)) == (2, 2, 2)
    first = page.hits[0]
    assert (first.story_id, first.copies, first.outlets) == (SPP.article_id, 1, ["spp"])


def test_story_copies_lists_every_copy_of_one_story_oldest_first(backend: SearchBackend) -> None:
    undated = Article.new("https://www.example.cn/fenhe-undated.html", title="汾河", story_id="story-fenhe")
    assert backend.index([undated])[0].ok
    backend.refresh()
    copies = backend.story_copies("story-fenhe")
    expected = [FENHE_SPP, FENHE_SXRB, FENHE_LINFEN, undated]  # undated last
    assert [c.article_id for c in copies] == [a.article_id for a in expected]
    assert [(c.url, c.site, c.source, c.title) for c in copies] == [
        (a.url, a.site, a.source, a.title) for a in expected
    ]
    assert [(c.published_at, c.fetched_at) for c in copies] == [
        (a.published_at, a.fetched_at) for a in expected
    ]
    assert [c.article_id for c in backend.story_copies("story-fenhe", limit=2)] == [
        FENHE_SPP.article_id,
        FENHE_SXRB.article_id,
    ]
    # An article without story_id is a story of one, named after itself.
    assert [c.article_id for c in backend.story_copies(SPP.article_id)] == [SPP.article_id]
    assert backend.story_copies("no-such-story") == []


def test_collapsed_pages_count_stories(backend: SearchBackend) -> None:
    page = search(backend, "检察", size=2, sort="date")
    assert page.total == 8 and page.stories == 6
    seen = [h.story_id for p in (1, 2, 3) for h in search(backend, "检察", size=2, page=p, sort="date").hits]
    assert len(seen) == 6 == len(set(seen))


def test_facets_count_articles_by_value(backend: SearchBackend) -> None:
    facets = search(backend, "检察", facets=True).facets
    assert {b.value: b.count for b in facets["source"]} == {"检察日报": 3, "临汾新闻网": 2, "山西日报": 2,
                                                            "县融媒体中心": 1}  # fmt: skip
    assert facets["source"][0].value == "检察日报"  # biggest first
    assert {b.value: b.count for b in facets["region"]}["洪洞县"] == 3
    assert {(b.value, b.label, b.count) for b in facets["topic"]} == {
        ("public_interest", "公益诉讼", 3),
        ("minors", "未成年人检察", 2),
    }
    assert {b.value: b.count for b in facets["procuratorate"]} == {
        "洪洞县人民检察院": 3,
        "尧都区人民检察院": 1,
    }
    assert {b.value: b.count for b in facets["tone"]} == {"neutral": 4, "critical": 1}
    assert search(backend, "检察").facets == {}  # only when asked


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        (
            "month",
            [("2024-03-01", 1), ("2024-04-01", 0), ("2024-05-01", 1), ("2024-06-01", 5), ("2024-07-01", 2)],
        ),
        ("week", [("2024-06-03", 2), ("2024-06-10", 1), ("2024-06-17", 1)]),
        ("day", [("2024-06-03", 1), ("2024-06-04", 1), ("2024-06-05", 0)]),
    ],
)
def test_date_histogram_in_china_time_with_empty_buckets(
    backend: SearchBackend, interval: str, expected: list[tuple[str, int]]
) -> None:
    text = "检察 OR 黄河"
    if interval != "month":
        text = "汾河"
    buckets = [(b.key, b.count) for b in search(backend, text, histogram=interval).histogram]
    assert buckets[: len(expected)] == expected


def test_a_late_evening_article_counts_on_the_next_china_day(empty_backend: SearchBackend) -> None:
    late = Article.new("https://example.cn/late", title="检察夜讯", published_at=FENHE_SPP.published_at)
    late = late.model_copy(update={"published_at": late.published_at + timedelta(hours=15)})  # type: ignore[operator]
    assert empty_backend.index([late])[0].ok
    empty_backend.refresh()
    (bucket,) = search(empty_backend, "检察", histogram="day").histogram
    assert (bucket.key, bucket.count) == ("2024-06-04", 1)  # 23:30 UTC on the 3rd = 07:30 CST on the 4th


def test_cursor_pages_cover_every_hit_once(empty_backend: SearchBackend) -> None:
    articles = [
        Article.new(f"https://example.cn/n/{n}", title=f"检察通报{n}", body="检察") for n in range(23)
    ]
    assert all(o.ok for o in empty_backend.index(articles))
    empty_backend.refresh()
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        page = search(empty_backend, "检察", size=10, cursor=cursor, collapse_stories=False)
        seen.extend(h.article_id for h in page.hits)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(a.article_id for a in articles)
    assert len(seen) == 23


def test_an_older_version_never_overwrites_a_newer_one(backend: SearchBackend) -> None:
    newer = FENHE_SPP.model_copy(
        update={"title": "洪洞县检察院更新标题", "title_simplified": None, "version": 2}
    )
    assert backend.index([newer])[0].ok
    stale = FENHE_SPP.model_copy(update={"fetched_at": FENHE_SPP.fetched_at + timedelta(days=1)})
    (outcome,) = backend.index([stale])
    assert outcome.ok and outcome.skipped
    backend.refresh()
    stored = backend.get(FENHE_SPP.article_id)
    assert stored is not None and stored.title == "洪洞县检察院更新标题"
    refetched = newer.model_copy(
        update={"fetched_at": newer.fetched_at + timedelta(hours=1), "tone": "critical"}
    )
    (outcome,) = backend.index([refetched])  # same content version, later fetch: wins
    assert outcome.ok and not outcome.skipped
    backend.refresh()
    assert ids(backend, "更新标题", tone="critical") == {FENHE_SPP.article_id}


def test_reindex_keeps_every_article_searchable(backend: SearchBackend) -> None:
    before = backend.stats()
    seen: list[int | None] = []

    def progress(items: Iterable[Any], total: int | None) -> Iterator[Any]:
        seen.append(total)
        for item in items:
            seen.append(None)
            yield item

    result = backend.reindex(progress)
    backend.refresh()
    assert result["copied"] == len(CORPUS) + len(ENRICHED)
    # The progress bar knew the total up front and moved once per document.
    assert seen[0] == result["copied"] and len(seen) == 1 + result["copied"]
    assert backend.count() == len(CORPUS) + len(ENRICHED)
    assert ids(backend, "公益诉讼 (黄河 OR 汾河)") == FENHE
    assert backend.stats()["documents"] == before["documents"]
    assert (backend.stats()["bytes_per_document"] or 0) > 0
