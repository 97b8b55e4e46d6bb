"""A local HTTP server with pages in the styles of Chinese CMSs and every misbehaviour a crawler meets:
TRS government pages in GBK, a DedeCMS page, an HTML5 page with JSON-LD, an RSS feed, a sitemap index,
robots.txt, a 500-then-200 page, a slow page, a 50 MB page, a redirect loop, an off-site redirect,
binary and empty pages, a list at an article URL and a 404 list page; and under /paged/ articles
split over several pages (``split_pages.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.crawler import split_pages

HUGE_BYTES = 50 * 1024 * 1024
SLOW_S = 4.0

TRS = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_临汾市人民检察院</title><meta name="PubDate" content="2024-01-01 10:30"></head><body>
<table width="1000"><tr><td class="nav"><a href="/">首页</a> <a href="/news/index.html">检察动态</a></td></tr>
<tr><td><table><tr><td class="bt_title" align="center">{title}</td></tr>
<tr><td align="center">发布时间:2024-01-01 10:30 来源:临汾市人民检察院 字号:[大 中 小]</td></tr>
<tr><td><div class="TRS_Editor"><p>　　近日,临汾市人民检察院召开新闻发布会,通报全市检察机关开展司法救助工作情况,共救助困难群众一百余人。</p>
<p>　　据介绍,全市检察机关坚持应救尽救,主动排查线索,及时发放救助金,切实解决群众急难愁盼问题。</p>
<p>　　（记者 王磊 通讯员 李娜）</p></div></td></tr></table></td></tr>
<tr><td class="footer">版权所有:临汾市人民检察院 晋ICP备00000000号</td></tr></table></body></html>"""

DEDE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-大同新闻网</title></head><body>
<div class="header"><ul class="menu"><li><a href="/">首页</a></li><li><a href="/news/index.html">大同新闻</a></li></ul></div>
<div class="w960"><div class="viewbox"><div class="title"><h2>{title}</h2></div>
<div class="info"><small>时间:</small>2024-01-02 08:15<small>来源:</small>大同日报<small>作者:</small>赵丽</div>
<div class="content"><p>大同市检察院联合多部门开展公益诉讼专项行动,督促整改河道垃圾堆放问题二十余处。</p>
<p>检察官表示,将持续跟进整改情况,确保公益诉讼取得实效,守护好一河清水。</p></div>
<div class="boxoff">责任编辑:孙婷</div></div><div class="pright"><dl class="tbox"><dt>热点</dt>
<dd><a href="/zt/old.html">2023-12-01 往期新闻标题很长很长很长</a></dd></dl></div></div></body></html>"""

HTML5 = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title} | 山西新闻网</title>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{title}", "datePublished": "2024-01-03T09:00:00+08:00"}}</script>
</head><body><nav><a href="/">首页</a></nav><main><article><header><h1>{title}</h1>
<p class="byline">记者 高伟</p></header>
<section class="article-body"><p>太原市检察院开展“检护民生”专项行动,重点办理涉及养老、医疗、教育等领域的案件。</p>
<p>专项行动开展以来,共办理各类案件六十余件,挽回群众经济损失三百余万元,取得良好效果。</p></section>
</article></main><footer>山西新闻网 版权所有</footer></body></html>"""

LIST = """<html><head><meta charset="utf-8"><title>检察动态</title></head><body><h1>检察动态</h1><ul>{items}</ul>
<div class="pages"><a href="/news/index_2.html">下一页</a></div></body></html>"""


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None
    fail_first: int = 0  # answer 500 to the first N requests
    delay_s: float = 0.0
    huge: bool = False


@dataclass
class CmsSite:
    """Routes by path; ``hits`` counts every request per path."""

    routes: dict[str, Route] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    base_url: str = ""
    other_host_url: str = ""  # the same server under another host name: off-site for the crawler


