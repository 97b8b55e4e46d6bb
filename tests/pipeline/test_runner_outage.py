"""A service a step needs goes away: the stage pauses instead of dead-lettering healthy articles, and a
stop during the pause abandons the batch uncommitted, so nothing is lost."""

from __future__ import annotations

import threading

import elastic_transport
import pytest
from kafka.errors import KafkaConnectionError

from pipeline.bus.embedded import EmbeddedBus
from pipeline.errors import ServiceUnavailable, is_outage
from pipeline.model import Article
from pipeline.runner import StageRunner
from pipeline.settings import Settings
from pipeline.topics import entities_stage


@pytest.fixture
def bus(settings: Settings) -> EmbeddedBus:
    return EmbeddedBus(settings.data_dir / "bus.sqlite3")


def articles(n: int) -> list[Article]:
    return [
        Article.new(f"http://news.example.cn/o/{i}.html", title=f"标题{i}", body="正文") for i in range(n)
    ]


def publish(bus: EmbeddedBus, topic: str, items: list[Article]) -> None:
    producer = bus.producer()
    for a in items:
        producer.send(topic, a.article_id, a.to_json())
    producer.close()


class StoreDown:
    """A step whose store answers only after ``calls`` failed calls, failing the way a client does."""

    def __init__(self, calls: int, error: Exception) -> None:
        self.left = calls
        self.error = error

    def __call__(self, a: Article) -> Article:
        if self.left:
            self.left -= 1
            raise RuntimeError("story store lookup failed") from self.error
        return a


@pytest.mark.parametrize(
    "error",
    [
        ServiceUnavailable("Elasticsearch", "127.0.0.1:9200"),
        elastic_transport.ConnectionTimeout("timed out"),
        elastic_transport.ConnectionError("refused"),
        KafkaConnectionError("no broker"),
    ],
    ids=["ServiceUnavailable", "ConnectionTimeout", "ConnectionError", "Kafka"],
)
def test_an_outage_longer_than_the_retry_budget_sends_nothing_to_the_dlq(
    bus: EmbeddedBus, settings: Settings, error: Exception
) -> None:
    stage = entities_stage(settings.topic_prefix)
    items = articles(3)
    publish(bus, stage.input_topic or "", items)
    step = StoreDown(calls=12, error=error)  # more than max_retries=2 times over
    runner = StageRunner(
        stage, bus, steps=[step], max_retries=2, poll_timeout_s=0.1, retry_backoff_max_s=0.01
    )

    stats = runner.run(until_idle=True)

    assert dict(stats.counts) == {"ok": 3} and step.left == 0
    consumer = bus.consumer([stage.dlq_topic], "reader")
    assert consumer.poll(10, 0.1) == []
    consumer.close()


def test_a_bug_is_not_an_outage() -> None:
    assert not is_outage(ValueError("bad figure"))
    assert not is_outage(RuntimeError("a step raised"))
    try:
        try:
            raise TimeoutError("read timed out")
        except TimeoutError as inner:
            raise KeyError("lookup") from inner
    except KeyError as outer:
        assert is_outage(outer)


def test_stopping_during_an_outage_abandons_the_batch_and_a_restart_finishes_it(
    bus: EmbeddedBus, settings: Settings
) -> None:
    stage = entities_stage(settings.topic_prefix)
    items = articles(4)
    publish(bus, stage.input_topic or "", items)
    stop = threading.Event()
    paused = threading.Event()

    def down(a: Article) -> Article:
        if a.title == "标题2":  # the store goes away in the middle of the batch
            paused.set()
            raise ServiceUnavailable("Elasticsearch", "127.0.0.1:9200")
        return a

    runner = StageRunner(stage, bus, steps=[down], poll_timeout_s=0.1, retry_backoff_max_s=0.05)
    worker = threading.Thread(target=runner.run, kwargs={"stop": stop})
    worker.start()
    assert paused.wait(10)
    stop.set()
    worker.join(10)
    assert not worker.is_alive()
    consumer = bus.consumer([stage.input_topic or ""], stage.group)
    assert consumer.lag() == 4  # nothing committed: the whole batch comes again
    consumer.close()

    again = StageRunner(stage, bus, steps=[], poll_timeout_s=0.1).run(until_idle=True)
    assert again.counts["ok"] == 4
    out = bus.consumer([stage.output_topic or ""], "reader")
    got = {Article.from_json(m.value).article_id for m in out.poll(100, 0.2)}
    out.close()
    assert got == {a.article_id for a in items}
