"""A real crawl of local sites writes one record per site; status flags the ones that changed or went away."""

from __future__ import annotations

import socket
from pathlib import Path

from crawler.demo.server import DemoServer
from crawler.run import crawl_once
from pipeline.bus import open_bus
from pipeline.ops.crawls import read_crawls
from pipeline.ops.status import gather
from pipeline.settings import Settings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sites_file(tmp_path: Path, base: str) -> Path:
    """Three demo sites as an operator might have configured them after the sites changed."""
    path = tmp_path / "sites.yaml"
    path.write_text(
        f"""sites:
  - name: 山西日报（改版）
    start_urls: ["{base}/sxrb/fazhi/index.shtml"]
    url_prefixes: ["{base}/sxrb/"]
    article_patterns: ['/sxrb/fazhi/\\d+\\.shtml$']
    list_patterns: ['/sxrb/fazhi/index(?:_\\d+)?\\.shtml$']
    download_delay: 0
    selectors:
      body: "#a-box-the-redesign-removed"
  - name: 临汾新闻网（改版）
    start_urls: ["{base}/linfen/news/index.html"]
    url_prefixes: ["{base}/linfen/"]
    article_patterns: ['/linfen/news/old-scheme/\\d+\\.html$']
    list_patterns: ['/linfen/news/index(?:_\\d+)?\\.html$']
    download_delay: 0
  - name: 已关闭的网站
    start_urls: ["http://127.0.0.1:{closed_port()}/news/index.html"]
    article_patterns: ['/news/\\d+\\.html$']
    download_delay: 0
""",
        encoding="utf-8",
    )
    return path


def test_each_crawl_records_its_sites_and_status_flags_them(settings: Settings, tmp_path: Path) -> None:
    with DemoServer(host="127.0.0.1", port=0) as demo:
        path = sites_file(tmp_path, demo.base_url)
        configured = settings.model_copy(update={"sites_file": path})
        stats = crawl_once(configured, sites_file=path, timeout_s=240)
    assert stats.articles_published > 0

    bus = open_bus(configured)
    try:
        records = {record.site: record for record in read_crawls(bus, configured.topic_prefix)}
    finally:
        bus.close()
    redesigned = records["山西日报（改版）"]
    assert redesigned.outcome == "ok" and redesigned.published > 0
    assert redesigned.selector_missed == redesigned.article_pages > 0
    assert records["临汾新闻网（改版）"].article_pages == 0 < records["临汾新闻网（改版）"].other_pages
    assert records["已关闭的网站"].outcome == "unreachable"

    flags = {site["site"]: site["flags"] for site in gather(configured)["sites"]}
    assert flags["山西日报（改版）"] == [
        f"selectors missing on {redesigned.article_pages} of {redesigned.article_pages} article pages "
        "(generic extraction used)"
    ]
    assert flags["临汾新闻网（改版）"][0].startswith("pages match none of its article patterns")
    assert flags["已关闭的网站"][0].startswith("unreachable: the last crawl got no page (")
