"""The one config-driven spider: follows each site's list pages to its article pages and hands every
article page to ``extract()``; publishing is the item pipeline's job (``pipelines.py``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.extract import Extracted, extract
from crawler.sites import SiteConfig, site_for_url
from pipeline.topics import crawler_stage

log = logging.getLogger(crawler_stage().logger_name)
# Pagination links are followed even when no list pattern matches them.
_NEXT_PAGE = re.compile(
    r"^\s*(?:下一页|下一頁|下页|下頁|后页|後頁|next\s*page|next|›|»|>)\s*$", re.IGNORECASE
)


@dataclass
class PageItem:
    """An article page of a site, extracted."""

    url: str
    site: str
    extracted: Extracted


class NewsSpider(scrapy.Spider):
    name = "jiancha"

    def __init__(self, sites: list[SiteConfig], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not sites:
            raise ValueError("NewsSpider needs at least one site")
        self.sites = sites
        self._links = LinkExtractor(unique=True)

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        for site in self.sites:
            for url in site.start_urls:
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, meta={"site": site.name})

    def _site(self, response: Response) -> SiteConfig | None:
        named = next((s for s in self.sites if s.name == response.meta.get("site")), None)
        return site_for_url(self.sites, response.url) or named

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("jiancha/pages_fetched")
        site = self._site(response)
        if site is None or not isinstance(response, TextResponse):
            stats.inc_value("jiancha/dropped/not_html" if site else "jiancha/dropped/off_site")
            log.info("dropped(%s): %s", "not_html" if site else "off_site", response.url)
            return
        if site.is_article(response.url):
            headers = {
                key.decode("latin-1"): (response.headers.get(key) or b"").decode("latin-1")
                for key in response.headers
            }
            yield PageItem(response.url, site.name, extract(response.url, response.body, headers, site))
        else:
            stats.inc_value("jiancha/dropped/list_page")
            log.info("dropped(list_page): %s", response.url)
        for link in self._links.extract_links(response):
            follow = site.is_article(link.url) or site.is_list(link.url)
            if not follow and site.owns(link.url) and _NEXT_PAGE.match(link.text or ""):
                follow = True
            if follow:
                yield response.follow(
                    link.url, callback=self.parse, errback=self.failed, meta={"site": site.name}
                )

    def failed(self, failure: Failure) -> None:
        stats = self.crawler.stats
        assert stats is not None
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            stats.inc_value("jiancha/dropped/ignored")  # robots.txt forbids it, or the depth limit
            log.info("dropped(ignored): %s", url)
            return
        stats.inc_value("jiancha/errors")
        log.warning("error: %s (%s)", url, failure.getErrorMessage()[:200])
