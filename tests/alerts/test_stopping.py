"""Stopping the alerts worker with SIGTERM, as a deploy does: a look stuck in a slow index query is
dropped at once (it had written nothing), while a delivery in progress is finished, so the next
worker sends nothing twice. The signal is real, sent to this process."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from alerts.model import ChannelSpec, SavedSearch
from alerts.store import AlertStore
from alerts.worker import AlertsWorker
from evaluation.articles import FENHE_SPP
from indexer import SearchBackend
from indexer.base import SearchPage, SearchQuery
from pipeline.settings import Settings
from tests.alerts.receivers import HttpReceiver, Recorded


class SlowIndex:
    """The real embedded index, with every search taking ``delay`` seconds first (a sick cluster)."""

    def __init__(self, backend: SearchBackend, delay: float) -> None:
        self.backend, self.delay = backend, delay

    def search_many(self, queries: Sequence[SearchQuery]) -> list[SearchPage]:
        time.sleep(self.delay)
        return self.backend.search_many(queries)

    def search(self, query: SearchQuery) -> SearchPage:
        time.sleep(self.delay)
        return self.backend.search(query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)


@pytest.fixture
def restore_signals() -> Iterator[None]:
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def _sigterm_after(seconds: float) -> None:
    threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGTERM)).start()


def _add(store: AlertStore, receiver: HttpReceiver) -> None:
    store.add(SavedSearch(name="汾河", owner="press", query="公益诉讼",
                          channels=[ChannelSpec(kind="webhook", target=receiver.url())]))  # fmt: skip


def _index(backend: SearchBackend) -> None:
    assert all(o.ok for o in backend.index([FENHE_SPP]))
    backend.refresh()


@pytest.mark.usefixtures("restore_signals")
def test_sigterm_during_a_slow_query_stops_at_once_and_writes_nothing(
    settings: Settings, backend: SearchBackend, store: AlertStore, receiver: HttpReceiver
) -> None:
    _add(store, receiver)
    _index(backend)
    before = store.watermarks()
    worker = AlertsWorker(settings, SlowIndex(backend, delay=60), store)  # type: ignore[arg-type]
    stop = threading.Event()
    worker.stop_on_sigterm(stop)
    _sigterm_after(0.5)
    started = time.monotonic()
    worker.run(stop)
    assert time.monotonic() - started < 10, "the worker waited out the slow query"
    assert stop.is_set()
    assert receiver.requests == [] and store.watermarks() == before  # nothing recorded, nothing sent
    # the next worker finds the story, as if the dropped look had never started
    assert AlertsWorker(settings, backend, store).run_once() == (1, 1)
    assert len(receiver.requests) == 1


@pytest.mark.usefixtures("restore_signals")
def test_sigterm_during_a_delivery_finishes_it_and_the_next_worker_sends_nothing_again(
    settings: Settings, backend: SearchBackend, store: AlertStore
) -> None:
    answered = threading.Event()

    def slow_answer(_request: Recorded) -> tuple[int, Any]:
        time.sleep(1.5)  # the SIGTERM arrives while the worker waits for this reply
        answered.set()
        return 200, {"errcode": 0, "errmsg": "ok", "code": 0}

    receiver = HttpReceiver(answer=slow_answer)
    try:
        _add(store, receiver)
        _index(backend)
        worker = AlertsWorker(settings, backend, store)
        stop = threading.Event()
        worker.stop_on_sigterm(stop)
        _sigterm_after(0.7)
        worker.run(stop)
        assert answered.is_set() and len(receiver.requests) == 1
        assert AlertsWorker(settings, backend, store).run_once() == (0, 0)  # marked sent: no repeat
        assert len(receiver.requests) == 1
    finally:
        receiver.close()
