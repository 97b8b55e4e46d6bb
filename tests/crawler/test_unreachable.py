"""A site that cannot be reached is one WARNING line per site per crawl, with the reason, no traceback —
in either log format. Never the internet: a local port nobody listens on and a ``.invalid`` host."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from crawler.run import crawl_once
from pipeline.settings import Settings


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_unreachable_site_is_one_warning_line_with_its_reason(
    tmp_path: Path, settings: Settings, capfd: pytest.CaptureFixture[str], log_format: str
) -> None:
    port = unused_port()
    sites = tmp_path / "sites.yaml"
    sites.write_text(
        f"""
sites:
  - name: 关闭的站点
    start_urls: ["http://127.0.0.1:{port}/news/index.html"]
    feeds: ["http://127.0.0.1:{port}/rss.xml"]
    article_patterns: ['/news/\\d+\\.html$']
    download_delay: 0
  - name: 不存在的站点
    start_urls: ["http://jiancha-nowhere.invalid/news/index.html"]
    sitemaps: ["http://jiancha-nowhere.invalid/sitemap.xml"]
    article_patterns: ['/news/\\d+\\.html$']
    download_delay: 0
""",
        encoding="utf-8",
    )
    stats = crawl_once(
        settings.model_copy(update={"log_format": log_format}), sites_file=sites, timeout_s=120
    )

    assert stats.failed == {"dns": 2, "refused": 2} and stats.pages_fetched == 0
    err = capfd.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    if log_format == "json":
        records = [json.loads(line) for line in lines]  # every line is one JSON object
        warnings = [r["message"] for r in records if r["level"] == "WARNING"]
        assert not [r for r in records if r["level"] in ("ERROR", "CRITICAL")]
    else:
        warnings = [line for line in lines if " WARNING " in line]
        assert not [line for line in lines if " ERROR " in line or " CRITICAL " in line]
    assert len(warnings) == 2, err
    (dns,) = [w for w in warnings if "不存在的站点" in w]
    (refused,) = [w for w in warnings if "关闭的站点" in w]
    assert "unreachable(dns)" in dns and "jiancha-nowhere.invalid" in dns
    assert "unreachable(refused)" in refused and f"127.0.0.1:{port}" in refused
