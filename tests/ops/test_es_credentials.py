"""The Elasticsearch client settings reach the wire: a node that demands a login gets it."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import ValidationError

from pipeline.ops.checks import check_index
from pipeline.settings import Settings

USER, PASSWORD = "elastic", "s3cret:with-colon"


@pytest.fixture
def secured_node() -> Iterator[str]:
    """Answers cluster health as Elasticsearch does, only to the right Basic credentials."""
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.headers.get("Authorization") == expected
            body = json.dumps(
                {"cluster_name": "jiancha", "status": "green"} if ok else {"error": "auth"}
            ).encode()
            self.send_response(200 if ok else 401)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_configured_user_logs_in(settings: Settings, secured_node: str) -> None:
    secured = settings.model_copy(update={"index": "elasticsearch", "elasticsearch_url": secured_node})
    refused = check_index(secured)
    assert not refused.ok and "401" in refused.detail
    login = secured.model_copy(update={"elasticsearch_username": USER, "elasticsearch_password": PASSWORD})
    accepted = check_index(login)
    assert accepted.ok, accepted.detail
    assert accepted.detail == "cluster jiancha green"


def test_a_non_ascii_password_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIANCHA_ELASTICSEARCH_PASSWORD", "密码")
    with pytest.raises(ValidationError, match="must be ASCII"):
        Settings()


def test_client_options_carry_the_login_and_the_ca(settings: Settings) -> None:
    assert settings.elasticsearch_client_options() == {}
    configured = settings.model_copy(
        update={
            "elasticsearch_username": USER,
            "elasticsearch_password": PASSWORD,
            "elasticsearch_ca_certs": "/certs/ca.crt",
        }
    )
    assert configured.elasticsearch_client_options() == {
        "basic_auth": (USER, PASSWORD),
        "ca_certs": "/certs/ca.crt",
    }
