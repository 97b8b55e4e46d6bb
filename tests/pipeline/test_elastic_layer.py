"""The one Elasticsearch layer (pipeline/elastic.py): the article index and the story store meet the
same failures with the same errors — an address where nothing listens and a server that accepts but
never answers (a ConnectionTimeout, which is not a ConnectionError) are both an outage the runner
waits out; an index that was never made names `jiancha index init` on both."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from indexer import open_index
from pipeline.errors import SchemaMissing, ServiceUnavailable
from pipeline.settings import Settings
from processors.reprints import open_story_store

PORTS = range(31400, 31500)  # this suite's private range


def _bound() -> socket.socket:
    for port in PORTS:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        return sock
    raise RuntimeError(f"no free port in {PORTS}")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    sock = _bound()
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    sock.close()


@pytest.fixture
def closed_port() -> str:
    """An address in our range where nothing listens."""
    sock = _bound()
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def _article_index(settings: Settings) -> None:
    backend = open_index(settings)
    try:
        backend.count()
    finally:
        backend.close()


def _story_store(settings: Settings) -> None:
    store = open_story_store(settings)
    try:
        store.check()
    finally:
        store.close()


OPENERS: dict[str, Callable[[Settings], None]] = {
    "article index": _article_index,
    "story store": _story_store,
}


@pytest.mark.parametrize("opener", OPENERS.values(), ids=OPENERS.keys())
@pytest.mark.parametrize("address", ["silent_server", "closed_port"])
def test_both_stores_call_an_unreachable_elasticsearch_an_outage(
    settings: Settings, opener: Callable[[Settings], None], address: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(address)
    down = settings.model_copy(
        update={"index": "elasticsearch", "elasticsearch_url": url, "connect_timeout_s": 0.5}
    )
    with pytest.raises(ServiceUnavailable, match=f"Elasticsearch is not reachable at {url}"):
        opener(down)


@pytest.mark.parametrize("opener", OPENERS.values(), ids=OPENERS.keys())
def test_both_stores_name_the_command_that_makes_a_missing_index(
    elasticsearch_settings: Settings, opener: Callable[[Settings], None]
) -> None:
    never_made = elasticsearch_settings.model_copy(update={"index_name": "jiancha-never-made-structure"})
    with pytest.raises(SchemaMissing, match="jiancha index init"):
        opener(never_made)
