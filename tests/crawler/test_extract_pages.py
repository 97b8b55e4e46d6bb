"""Articles split over pages, as extract() sees one page: which URLs are the article's pages, and that
a list page's pager (or a related-articles list) is never taken for one. Plus the pure merge and join.
"""

from __future__ import annotations

import pytest

from crawler.demo.site import build_pages
from crawler.extract import Extracted, extract
from crawler.extract.pages import MAX_PAGES, join_pages, merge_pages
from tests.crawler import split_pages as sp

BASE = "http://news.test"


def pages_of(path: str, body: bytes) -> list[str]:
    return [url.removeprefix(BASE) for url in extract(BASE + path, body, {}).page_urls]


def article(body: str, extra: str = "", path: str = "/a/2024/t20240101_77.html") -> tuple[str, bytes]:
    page = f"""<html><head><meta charset="utf-8"><title>检察机关开展专项监督_检察网</title></head><body>
<div class="nav"><a href="/a/index_1.html">2</a> <a href="/a/index_2.html">下一页</a></div>
<h1>检察机关开展专项监督</h1><div class="content">
<p>市检察院近日召开新闻发布会，通报开展专项监督活动的情况，共发现并纠正违法问题三十余件。</p>
<p>检察长表示，将持续加大监督力度，切实维护人民群众的合法权益，推动问题整改落实到位。</p>{body}</div>
{extra}</body></html>"""
    return path, page.encode()


def test_trs_pager_script_names_every_page_from_any_page() -> None:
    for index, path in enumerate(sp.TRS_PAGES):
        got = extract(BASE + path, sp.trs_page(index), {})
        assert [url.removeprefix(BASE) for url in got.page_urls] == sp.TRS_PAGES, path
        assert got.methods["pages"] == "pager:createPageHTML"


def test_pager_links_name_the_pages_they_show() -> None:
    first, second, third = (
        sp.portal_page(sp.PORTAL_PAGES, sp.PORTAL_TEXT, sp.PORTAL_TITLE, "2024-01-16 08:30", i)
        for i in range(3)
    )
    # The pager shows one page number either side: page 1 knows page 2 only, page 2 knows them all,
    # page 3 knows page 2 (which the crawler then asks for the first page).
    assert pages_of(sp.PORTAL_PAGES[0], first) == sp.PORTAL_PAGES[:2]
    assert pages_of(sp.PORTAL_PAGES[1], second) == sp.PORTAL_PAGES
    assert pages_of(sp.PORTAL_PAGES[2], third) == sp.PORTAL_PAGES[1:]
    assert extract(BASE + sp.PORTAL_PAGES[2], third, {}).methods["pages"] == "pager:links"


def test_pages_numbered_from_one_keep_their_first_page() -> None:
    pager = '<div class="pages"><a href="t_1.shtml">1</a> <a href="t_2.shtml">2</a> <a href="t_3.shtml">下一页</a></div>'
    path, body = article("", pager, path="/b/t_1.shtml")
    assert pages_of(path, body) == ["/b/t_1.shtml", "/b/t_2.shtml", "/b/t_3.shtml"]


def test_pager_text_is_not_part_of_the_body() -> None:
    pager = '<p>共2页 <span>1</span> <a href="t20240101_77_1.html">2</a> <a href="t20240101_77_1.html">下一页</a></p>'
    path, body = article(pager)
    got = extract(BASE + path, body, {})
    assert got.page_urls == [BASE + path, BASE + "/a/2024/t20240101_77_1.html"]
    assert got.body.endswith("推动问题整改落实到位。") and "页" not in got.body


def test_a_list_pages_pager_is_not_an_article_continuation() -> None:
    # A list with its own pager (links and a TRS createPageHTML script) pages through the list.
    list_page = sp.pages()[sp.LIST]
    got = extract(BASE + sp.LIST, list_page, {})
    assert got.page_urls == [] and "pages" not in got.methods
    # The demo sites' list pages, with 上一页/下一页 between numbered list pages.
    demo = build_pages()
    lists = [path for path in demo if "index" in path]
    assert lists
    for path in lists:
        assert extract(BASE + path, demo[path].body, {}).page_urls == [], path


def test_navigation_and_related_links_are_not_pages() -> None:
    # the nav bar before the headline pages a list; after the text: related stories, 下一篇, a 1-page pager
    related = """<div class="related"><a href="t20240101_78.html">检察机关开展第二期专项监督</a>
<a href="t20240101_76.html">下一篇</a></div><script>createPageHTML(4, 0, "index", "html");</script>"""
    path, body = article("", related)
    assert pages_of(path, body) == []
    path, body = article("", '<script>createPageHTML(1, 0, "t20240101_77", "html");</script>')
    assert pages_of(path, body) == []  # TRS prints the call on one-page articles too


def test_an_endless_pager_is_bounded() -> None:
    path, body = article("", '<script>createPageHTML(500, 0, "t20240101_77", "html");</script>')
    assert len(pages_of(path, body)) == MAX_PAGES


def test_merge_adds_the_pages_a_later_pager_reveals_in_order() -> None:
    known = [f"{BASE}/a/t1.html", f"{BASE}/a/t1_1.html"]
    found = [f"{BASE}/a/t1_3.html", f"{BASE}/a/t1_2.html", f"{BASE}/a/t2_1.html", f"{BASE}/b/t1_4.html"]
    assert merge_pages(known, found) == [*known, f"{BASE}/a/t1_2.html", f"{BASE}/a/t1_3.html"]
    endless = [f"{BASE}/a/t1_{n}.html" for n in range(1, 90)]
    assert len(merge_pages(known, endless)) == MAX_PAGES


@pytest.fixture
def split() -> tuple[Extracted, list[Extracted]]:
    first = Extracted(
        title="标题",
        body="第一页甲\n第一页乙",
        images=[{"src": "http://x/1.jpg", "caption": "一"}],
        quality=["no_date"],
        page_urls=["http://x/a.html", "http://x/a_1.html"],
    )
    last = Extracted(
        title="标题",
        body="第二页",
        editor="刘洋",
        authors=["张敏"],
        images=[{"src": "http://x/1.jpg", "caption": "一"}, {"src": "http://x/2.jpg", "caption": "二"}],
        quality=["no_date"],
    )
    return first, [last]


def test_join_keeps_page_order_and_takes_credits_from_the_page_printing_them(
    split: tuple[Extracted, list[Extracted]],
) -> None:
    first, later = split
    joined = join_pages(first, later)
    assert joined.body == "第一页甲\n第一页乙\n第二页"
    assert [image["src"] for image in joined.images] == ["http://x/1.jpg", "http://x/2.jpg"]
    assert (joined.authors, joined.editor, joined.title) == (["张敏"], "刘洋", "标题")
    assert joined.methods["pages"] == "joined:2" and joined.quality == ["no_date"]
    assert first.body == "第一页甲\n第一页乙"  # the first page's result is not changed


def test_join_of_an_incomplete_article_is_flagged(split: tuple[Extracted, list[Extracted]]) -> None:
    first, _ = split
    joined = join_pages(first, [], incomplete=True)
    assert joined.body == first.body and "incomplete:pages" in joined.quality
