"""What only the Elasticsearch backend does: bulk actions, failing fast, failures of the engine."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from evaluation.articles import COUNTY, SPP
from indexer import IndexMissing, TransientIndexError, open_index
from indexer.elastic_backend import ElasticBackend, article_to_action, load_mapping
from pipeline.errors import ServiceUnavailable
from pipeline.settings import Settings

# path -> (status, body) of a fake server that looks like Elasticsearch to the client.
Route = Callable[[str], tuple[int, dict[str, Any]]]


@pytest.fixture
def fake_es() -> Iterator[Callable[[Route], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(route: Route) -> str:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                status, body = route(self.path)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("x-elastic-product", "Elasticsearch")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def healthy(path: str) -> tuple[int, dict[str, Any]] | None:
    return (200, {"status": "green"}) if path.startswith("/_cluster/health") else None


def test_article_to_action_writes_the_article_under_its_id() -> None:
    action = article_to_action(SPP, "articles")
    assert (action["_op_type"], action["_index"], action["_id"]) == ("index", "articles", SPP.article_id)
    assert action["version_type"] == "external_gte"
    source = json.loads(action["_source"])  # JSON text, sent to the bulk request as is
    assert source["title"] == SPP.title and source["body"] == SPP.body  # the original stays
    assert source["title_simplified"] == "最高检发布国家司法救助典型案例"
    assert source["body_simplified"].startswith("检察机关开展国家司法救助工作")
    assert source["published_at"] == "2024-05-01T08:30:00Z"
    json.dumps(source)  # plain JSON, ready for the bulk body


def test_mapping_file_types_the_searched_and_filtered_fields() -> None:
    properties = load_mapping()["mappings"]["properties"]
    for field in ("article_id", "url", "site", "source"):
        assert properties[field]["type"] == "keyword"
    for field in ("published_at", "fetched_at"):
        assert properties[field]["type"] == "date"
    for field in ("title_simplified", "body_simplified"):
        assert properties[field] == {"type": "text", "analyzer": "standard", "index_phrases": True}
    for field in ("title", "body"):  # shown, never searched
        assert properties[field] == {"type": "text", "index": False}
    for field in ("title_words", "body_words"):  # the entity stage's words: one term each, for ranking
        assert properties[field] == {"type": "text", "analyzer": "whitespace", "index_options": "freqs"}
    for field in ("story_key", "story_id", "regions", "procuratorates", "topic_pairs", "tone", "outlet"):
        assert properties[field]["type"] == "keyword"
    # Only analysis that every distribution has: no plugin, no analysis-common.
    assert "analysis" not in load_mapping()["settings"]


def test_unreachable_elasticsearch_is_reported_at_once(settings: Settings) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    down = settings.model_copy(update={"index": "elasticsearch", "elasticsearch_url": url})
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match=url) as caught:
        open_index(down)
    assert time.monotonic() - started < 2
    assert "deploy/local/services start" in str(caught.value)


def test_a_silent_server_is_given_up_on_after_the_connect_timeout(settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()  # accepts connections, never answers
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        silent = settings.model_copy(
            update={"index": "elasticsearch", "elasticsearch_url": url, "connect_timeout_s": 1.0}
        )
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable, match=url):
            open_index(silent)
        assert time.monotonic() - started < 3


def test_a_server_that_is_not_elasticsearch_is_reported(fake_es: Callable[[Route], str]) -> None:
    url = fake_es(lambda path: (404, {"error": "no such page"}))
    with pytest.raises(ServiceUnavailable, match="answered 404"):
        ElasticBackend(url, "articles", connect_timeout_s=1)


def test_a_failing_bulk_request_is_transient(fake_es: Callable[[Route], str]) -> None:
    url = fake_es(lambda path: healthy(path) or (500, {"error": {"type": "boom", "reason": "disk"}}))
    backend = ElasticBackend(url, "articles", connect_timeout_s=1)
    with pytest.raises(TransientIndexError, match="500"):
        backend.index([SPP])


def test_documents_refused_with_429_make_the_batch_transient(fake_es: Callable[[Route], str]) -> None:
    def route(path: str) -> tuple[int, dict[str, Any]]:
        items = [
            {"index": {"_id": SPP.article_id, "status": 429, "error": {"type": "es_rejected_execution"}}}
        ]
        return healthy(path) or (200, {"errors": True, "took": 1, "items": items})

    backend = ElasticBackend(fake_es(route), "articles", connect_timeout_s=1)
    with pytest.raises(TransientIndexError, match="429"):
        backend.index([SPP])


@pytest.fixture
def es_backend(elasticsearch_settings: Settings) -> Iterator[ElasticBackend]:
    backend = open_index(elasticsearch_settings)
    assert isinstance(backend, ElasticBackend)
    yield backend
    backend.drop()
    backend.close()


def test_init_creates_a_versioned_index_behind_read_and_write_aliases(es_backend: ElasticBackend) -> None:
    es_backend.init()
    version = load_mapping()["mappings"]["_meta"]["version"]
    for alias in (es_backend.alias, f"{es_backend.alias}-write"):
        aliases = es_backend.client.indices.get_alias(name=alias)
        assert list(aliases.body) == [f"{es_backend.alias}-v{version}"]
    mapping = es_backend.client.indices.get_mapping(index=es_backend.alias)
    (index_mapping,) = mapping.body.values()
    assert index_mapping["mappings"]["properties"]["body_simplified"]["analyzer"] == "standard"


def test_indexing_before_init_never_creates_an_index(es_backend: ElasticBackend) -> None:
    with pytest.raises(IndexMissing, match="jiancha index init"):
        es_backend.index([SPP])
    assert not es_backend.client.indices.exists(index=es_backend.alias)


def test_a_document_the_engine_rejects_is_one_failed_outcome(es_backend: ElasticBackend) -> None:
    # An index whose mapping disagrees with the article (site as a number), as after a bad
    # manual change: Elasticsearch refuses that document and accepts the others.
    concrete = f"{es_backend.alias}-v1"
    es_backend.client.indices.create(
        index=concrete,
        mappings={"properties": {"site": {"type": "long"}}},
        aliases={es_backend.alias: {}, f"{es_backend.alias}-write": {}},
    )
    numeric_site = COUNTY.model_copy(update={"site": "42"})
    outcomes = es_backend.index([SPP, numeric_site])
    assert [o.ok for o in outcomes] == [False, True]
    assert outcomes[0].article_id == SPP.article_id
    assert outcomes[0].error is not None and "site" in outcomes[0].error
    es_backend.refresh()
    assert es_backend.count() == 1
