"""Site selectors: when they match they win; when a redesign broke them, generic extraction takes over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract
from crawler.sites import SiteConfig, SiteConfigError, load_sites

PAGE = """<html><head><meta charset="utf-8"><title>临汾检察开展司法救助_临汾新闻网</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/news/">新闻</a><a href="/zt/">专题</a></div>
<h1>临汾检察开展司法救助</h1><div class="info">2024-03-05 10:20 来源:临汾日报</div>
<div class="empty-box"></div>
<div id="text"><p>临汾市检察院近日为三名困难被害人发放司法救助金,帮助他们渡过难关。</p>
<p>检察官表示,将继续把司法救助工作做细做实,让群众感受到公平正义。</p></div></body></html>""".encode()
URL = "http://www.linfen365.com/xwpd/202403/t20240305_1.html"


def site(**selectors: Any) -> SiteConfig:
    return SiteConfig.model_validate(
        {
            "name": "临汾新闻网",
            "start_urls": ["http://www.linfen365.com/"],
            "article_patterns": ["."],
            "selectors": selectors,
        }
    )


def test_matching_selectors_are_used() -> None:
    got = extract(URL, PAGE, {}, site(body="#text", title="h1", published_at=".info"))
    assert got.methods["body"] == got.methods["title"] == got.methods["published_at"] == "selector"
    assert got.body.startswith("临汾市检察院近日") and "selector_missed" not in got.quality


@pytest.mark.parametrize(
    "selectors",
    [
        {"body": "#article-content", "title": "h1.headline", "published_at": ".pubtime"},  # redesign: gone
        {"body": ".empty-box"},  # matches, but holds nothing
        {"body": ".nav"},  # matches the menu: links, no prose
    ],
)
def test_broken_selectors_fall_back_to_generic_extraction(selectors: dict[str, str]) -> None:
    generic = extract(URL, PAGE, {})
    got = extract(URL, PAGE, {}, site(**selectors))
    assert (got.title, got.body, got.published_at, got.source) == (
        generic.title,
        generic.body,
        generic.published_at,
        generic.source,
    )
    assert got.title == "临汾检察开展司法救助" and got.source == "临汾日报"
    assert got.body.count("\n") == 1 and "首页" not in got.body
    assert "selector_missed" in got.quality or "body" not in selectors


def test_invalid_css_is_a_config_error_naming_the_site(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(
        "sites: [{name: 坏站, start_urls: ['http://x.test/'], article_patterns: [x], selectors: {body: 'div[[['}}]",
        encoding="utf-8",
    )
    with pytest.raises(SiteConfigError, match=r"坏站.*selectors.body.*invalid CSS selector"):
        load_sites(path)
