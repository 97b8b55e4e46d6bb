"""End-to-end latency (issue 15): from an article being published by the crawler to it being
searchable, p50/p95, under a steady rate (default 20 articles/s), on Kafka + Elasticsearch and on
the embedded default (SQLite log + SQLite index); goal p95 ≤ 2 s / ≤ 5 s. Also the peak RSS of
each worker.

``python -m bench.latency [--rate 20] [--seconds 30] [--deployments kafka,embedded]``.

The workers are the real ones, each its own process as deployed (``jiancha process --stage
entities``, ``--stage topics``, ``jiancha index-worker``), on this run's own topics and index. A
stand-in for the crawler publishes extracted 1,000–3,000-character articles (bench.nlp_speed's
corpus) to ``articles.fetched`` at the rate, each flushed at once: the clock starts when it is
sent. A poller asks the index every 100 ms which of the pending articles a search finds (an ``ids``
query on Elasticsearch, so the refresh interval counts; a read of the committed row on SQLite), so a
latency is late by up to 0.1 s, never early. Each search costs Elasticsearch a fixed 8–16 ms of CPU
at load 1–2 whatever it asks (an ``ids`` query of 40 ids, a count of them, an aggregation: alike),
so 20 searches/s (every 50 ms, before) cost Elasticsearch 0.2–0.3 of a core beside the articles.
Before the timed phase, a warm-up batch goes through and is waited for (models loaded, caches warm).
The real crawler flushes every 50 articles or at the end of a crawl, and Kafka's producer lingers
up to 1 s (pipeline/bus/kafka.py), so a crawled article can wait up to 1 s more before this clock
starts.
Over 300 lines: one measurement, with the diagnosis a missed goal needs beside it (each hop's
latency from the workers' logs, each stage's backlog, a stopped worker's log tail).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import signal
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench import results
from bench.cpu import CpuMeter, service_pids
from bench.e2e_speed import cleanup
from bench.memory import MeasuredProcess
from bench.nlp_speed import corpus
from indexer import open_index
from pipeline.bus import open_bus
from pipeline.bus.inspect import group_lag
from pipeline.commands.common import init_index
from pipeline.errors import ServiceUnavailable
from pipeline.model import Article, utcnow
from pipeline.settings import Settings
from pipeline.topics import all_topics, crawler_stage, indexer_stage, processor_stages

GOALS_S = {"kafka": 2.0, "embedded": 5.0}
WORKERS = {"entities": ["process", "--stage", "entities"], "topics": ["process", "--stage", "topics"],
           "indexer": ["index-worker"]}  # fmt: skip
POLL_S = 0.1
WARM_UP = 20


def deployment_settings(kind: str, work: Path) -> Settings:
    suffix = uuid.uuid4().hex[:8]
    settings = Settings(data_dir=work / "data", topic_prefix=f"bench_latency_{suffix}.",
                        index_name=f"bench_latency_{suffix}")  # fmt: skip
    if kind == "kafka":
        settings = settings.model_copy(
            update={
                "bus": "kafka",
                "kafka_bootstrap": os.environ.get("JIANCHA_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                "index": "elasticsearch",
                "elasticsearch_url": os.environ.get("JIANCHA_ELASTICSEARCH_URL", "http://127.0.0.1:9200"),
            }
        )
    return settings


def worker_env(settings: Settings) -> dict[str, str]:
    return {
        "JIANCHA_BUS": settings.bus,
        "JIANCHA_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "JIANCHA_INDEX": settings.index,
        "JIANCHA_ELASTICSEARCH_URL": settings.elasticsearch_url,
        "JIANCHA_DATA_DIR": str(settings.data_dir),
        "JIANCHA_TOPIC_PREFIX": settings.topic_prefix,
        "JIANCHA_INDEX_NAME": settings.index_name,
    }


class Searchable:
    """Which of the given ids a search of the index finds now."""

    def __init__(self, settings: Settings) -> None:
        self.backend = open_index(settings)
        self.find: Callable[[list[str]], set[str]]
        if settings.index == "elasticsearch":
            client = self.backend.client  # type: ignore[attr-defined]
            alias = self.backend.alias  # type: ignore[attr-defined]

            def find(ids: list[str]) -> set[str]:
                found = client.search(
                    index=alias,
                    query={"ids": {"values": ids}},
                    size=len(ids),
                    source=False,
                    track_total_hits=False,
                    filter_path=["hits.hits._id"],  # nothing else to parse
                )
                return {hit["_id"] for hit in found.get("hits", {}).get("hits", [])}
        else:

            def find(ids: list[str]) -> set[str]:
                return {i for i in ids if self.backend.get(i) is not None}

        self.find = find

    def close(self) -> None:
        self.backend.close()


def articles_for(run: str, n: int) -> list[Article]:
    return [
        Article.new(f"https://bench.invalid/{run}/{i}", title=a.title, body=a.body)
        for i, a in enumerate(corpus(n))
    ]


def measure(
    settings: Settings, rate: float, seconds: float, logs_dir: Path
) -> tuple[list[float], dict[str, float | None], int]:
    """(latencies in s, peak RSS MiB per worker, articles never searchable)."""
    bus = open_bus(settings)
    bus.ensure_topics(all_topics(settings.topic_prefix))
    init_index(settings)  # the article index and the reprint step's story store, as `jiancha index init`
    topic = crawler_stage(settings.topic_prefix).output_topic
    assert topic is not None
    workers: dict[str, MeasuredProcess] = {}
    logs = []
    for name, command in WORKERS.items():
        logs_dir.mkdir(parents=True, exist_ok=True)
        log = (logs_dir / f"{name}.log").open("w")
        logs.append(log)
        workers[name] = MeasuredProcess(
            "pipeline.cli", command, env=worker_env(settings), stderr=log, stdout=log
        )
    searchable = Searchable(settings)
    searchable_wall: dict[str, float] = {}
    producer = bus.producer()
    sent: dict[str, float] = {}
    sent_wall: dict[str, float] = {}  # by URL, the key of the workers' log lines
    seen: dict[str, float] = {}
    lock = threading.Lock()
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            with lock:
                pending = [i for i in sent if i not in seen][:1000]
            if pending:
                try:
                    found = searchable.find(pending)
                except Exception as error:  # a slow or refused search must not end the measurement
                    print(f"  search failed, asking again: {error}", flush=True)
                    time.sleep(POLL_S)
                    continue
                now = time.monotonic()
                with lock:
                    for i in found:
                        seen.setdefault(i, now)
            time.sleep(POLL_S)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()

    def publish(article: Article) -> None:
        article.fetched_at = utcnow()
        with lock:
            sent[article.article_id] = time.monotonic()
            sent_wall[article.url] = time.time()
        producer.send(topic, article.article_id, article.to_json())
        producer.flush()

    def wait_for(ids: list[str], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with lock:
                if all(i in seen for i in ids):
                    return
            check_running(workers, logs_dir)
            time.sleep(0.2)

    try:
        warm = articles_for(f"warm-{uuid.uuid4().hex[:6]}", WARM_UP)
        for article in warm:
            publish(article)
        wait_for([a.article_id for a in warm], 300)
        timed = articles_for(f"timed-{uuid.uuid4().hex[:6]}", int(rate * seconds))
        pids = {name: w.process.pid for name, w in workers.items()}
        services = service_pids(settings) if settings.bus == "kafka" else {}
        meter = CpuMeter({**pids, **services, "bench": os.getpid()})
        meter.start()
        started = time.monotonic()
        for n, article in enumerate(timed):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            publish(article)
        backlog = stage_backlog(settings)
        print(f"  backlog of each stage when the last article was sent: {backlog}", flush=True)
        wait_for([a.article_id for a in timed], 120)
        meter.stop()
        print(f"  {meter.line(len(timed), time.monotonic() - started)}", flush=True)
        done.set()
        poller.join()
        with lock:
            latencies = sorted(seen[a.article_id] - sent[a.article_id] for a in timed if a.article_id in seen)
        missing = sum(1 for a in timed if a.article_id not in seen)
        searchable_wall = {a.url: sent_wall[a.url] + seen[a.article_id] - sent[a.article_id]
                           for a in timed if a.article_id in seen}  # fmt: skip
    finally:
        done.set()
        producer.close()
        for worker in workers.values():
            worker.process.send_signal(signal.SIGTERM)
        for worker in workers.values():
            try:
                worker.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        for log in logs:
            log.close()
    if searchable_wall:
        print_hops(logs_dir, {a.url: sent_wall[a.url] for a in timed}, searchable_wall)
        searchable.close()
        bus.close()
        if settings.bus == "kafka":
            cleanup(settings)  # topics, index and story store of this run
    return latencies, {name: w.peak_mib() for name, w in workers.items()}, missing


_OK_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) INFO \S+ ok: (\S+)$")


def logged_ok(log: Path) -> dict[str, float]:
    """When the worker logged each URL's ``ok`` (its outcome; the flush of its batch follows)."""
    times: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = _OK_LINE.match(line)
        if match:
            stamp = time.mktime(time.strptime(match[1], "%Y-%m-%d %H:%M:%S")) + int(match[2]) / 1000
            times.setdefault(match[3], stamp)
    return times


