"""``jiancha status`` and the admin page: one report of the whole deployment, gathered from the bus
(heartbeats, consumer lag, dead letters, crawl records) and the index. Each part that cannot be
gathered says why instead of failing the whole report."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.bus import Bus, open_bus
from pipeline.bus.inspect import group_lag, read_topic
from pipeline.ops.checks import readiness
from pipeline.ops.crawls import read_crawls
from pipeline.ops.heartbeat import latest_heartbeats
from pipeline.ops.site_health import assess
from pipeline.settings import Settings
from pipeline.topics import DLQ, indexer_stage, processor_stages

log = logging.getLogger(__name__)
# Site health looks this far back; a heartbeat older than this many intervals is a silent worker.
CRAWL_HISTORY_DAYS = 30
HEARTBEAT_WINDOW_INTERVALS = 4


def dead_letter_reason(error: str) -> str:
    """The reason of a dead letter without its particulars: ``undecodable article event: …`` →
    ``undecodable article event``; ``ConnectionError: …`` → ``ConnectionError``."""
    head = error.split(":", 1)[0].strip()
    return head[:80] or "unknown"


def gather(settings: Settings, now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    report: dict[str, Any] = {"at": datetime.fromtimestamp(now, UTC).isoformat(), "errors": {}}
    report["services"] = [asdict(check) for check in readiness(settings)]
    try:
        bus = open_bus(settings)
    except Exception as error:  # the report still shows the services and the index
        report["errors"]["bus"] = str(error)
        bus = None
    if bus is not None:
        try:
            _part(report, "stages", lambda: stages(bus, settings, now))
            _part(report, "lag", lambda: lag(bus, settings))
            _part(report, "dead_letters", lambda: dead_letters(bus, settings))
            _part(report, "sites", lambda: sites(bus, settings, now))
        finally:
            bus.close()
    _part(report, "index", lambda: index_stats(settings))
    return report


def _part(report: dict[str, Any], name: str, build: Callable[[], Any]) -> None:
    try:
        report[name] = build()
    except Exception as error:  # one unavailable part must not hide the others
        log.warning("status: %s unavailable: %s", name, error)
        report["errors"][name] = f"{type(error).__name__}: {error}"[:300]


def stages(bus: Bus, settings: Settings, now: float) -> dict[str, Any]:
    """Outcome counts per stage summed over the workers heard from recently, and those workers."""
    window = max(60.0, HEARTBEAT_WINDOW_INTERVALS * settings.heartbeat_interval_s)
    result: dict[str, Any] = {}
    for beat in latest_heartbeats(bus, settings.topic_prefix, window):
        for stage, counts in beat.get("counts", {}).items():
            entry = result.setdefault(stage, {"processed": 0, "dropped": 0, "failed": 0, "workers": []})
            entry["processed"] += counts.get("ok", 0) + counts.get("skipped", 0)
            entry["dropped"] += counts.get("dropped", 0)
            entry["failed"] += counts.get("dead", 0)
            supervised = beat.get("supervision", {}).get(stage, {})
            entry["workers"].append(
                {
                    "instance": beat["instance"],
                    # The stage's own state when supervised (running, restarting, failed), else the process's.
                    "state": supervised.get("state") or beat.get("state"),
                    "restarts": supervised.get("restarts", 0),
                    "last_error": supervised.get("last_error"),
                    "seen_s_ago": round(now - beat["at"], 1),
                }
            )
    return result


def lag(bus: Bus, settings: Settings) -> list[dict[str, Any]]:
    rows = []
    for stage in [*processor_stages(settings.topic_prefix), indexer_stage(settings.topic_prefix)]:
        assert stage.input_topic is not None
        for partition in group_lag(bus, stage.group, [stage.input_topic]):
            rows.append({"stage": stage.name, **asdict(partition), "lag": partition.lag})
    return rows


def dead_letters(bus: Bus, settings: Settings) -> dict[str, Any]:
    by_reason: Counter[tuple[str, str]] = Counter()
    for message in read_topic(bus, f"{settings.topic_prefix}{DLQ}"):
        try:
            letter = json.loads(message.value)
            by_reason[(str(letter.get("stage")), dead_letter_reason(str(letter.get("error", ""))))] += 1
        except ValueError:
            by_reason[("?", "unreadable dead letter")] += 1
    rows = [{"stage": s, "reason": r, "count": n} for (s, r), n in sorted(by_reason.items())]
    return {"total": sum(by_reason.values()), "by_stage_and_reason": rows}


def sites(bus: Bus, settings: Settings, now: float) -> list[dict[str, Any]]:
    """Every configured site with its last crawl and its health flags."""
    from crawler.sites import load_sites

    since = datetime.fromtimestamp(now, UTC) - timedelta(days=CRAWL_HISTORY_DAYS)
    records = read_crawls(bus, settings.topic_prefix, since)
    configured = {site.name: site.interval_minutes * 60.0 for site in load_sites(settings.sites_path)}
    # Sites crawled but no longer configured (or crawled from another sites file) are shown too.
    for record in records:
        configured.setdefault(record.site, settings.crawl_interval_s)
    return [asdict(assess(name, records, now, interval)) for name, interval in sorted(configured.items())]


def index_stats(settings: Settings) -> dict[str, Any]:
    from indexer import open_index

    backend = open_index(settings)
    try:
        return backend.stats()
    finally:
        backend.close()


def healthy(report: dict[str, Any]) -> bool:
    """No service down, no part missing, no site flagged."""
    troubled = [
        worker
        for entry in report.get("stages", {}).values()
        for worker in entry["workers"]
        if worker["state"] in ("restarting", "failed")
    ]
    return (
        all(check["ok"] for check in report["services"])
        and not report["errors"]
        and not troubled
        and not any(site["flags"] for site in report.get("sites", []))
    )
