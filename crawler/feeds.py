"""Crawler start points besides list pages: the article links of RSS/Atom feeds and XML sitemaps.

Pure functions over response bytes; the spider follows what they return. Broken XML yields what could
be read (``recover``), never an exception.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap as ScrapySitemap

# A sitemap may hold 50,000 URLs and 50 MB (sitemaps.org); anything beyond is not a sitemap we read.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


def _root(body: bytes) -> etree._Element | None:
    if not body.strip():
        return None
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(body.strip(), parser)
    except etree.XMLSyntaxError:
        return None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def feed_links(body: bytes) -> list[str]:
    """Entry links of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in feed order, without duplicates."""
    root = _root(body)
    if root is None:
        return []
    links: list[str] = []
    for element in root.iter():
        name = _local(element.tag)
        parent = element.getparent()
        if name != "link" or parent is None or _local(parent.tag) not in ("item", "entry"):
            continue
        href = element.get("href") if element.get("href") is not None else (element.text or "")
        rel = element.get("rel", "alternate")
        if href.strip() and rel == "alternate":
            links.append(href.strip())
    return list(dict.fromkeys(links))


@dataclass
class Sitemap:
    """Page URLs (newest first when ``lastmod`` is given) and child sitemaps of a sitemap (index)."""

    urls: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def sitemap_xml(body: bytes) -> bytes | None:
    """A sitemap's XML, gunzipped by Scrapy if it is a ``.xml.gz``; None for a broken or oversized
    archive (a gzip bomb stops at ``MAX_SITEMAP_BYTES``)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        return gunzip(body, max_size=MAX_SITEMAP_BYTES)
    except (OSError, EOFError, struct.error, ValueError):  # ValueError: Scrapy's size limit
        return None


def parse_sitemap(body: bytes) -> Sitemap:
    """Read with Scrapy's ``Sitemap`` (lxml iterparse, recovering): page URLs newest first by
    ``lastmod``, and the child sitemaps of a sitemap index."""
    xml = sitemap_xml(body)
    result = Sitemap()
    if not xml or not xml.strip():
        return result
    dated: list[tuple[str, str]] = []
    try:
        sitemap = ScrapySitemap(xml.strip())
        for entry in sitemap:
            loc = entry.get("loc", "")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                result.sitemaps.append(loc)
            elif sitemap.type == "urlset":
                dated.append((entry.get("lastmod", ""), loc))
    except (etree.XMLSyntaxError, StopIteration):  # no root element: not a sitemap at all
        return result
    # ISO 8601 dates sort as strings; entries without lastmod keep their order after the dated ones.
    dated.sort(key=lambda pair: pair[0], reverse=True)
    result.urls = list(dict.fromkeys(loc for _, loc in dated))
    return result
