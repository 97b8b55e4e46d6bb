"""End to end on the real engines: demo site → crawler → Kafka → processor → Kafka → indexer → Elasticsearch → /search.

And the same journey on the embedded default through the `jiancha` command a user types.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crawler.demo.server import DemoServer
from indexer import open_index
from pipeline.bus import open_bus
from pipeline.commands.common import init_index
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import all_topics, crawler_stage
from processors.worker import run_processor
from tests.e2e.conftest import free_port, jiancha, run_pipeline
from webapp.app import create_app

SAMPLE_PUBLISHED = datetime.fromisoformat("2021-08-13T09:36:16+08:00")
SAMPLE_SOURCES = {"山西日报", "山西日報"}


def sample_hits(hits: list[dict]) -> list[dict]:
    return [h for h in hits if h["source"] in SAMPLE_SOURCES and h["url"].find("/linfen/") >= 0]


def test_the_sample_article_travels_through_kafka_and_elasticsearch(real_settings: Settings) -> None:
    init_index(real_settings)  # what `jiancha index init` does: the index and the story store
    backend = open_index(real_settings)
    with DemoServer(port=0) as demo:
        run_pipeline(real_settings, demo.base_url)
        backend.refresh()
        first_count = backend.count()

        client = TestClient(create_app(real_settings.model_copy(update={"web_single_user": True})))
        # stories=0: every copy as its own hit (the sample is a reprint, collapsed into its story).
        response = client.get("/api/search", params={"q": "司法救助", "size": 50, "stories": "0"})
        assert response.status_code == 200
        hits = response.json()["hits"]
        reprint = sample_hits(hits)
        assert len(reprint) == 1, [h["url"] for h in hits]
        assert datetime.fromisoformat(reprint[0]["published_at"]) == SAMPLE_PUBLISHED
        # The stored article keeps the original (traditional) text and the simplified copy.
        stored = backend.get(reprint[0]["article_id"])
        assert stored is not None and "檢察" in stored.body and "检察" in (stored.body_simplified or "")

        # A second crawl of unchanged sites publishes nothing and indexes nothing new.
        ids_before = {h["article_id"] for h in hits}
        run_pipeline(real_settings, demo.base_url)
        backend.refresh()
        assert backend.count() == first_count
        again = client.get("/api/search", params={"q": "司法救助", "size": 50, "stories": "0"}).json()["hits"]
        assert {h["article_id"] for h in again} == ids_before
    backend.close()
    assert first_count >= 14


def test_a_malformed_event_on_kafka_is_dead_lettered_and_the_rest_flow(real_settings: Settings) -> None:
    init_index(real_settings)
    bus = open_bus(real_settings)
    topic = crawler_stage(real_settings.topic_prefix).output_topic or ""
    bus.ensure_topics(all_topics(real_settings.topic_prefix))
    producer = bus.producer()
    good = Article.new("http://demo.example.cn/a/1.html", title="检察听证", body="公开听证。")
    producer.send(topic, "bad", b"\xff\xfe not an article")
    producer.send(topic, good.article_id, good.to_json())
    producer.close()
    stats = run_processor(real_settings, bus, until_idle=True)
    assert dict(stats.counts) == {"ok": 1, "dead": 1}
    dlq = bus.consumer([f"{real_settings.topic_prefix}articles.dlq"], "reader")
    letters = []
    for _ in range(40):
        letters += dlq.poll(10, 0.5)
        if letters:
            break
    dlq.close()
    bus.close()
    record = json.loads(letters[0].value)
    assert record["stage"] == "entities" and record["payload_encoding"] == "base64"


def test_up_demo_once_then_search_prints_the_sample_article(tmp_path: Path) -> None:
    env = {"JIANCHA_DATA_DIR": str(tmp_path / "data"), "JIANCHA_DEMO_PORT": str(free_port())}
    up = jiancha(["up", "--demo", "--once"], env)
    assert up.returncode == 0, up.stderr[-2000:]
    found = jiancha(["search", "司法救助", "--json", "--size", "50", "--every-copy"], env)
    assert found.returncode == 0, found.stderr[-2000:]
    result = json.loads(found.stdout)
    reprint = sample_hits(result["hits"])
    assert len(reprint) == 1
    assert datetime.fromisoformat(reprint[0]["published_at"]) == SAMPLE_PUBLISHED
    total = result["total"]

    # Twice: same ids, same count.
    assert jiancha(["up", "--demo", "--once"], env).returncode == 0
    stats = json.loads(jiancha(["index", "stats"], env).stdout)
    again = json.loads(jiancha(["search", "司法救助", "--json", "--size", "50", "--every-copy"], env).stdout)
    assert again["total"] == total
    assert {h["article_id"] for h in again["hits"]} == {h["article_id"] for h in result["hits"]}
    assert stats["documents"] >= 14


@pytest.mark.parametrize(
    ("args", "env", "address"),
    [
        (
            ["topics", "create"],
            {"JIANCHA_BUS": "kafka", "JIANCHA_KAFKA_BOOTSTRAP": "127.0.0.1:1"},
            "127.0.0.1:1",
        ),
        (
            ["search", "检察"],
            {"JIANCHA_INDEX": "elasticsearch", "JIANCHA_ELASTICSEARCH_URL": "http://127.0.0.1:1"},
            "http://127.0.0.1:1",
        ),
    ],
)
def test_an_unreachable_service_is_one_line_and_a_nonzero_exit(
    args: list[str], env: dict[str, str], address: str, tmp_path: Path
) -> None:
    result = jiancha(
        args, {**env, "JIANCHA_CONNECT_TIMEOUT_S": "2", "JIANCHA_DATA_DIR": str(tmp_path)}, timeout=60
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert address in last and "deploy/local/services start" in last
