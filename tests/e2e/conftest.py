"""What the end-to-end tests share: the real-engine settings (cleaned up after), the pipeline run, the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from crawler.run import crawl_once
from indexer import open_index
from indexer.worker import run_indexer
from pipeline.bus import open_bus
from pipeline.commands.common import init_index
from pipeline.settings import Settings
from pipeline.topics import all_topics
from processors.reprints import open_story_store
from processors.worker import run_processor


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def jiancha(args: list[str], env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run the `jiancha` command as a user would, with extra environment."""
    command = [sys.executable, "-m", "pipeline.cli", *args]
    return subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout)


def run_pipeline(settings: Settings, demo_base: str) -> None:
    """The index and story store made (``jiancha index init``), one crawl of the demo sites, then
    every stage until its input is drained."""
    init_index(settings)
    crawl_once(settings, demo_base=demo_base)
    bus = open_bus(settings)
    try:
        run_processor(settings, bus, until_idle=True)
        run_indexer(settings, bus, until_idle=True)
    finally:
        bus.close()


@pytest.fixture
def real_settings(kafka_settings: Settings, elasticsearch_url: str) -> Iterator[Settings]:
    """Kafka + Elasticsearch with this test's own topics and indices, all removed afterwards."""
    settings = kafka_settings.model_copy(
        update={"index": "elasticsearch", "elasticsearch_url": elasticsearch_url}
    )
    yield settings
    bus = open_bus(settings)
    bus.delete_topics(all_topics(settings.topic_prefix))
    bus.close()
    backend = open_index(settings)
    backend.drop()
    backend.close()
    store = open_story_store(settings)
    store.drop()
    store.close()
