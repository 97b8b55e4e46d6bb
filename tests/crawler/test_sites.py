"""Sites as configuration: the shipped files load, the demo placeholder is substituted, mistakes are explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.run import DEMO_SITES_FILE
from crawler.sites import SiteConfigError, load_sites, site_for_url
from pipeline.settings import CONFIG_DIR


def test_real_sites_file_loads_and_is_marked_unverified() -> None:
    sites = load_sites(CONFIG_DIR / "sites.yaml")
    names = {site.name for site in sites}
    assert {
        "山西日报",
        "山西新闻网",
        "临汾新闻网",
        "黄河新闻网",
        "山西省人民检察院",
        "最高人民检察院",
        "检察日报",
        "正义网",
        "人民网山西频道",
        "新华网山西频道",
    } <= names
    cities = {"太原", "大同", "运城", "长治", "临汾", "晋中", "晋城", "阳泉", "朔州", "忻州", "吕梁"}
    city_sites = [s for s in sites if set(s.regions) & cities and s.name != "临汾新闻网"]
    assert len(city_sites) >= 5
    assert all(not site.verified for site in sites)
    assert all(site.regions for site in sites)
    assert any(site.feeds for site in sites) and any(site.sitemaps for site in sites)
    # a child procuratorate's pages go to it, the rest of the provincial site to the province
    child = site_for_url(sites, "http://www.sx.jcy.gov.cn/lf/jcdt/202401/t20240101_1.shtml")
    assert child is not None and child.name == "临汾市人民检察院"


def test_demo_sites_get_the_demo_base() -> None:
    sites = load_sites(DEMO_SITES_FILE, demo_base="http://127.0.0.1:9999/")
    linfen = site_for_url(sites, "http://127.0.0.1:9999/linfen/news/202108/t20210813_1001.html")
    assert linfen is not None and linfen.name.startswith("临汾新闻网")
    assert linfen.is_article("http://127.0.0.1:9999/linfen/news/202108/t20210813_1001.html")
    assert not linfen.is_article("http://127.0.0.1:9999/linfen/news/index_2.html")
    assert linfen.is_list("http://127.0.0.1:9999/linfen/news/index_2.html")
    sxrb = site_for_url(sites, "http://127.0.0.1:9999/sxrb/fazhi/2001.shtml")
    assert sxrb is not None and sxrb.name.startswith("山西日报")
    assert site_for_url(sites, "http://elsewhere.test/sxrb/fazhi/2001.shtml") is None


def test_demo_file_without_demo_base_is_an_error() -> None:
    with pytest.raises(SiteConfigError, match="DEMO_BASE"):
        load_sites(DEMO_SITES_FILE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sites: []", "non-empty list"),
        ("sites: [{name: a, start_urls: [ftp://x/], article_patterns: [x]}]", "site a.*http"),
        ("sites: [{name: a, start_urls: ['http://x/'], article_patterns: ['(']}]", "site a.*invalid regex"),
        ("sites: [{name: a, start_urls: ['http://x/'], article_patterns: [x], colour: red}]", "colour"),
        ("sites: [{name: a, start_urls: ['http://x/']}]", "article_patterns"),
        ("sites: {a: [", "not valid YAML"),
    ],
)
def test_invalid_file_is_explained(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SiteConfigError, match=message) as info:
        load_sites(path)
    assert str(path) in str(info.value)
