"""Crawler: Scrapy components that give the requests Scrapy drops on its own a counted, logged outcome
(an off-site redirect, a redirect back to a page already fetched, e.g. a redirect loop).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import IgnoreRequest

from pipeline.topics import crawler_stage

log = logging.getLogger(crawler_stage().logger_name)


class CountingOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter (redirect targets included), with ``dropped(offsite)`` for each request."""

    def process_request(self, request: Request, spider: Any = None) -> None:
        try:
            super().process_request(request)
        except IgnoreRequest:
            self.stats.inc_value("jiancha/dropped/offsite")
            log.info("dropped(offsite): %s (from %s)", request.url, _origin(request))
            raise


class CountingDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter; a *redirect* to a URL already seen (a loop) is an outcome, not noise."""

    crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CountingDupeFilter:
        dupefilter = super().from_crawler(crawler)
        dupefilter.crawler = crawler
        return dupefilter

    def log(self, request: Request, spider: Any) -> None:
        if request.meta.get("redirect_urls") and self.crawler is not None and self.crawler.stats:
            self.crawler.stats.inc_value("jiancha/dropped/redirect_to_seen")
            log.info("dropped(redirect_to_seen): %s (from %s)", request.url, _origin(request))
        super().log(request, spider)


def _origin(request: Request) -> str:
    urls = request.meta.get("redirect_urls") or [request.url]
    return str(urls[0])
