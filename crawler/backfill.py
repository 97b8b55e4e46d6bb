"""The backfill crawl (``jiancha crawl --backfill --site NAME --since DATE``): one site's list pages
followed page after page (and its sitemaps in full) back to a date, instead of the incremental
crawl's few newest pages. Polite like every crawl (the same Scrapy settings), and resumable: the
request queue, the seen requests and the list-page bookkeeping live in a Scrapy JOBDIR under
``$JIANCHA_DATA_DIR/backfill/``, so a restart continues where the last run stopped.

When to stop: list pages are crawled breadth first, so a list page's articles are parsed before the
list page two further on. A list page whose dated articles all predate ``since`` ends the walk: list
pages more than one page past it are not followed. Articles published before ``since`` are not sent.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.extract.links import page_links
from crawler.extract.page import parse as parse_html
from crawler.feeds import parse_sitemap
from crawler.site_stats import count_site
from crawler.sites import SiteConfig
from crawler.spider import _NEXT_PAGE, NewsSpider, PageItem
from pipeline.china_time import CHINA_TZ
from pipeline.settings import Settings
from pipeline.topics import crawler_stage

log = logging.getLogger(crawler_stage().logger_name)


def job_dir(settings: Settings, site: str) -> Path:
    """Where a site's backfill keeps its state (ASCII: the site name may be Chinese)."""
    return settings.data_dir / "backfill" / hashlib.sha256(site.encode("utf-8")).hexdigest()[:16]


def backfill_scrapy_settings(settings: Settings, site: str, max_pages: int | None) -> dict[str, Any]:
    configured: dict[str, Any] = {
        "JOBDIR": str(job_dir(settings, site)),
        # Unlimited depth: the walk ends at the date, not after a few list pages.
        "DEPTH_LIMIT": 0,
        # Breadth first (FIFO queues, lower priority deeper), so the stop rule sees older pages first.
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    }
    if max_pages:  # a bounded run (tests, a cautious first try): the next run continues
        configured["CLOSESPIDER_PAGECOUNT"] = max_pages
    return configured


class BackfillSpider(NewsSpider):
    name = "jiancha-backfill"

    def __init__(self, sites: list[SiteConfig], since: datetime, *args: Any, **kwargs: Any) -> None:
        super().__init__(sites, *args, **kwargs)
        if len(sites) != 1:
            raise ValueError("a backfill crawls exactly one site")
        self.since = since

    def pages(self) -> dict[str, dict[str, int]]:
        """Per list page number: its articles published since / before ``since`` (persisted)."""
        if getattr(self, "state", None) is None:  # no JOBDIR (Scrapy keeps none): in memory
            self.state: dict[str, Any] = {}
        pages: dict[str, dict[str, int]] = self.state.setdefault("list_pages", {})
        return pages

    def reached_since(self, page: int) -> bool:
        stats = self.pages()
        return any(
            int(n) <= page - 2 and s.get("old", 0) > 0 and s.get("new", 0) == 0 for n, s in stats.items()
        )

    def start_requests(self) -> Iterator[scrapy.Request]:
        (site,) = self.sites
        for url in site.start_urls:
            yield self._list_request(site, url, 0)
        for url in site.sitemaps:
            yield self._request(site, url, self.parse_sitemap)

    def _list_request(self, site: SiteConfig, url: str, page: int) -> scrapy.Request:
        meta = {**self._meta(site), "list_page": page}
        return scrapy.Request(url, callback=self.parse_list, errback=self.failed, meta=meta)

    def parse_list(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        site = self._count_fetch(response)
        if site is None or not isinstance(response, TextResponse):
            return
        page = int(response.meta.get("list_page", 0))
        if self.reached_since(page):
            log.info("backfill: %s reached %s before list page %d", site.name, self.since.date(), page)
            return
        count_site(self.crawler.stats, site.name, "other_pages")
        for link in page_links(parse_html(response.text), response.url):
            if site.is_article(link.url):
                meta = {**self._meta(site, article=True), "list_page": page}
                yield scrapy.Request(link.url, callback=self.parse_article, errback=self.failed, meta=meta)
            elif site.is_list(link.url) or (site.owns(link.url) and _NEXT_PAGE.match(link.text or "")):
                yield self._list_request(site, link.url, page + 1)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Requests made by the incremental spider's code (a split article's first page) land here."""
        if response.meta.get("article") or "list_page" not in response.meta:
            return self.parse_article(response)
        return self.parse_list(response)

    def parse_sitemap(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Every article of the site's sitemaps (the incremental crawl takes the newest few); those
        published before ``since`` are fetched and not sent (a sitemap rarely dates its entries)."""
        site = self._count_fetch(response)
        if site is None:
            return
        sitemap = parse_sitemap(response.body)
        for url in sitemap.sitemaps:
            if site.owns(url):
                yield self._request(site, url, self.parse_sitemap)
        for url in sitemap.urls:
            if site.is_article(url):
                yield self._request(site, url, self.parse_article, article=True)

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """The incremental spider's article handling, without following links out of the article."""
        page = str(response.meta.get("list_page", ""))
        for output in NewsSpider.parse(self, response):
            if isinstance(output, scrapy.Request) and not output.meta.get("split_article"):
                if not output.meta.get("article"):
                    continue  # a link out of the article page: the list pages lead the walk
            if isinstance(output, PageItem) and not self._keep(output, page):
                continue
            yield output

    def _keep(self, item: PageItem, page: str) -> bool:
        published = item.extracted.published_at
        if published is None:
            return True  # undated: sent (the walk's end is decided by dated articles)
        if published.tzinfo is None:  # a page's local time without zone: China time
            published = published.replace(tzinfo=CHINA_TZ)
        fresh = published >= self.since
        if page:
            counts = self.pages().setdefault(page, {"new": 0, "old": 0})
            counts["new" if fresh else "old"] += 1
        if not fresh:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("jiancha/dropped/before_since")
            log.info("dropped(before_since): %s (published %s)", item.url, published.date())
        return fresh
