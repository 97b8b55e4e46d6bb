"""Feeds and sitemaps as start points: the article links they list, whatever their dialect or damage."""

from __future__ import annotations

import gzip

import pytest

from crawler.feeds import feed_links, parse_sitemap

RSS = """<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>检察新闻</title>
<item><title>一</title><link>http://a.test/1.html</link></item>
<item><title>二</title><link> http://a.test/2.html </link></item>
<item><title>一again</title><link>http://a.test/1.html</link></item></channel></rss>""".encode("gbk")
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<link href="http://a.test/" rel="alternate"/>
<entry><title>a</title><link rel="alternate" href="http://a.test/atom-1.html"/>
<link rel="enclosure" href="http://a.test/1.mp3"/></entry></feed>"""
RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/"><item rdf:about="x"><title>r</title><link>http://a.test/rdf-1.html</link></item></rdf:RDF>"""


def test_rss_atom_and_rdf_entries() -> None:
    assert feed_links(RSS) == ["http://a.test/1.html", "http://a.test/2.html"]
    assert feed_links(ATOM) == ["http://a.test/atom-1.html"]  # not the channel link, not the enclosure
    assert feed_links(RDF) == ["http://a.test/rdf-1.html"]


def test_broken_or_foreign_feeds_give_what_can_be_read() -> None:
    assert feed_links(b"") == [] and feed_links(b"<html><body>not a feed</body></html>") == []
    assert feed_links(RSS[: RSS.index(b"<item><title>\xb6\xfe")]) == ["http://a.test/1.html"]


def test_sitemap_newest_first_and_index() -> None:
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>http://a.test/old.html</loc><lastmod>2023-01-01</lastmod></url>
    <url><loc>http://a.test/new.html</loc><lastmod>2024-05-01T08:00:00+08:00</lastmod></url>
    <url><loc>http://a.test/undated.html</loc></url></urlset>"""
    assert parse_sitemap(urlset).urls == [
        "http://a.test/new.html",
        "http://a.test/old.html",
        "http://a.test/undated.html",
    ]
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>http://a.test/s1.xml.gz</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index).sitemaps == ["http://a.test/s1.xml.gz"]
    assert parse_sitemap(gzip.compress(urlset)).urls[0] == "http://a.test/new.html"
    assert parse_sitemap(b"\x1f\x8b garbage").urls == []


def test_a_gzipped_sitemap_over_the_size_limit_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    urlset = (
        b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>http://a.test/1.html</loc></url>"""
        + b" " * 5000
        + b"</urlset>"
    )
    assert parse_sitemap(gzip.compress(urlset)).urls == ["http://a.test/1.html"]
    assert parse_sitemap(gzip.compress(urlset)[:-8]).urls == [
        "http://a.test/1.html"
    ]  # truncated: what was read
    monkeypatch.setattr("crawler.feeds.MAX_SITEMAP_BYTES", 1000)  # a gzip bomb, scaled down
    assert parse_sitemap(gzip.compress(urlset)).urls == []
