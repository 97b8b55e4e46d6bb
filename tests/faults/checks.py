"""What the fault tests publish and what they check afterwards, read from the engines themselves:
the index holds every published article exactly once with consistent story ids, and the dead-letter
topic holds only what was meant to be rejected."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from elasticsearch import Elasticsearch, helpers

from pipeline.bus import open_bus
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import all_topics, crawler_stage, dlq_topic
from tests.faults.articles import Published


def es_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(settings.elasticsearch_url.split(","), request_timeout=30)


def publish(settings: Settings, articles: Iterable[Article]) -> int:
    """Send articles to ``articles.fetched`` as the crawler does (keyed by id, acks=all, flushed)."""
    bus = open_bus(settings)
    bus.ensure_topics(all_topics(settings.topic_prefix))
    producer = bus.producer()
    topic = crawler_stage(settings.topic_prefix).output_topic or ""
    sent = 0
    for article in articles:
        producer.send(topic, article.article_id, article.to_json())
        sent += 1
    producer.close()
    bus.close()
    return sent


def trickle(settings: Settings, articles: list[Article], until: Callable[[], bool], per_s: int = 10) -> int:
    """Send ``articles`` a few at a time, about ``per_s`` a second (a steady stream, not one burst),
    until ``until()`` holds or all are sent; returns how many were sent."""
    bus = open_bus(settings)
    producer = bus.producer()
    topic = crawler_stage(settings.topic_prefix).output_topic or ""
    sent = 0
    try:
        while sent < len(articles) and not until():
            for article in articles[sent : sent + per_s]:
                producer.send(topic, article.article_id, article.to_json())
            producer.flush()
            sent = min(len(articles), sent + per_s)
            time.sleep(1.0)
    finally:
        producer.close()
        bus.close()
    return sent


def indexed(settings: Settings) -> Counter[str]:
    """How many documents the index holds per article id (more than one would be a duplicate)."""
    client = es_client(settings)
    try:
        client.indices.refresh(index=settings.index_name)
        hits = helpers.scan(client, index=settings.index_name, query={"query": {"match_all": {}}},
                            _source=["article_id"], size=1000)  # fmt: skip
        return Counter(hit["_source"]["article_id"] for hit in hits)
    finally:
        client.close()


def story_ids(settings: Settings) -> dict[str, str | None]:
    client = es_client(settings)
    try:
        hits = helpers.scan(client, index=settings.index_name, query={"query": {"match_all": {}}},
                            _source=["article_id", "story_id"], size=1000)  # fmt: skip
        return {hit["_source"]["article_id"]: hit["_source"].get("story_id") for hit in hits}
    finally:
        client.close()


def dead_letters(settings: Settings) -> list[dict[str, object]]:
    """Every record on the dead-letter topic, from the start."""
    bus = open_bus(settings)
    consumer = bus.consumer([dlq_topic(settings.topic_prefix)], f"fault-check-{time.monotonic_ns()}")
    letters: list[dict[str, object]] = []
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 3.0:
        batch = consumer.poll(1000, 0.5)
        if batch:
            idle_since = time.monotonic()
        letters += [json.loads(m.value) for m in batch]
    consumer.close()
    bus.close()
    return letters


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str, every_s: float = 2.0) -> float:
    """Seconds until ``condition()`` held; AssertionError naming ``what`` after ``timeout_s``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if condition():
                took = time.monotonic() - started
                print(f"[faults {time.strftime('%H:%M:%S')}] {took:6.1f}s until {what}", flush=True)
                return took
        except Exception:  # an engine still coming back: ask again
            pass
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")


def count_indexed(settings: Settings) -> int:
    client = es_client(settings)
    try:
        client.indices.refresh(index=settings.index_name)
        return int(client.count(index=settings.index_name)["count"])
    finally:
        client.close()


@dataclass
class Verdict:
    """What a fault left behind, for the assertion message and the report."""

    published: int
    indexed: int
    lost: int
    duplicates: int
    unexpected: int
    dead: int
    split_stories: int
    dead_keys: list[str]

    def line(self) -> str:
        return (f"published {self.published}, indexed {self.indexed}, lost {self.lost}, duplicates "
                f"{self.duplicates}, unexpected {self.unexpected}, dead letters {self.dead}, "
                f"split stories {self.split_stories}")  # fmt: skip


def verify(settings: Settings, published: Published, rejected: set[str] | None = None) -> Verdict:
    """Compare the index with what was published (minus ``rejected``: meant to be dead-lettered)."""
    rejected = rejected or set()
    expected = published.ids - rejected
    counts = indexed(settings)
    stories = story_ids(settings)
    letters = dead_letters(settings)
    split = sum(
        1
        for a, b in published.pairs
        if a in expected and b in expected and (stories.get(a) is None or stories.get(a) != stories.get(b))
    )
    singles = expected - {i for pair in published.pairs for i in pair}
    split += sum(1 for i in singles if stories.get(i) != i)  # a story of its own: named after itself
    return Verdict(
        published=len(published.articles),
        indexed=sum(counts.values()),
        lost=len(expected - set(counts)),
        duplicates=sum(n - 1 for n in counts.values() if n > 1),
        unexpected=len(set(counts) - expected),
        dead=len(letters),
        split_stories=split,
        dead_keys=sorted(str(letter.get("key")) for letter in letters),
    )
