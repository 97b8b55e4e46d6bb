"""Saved searches in the web app: the JSON API by role, the page with each channel's health, the
Atom feed behind its token, and the briefing download."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient

from alerts.items import AlertItem
from alerts.store import open_store
from evaluation.articles import ENRICHED, FENHE_SPP
from indexer import open_index
from pipeline.model import utcnow
from pipeline.settings import Settings
from webapp.accounts import AccountStore, accounts_path
from webapp.app import create_app

PASSWORD = "correct horse battery"
NEW = {"name": "汾河", "query": "汾河 公益诉讼", "only_critical": True,
       "channels": [{"kind": "wecom", "target": "https://robot.example/send?key=k1"}]}  # fmt: skip


@pytest.fixture
def tokens(tmp_path: Path, unique_name: str) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    settings = Settings(data_dir=tmp_path / "data", index_name=unique_name)
    accounts = AccountStore(accounts_path(settings.data_dir))
    accounts.add_user("zhang", PASSWORD, "editor")
    accounts.add_user("li", PASSWORD, "viewer")
    headers = {name: f"Bearer {accounts.create_token(name)}" for name in ("zhang", "li")}
    accounts.close()
    backend = open_index(settings)
    backend.init()
    assert all(o.ok for o in backend.index(ENRICHED))
    with TestClient(
        create_app(settings, backend), raise_server_exceptions=False, follow_redirects=False
    ) as client:
        yield client, headers, settings
    backend.close()


def test_editors_create_edit_pause_and_delete_viewers_only_read(
    tokens: tuple[TestClient, dict[str, str], Settings],
) -> None:
    client, auth, _ = tokens
    editor, viewer = {"Authorization": auth["zhang"]}, {"Authorization": auth["li"]}
    assert client.post("/api/saved", json=NEW, headers=viewer).status_code == 403
    assert client.post("/api/saved", json=NEW).status_code == 401
    created = client.post("/api/saved", json=NEW, headers=editor)
    assert created.status_code == 201
    saved = created.json()
    assert saved["owner"] == "zhang" and saved["only_critical"] and "/feeds/" in saved["feed_url"]
    assert client.post("/api/saved", json=NEW, headers=editor).status_code == 409  # same name
    seen = client.get("/api/saved", headers=viewer).json()
    assert [s["name"] for s in seen] == ["汾河"]
    assert seen[0]["feed_url"] is None and seen[0]["channels"] == []  # secrets stay with editors
    edited = client.put(f"/api/saved/{saved['id']}", json={**NEW, "query": "汾河"}, headers=editor)
    assert edited.status_code == 200 and edited.json()["query"] == "汾河"
    assert client.post(f"/api/saved/{saved['id']}/pause", headers=editor).json()["paused"] is True
    assert client.delete(f"/api/saved/{saved['id']}", headers=viewer).status_code == 403
    assert client.delete(f"/api/saved/{saved['id']}", headers=editor).status_code == 204
    assert client.get(f"/api/saved/{saved['id']}", headers=viewer).status_code == 404


def test_bad_saved_searches_are_400_with_the_reason(
    tokens: tuple[TestClient, dict[str, str], Settings],
) -> None:
    client, auth, _ = tokens
    editor = {"Authorization": auth["zhang"]}
    answer = client.post("/api/saved", json={**NEW, "query": '"汾河'}, headers=editor)
    assert answer.status_code == 400 and "quote" in answer.text
    answer = client.post("/api/saved", json={**NEW, "window_start": "8点"}, headers=editor)
    assert answer.status_code == 400 and "HH:MM" in answer.text
    page = client.post("/saved", data={"name": "x", "query": "检察", "channels": "wecom"}, headers=editor)
    assert page.status_code == 400 and "kind target" in page.text


def test_the_page_shows_a_failing_channel(tokens: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, auth, settings = tokens
    editor = {"Authorization": auth["zhang"]}
    made = client.post("/saved", data={"name": "未成年人", "query": "未成年人",
                                       "channels": "webhook http://127.0.0.1:9/hook\nfeishu https://f.example/h s3cr3t"},
                       headers=editor)  # fmt: skip
    assert made.status_code == 303
    saved = client.get("/api/saved", headers=editor).json()[0]
    store = open_store(settings)
    store.mark_failed(saved["id"], 0, "cannot reach http://127.0.0.1:9/hook", utcnow() + timedelta(seconds=5))
    store.close()
    page = client.get("/saved", headers=editor).text
    assert "发送失败 ×1" in page and "cannot reach" in page
    assert page.count("正常") == 1  # the Feishu robot is fine
    health = client.get(f"/api/saved/{saved['id']}", headers=editor).json()["channel_health"]
    assert [c["failing"] for c in health] == [True, False]


def test_the_atom_feed_needs_its_token(tokens: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, auth, settings = tokens
    saved = client.post("/api/saved", json=NEW, headers={"Authorization": auth["zhang"]}).json()
    store = open_store(settings)
    search = store.get(saved["id"])
    item = AlertItem(search_id=saved["id"], search_name="汾河", kind="new", story_key="story-fenhe", article_id="a",
                     title="洪洞县检察院督促整治汾河", url="https://www.spp.gov.cn/fenhe.html", outlets=["spp"],
                     copies=3, tone="neutral", published_at=None, indexed_at=None, lead="第一句。")  # fmt: skip
    store.record(search, [(item, utcnow())], watermark=utcnow())
    store.close()
    feed_path = saved["feed_url"].split("8000", 1)[1]
    assert client.get(feed_path.split("?")[0] + "?token=wrong").status_code == 404
    answer = client.get(feed_path)  # no login: the token is enough
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(answer.content).findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == ["洪洞县检察院督促整治汾河"]  # type: ignore[union-attr]
    assert entries[0].find("a:link", ns).get("href") == item.url  # type: ignore[union-attr]


def test_the_briefing_button_downloads_a_docx(tokens: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, auth, _ = tokens
    viewer = {"Authorization": auth["li"]}
    page = client.get("/saved", headers=viewer).text
    assert 'action="/briefing"' in page and "生成周报" in page
    answer = client.get("/briefing?from=2024-06-01&to=2024-06-30&format=docx", headers=viewer)
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(answer.content)).paragraphs)
    assert "2024年06月01日—2024年06月30日" in text
    assert client.get("/briefing?from=2024-06-30&to=2024-06-01", headers=viewer).status_code == 400
    assert client.get("/briefing?from=June&to=2024-06-01", headers=viewer).status_code == 400


def test_the_digest_of_a_saved_search_or_of_a_user(
    tokens: tuple[TestClient, dict[str, str], Settings],
) -> None:
    client, auth, _ = tokens
    editor, viewer = {"Authorization": auth["zhang"]}, {"Authorization": auth["li"]}
    saved = client.post("/api/saved", json=NEW | {"only_critical": False}, headers=editor).json()
    mine = client.get("/api/digest?day=2024-06-03", headers=editor).json()  # the 汾河 story appeared that day
    assert mine["subject"] == "舆情日报 2024-06-03：1 条新报道"
    (section,) = mine["sections"]
    assert section["search"]["name"] == "汾河" and [s["title"] for s in section["stories"]] == [
        FENHE_SPP.title
    ]
    assert section["stories"][0]["copies"] == 3  # every copy of the story in the index
    # A viewer owns no saved search: they read the office's.
    assert client.get("/api/digest?day=2024-06-03", headers=viewer).json()["sections"] == mine["sections"]
    page = client.get(f"/digest?search={saved['id']}&day=2024-06-05", headers=viewer)
    assert page.status_code == 200 and "当日无新报道" in page.text
    missing = client.get("/digest?search=999", headers=viewer)
    assert missing.status_code == 404 and "没有编号为 999 的保存检索" in missing.text
    assert client.get("/api/digest?search=999", headers=viewer).status_code == 404
    bad = client.get("/digest?day=2024-13-01", headers=viewer)
    assert bad.status_code == 400 and "年-月-日" in bad.text and "<html" in bad.text.lower()


def test_a_briefing_period_that_runs_backwards_is_explained_on_a_page(
    tokens: tuple[TestClient, dict[str, str], Settings],
) -> None:
    client, auth, _ = tokens
    answer = client.get(
        "/briefing?from=2024-06-30&to=2024-06-01&format=html", headers={"Authorization": auth["li"]}
    )
    assert answer.status_code == 400 and "止日不能早于起日" in answer.text and "<html" in answer.text.lower()
