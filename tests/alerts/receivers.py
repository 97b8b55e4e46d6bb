"""Local receivers for the channel tests: an HTTP server that records every request and answers
what the test tells it, and a local SMTP server (aiosmtpd) that keeps the messages it gets."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller


@dataclass
class Recorded:
    path: str
    query: dict[str, list[str]]
    body: Any


@dataclass
class HttpReceiver:
    """POSTs to any path are recorded; ``answer(request) -> (status, json body)`` decides the reply."""

    answer: Callable[[Recorded], tuple[int, Any]] = lambda _r: (
        200,
        {"errcode": 0, "errmsg": "ok", "code": 0},
    )
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = urlsplit(self.path)
                request = Recorded(parts.path, parse_qs(parts.query), json.loads(raw))
                status, body = receiver.answer(request)
                if 200 <= status < 300:
                    receiver.requests.append(request)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Keep:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpReceiver:
    def __init__(self) -> None:
        self._handler = _Keep()
        with socket.socket() as probe:  # a free port: the controller checks its own port by connecting
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def messages(self) -> list[Message]:
        return self._handler.messages

    def close(self) -> None:
        self.controller.stop()
