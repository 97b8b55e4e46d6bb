"""A local news site with a long archive: 30 list pages of 5 articles each, one article a day,
newest first, every list page linking the next (下一页). Counts the requests for each path."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIST_PAGES = 30
PER_PAGE = 5
NEWEST = date(2026, 11, 30)

ARTICLE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_档案新闻网</title></head><body>
<div class="nav"><a href="/news/index.html">检察动态</a></div>
<div class="article"><h1>{title}</h1><div class="info">发布时间：{day} 09:30 来源：档案新闻网</div>
<div class="content"><p>{day}，某县人民检察院召开新闻发布会，通报第{n}批司法救助案件办理情况，共救助困难群众二十余人。</p>
<p>据介绍，该院坚持应救尽救，主动排查线索，及时发放救助金，切实解决群众急难愁盼问题，取得良好效果。</p>
<p>检察官表示，下一步将继续深化司法救助工作，让司法既有力度又有温度。</p></div></div></body></html>"""


def published(n: int) -> date:
    """Article ``n`` (0 = newest) was published ``n`` days before NEWEST."""
    return NEWEST - timedelta(days=n)


def article_path(n: int) -> str:
    return f"/news/{published(n):%Y%m%d}/art_{n}.html"


def list_path(page: int) -> str:
    return "/news/index.html" if page == 0 else f"/news/index_{page}.html"


def list_page(page: int) -> str:
    links = "".join(
        f'<li><a href="{article_path(n)}">第{n}批司法救助案件通报</a> {published(n)}</li>'
        for n in range(page * PER_PAGE, (page + 1) * PER_PAGE)
    )
    more = f'<a href="{list_path(page + 1)}">下一页</a>' if page + 1 < LIST_PAGES else ""
    return f'<html><head><meta charset="utf-8"><title>检察动态</title></head><body><ul>{links}</ul>{more}</body></html>'


@contextmanager
def archive_site() -> Iterator[tuple[str, Counter[str]]]:
    requests: Counter[str] = Counter()
    pages = {list_path(p): list_page(p) for p in range(LIST_PAGES)}
    for n in range(LIST_PAGES * PER_PAGE):
        pages[article_path(n)] = ARTICLE.format(title=f"第{n}批司法救助案件通报", day=published(n), n=n)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests[self.path] += 1
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            encoded = (body or "not found").encode("utf-8")
            self.send_header("Content-Length", str(len(encoded)))
            self.end_headers()
            self.wfile.write(encoded)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
