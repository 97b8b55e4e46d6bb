"""Per-site crawl counters (in Scrapy's stats as ``jiancha/site/<name>/<key>``): what each crawl of a
site fetched, how many pages matched its article patterns, how often its selectors missed, its
responses by status. ``crawler.run`` turns them into one crawl record per site (``pipeline.ops.crawls``)."""

from __future__ import annotations

from typing import Any

PREFIX = "jiancha/site/"


def count_site(stats: Any, site: str, key: str, value: int = 1) -> None:
    """Add to one site's counter (``stats`` is Scrapy's StatsCollector)."""
    stats.inc_value(f"{PREFIX}{site}/{key}", value)


def per_site(stats: dict[str, Any]) -> dict[str, dict[str, int]]:
    """``{site: {key: count}}`` from Scrapy's stats; status keys stay ``status/<code or reason>``."""
    sites: dict[str, dict[str, int]] = {}
    for name, value in stats.items():
        if not name.startswith(PREFIX):
            continue
        site, _, key = name[len(PREFIX) :].partition("/")
        if key:
            sites.setdefault(site, {})[key] = int(value)
    return sites
