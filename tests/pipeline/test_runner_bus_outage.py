"""The bus itself goes away under a stage (found by the fault tests: the indexer died when Kafka was
stopped for 30 s): a flush that fails sends the batch's records again once the bus is back, a commit
that fails is retried, and the stage keeps running — nothing lost, no restart needed."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from kafka.errors import CommitFailedError, KafkaConnectionError, KafkaTimeoutError

from pipeline.bus.base import Consumer, Message, Producer
from pipeline.bus.embedded import EmbeddedBus
from pipeline.model import Article
from pipeline.runner import StageRunner
from pipeline.settings import Settings
from pipeline.topics import entities_stage


class LosingProducer(Producer):
    """Drops what it was sent when a flush fails, as the Kafka client does after its delivery timeout."""

    def __init__(self, inner: Producer, failing_flushes: int) -> None:
        self.inner, self.failing = inner, failing_flushes
        self.pending: list[tuple[str, str | None, bytes]] = []

    def send(self, topic: str, key: str | None, value: bytes) -> None:
        self.pending.append((topic, key, value))

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if self.failing and pending:
            self.failing -= 1
            raise KafkaTimeoutError("delivery timed out: the broker is down")
        for record in pending:
            self.inner.send(*record)
        self.inner.flush()

    def close(self) -> None:
        self.inner.close()


class FailingCommits(Consumer):
    def __init__(self, inner: Consumer, error: Exception, failures: int) -> None:
        self.inner, self.error, self.failures = inner, error, failures

    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        return self.inner.poll(max_records, timeout_s)

    def commit(self, messages: Sequence[Message]) -> None:
        if self.failures:
            self.failures -= 1
            raise self.error
        self.inner.commit(messages)

    def lag(self) -> int:
        return self.inner.lag()

    def close(self) -> None:
        self.inner.close()


class FlakyBus(EmbeddedBus):
    def __init__(self, settings: Settings, flushes: int, commit_error: Exception, commits: int) -> None:
        super().__init__(settings.data_dir / "bus.sqlite3")
        self.flushes, self.commit_error, self.commits = flushes, commit_error, commits

    def producer(self) -> Producer:  # type: ignore[override]  # a wrapper, not an EmbeddedProducer
        return LosingProducer(super().producer(), self.flushes)

    def consumer(self, topics: Sequence[str], group: str) -> Consumer:  # type: ignore[override]
        return FailingCommits(super().consumer(topics, group), self.commit_error, self.commits)


def run_stage(bus: EmbeddedBus, settings: Settings, n: int) -> tuple[StageRunner, list[str]]:
    stage = entities_stage(settings.topic_prefix)
    producer = EmbeddedBus.producer(bus)
    items = [
        Article.new(f"http://news.example.cn/b/{i}.html", title=f"标题{i}", body="正文") for i in range(n)
    ]
    for a in items:
        producer.send(stage.input_topic or "", a.article_id, a.to_json())
    producer.close()
    runner = StageRunner(stage, bus, batch_size=4, poll_timeout_s=0.1, retry_backoff_max_s=0.01)
    runner.run(until_idle=True)
    reader = EmbeddedBus.consumer(bus, [stage.output_topic or ""], "reader")
    out = [Article.from_json(m.value).article_id for m in reader.poll(1000, 0.2)]
    reader.close()
    return runner, out


def test_a_flush_lost_while_the_bus_is_down_is_sent_again_and_nothing_is_lost(settings: Settings) -> None:
    bus = FlakyBus(settings, flushes=3, commit_error=KafkaConnectionError("down"), commits=0)
    runner, out = run_stage(bus, settings, 10)
    assert len(set(out)) == 10 and len(out) == 10  # each record once: the lost ones came again
    assert dict(runner.stats.counts) == {"ok": 10}


def test_a_commit_failing_while_the_bus_is_down_is_retried_and_the_stage_keeps_running(
    settings: Settings,
) -> None:
    bus = FlakyBus(settings, flushes=0, commit_error=KafkaConnectionError("111 ECONNREFUSED"), commits=5)
    runner, out = run_stage(bus, settings, 10)
    assert sorted(out) == sorted(set(out)) and len(out) == 10 and runner.stats.counts["ok"] == 10
    stage = entities_stage(settings.topic_prefix)
    group = EmbeddedBus.consumer(bus, [stage.input_topic or ""], stage.group)
    assert group.lag() == 0  # every offset was committed in the end
    group.close()


def test_a_commit_refused_because_the_group_moved_on_still_ends_the_stage(settings: Settings) -> None:
    bus = FlakyBus(settings, flushes=0, commit_error=CommitFailedError("rebalanced"), commits=1)
    with pytest.raises(CommitFailedError):
        run_stage(bus, settings, 10)
