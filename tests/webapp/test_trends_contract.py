"""The dashboard's, the trends page's and the exports' numbers, the same on SQLite and on the real
Elasticsearch (each test runs on both)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from indexer import SearchBackend, SearchQuery, open_index, scan
from indexer.elastic_backend import ElasticBackend
from tests.webapp.corpus import CORPUS, NOW
from webapp.dashboard import build_dashboard
from webapp.exports import HEADER, csv_chunks, export_rows
from webapp.trends import build_trends


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.integration)])
def backend(request: pytest.FixtureRequest) -> Iterator[SearchBackend]:
    fixture = "settings" if request.param == "sqlite" else "elasticsearch_settings"
    backend = open_index(request.getfixturevalue(fixture))
    try:
        backend.init()
        assert all(o.ok for o in backend.index(CORPUS))
        backend.refresh()
        yield backend
    finally:
        backend.drop()
        backend.close()


def test_dashboard_numbers(backend: SearchBackend) -> None:
    board = build_dashboard(backend, "7d", now=NOW)
    today, week, month = board.periods
    # Today (12 June): the traditional-script 司法救助 story; the culture article is not relevant.
    assert (today.articles, today.stories) == (1, 1)
    assert (today.previous_articles, today.previous_stories, today.change_percent) == (
        2,
        1,
        0.0,
    )  # 公益诉讼 ×2
    assert (week.articles, week.stories) == (5, 4)  # 9–12 June: hostile, critical, 公益诉讼 ×2, 司法救助
    assert (month.articles, month.stories, month.previous_stories) == (6, 5, 0)
    assert [h.title for h in board.critical] == ["网民质疑某检察院办案拖延"]
    assert board.newest[0].title == "洪洞縣檢察院開展司法救助"  # newest first, critical not repeated
    assert all(h.tone != "critical" for h in board.newest)
    gyss = next(h for h in board.newest if h.story_id == "story-gyss")
    assert gyss.copies == 2
    assert [(b.value, b.count) for b in board.top_procuratorates][:1] == [("洪洞县人民检察院", 3)]
    assert ("山西日报", 4) in [
        (b.value, b.count) for b in board.top_outlets
    ]  # 山西日報 counted with 山西日报
    cities = {u.name: u for u in board.shanxi}
    assert len(cities) == 11 and sum(len(u.counties) for u in board.shanxi) == 117
    assert cities["临汾市"].articles == 3 and cities["太原市"].articles == 1 and cities["大同市"].silent
    counties = {c.name: c.articles for c in cities["临汾市"].counties}
    assert counties["洪洞县"] == 3 and counties["尧都区"] == 0


def test_trends_numbers(backend: SearchBackend) -> None:
    trends = build_trends(
        backend, SearchQuery("检察", relevant=True), "month", metric="公益诉讼 立案", unit="件"
    )
    charts = {c.id: c for c in trends.charts}
    volume = charts["volume"]
    assert volume.x == ["2024-05-01", "2024-06-01"]
    assert {s.name: s.values for s in volume.series} == {
        "全部报道": [1.0, 5.0],
        "公益诉讼": [1.0, 2.0],
        "司法救助": [0.0, 1.0],
        "未成年人检察": [0.0, 1.0],
    }
    figure = charts["figure"]
    # One copy per story: the reprint's 12件 is not counted twice.
    assert figure.x == ["2024-05-01", "2024-06-01"] and figure.series[0].values == [30.0, 12.0]
    assert charts["critical"].series[0].values == [0.0, 20.0]
    assert dict(zip(charts["shanxi"].x, charts["shanxi"].series[0].values, strict=True))["临汾市"] == 4.0
    drilled = build_trends(backend, SearchQuery("检察", relevant=True), "month", city="临汾市")
    shanxi = next(c for c in drilled.charts if c.id == "shanxi")
    assert "洪洞县" in shanxi.x and dict(zip(shanxi.x, shanxi.series[0].values, strict=True))["洪洞县"] == 3.0
    assert volume.csv().splitlines()[:2] == [
        "\ufeff时段起始日,全部报道,公益诉讼,司法救助,未成年人检察",
        "2024-05-01,1,1,0,0",
    ]


def test_export_rows(backend: SearchBackend) -> None:
    rows = list(export_rows(backend, SearchQuery("检察")))
    assert len(rows) == len(CORPUS)  # every article, reprints included, not collapsed
    assert rows[0][1] == "洪洞縣檢察院開展司法救助" and rows[0][0] == "2024-06-12 08:00"
    text = b"".join(csv_chunks(iter(rows))).decode("utf-8")
    assert text.startswith("\ufeff" + ",".join(HEADER))
    back = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert back[1:] == rows
    limited = list(export_rows(backend, SearchQuery("检察"), limit=3))
    assert len(limited) == 4 and "只导出了最新的 3 篇" in limited[-1][0]


def test_scan_lists_what_the_cursor_walk_lists(backend: SearchBackend) -> None:
    for query in (SearchQuery("检察"), SearchQuery("检察", source="山西日報"), SearchQuery("公益诉讼 -拖延")):
        fast = [h.article_id for h in backend.scan(query, 100)]
        assert fast == [h.article_id for h in SearchBackend.scan(backend, query, 100)], query.text
        assert fast


def test_scan_in_small_batches_and_stopped_early(
    backend: SearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of two (Elasticsearch asks for the next one while this one is read): the same
    articles in the same order; a reader that stops early gets what it read and leaves no scroll
    open on the server."""
    monkeypatch.setattr(scan, "SCAN_BATCH", 2)
    monkeypatch.setattr(scan, "SQLITE_BATCH", 2)
    query = SearchQuery("检察")
    walked = [h.article_id for h in SearchBackend.scan(backend, query, 100)]
    assert len(walked) > 4
    assert [h.article_id for h in backend.scan(query, 100)] == walked
    assert [h.article_id for h in backend.scan(query, 3)] == walked[:3]
    reader = backend.scan(query, 100)
    assert next(reader).article_id == walked[0]
    reader.close()
    if isinstance(backend, ElasticBackend):
        stats = backend.client.nodes.stats(metric="indices", index_metric="search")
        assert all(n["indices"]["search"]["scroll_current"] == 0 for n in stats["nodes"].values())
