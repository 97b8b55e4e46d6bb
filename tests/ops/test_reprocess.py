"""Reprocess: stored articles run through the processors again, as crawled, without re-crawling."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from indexer import open_index
from indexer.worker import run_indexer
from pipeline.bus import open_bus
from pipeline.cli import main
from pipeline.model import Article
from pipeline.ops.reprocess import republish
from pipeline.runner import StageRunner
from pipeline.settings import Settings
from pipeline.topics import all_topics, entities_stage, indexer_stage, topics_stage
from tests.ops.conftest import article, until_drained


def tag(keyword: str):  # type: ignore[no-untyped-def]
    def step(item: Article) -> Article:
        return item.model_copy(update={"keywords": [*item.keywords, keyword]})

    return step


def process_and_index(settings: Settings, keyword: str) -> None:
    bus = open_bus(settings)
    try:
        for stage in (entities_stage(settings.topic_prefix), topics_stage(settings.topic_prefix)):
            step = tag(f"{stage.name}-{keyword}")
            runner = StageRunner(stage, bus, [step], poll_timeout_s=settings.poll_timeout_s)
            until_drained(settings, stage, lambda r=runner: r.run(until_idle=True))
        indexer = indexer_stage(settings.topic_prefix)
        until_drained(settings, indexer, lambda: run_indexer(settings, bus, until_idle=True))
    finally:
        bus.close()


def crawl(settings: Settings, articles: list[Article]) -> None:
    bus = open_bus(settings)
    try:
        bus.ensure_topics(all_topics(settings.topic_prefix))
        producer = bus.producer()
        topic = entities_stage(settings.topic_prefix).input_topic
        assert topic is not None
        for item in articles:
            producer.send(topic, item.article_id, item.to_json())
        producer.close()
    finally:
        bus.close()


@pytest.fixture
def indexed(deployment: Settings) -> Settings:
    backend = open_index(deployment)
    backend.init()
    backend.close()
    old = datetime.now(UTC) - timedelta(days=10)
    crawl(deployment, [article(n).model_copy(update={"fetched_at": old}) for n in range(3)])
    crawl(deployment, [article(n) for n in range(3, 8)])
    process_and_index(deployment, "v1")
    return deployment


def stored_keywords(settings: Settings) -> dict[int, list[str]]:
    backend = open_index(settings)
    try:
        backend.refresh()
        assert backend.count() == 8
        found = {}
        for n in range(8):
            stored = backend.get(article(n).article_id)
            assert stored is not None
            found[n] = stored.keywords
        return found
    finally:
        backend.close()


def test_reprocess_runs_the_new_processors_on_what_was_crawled(indexed: Settings) -> None:
    bus = open_bus(indexed)
    try:
        sent = republish(indexed, bus, since=datetime.now(UTC) - timedelta(days=1))
    finally:
        bus.close()
    assert sent == 5
    process_and_index(indexed, "v2")
    keywords = stored_keywords(indexed)
    # The recent five start again from the crawled article: only the new steps' output, none of v1's.
    assert all(keywords[n] == ["entities-v2", "topics-v2"] for n in range(3, 8)), keywords
    assert all(keywords[n] == ["entities-v1", "topics-v1"] for n in range(3)), keywords


def test_reprocess_from_the_indexer_rebuilds_the_index_from_the_archive(
    indexed: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in {
        "JIANCHA_BUS": indexed.bus,
        "JIANCHA_INDEX": indexed.index,
        "JIANCHA_KAFKA_BOOTSTRAP": indexed.kafka_bootstrap,
        "JIANCHA_ELASTICSEARCH_URL": indexed.elasticsearch_url,
        "JIANCHA_DATA_DIR": str(indexed.data_dir),
        "JIANCHA_TOPIC_PREFIX": indexed.topic_prefix,
        "JIANCHA_INDEX_NAME": indexed.index_name,
        "JIANCHA_POLL_TIMEOUT_S": "0.5",
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["reprocess", "--from", "indexer", "--drain"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sent"] == 8 and result["indexed"] == {"ok": 8}
    assert stored_keywords(indexed) == {n: ["entities-v1", "topics-v1"] for n in range(8)}


def test_a_bad_since_is_a_usage_error(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(settings.data_dir))
    assert main(["reprocess", "--since", "last week"]) == 2
