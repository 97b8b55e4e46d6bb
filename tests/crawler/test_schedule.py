"""The crawl scheduler keeps each site on its own interval (``jiancha crawl --forever``, ``jiancha up``)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from crawler.schedule import Schedule, run_schedule
from crawler.sites import SiteConfig
from pipeline.settings import Settings


def site(name: str, minutes: int) -> SiteConfig:
    return SiteConfig.model_validate(
        {
            "name": name,
            "start_urls": [f"http://{name}.test/"],
            "article_patterns": ["."],
            "interval_minutes": minutes,
        }
    )


def test_each_site_is_due_on_its_own_interval() -> None:
    schedule = Schedule([site("fast", 10), site("slow", 60)], now=0.0)
    assert schedule.due(0.0) == ["fast", "slow"]
    schedule.crawled(["fast", "slow"], now=5.0)
    assert schedule.due(600.0) == [] and schedule.seconds_until_next(600.0) == 5.0
    assert schedule.due(605.0) == ["fast"]
    schedule.crawled(["fast"], now=605.0)
    assert schedule.due(3605.0) == ["fast", "slow"]  # the most overdue (fast, since 1205 s) first


def test_run_schedule_crawls_only_the_due_sites(tmp_path: Path) -> None:
    sites = tmp_path / "sites.yaml"
    sites.write_text(
        "sites:\n"
        "  - {name: fast, start_urls: ['http://fast.test/'], article_patterns: [x], interval_minutes: 10}\n"
        "  - {name: slow, start_urls: ['http://slow.test/'], article_patterns: [x], interval_minutes: 30}\n",
        encoding="utf-8",
    )
    now = [0.0]
    rounds: list[list[str]] = []
    stop = threading.Event()

    def crawl(settings: Settings, demo_base: str | None, sites_file: Path, only: list[str]) -> Any:
        rounds.append(list(only))
        if len(rounds) == 2:
            raise RuntimeError("network down")  # a failed round: the scheduler carries on
        if len(rounds) == 5:
            stop.set()

    class Clock:
        def __call__(self) -> float:
            return now[0]

    real_wait = stop.wait

    def fake_wait(timeout: float | None = None) -> bool:
        now[0] += timeout or 0  # time passes as long as the scheduler sleeps
        return real_wait(0)

    stop.wait = fake_wait  # type: ignore[method-assign]
    settings = Settings(data_dir=tmp_path / "data", crawl_interval_s=3600)
    run_schedule(settings, None, stop, crawl=crawl, sites_file=sites, clock=Clock())

    assert rounds == [["fast", "slow"], ["fast"], ["fast"], ["fast", "slow"], ["fast"]]
