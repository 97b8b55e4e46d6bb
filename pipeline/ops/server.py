"""The small HTTP endpoint of every worker: ``/metrics`` (Prometheus), ``/health`` (the process is
alive and its stages run) and ``/ready`` (its dependencies answer). Compose healthchecks ask it."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pipeline import metrics
from pipeline.ops.checks import Check

log = logging.getLogger(__name__)


class OpsServer:
    """Serves the endpoints on a daemon thread until ``close``.

    ``alive`` says whether the process's stages still run (``/health``); ``ready`` returns the
    dependency checks (``/ready``: 200 when every one is ok, else 503 with the failing ones).
    """

    def __init__(
        self,
        host: str,
        port: int,
        ready: Callable[[], Sequence[Check]],
        alive: Callable[[], tuple[bool, str]] = lambda: (True, "running"),
    ) -> None:
        self._ready = ready
        self._alive = alive
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("ops endpoint: " + format, *args)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="ops-server", daemon=True)

    def start(self) -> OpsServer:
        self._thread.start()
        log.info("metrics, health and readiness on port %d (/metrics /health /ready)", self.port)
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> OpsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        path = request.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(request, 200, generate_latest(metrics.REGISTRY), CONTENT_TYPE_LATEST)
        elif path == "/health":
            ok, detail = self._alive()
            self._json(request, 200 if ok else 503, {"status": "ok" if ok else "failing", "detail": detail})
        elif path == "/ready":
            checks = list(self._ready())
            ok = all(check.ok for check in checks)
            body = {"status": "ready" if ok else "not ready", "checks": [asdict(c) for c in checks]}
            self._json(request, 200 if ok else 503, body)
        else:
            self._json(request, 404, {"error": f"no endpoint {path}; try /metrics, /health or /ready"})

    def _json(self, request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        self._send(request, status, json.dumps(body, ensure_ascii=False).encode(), "application/json")

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)


def probe(url: str, timeout_s: float = 5.0) -> tuple[bool, str]:
    """GET a health or readiness URL: (answered 200, the body) — what ``jiancha health`` reports."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return False, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as error:
        return False, f"{url} does not answer: {error}"
