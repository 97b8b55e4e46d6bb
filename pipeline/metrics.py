"""The Prometheus metrics every stage records (one registry per process), and their plain snapshot
for the heartbeats that ``jiancha status`` reads. The stage runner and the crawler call the
``record_*`` functions; ``pipeline.ops.server`` serves the registry on ``/metrics``."""

from __future__ import annotations

import threading
import time
from collections import Counter as CountTable
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)

ARTICLES = Counter(
    "jiancha_articles",
    "Articles by stage and outcome (ok, dropped, skipped, dead)",
    ["stage", "status"],
    registry=REGISTRY,
)
# Steps take from well under a millisecond (normalise) to seconds (a long article through spaCy).
STEP_SECONDS = Histogram(
    "jiancha_step_seconds",
    "Seconds one processing step took for one article",
    ["stage", "step"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
SINK_SECONDS = Histogram(
    "jiancha_sink_write_seconds",
    "Seconds one batch write (bulk request) of a sink stage took",
    ["stage"],
    registry=REGISTRY,
)
BULK_ERRORS = Counter(
    "jiancha_bulk_errors",
    "Articles a bulk write rejected, and unreachable-sink retries",
    ["stage", "kind"],
    registry=REGISTRY,
)
CRAWL_RESPONSES = Counter(
    "jiancha_crawl_responses",
    "Crawler responses and failed requests by site and status",
    ["site", "status"],
    registry=REGISTRY,
)
CRAWL_ARTICLES = Counter(
    "jiancha_crawl_articles", "Articles the crawler published, by site", ["site"], registry=REGISTRY
)
LAST_SUCCESS = Gauge(
    "jiancha_site_last_success_timestamp_seconds",
    "Unix time of the last crawl of a site that fetched at least one page",
    ["site"],
    registry=REGISTRY,
)
LAST_CRAWL = Gauge(
    "jiancha_site_last_crawl_timestamp_seconds",
    "Unix time of the last crawl of a site",
    ["site"],
    registry=REGISTRY,
)

_lock = threading.Lock()
_counts: dict[tuple[str, str], CountTable[str]] = {}
_started_at = time.time()

F = TypeVar("F", bound=Callable[..., Any])


def record_outcome(stage: str, status: str, prefix: str = "", count: int = 1) -> None:
    """An article's outcome in a stage (``count`` of them): the Prometheus counter and the snapshot
    of the deployment whose topics start with ``prefix`` (a test process runs several)."""
    ARTICLES.labels(stage=stage, status=status).inc(count)
    with _lock:
        _counts.setdefault((prefix, stage), CountTable())[status] += count


def timed_step(stage: str, step: F) -> F:
    """The step, timing each call into ``jiancha_step_seconds{stage, step}``."""
    name = getattr(step, "__name__", type(step).__name__)
    histogram = STEP_SECONDS.labels(stage=stage, step=name)

    @wraps(step)
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            histogram.observe(time.perf_counter() - started)

    return run  # type: ignore[return-value]


def record_sink_write(stage: str, seconds: float, rejected: int) -> None:
    SINK_SECONDS.labels(stage=stage).observe(seconds)
    if rejected:
        BULK_ERRORS.labels(stage=stage, kind="rejected").inc(rejected)


def record_sink_unavailable(stage: str) -> None:
    BULK_ERRORS.labels(stage=stage, kind="unavailable").inc()


def record_crawl(
    site: str, finished_at: float, responses: dict[str, int], published: int, prefix: str = ""
) -> None:
    """One crawl of one site: its responses by status (``200``, ``404``, ``timeout`` …) and articles."""
    for status, count in responses.items():
        CRAWL_RESPONSES.labels(site=site, status=status).inc(count)
    CRAWL_ARTICLES.labels(site=site).inc(published)
    if published:  # the crawler's articles are counted in its child process; its parent counts here
        record_outcome("crawler", "ok", prefix, published)
    LAST_CRAWL.labels(site=site).set(finished_at)
    if sum(count for status, count in responses.items() if status.isdigit()):
        LAST_SUCCESS.labels(site=site).set(finished_at)


def snapshot(prefix: str = "") -> dict[str, Any]:
    """Outcome counts per stage of one deployment since this process started (a heartbeat's)."""
    with _lock:
        stages = {stage: dict(counts) for (owner, stage), counts in _counts.items() if owner == prefix}
    return {"started_at": _started_at, "stages": stages}


class LagCollector(Collector):
    """``jiancha_consumer_lag{group, topic, partition}``, asked of the bus at each scrape."""

    def __init__(self, lag: Callable[[], Iterable[tuple[str, str, int, int]]]) -> None:
        self._lag = lag

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "jiancha_consumer_lag",
            "Messages not yet committed by a stage's consumer group",
            labels=["group", "topic", "partition"],
        )
        try:
            rows = list(self._lag())
        except Exception:  # the bus is down: the scrape still answers, without lag
            rows = []
        for group, topic, partition, lag in rows:
            family.add_metric([group, topic, str(partition)], float(lag))
        yield family


METRIC_NAMES = (
    "jiancha_articles_total",
    "jiancha_step_seconds",
    "jiancha_sink_write_seconds",
    "jiancha_bulk_errors_total",
    "jiancha_crawl_responses_total",
    "jiancha_crawl_articles_total",
    "jiancha_site_last_success_timestamp_seconds",
    "jiancha_site_last_crawl_timestamp_seconds",
    "jiancha_consumer_lag",
)
