"""Export benchmark: 100 000 rows of a search as CSV and as XLSX from the web app's export endpoint,
on the embedded SQLite index and on the real Elasticsearch: rows/s and the server process's peak
RSS over its idle RSS (goals: ≥ 5 000 rows/s, ≤ 150 MiB extra), each format on a cold process and
again with SQLite's caches warm, the anonymous part of the RSS reported beside the total.

The app runs in uvicorn in this process and the rows are read over a real socket with httpx's
streaming client (which keeps nothing), so the memory figure is the export's own. The baseline is
the same process idle, after the index was built and one search had warmed it up.

    python -m bench.export [--rows 100000] [--backends sqlite,elasticsearch]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvicorn

from bench.results import at_least, at_most, record
from indexer import SearchBackend, open_index
from pipeline.model import Article, TopicScore
from pipeline.settings import Settings
from webapp.app import create_app
from webapp.exports import MAX_EXPORT_ROWS

MIB = 1024 * 1024
GOAL_ROWS_PER_S = 5_000
GOAL_EXTRA_MIB = 150
_PLACES = [
    ("临汾市", "洪洞县"),
    ("太原市", "小店区"),
    ("大同市", "平城区"),
    ("运城市", "盐湖区"),
    ("晋中市", "平遥县"),
]
_TOPICS = [("public_interest", "公益诉讼"), ("judicial_aid", "司法救助"), ("minors", "未成年人检察")]
_OUTLETS = ["山西日报", "检察日报", "临汾日报", "山西法制报", "正义网"]


def articles(count: int, seed: int = 7) -> Iterator[Article]:
    """``count`` enriched articles a few minutes apart, each mentioning 检察 (so one query matches
    them all), with the facets an export row carries."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for n in range(count):
        city, county = rng.choice(_PLACES)
        topic = rng.choice(_TOPICS)
        body = (f"{county}人民检察院近日召开新闻发布会，通报{topic[1]}工作情况。" * 6) + f"编号{n}。"
        yield Article.new(
            f"https://bench.example.cn/{n}.html", title=f"{county}检察院{topic[1]}工作通报（{n}）", body=body,
            source=rng.choice(_OUTLETS), site=rng.choice(_OUTLETS),
            published_at=start + timedelta(minutes=7 * n), regions=["山西省", city, county],
            procuratorates=[f"{county}人民检察院"], topics=[TopicScore(id=topic[0], label=topic[1], score=0.8)],
            tone="critical" if n % 17 == 0 else "neutral", relevant=True, relevance=0.8,
        )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss() -> tuple[int, int]:
    """(total RSS, anonymous RSS) in bytes. The anonymous part is the process's own memory (rows,
    buffers, SQLite's page cache); the rest is file pages mapped in (SQLite's mmap of the index),
    which the kernel shares with its page cache and reclaims under pressure."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    if "RssAnon" not in fields:  # not Linux
        rss = psutil.Process().memory_info().rss
        return rss, rss
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["RssAnon"].split()[0]) * 1024


class _Peak:
    """The process's highest RSS (total and anonymous) while running, sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak, self.peak_anon = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        total, anon = _rss()
        self.peak, self.peak_anon = max(self.peak, total), max(self.peak_anon, anon)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._sample()

    def __enter__(self) -> _Peak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def measure(backend: SearchBackend, settings: Settings, rows: int) -> dict[str, Any]:
    app = create_app(settings.model_copy(update={"web_single_user": True}), backend)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {}
    try:
        with httpx.Client(timeout=600) as client:
            client.get(f"{base}/api/search", params={"q": "检察"}).raise_for_status()  # warm up
            # Each format twice: first on a cold process (SQLite's caches fill as the documents are
            # read), then again once those caches are warm: the second is the export's own cost.
            for fmt, run in (("csv", "cold"), ("xlsx", "cold"), ("csv", "warm"), ("xlsx", "warm")):
                idle, idle_anon = _rss()
                started = time.perf_counter()
                size = 0
                with (
                    _Peak() as peak,
                    client.stream(
                        "GET", f"{base}/api/export.{fmt}", params={"q": "检察", "limit": rows}
                    ) as answer,
                ):
                    answer.raise_for_status()
                    for chunk in answer.iter_bytes():
                        size += len(chunk)
                seconds = time.perf_counter() - started
                key = f"{fmt}_{run}"
                results[key] = {
                    "rows": rows,
                    "seconds": round(seconds, 2),
                    "rows_per_s": round(rows / seconds),
                    "bytes": size,
                    "idle_rss_mib": round(idle / MIB, 1),
                    "peak_extra_mib": round((peak.peak - idle) / MIB, 1),
                    "peak_extra_anon_mib": round((peak.peak_anon - idle_anon) / MIB, 1),
                    "meets_goals": rows / seconds >= GOAL_ROWS_PER_S
                    and (peak.peak - idle) / MIB <= GOAL_EXTRA_MIB,
                    "load_average": round(os.getloadavg()[0], 1),
                }
                print(json.dumps({backend.name: {key: results[key]}}, ensure_ascii=False), flush=True)
                record(
                    "export",
                    f"{fmt.upper()} export ({run}), {rows:,} rows, {backend.name}",
                    rows / seconds,
                    "rows/s",
                    goal=at_least(GOAL_ROWS_PER_S, on="value"),
                )
                record(
                    "export",
                    f"{fmt.upper()} export ({run}), {rows:,} rows, {backend.name}: memory above idle",
                    (peak.peak - idle) / MIB,
                    "MiB",
                    goal=at_most(GOAL_EXTRA_MIB),
                )
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.export", description=__doc__)
    parser.add_argument("--rows", type=int, default=MAX_EXPORT_ROWS, help="rows to export (articles indexed)")
    parser.add_argument("--backends", default="sqlite,elasticsearch")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "rows": args.rows,
        "goals": {"rows_per_s": GOAL_ROWS_PER_S, "extra_mib": GOAL_EXTRA_MIB},
    }
    with tempfile.TemporaryDirectory(prefix="jiancha-bench-export-") as tmp:
        for name in args.backends.split(","):
            settings = Settings(
                data_dir=Path(tmp) / name, index=name, index_name=f"bench_export_{uuid.uuid4().hex[:8]}"
            )
            backend = open_index(settings)
            try:
                backend.init()
                batch: list[Article] = []
                for article in articles(args.rows):
                    batch.append(article)
                    if len(batch) == 2000:
                        backend.index(batch)
                        batch = []
                backend.index(batch)
                backend.refresh()
                report[name] = measure(backend, settings, args.rows)
            finally:
                backend.drop()
                backend.close()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
