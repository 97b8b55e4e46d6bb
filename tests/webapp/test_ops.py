"""An admin's maintenance from the browser (webapp/ops_routes.py): dead letters listed and replayed
to their stage, the index rebuilt while it answers searches; nobody else may do either."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer import SearchBackend, SearchQuery, open_index
from indexer.worker import run_indexer
from pipeline.bus import Message, open_bus
from pipeline.deadletters import dead_letter
from pipeline.settings import Settings
from pipeline.topics import all_topics, dlq_topic, indexer_stage
from tests.webapp.corpus import CORPUS, TRADITIONAL
from tests.webapp.test_auth import PASSWORD, csrf, log_in
from webapp.accounts import AccountStore, accounts_path
from webapp.app import create_app


@pytest.fixture
def ops_settings(tmp_path: Path, unique_name: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", index_name=unique_name, topic_prefix=f"{unique_name}.")


@pytest.fixture
def backend(ops_settings: Settings) -> Iterator[SearchBackend]:
    backend = open_index(ops_settings)
    backend.init()
    others = [a for a in CORPUS if a.article_id != TRADITIONAL.article_id]
    assert all(o.ok for o in backend.index(others))
    yield backend
    backend.close()


@pytest.fixture
def client(ops_settings: Settings, backend: SearchBackend) -> Iterator[TestClient]:
    store = AccountStore(accounts_path(ops_settings.data_dir))
    store.add_user("wang", PASSWORD, "admin")
    store.add_user("zhang", PASSWORD, "editor")
    store.close()
    with TestClient(
        create_app(ops_settings, backend), raise_server_exceptions=False, follow_redirects=False
    ) as c:
        yield c


def _letter_for_the_indexer(settings: Settings) -> None:
    """The indexer dead-lettered the traditional-script article (its index was down, say)."""
    stage = indexer_stage(settings.topic_prefix)
    assert stage.input_topic is not None
    bus = open_bus(settings)
    try:
        bus.ensure_topics(all_topics(settings.topic_prefix))
        message = Message(stage.input_topic, 0, 5, TRADITIONAL.article_id, TRADITIONAL.to_json())
        producer = bus.producer()
        producer.send(dlq_topic(settings.topic_prefix), TRADITIONAL.article_id,
                      dead_letter("indexer", message, "Transient: the index did not answer", 5))  # fmt: skip
        producer.flush()
        producer.close()
    finally:
        bus.close()


def _index_what_arrived(settings: Settings) -> None:
    bus = open_bus(settings)
    try:
        run_indexer(settings, bus, until_idle=True)
    finally:
        bus.close()


def test_an_admin_replays_a_dead_letter_and_the_article_becomes_searchable(
    client: TestClient, ops_settings: Settings, backend: SearchBackend
) -> None:
    _letter_for_the_indexer(ops_settings)
    log_in(client, "wang")
    assert 'href="/admin"' in client.get("/").text  # 管理, in the admin's menu
    status = client.get("/admin").text
    assert "（北京时间）" in status and "+00:00" not in status and 'href="/admin/ops"' in status
    page = client.get("/admin/ops").text
    assert "共 1 封，未重放 1 封" in page and "the index did not answer" in page and ">重放<" in page
    assert backend.search(SearchQuery("司法救助")).total == 0
    assert client.post("/admin/dead-letters/replay", data={}).status_code == 403  # no CSRF token
    (letter,) = client.get("/api/admin/dead-letters").json()["letters"]
    answer = client.post("/admin/dead-letters/replay", data={"csrf": csrf(page), "ids": letter["id"]})
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert "已重放 1 封死信" in page and "未重放 0 封" in page and "已重放</span>" in page
    _index_what_arrived(ops_settings)
    assert [h.title for h in backend.search(SearchQuery("司法救助")).hits] == [TRADITIONAL.title]
    # Twice is once: the letter is not sent again.
    again = client.post("/admin/dead-letters/replay", data={"csrf": csrf(page), "all": "1"})
    assert "已重放 0 封死信" in client.get(again.headers["location"]).text
    assert client.get("/api/admin/dead-letters").json()["letters"][0]["replayed"] is True


def test_an_admin_rebuilds_the_index_and_it_still_finds_everything(
    client: TestClient, backend: SearchBackend
) -> None:
    before = backend.search(SearchQuery("检察")).total
    log_in(client, "wang")
    page = client.get("/admin/ops").text
    assert client.post("/admin/reindex", data={"csrf": csrf(page)}).status_code == 400  # not confirmed
    answer = client.post("/admin/reindex", data={"csrf": csrf(page), "confirm": "reindex"})
    assert answer.status_code == 303 and "已开始重建索引" in client.get(answer.headers["location"]).text
    deadline = time.monotonic() + 120
    while client.get("/api/admin/reindex").json()["running"] and time.monotonic() < deadline:
        time.sleep(0.1)  # the rebuild runs on its own thread; this waits for it to end
    state = client.get("/api/admin/reindex").json()
    assert state["running"] is False and state["error"] is None and state["result"], state
    assert backend.search(SearchQuery("检察")).total == before
    assert "上次重建" in client.get("/admin/ops").text


def test_only_an_admin_may_replay_or_rebuild(client: TestClient, ops_settings: Settings) -> None:
    _letter_for_the_indexer(ops_settings)
    log_in(client, "zhang")  # an editor
    assert 'href="/admin"' not in client.get("/").text
    assert client.get("/admin/ops").status_code == 403
    token = csrf(client.get("/saved").text)
    assert client.post("/admin/dead-letters/replay", data={"csrf": token}).status_code == 403
    assert client.post("/admin/reindex", data={"csrf": token}).status_code == 403
    assert client.post("/api/admin/reindex", data={"csrf": token}).status_code == 403
    assert client.get("/api/admin/dead-letters").status_code == 403
