"""Fixtures of the search contract: the same tests run against SQLite FTS5 and Elasticsearch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer import SearchBackend, open_index


@pytest.fixture(
    params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.integration)],
)
def empty_backend(request: pytest.FixtureRequest) -> Iterator[SearchBackend]:
    """An initialised, empty index of the backend under test; dropped afterwards."""
    fixture = "settings" if request.param == "sqlite" else "elasticsearch_settings"
    backend = open_index(request.getfixturevalue(fixture))
    try:
        backend.init()
        yield backend
    finally:
        backend.drop()
        backend.close()
