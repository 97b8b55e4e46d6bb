"""Scaling out the topics stage: one ``jiancha process --stage topics`` against two, on Kafka and the
Elasticsearch story store, on the same articles in one run.

    .venv/bin/python -m bench.replicas_speed [--articles N] [--replicas 1,2]

The articles (bench.nlp_speed's corpus, 1 000–3 000 characters) go through the entities steps once,
in this process and untimed; then for each replica count the run gets its own topics (three
partitions, ``kafka_partitions``) and story store index, the workers are started and a warm-up
article is sent through (models loaded, the consumer group settled), and the clock runs from
producing the N articles to the stage's input topic until all N are read back from its output
topic. The workers' process CPU time (user + system, from /proc) is taken over the same window:
on a machine shared with other work, replicas can only go as fast as the free cores allow, so the
CPU seconds per article say whether a second replica added work or only waiting.
Kafka and Elasticsearch are those of JIANCHA_KAFKA_BOOTSTRAP and JIANCHA_ELASTICSEARCH_URL.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from kafka.admin import KafkaAdminClient

from bench import results
from bench.chain_speed import run_steps
from bench.cpu import CpuMeter, service_pids
from bench.e2e_speed import JIANCHA, cleanup, workers
from bench.nlp_speed import corpus
from pipeline.bus import open_bus
from pipeline.bus.base import Consumer
from pipeline.commands.common import init_index
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import all_topics, processor_stages
from processors.chain import build_steps

WARM_UP_TIMEOUT_S = 300.0


def scaled(data_dir: Path, run: str) -> Settings:
    return Settings(
        data_dir=data_dir, log_level="INFO", poll_timeout_s=0.5, bus="kafka", index="elasticsearch",
        kafka_bootstrap=os.environ.get("JIANCHA_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        elasticsearch_url=os.environ.get("JIANCHA_ELASTICSEARCH_URL", "http://127.0.0.1:9200"),
        topic_prefix=f"bench_replicas_{run}.", index_name=f"bench-replicas-{run}",
    )  # fmt: skip


def send(settings: Settings, topic: str, articles: Sequence[Article]) -> None:
    bus = open_bus(settings)
    try:
        producer = bus.producer()
        for article in articles:
            producer.send(topic, article.article_id, article.to_json())
        producer.close()
    finally:
        bus.close()


def measure(
    settings: Settings, replicas: int, warm_up: Article, inputs: Sequence[Article], logs: Path
) -> tuple[float, float, str]:
    """Seconds from producing ``inputs`` to reading all of them from the stage's output, the
    workers' CPU seconds meanwhile, and a line with each process's CPU (Kafka's and Elasticsearch's
    too) and the articles each replica handled."""
    stage = processor_stages(settings.topic_prefix)[1]
    assert stage.input_topic is not None and stage.output_topic is not None
    bus = open_bus(settings)
    bus.ensure_topics(all_topics(settings.topic_prefix))
    bus.close()
    init_index(settings)
    reader = open_bus(settings)
    consumer = reader.consumer([stage.output_topic], f"bench-replicas-{uuid.uuid4().hex[:6]}")
    try:
        command = [*JIANCHA, "process", "--stage", "topics"]
        with workers(settings, [command] * replicas, logs / f"replicas{replicas}") as running:
            send(settings, stage.input_topic, [warm_up])
            _read(consumer, 1, WARM_UP_TIMEOUT_S, running)
            _wait_for_members(settings, stage.group, replicas)
            meter = CpuMeter(
                {**{f"replica {i + 1}": p.pid for i, p in enumerate(running)}, **service_pids(settings)}
            )
            meter.start()
            start = time.perf_counter()
            send(settings, stage.input_topic, inputs)
            _read(consumer, len(inputs), max(600.0, 2.0 * len(inputs)), running)
            seconds = time.perf_counter() - start
            used = meter.stop()
            cpu = sum(v for k, v in used.items() if k.startswith("replica"))
        handled = [_handled(logs / f"replicas{replicas}" / f"worker{i}.log") for i in range(replicas)]
        detail = f"{meter.line(len(inputs), seconds)}; articles each replica handled: {handled}"
    finally:
        consumer.close()
        reader.close()
        cleanup(settings)
    return seconds, cpu, detail


def _wait_for_members(settings: Settings, group: str, members: int, timeout_s: float = 120.0) -> None:
    """Until the stage's consumer group is stable with every replica in it: the warm-up article needs
    only one, and a replica joining after the clock started would take its partitions late."""
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap.split(","), client_id="bench-replicas"
    )
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            info = admin.describe_groups([group]).get(group, {})
            if info.get("group_state") == "Stable" and len(info.get("members") or ()) == members:
                return
            time.sleep(0.5)
        raise TimeoutError(f"the group {group} did not settle with {members} members in {timeout_s:.0f} s")
    finally:
        admin.close()


def _handled(log: Path) -> int:
    """Articles a worker's log says it handled (one INFO outcome line each), the warm-up included."""
    try:
        return sum(1 for line in log.read_text(errors="replace").splitlines() if " ok: " in line)
    except OSError:
        return 0


