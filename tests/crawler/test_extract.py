"""extract() on the pages of the bundled demo sites: what a reader of the extracted article would notice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.demo.render import Page
from crawler.demo.site import LINFEN_SAMPLE_URL, SXRB_SAMPLE_URL, build_pages
from crawler.extract import Extracted, extract, to_article
from crawler.sites import SiteConfig

BEIJING = timezone(timedelta(hours=8))
SAMPLE_TIME = datetime(2021, 8, 13, 9, 36, 16, tzinfo=BEIJING)
BASE = "http://demo.test"


@pytest.fixture(scope="module")
def pages() -> dict[str, Page]:
    return build_pages()


def run(pages: dict[str, Page], path: str) -> Extracted:
    page = pages[path]
    return extract(BASE + path, page.body, {"Content-Type": page.content_type})


def test_sample_as_republished_by_the_county_portal(pages: dict[str, Page]) -> None:
    got = run(pages, LINFEN_SAMPLE_URL)
    assert got.title == "以高質量檢察履職提高群眾滿意度獲得感"
    assert got.column == "奮斗百年路 啟航新征程——學黨史 悟思想 辦實事 開新局·先進典型"
    assert got.subtitle == "——全省檢察機關建立為民辦實事長效機制"
    assert got.published_at == SAMPLE_TIME
    assert got.published_at is not None and got.published_at.utcoffset() == timedelta(hours=8)
    assert got.source == "山西日報"
    assert got.authors == ["鄧偉強"]
    assert got.editor == "吉政"
    assert got.body.startswith("以人民為中心,為人民謀幸福,是人民檢察院工作不斷發(fā)展完善的內在驅動力。")
    assert got.body.endswith("提起公益訴訟78件。")
    for clutter in (
        "版權聲明",
        "瀏覽次數",
        "次數(shù)",
        "字号",
        "分享到",
        "首页",
        "相关新闻",
        "責任編輯",
        "記者鄧偉強",
        "版权所有",
        "全省檢察機關建立為民辦實事長效機制",
    ):
        assert clutter not in got.body, clutter
    # The damage is kept as published (the processors derive clean text) and flagged.
    assert "發(fā)展" in got.body and "?!苯" in got.body
    assert {"pinyin_damage", "mojibake"} <= set(got.quality)
    assert len(got.body.split("\n")) == 23


def test_sample_original_on_the_newspaper_site(pages: dict[str, Page]) -> None:
    got = run(pages, SXRB_SAMPLE_URL)
    assert got.title == "以高质量检察履职提高群众满意度获得感"
    assert got.column == "奋斗百年路 启航新征程——学党史 悟思想 办实事 开新局·先进典型"
    assert got.subtitle == "——全省检察机关建立为民办实事长效机制"
    assert got.published_at == SAMPLE_TIME
    assert (got.source, got.authors, got.editor) == ("山西日报", ["邓伟强"], "吉政")
    assert got.body.startswith("以人民为中心,为人民谋幸福")
    assert "(fā)" not in got.body and "?" not in got.body
    assert "“孩子不仅享受到了救助金" in got.body and "。”近日,在武乡县检察院" in got.body
    assert got.quality == []


def test_related_list_dates_are_never_the_publication_date(pages: dict[str, Page]) -> None:
    # The page shows no date of its own, but its 相关阅读 list shows two.
    page = pages["/sxrb/fazhi/2206.shtml"]
    assert b"2021-06-10" in page.body and b"2021-07-05" in page.body
    got = run(pages, "/sxrb/fazhi/2206.shtml")
    assert got.title == "太原市检察院“检察官进社区”送法上门"
    assert got.published_at is None
    assert "no_date" in got.quality
    assert got.body.startswith("太原市检察院组织检察官走进迎泽区")


def test_visible_date_without_meta(pages: dict[str, Page]) -> None:
    got = run(pages, "/sxrb/fazhi/2203.shtml")
    assert got.published_at == datetime(2023, 3, 22, 7, 10, tzinfo=BEIJING)
    assert got.methods["published_at"] == "text:near-title"
    assert got.subtitle == "——守护盐湖生态 检察在行动"


def test_gbk_page_decodes(pages: dict[str, Page]) -> None:
    page = pages["/linfen/news/202109/t20210901_1104.html"]
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    got = run(pages, "/linfen/news/202109/t20210901_1104.html")
    assert got.encoding == "gbk"
    assert got.title == "曲沃县检察院“法治进校园”护航未成年人健康成长"
    assert "“一号检察建议”" in got.body
    assert got.source == "曲沃县人民检察院"


def test_gb2312_label_on_gbk_text_falls_back_to_gb18030(pages: dict[str, Page]) -> None:
    got = run(pages, "/linfen/news/202308/t20230807_1107.html")
    assert got.encoding == "gb18030"
    assert "检察官王喆在走访中发现" in got.body
    assert got.authors == ["王喆"]


def test_charset_that_lies_is_overridden(pages: dict[str, Page]) -> None:
    page = pages["/linfen/news/202401/t20240118_1106.html"]
    assert "gb2312" in page.content_type and b"charset=gb2312" in page.body
    got = run(pages, "/linfen/news/202401/t20240118_1106.html")
    assert got.encoding == "utf-8"
    assert got.title == "侯马市检察院支持起诉帮助农民工追回欠薪"
    assert "charset_mismatch" in got.quality


def test_image_and_caption(pages: dict[str, Page]) -> None:
    got = run(pages, "/linfen/news/202206/t20220620_1102.html")
    assert got.images == [
        {"src": f"{BASE}/linfen/static/fenhe.jpg", "caption": "图为检察干警在汾河洪洞段现场勘查"}
    ]
    assert "图为检察干警" not in got.body
    assert got.column == "公益诉讼在身边"
    assert got.authors == ["赵丽"]


def test_several_bylines(pages: dict[str, Page]) -> None:
    assert run(pages, "/linfen/news/202203/t20220315_1101.html").authors == ["王磊", "张晓燕"]
    assert run(pages, "/sxrb/fazhi/2202.shtml").authors == ["杨文", "高伟"]


def test_list_page_has_no_article_text(pages: dict[str, Page]) -> None:
    got = run(pages, "/linfen/news/index.html")
    assert got.body == ""


def test_site_selector_takes_precedence() -> None:
    html = (
        "<html><head><meta charset='utf-8'><title>x</title></head><body>"
        "<div class='a'><p>这是一段很长的正文,但不是文章本身,只是一个模块的说明文字,说明文字,说明文字。</p>"
        "<p>又一段很长的模块说明,用来迷惑正文识别的算法,说明,说明,说明,说明,说明。</p></div>"
        "<div id='story'><p>真正的文章正文。</p></div></body></html>"
    ).encode()
    site = SiteConfig.model_validate(
        {
            "name": "s",
            "start_urls": ["http://s.test/"],
            "article_patterns": ["."],
            "selectors": {"body": "#story"},
        }
    )
    assert extract("http://s.test/1", html, {}, site).body == "真正的文章正文。"
    assert extract("http://s.test/1", html, {}).body != "真正的文章正文。"


def test_to_article(pages: dict[str, Page]) -> None:
    site = SiteConfig.model_validate(
        {
            "name": "山西日报",
            "start_urls": [BASE + "/sxrb/"],
            "article_patterns": ["/sxrb/"],
            "regions": ["山西"],
        }
    )
    got = run(pages, SXRB_SAMPLE_URL)
    article = to_article(got, BASE + SXRB_SAMPLE_URL, site)
    assert article.site == "山西日报" and article.site_regions == ["山西"]
    assert article.published_at == SAMPLE_TIME and article.column == got.column
    assert article.content_hash and len(article.article_id) == 32
