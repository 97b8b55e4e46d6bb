"""Reprocess stored articles after a gazetteer or taxonomy change, without re-crawling: each stored
article goes back, as crawled, to the first processor's input topic and runs through the normal
stages (or, from the indexer, as stored: a rebuild of the index from the same archive)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from pipeline.bus import Bus
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import entities_stage, indexer_stage

log = logging.getLogger(__name__)
# Articles per producer flush: durable in steps, so an interrupted reprocess has sent whole batches.
FLUSH_EVERY = 500


def republish(
    settings: Settings,
    bus: Bus,
    since: datetime | None = None,
    from_stage: str = "entities",
    progress: Callable[[Iterable[Article], int | None], Iterable[Article]] = lambda items, total: items,
) -> int:
    """Send the stored articles fetched since ``since`` to ``from_stage``'s input; returns how many."""
    from indexer import open_index
    from indexer.archive import stored_articles

    stage = {"entities": entities_stage, "indexer": indexer_stage}[from_stage](settings.topic_prefix)
    assert stage.input_topic is not None
    bus.ensure_topics([stage.input_topic])
    backend = open_index(settings)
    producer = bus.producer()
    sent = 0
    try:
        backend.refresh()  # what was indexed a moment ago is part of the archive too
        total = backend.count() if since is None else None
        articles = stored_articles(backend, since, as_stored=from_stage == "indexer")
        for article in progress(articles, total):
            producer.send(stage.input_topic, article.article_id, article.to_json())
            sent += 1
            if sent % FLUSH_EVERY == 0:
                producer.flush()
        producer.flush()
    finally:
        producer.close()
        backend.close()
    log.info("sent %d stored articles to %s", sent, stage.input_topic)
    return sent
