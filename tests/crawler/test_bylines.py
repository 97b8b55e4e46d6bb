"""Who wrote an article, in the byline forms Chinese-language news prints: what extract() credits as authors
(and what it keeps apart as editor or source)."""

from __future__ import annotations

import pytest

from crawler.extract import extract

URL = "http://news.test/a/2024/01/05/1.html"
TEXT = (
    "<p>市人民检察院近日召开新闻发布会，通报今年以来全市检察机关办理公益诉讼案件的情况。</p>"
    "<p>发布会上，检察官介绍了多起典型案例，涉及生态环境、食品药品安全、国有财产保护等领域。</p>"
)


def page(head: str = "", text_start: str = "", text_end: str = "", after: str = "") -> bytes:
    return f"""<html><head><meta charset="utf-8"><title>检察公益诉讼典型案例发布_新闻网</title></head><body>
<h1>检察公益诉讼典型案例发布</h1><div class="info">2024-01-05 09:00 {head}</div>
<div class="content">{text_start}{TEXT}{text_end}</div>{after}
<div class="related"><a href="/a/2.html">另一篇报道</a></div></body></html>""".encode()


@pytest.mark.parametrize(
    ("html", "authors"),
    [
        # a vertical bar instead of a colon after the label
        (page(text_end="<p><strong>作者︱林晓</strong></p>"), ["林晓"]),
        (page(head="作者｜林晓"), ["林晓"]),
        # 采写 with the outlet glued to 记者: the outlet is not a name
        (page(text_end="<p>采写：南都记者 余明 向雪</p>"), ["余明", "向雪"]),
        # a Taiwanese byline: the place after the full-width slash is where it was filed
        (page(head="聯合報 記者林宸誼／即時報導"), ["林宸誼"]),
        # the credit opening the first paragraph
        (
            page(
                text_start="<p>〔記者王大同／台北報導〕財政部今天公布統一發票中獎號碼，本期共開出十八張千萬大獎。</p>"
            ),
            ["王大同"],
        ),
        # a byline table right under the text, with the editor beside it
        (page(after="<table><tr><td>作者： 记者王敬照</td><td>编辑： 李华</td></tr></table>"), ["王敬照"]),
        # names glued to their labels
        (page(text_end="<p>（记者王磊通讯员张晓燕）</p>"), ["王磊", "张晓燕"]),
    ],
)
def test_byline_forms(html: bytes, authors: list[str]) -> None:
    assert extract(URL, html, {}).authors == authors


def test_editor_and_source_are_not_authors() -> None:
    got = extract(URL, page(head="来源：检察日报", text_end="<p>（责任编辑：魏明）</p>"), {})
    assert (got.authors, got.editor, got.source) == ([], "魏明", "检察日报")
    assert "authors" not in got.methods  # no method is recorded for a field that was not found


def test_a_label_without_a_name_finds_no_author() -> None:
    got = extract(URL, page(text_end="<p>作者︱</p>"), {})
    assert got.authors == [] and "authors" not in got.methods


def test_a_caption_beside_its_image_does_not_swallow_the_next_paragraph() -> None:
    figure = (
        '<p><span><img src="/p/1.jpg"></span><span>发布会现场（资料照）</span></p>'
        "<p>〔記者王大同／台北報導〕財政部今天公布統一發票中獎號碼，本期共開出十八張千萬大獎。</p>"
    )
    got = extract(URL, page(text_start=figure), {})
    assert got.images == [{"src": "http://news.test/p/1.jpg", "caption": "发布会现场（资料照）"}]
    assert got.body.startswith("〔記者王大同／台北報導〕財政部今天公布") and got.authors == ["王大同"]


@pytest.mark.parametrize(
    ("source", "authors"),
    [
        ("张红", ["张红"]),  # a person named as the source supplied the text
        ("新华社", []),
        ("央视", []),  # two characters, but no surname: an outlet's short name
        ("澎湃新闻", []),
        ("黄河新闻网", []),
    ],
)
def test_a_person_named_as_the_source_is_the_author(source: str, authors: list[str]) -> None:
    got = extract(URL, page(text_end=f"<p>来源：{source}</p>"), {})
    assert (got.source, got.authors) == (source, authors)


def test_a_person_named_as_the_source_does_not_override_a_byline() -> None:
    got = extract(URL, page(head="记者 李明", text_end="<p>来源：张红</p>"), {})
    assert (got.source, got.authors) == ("张红", ["李明"])


def test_a_story_paragraph_after_an_image_stays_in_the_body() -> None:
    figure = (
        '<p align="center"><img src="/p/1.jpg"></p>'
        '<p><font face="楷体">1月4日，检察官在社区开展普法宣传。本报记者 周正 摄</font></p>'
        "<p>市民王女士说：“检察官讲得明白，我们心里有底了。”</p>"
        '<p align="center"><img src="/p/2.jpg"></p>'
        "<p>检察长李华表示：“公益诉讼要办一件、成一件。”</p>"
    )
    got = extract(URL, page(text_start=figure), {})
    assert [image["caption"] for image in got.images] == [
        "1月4日，检察官在社区开展普法宣传。本报记者 周正 摄",
        None,
    ]
    assert "市民王女士说：“检察官讲得明白，我们心里有底了。”" in got.body
    assert "检察长李华表示：“公益诉讼要办一件、成一件。”" in got.body
