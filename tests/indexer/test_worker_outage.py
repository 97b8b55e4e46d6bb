"""The indexer worker against a real Elasticsearch that goes away mid-stream: it waits, resumes by
itself when the engine is back, and nothing is lost or dead-lettered. Runs its own second
Elasticsearch (port 9250) so that stopping it disturbs no other test.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from indexer import open_index
from indexer.worker import run_indexer
from pipeline.bus.embedded import EmbeddedBus
from pipeline.model import Article
from pipeline.runner import StageStats
from pipeline.settings import REPO_ROOT, Settings
from pipeline.topics import indexer_stage

SERVICES = REPO_ROOT / "deploy" / "local" / "services"
PORT, TRANSPORT_PORT = 9250, 9350
ENV = {
    **os.environ,
    "JIANCHA_LOCAL_ES_PORT": str(PORT),
    "JIANCHA_LOCAL_ES_TRANSPORT_PORT": str(TRANSPORT_PORT),
}
pytestmark = pytest.mark.integration


def services(action: str) -> None:
    result = subprocess.run([str(SERVICES), action, "elasticsearch"], env=ENV, capture_output=True, text=True)
    if result.returncode != 0:
        message = f"cannot {action} a second Elasticsearch: {result.stdout[-800:]}{result.stderr[-800:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def own_elasticsearch(settings: Settings, elasticsearch_url: str) -> Iterator[Settings]:
    services("start")
    es_settings = settings.model_copy(
        update={
            "index": "elasticsearch",
            "elasticsearch_url": f"http://127.0.0.1:{PORT}",
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
        services("start")  # in case the test failed while it was stopped
        backend.drop()
        backend.close()
        services("stop")


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


def test_worker_outlasts_an_elasticsearch_outage(own_elasticsearch: Settings) -> None:
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
        services("stop")  # mid-stream: the worker is still busy with the backlog
        publish(bus, stage.input_topic, articles[1000:])
        time.sleep(3)  # the worker now meets refused connections and backs off
        assert worker.is_alive()
        services("start")
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
