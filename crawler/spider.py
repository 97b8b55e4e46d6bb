"""The one config-driven spider: follows each site's list pages to its article pages and hands every
article page to ``extract()``; publishing is the item pipeline's job (``pipelines.py``).

An article split over several pages is fetched page after page and handed on once, joined, under its
first page's URL; a later page reached by a link on its own is never an article (see ``SplitArticle``).
Just over 300 lines: Scrapy wants one spider class holding every callback of a crawl.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import TimeoutError as DefTimeoutError
from twisted.python.failure import Failure

from crawler.extract import Extracted, extract
from crawler.extract.links import PageLink, page_links
from crawler.extract.page import parse as parse_html
from crawler.extract.pages import join_pages, merge_pages
from crawler.feeds import feed_links, parse_sitemap
from crawler.site_stats import count_site
from crawler.sites import SiteConfig, site_for_url
from crawler.unreachable import UnreachableSites, unreachable_reason
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


@dataclass
class SplitArticle:
    """An article split over pages while its later pages are fetched, one after another.

    ``pages`` grows as later pages reveal more of the pager (a window of page numbers); it is bounded by
    ``MAX_PAGES`` and every URL is fetched at most once, so a pager cannot make the crawl loop.
    """

    site: SiteConfig
    first: PageItem
    pages: list[str]
    fetched: dict[str, Extracted] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def next_url(self) -> str | None:
        done = {self.first.url, *self.fetched, *self.failed}
        return next((url for url in self.pages[1:] if url not in done), None)

    def joined(self) -> PageItem:
        later = [self.fetched[url] for url in self.pages if url in self.fetched]
        extracted = join_pages(self.first.extracted, later, incomplete=bool(self.failed))
        return PageItem(self.first.url, self.first.site, extracted)


class NewsSpider(scrapy.Spider):
    name = "jiancha"

    def __init__(self, sites: list[SiteConfig], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not sites:
            raise ValueError("NewsSpider needs at least one site")
        self.sites = sites
        # Scrapy's offsite middleware drops requests (redirect targets too) outside these domains.
        # Feeds and sitemaps may live on another host of the outlet (www.people.com.cn for sx.…).
        entry_hosts = {urlsplit(url).hostname or "" for site in sites for url in site.entry_points}
        self.allowed_domains = sorted(({d for site in sites for d in site.domains} | entry_hosts) - {""})
        self.unreachable = UnreachableSites()

    def closed(self, reason: str) -> None:
        self.unreachable.report()

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        for site in self.sites:
            for url in site.start_urls:
                yield self._request(site, url, self.parse)
            for url in site.feeds:
                yield self._request(site, url, self.parse_feed)
            for url in site.sitemaps:
                yield self._request(site, url, self.parse_sitemap)

    @staticmethod
    def _meta(site: SiteConfig, article: bool = False) -> dict[str, Any]:
        """Per-request settings of the site (Scrapy reads the download_* keys) and what the page is."""
        return {
            "site": site.name,
            "article": article,  # from a feed or sitemap: an article whatever its URL looks like
            "download_timeout": site.download_timeout,
            "download_maxsize": site.max_page_bytes,
        }

    def _request(self, site: SiteConfig, url: str, callback: Any, article: bool = False) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.failed, meta=self._meta(site, article))

    def parse_feed(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Every entry of an RSS/Atom feed is an article of the site (if the site owns its URL)."""
        site = self._count_fetch(response)
        if site is None:
            return
        for url in feed_links(response.body):
            url = response.urljoin(url)
            if site.owns(url):
                yield self._request(site, url, self.parse, article=True)

    def parse_sitemap(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A sitemap's article URLs (newest first, at most ``sitemap_limit``) and its child sitemaps."""
        site = self._count_fetch(response)
        if site is None:
            return
        sitemap = parse_sitemap(response.body)
        for url in sitemap.sitemaps:
            if site.owns(url):
                yield self._request(site, url, self.parse_sitemap)
        articles = [url for url in sitemap.urls if site.is_article(url)]
        for url in articles[: site.sitemap_limit]:
            yield self._request(site, url, self.parse, article=True)

    def _count_fetch(self, response: Response) -> SiteConfig | None:
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("jiancha/pages_fetched")
        site = self._site(response)
        if site is None:
            stats.inc_value("jiancha/dropped/off_site")
            log.info("dropped(off_site): %s", response.url)
        else:
            count_site(stats, site.name, f"status/{response.status}")
        return site

    def _site(self, response: Response) -> SiteConfig | None:
        """The site that asked for the page if it owns the URL, else the site owning it, else the asker."""
        named = next((s for s in self.sites if s.name == response.meta.get("site")), None)
        if named is not None and named.owns(response.url):
            return named
        return site_for_url(self.sites, response.url) or named

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        site = self._count_fetch(response)
        if site is None:
            return
        stats = self.crawler.stats
        assert stats is not None
        if not isinstance(response, TextResponse):
            stats.inc_value("jiancha/dropped/not_html")
            log.info("dropped(not_html): %s", response.url)
            return
        pages: list[str] = []
        links: list[PageLink]
        if site.is_article(response.url) or response.meta.get("article"):
            extracted = extract(response.url, response.body, _headers(response), site)
            links = extracted.links  # from the tree the extractor parsed: the page is parsed once
            count_site(stats, site.name, "article_pages")
            if "selector_missed" in extracted.quality:
                count_site(stats, site.name, "selector_missed")
            pages = extracted.page_urls
            if pages and pages[0] != response.url:
                # A later page of a split article: the article is its first page, joined with the rest.
                stats.inc_value("jiancha/dropped/continuation")
                log.info("dropped(continuation): %s (first page %s)", response.url, pages[0])
                yield self._request(site, pages[0], self.parse, article=True)
            elif pages:
                yield from self._next_page(
                    SplitArticle(site, PageItem(response.url, site.name, extracted), pages)
                )
            else:
                yield PageItem(response.url, site.name, extracted)
        else:
            count_site(stats, site.name, "other_pages")
            stats.inc_value("jiancha/dropped/list_page")
            log.info("dropped(list_page): %s", response.url)
            links = page_links(parse_html(response.text), response.url)
        for link in links:
            if link.url in pages:
                continue  # fetched as part of the article, never as an article of its own
            follow = site.is_article(link.url) or site.is_list(link.url)
            if not follow and site.owns(link.url) and _NEXT_PAGE.match(link.text or ""):
                follow = True
            if follow:
                yield response.follow(
                    link.url,
                    callback=self.parse,
                    errback=self.failed,
                    meta=self._meta(site),
                )

    def _next_page(self, article: SplitArticle) -> Iterator[Any]:
        """The request for the article's next unfetched page, or the joined article when none is left."""
        url = article.next_url()
        if url is None:
            yield article.joined()
            return
        meta = {**self._meta(article.site), "split_article": article, "page_url": url}
        # A later page is part of an article already reached, not a step deeper into the site; and it is
        # fetched even if a link led there before (that visit only pointed back to the first page).
        meta["depth_reset"] = True
        yield scrapy.Request(
            url,
            callback=self.parse_continuation,
            errback=self.continuation_failed,
            meta=meta,
            dont_filter=True,
        )

    def parse_continuation(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A later page of a split article: keep its text, learn pages its pager names, go on."""
        article: SplitArticle = response.meta["split_article"]
        url: str = response.meta["page_url"]  # as the pager names it, whatever redirects followed
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("jiancha/pages_fetched")
        extracted = (
            extract(response.url, response.body, _headers(response), article.site)
            if isinstance(response, TextResponse)
            else Extracted(quality=["binary"])
        )
        if not extracted.body or {"empty", "binary", "link_list"} & set(extracted.quality):
            log.info("incomplete(pages): %s has no text (a page of %s)", url, article.first.url)
            article.failed.append(url)
        else:
            article.fetched[url] = extracted
            article.pages = merge_pages(article.pages, extracted.page_urls)
        yield from self._next_page(article)

    def continuation_failed(self, failure: Failure) -> Iterator[Any]:
        """A later page could not be fetched: counted like any failed request, the article goes on
        without it (published with the ``incomplete:pages`` flag rather than not at all)."""
        self.failed(failure)
        request = failure.request  # type: ignore[attr-defined]
        article: SplitArticle = request.meta["split_article"]
        article.failed.append(request.meta["page_url"])
        yield from self._next_page(article)

    def failed(self, failure: Failure) -> None:
        """One counted, logged outcome for a request that produced no response to parse."""
        stats = self.crawler.stats
        assert stats is not None
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        message = failure.getErrorMessage()[:200]
        unreachable = unreachable_reason(failure)
        if unreachable is not None:  # the site, not the page: one line per site when the crawl ends
            stats.inc_value("jiancha/errors")
            stats.inc_value(f"jiancha/failed/{unreachable}")
            site = request.meta.get("site", "?") if request is not None else "?"
            if request is not None and request.meta.get("site"):
                count_site(stats, site, f"status/{unreachable}")
            self.unreachable.add(site, url, unreachable, message)
            log.debug("error(%s): %s (%s)", unreachable, url, message)
            return
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt forbids it, an off-site redirect, too many redirects, or the depth limit
            stats.inc_value("jiancha/dropped/ignored")
            log.info("dropped(ignored): %s (%s)", url, message)
            return
        if failure.check(DownloadCancelledError, CancelledError) or "max size" in message:
            stats.inc_value("jiancha/dropped/too_large")
            log.info("dropped(too_large): %s", url)
            return
        reason = (
            "timeout"
            if failure.check(TimeoutError, DefTimeoutError, DownloadTimeoutError)
            else "http"
            if failure.check(HttpError)
            else "other"
        )
        stats.inc_value("jiancha/errors")
        stats.inc_value(f"jiancha/failed/{reason}")
        if request is not None and request.meta.get("site"):
            response = getattr(failure.value, "response", None)
            status = str(response.status) if failure.check(HttpError) and response is not None else reason
            count_site(stats, request.meta["site"], f"status/{status}")
        log.warning("error(%s): %s (%s)", reason, url, message)


def _headers(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1"): (response.headers.get(key) or b"").decode("latin-1")
        for key in response.headers
    }
