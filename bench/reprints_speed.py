"""Reprint matching speed on both story stores: the topics stage on the same articles with the SQLite
story store and the Elasticsearch one, the store holding 0, 10 000 and 100 000 members beforehand.

    .venv/bin/python -m bench.reprints_speed [--articles N] [--members 0,10000,100000] [--batch 100]
                                             [--per-article] [--elasticsearch-url URL]

The articles are generated copies and look-alikes (bench/reprint_corpus.py: half of them have a
copy among the others), run through the entities stage once (untimed); then, for each store and
fill (after an untimed warm-up run of each store), the topics stage (topics, statistics, keywords, reprints) runs through the stage runner on the
embedded bus with ``--batch`` articles per batch, timed from its first batch to its last durable
output. The fill is bulk-written before the run (not through the step): members with random
sketches (random LSH bands, paragraph hashes and sizes, dated within the story window of the
articles), i.e. a store of stories unrelated to the new articles, as most of a real store is.
``--per-article`` adds runs with batches of one (what assignment cost before it was batched).
Printed: articles/s, each store's ratio to SQLite and each fill's ratio to its empty store, and
whether both stores grouped the copies alike (same-story pairs joined, look-alikes apart).
Elasticsearch is the one of JIANCHA_ELASTICSEARCH_URL; its runs are skipped when it is unreachable.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bench.chain_speed import run_steps
from bench.cpu import CpuMeter, service_pids
from bench.reprint_corpus import look_alike_pairs, same_story_pairs
from bench.store_profile import profiled
from pipeline.bus.embedded import EmbeddedBus
from pipeline.errors import ServiceUnavailable
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import processor_stages
from processors.chain import build_steps
from processors.reprints import open_story_store
from processors.reprints.fingerprint import NUM_PERM, Sketch
from processors.reprints.store import Member, StoryStore
from processors.worker import processor_runner

PUBLISHED = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
FILL_CHUNK = 2000  # members per bulk request (or transaction) while filling
FILL_PARAGRAPHS = 12  # paragraphs per generated member: a 2 000-character article has about that many


def corpus(n: int, seed: int) -> tuple[list[Article], list[tuple[str, str, bool]]]:
    """``n`` articles (pairs of copies and of look-alikes, shuffled) and the pairs by article id."""
    rng = random.Random(seed)
    half = max(1, n // 4)
    pairs = [(a, b, True) for a, b, _ in same_story_pairs(rng, half)]
    pairs += [(a, b, False) for a, b, _ in look_alike_pairs(rng, half)]
    articles, truth = [], []
    for i, (a, b, same) in enumerate(pairs):
        made = [
            Article.new(
                f"https://bench.invalid/{i}/{j}.html", site=f"outlet{j}", title=s.title, body=s.body,
                source=s.source, published_at=PUBLISHED + timedelta(hours=rng.randint(0, 240)),
            )
            for j, s in enumerate((a, b))
        ]  # fmt: skip
        articles += made
        truth.append((made[0].article_id, made[1].article_id, same))
    rng.shuffle(articles)
    return articles, truth


def entities(articles: Sequence[Article], settings: Settings) -> list[Article]:
    return run_steps(build_steps("entities", settings), articles)


def members(n: int, seed: int) -> Iterator[Member]:
    """``n`` decided members with random sketches, dated around the articles."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        size = int(rng.integers(200, 3000))
        sample = tuple(
            tuple(sorted(int(x) for x in rng.integers(0, 2**32, 8))) for _ in range(FILL_PARAGRAPHS)
        )
        sketch = Sketch(
            minhash=tuple(int(x) for x in rng.integers(0, 2**32, NUM_PERM)),
            size=size,
            sample=sample,
            figures=frozenset({str(int(rng.integers(1, 5000)))}),
            places=frozenset(),
            paragraphs=tuple(int(x) for x in rng.integers(0, 2**63, FILL_PARAGRAPHS)),
        )
        when = PUBLISHED + timedelta(hours=int(rng.integers(-24 * 40, 24 * 40)))
        article_id = f"fill{seed:04d}{i:012d}"
        yield Member(
            article_id=article_id, story_id=article_id, url=f"https://fill.invalid/{i}", outlet=f"fill{i % 97}",
            source=None, published_at=when, seen_at=when, title="填充", content_hash=article_id,
            registered_at=when, sketch=sketch,
        )  # fmt: skip


def fill(store: StoryStore, n: int) -> float:
    started = time.perf_counter()
    chunk: list[Member] = []
    for member in members(n, seed=n % 9973):
        chunk.append(member)
        if len(chunk) == FILL_CHUNK:
            store.put_many(chunk)
            chunk = []
    store.put_many(chunk)
    return time.perf_counter() - started


def run_topics(settings: Settings, inputs: Sequence[Article], workdir: Path) -> tuple[float, dict[str, str]]:
    """Articles/s of the topics stage (first batch to last durable output), and the story ids."""
    bus = EmbeddedBus(workdir / f"bus-{uuid.uuid4().hex[:8]}.sqlite3")
    stage = processor_stages(settings.topic_prefix)[1]
    assert stage.input_topic is not None and stage.output_topic is not None
    bus.ensure_topics([stage.input_topic, stage.output_topic, stage.dlq_topic])
    producer = bus.producer()
    for article in inputs:
        producer.send(stage.input_topic, article.article_id, article.to_json())
    producer.close()
    runner = processor_runner(settings, bus, stage)
    stats = runner.run(until_idle=True)
    if stats.counts["ok"] != len(inputs) or stats.first_batch_at is None or stats.last_durable_at is None:
        raise RuntimeError(f"topics stage: {dict(stats.counts)} of {len(inputs)}")
    consumer = bus.consumer([stage.output_topic], "bench")
    stories = {
        a.article_id: a.story_id or ""
        for a in map(Article.from_json, (m.value for m in consumer.poll(10**6, 0.5)))
    }
    consumer.close()
    bus.close()
    return len(inputs) / (stats.last_durable_at - stats.first_batch_at), stories


