"""Fixtures of the processor tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.settings import Settings
from processors.reprints import open_story_store
from processors.reprints.store import StoryStore


@pytest.fixture(params=["sqlite", "elasticsearch"])
def store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[StoryStore]:
    """A story store made as `jiancha index init` makes it, on each backend (Elasticsearch: the real one)."""
    if request.param == "elasticsearch":
        url = request.getfixturevalue("elasticsearch_url")
        settings = settings.model_copy(update={"index": "elasticsearch", "elasticsearch_url": url})
    opened = open_story_store(settings)
    opened.init()
    yield opened
    opened.drop()
    opened.close()
