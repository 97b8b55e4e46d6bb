"""One outlet whatever its script or decoration, on SQLite and the real Elasticsearch alike:
山西日报 = 山西日報 = 山西日报（演示）, but not 山西日报社 (another outlet)."""

from __future__ import annotations

from datetime import UTC, datetime

from indexer import SearchBackend, SearchQuery
from indexer.outlets import canonical_outlet, canonical_page
from pipeline.model import Article


def _article(n: int, source: str, site: str | None = None) -> Article:
    return Article.new(f"https://news.example.cn/{n}.html", title=f"检察工作简讯{n}", body="检察机关开展工作。",
                       source=source, site=site, published_at=datetime(2024, 6, n, tzinfo=UTC))  # fmt: skip


ARTICLES = [
    _article(1, "山西日报", "山西日报（演示）"),
    _article(2, "山西日報", "山西日報"),
    _article(3, "山西日报（客户端）", "临汾新闻网"),
    _article(4, "山西日报社", "山西日报社"),
    _article(5, "检察日报", "正义网"),
]


def test_canonical_names() -> None:
    assert {
        canonical_outlet(n) for n in ("山西日报", "山西日報", "山西日报（演示）", " 山西日報 (客户端) ")
    } == {"山西日报"}
    assert canonical_outlet("山西日报社") == "山西日报社"


def test_an_outlet_filter_matches_every_script_and_decoration(empty_backend: SearchBackend) -> None:
    assert all(o.ok for o in empty_backend.index(ARTICLES))
    empty_backend.refresh()

    def urls(**filters: str) -> list[str]:
        page = empty_backend.search(SearchQuery("检察", collapse_stories=False, sort="date", **filters))
        return [hit.url.rsplit("/", 1)[1] for hit in page.hits]

    for spelling in ("山西日报", "山西日報", "山西日报（演示）"):
        assert urls(source=spelling) == ["3.html", "2.html", "1.html"], spelling
        assert urls(site=spelling) == ["2.html", "1.html"], spelling
    assert urls(source="山西日报社") == ["4.html"]


def test_the_outlet_facets_have_one_row_per_outlet(empty_backend: SearchBackend) -> None:
    assert all(o.ok for o in empty_backend.index(ARTICLES))
    empty_backend.refresh()
    page = canonical_page(empty_backend.search(SearchQuery("检察", facets=True, collapse_stories=False)))
    assert [(b.value, b.count) for b in page.facets["source"]] == [
        ("山西日报", 3),
        ("山西日报社", 1),
        ("检察日报", 1),
    ]
    assert [(b.value, b.count) for b in page.facets["site"]] == [
        ("山西日报", 2), ("临汾新闻网", 1), ("山西日报社", 1), ("正义网", 1)]  # fmt: skip


def test_a_story_carried_by_one_outlet_in_two_scripts_names_it_once(empty_backend: SearchBackend) -> None:
    """转载 "N 家媒体": 山西日报（演示） and 山西日報 are one outlet, named once, simplified and bare."""
    copies = [
        _article(1, "山西日报", "山西日报（演示）").model_copy(update={"story_id": "story-one"}),
        _article(2, "山西日報", "山西日報").model_copy(update={"story_id": "story-one"}),
        _article(3, "山西日报", "临汾新闻网").model_copy(update={"story_id": "story-one"}),
    ]
    assert all(o.ok for o in empty_backend.index(copies))
    empty_backend.refresh()
    (hit,) = empty_backend.search(SearchQuery("检察")).hits
    assert hit.copies == 3 and hit.outlets == ["临汾新闻网", "山西日报"]
    assert [h.outlets for h in empty_backend.scan(SearchQuery("检察"), 10)] == [
        ["临汾新闻网"], ["山西日报"], ["山西日报"]]  # fmt: skip
