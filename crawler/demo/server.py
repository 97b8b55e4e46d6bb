"""The bundled demo news sites on a local threaded HTTP server: what the crawler crawls in demos and tests.

with DemoServer(host="127.0.0.1", port=0) as demo:   # port 0 = a free port
    crawl(demo.base_url)
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from crawler.demo.render import Page
from crawler.demo.site import build_pages

log = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "DemoCMS/1.0"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        path = urlsplit(self.path).path
        page = self.server.pages.get(path)
        self.server.hits[path] = self.server.hits.get(path, 0) + 1
        if page is None:
            page = Page(
                "text/html; charset=utf-8", "<html><body><h1>404 页面不存在</h1></body></html>".encode()
            )
            self.send_response(404)
        else:
            self.send_response(200)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("demo %s", format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, Page]
    hits: dict[str, int]


class DemoServer:
    """Serves both demo sites (``/linfen/`` and ``/sxrb/``) until stopped."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.pages: dict[str, Page] = build_pages()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` without a trailing slash (the value of ``${DEMO_BASE}``)."""
        if self._server is None:
            raise RuntimeError("the demo server is not running; call start() first")
        return f"http://{self.host}:{self.port}"

    @property
    def hits(self) -> dict[str, int]:
        """Requests per path since start (tests check what the crawler fetched)."""
        return dict(self._server.hits) if self._server else {}

    def set_page(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        """Replace (or add) a page while serving, e.g. to simulate an edited article."""
        self.pages[path] = Page(content_type, body)

    def start(self) -> DemoServer:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.pages = self.pages
        server.hits = {}
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="demo-sites", daemon=True)
        self._thread.start()
        log.info("demo news sites at %s/linfen/ and %s/sxrb/", self.base_url, self.base_url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
