"""One crawl of a local CMS-style site that misbehaves in every way the issue lists: what gets published,
what is refused, and that each refusal is counted. Never the internet: everything is on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.run import CrawlStats, crawl_once
from pipeline.model import Article
from pipeline.settings import Settings
from tests.crawler.cms_server import CmsSite, serve
from tests.crawler.test_crawl import fetched

BEIJING = timezone(timedelta(hours=8))


def sites_yaml(site: CmsSite) -> str:
    return f"""
sites:
  - name: 本地检察网
    start_urls: ["{site.base_url}/news/index.html"]
    feeds: ["{site.base_url}/rss.xml"]
    sitemaps: ["{site.base_url}/sitemap.xml"]
    article_patterns: ['/news/\\d{{4}}/\\d{{4}}/[a-z0-9-]+\\.html$', '/private/']
    list_patterns: ['/news/index(?:_\\d+)?\\.html$']
    download_delay: 0
    download_timeout: 1
    regions: [山西]
"""


@pytest.fixture(scope="module")
def crawl(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[CmsSite, CrawlStats, dict[str, Article]]]:
    tmp = tmp_path_factory.mktemp("polite")
    settings = Settings(data_dir=tmp / "data", topic_prefix="polite.", index_name="polite")
    with serve() as site:
        path = tmp / "sites.yaml"
        path.write_text(sites_yaml(site), encoding="utf-8")
        stats = crawl_once(settings, sites_file=path, timeout_s=120)
        articles = {a.url.removeprefix(site.base_url): a for _, a in fetched(settings)}
        yield site, stats, articles


def test_articles_of_every_cms_style_are_published(
    crawl: tuple[CmsSite, CrawlStats, dict[str, Article]],
) -> None:
    _, stats, articles = crawl
    assert sorted(articles) == [
        "/feed/a-13.html",
        "/news/2024/0101/trs-1.html",
        "/news/2024/0102/dede-2.html",
        "/news/2024/0103/html5-3.html",
        "/news/2024/0104/flaky-5.html",
        "/news/2024/0112/sm-14.html",
    ]
    assert stats.articles_published == 6
    trs = articles["/news/2024/0101/trs-1.html"]
    assert trs.title == "临汾检察通报司法救助工作" and trs.source == "临汾市人民检察院"
    assert trs.published_at == datetime(2024, 1, 1, 10, 30, tzinfo=BEIJING)
    assert trs.authors == ["王磊", "李娜"] and "版权所有" not in trs.body
    assert trs.body.startswith("近日,临汾市人民检察院召开新闻发布会")
    dede = articles["/news/2024/0102/dede-2.html"]
    assert (dede.title, dede.source, dede.authors, dede.editor) == (
        "大同检察公益诉讼守护河道",
        "大同日报",
        ["赵丽"],
        "孙婷",
    )
    assert dede.published_at == datetime(2024, 1, 2, 8, 15, tzinfo=BEIJING)  # not the sidebar's date
    html5 = articles["/news/2024/0103/html5-3.html"]
    assert html5.title == "太原检察开展检护民生专项行动" and html5.authors == ["高伟"]
    assert html5.published_at == datetime(2024, 1, 3, 9, 0, tzinfo=BEIJING)


def test_robots_txt_and_offsite_redirects_are_obeyed(
    crawl: tuple[CmsSite, CrawlStats, dict[str, Article]],
) -> None:
    site, stats, _ = crawl
    assert site.hits.get("/robots.txt", 0) >= 1
    assert site.hits.get("/private/secret-4.html", 0) == 0
    assert site.hits.get("/news/2024/0108/away-9.html") == 1
    assert site.hits.get("/news/2024/0108/stolen.html", 0) == 0  # localhost is another host
    # each refusal is counted: robots.txt, the off-site redirect, the redirect loop
    assert stats.dropped.get("ignored") == 1
    assert stats.dropped.get("offsite") == 1
    assert stats.dropped.get("redirect_to_seen") == 1
    assert site.hits.get("/news/2024/0107/loop-8.html") == 1


def test_transient_errors_are_retried_and_slow_or_huge_pages_given_up(
    crawl: tuple[CmsSite, CrawlStats, dict[str, Article]],
) -> None:
    site, stats, _ = crawl
    assert site.hits["/news/2024/0104/flaky-5.html"] == 2  # 500, then 200
    assert site.hits["/news/2024/0105/slow-6.html"] == 3  # timed out, retried twice, given up
    assert stats.failed.get("timeout") == 1
    assert stats.dropped.get("too_large") == 1


def test_bad_pages_are_counted_not_published(crawl: tuple[CmsSite, CrawlStats, dict[str, Article]]) -> None:
    _, stats, _ = crawl
    assert stats.dropped.get("binary") == 1
    assert stats.dropped.get("empty") == 1
    assert stats.dropped.get("link_list") == 1
    assert stats.failed.get("http") == 1  # the 404 second list page
    assert stats.dropped.get("list_page") == 1


def test_feed_links_outside_the_site_are_not_followed(
    crawl: tuple[CmsSite, CrawlStats, dict[str, Article]], tmp_path: Path
) -> None:
    site, _, articles = crawl
    assert site.hits.get("/rss.xml") == 1 and site.hits.get("/sitemap-news.xml") == 1
    assert "/about.html" not in site.hits  # in the sitemap, but not an article URL
    assert not any("elsewhere" in url for url in articles)
