"""The crawler end to end against the bundled demo sites: crawl_once -> articles.fetched on the embedded bus."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.demo.server import DemoServer
from crawler.demo.site import LINFEN_SAMPLE_URL, SXRB_SAMPLE_URL
from crawler.run import crawl_once
from crawler.sites import SiteConfigError
from pipeline.bus import open_bus
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import crawler_stage

SAMPLE_TIME = datetime(2021, 8, 13, 9, 36, 16, tzinfo=timezone(timedelta(hours=8)))
EDITED = "/linfen/news/202203/t20220315_1101.html"


@pytest.fixture
def demo() -> Iterator[DemoServer]:
    with DemoServer(host="127.0.0.1", port=0) as server:
        yield server


def fetched(settings: Settings) -> list[tuple[str | None, Article]]:
    """Everything on the crawler's output topic, in order (key, article)."""
    topic = crawler_stage(settings.topic_prefix).output_topic
    assert topic is not None
    bus = open_bus(settings)
    consumer = bus.consumer([topic], group="test-reader")
    try:
        messages = []
        while batch := consumer.poll(max_records=500, timeout_s=0.2):
            messages.extend(batch)
        return [(m.key, Article.from_json(m.value)) for m in messages]
    finally:
        consumer.close()
        bus.close()


def test_crawl_publishes_every_demo_article(settings: Settings, demo: DemoServer) -> None:
    stats = crawl_once(settings, demo_base=demo.base_url)

    published = fetched(settings)
    articles = {a.url: a for _, a in published}
    assert all(key == article.article_id for key, article in published)
    assert len(articles) == len(published) == stats.articles_published == 21
    procuratorate = [a for a in articles.values() if "检察" in a.body or "檢察" in a.body]
    assert len(procuratorate) >= 12
    titles = {a.title for a in articles.values()}
    assert {"临汾市气象台发布暴雨蓝色预警", "尧都区第三届锣鼓文化节开幕", "临汾东外环道路正式通车"} <= titles
    # No list page became an article; both copies of the 2021-08-13 story did.
    assert not any("index" in url for url in articles)
    republished, original = (
        articles[demo.base_url + LINFEN_SAMPLE_URL],
        articles[demo.base_url + SXRB_SAMPLE_URL],
    )
    assert republished.title == "以高質量檢察履職提高群眾滿意度獲得感" and republished.source == "山西日報"
    assert original.title == "以高质量检察履职提高群众满意度获得感" and original.source == "山西日报"
    assert republished.published_at == original.published_at == SAMPLE_TIME
    assert republished.site == "临汾新闻网（演示）" and republished.site_regions == ["山西", "临汾"]
    assert original.site == "山西日报（演示）"
    assert stats.dropped.get("list_page") == 4 and stats.errors == 0
    assert stats.pages_fetched == 25
    assert demo.hits.get("/robots.txt", 0) >= 1  # robots.txt was asked for


def test_recrawl_publishes_only_what_changed(settings: Settings, demo: DemoServer) -> None:
    first = crawl_once(settings, demo_base=demo.base_url)
    assert first.articles_published == 21

    second = crawl_once(settings, demo_base=demo.base_url)
    assert (second.articles_published, second.unchanged_skipped) == (0, 21)
    assert len(fetched(settings)) == 21

    page = demo.pages[EDITED]
    demo.set_page(
        EDITED, page.body.replace("司法救助金3万元".encode(), "司法救助金5万元".encode()), page.content_type
    )
    third = crawl_once(settings, demo_base=demo.base_url)
    assert (third.articles_published, third.unchanged_skipped) == (1, 20)
    published = fetched(settings)
    versions = [a for _, a in published if a.url == demo.base_url + EDITED]
    assert [a.version for a in versions] == [1, 2]
    assert versions[0].article_id == versions[1].article_id
    assert "5万元" in versions[1].body and "3万元" in versions[0].body
    assert (Path(settings.data_dir) / "crawl_state.sqlite3").exists()


def test_invalid_sites_file_fails_before_crawling(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "sites.yaml"
    bad.write_text("sites: [{name: x}]", encoding="utf-8")
    with pytest.raises(SiteConfigError, match="start_urls"):
        crawl_once(settings, sites_file=bad)


def test_pages_without_text_are_dropped_and_broken_links_counted(
    settings: Settings, demo: DemoServer
) -> None:
    video, gone = "/linfen/news/202401/t20240101_9001.html", "/linfen/news/202401/t20240102_9002.html"
    listing = demo.pages["/linfen/news/index.html"]
    extra = f'<li><a href="{video}">视频:检察开放日</a></li><li><a href="{gone}">已删除</a></li></ul>'
    demo.set_page(
        "/linfen/news/index.html", listing.body.replace(b"</ul>", extra.encode(), 1), listing.content_type
    )
    demo.set_page(
        video,
        "<html><head><title>视频</title></head><body><h1>视频</h1><video></video></body></html>".encode(),
    )

    stats = crawl_once(settings, demo_base=demo.base_url)

    assert stats.articles_published == 21
    assert stats.dropped.get("no_body") == 1
    assert stats.errors == 1  # the 404
    assert demo.base_url + video not in {a.url for _, a in fetched(settings)}


def test_an_article_too_large_for_the_bus_is_dropped_with_its_reason_and_the_rest_published(
    settings: Settings, demo: DemoServer
) -> None:
    paragraph = "<p>" + "临汾市人民检察院依法办理一起公益诉讼案件，督促有关部门整改到位。" * 10 + "</p>"
    demo.set_page(EDITED, (
        "<html><head><title>一篇很长的报道</title></head><body><h1>一篇很长的报道</h1>"
        f"<div class='content'>{paragraph * 20}</div></body></html>"
    ).encode())  # fmt: skip
    limited = settings.model_copy(update={"max_event_bytes": 20_000})  # the long page's event is ~40 kB
    stats = crawl_once(limited, demo_base=demo.base_url)
    published = {a.url for _, a in fetched(limited)}
    assert stats.dropped.get("too_large") == 1 and stats.errors == 0
    assert len(published) == stats.articles_published == 20  # the other 20 demo articles
    assert demo.base_url + EDITED not in published
