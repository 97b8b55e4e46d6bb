"""Fixtures of the fault tests: their own services on private ports, settings naming them, a fleet of
worker processes that is always torn down (on failure too), and the article count (JIANCHA_FAULT_ARTICLES)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.bus import open_bus
from pipeline.commands.common import init_index
from pipeline.settings import Settings
from pipeline.topics import all_topics
from tests.faults.services import LocalServices, ServicesFailed
from tests.faults.workers import Fleet

ARTICLES = int(os.environ.get("JIANCHA_FAULT_ARTICLES", "2000"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.integration)


def started(own: LocalServices) -> LocalServices:
    try:
        own.start()
    except ServicesFailed as error:
        own.remove()
        pytest.fail(str(error)) if os.environ.get("CI") else pytest.skip(str(error))
    return own


@pytest.fixture(scope="session")
def session_services() -> Iterator[LocalServices]:
    """One broker and one node for the whole fault run (starting them costs a minute or two), removed
    with their data at the end; each test has its own topics and index on them."""
    own = LocalServices()
    try:
        yield own
    finally:
        own.remove()


@pytest.fixture
def services(session_services: LocalServices) -> LocalServices:
    """The fault run's services, (re)started: a test that stopped one and failed leaves it stopped."""
    return started(session_services)


def worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "JIANCHA_BUS": "kafka",
        "JIANCHA_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "JIANCHA_KAFKA_REPLICATION_FACTOR": str(settings.kafka_replication_factor),
        "JIANCHA_INDEX": "elasticsearch",
        "JIANCHA_ELASTICSEARCH_URL": settings.elasticsearch_url,
        "JIANCHA_TOPIC_PREFIX": settings.topic_prefix,
        "JIANCHA_INDEX_NAME": settings.index_name,
        "JIANCHA_DATA_DIR": str(settings.data_dir),
        "JIANCHA_POLL_TIMEOUT_S": str(settings.poll_timeout_s),
        "JIANCHA_RETRY_BACKOFF_MAX_S": str(settings.retry_backoff_max_s),
        "JIANCHA_LOG_LEVEL": "INFO",
    }


def prepared_settings(services: LocalServices, tmp_path: Path, name: str) -> Settings:
    """Settings naming ``services``, with the topics, the index and the story store created (as an
    operator does with `jiancha topics create` and `jiancha index init`); a short backoff cap, so
    recovery after a fault is quick to observe."""
    settings = Settings(
        data_dir=tmp_path / "data",
        topic_prefix=f"{name}.",
        index_name=name,
        bus="kafka",
        kafka_bootstrap=services.kafka_bootstrap,
        kafka_replication_factor=3 if services.cluster else 1,
        index="elasticsearch",
        elasticsearch_url=services.elasticsearch_url,
        poll_timeout_s=0.5,
        retry_backoff_max_s=5.0,
    )
    bus = open_bus(settings)
    bus.ensure_topics(all_topics(settings.topic_prefix))
    bus.close()
    init_index(settings)
    return settings


@pytest.fixture
def fault_settings(services: LocalServices, tmp_path: Path, unique_name: str) -> Settings:
    return prepared_settings(services, tmp_path, unique_name)


def fleet_for(settings: Settings, tmp_path: Path) -> Iterator[Fleet]:
    workers = Fleet(worker_env(settings), tmp_path / "logs")
    try:
        yield workers
    finally:
        workers.close()


@pytest.fixture
def fleet(fault_settings: Settings, tmp_path: Path) -> Iterator[Fleet]:
    yield from fleet_for(fault_settings, tmp_path)