def grouping(stories: dict[str, str], truth: Sequence[tuple[str, str, bool]]) -> dict[str, float]:
    same = [stories[a] == stories[b] for a, b, t in truth if t]
    apart = [stories[a] != stories[b] for a, b, t in truth if not t]
    return {
        "copies_joined": round(sum(same) / len(same), 3),
        "look_alikes_apart": round(sum(apart) / len(apart), 3),
    }


def measure(
    settings: Settings, inputs: Sequence[Article], fill_n: int, workdir: Path, profile: bool = False
) -> tuple[float, float, dict[str, str]]:
    store = open_story_store(settings)
    try:
        store.drop()
        store.init()
        filled = fill(store, fill_n)
        if profile:
            with profiled() as calls:
                rate, stories = run_topics(settings, inputs, workdir)
            batches = -(-len(inputs) // settings.batch_size)
            print(f"{settings.index} store, {fill_n} members, {batches} batches: "
                  f"{1000 * len(inputs) / rate / batches:.0f} ms of stage per batch")  # fmt: skip
            print("\n".join(calls.lines(batches)), flush=True)
        else:
            pids = {
                "bench": os.getpid(),
                **(service_pids(settings) if settings.index == "elasticsearch" else {}),
            }
            meter = CpuMeter({k: v for k, v in pids.items() if k != "kafka"})
            meter.start()
            started = time.perf_counter()
            rate, stories = run_topics(settings, inputs, workdir)
            meter.stop()
            print(f"  {settings.index} store, {fill_n} members: "
                  f"{meter.line(len(inputs), time.perf_counter() - started)}", flush=True)  # fmt: skip
    finally:
        store.drop()
        store.close()
    return rate, filled, stories


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=400, help="articles per run (default 400)")
    parser.add_argument("--members", default="0,10000,100000", help="store fills, comma-separated")
    parser.add_argument(
        "--batch", type=int, default=100, help="articles per batch (default 100, as batch_size)"
    )
    parser.add_argument("--per-article", action="store_true", help="also run with batches of one")
    parser.add_argument("--stores", default="sqlite,elasticsearch", help="stores to run, comma-separated")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--profile", action="store_true", help="print each store call's count and time per batch"
    )
    parser.add_argument(
        "--elasticsearch-url", default=os.environ.get("JIANCHA_ELASTICSEARCH_URL", "http://127.0.0.1:9200")
    )
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    fills = [int(x) for x in args.members.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-reprints-") as tmp:
        workdir = Path(tmp)
        base = Settings(data_dir=workdir, index_name=f"bench-reprints-{uuid.uuid4().hex[:8]}", bus="embedded")
        articles, truth = corpus(args.articles, args.seed)
        inputs = entities(articles, base)
        stores = {
            "sqlite": base,
            "elasticsearch": base.model_copy(
                update={"index": "elasticsearch", "elasticsearch_url": args.elasticsearch_url}
            ),
        }
        stores = {k: v for k, v in stores.items() if k in args.stores.split(",")}
        for settings in stores.values():  # untimed warm-up: caches, the engine's first queries
            try:
                measure(settings.model_copy(update={"batch_size": args.batch}), inputs[:100], 0, workdir)
            except ServiceUnavailable:
                pass
        batches = [args.batch, *([1] if args.per_article else [])]
        rows: list[dict[str, object]] = []
        for batch in batches:
            for fill_n in fills:
                for name, settings in stores.items():
                    settings = settings.model_copy(update={"batch_size": batch})
                    try:
                        rate, filled, stories = measure(settings, inputs, fill_n, workdir, args.profile)
                    except ServiceUnavailable as error:
                        print(f"bench.reprints_speed: {name} skipped: {error}")
                        continue
                    row = {
                        "store": name,
                        "batch": batch,
                        "members": fill_n,
                        "articles_per_s": round(rate, 1),
                        "fill_s": round(filled, 1),
                        **grouping(stories, truth),
                    }
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    print_ratios(rows)
    print(
        f"articles: {len(inputs)}, mean body {sum(len(a.body) for a in inputs) // len(inputs)} characters; load average {os.getloadavg()[0]:.1f}"
    )
    return 0


def print_ratios(rows: Sequence[dict[str, object]]) -> None:
    rate = {(r["store"], r["batch"], r["members"]): float(r["articles_per_s"]) for r in rows}  # type: ignore[arg-type]
    print("\n| store | batch | members | articles/s | × SQLite (same fill) | × its empty store |")
    print("| --- | --- | --- | --- | --- | --- |")
    for (store, batch, members), value in rate.items():
        sqlite = rate.get(("sqlite", batch, members))
        empty = rate.get((store, batch, 0))
        vs_sqlite = f"{value / sqlite:.2f}" if sqlite else "–"
        vs_empty = f"{value / empty:.2f}" if empty else "–"
        print(f"| {store} | {batch} | {members} | {value:.1f} | {vs_sqlite} | {vs_empty} |")


if __name__ == "__main__":
    raise SystemExit(main())
