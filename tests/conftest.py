"""Shared fixtures: settings isolated per test, and the real Kafka/Elasticsearch started by the project.

Integration fixtures need the services of ``deploy/local/services`` (``make test`` starts them).
When they are not running, integration tests are skipped on a developer machine and fail under
CI=true, so a CI run can never pass without having exercised the real engines.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from pipeline.settings import Settings

# Under CI the property tests draw the same examples every run (a failure reproduces on any machine,
# and a pass means the same examples passed); on a developer machine they explore new ones each run.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

KAFKA_BOOTSTRAP = os.environ.get("JIANCHA_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
ELASTICSEARCH_URL = os.environ.get("JIANCHA_ELASTICSEARCH_URL", "http://127.0.0.1:9200")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _require(service: str, address: str) -> None:
    hostport = address.split("//")[-1].split(",")[0]
    host, _, port_text = hostport.partition(":")
    if _reachable(host, int(port_text or 0)):
        return
    message = f"{service} is not running at {address}; start it with `deploy/local/services start`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """``test_<name>_<uuid>``: a topic prefix or index name owned by one test."""
    name = "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:40]
    return f"test_{name}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def settings(tmp_path: Path, unique_name: str) -> Settings:
    """Embedded-default settings writing under the test's own temporary folder."""
    return Settings(data_dir=tmp_path / "data", topic_prefix=f"{unique_name}.", index_name=unique_name)


@pytest.fixture
def kafka_bootstrap() -> str:
    _require("Kafka", KAFKA_BOOTSTRAP)
    return KAFKA_BOOTSTRAP


@pytest.fixture
def elasticsearch_url() -> str:
    _require("Elasticsearch", ELASTICSEARCH_URL)
    return ELASTICSEARCH_URL


@pytest.fixture
def kafka_settings(settings: Settings, kafka_bootstrap: str) -> Iterator[Settings]:
    yield settings.model_copy(update={"bus": "kafka", "kafka_bootstrap": kafka_bootstrap})


@pytest.fixture
def elasticsearch_settings(settings: Settings, elasticsearch_url: str) -> Iterator[Settings]:
    yield settings.model_copy(update={"index": "elasticsearch", "elasticsearch_url": elasticsearch_url})


INTEGRATION_FIXTURES = {"kafka_bootstrap", "elasticsearch_url", "kafka_settings", "elasticsearch_settings"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a real service, so `pytest -m "not integration"` runs without them."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = {str(p) for p in callspec.params.values()} if callspec else set()
        if names & INTEGRATION_FIXTURES or {"kafka", "elasticsearch"} & params:
            item.add_marker(pytest.mark.integration)
