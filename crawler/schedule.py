"""Crawler scheduling: keeps every configured site on its own ``interval_minutes``
(``jiancha crawl --forever`` and ``jiancha up`` run ``run_schedule``; each round crawls only the due sites).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from crawler.sites import SiteConfig, load_sites
from pipeline.settings import Settings
from pipeline.topics import crawler_stage

log = logging.getLogger(crawler_stage().logger_name)
# Never busy-loop: even when a site is overdue the scheduler waits this long between rounds.
MIN_WAIT_S = 1.0


class Schedule:
    """When each site is next due (monotonic seconds). Every site is due at the start."""

    def __init__(self, sites: Sequence[SiteConfig], now: float) -> None:
        self.intervals = {site.name: site.interval_minutes * 60.0 for site in sites}
        self.next_due = dict.fromkeys(self.intervals, now)

    def due(self, now: float) -> list[str]:
        """The sites whose time has come, most overdue first."""
        return sorted((n for n, t in self.next_due.items() if t <= now), key=lambda n: self.next_due[n])

    def crawled(self, names: Sequence[str], now: float) -> None:
        """Each crawled site is next due one interval from now (a failed crawl too: no hammering)."""
        for name in names:
            self.next_due[name] = now + self.intervals[name]

    def seconds_until_next(self, now: float) -> float:
        return max(0.0, min(self.next_due.values()) - now) if self.next_due else float("inf")


def run_schedule(
    settings: Settings,
    demo_base: str | None,
    stop: threading.Event,
    crawl: Callable[..., Any] | None = None,
    sites_file: Path | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Crawl due sites, wait for the next one, until ``stop`` is set. ``crawl`` defaults to ``crawl_once``."""
    from crawler.run import crawl_once, resolve_sites_file

    crawl = crawl or crawl_once
    path = resolve_sites_file(settings, demo_base, sites_file)
    schedule = Schedule(load_sites(path, demo_base), clock())
    while not stop.is_set():
        names = schedule.due(clock())
        if names:
            log.info("crawling due sites: %s", ", ".join(names))
            try:
                crawl(settings, demo_base=demo_base, sites_file=path, only=names)
            except Exception:  # a failed round must not stop the scheduler; the next interval retries
                log.exception("crawl of %s failed", ", ".join(names))
            schedule.crawled(names, clock())
        wait = max(MIN_WAIT_S, schedule.seconds_until_next(clock()))
        stop.wait(min(wait, settings.crawl_interval_s))
