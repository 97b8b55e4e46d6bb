"""The story view (``/stories/{id}`` and ``/api/stories/{id}``) over the embedded SQLite index."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from evaluation.articles import MINORS_CRITICAL
from pipeline.settings import Settings
from tests.webapp.conftest import GUAAN_LINFEN, GUAAN_PORTAL, GUAAN_SXRB
from tests.webapp.html import rows, section
from webapp.app import create_app
from webapp.params import china_time


def _fetched(moment: datetime) -> str:
    return china_time(moment) or "—"


def test_the_original_is_the_copy_of_the_outlet_named_in_laiyuan_even_if_later(
    story_client: TestClient,
) -> None:
    response = story_client.get("/stories/story-guaan")
    assert response.status_code == 200
    page = response.text
    original = section(page, "original")
    assert original.startswith("山西日报（演示） · 2024-06-01 20:00")  # China time
    assert f'<a href="{GUAAN_SXRB.url}"' in page
    # One row per copy, oldest first; only 山西日报's own copy is marked, not the earlier one.
    assert rows(page) == [
        f"临汾新闻网 {GUAAN_LINFEN.title} [本站详情] 山西日报 2024-06-01 08:00 {_fetched(GUAAN_LINFEN.fetched_at)}",
        f"山西日报（演示） 原发 {GUAAN_SXRB.title} [本站详情] 山西日报 2024-06-01 20:00 {_fetched(GUAAN_SXRB.fetched_at)}",
        f"www.hongtong.gov.cn {GUAAN_PORTAL.title} [本站详情] 山西日报 2024-06-02 10:00 {_fetched(GUAAN_PORTAL.fetched_at)}",
    ]
    for copy in (GUAAN_LINFEN, GUAAN_SXRB, GUAAN_PORTAL):
        assert f'href="{copy.url}"' in page and f'href="/articles/{copy.article_id}"' in page
    assert "共 3 篇（转载 2 篇），3 家媒体：临汾新闻网、山西日报、www.hongtong.gov.cn" in page
    assert "首次出现</dt><dd>2024-06-01 08:00" in page and "最近出现</dt><dd>2024-06-02 10:00" in page


def test_story_api_gives_the_original_and_every_copy_in_china_time(story_client: TestClient) -> None:
    response = story_client.get("/api/stories/story-guaan")
    assert response.status_code == 200
    story = response.json()
    assert (story["story_id"], story["copies"], story["truncated"]) == ("story-guaan", 3, False)
    assert story["original"]["article_id"] == GUAAN_SXRB.article_id
    assert (story["original"]["outlet"], story["original"]["url"]) == ("山西日报（演示）", GUAAN_SXRB.url)
    assert story["original"]["published_at"] == "2024-06-01T20:00:00+08:00"
    assert [c["article_id"] for c in story["copy_list"]] == [
        GUAAN_LINFEN.article_id,
        GUAAN_SXRB.article_id,
        GUAAN_PORTAL.article_id,
    ]
    assert [c["original"] for c in story["copy_list"]] == [False, True, False]
    assert story["outlets"] == ["临汾新闻网", "山西日报", "www.hongtong.gov.cn"]  # one name per outlet
    assert {c["source"] for c in story["copy_list"]} == {"山西日报"}
    assert (story["first_seen"], story["last_seen"]) == (
        "2024-06-01T08:00:00+08:00",
        "2024-06-02T10:00:00+08:00",
    )


def test_an_article_without_a_story_is_a_story_of_one(story_client: TestClient) -> None:
    story = story_client.get(f"/api/stories/{MINORS_CRITICAL.article_id}").json()
    assert [c["url"] for c in story["copy_list"]] == [MINORS_CRITICAL.url]
    assert story["original"]["outlet"] == "sxrb"


@pytest.mark.parametrize(
    "story_id", ["no-such-story", "x" * 300, "<img src=x onerror=alert(1)>", "%ff", "%20"]
)
def test_an_unknown_story_is_a_404_with_a_message(story_client: TestClient, story_id: str) -> None:
    page = story_client.get(f"/stories/{story_id}")
    assert page.status_code == 404
    assert "找不到这组报道" in page.text and "返回检索" in page.text
    assert "<img" not in page.text
    api = story_client.get(f"/api/stories/{story_id}")
    assert api.status_code == 404
    assert "no story" in api.json()["detail"]


def test_a_missing_index_is_a_503_not_a_500(settings: Settings) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        page = client.get("/stories/story-guaan")
        assert page.status_code == 503 and "检索服务暂不可用" in page.text
        api = client.get("/api/stories/story-guaan")
        assert api.status_code == 503 and "does not exist" in api.json()["detail"]