def print_hops(logs_dir: Path, sent: dict[str, float], searchable: dict[str, float]) -> None:
    """p50/p95 of each hop of the timed articles, from the workers' log lines: where the time goes."""
    marks = [("sent", sent)] + [(name, logged_ok(logs_dir / f"{name}.log")) for name in WORKERS]
    marks.append(("searchable", searchable))
    parts = []
    for (before, earlier), (after, later) in itertools.pairwise(marks):
        hop = sorted(later[u] - earlier[u] for u in searchable if u in earlier and u in later)
        if hop:
            parts.append(
                f"{before} → {after} p50 {statistics.median(hop):.2f} / p95 {percentile(hop, 0.95):.2f} s"
            )
    print("  each hop (from the workers' log lines, ms resolution): " + "; ".join(parts), flush=True)


def check_running(workers: dict[str, MeasuredProcess], logs_dir: Path) -> None:
    """Raise at once when a worker has exited (waiting out the timeouts would only hide it)."""
    for name, worker in workers.items():
        code = worker.process.poll()
        if code is not None:
            tail = (logs_dir / f"{name}.log").read_text(errors="replace").splitlines()[-5:]
            raise RuntimeError(f"the {name} worker exited with {code}: " + " | ".join(tail))


def stage_backlog(settings: Settings) -> dict[str, int]:
    """Messages each stage's group has not committed yet: which stage falls behind the rate."""
    bus = open_bus(settings)
    try:
        stages = [*processor_stages(settings.topic_prefix), indexer_stage(settings.topic_prefix)]
        return {
            stage.name: sum(p.lag for p in group_lag(bus, stage.group, [stage.input_topic]))
            for stage in stages
            if stage.input_topic
        }
    finally:
        bus.close()


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, max(0, round(len(values) * fraction) - 1))]