def _articles(site: CmsSite) -> dict[str, Route]:
    gbk = "text/html; charset=gb2312"
    return {
        "/news/2024/0101/trs-1.html": Route(TRS.format(title="临汾检察通报司法救助工作").encode("gbk"), gbk),
        "/news/2024/0102/dede-2.html": Route(DEDE.format(title="大同检察公益诉讼守护河道").encode()),
        "/news/2024/0103/html5-3.html": Route(HTML5.format(title="太原检察开展检护民生专项行动").encode()),
        "/news/2024/0104/flaky-5.html": Route(
            DEDE.format(title="服务器先出错后恢复的文章").encode(), fail_first=1
        ),
        "/news/2024/0105/slow-6.html": Route(DEDE.format(title="很慢的文章").encode(), delay_s=SLOW_S),
        "/news/2024/0106/huge-7.html": Route(huge=True),
        "/news/2024/0107/loop-8.html": Route(status=302, location="/news/2024/0107/loop-8.html"),
        "/news/2024/0108/away-9.html": Route(
            status=302, location=f"{site.other_host_url}/news/2024/0108/stolen.html"
        ),
        "/news/2024/0109/bin-10.html": Route(bytes.fromhex("89504e470d0a1a0a") + bytes(range(256)) * 64),
        "/news/2024/0110/empty-11.html": Route(b""),
        "/news/2024/0111/list-12.html": Route(
            LIST.format(
                items="".join(
                    f"<li><a href='/x/{i}.html'>检察机关专项监督工作综述第{i}期</a></li>" for i in range(30)
                )
            ).encode()
        ),
        "/private/secret-4.html": Route(DEDE.format(title="不许抓取的文章").encode()),
        "/feed/a-13.html": Route(DEDE.format(title="订阅源里的检察新闻").encode()),
        "/news/2024/0112/sm-14.html": Route(HTML5.format(title="站点地图里的检察新闻").encode()),
    }


def build(site: CmsSite) -> None:
    articles = _articles(site)
    listed = [p for p in articles if not p.startswith("/feed/") and "sm-14" not in p]
    items = "".join(f'<li><a href="{p}">文章{i}</a></li>' for i, p in enumerate(listed))
    base = site.base_url
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>检察新闻</title>'
        f"<item><title>订阅源里的检察新闻</title><link>{base}/feed/a-13.html</link></item>"
        f"<item><title>别处</title><link>http://elsewhere.invalid/1.html</link></item></channel></rss>"
    )
    index = (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap></sitemapindex>"
    )
    news = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/news/2024/0112/sm-14.html</loc><lastmod>2024-01-12</lastmod></url>"
        f"<url><loc>{base}/about.html</loc></url></urlset>"
    )
    site.routes.update(articles)
    for path, body in split_pages.pages().items():
        gbk = "/trs/" in path
        site.routes[path] = Route(body, "text/html; charset=gb2312" if gbk else "text/html; charset=utf-8")
    site.routes.update(
        {
            "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
            "/news/index.html": Route(LIST.format(items=items).encode()),
            "/rss.xml": Route(rss.encode(), "application/rss+xml"),
            "/sitemap.xml": Route(index.encode(), "application/xml"),
            "/sitemap-news.xml": Route(news.encode(), "application/xml"),
        }
    )


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        path = urlsplit(self.path).path
        site.hits[path] = site.hits.get(path, 0) + 1
        route = site.routes.get(path) or Route(b"<html><body>404</body></html>", status=404)
        if route.delay_s:
            time.sleep(route.delay_s)
        status = 500 if site.hits[path] <= route.fail_first else route.status
        try:
            self.send_response(status)
            if route.location:
                self.send_header("Location", route.location)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(HUGE_BYTES if route.huge else len(route.body)))
            self.end_headers()
            if route.huge:
                chunk = b"<p>" + "检察".encode() * 20000 + b"</p>"
                for _ in range(HUGE_BYTES // len(chunk)):
                    self.wfile.write(chunk)
            else:
                self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up: that is the point of the huge and slow pages

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: CmsSite


@contextmanager
def serve() -> Iterator[CmsSite]:
    server = _Server(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    site = CmsSite(base_url=f"http://127.0.0.1:{port}", other_host_url=f"http://localhost:{port}")
    build(site)
    server.site = site
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
