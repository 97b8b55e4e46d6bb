"""A generated news site on a local HTTP server, for the crawl benchmark: N article pages of 1,000–
3,000 characters (bench.nlp_speed's seeded corpus) in a county-portal layout, list pages of 40 links
each, all reachable from the first list page's pager, and a robots.txt that allows everything.
The server notes when each request arrived, so a crawl's throughput is read where the pages are
served, without the crawler process's start-up."""

from __future__ import annotations

import html
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from bench.nlp_speed import corpus

PER_LIST_PAGE = 40
ARTICLE_PATTERN = r"/news/a/\d+\.html$"
LIST_PATTERN = r"/news/index(?:_\d+)?\.html$"
_NAV = "".join(f"<li><a href='/c/{n}.html'>{name}</a></li>" for n, name in enumerate(
    ["首页", "检察动态", "公益诉讼", "未检工作", "队伍建设", "检务公开"]))  # fmt: skip


def article_page(n: int, title: str, body: str, published: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n") if p.strip())
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}_某县人民检察院</title>"
        f"</head><body><div class='nav'><ul>{_NAV}</ul></div><div class='main'><h1>{html.escape(title)}</h1>"
        f"<div class='info'>发布时间：{published} 来源：某县人民检察院</div>"
        f"<div class='TRS_Editor'>{paragraphs}</div>"
        f"<div class='related'><a href='/news/a/{(n + 1) % 10}.html'>上一篇</a></div></div>"
        "<div class='footer'>版权所有：某县人民检察院 技术支持：某某网络</div></body></html>"
    ).encode()


def list_page(number: int, pages: int, links: list[tuple[int, str]]) -> bytes:
    items = "".join(f"<li><a href='/news/a/{n}.html'>{html.escape(t)}</a><span>2024-05-01</span></li>"
                    for n, t in links)  # fmt: skip
    pager = "".join(
        f"<a href='/news/{'index' if p == 0 else f'index_{p}'}.html'>{p + 1}</a>" for p in range(pages)
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>检察动态 第{number + 1}页</title></head>"
        f"<body><div class='nav'><ul>{_NAV}</ul></div><ul class='list'>{items}</ul>"
        f"<div class='pager'>{pager}</div></body></html>"
    ).encode()


def build_site(articles: int) -> dict[str, bytes]:
    pages: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    links: list[tuple[int, str]] = []
    for n, article in enumerate(corpus(articles)):
        title = f"{article.title}（{n}）"
        day = 1 + n % 28
        pages[f"/news/a/{n}.html"] = article_page(
            n, title, article.body, f"2024-05-{day:02d} 09:{n % 60:02d}"
        )
        links.append((n, title))
    count = (len(links) + PER_LIST_PAGE - 1) // PER_LIST_PAGE
    for p in range(count):
        name = "index" if p == 0 else f"index_{p}"
        pages[f"/news/{name}.html"] = list_page(p, count, links[p * PER_LIST_PAGE : (p + 1) * PER_LIST_PAGE])
    return pages


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = self.server.pages.get(self.path.split("?", 1)[0])
        now = time.monotonic()
        with self.server.lock:
            self.server.times.append(now)
            if body is not None and self.path.startswith("/news/a/"):
                self.server.articles_served += 1
        self.send_response(200 if body is not None else 404)
        payload = body if body is not None else b"<html><body>404</body></html>"
        self.send_header(
            "Content-Type", "text/html; charset=utf-8" if not self.path.endswith(".txt") else "text/plain"
        )
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, bytes]
    times: list[float]
    articles_served: int
    lock: threading.Lock


class GeneratedSite:
    """``with GeneratedSite(2000) as site: crawl(site.base_url)``; ``reset()`` between crawls."""

    def __init__(self, articles: int, port: int = 0) -> None:
        self.articles = articles
        self.pages = build_site(articles)
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.pages = self.pages
        self._server.lock = threading.Lock()
        self.reset()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="bench-site")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def reset(self) -> None:
        with self._server.lock:
            self._server.times = []
            self._server.articles_served = 0

    def window(self) -> tuple[int, int, float]:
        """(requests, article pages served, seconds from the first request to the last)."""
        with self._server.lock:
            times = list(self._server.times)
            return len(times), self._server.articles_served, (times[-1] - times[0]) if len(times) > 1 else 0.0

    def __enter__(self) -> GeneratedSite:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
