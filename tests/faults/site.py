"""A local news site of generated article pages for the crawler's fault tests: list pages of 50
links each (all of them start URLs, so no page is deeper than Scrapy's depth limit), one article
page per generated story, and a sites file naming it."""

from __future__ import annotations

import threading
from collections import Counter
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from tests.faults.articles import Published, generate

PER_LIST = 50

ARTICLE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title} | 生成新闻网</title>
</head><body><nav><a href="/">首页</a></nav><main><article><header><h1>{title}</h1>
<p class="info">2026-11-01 08:00 来源:生成新闻网</p></header>
<section class="article-body">{paragraphs}</section></article></main><footer>生成新闻网 版权所有</footer></body></html>"""

LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>检察动态</title></head><body><h1>检察动态</h1>
<ul>{items}</ul></body></html>"""


class GeneratedSite:
    """Serves ``count`` generated articles at ``/news/<n>.html`` until closed; counts article hits."""

    def __init__(self, count: int, tag: str) -> None:
        self.stories = generate(count, tag)
        self.hits: Counter[str] = Counter()
        self.pages: dict[str, bytes] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.published = self._build()
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-site", daemon=True)

    def _build(self) -> Published:
        """The pages, and the articles the crawler should publish from them (same URL, title, body)."""
        from pipeline.model import Article

        articles = []
        links = []
        for number, story in enumerate(self.stories.articles):
            path = f"/news/{number}.html"
            paragraphs = "".join(f"<p>{escape(p)}</p>" for p in story.body.split("\n"))
            self.pages[path] = ARTICLE.format(title=escape(story.title), paragraphs=paragraphs).encode()
            links.append(f'<li><a href="{path}">{escape(story.title)}</a></li>')
            articles.append(Article.new(self.base_url + path, title=story.title, body=story.body))
        for start in range(0, len(links), PER_LIST):
            self.pages[f"/list/{start // PER_LIST}.html"] = LIST.format(
                items="".join(links[start : start + PER_LIST])
            ).encode()
        # The generated reprints are pages here too: the same two stories share one story id.
        page_id = {
            story.article_id: page.article_id
            for story, page in zip(self.stories.articles, articles, strict=True)
        }
        return Published(articles, [(page_id[a], page_id[b]) for a, b in self.stories.pairs])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = site.pages.get(self.path)
                site.hits[self.path] += 1
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                payload = body if body is not None else b"<html><body>404</body></html>"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def article_hits(self) -> int:
        return sum(1 for path in self.hits if path.startswith("/news/"))

    def sites_file(self, folder: Path) -> Path:
        lists = ", ".join(f'"{self.base_url}{p}"' for p in sorted(self.pages) if p.startswith("/list/"))
        path = folder / "sites.faults.yaml"
        path.write_text(
            "sites:\n"
            "  - name: 生成新闻网\n"
            f"    start_urls: [{lists}]\n"
            f'    url_prefixes: ["{self.base_url}/"]\n'
            "    article_patterns: ['/news/\\d+\\.html$']\n"
            "    list_patterns: ['/list/\\d+\\.html$']\n"
            "    interval_minutes: 600\n"
            "    download_delay: 0\n"
            "    regions: [山西]\n",
            encoding="utf-8",
        )
        return path

    def __enter__(self) -> GeneratedSite:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
