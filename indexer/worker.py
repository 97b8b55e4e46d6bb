"""The indexer worker: articles.enriched → the configured search backend, offsets committed after the write."""

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
        return [SinkOutcome(o.article_id, o.ok, o.error) for o in outcomes]


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
        )
        return runner.run(stop=stop, until_idle=until_idle)
    finally:
        backend.close()
