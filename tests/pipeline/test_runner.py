"""The stage runner's outcomes: forwarded, dropped, dead-lettered, retried — and nothing lost."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import pytest

from pipeline.bus import Message
from pipeline.bus.embedded import EmbeddedBus
from pipeline.errors import Drop, Poison, ServiceUnavailable
from pipeline.model import Article
from pipeline.runner import SinkOutcome, StageRunner, backoff_delay
from pipeline.settings import Settings
from pipeline.topics import entities_stage, indexer_stage


@pytest.fixture
def bus(settings: Settings) -> EmbeddedBus:
    return EmbeddedBus(settings.data_dir / "bus.sqlite3")


def publish(bus: EmbeddedBus, topic: str, payloads: Sequence[bytes]) -> None:
    producer = bus.producer()
    for i, payload in enumerate(payloads):
        producer.send(topic, f"k{i}", payload)
    producer.close()


def read_all(bus: EmbeddedBus, topic: str) -> list[bytes]:
    consumer = bus.consumer([topic], "reader")
    values = [m.value for m in consumer.poll(1000, 0.1)]
    consumer.close()
    return values


def article(n: int) -> Article:
    return Article.new(f"http://news.example.cn/a/{n}.html", title=f"标题{n}", body=f"正文{n}")


def test_each_message_has_one_outcome_and_bad_ones_go_to_the_dlq(
    bus: EmbeddedBus, settings: Settings
) -> None:
    stage = entities_stage(settings.topic_prefix)
    payloads = [article(1).to_json(), b"{not json", article(2).to_json(), article(3).to_json()]
    publish(bus, stage.input_topic or "", payloads)

    def step(a: Article) -> Article:
        if a.title == "标题2":
            raise Drop("not an article")
        if a.title == "标题3":
            raise Poison("can never work")
        return a.model_copy(update={"steps": [*a.steps, "tested"]})

    stats = StageRunner(stage, bus, steps=[step], poll_timeout_s=0.1).run(until_idle=True)

    assert dict(stats.counts) == {"ok": 1, "dropped": 1, "dead": 2}
    out = [Article.from_json(v) for v in read_all(bus, stage.output_topic or "")]
    assert [a.title for a in out] == ["标题1"] and out[0].steps == ["tested"]
    dead = [json.loads(v) for v in read_all(bus, stage.dlq_topic)]
    assert [d["payload"] for d in dead] == ["{not json", payloads[3].decode()]
    assert all(d["stage"] == "entities" for d in dead)
    assert "can never work" in dead[1]["error"]
    # Everything was committed: a restarted worker has nothing left to do.
    again = StageRunner(stage, bus, steps=[step], poll_timeout_s=0.1).run(until_idle=True)
    assert again.total() == 0


def test_an_event_that_grows_past_the_size_limit_is_dead_lettered_not_sent(
    bus: EmbeddedBus, settings: Settings
) -> None:
    # Kafka would refuse the grown event and stop the stage; the input is dead-lettered instead.
    stage = entities_stage(settings.topic_prefix)
    payloads = [article(1).to_json(), article(2).to_json()]
    publish(bus, stage.input_topic or "", payloads)

    def step(a: Article) -> Article:
        return a.model_copy(update={"body_words": "检察 " * 5000}) if a.title == "标题2" else a

    stats = StageRunner(stage, bus, steps=[step], poll_timeout_s=0.1, max_event_bytes=10_000).run(
        until_idle=True
    )
    assert dict(stats.counts) == {"ok": 1, "dead": 1}
    assert [Article.from_json(v).title for v in read_all(bus, stage.output_topic or "")] == ["标题1"]
    (dead,) = [json.loads(v) for v in read_all(bus, stage.dlq_topic)]
    assert (
        "after the entities steps the event is" in dead["error"]
        and "JIANCHA_MAX_EVENT_BYTES" in dead["error"]
    )
    assert dead["payload"] == payloads[1].decode()  # the input, replayable


def test_a_processor_decodes_each_message_just_before_its_steps(bus: EmbeddedBus, settings: Settings) -> None:
    """One decoded article at a time (not a whole batch held in memory), still in input order."""
    stage = entities_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(n).to_json() for n in range(3)])
    events: list[str] = []

    class Recording(StageRunner):
        def decode(self, message: Message) -> Article:
            decoded = super().decode(message)
            events.append(f"decode {decoded.title}")
            return decoded

    def step(a: Article) -> Article:
        events.append(f"step {a.title}")
        return a

    stats = Recording(stage, bus, steps=[step], poll_timeout_s=0.1).run(until_idle=True)

    assert dict(stats.counts) == {"ok": 3}
    assert events == [f"{what} 标题{n}" for n in range(3) for what in ("decode", "step")]


def test_transient_failures_are_retried_then_dead_lettered(bus: EmbeddedBus, settings: Settings) -> None:
    stage = entities_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(1).to_json(), article(2).to_json()])
    calls: dict[str, int] = {}

    def flaky(a: Article) -> Article:
        calls[a.title] = calls.get(a.title, 0) + 1
        if a.title == "标题1" and calls[a.title] < 3:
            raise RuntimeError("model server hiccup")
        if a.title == "标题2":
            raise RuntimeError("always broken")
        return a

    sleeps: list[float] = []
    runner = StageRunner(stage, bus, steps=[flaky], max_retries=3, poll_timeout_s=0.1, sleep=sleeps.append)
    stats = runner.run(until_idle=True)

    assert dict(stats.counts) == {"ok": 1, "dead": 1}
    assert calls == {"标题1": 3, "标题2": 4}
    dead = json.loads(read_all(bus, stage.dlq_topic)[0])
    assert dead["retries"] == 3 and "always broken" in dead["error"]
    assert sleeps == [0.2, 0.4, 0.2, 0.4, 0.8]  # per article: 0.2 s doubling


class FlakySink:
    """Unreachable for the first ``failures`` calls, then rejects one article and accepts the rest."""

    def __init__(self, failures: int, reject: str) -> None:
        self.failures = failures
        self.reject = reject
        self.stored: dict[str, Article] = {}

    def write(self, articles: Sequence[Article]) -> list[SinkOutcome]:
        if self.failures:
            self.failures -= 1
            raise ServiceUnavailable("Elasticsearch", "127.0.0.1:9200")
        outcomes = []
        for a in articles:
            if a.title == self.reject:
                outcomes.append(SinkOutcome(a.article_id, False, "mapper_parsing_exception"))
            else:
                self.stored[a.article_id] = a
                outcomes.append(SinkOutcome(a.article_id, True))
        return outcomes


def test_a_sink_outage_is_waited_out_and_rejections_are_dead_lettered(
    bus: EmbeddedBus, settings: Settings
) -> None:
    stage = indexer_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(n).to_json() for n in range(1, 6)])
    sink = FlakySink(failures=4, reject="标题4")
    runner = StageRunner(stage, bus, sink=sink, poll_timeout_s=0.1, retry_backoff_max_s=0.01)
    stats = runner.run(until_idle=True)
    assert dict(stats.counts) == {"ok": 4, "dead": 1}
    assert sorted(a.title for a in sink.stored.values()) == ["标题1", "标题2", "标题3", "标题5"]
    dead = json.loads(read_all(bus, stage.dlq_topic)[0])
    assert dead["stage"] == "indexer" and dead["error"] == "mapper_parsing_exception"


def test_stats_give_the_busy_window_from_the_first_batch_to_the_last_durable_output(
    bus: EmbeddedBus, settings: Settings
) -> None:
    stage = entities_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(n).to_json() for n in range(1, 6)])
    calls: list[float] = []

    def step(a: Article) -> Article:
        calls.append(time.monotonic())
        return a

    stats = StageRunner(stage, bus, steps=[step], batch_size=2, poll_timeout_s=1.0).run(until_idle=True)
    assert stats.first_batch_at is not None and stats.last_durable_at is not None
    # Benchmarks divide by this window: it holds every step call and leaves out the idle wait
    # (one empty poll of 1 s) before the runner found its input drained.
    assert stats.first_batch_at <= calls[0] and calls[-1] <= stats.last_durable_at
    assert stats.last_durable_at - stats.first_batch_at < 1.0


def test_backoff_is_exponential_and_capped() -> None:
    assert [backoff_delay(n, cap_s=1.0) for n in range(1, 6)] == [0.2, 0.4, 0.8, 1.0, 1.0]
