"""Search benchmark (issue 5, point 6): `.venv/bin/python -m bench.search [--articles N]`.

Measures, in one run and on this machine:
- relevance: precision@5 and nDCG@10 of the judged query set (evaluation/judged.py), both backends,
  with the entity stage's word fields and without them (events from before the field);
- indexing: the indexer worker (Kafka, else the embedded bus → runner → streaming_bulk) against
  raw ``helpers.bulk`` of the same documents into Elasticsearch (ratio, target ≥ 0.8; the median
  of THROUGHPUT_RUNS runs), and SQLite. The baseline is the cheapest fair write: the finished
  document JSON, built before the clock starts, sent in the worker's chunk sizes, one request at
  a time, without external versioning (a versioned raw bulk is reported beside it). All start on
  a warmed-up engine and none shares it with another's background merges;
- search latency p50/p95 of a mix of queries with facets and a histogram at N documents;
- index size per article for both backends.

Needs the Elasticsearch of ``JIANCHA_ELASTICSEARCH_URL`` (``deploy/local/services start``); uses
its own index names and deletes them afterwards. Over 300 lines: four measurements that share one
corpus, one engine set-up and one report.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from elasticsearch import helpers

from bench.corpus import generate
from bench.results import at_least, record
from evaluation.judged import corpus, evaluate, ideal_precision_at_5
from indexer import SearchBackend, SearchQuery, open_index
from indexer.elastic_backend import BULK_CHUNK, BULK_MAX_BYTES, ElasticBackend, article_to_action
from indexer.worker import run_indexer
from pipeline.bus import Bus, open_bus
from pipeline.bus.embedded import EmbeddedBus
from pipeline.errors import ServiceUnavailable
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import indexer_stage

# The mix a press office produces: broad and narrow words, phrases, boolean queries, filters,
# date sort; every query asks for facets, half of them for a histogram too.
QUERY_MIX: list[dict[str, Any]] = [
    {"text": "检察"},
    {"text": "司法救助"},
    {"text": "公益诉讼 黄河"},
    {"text": "洪洞县检察院"},
    {"text": '"检察听证"'},
    {"text": "未成年人 -交通"},
    {"text": "公益诉讼 (黄河 OR 汾河)"},
    {"text": "认罪认罚", "sort": "date"},
    {"text": "检察建议", "region": "临汾市"},
    {"text": "检察", "topic": "minors", "sort": "date"},
    {"text": "电信诈骗 OR 提起公诉"},
    {"text": "农民工 欠薪"},
    {"text": "检察院", "tone": "critical"},
    {"text": "「公开听证」 人民监督员"},
    {"text": "困难群众 救助金", "procuratorate": "尧都区人民检察院"},
    {"text": "乡村 旅游节"},
    {"text": "法治副校长", "site": "sxrb"},
    {"text": "生态环境 -汾河", "min_relevance": 0.7},
    {"text": "國家 司法救助"},
    {"text": "检察", "collapse_stories": False, "page": 3},
]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def latency(backend: SearchBackend, rounds: int) -> dict[str, float]:
    queries = [
        SearchQuery(facets=True, histogram="month" if i % 2 else None, **q) for i, q in enumerate(QUERY_MIX)
    ]
    for query in queries:  # warm caches once, as a running web app has them
        backend.search(query)
    samples = [timed(lambda q=q: backend.search(q)) * 1000 for _ in range(rounds) for q in queries]  # type: ignore[misc]
    samples.sort()
    return {
        "queries": len(samples),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
        "max_ms": round(samples[-1], 1),
    }


def relevance(settings: Settings) -> dict[str, Any]:
    """precision@5 / nDCG@10 of the judged queries on both backends, with the entity stage's word
    fields (as articles are indexed now) and without them (events from before the field)."""
    results: dict[str, Any] = {"queries": 0, "ideal_precision_at_5": round(ideal_precision_at_5(), 3)}
    for name, own in (
        ("sqlite", settings),
        ("elasticsearch", settings.model_copy(update={"index": "elasticsearch"})),
    ):
        for label, words in (("", True), ("_without_words", False)):
            articles = corpus(words=words)
            backend = open_index(
                own.model_copy(update={"index_name": f"bench_relevance_{uuid.uuid4().hex[:8]}"})
            )
            try:
                backend.init()
                backend.index(list(articles.values()))
                backend.refresh()
                quality = evaluate(backend, articles)
                results["queries"] = len(quality.per_query)
                results[name + label] = {
                    "precision_at_5": round(quality.precision_at_5, 3),
                    "ndcg_at_10": round(quality.ndcg_at_10, 3),
                }
            finally:
                backend.drop()
                backend.close()
    return results


def bench_sqlite(settings: Settings, articles: list[Article], rounds: int) -> dict[str, Any]:
    backend = open_index(settings.model_copy(update={"index_name": "bench_sqlite"}))
    try:
        backend.init()
        batch = 1000
        seconds = timed(
            lambda: [backend.index(articles[i : i + batch]) for i in range(0, len(articles), batch)]
        )
        conn = backend._conn  # type: ignore[attr-defined]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stats = backend.stats()
        return {
            "index_docs_per_s": round(len(articles) / seconds),
            "bytes_per_article": stats["bytes_per_document"],
            **latency(backend, rounds),
        }
    finally:
        backend.drop()
        backend.close()


# Runs of the indexing comparison (raw bulk, versioned raw bulk, worker, each on a fresh index, in
# a rotated order so that each phase takes each place once); the ratio reported is the median of
# the runs' ratios: on a shared 2-CPU machine a single figure moves by ±20 %.
THROUGHPUT_RUNS = 3
PHASES = ("raw", "versioned", "worker")


def raw_bulk_seconds(es: Settings, articles: list[Article], versioned: bool, warm_up: bool = False) -> float:
    """``helpers.bulk`` of the finished documents (built before the clock starts) into a fresh index,
    in the worker's chunk sizes, one request at a time; ``versioned`` adds the worker's external
    version to each action. The index is deleted afterwards: its background merges would slow the
    next phase down. ``warm_up`` only warms the engine up (JIT, caches) on a slice."""
    name = f"bench_raw_{uuid.uuid4().hex[:8]}"
    raw = open_index(es.model_copy(update={"index_name": name}))
    assert isinstance(raw, ElasticBackend)
    try:
        raw.init()
        actions = []
        for article in articles:
            action = article_to_action(article, f"{name}-write")
            if not versioned:
                action = {"_index": action["_index"], "_id": action["_id"], "_source": action["_source"]}
            actions.append(action)
        client = raw.client.options(request_timeout=120)
        bulk = partial(helpers.bulk, client, chunk_size=BULK_CHUNK, max_chunk_bytes=BULK_MAX_BYTES)
        return timed(lambda: bulk(actions[: min(5_000, len(actions))] if warm_up else actions))
    finally:
        raw.drop()
        raw.close()


def worker_seconds(
    worker_settings: Settings, worker: ElasticBackend, articles: list[Article], kafka: bool, work: Path
) -> tuple[float, float, dict[str, int]]:
    """The indexer worker (bus → decode → documents → streaming_bulk → commit) into a fresh index:
    (seconds from its first batch to its last durable write, wall seconds of ``run_indexer`` with
    connecting, group join and idle detection, outcomes). The documents stay in ``worker``."""
    worker.drop()
    worker.init()
    settings = worker_settings.model_copy(update={"topic_prefix": f"bench{uuid.uuid4().hex[:8]}."})
    bus: Bus = open_bus(settings) if kafka else EmbeddedBus(work / f"{settings.topic_prefix}sqlite3")
    stage = indexer_stage(settings.topic_prefix)
    assert stage.input_topic is not None
    topics = [stage.input_topic, stage.dlq_topic]
    try:
        bus.ensure_topics(topics)
        producer = bus.producer()
        for article in articles:
            producer.send(stage.input_topic, article.article_id, article.to_json())
        producer.close()
        started = time.perf_counter()
        stats = run_indexer(settings, bus, until_idle=True)
        wall = time.perf_counter() - started
    finally:
        bus.delete_topics(topics)
        bus.close()
    assert stats.first_batch_at is not None and stats.last_durable_at is not None
    return stats.last_durable_at - stats.first_batch_at, wall, dict(stats.counts)


def kafka_reachable(settings: Settings) -> bool:
    try:
        open_bus(settings.model_copy(update={"bus": "kafka"})).close()
    except ServiceUnavailable:
        return False
    return True


def indexing_throughput(
    es: Settings, worker_settings: Settings, worker: ElasticBackend, articles: list[Article], work: Path
) -> dict[str, Any]:
    """The worker against raw ``helpers.bulk`` of the same documents, ``THROUGHPUT_RUNS`` times."""
    kafka = kafka_reachable(worker_settings)
    n = len(articles)
    runs: list[dict[str, Any]] = []
    raw_bulk_seconds(es, articles, versioned=False, warm_up=True)
    for i in range(THROUGHPUT_RUNS):
        order = PHASES[i % len(PHASES) :] + PHASES[: i % len(PHASES)]
        for phase in order:
            if phase == "worker":
                steady_s, wall_s, counts = worker_seconds(worker_settings, worker, articles, kafka, work)
            elif phase == "raw":
                raw_s = raw_bulk_seconds(es, articles, versioned=False)
            else:
                versioned_s = raw_bulk_seconds(es, articles, versioned=True)
        runs.append(
            {
                "raw_bulk_docs_per_s": round(n / raw_s),
                "raw_versioned_docs_per_s": round(n / versioned_s),
                "worker_docs_per_s": round(n / steady_s),
                "worker_wall_docs_per_s": round(n / wall_s),
                "ratio": round(raw_s / steady_s, 3),
                "ratio_to_versioned": round(versioned_s / steady_s, 3),
                "worker_outcomes": counts,
                "order": "/".join(order),
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
        print(json.dumps({"indexing_run": runs[-1]}, ensure_ascii=False), flush=True)
    ratios: list[float] = [r["ratio"] for r in runs]

    def median(key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 3)

    return {
        "baseline": "helpers.bulk of the finished documents (built before timing), "
        f"{BULK_CHUNK}-document chunks, one request at a time, no versioning",
        "worker": f"on {'Kafka' if kafka else 'the embedded bus'}, batches of {worker_settings.index_batch_size}, "
        f"bulk streams: {worker_settings.index_concurrency}, from its first batch to its last write",
        "raw_bulk_docs_per_s": median("raw_bulk_docs_per_s"),
        "raw_versioned_docs_per_s": median("raw_versioned_docs_per_s"),
        "worker_docs_per_s": median("worker_docs_per_s"),
        "worker_wall_docs_per_s": median("worker_wall_docs_per_s"),
        "throughput_ratio": median("ratio"),
        "throughput_ratio_range": [min(ratios), max(ratios)],
        "ratio_to_versioned_bulk": median("ratio_to_versioned"),
        "worker_outcomes": runs[-1]["worker_outcomes"],
        "throughput_runs": runs,
    }


def bench_elasticsearch(
    settings: Settings, articles: list[Article], rounds: int, work: Path
) -> dict[str, Any]:
    es = settings.model_copy(update={"index": "elasticsearch"})
    suffix = uuid.uuid4().hex[:8]
    worker_settings = es.model_copy(
        update={
            "index_name": f"bench_worker_{suffix}",
            "poll_timeout_s": 0.5,
            "data_dir": work,
        }
    )
    work.mkdir(parents=True, exist_ok=True)
    worker = open_index(worker_settings)
    assert isinstance(worker, ElasticBackend)
    try:
        throughput = indexing_throughput(es, worker_settings, worker, articles, work)
        worker.refresh()
        worker.client.options(request_timeout=600).indices.forcemerge(index=worker.alias, max_num_segments=1)
        worker.refresh()
        size = worker.stats()
        return {
            **throughput,
            "documents": size["documents"],
            "bytes_per_article": size["bytes_per_document"],
            **latency(worker, rounds),
        }
    finally:
        worker.drop()
        worker.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.search", description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000, help="generated articles to index")
    parser.add_argument("--rounds", type=int, default=5, help="times each query of the mix is timed")
    parser.add_argument("--backends", default="sqlite,elasticsearch", help="which backends to measure")
    args = parser.parse_args(argv)
    backends = set(args.backends.split(","))
    with tempfile.TemporaryDirectory(prefix="jiancha-bench-") as tmp:
        work = Path(tmp)
        settings = Settings(data_dir=work / "data")
        report: dict[str, Any] = {"articles": args.articles, "relevance": relevance(settings)}
        print(json.dumps(report, ensure_ascii=False), flush=True)
        articles = list(generate(args.articles))
        if "sqlite" in backends:
            report["sqlite"] = bench_sqlite(settings, articles, args.rounds)
            print(json.dumps({"sqlite": report["sqlite"]}, ensure_ascii=False), flush=True)
        if "elasticsearch" in backends:
            report["elasticsearch"] = bench_elasticsearch(settings, articles, args.rounds, work / "worker")
        print(json.dumps(report, ensure_ascii=False, indent=2))
    record_figures(report)
    return 0


def record_figures(report: dict[str, Any]) -> None:
    """The table's rows: the indexer against helpers.bulk, search latency on each backend."""
    n = report["articles"]
    es = report.get("elasticsearch")
    if es:
        record(
            "search",
            f"indexer worker into Elasticsearch, {n:,} articles",
            es["worker_docs_per_s"],
            "docs/s",
            baseline=es["raw_bulk_docs_per_s"],
            baseline_name="helpers.bulk",
            ratio=es["throughput_ratio"],
            goal=at_least(0.8),
            note=f"range {es['throughput_ratio_range'][0]}–{es['throughput_ratio_range'][1]}",
        )
    for name in ("sqlite", "elasticsearch"):
        if name in report:
            for p in ("p50", "p95"):
                record("search", f"search latency {p}, {name}, {n:,} docs", report[name][f"{p}_ms"], "ms")


if __name__ == "__main__":
    raise SystemExit(main())
