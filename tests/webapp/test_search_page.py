"""The search page as a press officer uses it: stories with 转载 N, the copies toggle, the facet
sidebar, the 批评报道 filter, the date histogram and sort — each followed as a link is clicked."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from evaluation.articles import FENHE_SPP, MINORS_CRITICAL, MINORS_TRAFFIC
from tests.webapp.conftest import GUAAN_LINFEN, GUAAN_SXRB
from tests.webapp.html import link, section, text_of


def titles(page: str) -> list[str]:
    """The titles of the hits, in order."""
    return [text_of(h) for h in re.findall(r'<li class="result[^"]*">\s*<h2>(.*?)</h2>', page, flags=re.S)]


def summary(page: str) -> str:
    return section(page, "summary")


def test_a_story_is_one_hit_with_its_reprints_linking_to_the_story_view(story_client: TestClient) -> None:
    page = story_client.get("/search", params={"q": "挂案"}).text
    assert summary(page).startswith("共找到 3 篇报道（1 组，同一稿件的转载合并显示）")
    assert len(titles(page)) == 1
    line = section(page, "story-line")
    assert line.startswith("转载 2 刊载媒体：")  # the two other copies
    # 山西日报（演示） (a copy's site) and 山西日报 (another's 来源) are one outlet, named once.
    assert line.split("刊载媒体：")[1].split()[0] == "临汾新闻网、山西日报"
    assert link(page, "转载 2") == "/stories/story-guaan"
    story = story_client.get(link(page, "查看转载情况"))
    assert story.status_code == 200 and "原发" in story.text
    single = story_client.get("/search", params={"q": "未成年人"}).text
    assert "转载" not in section(single, "results-column").split("列出每篇转载")[1]  # no reprints, no line


def test_the_toggle_lists_every_copy_and_marks_the_original(story_client: TestClient) -> None:
    page = story_client.get("/search", params={"q": "挂案"}).text
    assert "原发" not in page
    expanded = story_client.get(link(page, "列出每篇转载")).text
    copies = [
        text_of(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", expanded.split('class="copy-list"')[1])
    ]
    assert [c.split(" · ")[0] for c in copies] == [
        "临汾新闻网",
        "原发 山西日报（演示）",
        "www.hongtong.gov.cn",
    ]
    assert f'href="{GUAAN_LINFEN.url}"' in expanded and f'href="{GUAAN_SXRB.url}"' in expanded
    assert "原发：山西日报（演示）" in section(expanded, "story-line")
    collapsed = story_client.get(link(expanded, "收起转载列表")).text
    assert 'class="copy-list"' not in collapsed


def test_facet_links_add_a_filter_and_the_chip_removes_it(story_client: TestClient) -> None:
    page = story_client.get("/search", params={"q": "检察"}).text
    for heading in ("来源", "主题", "检察院", "地区"):
        assert f"<h2>{heading}</h2>" in page
    assert summary(page).startswith("共找到 8 篇报道")
    region = story_client.get(link(page, "洪洞县")).text
    assert summary(region).startswith("共找到 3 篇报道")  # the three copies of the 汾河 story
    assert titles(region) == [FENHE_SPP.title]
    assert "地区：洪洞县 ×" in text_of(region)
    # The new query box and the date form keep the filter.
    assert region.count('<input type="hidden" name="region" value="洪洞县">') == 2
    topic = story_client.get(link(region, "检察日报")).text  # a second facet narrows further
    assert summary(topic).startswith("共找到 2 篇报道")
    undone = story_client.get(link(region, "地区：洪洞县 ×")).text
    assert summary(undone).startswith("共找到 8 篇报道")
    procuratorate = story_client.get(link(page, "尧都区人民检察院")).text
    assert titles(procuratorate) == [MINORS_TRAFFIC.title]
    minors = story_client.get(link(page, "未成年人检察")).text
    assert set(titles(minors)) == {MINORS_TRAFFIC.title, "批评报道 " + MINORS_CRITICAL.title}


def test_critical_coverage_is_one_click_away_and_badged(story_client: TestClient) -> None:
    page = story_client.get("/search", params={"q": "未成年人"}).text
    assert "批评报道 " + MINORS_CRITICAL.title in titles(page)  # the badge sits before the title
    critical = story_client.get(link(page, "批评报道 1 篇")).text
    assert titles(critical) == ["批评报道 " + MINORS_CRITICAL.title]
    assert "倾向：批评报道 ×" in text_of(critical)
    again = story_client.get(link(critical, "只看批评报道 ×")).text
    assert len(titles(again)) == 2


def test_histogram_bars_count_articles_and_narrow_the_dates(story_client: TestClient) -> None:
    page = story_client.get("/search", params={"q": "汾河 OR 未成年人", "histogram": "week"}).text
    bars = re.findall(r'<a class="bar" href="([^"]*)" title="([^"]*)"', page)
    assert [t for _, t in bars][:3] == [
        "2024-06-03 至 2024-06-09：2 篇",
        "2024-06-10 至 2024-06-16：1 篇",
        "2024-06-17 至 2024-06-23：1 篇",
    ]
    assert len(bars) == 7  # empty weeks included, up to the week of 15 July
    week = story_client.get(bars[0][0].replace("&amp;", "&")).text
    assert summary(week).startswith("共找到 2 篇报道")
    assert "日期：2024-06-03 至 2024-06-09 ×" in text_of(week)
    # Without a choice the page picks days for a span of six weeks.
    daily = story_client.get("/search", params={"q": "汾河 OR 未成年人"}).text
    assert "2024-06-04：1 篇" in daily and "<strong>按日</strong>" in daily


def test_sort_by_date_and_the_date_form(story_client: TestClient) -> None:
    page = story_client.get("/search", params={"q": "未成年人"}).text
    newest_first = story_client.get(link(page, "发布时间")).text
    assert titles(newest_first) == ["批评报道 " + MINORS_CRITICAL.title, MINORS_TRAFFIC.title]
    form = page.split('class="dates"')[1].split("</form>")[0]
    assert 'name="from"' in form and 'name="to"' in form and 'name="q" value="未成年人"' in form
    july = story_client.get(
        "/search", params={"q": "未成年人", "from": "2024-07-10", "to": "2024-07-31"}
    ).text
    assert titles(july) == ["批评报道 " + MINORS_CRITICAL.title]
