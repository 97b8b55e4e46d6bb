"""Alerts benchmark: (1) latency from an article becoming searchable to its alert leaving, p50/p95,
with the default settings (a look every 5 s) and a local HTTP receiver; (2) the cost of 500 saved
searches when 10 000 new articles arrive a day: the time of one look at every search (the
incremental query) against the same 500 searches run in full, measured in the same run.

``python -m bench.alerts [--backend sqlite|elasticsearch] [--background N] [--searches N]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from alerts.model import ChannelSpec, SavedSearch
from alerts.store import AlertStore, open_store
from alerts.worker import AlertsWorker
from bench.corpus import COUNTIES, TOPICS, generate
from bench.results import at_most, record
from indexer import SearchBackend, open_index
from pipeline.settings import Settings

ARTICLES_A_DAY = 10_000


class Receiver:
    """Records when each alerted article arrived (epoch seconds)."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                now = time.time()
                for item in body["items"]:
                    receiver.arrivals.setdefault(item["article_id"], now)
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def queries(count: int) -> list[str]:
    """Distinct saved-search queries a province's press offices would keep: county × topic word."""
    words = [w for _, _, cues in TOPICS for w in cues]
    return [
        f"{county} {word}" for county, word in itertools.islice(itertools.product(COUNTIES, words), count)
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(settings: Settings, backend: SearchBackend, store: AlertStore, articles: int) -> list[float]:
    receiver = Receiver()
    store.add(
        SavedSearch(
            name="all",
            owner="bench",
            query="检察",
            channels=[ChannelSpec(kind="webhook", target=receiver.url)],
        )
    )
    stop = threading.Event()
    worker = threading.Thread(target=AlertsWorker(settings, backend, store).run, args=(stop,), daemon=True)
    worker.start()
    searchable: dict[str, float] = {}
    fresh = [
        a.model_copy(update={"story_id": None}) for a in generate(articles, seed=uuid.uuid4().int % 1000)
    ]
    fresh = [a for a in fresh if "检察" in a.title + a.body]
    for n, article in enumerate(fresh):
        backend.index([article])
        backend.refresh()  # SQLite: searchable at commit; Elasticsearch: after this refresh
        searchable[article.article_id] = time.time()
        time.sleep(0.4 + (n * 7919 % 10) / 10)  # 0.4–1.3 s apart, spread over the poll phase
    deadline = time.time() + 2 * settings.alerts_poll_s + 30
    while len(receiver.arrivals) < len(searchable) and time.time() < deadline:
        time.sleep(0.2)
    stop.set()
    worker.join(timeout=30)
    receiver.server.shutdown()
    missing = set(searchable) - set(receiver.arrivals)
    if missing:
        print(f"  MISSED: {len(missing)} of {len(searchable)} articles never alerted")
    return [receiver.arrivals[a] - searchable[a] for a in searchable if a in receiver.arrivals]


def cost(
    settings: Settings, backend: SearchBackend, store: AlertStore, searches: int
) -> tuple[float, float, int]:
    """(seconds of one look of the worker at every search — incremental queries, decisions, the
    store's writes — and seconds of the same searches run in full, alerts recorded in 3 looks)."""
    saved = [
        store.add(SavedSearch(name=f"s{i}", owner="bench", query=q)) for i, q in enumerate(queries(searches))
    ]
    worker = AlertsWorker(settings, backend, store)
    worker.look()  # the first look after the searches were made
    # One look's worth of new articles at 10 000 a day and a look every alerts_poll_s (rounded up).
    per_look = max(1, round(ARTICLES_A_DAY * settings.alerts_poll_s / 86_400))
    looks, fulls, found = [], [], 0
    for _round in range(3):
        backend.index(
            [
                a.model_copy(update={"story_id": None})
                for a in generate(per_look, seed=uuid.uuid4().int % 10_000)
            ]
        )
        backend.refresh()
        started = time.perf_counter()
        found += worker.look()
        looks.append(time.perf_counter() - started)
        started = time.perf_counter()
        for search in saved:
            backend.search(search.search_query(size=20))
        fulls.append(time.perf_counter() - started)
    worker.deliverer.close()
    return statistics.median(looks), statistics.median(fulls), found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.alerts")
    parser.add_argument("--backend", choices=["sqlite", "elasticsearch"], default="sqlite")
    parser.add_argument("--background", type=int, default=10_000, help="articles already indexed")
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--latency-articles", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder), index=args.backend, index_name=f"bench-alerts-{uuid.uuid4().hex[:8]}"
        )
        backend = open_index(settings)
        backend.init()
        try:
            started = time.perf_counter()
            batch: list[Any] = []
            for article in generate(args.background, seed=11):
                batch.append(article)
                if len(batch) == 1000:
                    backend.index(batch)
                    batch = []
            backend.index(batch)
            backend.refresh()
            print(
                f"background index: {args.background} articles on {args.backend} in {time.perf_counter() - started:.0f} s"
            )
            store = open_store(settings)
            values = latency(settings, backend, store, args.latency_articles)
            print(f"latency searchable → sent ({len(values)} alerts, default settings: look every "
                  f"{settings.alerts_poll_s:.0f} s): p50 {_percentile(values, 0.5):.1f} s, p95 {_percentile(values, 0.95):.1f} s, "
                  f"max {max(values):.1f} s; goal p95 ≤ 30 s")  # fmt: skip
            record("alerts", f"searchable → alert sent p95, {args.backend}", _percentile(values, 0.95), "s",
                   goal=at_most(30))  # fmt: skip
            store.close()
            store = AlertStore(Path(folder) / "cost.sqlite3")
            look, full, found = cost(settings, backend, store, args.searches)
            store.close()
            looks_a_day = 86_400 / settings.alerts_poll_s
            print(f"{args.searches} saved searches, {ARTICLES_A_DAY} new articles a day, a look every "
                  f"{settings.alerts_poll_s:.0f} s: one look {look * 1000:.0f} ms "
                  f"({look / args.searches * 1000:.2f} ms a search, {found} alerts in 3 looks); "
                  f"the same searches in full {full * 1000:.0f} ms (ratio {look / full:.2f}); "
                  f"{look * looks_a_day / 3600:.1f} CPU-hours a day = {look / settings.alerts_poll_s:.0%} of one core")  # fmt: skip
            record("alerts", f"one look of {args.searches} saved searches, {args.backend}", look * 1000, "ms",
                   baseline=full * 1000, baseline_name="the same searches in full", ratio=full / look)  # fmt: skip
            if look > settings.alerts_poll_s:
                print(
                    f"  MISS: one look takes longer than the poll interval; looks run back to back, "
                    f"latency then ≈ {look:.0f} s + the wait"
                )
        finally:
            backend.drop()
            backend.close()
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
