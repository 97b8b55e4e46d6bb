"""The web app's operator routes: /health, /ready and /metrics open; the status page is the admin's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer import open_index
from pipeline.bus import open_bus
from pipeline.ops.crawls import CrawlRecord, publish
from pipeline.settings import Settings
from tests.webapp.test_auth import PASSWORD, log_in
from webapp.accounts import AccountStore, accounts_path
from webapp.app import create_app


@pytest.fixture
def client(tmp_path: Path, unique_name: str) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", index_name=unique_name, topic_prefix=f"{unique_name}.")
    backend = open_index(settings)
    backend.init()
    backend.close()
    bus = open_bus(settings)
    # A site whose list pages stopped leading to articles, as the crawler records it.
    publish(
        bus, settings.topic_prefix, [CrawlRecord("山西日报", 1.0e9, 1.7e9, "ok", 9, 0, 9, 0, 0, {"200": 9})]
    )
    bus.close()
    store = AccountStore(accounts_path(settings.data_dir))
    store.add_user("wang", PASSWORD, "admin")
    store.add_user("li", PASSWORD, "viewer")
    store.close()
    with TestClient(
        create_app(settings), raise_server_exceptions=False, follow_redirects=False
    ) as test_client:
        yield test_client


def test_health_ready_and_metrics_need_no_login(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert "jiancha_articles_total" in client.get("/metrics").text


def test_the_status_page_is_for_admins_only(client: TestClient) -> None:
    assert client.get("/api/admin/status").status_code == 401
    log_in(client, "li")
    assert client.get("/api/admin/status").status_code == 403
    client.cookies.clear()
    log_in(client, "wang")
    page = client.get("/admin")
    assert page.status_code == 200
    assert "站点健康" in page.text and "山西日报" in page.text
    assert "pages match none of its article patterns (9 pages fetched, 0 articles)" in page.text
    report = client.get("/api/admin/status").json()
    assert report["index"]["documents"] == 0
