"""Reprocess benchmark (issue 11, point 5): `.venv/bin/python -m bench.reprocess [--articles N]`.

On both deployments (embedded: SQLite log + SQLite index; scaled: Kafka + Elasticsearch), with N
stored articles (default 100 000, bench.corpus), measures in one run:
- baseline: the indexer's own bulk write of the same articles (``backend.index`` in the indexer's
  batch size), i.e. how fast this engine takes them at all;
- republish: ``jiancha reprocess``'s part of the work — every stored article read back from the
  index (the archive) as crawled and produced to the first processor's topic;
- rebuild: ``jiancha reprocess --from indexer --drain`` end to end — archive → topic → the indexer
  stage (the project's runner) → the index; its ratio to the baseline.

The processors themselves are not run here: their speed is bench.nlp_speed's (the entity step,
~80 articles/s per core, bounds a full reprocess: 100 000 articles ≈ 21 minutes per core).
Needs the local Kafka and Elasticsearch; uses its own topics and indices and deletes them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.corpus import generate
from bench.results import record
from indexer import open_index
from pipeline.bus import open_bus
from pipeline.commands.maintenance import drain
from pipeline.commands.stages import index_until_idle
from pipeline.ops.reprocess import republish
from pipeline.settings import Settings
from pipeline.topics import all_topics, indexer_stage


def deployments(data_dir: Path) -> dict[str, Settings]:
    run = uuid.uuid4().hex[:8]
    base = Settings(data_dir=data_dir, log_level="WARNING", poll_timeout_s=0.5)
    return {
        "embedded": base.model_copy(
            update={"topic_prefix": f"bench_reprocess_{run}.", "index_name": f"bench-reprocess-{run}"}
        ),
        "kafka+elasticsearch": base.model_copy(
            update={
                "bus": "kafka",
                "index": "elasticsearch",
                "kafka_bootstrap": os.environ.get("JIANCHA_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                "elasticsearch_url": os.environ.get("JIANCHA_ELASTICSEARCH_URL", "http://127.0.0.1:9200"),
                "topic_prefix": f"bench_reprocess_{run}_k.",
                "index_name": f"bench-reprocess-{run}-k",
            }
        ),
    }


def timed(work: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    count = work()
    return count, time.perf_counter() - started


def measure(settings: Settings, n: int) -> dict[str, float]:
    articles = list(generate(n))
    backend = open_index(settings)
    bus = open_bus(settings)
    try:
        backend.init()
        bus.ensure_topics(all_topics(settings.topic_prefix))

        def baseline() -> int:
            for i in range(0, n, settings.index_batch_size):
                backend.index(articles[i : i + settings.index_batch_size])
            backend.refresh()
            return backend.count()

        stored, baseline_s = timed(baseline)
        assert stored == n, f"{stored} of {n} stored"
        sent, republish_s = timed(lambda: republish(settings, bus))
        assert sent == n
        # The rebuild: the same archive through the indexer's topic and stage (its own, fresh topic).
        rebuild = settings.model_copy(update={"topic_prefix": settings.topic_prefix + "rebuild."})
        bus.ensure_topics(all_topics(rebuild.topic_prefix))

        def rebuild_all() -> int:
            republish(rebuild, bus, from_stage="indexer")
            counts = drain(rebuild, bus, [indexer_stage(rebuild.topic_prefix)], index_until_idle)
            return sum(counts.values())

        rebuilt, rebuild_s = timed(rebuild_all)
        assert rebuilt == n, f"the rebuild indexed {rebuilt} of {n}"
        return {"baseline": n / baseline_s, "republish": n / republish_s, "rebuild": n / rebuild_s}
    finally:
        for prefix in (settings.topic_prefix, settings.topic_prefix + "rebuild."):
            bus.delete_topics(all_topics(prefix))
        bus.close()
        backend.drop()
        backend.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000, help="stored articles (default 100 000)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    print(f"reprocess of {args.articles} stored articles (load average {load:.1f} at the start)")
    print(
        "| deployment | baseline: bulk index /s | republish (archive → topic) /s | rebuild (archive → indexer → index) /s | rebuild / baseline |"
    )
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="bench-reprocess-") as tmp:
        for name, settings in deployments(Path(tmp)).items():
            rates = measure(settings, args.articles)
            print(
                f"| {name} | {rates['baseline']:.0f} | {rates['republish']:.0f} | {rates['rebuild']:.0f} | "
                f"{rates['rebuild'] / rates['baseline']:.2f} |",
                flush=True,
            )
            record("reprocess", f"rebuild of {args.articles:,} stored articles, {name}", rates["rebuild"],
                   "articles/s", baseline=rates["baseline"], baseline_name="bulk index")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
