"""The crawler's item pipeline: publishes each new or changed article to ``articles.fetched``.

One outcome per article page, counted in the crawl stats and logged as ``status: url``:
``published`` (new, or changed: version + 1), ``unchanged`` (same text as last time: nothing sent) or
``dropped(reason)`` (not an article, or an event over ``max_event_bytes``). Crawl state is recorded
only after the producer's flush succeeded, so an article is never marked as sent without having been sent.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.extract import Extracted, to_article
from crawler.site_stats import count_site
from crawler.sites import SiteConfig
from crawler.spider import PageItem
from crawler.state import CrawlState, Seen
from pipeline.bus import Bus, Producer, open_bus
from pipeline.bus.files import FileBus
from pipeline.settings import Settings
from pipeline.topics import crawler_stage

log = logging.getLogger(crawler_stage().logger_name)
# Fewer characters than this after extraction: a teaser, a video or an index page, not an article.
MIN_BODY_CHARS = 20


def drop_reason(extracted: Extracted) -> str | None:
    """Why a fetched article page is not an article to publish (None: publish it)."""
    for flag in ("empty", "binary", "link_list"):  # an empty response, a file, an index page
        if flag in extracted.quality:
            return flag
    if len(extracted.body) < MIN_BODY_CHARS:
        return "no_body"
    if not extracted.title:
        return "no_title"
    return None


class PublishPipeline:
    """Sends ``Article.to_json()`` keyed by ``article_id``; flushes every ``flush_every`` items and at close."""

    def __init__(
        self,
        crawler: Crawler,
        settings: Settings,
        sites: list[SiteConfig],
        flush_every: int,
        output_file: Path | None = None,
    ) -> None:
        self.crawler = crawler
        self.settings = settings
        self.sites = {site.name: site for site in sites}
        self.flush_every = flush_every
        topic = crawler_stage(settings.topic_prefix).output_topic
        if topic is None:
            raise NotConfigured("the crawler stage has no output topic")
        self.topic: str = topic
        # ``jiancha crawl --output FILE``: articles go to a JSON-lines file, the crawl state to a
        # throwaway file beside it (every article is new there, and the bus's state is untouched).
        self.output_file = output_file
        self._bus: Bus | None = None
        self._producer: Producer | None = None
        self._state: CrawlState | None = None
        self._pending: dict[str, Seen] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PublishPipeline:
        settings = crawler.settings.get("JIANCHA_SETTINGS")
        sites = crawler.settings.get("JIANCHA_SITES")
        if not isinstance(settings, Settings) or not sites:
            raise NotConfigured("JIANCHA_SETTINGS and JIANCHA_SITES must be set (see crawler.run)")
        output = crawler.settings.get("JIANCHA_OUTPUT_FILE")
        return cls(
            crawler, settings, list(sites), min(settings.batch_size, 50), Path(output) if output else None
        )

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.output_file is not None:
            self._bus = FileBus({self.topic: self.output_file}, truncate=[self.topic])
            state_file = self.output_file.with_name(self.output_file.name + ".state.sqlite3")
            state_file.unlink(missing_ok=True)
        else:
            self._bus = open_bus(self.settings)
            state_file = self.settings.data_dir / "crawl_state.sqlite3"
        self._bus.ensure_topics([self.topic])
        self._producer = self._bus.producer()
        self._state = CrawlState(state_file)

    def _count(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"jiancha/{key}")

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, PageItem):
            return item
        extracted = item.extracted
        reason = drop_reason(extracted)
        if reason:
            self._count(f"dropped/{reason}")
            log.info("dropped(%s): %s", reason, item.url)
            raise DropItem(f"dropped({reason}): {item.url}", log_level="DEBUG")
        assert self._producer is not None and self._state is not None
        article = to_article(extracted, item.url, self.sites.get(item.site))
        previous = self._pending.get(article.article_id) or self._state.get(article.article_id)
        if previous is not None and previous.content_hash == article.content_hash:
            self._count("unchanged")
            log.info("unchanged: %s", item.url)
            return item
        if previous is not None:
            article.version = previous.version + 1
        encoded = article.to_json()
        if len(encoded) > self.settings.max_event_bytes:  # Kafka would refuse it and stop the crawl
            self._count("dropped/too_large")
            log.info("dropped(too_large): %s (%d bytes, JIANCHA_MAX_EVENT_BYTES)", item.url, len(encoded))
            raise DropItem(f"dropped(too_large): {item.url}", log_level="DEBUG")
        self._producer.send(self.topic, article.article_id, encoded)
        self._pending[article.article_id] = Seen(
            article.article_id, item.url, article.content_hash, article.version
        )
        self._count("published")
        assert self.crawler.stats is not None
        count_site(self.crawler.stats, item.site, "published")
        log.info("published: %s (version %d)", item.url, article.version)
        if len(self._pending) >= self.flush_every:
            self._flush()
        return item

    def _flush(self) -> None:
        assert self._producer is not None and self._state is not None
        self._producer.flush()  # raises if the bus did not acknowledge: nothing gets recorded
        self._state.record(self._pending.values())
        self._pending.clear()

    def close_spider(self, spider: Spider | None = None) -> None:
        try:
            if self._producer is not None:
                self._flush()
        except Exception:
            self._count("publish_failed")  # crawl_once turns this into an error for its caller
            raise
        finally:
            if self._producer is not None:
                self._producer.close()
            if self._state is not None:
                self._state.close()
            if self._bus is not None:
                self._bus.close()
            if self.output_file is not None:
                self.output_file.with_name(self.output_file.name + ".state.sqlite3").unlink(missing_ok=True)
