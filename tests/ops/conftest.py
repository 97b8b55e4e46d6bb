"""Both deployments for the operations tests: the embedded default and the real Kafka + Elasticsearch."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from indexer import open_index
from pipeline.bus import open_bus
from pipeline.bus.inspect import group_lag
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import Stage, all_topics


@pytest.fixture(params=["embedded", "kafka"])
def deployment(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Settings]:
    """Embedded (SQLite log and index), or Kafka + Elasticsearch with this test's topics and index."""
    if request.param == "embedded":
        yield settings.model_copy(update={"poll_timeout_s": 0.2})
        return
    kafka = request.getfixturevalue("kafka_bootstrap")
    elasticsearch = request.getfixturevalue("elasticsearch_url")
    real = settings.model_copy(
        update={
            "bus": "kafka",
            "kafka_bootstrap": kafka,
            "index": "elasticsearch",
            "elasticsearch_url": elasticsearch,
            "poll_timeout_s": 0.5,
        }
    )
    yield real
    bus = open_bus(real)
    bus.delete_topics(all_topics(real.topic_prefix))
    bus.close()
    backend = open_index(real)
    backend.drop()
    backend.close()


def article(n: int) -> Article:
    return Article.new(
        f"https://news.example.cn/fazhi/{n}.html",
        title=f"检察机关司法救助第{n}例",
        body=f"检察机关开展国家司法救助工作，第{n}例。",
        site="example",
        source="检察日报",
    )


def until_drained(settings: Settings, stage: Stage, run: Callable[[], object], attempts: int = 5) -> None:
    """``run`` (a stage until idle) again while the stage's group still has lag: right after a topic
    is created a Kafka consumer can see no partitions yet, report no lag and stop early."""
    assert stage.input_topic is not None
    for _ in range(attempts):
        run()
        bus = open_bus(settings)
        try:
            if sum(p.lag for p in group_lag(bus, stage.group, [stage.input_topic])) == 0:
                return
        finally:
            bus.close()
    raise AssertionError(f"stage {stage.name} still has lag after {attempts} runs")
