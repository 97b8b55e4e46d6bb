"""Site health from a site's crawl records: flags an operator acts on when a site changed its layout
or went away (the configured sites are unverified against the live web). Pure: records in, flags out."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from pipeline.ops.crawls import CrawlRecord

# "Much longer than its usual rhythm": three usual gaps between crawls that brought something new,
# and never less than two crawl intervals (a site publishing hourly and crawled daily is not stale).
STALE_RHYTHMS = 3.0
STALE_MIN_INTERVALS = 2.0
# Gaps between new-article crawls needed before a rhythm is trusted.
MIN_GAPS = 2
# Share of a crawl's article pages where the site's selectors found nothing.
SELECTOR_MISS_SHARE = 0.5


@dataclass
class SiteHealth:
    site: str
    last_crawl_at: float | None = None
    last_outcome: str | None = None
    last_published: int = 0
    last_new_article_at: float | None = None
    usual_gap_s: float | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.flags


def assess(site: str, records: Sequence[CrawlRecord], now: float, interval_s: float) -> SiteHealth:
    """The site's health from its crawl records (any order) at ``now`` (Unix seconds)."""
    records = sorted((r for r in records if r.site == site), key=lambda r: r.finished_at)
    health = SiteHealth(site)
    if not records:  # not crawled yet (or not within the history looked at): nothing to judge
        return health
    last = records[-1]
    health.last_crawl_at, health.last_outcome, health.last_published = (
        last.finished_at,
        last.outcome,
        last.published,
    )
    if last.outcome == "unreachable":
        failures = ", ".join(f"{k} ×{v}" for k, v in sorted(last.responses.items()))
        health.flags.append(f"unreachable: the last crawl got no page ({failures})")
    elif last.outcome == "nothing":
        health.flags.append("the last crawl requested nothing (robots.txt or no entry point answered)")

    new_times = [r.finished_at for r in records if r.published > 0]
    if new_times:
        health.last_new_article_at = new_times[-1]
    gaps = [b - a for a, b in pairwise(new_times)]
    if len(gaps) >= MIN_GAPS:
        health.usual_gap_s = statistics.median(gaps)
        threshold = max(STALE_RHYTHMS * health.usual_gap_s, STALE_MIN_INTERVALS * interval_s)
        silent = now - new_times[-1]
        if silent > threshold:
            health.flags.append(
                f"no new article for {_hours(silent)} (usually one every {_hours(health.usual_gap_s)})"
            )
    elif (
        not new_times
        and len(records) >= 3
        and now - records[0].finished_at > STALE_MIN_INTERVALS * interval_s
    ):
        health.flags.append(f"no new article in any of its {len(records)} recorded crawls")

    answered = [r for r in records if r.outcome == "ok"]
    if answered:
        latest = answered[-1]
        matched_before = any(r.article_pages > 0 for r in answered[:-1])
        if latest.article_pages == 0 and latest.other_pages > 0:
            since = "stopped matching" if matched_before else "match none of"
            health.flags.append(
                f"pages {since} its article patterns ({latest.other_pages} pages fetched, 0 articles)"
            )
        elif latest.article_pages and latest.selector_missed / latest.article_pages >= SELECTOR_MISS_SHARE:
            health.flags.append(
                f"selectors missing on {latest.selector_missed} of {latest.article_pages} article pages "
                "(generic extraction used)"
            )
    return health


def _hours(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    return f"{seconds / 3600:.1f} h"
