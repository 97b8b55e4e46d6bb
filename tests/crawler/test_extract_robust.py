"""extract() on bad input: arbitrary bytes never raise, and broken pages give flags instead of articles."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import extract

ARTICLE = (
    "<html><head><title>检察院开展司法救助</title></head><body><h1>检察院开展司法救助</h1>"
    "<div class='content'><p>近日,某县检察院对一起案件的被害人开展司法救助,发放救助金3万元。</p>"
    "<p>检察官表示,将持续做好司法救助工作,让群众感受到司法温暖。</p></div></body></html>"
)
FRAGMENTS = st.sampled_from(
    ["<p>", "</p>", "<div class='content'>", "</div>", "<br>", "<h1>", "</h1>", "<a href='x'>", "</a>",
     "<title>", "</title>", "<!--", "-->", "<script>", "</script>", "<?xml version='1.0'?>", "<meta charset='gbk'>",
     "来源:", "记者 ", "责任编辑:", "2021-08-13 09:36", "【专栏】", "——", "检察院", "。", ",", "&nbsp;", "\x00"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    got = extract("http://example.test/a/1.html", body, {"Content-Type": "text/html"})
    assert isinstance(got.body, str) and isinstance(got.quality, list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(FRAGMENTS | st.text(max_size=20), max_size=60),
    st.sampled_from(["utf-8", "gbk", "big5", "utf-16"]),
)
def test_html_like_soup_never_raises(parts: list[str], encoding: str) -> None:
    body = "".join(parts).encode(encoding, errors="replace")
    got = extract("http://example.test/a/1.html", body, {"Content-Type": f"text/html; charset={encoding}"})
    assert got.published_at is None or got.published_at.tzinfo is not None


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=len(ARTICLE.encode())))
def test_truncated_article_never_raises_and_keeps_what_arrived(cut: int) -> None:
    got = extract("http://example.test/a/1.html", ARTICLE.encode()[:cut], {})
    full = extract("http://example.test/a/1.html", ARTICLE.encode(), {})
    assert "\ufffd" not in got.body and "encoding_unknown" not in got.quality
    lines, full_lines = got.body.split("\n"), full.body.split("\n")
    assert all(line in full_lines for line in lines[:-1])  # whole lines that arrived are intact
    assert any(line.startswith(lines[-1]) for line in full_lines)  # the last one may be cut


def test_empty_page() -> None:
    for body in (b"", b"   \n\t "):
        got = extract("http://example.test/a/1.html", body, {})
        assert (got.body, got.title, got.quality) == ("", "", ["empty"])


def test_binary_content_with_an_html_content_type() -> None:
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)) * 8
    got = extract("http://example.test/a/1.png", png, {"Content-Type": "text/html; charset=utf-8"})
    assert got.body == "" and got.quality == ["binary"]


def test_a_list_of_links_is_flagged_not_taken_for_an_article() -> None:
    items = "".join(
        f"<li><a href='/a/{i}.html'>检察机关开展专项监督活动第{i}期工作综述</a></li>" for i in range(30)
    )
    page = f"<html><head><title>检察动态</title></head><body><h1>检察动态</h1><ul>{items}</ul></body></html>"
    got = extract("http://example.test/list/", page.encode(), {})
    assert "link_list" in got.quality
    assert len(got.body) < 20


def test_page_with_a_title_and_no_text() -> None:
    page = "<html><head><title>视频:检察开放日</title></head><body><h1>视频:检察开放日</h1><video></video></body></html>"
    got = extract("http://example.test/v/1.html", page.encode(), {})
    assert got.title == "视频:检察开放日" and got.body == ""
