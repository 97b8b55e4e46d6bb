"""The indexer worker against a real Elasticsearch that goes away mid-stream: it waits, resumes by
itself when the engine is back, and nothing is lost or dead-lettered. Runs its own second
Elasticsearch on free ports so that stopping it disturbs no other test or test run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from indexer import open_index
from indexer.worker import run_indexer
from pipeline.bus.embedded import EmbeddedBus
from pipeline.model import Article
from pipeline.runner import StageStats
from pipeline.settings import Settings
from pipeline.topics import indexer_stage
from tests.own_services import OwnElasticsearch

pytestmark = pytest.mark.integration


@pytest.fixture
def own_es() -> OwnElasticsearch:
    return OwnElasticsearch()


@pytest.fixture
def own_elasticsearch(
    settings: Settings, elasticsearch_url: str, own_es: OwnElasticsearch
) -> Iterator[Settings]:
    own_es.run("start")
    es_settings = settings.model_copy(
        update={
            "index": "elasticsearch",
            "elasticsearch_url": own_es.url,
            "index_batch_size": 50,
            "retry_backoff_max_s": 1.0,
            "poll_timeout_s": 0.2,
        }
    )
    backend = open_index(es_settings)
    backend.init()
    try:
        yield es_settings
    finally:
        own_es.run("start")  # in case the test failed while it was stopped
        backend.drop()
        backend.close()
        own_es.remove()


def publish(bus: EmbeddedBus, topic: str, articles: list[Article]) -> None:
    producer = bus.producer()
    for article in articles:
        producer.send(topic, article.article_id, article.to_json())
    producer.flush()
    producer.close()


def wait_for(condition: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_worker_outlasts_an_elasticsearch_outage(
    own_elasticsearch: Settings, own_es: OwnElasticsearch
) -> None:
    settings = own_elasticsearch
    bus = EmbeddedBus(settings.data_dir / "bus.sqlite3")
    stage = indexer_stage(settings.topic_prefix)
    assert stage.input_topic is not None
    bus.ensure_topics([stage.input_topic, stage.dlq_topic])
    articles = [Article.new(f"https://news.example.cn/o/{n}.html", title=f"检察通报{n}", body="正文" * 50)
                for n in range(1500)]  # fmt: skip
    publish(bus, stage.input_topic, articles[:1000])

    stop = threading.Event()
    result: list[StageStats] = []
    worker = threading.Thread(target=lambda: result.append(run_indexer(settings, bus, stop=stop)))
    worker.start()
    probe = open_index(settings)
    try:
        wait_for(lambda: probe.count() > 0, 60, "the first documents")
        own_es.run("stop")  # mid-stream: the worker is still busy with the backlog
        publish(bus, stage.input_topic, articles[1000:])
        time.sleep(3)  # the worker now meets refused connections and backs off
        assert worker.is_alive()
        own_es.run("start")
        consumer = bus.consumer([stage.input_topic], stage.group)
        wait_for(lambda: consumer.lag() == 0, 90, "the worker to drain its input")
        consumer.close()
    finally:
        stop.set()
        worker.join(timeout=30)
    probe.refresh()
    # _id = article_id and nothing else was indexed: the count proves every article is there.
    assert probe.count() == len(articles)
    assert probe.get(articles[-1].article_id) is not None
    (stats,) = result
    assert stats.counts["dead"] == 0
    assert stats.counts["ok"] + stats.counts["skipped"] >= len(articles)
    dlq = bus.consumer([stage.dlq_topic], "dlq-reader")
    assert dlq.poll(10, 0.1) == []
    dlq.close()
    probe.close()
    bus.close()
