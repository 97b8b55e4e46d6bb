"""Backfill: one site's list pages followed back to a date, resumably, feeding the same pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawler.run import crawl_once
from pipeline.bus import open_bus
from pipeline.bus.inspect import read_topic
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import crawler_stage
from tests.ops.archive_site import LIST_PAGES, PER_PAGE, archive_site, list_path, published

SITE = "档案新闻网"


def sites_file(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(
        f"""sites:
  - name: {SITE}
    start_urls: ["{base}/news/index.html"]
    article_patterns: ['/news/\\d{{8}}/art_\\d+\\.html$']
    list_patterns: ['/news/index(?:_\\d+)?\\.html$']
    download_delay: 0
""",
        encoding="utf-8",
    )
    return path


def published_articles(settings: Settings) -> list[Article]:
    bus = open_bus(settings)
    try:
        topic = crawler_stage(settings.topic_prefix).output_topic
        assert topic is not None
        return [Article.from_json(m.value) for m in read_topic(bus, topic)]
    finally:
        bus.close()


def test_backfill_walks_back_to_the_date_and_a_restart_continues(settings: Settings, tmp_path: Path) -> None:
    # Articles 0..62 are published on or after the date; 63.. are older.
    since = datetime.combine(published(62), datetime.min.time(), UTC)
    with archive_site() as (base, requests):
        path = sites_file(tmp_path, base)
        configured = settings.model_copy(update={"sites_file": path})
        first = crawl_once(
            configured, sites_file=path, only=[SITE], backfill_since=since, max_pages=25, timeout_s=240
        )
        fetched_first = set(requests)
        second = crawl_once(configured, sites_file=path, only=[SITE], backfill_since=since, timeout_s=240)

    articles = published_articles(configured)
    numbers = sorted(int(a.url.rsplit("_", 1)[1].split(".")[0]) for a in articles)
    # Every article back to the date, each once, across the interrupted run and its continuation.
    assert numbers == list(range(63))
    assert first.articles_published > 0 and second.articles_published > 0
    # The continuation fetched nothing the first run had fetched (robots.txt aside).
    assert all(requests[p] == 1 for p in fetched_first if p != "/robots.txt"), requests
    # Far further back than the incremental crawl's 4 levels, and it stopped soon after the date:
    # list page 13 (articles 65-69) is the first all older than the date; page 15, two further on,
    # is read and not followed, so none after it is fetched.
    assert requests[list_path(13)] == 1
    later = sorted(p for p in range(LIST_PAGES) if requests[list_path(p)])
    assert later == list(range(16)), later
    assert len(articles) < LIST_PAGES * PER_PAGE
