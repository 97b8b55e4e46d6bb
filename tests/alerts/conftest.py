"""Fixtures of the alerts tests: an indexed SQLite backend, the alert store, local receivers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alerts.store import AlertStore, open_store
from indexer import SearchBackend, open_index
from pipeline.settings import Settings
from tests.alerts.receivers import HttpReceiver, SmtpReceiver


@pytest.fixture
def backend(settings: Settings) -> Iterator[SearchBackend]:
    index = open_index(settings)
    index.init()
    yield index
    index.drop()
    index.close()


@pytest.fixture
def store(settings: Settings) -> Iterator[AlertStore]:
    alert_store = open_store(settings)
    yield alert_store
    alert_store.close()


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    http = HttpReceiver()
    yield http
    http.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    server = SmtpReceiver()
    yield server
    server.close()