def _read(
    consumer: Consumer, count: int, timeout_s: float, running: Sequence[subprocess.Popen[bytes]]
) -> None:
    seen: set[str] = set()
    start = time.perf_counter()
    while len(seen) < count:
        if time.perf_counter() - start > timeout_s:
            raise TimeoutError(f"{len(seen)} of {count} out of the topics stage after {timeout_s:.0f} s")
        if any(p.poll() is not None for p in running):
            raise RuntimeError(f"a topics worker exited with {len(seen)} of {count} through")
        messages = consumer.poll(500, 0.5)
        seen.update(m.key or "" for m in messages)
        if messages:
            consumer.commit(messages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=400, help="articles per run (default 400)")
    parser.add_argument("--replicas", default="1,2", help="replica counts, comma-separated (default 1,2)")
    parser.add_argument("--logs", type=Path, help="keep the workers' logs in this folder (INFO level)")
    parser.add_argument(
        "--partitions", type=int, help="partitions of the run's topics (default: kafka_partitions)"
    )
    args = parser.parse_args(argv)
    counts = [int(x) for x in args.replicas.split(",") if x.strip()]
    articles = corpus(args.articles + 1, seed=23)
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp:
        entities = run_steps(build_steps("entities", Settings(data_dir=Path(tmp))), articles)
        warm_up, inputs = entities[0], entities[1:]
        print(
            f"{len(inputs)} articles through the topics stage on Kafka + Elasticsearch, {os.cpu_count()} CPUs\n"
        )
        print("| replicas | seconds | articles/s | workers' CPU s per article | load average at the end |")
        print("| --- | --- | --- | --- | --- |")
        rate: dict[int, float] = {}
        details: list[str] = []
        for replicas in counts:
            settings = scaled(Path(tmp) / f"r{replicas}", uuid.uuid4().hex[:8])
            if args.partitions:
                settings = settings.model_copy(update={"kafka_partitions": args.partitions})
            seconds, cpu, detail = measure(
                settings, replicas, warm_up, inputs, args.logs or Path(tmp) / "logs"
            )
            rate[replicas] = len(inputs) / seconds
            print(f"| {replicas} | {seconds:.1f} | {rate[replicas]:.1f} | {cpu / len(inputs):.3f} | "
                  f"{os.getloadavg()[0]:.1f} |", flush=True)  # fmt: skip
            details.append(f"{replicas} replica(s): {detail}")
    print("\n" + "\n".join(details))
    if 1 in rate and 2 in rate:
        print(f"\ntwo replicas / one: {rate[2] / rate[1]:.2f}× (goal ≥ 1.6×; bounded by the free cores)")
        results.record(
            "replicas_speed", "topics stage, 2 replicas on Kafka + ES", rate[2], "articles/s",
            baseline=rate[1], baseline_name="1 replica", goal=results.at_least(1.6),
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
