"""Dead letters: listed with filters, shown, replayed to the stage's input; replaying twice indexes once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from indexer import open_index
from indexer.worker import run_indexer
from pipeline.bus import open_bus
from pipeline.cli import main
from pipeline.errors import Poison
from pipeline.model import Article
from pipeline.ops import dlq
from pipeline.runner import StageRunner
from pipeline.settings import Settings
from pipeline.topics import all_topics, indexer_stage, topics_stage
from tests.ops.conftest import article, until_drained


class Flaky:
    """A topics step that refuses articles while the taxonomy is broken, then accepts them."""

    def __init__(self) -> None:
        self.broken = True

    def __call__(self, item: Article) -> Article:
        if self.broken:
            raise Poison("taxonomy missing: config/topics.yaml")
        return item


def run_topics_and_index(settings: Settings, step: Flaky) -> None:
    bus = open_bus(settings)
    try:
        stage = topics_stage(settings.topic_prefix)
        runner = StageRunner(stage, bus, [step], poll_timeout_s=settings.poll_timeout_s)
        until_drained(settings, stage, lambda: runner.run(until_idle=True))
        indexer = indexer_stage(settings.topic_prefix)
        until_drained(settings, indexer, lambda: run_indexer(settings, bus, until_idle=True))
    finally:
        bus.close()


@pytest.fixture
def letters(deployment: Settings) -> Settings:
    """Four articles dead-lettered by the topics stage, one undecodable message by the indexer."""
    bus = open_bus(deployment)
    try:
        bus.ensure_topics(all_topics(deployment.topic_prefix))
        backend = open_index(deployment)
        backend.init()
        backend.close()
        producer = bus.producer()
        topic = topics_stage(deployment.topic_prefix).input_topic
        assert topic is not None
        for n in range(4):
            producer.send(topic, article(n).article_id, article(n).to_json())
        producer.send(f"{deployment.topic_prefix}articles.enriched", "bad", b"\xff\xfe not an article")
        producer.close()
    finally:
        bus.close()
    run_topics_and_index(deployment, Flaky())
    return deployment


def test_list_filters_by_stage_reason_and_time(letters: Settings) -> None:
    bus = open_bus(letters)
    try:
        everything = list(dlq.letters(bus, letters.topic_prefix))
        assert sorted(letter.stage for letter in everything) == [
            "indexer",
            "topics",
            "topics",
            "topics",
            "topics",
        ]
        assert len(list(dlq.letters(bus, letters.topic_prefix, stage="topics"))) == 4
        assert [x.stage for x in dlq.letters(bus, letters.topic_prefix, reason="UNDECODABLE")] == ["indexer"]
        future = datetime.now(UTC) + timedelta(hours=1)
        assert list(dlq.letters(bus, letters.topic_prefix, since=future)) == []
        # The undecodable payload comes back byte for byte.
        (bad,) = dlq.letters(bus, letters.topic_prefix, stage="indexer")
        assert bad.payload == b"\xff\xfe not an article"
    finally:
        bus.close()


def test_replay_sends_each_letter_back_once_and_indexes_each_article_once(
    letters: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in {
        "JIANCHA_BUS": letters.bus,
        "JIANCHA_INDEX": letters.index,
        "JIANCHA_KAFKA_BOOTSTRAP": letters.kafka_bootstrap,
        "JIANCHA_ELASTICSEARCH_URL": letters.elasticsearch_url,
        "JIANCHA_DATA_DIR": str(letters.data_dir),
        "JIANCHA_TOPIC_PREFIX": letters.topic_prefix,
        "JIANCHA_INDEX_NAME": letters.index_name,
    }.items():
        monkeypatch.setenv(key, value)
    assert main(["dlq", "list", "--stage", "topics", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(listed) == 4 and {x["reason"] for x in listed} == {"taxonomy missing"}

    assert main(["dlq", "show", listed[0]["id"]]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["payload"]["article_id"] == listed[0]["key"]

    fixed = Flaky()
    fixed.broken = False
    assert main(["dlq", "replay", "--stage", "topics"]) == 0
    assert json.loads(capsys.readouterr().out) == {"replayed": 4, "already_replayed": 0, "not_replayable": 0}
    run_topics_and_index(letters, fixed)
    # Twice: nothing is sent again; forced: sent again, and the index still holds each article once.
    assert main(["dlq", "replay", "--stage", "topics"]) == 0
    assert json.loads(capsys.readouterr().out)["replayed"] == 0
    assert main(["dlq", "replay", "--stage", "topics", "--force"]) == 0
    assert json.loads(capsys.readouterr().out)["replayed"] == 4
    run_topics_and_index(letters, fixed)

    backend = open_index(letters)
    try:
        backend.refresh()
        assert backend.count() == 4
        assert backend.get(article(2).article_id) is not None
    finally:
        backend.close()


def test_show_of_an_unknown_letter_is_a_usage_error(
    letters: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIANCHA_BUS", letters.bus)
    monkeypatch.setenv("JIANCHA_KAFKA_BOOTSTRAP", letters.kafka_bootstrap)
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(letters.data_dir))
    monkeypatch.setenv("JIANCHA_TOPIC_PREFIX", letters.topic_prefix)
    assert main(["dlq", "show", "9:999"]) == 2
    assert main(["dlq", "list", "--since", "yesterday"]) == 2
