"""The crawl benchmark's baseline: a bare Scrapy spider that follows the same list and article links
with the same Scrapy settings as ours (politeness, concurrency, AutoThrottle, robots.txt) and does
nothing with a page but count it: no extraction, no item pipeline, no bus.

``python -m bench.bare_spider START_URL ARTICLE_REGEX LIST_REGEX`` (run by bench.crawl in a child
process, as our crawler runs: Twisted's reactor cannot restart).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from crawler.run import scrapy_settings
from crawler.sites import SiteConfig
from pipeline.settings import Settings


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start: str, article: str, listing: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.article, self.listing = re.compile(article), re.compile(listing)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        if self.article.search(response.url):
            return  # an article page: fetched, nothing else
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if self.article.search(url) or self.listing.search(url):
                yield response.follow(url, self.parse)


def bare_settings(start: str, article: str, listing: str) -> dict[str, Any]:
    """Our crawler's Scrapy settings without anything of ours (pipeline, middlewares, dupe filter)."""
    site = SiteConfig(name="bench", start_urls=[start], article_patterns=[article], list_patterns=[listing],
                      download_delay=0)  # fmt: skip
    configured = scrapy_settings(Settings(), [site])
    for ours in (
        "ITEM_PIPELINES",
        "DOWNLOADER_MIDDLEWARES",
        "DUPEFILTER_CLASS",
        "JIANCHA_SETTINGS",
        "JIANCHA_SITES",
    ):
        configured.pop(ours, None)
    configured["LOG_LEVEL"] = "WARNING"
    return configured


def main(argv: list[str]) -> int:
    start, article, listing = argv
    process = CrawlerProcess(bare_settings(start, article, listing))
    process.crawl(BareSpider, start=start, article=article, listing=listing)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
