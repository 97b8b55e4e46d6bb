"""The indexer worker: articles.enriched → the configured search backend, offsets committed after the write.

Batches: up to ``index_batch_size`` articles. A batch is written as soon as the previous write has
returned; while that write is in flight the batch takes what arrives, until full or ``poll_timeout_s``
after its first article (the flush interval). So a trickle is indexed at once and a flood in large
bulk requests. The Elasticsearch backend sends them with
``helpers.streaming_bulk`` in bounded chunks. Outcomes per article: ok, skipped (the index holds
a newer version), dead (the engine rejected the document, e.g. a mapping error: it goes to the
DLQ with the error). When the engine is down or overloaded (connection errors, 429, 5xx, index
missing) the runner waits with capped exponential backoff and retries the same batch for as long
as it takes; the input offsets are committed only after the batch was written.

On Elasticsearch a batch goes out as ``index_concurrency`` bulk streams at once, split by article
id (so two versions of one article in a batch stay in one stream, in order): one stream leaves
the engine's second write thread idle while it waits for our request, and ours for its answer.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from indexer.base import IndexMissing, SearchBackend, TransientIndexError
from pipeline.bus import Bus
from pipeline.errors import Transient
from pipeline.model import Article
from pipeline.runner import SinkOutcome, StageRunner, StageStats
from pipeline.settings import Settings
from pipeline.topics import indexer_stage


class BackendSink:
    """Adapts a SearchBackend to the runner's Sink: per-document outcomes, retryable failures raised.

    With ``concurrency`` > 1 the backend must accept concurrent ``index`` calls (Elasticsearch does;
    SQLite has a single writer). The batch is written when every stream has returned; if any
    stream fails, the whole batch fails and the runner retries it (idempotent: ``_id`` and version).
    """

    def __init__(self, backend: SearchBackend, concurrency: int = 1) -> None:
        self.backend = backend
        self.concurrency = max(1, concurrency)
        self._pool: ThreadPoolExecutor | None = None
        if self.concurrency > 1:
            self._pool = ThreadPoolExecutor(self.concurrency - 1, thread_name_prefix="index-stream")

    def write(self, articles: Sequence[Article]) -> list[SinkOutcome]:
        if self._pool is None or len(articles) < 2:
            return self._write(articles)
        streams: list[list[Article]] = [[] for _ in range(self.concurrency)]
        for article in articles:
            streams[zlib.crc32(article.article_id.encode("utf-8")) % self.concurrency].append(article)
        others = [self._pool.submit(self._write, stream) for stream in streams[1:] if stream]
        outcomes: list[SinkOutcome] = []
        failure: BaseException | None = None
        try:
            outcomes.extend(self._write(streams[0]) if streams[0] else [])
        except Exception as error:  # the other streams still finish before the batch fails
            failure = error
        for future in others:
            try:
                outcomes.extend(future.result())
            except Exception as error:
                failure = failure or error
        if failure is not None:
            raise failure
        return outcomes

    def _write(self, articles: Sequence[Article]) -> list[SinkOutcome]:
        try:
            outcomes = self.backend.index(articles)
        except IndexMissing as error:
            # Waiting is right: the operator runs `jiancha index init` and the worker resumes.
            raise Transient(str(error)) from error
        except TransientIndexError as error:
            raise Transient(str(error)) from error
        return [SinkOutcome(o.article_id, o.ok, o.error, o.skipped) for o in outcomes]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


@contextmanager
def indexer_runner(settings: Settings, bus: Bus) -> Iterator[StageRunner]:
    """The indexer stage's runner with its backend open; closed when the block ends."""
    from indexer import open_index

    backend = open_index(settings)
    # SQLite has a single writer: concurrent streams would only queue on its lock.
    concurrency = settings.index_concurrency if settings.index == "elasticsearch" else 1
    sink = BackendSink(backend, concurrency)
    try:
        yield StageRunner(
            indexer_stage(settings.topic_prefix),
            bus,
            sink=sink,
            batch_size=settings.index_batch_size,
            poll_timeout_s=settings.poll_timeout_s,
            max_retries=settings.max_retries,
            retry_backoff_max_s=settings.retry_backoff_max_s,
            max_event_bytes=settings.max_event_bytes,
            flush_interval_s=settings.poll_timeout_s,
        )
    finally:
        sink.close()
        backend.close()


def run_indexer(
    settings: Settings, bus: Bus, stop: threading.Event | None = None, until_idle: bool = False
) -> StageStats:
    with indexer_runner(settings, bus) as runner:
        return runner.run(stop=stop, until_idle=until_idle)
