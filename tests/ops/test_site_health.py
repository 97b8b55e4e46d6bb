"""Site health: the flags an operator sees when a site goes quiet, unreachable or changes its layout."""

from __future__ import annotations

from pipeline.ops.crawls import CrawlRecord
from pipeline.ops.site_health import assess

HOUR = 3600.0
SITE = "山西日报"


def crawl(
    at_h: float, published: int = 3, articles: int = 5, others: int = 4, missed: int = 0
) -> CrawlRecord:
    return CrawlRecord(
        site=SITE,
        started_at=at_h * HOUR - 60,
        finished_at=at_h * HOUR,
        outcome="ok",
        pages=articles + others,
        article_pages=articles,
        other_pages=others,
        selector_missed=missed,
        published=published,
        responses={"200": articles + others},
    )


def test_a_site_keeping_its_rhythm_is_healthy() -> None:
    records = [crawl(h) for h in range(0, 48, 6)]  # new articles every 6 hours
    health = assess(SITE, records, now=44 * HOUR, interval_s=HOUR)
    assert health.flags == []
    assert health.usual_gap_s == 6 * HOUR


def test_a_site_silent_for_much_longer_than_usual_is_flagged() -> None:
    # New articles every 6 hours for two days, then crawls that find nothing new for 30 hours.
    records = [crawl(h) for h in range(0, 48, 6)] + [crawl(h, published=0) for h in range(43, 73)]
    health = assess(SITE, records, now=72 * HOUR, interval_s=HOUR)
    assert any(flag.startswith("no new article for 30.0 h") for flag in health.flags), health.flags
    assert "usually one every 6.0 h" in health.flags[0]


def test_silence_within_three_rhythms_is_not_flagged() -> None:
    records = [crawl(h) for h in range(0, 48, 6)] + [crawl(h, published=0) for h in range(43, 58)]
    assert assess(SITE, records, now=57 * HOUR, interval_s=HOUR).flags == []


def test_pages_that_stop_matching_the_article_patterns_are_flagged() -> None:
    records = [crawl(0), crawl(1), crawl(2, published=0, articles=0, others=12)]
    flags = assess(SITE, records, now=2 * HOUR, interval_s=HOUR).flags
    assert flags == ["pages stopped matching its article patterns (12 pages fetched, 0 articles)"]


def test_selectors_that_start_missing_are_flagged() -> None:
    records = [crawl(0), crawl(1, articles=8, missed=6)]
    flags = assess(SITE, records, now=HOUR, interval_s=HOUR).flags
    assert flags == ["selectors missing on 6 of 8 article pages (generic extraction used)"]
    # One miss in eight is a page of another layout, not a redesign.
    assert assess(SITE, [crawl(0), crawl(1, articles=8, missed=1)], now=HOUR, interval_s=HOUR).flags == []


def test_an_unreachable_site_is_flagged_with_what_failed() -> None:
    down = CrawlRecord(SITE, 0.0, 10.0, "unreachable", responses={"timeout": 3})
    health = assess(SITE, [crawl(-2), down], now=20.0, interval_s=HOUR)
    assert health.flags == ["unreachable: the last crawl got no page (timeout ×3)"]
    assert health.last_outcome == "unreachable"


def test_counters_become_a_record_with_its_outcome() -> None:
    counters = {"status/200": 7, "status/404": 1, "article_pages": 5, "other_pages": 3, "published": 2}
    record = CrawlRecord.from_counters(SITE, counters, 1.0, 2.0)
    assert (record.outcome, record.pages, record.published) == ("ok", 8, 2)
    assert CrawlRecord.from_counters(SITE, {"status/timeout": 2}, 1.0, 2.0).outcome == "unreachable"
    assert CrawlRecord.from_json(record.to_json()) == record
