"""Search benchmark (issue 5, point 6): `.venv/bin/python -m bench.search [--articles N]`.

Measures, in one run and on this machine:
- relevance: precision@5 and nDCG@10 of the judged query set (bench/judged.py), both backends;
- indexing: the indexer worker (embedded bus → runner → streaming_bulk) against raw
  ``helpers.bulk`` of the same documents into Elasticsearch (ratio, target ≥ 0.8), and SQLite.
  The baseline is the cheapest fair write: the finished document JSON, built before the clock
  starts, sent in the worker's chunk sizes, one request at a time, without external versioning.
  Both start on a warmed-up engine and neither shares it with the other's background merges;
- search latency p50/p95 of a mix of queries with facets and a histogram at N documents;
- index size per article for both backends.

Needs the Elasticsearch of ``JIANCHA_ELASTICSEARCH_URL`` (``deploy/local/services start``); uses
its own index names and deletes them afterwards.
"""

from __future__ import annotations

import argparse
import json
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
from bench.judged import corpus, evaluate, ideal_precision_at_5
from indexer import SearchBackend, SearchQuery, open_index
from indexer.elastic_backend import BULK_CHUNK, BULK_MAX_BYTES, ElasticBackend, article_to_action
from indexer.worker import run_indexer
from pipeline.bus.embedded import EmbeddedBus
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
    articles = corpus()
    results: dict[str, Any] = {"queries": 0, "ideal_precision_at_5": round(ideal_precision_at_5(), 3)}
    for name, own in (
        ("sqlite", settings),
        ("elasticsearch", settings.model_copy(update={"index": "elasticsearch"})),
    ):
        backend = open_index(own.model_copy(update={"index_name": f"bench_relevance_{uuid.uuid4().hex[:8]}"}))
        try:
            backend.init()
            backend.index(list(articles.values()))
            backend.refresh()
            quality = evaluate(backend, articles)
            results["queries"] = len(quality.per_query)
            results[name] = {
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


def bench_elasticsearch(
    settings: Settings, articles: list[Article], rounds: int, work: Path
) -> dict[str, Any]:
    es = settings.model_copy(update={"index": "elasticsearch"})
    suffix = uuid.uuid4().hex[:8]
    raw = open_index(es.model_copy(update={"index_name": f"bench_raw_{suffix}"}))
    worker_settings = es.model_copy(
        update={
            "index_name": f"bench_worker_{suffix}",
            "batch_size": 1000,
            "poll_timeout_s": 0.5,
            "topic_prefix": f"bench{suffix}.",
            "data_dir": work,
        }
    )
    worker = open_index(worker_settings)
    assert isinstance(raw, ElasticBackend) and isinstance(worker, ElasticBackend)
    try:
        raw.init()
        worker.init()
        # Baseline: the same documents, already built, straight through helpers.bulk.
        actions = []
        for article in articles:
            action = article_to_action(article, f"bench_raw_{suffix}-write")
            actions.append({"_index": action["_index"], "_id": action["_id"], "_source": action["_source"]})
        client = raw.client.options(request_timeout=120)
        bulk = partial(helpers.bulk, client, chunk_size=BULK_CHUNK, max_chunk_bytes=BULK_MAX_BYTES)
        # Warm up the engine (JIT, caches) on a slice, so the first phase timed does not pay for it.
        bulk(actions[: min(5_000, len(actions))])
        raw.drop()
        raw.init()
        raw_s = timed(lambda: bulk(actions))
        raw.drop()  # its background merges would otherwise slow the worker's phase down
        # The indexer worker: decode from the bus, convert, streaming_bulk, commit offsets.
        bus = EmbeddedBus(work / "bus.sqlite3")
        stage = indexer_stage(worker_settings.topic_prefix)
        assert stage.input_topic is not None
        bus.ensure_topics([stage.input_topic, stage.dlq_topic])
        producer = bus.producer()
        for article in articles:
            producer.send(stage.input_topic, article.article_id, article.to_json())
        producer.flush()
        producer.close()
        stats_holder: list[Any] = []
        worker_s = timed(lambda: stats_holder.append(run_indexer(worker_settings, bus, until_idle=True)))
        bus.close()
        counts = dict(stats_holder[0].counts)
        worker.refresh()
        worker.client.options(request_timeout=600).indices.forcemerge(index=worker.alias, max_num_segments=1)
        worker.refresh()
        size = worker.stats()
        return {
            "baseline": "helpers.bulk of the finished documents (built before timing), "
            f"{BULK_CHUNK}-document chunks, one request at a time, no versioning",
            "raw_bulk_docs_per_s": round(len(articles) / raw_s),
            "worker_docs_per_s": round(len(articles) / worker_s),
            "throughput_ratio": round(raw_s / worker_s, 2),
            "worker_outcomes": counts,
            "documents": size["documents"],
            "bytes_per_article": size["bytes_per_document"],
            **latency(worker, rounds),
        }
    finally:
        for backend in (raw, worker):
            backend.drop()
            backend.close()


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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
