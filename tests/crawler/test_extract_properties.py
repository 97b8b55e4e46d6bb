"""extract() on generated news pages (hypothesis): whatever the furniture around it, the encoding
and the markup's quirks, a page's title and every paragraph of its text come out, the menus and
footers stay out, and the Article built from it carries a stable id."""

from __future__ import annotations

import html

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract import extract, to_article
from pipeline.model import article_id_for

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
PUNCT = st.sampled_from(["，", "、", "；", "：", "“", "”", "1", "23", "%"])
SENTENCE = st.lists(HAN | PUNCT, min_size=18, max_size=60).map(lambda cs: "".join(cs) + "。")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=3).map("".join)
TITLE = st.lists(HAN, min_size=6, max_size=24).map("".join)
NAV = ["首页", "新闻中心", "检察动态", "公益诉讼", "队伍建设", "专题专栏", "联系我们"]
FOOTER = "版权所有：某市人民检察院 备案号：晋ICP备00000000号 技术支持：某某网络"


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, list[str], bytes, str]:
    title = draw(TITLE)
    paragraphs = draw(st.lists(PARAGRAPH, min_size=2, max_size=6, unique=True))
    wrap = draw(st.sampled_from(["p", "div", "br"]))
    if wrap == "br":
        text = "<br>".join(html.escape(p) for p in paragraphs)
    else:
        text = "".join(f"<{wrap}>{html.escape(p)}</{wrap}>" for p in paragraphs)
    container = draw(st.sampled_from(["div class='TRS_Editor'", "div id='content'", "article", "td"]))
    closing = container.split()[0]
    if closing == "td":
        text = f"<table><tr><td>{text}</td></tr></table>"
        container, closing = "div", "div"
    nav = "".join(f"<li><a href='/c/{n}.html'>{name}</a></li>" for n, name in enumerate(NAV))
    related = "".join(
        f"<li><a href='/a/{n}.html'>{draw(TITLE)}</a></li>" for n in range(draw(st.integers(0, 8)))
    )
    when = draw(st.sampled_from(["2024-05-01 09:30", "2023年12月31日 23:59", "2021/8/13", ""]))
    info = f"<div class='info'>发布时间：{when} 来源：山西日报</div>" if when else ""
    encoding = draw(st.sampled_from(["utf-8", "gbk", "gb18030"]))
    declared = draw(st.sampled_from(["header", "meta", "none"]))
    meta = f"<meta charset='{encoding}'>" if declared == "meta" else ""
    page = (
        f"<!DOCTYPE html><html><head>{meta}<title>{title}_某市人民检察院</title>"
        f"<script>var a = '<p>不是正文</p>';</script><style>p {{color: red}}</style></head><body>"
        f"<div class='nav'><ul>{nav}</ul></div><h1>{title}</h1>{info}"
        f"<{container}>{text}</{closing}><div class='related'><h3>相关新闻</h3><ul>{related}</ul></div>"
        f"<div class='footer'>{FOOTER}</div></body></html>"
    )
    content_type = f"text/html; charset={encoding}" if declared == "header" else "text/html"
    return title, paragraphs, page.encode(encoding), content_type


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_a_generated_news_page_gives_its_title_and_every_paragraph_and_no_furniture(
    page: tuple[str, list[str], bytes, str],
) -> None:
    title, paragraphs, body, content_type = page
    url = "http://www.example.jcy.gov.cn/a/1.html"
    got = extract(url, body, {"Content-Type": content_type})
    assert got.title == title
    lines = got.body.split("\n")
    for paragraph in paragraphs:
        assert paragraph in lines
    assert "不是正文" not in got.body and "版权所有" not in got.body and "首页" not in got.body
    assert got.published_at is None or got.published_at.tzinfo is not None
    article = to_article(got, url)
    assert article.article_id == article_id_for(url) and article.body == got.body
