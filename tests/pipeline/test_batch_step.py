"""A batch step in the runner: one call per polled batch, the same outcomes as plain steps."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence

import pytest

from pipeline.bus.embedded import EmbeddedBus
from pipeline.errors import Drop, Poison, ServiceUnavailable
from pipeline.model import Article
from pipeline.runner import BatchStep, StageRunner
from pipeline.settings import Settings
from pipeline.topics import entities_stage
from tests.pipeline.test_runner import article, publish, read_all


@pytest.fixture
def bus(settings: Settings) -> EmbeddedBus:
    return EmbeddedBus(settings.data_dir / "bus.sqlite3")


def test_a_batch_step_sees_each_polled_batch_at_once_after_the_plain_steps(
    bus: EmbeddedBus, settings: Settings
) -> None:
    stage = entities_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(n).to_json() for n in range(7)])
    batches: list[list[str]] = []

    def plain(a: Article) -> Article:
        if a.title == "标题3":
            raise Drop("not an article")
        return a.model_copy(update={"steps": [*a.steps, "plain"]})

    def together(articles: Sequence[Article]) -> list[Article]:
        batches.append([a.title for a in articles])
        assert all(a.steps == ["plain"] for a in articles)
        return [a.model_copy(update={"story_id": f"s{len(batches)}"}) for a in articles]

    runner = StageRunner(
        stage, bus, steps=[plain, BatchStep(together, "together")], batch_size=4, poll_timeout_s=0.1
    )
    stats = runner.run(until_idle=True)

    assert dict(stats.counts) == {"ok": 6, "dropped": 1}
    assert batches == [["标题0", "标题1", "标题2"], ["标题4", "标题5", "标题6"]]  # 3 dropped before
    out = [Article.from_json(v) for v in read_all(bus, stage.output_topic or "")]
    assert [(a.title, a.story_id) for a in out] == [
        ("标题0", "s1"), ("标题1", "s1"), ("标题2", "s1"), ("标题4", "s2"), ("标题5", "s2"), ("标题6", "s2")
    ]  # fmt: skip


def test_a_batch_failing_on_one_article_is_retried_one_by_one(bus: EmbeddedBus, settings: Settings) -> None:
    """The article that fails is dead-lettered after its retries; the others of its batch go on."""
    stage = entities_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(n).to_json() for n in range(4)])
    sizes: list[int] = []

    def together(articles: Sequence[Article]) -> list[Article]:
        sizes.append(len(articles))
        if any(a.title == "标题2" for a in articles):
            raise ValueError("cannot sign 标题2")
        return list(articles)

    runner = StageRunner(
        stage,
        bus,
        steps=[BatchStep(together, "together")],
        max_retries=1,
        poll_timeout_s=0.1,
        sleep=lambda s: None,
    )
    stats = runner.run(until_idle=True)

    assert dict(stats.counts) == {"ok": 3, "dead": 1}
    assert sizes[0] == 4 and sizes[1:] == [1, 1, 1, 1, 1]  # the batch, then each alone (标题2 twice)
    assert [Article.from_json(v).title for v in read_all(bus, stage.output_topic or "")] == [
        "标题0", "标题1", "标题3"
    ]  # fmt: skip
    (dead,) = [json.loads(v) for v in read_all(bus, stage.dlq_topic)]
    assert "cannot sign 标题2" in dead["error"] and dead["retries"] == 1


def test_an_outage_during_a_batch_step_is_waited_out_and_nothing_is_lost(
    bus: EmbeddedBus, settings: Settings
) -> None:
    stage = entities_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(n).to_json() for n in range(3)])
    calls: list[int] = []

    def together(articles: Sequence[Article]) -> list[Article]:
        calls.append(len(articles))
        if len(calls) < 3:
            raise ServiceUnavailable("Elasticsearch", "http://127.0.0.1:1")
        return list(articles)

    runner = StageRunner(
        stage, bus, steps=[BatchStep(together, "together")], poll_timeout_s=0.1, max_retries=0
    )
    stats = runner.run(until_idle=True)

    assert dict(stats.counts) == {"ok": 3}
    assert calls == [3, 3, 3]  # the whole batch again each time, never one by one
    assert len(read_all(bus, stage.output_topic or "")) == 3


def test_a_batch_step_called_with_one_article_is_a_batch_of_one() -> None:
    step = BatchStep(
        lambda articles: [a.model_copy(update={"story_id": str(len(articles))}) for a in articles], "n"
    )
    assert step(article(1)).story_id == "1"


def trickle(bus: EmbeddedBus, topic: str, first: int, count: int, gap_s: float) -> threading.Thread:
    """Publishes articles ``first`` .. ``first + count - 1`` one at a time, ``gap_s`` apart."""

    def run() -> None:
        for n in range(first, first + count):
            time.sleep(gap_s)
            publish(bus, topic, [article(n).to_json()])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_under_a_trickle_a_lingering_batch_step_decides_several_articles_in_one_call(
    bus: EmbeddedBus, settings: Settings
) -> None:
    """Articles arriving 40 ms apart: with a linger each store round serves the lot, not one each."""
    stage = entities_stage(settings.topic_prefix)
    batches: list[list[str]] = []

    def together(articles: Sequence[Article]) -> list[Article]:
        batches.append([a.title for a in articles])
        return list(articles)

    publish(bus, stage.input_topic or "", [article(0).to_json()])
    sender = trickle(bus, stage.input_topic or "", 1, 4, 0.04)
    runner = StageRunner(
        stage, bus, steps=[BatchStep(together, "together")], batch_size=5, poll_timeout_s=0.1, linger_s=3.0
    )
    stats = runner.run(until_idle=True)
    sender.join()

    assert batches == [["标题0", "标题1", "标题2", "标题3", "标题4"]]
    assert dict(stats.counts) == {"ok": 5}


def test_a_full_batch_and_a_stage_without_a_batch_step_start_without_waiting(
    bus: EmbeddedBus, settings: Settings
) -> None:
    stage = entities_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(n).to_json() for n in range(4)])
    batches: list[int] = []

    def together(articles: Sequence[Article]) -> list[Article]:
        batches.append(len(articles))
        return list(articles)

    started = time.monotonic()
    full = StageRunner(stage, bus, steps=[BatchStep(together, "together")], batch_size=4, linger_s=60.0)
    full.run(until_idle=True)
    plain = StageRunner(entities_stage("other."), bus, steps=[lambda a: a], batch_size=100, linger_s=60.0)
    publish(bus, "other.articles.fetched", [article(9).to_json()])
    assert plain.stage.input_topic == "other.articles.fetched"
    plain.run(until_idle=True)

    assert batches == [4] and dict(plain.stats.counts) == {"ok": 1}
    assert time.monotonic() - started < 30  # neither waited out its 60 s linger


def test_the_next_batchs_leading_steps_run_while_the_batch_step_waits_on_its_store(
    bus: EmbeddedBus, settings: Settings
) -> None:
    """The topics stage's CPU work (classify, figures, keywords) overlaps the previous batch's
    story-store round trips; batches still reach the batch step, the output and the commit in order,
    and what a leading step rejects is dead-lettered with its reason."""
    stage = entities_stage(settings.topic_prefix)
    publish(bus, stage.input_topic or "", [article(n).to_json() for n in range(6)])
    led: dict[str, float] = {}
    waited: list[tuple[list[str], float, float]] = []

    def lead(a: Article) -> Article:
        led[a.title] = time.monotonic()
        if a.title == "标题4":
            raise Poison("no body to classify")
        return a

    def store_round(articles: Sequence[Article]) -> list[Article]:
        started = time.monotonic()
        time.sleep(0.3)  # the engine answering
        waited.append(([a.title for a in articles], started, time.monotonic()))
        return list(articles)

    runner = StageRunner(
        stage, bus, steps=[lead, BatchStep(store_round, "store")], batch_size=2, poll_timeout_s=0.1
    )
    stats = runner.run(until_idle=True)

    assert [titles for titles, _, _ in waited] == [["标题0", "标题1"], ["标题2", "标题3"], ["标题5"]]
    first_wait_end = waited[0][2]
    assert led["标题2"] < first_wait_end and led["标题3"] < first_wait_end  # overlapped, not after
    assert dict(stats.counts) == {"ok": 5, "dead": 1}
    out = [Article.from_json(v).title for v in read_all(bus, stage.output_topic or "")]
    assert out == ["标题0", "标题1", "标题2", "标题3", "标题5"]
    (dead,) = [json.loads(v) for v in read_all(bus, stage.dlq_topic)]
    assert "no body to classify" in dead["error"]
    consumer = bus.consumer([stage.input_topic or ""], stage.group)
    assert consumer.lag() == 0  # every batch committed
    consumer.close()
