"""One record per site per crawl on the ``ops.crawls`` topic: when, with what outcome, how many pages,
article-pattern matches, selector misses and new articles. Status and site health read them back."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from pipeline import metrics
from pipeline.bus import Bus, open_bus
from pipeline.bus.inspect import read_topic
from pipeline.settings import Settings
from pipeline.topics import crawls_topic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlRecord:
    site: str
    started_at: float  # Unix seconds
    finished_at: float
    outcome: str  # ok | unreachable | nothing (no request got an answer or an error)
    pages: int = 0  # responses of the site's own pages
    article_pages: int = 0  # pages whose URL matched the site's article patterns (or came from a feed)
    other_pages: int = 0  # list and other pages
    selector_missed: int = 0  # article pages where the site's selectors found nothing: generic fallback
    published: int = 0  # new or changed articles sent to the pipeline
    responses: dict[str, int] = field(default_factory=dict)  # "200", "404", "timeout", "other" → count

    @classmethod
    def from_counters(
        cls, site: str, counters: dict[str, int], started_at: float, finished_at: float
    ) -> CrawlRecord:
        responses = {k.removeprefix("status/"): v for k, v in counters.items() if k.startswith("status/")}
        answered = sum(v for k, v in responses.items() if k.isdigit())
        outcome = "ok" if answered else "unreachable" if responses else "nothing"
        return cls(
            site=site,
            started_at=started_at,
            finished_at=finished_at,
            outcome=outcome,
            pages=answered,
            article_pages=counters.get("article_pages", 0),
            other_pages=counters.get("other_pages", 0),
            selector_missed=counters.get("selector_missed", 0),
            published=counters.get("published", 0),
            responses=responses,
        )

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> CrawlRecord:
        return cls(**json.loads(raw))


def record_crawls(
    settings: Settings, sites: Sequence[str], counters: dict[str, dict[str, int]], started_at: float
) -> list[CrawlRecord]:
    """Count the crawl in the metrics and publish one record per crawled site. A bus that does not
    take the records is logged (the articles themselves were published already) and not raised."""
    finished_at = time.time()
    records = [CrawlRecord.from_counters(s, counters.get(s, {}), started_at, finished_at) for s in sites]
    for record in records:
        metrics.record_crawl(
            record.site, finished_at, record.responses, record.published, settings.topic_prefix
        )
    try:
        bus = open_bus(settings)
        try:
            publish(bus, settings.topic_prefix, records)
        finally:
            bus.close()
    except Exception as error:  # an operations record must not fail the crawl that it describes
        log.warning("could not record the crawl of %d site(s) for status: %s", len(records), error)
    return records


def publish(bus: Bus, prefix: str, records: Iterable[CrawlRecord]) -> None:
    topic = crawls_topic(prefix)
    bus.ensure_topics([topic])
    producer = bus.producer()
    try:
        for record in records:
            producer.send(topic, record.site, record.to_json())
        producer.flush()
    finally:
        producer.close()


def read_crawls(bus: Bus, prefix: str, since: datetime | None = None) -> list[CrawlRecord]:
    """The crawl records written since ``since``, oldest first; unreadable records are skipped, logged."""
    records = []
    for message in read_topic(bus, crawls_topic(prefix), since):
        try:
            records.append(CrawlRecord.from_json(message.value))
        except (ValueError, TypeError) as error:
            log.warning("skipping an unreadable crawl record at offset %d: %s", message.offset, error)
    return sorted(records, key=lambda r: r.finished_at)
