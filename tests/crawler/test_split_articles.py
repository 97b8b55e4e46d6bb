"""Articles split over several pages, crawled from the local CMS server: each is published once, under its
first page's URL, with the text of every page in order; a page that cannot be fetched leaves a flagged,
partial article. Never the internet: everything is on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.run import CrawlStats, crawl_once
from pipeline.model import Article
from pipeline.settings import Settings
from tests.crawler import split_pages as sp
from tests.crawler.cms_server import CmsSite, serve
from tests.crawler.test_crawl import fetched

Crawl = tuple[CmsSite, CrawlStats, dict[str, Article]]


def sites_yaml(site: CmsSite) -> str:
    return f"""
sites:
  - name: 分页检察网
    start_urls: ["{site.base_url}/paged/index.html"]
    article_patterns: ['/paged/(?:trs|portal)/']
    list_patterns: ['/paged/index(?:_\\d+)?\\.html$']
    download_delay: 0
    download_timeout: 2
"""


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    tmp = tmp_path_factory.mktemp("split")
    settings = Settings(data_dir=tmp / "data", topic_prefix="split.", index_name="split")
    with serve() as site:
        path = tmp / "sites.yaml"
        path.write_text(sites_yaml(site), encoding="utf-8")
        stats = crawl_once(settings, sites_file=path, timeout_s=120)
        published = [a for _, a in fetched(settings)]
        articles = {a.url.removeprefix(site.base_url): a for a in published}
        assert len(articles) == len(published)  # nothing was published twice
        yield site, stats, articles


def in_order(body: str, paragraphs: list[str]) -> bool:
    positions = [body.find(p) for p in paragraphs]
    return -1 not in positions and positions == sorted(positions)


def test_each_split_article_is_one_article_under_its_first_page(crawl: Crawl) -> None:
    _, stats, articles = crawl
    assert sorted(articles) == sorted([sp.TRS_FIRST, sp.PORTAL_FIRST, sp.BROKEN_FIRST, sp.SINGLE])
    assert stats.articles_published == 4
    # The list linked page 2 of an article directly: it led to the article, not to a second one.
    assert stats.dropped.get("continuation") == 1


def test_trs_article_has_the_text_of_every_page_in_order(crawl: Crawl) -> None:
    _, _, articles = crawl
    trs = articles[sp.TRS_FIRST]
    paragraphs = [line for page in sp.TRS_TEXT for line in page]
    assert trs.body == "\n".join(paragraphs[:-1])  # the last line is the byline
    assert trs.title == sp.TRS_TITLE and trs.source == "运城市人民检察院"
    assert trs.authors == ["张敏"] and trs.editor == "刘洋"  # printed on the last page only
    assert trs.methods["pages"] == "joined:3" and "incomplete:pages" not in trs.quality


def test_portal_article_joins_text_and_images_without_the_pager(crawl: Crawl) -> None:
    site, _, articles = crawl
    portal = articles[sp.PORTAL_FIRST]
    paragraphs = [line for page in sp.PORTAL_TEXT for line in page]
    assert in_order(portal.body, paragraphs)  # page 3 is named only by page 2's pager
    for pager_text in ("上一页", "下一页", "共3页", "第2页"):
        assert pager_text not in portal.body
    assert [image["src"].removeprefix(site.base_url) for image in portal.images] == [
        "/img/portal/20240116/602-1.jpg",
        "/img/portal/20240116/602-2.jpg",
        "/img/portal/20240116/602-3.jpg",
    ]
    assert [image["caption"] for image in portal.images] == ["活动现场图1", "活动现场图2", "活动现场图3"]
    assert portal.authors == ["陈晨"] and portal.quality == []


def test_each_later_page_is_fetched_once_as_part_of_its_article(crawl: Crawl) -> None:
    site, _, _ = crawl
    for path in sp.TRS_PAGES[1:] + sp.PORTAL_PAGES[2:]:
        assert site.hits.get(path) == 1, path
    # linked from the list too: fetched there (pointing back to page 1), then as part of the article
    assert site.hits.get(sp.PORTAL_PAGES[1]) == 2


def test_a_missing_page_gives_a_flagged_partial_article(crawl: Crawl) -> None:
    site, stats, articles = crawl
    broken = articles[sp.BROKEN_FIRST]
    assert "incomplete:pages" in broken.quality
    assert in_order(broken.body, [sp.BROKEN_TEXT[0][0], sp.BROKEN_TEXT[1][0]])
    assert sp.BROKEN_TEXT[2][0] not in broken.body
    assert site.hits.get(sp.BROKEN_PAGES[2]) == 1  # asked once: a 404 is not retried
    assert stats.failed.get("http") == 1


def test_a_one_page_article_beside_them_is_unchanged(crawl: Crawl) -> None:
    _, _, articles = crawl
    single = articles[sp.SINGLE]
    assert "pages" not in single.methods and single.quality == []
    assert single.body.startswith("尧都区人民检察院组织干警走进社区")
