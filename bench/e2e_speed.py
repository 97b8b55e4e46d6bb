"""End to end: N articles published at once to the fetched topic, timed until all are searchable, on the
embedded default and on Kafka + Elasticsearch, in one run on the same articles.

``python -m bench.e2e_speed [--articles N] [--only embedded|kafka+elasticsearch]``. Kafka and
Elasticsearch must run at JIANCHA_KAFKA_BOOTSTRAP and JIANCHA_ELASTICSEARCH_URL (default
127.0.0.1:9092 and http://127.0.0.1:9200); topics ``bench_e2e_<uuid>.*`` and indices
``bench-e2e-<uuid>*`` are the run's own and deleted after.

Each deployment runs as it is deployed: the embedded default is one process with the processor
stages and the indexer in threads on the SQLite log (what ``jiancha up`` runs, without its crawler
and web app); the scaled one is three processes, ``jiancha process --stage entities``, ``jiancha
process --stage topics`` and ``jiancha index-worker``, on Kafka and Elasticsearch. The workers are
started first and one warm-up article is sent through until it is searchable (models loaded,
consumer groups joined); then the clock starts, the N articles are produced to the fetched topic,
and the index's count (what a search sees) is polled until it holds all of them.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.nlp_speed import corpus
from indexer import open_index
from pipeline.bus import open_bus
from pipeline.commands.common import init_index
from pipeline.model import Article
from pipeline.settings import REPO_ROOT, Settings
from pipeline.topics import all_topics, processor_stages
from processors.reprints import open_story_store

POLL_S = 0.5
WARM_UP_TIMEOUT_S = 300.0
JIANCHA = [sys.executable, "-m", "pipeline.cli"]


def deployments(data_dir: Path, run: str) -> dict[str, Settings]:
    base = Settings(data_dir=data_dir, log_level="WARNING", poll_timeout_s=0.5)
    return {
        "embedded": base.model_copy(
            update={"data_dir": data_dir / "embedded", "topic_prefix": f"bench_e2e_{run}.",
                    "index_name": f"bench-e2e-{run}"}
        ),
        "kafka+elasticsearch": base.model_copy(
            update={
                "data_dir": data_dir / "scaled",
                "bus": "kafka",
                "index": "elasticsearch",
                "kafka_bootstrap": os.environ.get("JIANCHA_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                "elasticsearch_url": os.environ.get("JIANCHA_ELASTICSEARCH_URL", "http://127.0.0.1:9200"),
                "topic_prefix": f"bench_e2e_{run}_k.",
                "index_name": f"bench-e2e-{run}-k",
            }
        ),
    }  # fmt: skip


def environment(settings: Settings) -> dict[str, str]:
    """The settings as a worker process reads them (JIANCHA_… variables)."""
    env = dict(os.environ)
    for name in ("data_dir", "bus", "index", "kafka_bootstrap", "elasticsearch_url", "topic_prefix",
                 "index_name", "log_level", "poll_timeout_s"):  # fmt: skip
        env[f"JIANCHA_{name.upper()}"] = str(getattr(settings, name))
    return env


def worker_commands(name: str) -> list[list[str]]:
    if name == "embedded":
        return [[sys.executable, "-m", "bench.e2e_speed", "--embedded-worker"]]
    return [
        [*JIANCHA, "process", "--stage", "entities"],
        [*JIANCHA, "process", "--stage", "topics"],
        [*JIANCHA, "index-worker"],
    ]


@contextmanager
def workers(
    settings: Settings, commands: Sequence[list[str]], log_dir: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """The worker processes while the block runs; SIGTERM (graceful) after it."""
    started: list[subprocess.Popen[bytes]] = []
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        for i, command in enumerate(commands):
            log = (log_dir / f"worker{i}.log").open("w")
            started.append(
                subprocess.Popen(command, cwd=REPO_ROOT, env=environment(settings), stdout=log, stderr=log)
            )
        yield started
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def publish(settings: Settings, articles: Sequence[Article]) -> None:
    bus = open_bus(settings)
    try:
        topic = processor_stages(settings.topic_prefix)[0].input_topic
        assert topic is not None
        producer = bus.producer()
        for article in articles:
            producer.send(topic, article.article_id, article.to_json())
        producer.close()
    finally:
        bus.close()


def wait_for(
    settings: Settings, count: int, timeout_s: float, running: Sequence[subprocess.Popen[bytes]]
) -> float:
    """Seconds until the index counts ``count`` documents (raises after ``timeout_s``, or when a worker
    has exited)."""
    backend = open_index(settings)
    start = time.perf_counter()
    try:
        while (n := backend.count()) < count:
            if time.perf_counter() - start > timeout_s:
                raise TimeoutError(f"{n} of {count} searchable after {timeout_s:.0f} s")
            if any(p.poll() is not None for p in running):
                raise RuntimeError(
                    f"a worker exited with {n} of {count} searchable; see {settings.data_dir}/logs"
                )
            time.sleep(POLL_S)
        return time.perf_counter() - start
    finally:
        backend.close()


def measure(
    name: str, settings: Settings, articles: Sequence[Article], warm_up: Article, logs: Path
) -> float:
    """Seconds from the first article produced to all of them searchable."""
    bus = open_bus(settings)
    bus.ensure_topics(all_topics(settings.topic_prefix))
    bus.close()
    init_index(settings)
    try:
        with workers(settings, worker_commands(name), logs / name) as running:
            publish(settings, [warm_up])
            wait_for(settings, 1, WARM_UP_TIMEOUT_S, running)
            start = time.perf_counter()
            publish(settings, articles)
            wait_for(settings, len(articles) + 1, max(600.0, len(articles) * 1.0), running)
            return time.perf_counter() - start
    finally:
        cleanup(settings)


def cleanup(settings: Settings) -> None:
    bus = open_bus(settings)
    try:
        bus.delete_topics(all_topics(settings.topic_prefix))
    finally:
        bus.close()
    backend = open_index(settings)
    try:
        backend.drop()
    finally:
        backend.close()
    store = open_story_store(settings)
    try:
        store.drop()
    finally:
        store.close()


def embedded_worker() -> int:
    """The embedded default's stages in one process, side by side in threads, until SIGTERM."""
    from indexer.worker import indexer_runner
    from pipeline.commands.stages import stop_on_signals
    from pipeline.supervise import supervise
    from processors.worker import processor_runners, supervised

    settings = Settings()
    bus = open_bus(settings)
    stop = threading.Event()
    stop_on_signals(stop)
    try:
        runners = processor_runners(settings, bus)
        with indexer_runner(settings, bus) as indexer:
            supervise([supervised(r) for r in [*runners, indexer]], stop)
    finally:
        bus.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--articles", type=int, default=2000, help="articles published at once (default 2000)"
    )
    parser.add_argument("--only", choices=["embedded", "kafka+elasticsearch"], help="one deployment only")
    parser.add_argument("--logs", type=Path, help="keep the workers' logs in this folder (INFO level)")
    parser.add_argument("--embedded-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.embedded_worker:
        return embedded_worker()
    articles = corpus(args.articles + 1, seed=11)
    warm_up, articles = articles[0], articles[1:]
    sizes = sorted(len(a.body) for a in articles)
    print(f"{len(articles)} articles of {sizes[0]}–{sizes[-1]} characters published at once, "
          f"{os.cpu_count()} CPUs\n")  # fmt: skip
    print("| deployment | seconds until all searchable | articles/s | load average at the end |")
    print("| --- | --- | --- | --- |")
    seconds = {}
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        for name, settings in deployments(Path(tmp), uuid.uuid4().hex[:8]).items():
            if args.only and name != args.only:
                continue
            if args.logs:
                settings = settings.model_copy(update={"log_level": "INFO"})
            seconds[name] = measure(name, settings, articles, warm_up, args.logs or Path(tmp) / "logs")
            load = os.getloadavg()[0]
            print(
                f"| {name} | {seconds[name]:.1f} | {len(articles) / seconds[name]:.1f} | {load:.1f} |",
                flush=True,
            )
    if len(seconds) == 2:
        ratio = seconds["kafka+elasticsearch"] / seconds["embedded"]
        print(f"\nKafka + Elasticsearch / embedded: {ratio:.2f}× the time (goal ≤ 2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
