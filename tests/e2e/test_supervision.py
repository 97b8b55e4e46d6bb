"""Supervision and shutdown on the real services, with real processes and signals: a commit that fails
ends the worker non-zero and a restart loses nothing; SIGTERM finishes the batch and a restart resumes
from the committed offsets; the story store's Elasticsearch down for a minute sends nothing to the DLQ.

Just over 300 lines: the scenarios share their process and signal helpers, kept here beside them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from pipeline.bus import open_bus
from pipeline.model import Article
from pipeline.settings import REPO_ROOT, Settings
from pipeline.supervise import read_snapshot, stages_file
from pipeline.topics import all_topics, entities_stage, processor_stages
from processors.reprints import open_story_store
from processors.worker import run_processor
from tests.own_services import OwnElasticsearch, free_ports


@pytest.fixture
def bus_settings(kafka_settings: Settings) -> Iterator[Settings]:
    settings = kafka_settings.model_copy(update={"batch_size": 20, "poll_timeout_s": 0.2})
    yield settings
    bus = open_bus(settings)
    bus.delete_topics(all_topics(settings.topic_prefix))
    bus.close()


def env_of(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "JIANCHA_BUS": "kafka",
        "JIANCHA_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "JIANCHA_TOPIC_PREFIX": settings.topic_prefix,
        "JIANCHA_DATA_DIR": str(settings.data_dir),
        "JIANCHA_BATCH_SIZE": str(settings.batch_size),
        "JIANCHA_POLL_TIMEOUT_S": str(settings.poll_timeout_s),
    }


def articles(n: int, tag: str) -> list[Article]:
    return [
        Article.new(
            f"https://news.example.cn/{tag}/{i}.html",
            title=f"临汾市检察院通报{i}",
            body=f"第{i}号案件正文。" * 5,
        )
        for i in range(n)
    ]


def publish(settings: Settings, topic: str, items: list[Article]) -> None:
    bus = open_bus(settings)
    bus.ensure_topics(all_topics(settings.topic_prefix))
    producer = bus.producer()
    for a in items:
        producer.send(topic, a.article_id, a.to_json())
    producer.close()
    bus.close()


def read_ids(settings: Settings, topic: str) -> Counter[str]:
    """How often each article id is on ``topic`` (every partition, from the start)."""
    bus = open_bus(settings)
    consumer = bus.consumer([topic], f"reader-{time.monotonic_ns()}")
    seen: Counter[str] = Counter()
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 3.0:
        batch = consumer.poll(1000, 0.5)
        if batch:
            idle_since = time.monotonic()
        seen.update(Article.from_json(m.value).article_id for m in batch)
    consumer.close()
    bus.close()
    return seen


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def jiancha(*args: str, settings: Settings) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", *args], cwd=REPO_ROOT, env=env_of(settings), stderr=subprocess.PIPE, text=True
    )


def test_a_failed_commit_ends_the_worker_non_zero_and_a_restart_loses_nothing(bus_settings: Settings) -> None:
    stage = entities_stage(bus_settings.topic_prefix)
    items = articles(60, "commit")
    publish(bus_settings, stage.input_topic or "", items)

    worker = jiancha("tests.e2e.commit_fails", "2", "process", "--stage", "entities", settings=bus_settings)
    _, stderr = worker.communicate(timeout=240)

    assert worker.returncode == 1, stderr[-2000:]
    errors = [line for line in stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "stage entities died: CommitFailedError" in errors[0], stderr[-2000:]
    assert "Traceback" not in stderr

    again = jiancha("pipeline.cli", "process", "--stage", "entities", "--once", settings=bus_settings)
    _, stderr = again.communicate(timeout=240)
    assert again.returncode == 0, stderr[-2000:]
    out = read_ids(bus_settings, stage.output_topic or "")
    assert set(out) == {a.article_id for a in items}  # nothing lost
    assert sum(out.values()) > len(items)  # the uncommitted batch really came again


def test_a_once_run_whose_stage_dies_exits_non_zero_with_one_line_and_no_traceback(
    bus_settings: Settings,
) -> None:
    stage = entities_stage(bus_settings.topic_prefix)
    publish(bus_settings, stage.input_topic or "", articles(30, "once"))

    worker = jiancha(
        "tests.e2e.commit_fails", "1", "process", "--stage", "entities", "--once", settings=bus_settings
    )
    _, stderr = worker.communicate(timeout=240)

    assert worker.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "jiancha: stage entities died: CommitFailedError" in stderr, stderr[-2000:]


def test_sigterm_finishes_the_batch_and_a_restart_resumes_from_the_committed_offsets(
    bus_settings: Settings,
) -> None:
    stage = entities_stage(bus_settings.topic_prefix)
    items = articles(1500, "sigterm")
    publish(bus_settings, stage.input_topic or "", items)
    worker = jiancha("pipeline.cli", "process", "--stage", "entities", settings=bus_settings)
    bus = open_bus(bus_settings)
    group = bus.consumer([stage.input_topic or ""], stage.group)  # reads the worker's committed offsets
    try:
        wait_for(lambda: group.lag() <= len(items) - 100, 180, "the worker to commit its first batches")
        worker.send_signal(signal.SIGTERM)
        _, stderr = worker.communicate(timeout=60)
        left = group.lag()
    finally:
        group.close()
        bus.close()
        if worker.poll() is None:
            worker.kill()

    assert worker.returncode == 0, stderr[-2000:]
    assert "SIGTERM: stopping after the current batch" in stderr
    assert 0 < left < len(items)  # stopped midway, with work left for the restart
    done_before = read_ids(bus_settings, stage.output_topic or "")
    assert sum(done_before.values()) == len(items) - left  # what was committed was produced, once

    again = jiancha("pipeline.cli", "process", "--stage", "entities", "--once", settings=bus_settings)
    _, stderr = again.communicate(timeout=240)
    assert again.returncode == 0, stderr[-2000:]
    out = read_ids(bus_settings, stage.output_topic or "")
    assert set(out) == {a.article_id for a in items} and sum(out.values()) == len(items)  # no loss, no repeat


@pytest.fixture
def own_es() -> OwnElasticsearch:
    """Our own Elasticsearch for the story store, so stopping it disturbs no other test."""
    return OwnElasticsearch()


@pytest.fixture
def story_store_settings(
    bus_settings: Settings, elasticsearch_url: str, own_es: OwnElasticsearch
) -> Iterator[Settings]:
    own_es.run("start")
    settings = bus_settings.model_copy(
        update={
            "index": "elasticsearch",
            "elasticsearch_url": own_es.url,
            "max_retries": 1,  # an outage counted as retries would dead-letter within seconds
            "retry_backoff_max_s": 2.0,
        }
    )
    store = open_story_store(settings)
    store.init()
    store.close()
    try:
        yield settings
    finally:
        own_es.run("start")  # in case the test failed while it was stopped
        store = open_story_store(settings)
        store.drop()
        store.close()
        own_es.remove()


@pytest.mark.timeout(600)
def test_the_story_stores_elasticsearch_down_a_minute_mid_stream_dead_letters_nothing(
    story_store_settings: Settings, own_es: OwnElasticsearch
) -> None:
    settings = story_store_settings
    first, last = processor_stages(settings.topic_prefix)
    items = articles(160, "outage")
    publish(settings, first.input_topic or "", items[:80])
    bus = open_bus(settings)
    stop = threading.Event()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            run_processor(settings, bus, stop=stop)
        except BaseException as error:  # the test asserts there is none
            failures.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    try:
        wait_for(
            lambda: bool(read_ids(settings, last.output_topic or "")), 300, "the first enriched articles"
        )
        own_es.run("stop")
        down_at = time.monotonic()
        publish(settings, first.input_topic or "", items[80:])  # mid-stream: more keep arriving
        time.sleep(max(0.0, 60 - (time.monotonic() - down_at)))
        assert worker.is_alive() and not failures
        own_es.run("start")
        wait_for(lambda: len(read_ids(settings, last.output_topic or "")) == len(items), 240, "every article")
    finally:
        stop.set()
        worker.join(60)
        bus.close()
    assert not failures
    assert set(read_ids(settings, last.output_topic or "")) == {a.article_id for a in items}
    assert read_ids_raw_count(settings, last.dlq_topic) == 0


def read_ids_raw_count(settings: Settings, topic: str) -> int:
    bus = open_bus(settings)
    consumer = bus.consumer([topic], f"reader-{time.monotonic_ns()}")
    total = 0
    while batch := consumer.poll(1000, 2.0):
        total += len(batch)
    consumer.close()
    bus.close()
    return total


def free_port() -> int:
    return free_ports(1)[0]


def test_jiancha_up_shows_every_stage_running_and_stops_them_on_sigterm(settings: Settings) -> None:
    env = {
        **os.environ,
        "JIANCHA_DATA_DIR": str(settings.data_dir),
        "JIANCHA_INDEX": "sqlite",
        "JIANCHA_INDEX_NAME": settings.index_name,
        "JIANCHA_WEB_PORT": str(free_port()),
        "JIANCHA_DEMO_PORT": str(free_port()),
    }
    up = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "up", "--demo"],
        cwd=REPO_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    state_file = stages_file(settings.data_dir)
    try:

        def all_running() -> bool:
            snapshot = read_snapshot(state_file)
            states = {n: s["state"] for n, s in (snapshot or {}).get("stages", {}).items()}
            return states == dict.fromkeys(("alerts", "crawler", "entities", "indexer", "topics"), "running")

        wait_for(all_running, 180, "every stage of jiancha up to run")
        snapshot = read_snapshot(state_file)
        assert snapshot is not None and snapshot["pid"] == up.pid
        up.send_signal(signal.SIGTERM)
        _, stderr = up.communicate(timeout=120)
    finally:
        if up.poll() is None:
            up.kill()
    assert up.returncode == 0, stderr[-2000:]
    final = read_snapshot(state_file)
    assert final is not None
    assert {s["state"] for s in final["stages"].values()} == {"stopped"}
    assert " ERROR " not in stderr and "Traceback" not in stderr, stderr[-2000:]
