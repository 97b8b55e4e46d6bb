"""The links the crawler follows come from the tree the extractor parsed (one parse per page)."""

from __future__ import annotations

from crawler.extract import extract
from crawler.extract.links import page_links
from crawler.extract.page import parse

PAGE = """<html><head><title>t</title></head><body>
<a href="/news/1.html#top">第一篇</a> <a href=" 2.html ">第二篇</a> <a href="/news/1.html">again</a>
<a href="#comments">评论</a> <a href="mailto:x@example.cn">信箱</a> <a href="javascript:void(0)">打印</a>
<a href="/files/report.PDF">附件</a> <a href="/img/a.jpg">图</a> <a>no href</a>
<a href="list_2.html"> 下一页 </a> <map><area href="/map.html"></map>
<a href="http://[::1">broken</a> <a href="https://other.example.cn/x.html">外链</a>
</body></html>"""


def test_page_links_are_absolute_unique_http_and_skip_files_fragments_and_scripts() -> None:
    links = page_links(parse(PAGE), "http://site.example.cn/news/index.html")
    assert [link.url for link in links] == [
        "http://site.example.cn/news/1.html",
        "http://site.example.cn/news/2.html",
        "http://site.example.cn/news/list_2.html",
        "http://site.example.cn/map.html",
        "https://other.example.cn/x.html",
    ]
    assert [link.text for link in links][:3] == ["第一篇", "第二篇", "下一页"]


def test_a_base_href_is_what_relative_links_resolve_against() -> None:
    page = (
        '<html><head><base href="http://cdn.example.cn/a/"></head><body><a href="b.html">b</a></body></html>'
    )
    links = page_links(parse(page), "http://site.example.cn/x/y.html")
    assert [link.url for link in links] == ["http://cdn.example.cn/a/b.html"]


def test_an_article_page_carries_its_links_but_the_article_does_not() -> None:
    body = "<p>" + "检察机关依法办理案件，维护群众合法权益。" * 20 + "</p>"
    page = f"<html><body><h1>标题</h1><div>{body}</div><a href='/news/9.html'>上一篇</a></body></html>"
    extracted = extract("http://site.example.cn/news/8.html", page.encode(), {})
    assert [link.url for link in extracted.links] == ["http://site.example.cn/news/9.html"]
    assert "links" not in extracted.model_dump()