def reachable(settings: Settings) -> bool:
    try:
        open_bus(settings).close()
        backend = open_index(settings)
        backend.close()
        return True
    except ServiceUnavailable:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.latency", description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="articles per second (default 20)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the timed phase (default 30)")
    parser.add_argument("--deployments", default="kafka,embedded")
    parser.add_argument("--logs", type=Path, help="keep the workers' logs in this folder")
    args = parser.parse_args(argv)
    for kind in args.deployments.split(","):
        with tempfile.TemporaryDirectory(prefix=f"jiancha-bench-latency-{kind}-") as tmp:
            settings = deployment_settings(kind, Path(tmp))
            if kind == "kafka" and not reachable(settings):
                print("Kafka or Elasticsearch not reachable: the kafka deployment is skipped")
                continue
            label = "Kafka + Elasticsearch" if kind == "kafka" else "embedded (SQLite log + index)"
            print(f"{label}: {args.rate:g} articles/s for {args.seconds:g} s", flush=True)
            logs_dir = args.logs / kind if args.logs else Path(tmp) / "logs"
            latencies, peaks, missing = measure(settings, args.rate, args.seconds, logs_dir)
        if not latencies:
            print(f"{label}: nothing became searchable (see the workers' logs)")
            continue
        p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
        print(f"{label}: p50 {p50:.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s, "
              f"{missing} never searchable, load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        note = f"{len(latencies)} articles at {args.rate:g}/s; {missing} not searchable within 120 s"
        results.record("latency", f"crawled → searchable p50, {label}", p50, "s", note=note)
        results.record("latency", f"crawled → searchable p95, {label}", p95, "s",
                       goal=results.at_most(GOALS_S[kind]), note=note)  # fmt: skip
        for name, peak in peaks.items():
            if peak is not None:
                results.record("latency", f"peak RSS: {name} worker, {label}", peak, "MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
