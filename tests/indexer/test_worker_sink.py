"""The indexer's sink on several bulk streams: every article written once, the versions of one
article kept in one stream and in order, and a failing stream failing the whole batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from indexer.base import IndexOutcome, TransientIndexError
from indexer.worker import BackendSink
from pipeline.errors import Transient
from pipeline.model import Article


def article(n: int, version: int = 1) -> Article:
    return Article.new(f"https://news.example.cn/s/{n}.html", title=f"标题{n}", body="正文", version=version)


class RecordingBackend:
    """Records each ``index`` call; fails the call that holds ``fail_id``, slowly finishes the others."""

    def __init__(self, fail_id: str | None = None) -> None:
        self.fail_id = fail_id
        self.calls: list[list[tuple[str, int]]] = []
        self.finished: list[str] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def index(self, articles: Sequence[Article]) -> list[IndexOutcome]:
        with self._lock:
            self.calls.append([(a.article_id, a.version) for a in articles])
            self.threads.add(threading.current_thread().name)
        if self.fail_id in {a.article_id for a in articles}:
            raise TransientIndexError("Elasticsearch answered 429")
        time.sleep(0.2)  # a stream still in flight when the other one fails
        with self._lock:
            self.finished.extend(a.article_id for a in articles)
        return [IndexOutcome(a.article_id, ok=True) for a in articles]


def test_two_streams_write_every_article_once_and_one_articles_versions_in_order() -> None:
    backend = RecordingBackend()
    sink = BackendSink(backend, concurrency=2)  # type: ignore[arg-type]
    batch = [article(n) for n in range(200)] + [article(n, version=2) for n in range(0, 200, 7)]
    try:
        outcomes = sink.write(batch)
    finally:
        sink.close()
    assert len(backend.calls) == 2 and len(backend.threads) == 2  # two streams, side by side
    assert all(60 < len(call) < 140 for call in backend.calls)  # split roughly evenly
    written = sorted(item for call in backend.calls for item in call)
    assert written == sorted((a.article_id, a.version) for a in batch)
    for call in backend.calls:
        ids = [article_id for article_id, _ in call]
        for article_id in set(ids):
            versions = [v for i, v in call if i == article_id]
            assert versions == sorted(versions)  # version 1 before version 2, as consumed
    other = {article_id for article_id, _ in backend.calls[1]}
    assert not other & {article_id for article_id, _ in backend.calls[0]}  # an id in one stream only
    assert sorted(o.article_id for o in outcomes) == sorted(a.article_id for a in batch)


def test_a_failing_stream_fails_the_batch_once_the_other_has_finished() -> None:
    batch = [article(n) for n in range(50)]
    backend = RecordingBackend(fail_id=batch[0].article_id)
    sink = BackendSink(backend, concurrency=2)  # type: ignore[arg-type]
    try:
        with pytest.raises(Transient, match="429"):
            sink.write(batch)
    finally:
        sink.close()
    # The batch is retried as a whole, so nothing may still be writing when write() raises.
    failed = next(call for call in backend.calls if (batch[0].article_id, 1) in call)
    assert len(backend.finished) == len(batch) - len(failed)


def test_one_stream_is_one_call_on_the_callers_thread() -> None:
    backend = RecordingBackend()
    sink = BackendSink(backend)  # type: ignore[arg-type]
    sink.write([article(n) for n in range(10)])
    sink.close()
    assert len(backend.calls) == 1 and backend.threads == {threading.current_thread().name}
