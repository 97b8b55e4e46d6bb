"""More byline forms (作者：, 文/, 文 图/, 记者 X 通讯员 Y, trailing credits) and the publication time as the
page shows it: Beijing time at +08:00, a date-only value completed with the time printed beside the title."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crawler.extract import extract
from tests.crawler.test_bylines import TEXT, URL, page


@pytest.mark.parametrize(
    ("html", "authors"),
    [
        (page(text_start="<p>作者：林晓</p>"), ["林晓"]),
        (page(text_start="<p>文/林晓</p>"), ["林晓"]),
        (page(text_start="<p>文 图/林晓</p>"), ["林晓"]),
        (page(text_start="<p>文·图/林晓 向雪</p>"), ["林晓", "向雪"]),
        (page(text_start="<p>图/文 林晓</p>"), ["林晓"]),
        (page(head="记者 余明 通讯员 向雪"), ["余明", "向雪"]),
        # trailing credits in brackets, with the staff labels between the names
        (page(text_end="<p>（通讯员 向雪 记者 余明）</p>"), ["向雪", "余明"]),
        (page(text_end="<p>（文/林晓）</p>"), ["林晓"]),
        (page(text_end="<p>（林晓）</p>"), ["林晓"]),
        # a bullet before the byline, as papers set it
        (page(text_start="<p>□记者 林晓 通讯员 向雪</p>"), ["林晓", "向雪"]),
        (page(text_start="<p>■ 本报记者 林晓</p>"), ["林晓"]),
        (page(text_start="<p>◎ 文/林晓</p>"), ["林晓"]),
        # the author's office in brackets after the name is not a second author
        (page(text_start="<p>作者：林晓（北京市人民检察院第二分院）</p>"), ["林晓"]),
        (page(text_end="<p>（作者单位：北京市人民检察院）</p>"), []),
    ],
)
def test_byline_forms(html: bytes, authors: list[str]) -> None:
    got = extract(URL, html, {})
    assert got.authors == authors


def _dated(head_meta: str, shown: str) -> bytes:
    return f"""<html><head><meta charset="utf-8">{head_meta}<title>检察公益诉讼典型案例发布</title></head><body>
<h1>检察公益诉讼典型案例发布</h1><div class="info">{shown} 来源：新闻网</div>
<div class="content">{TEXT}</div></body></html>""".encode()


def test_a_utc_time_in_the_metadata_is_given_back_at_beijing_time() -> None:
    html = _dated(
        '<meta property="article:published_time" content="2024-01-05T01:30:00Z">', "2024-01-05 09:30"
    )
    published = extract(URL, html, {}).published_at
    assert published is not None
    assert published.utcoffset() == timedelta(hours=8)
    assert (published.hour, published.minute) == (9, 30)


def test_an_offset_the_page_gives_is_kept() -> None:
    html = _dated('<meta property="article:published_time" content="2024-01-05T09:30:00+09:00">', "")
    published = extract(URL, html, {}).published_at
    assert published is not None and published.utcoffset() == timedelta(hours=9) and published.hour == 9


def test_a_date_only_value_takes_the_time_the_page_prints() -> None:
    html = _dated('<meta name="publishdate" content="2024-01-05">', "发布时间：2024年01月05日 16:42")
    published = extract(URL, html, {}).published_at
    assert published is not None
    assert (published.day, published.hour, published.minute) == (5, 16, 42)
    assert published.utcoffset() == timedelta(hours=8)
    # A time printed for another day is not this one's.
    other = _dated('<meta name="publishdate" content="2024-01-05">', "更新：2024年01月06日 08:00")
    assert extract(URL, other, {}).published_at.hour == 0  # type: ignore[union-attr]


def test_a_bulleted_byline_does_not_stay_in_the_body() -> None:
    got = extract(URL, page(text_start="<p>□记者 林晓 通讯员 向雪</p>"), {})
    assert "林晓" not in got.body
    assert got.body.startswith("市人民检察院近日召开新闻发布会")
