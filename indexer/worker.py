"""The indexer worker: articles.enriched → the configured search backend, offsets committed after the write.

Batches: up to ``batch_size`` articles, written when full or ``poll_timeout_s`` after the first
one arrived (the flush interval); the Elasticsearch backend sends them with
``helpers.streaming_bulk`` in bounded chunks. Outcomes per article: ok, skipped (the index holds
a newer version), dead (the engine rejected the document, e.g. a mapping error: it goes to the
DLQ with the error). When the engine is down or overloaded (connection errors, 429, 5xx, index
missing) the runner waits with capped exponential backoff and retries the same batch for as long
as it takes; the input offsets are committed only after the batch was written.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from indexer.base import IndexMissing, SearchBackend, TransientIndexError
from pipeline.bus import Bus
from pipeline.errors import Transient
from pipeline.model import Article
from pipeline.runner import SinkOutcome, StageRunner, StageStats
from pipeline.settings import Settings
from pipeline.topics import indexer_stage


class BackendSink:
    """Adapts a SearchBackend to the runner's Sink: per-document outcomes, retryable failures raised."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend

    def write(self, articles: Sequence[Article]) -> list[SinkOutcome]:
        try:
            outcomes = self.backend.index(articles)
        except IndexMissing as error:
            # Waiting is right: the operator runs `jiancha index init` and the worker resumes.
            raise Transient(str(error)) from error
        except TransientIndexError as error:
            raise Transient(str(error)) from error
        return [SinkOutcome(o.article_id, o.ok, o.error, o.skipped) for o in outcomes]


def run_indexer(
    settings: Settings, bus: Bus, stop: threading.Event | None = None, until_idle: bool = False
) -> StageStats:
    from indexer import open_index

    backend = open_index(settings)
    try:
        runner = StageRunner(
            indexer_stage(settings.topic_prefix),
            bus,
            sink=BackendSink(backend),
            batch_size=settings.batch_size,
            poll_timeout_s=settings.poll_timeout_s,
            max_retries=settings.max_retries,
            retry_backoff_max_s=settings.retry_backoff_max_s,
            flush_interval_s=settings.poll_timeout_s,
        )
        return runner.run(stop=stop, until_idle=until_idle)
    finally:
        backend.close()
