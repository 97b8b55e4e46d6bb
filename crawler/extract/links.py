"""The links of a page the crawler may follow, read from the element tree the extractor parsed already
(so an article page is parsed once, not again by a link extractor): ``<a>`` and ``<area>`` hrefs made
absolute against the page (or its ``<base href>``), without fragments, http(s) only, no links to
files a news crawler never reads (images, documents, archives: Scrapy's own list of extensions),
each URL once in page order, with the link's text (a pager's 下一页 is found by it)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import html
from scrapy.linkextractors import IGNORED_EXTENSIONS

_IGNORED = frozenset(f".{extension}" for extension in IGNORED_EXTENSIONS)
_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class PageLink:
    url: str
    text: str


def page_links(root: html.HtmlElement, page_url: str) -> list[PageLink]:
    base = page_url
    for element in root.iter("base"):
        if element.get("href", "").strip():
            base = urljoin(page_url, element.get("href", "").strip())
        break
    seen: set[str] = set()
    links: list[PageLink] = []
    for anchor in root.iter("a", "area"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        try:
            url = urldefrag(urljoin(base, href))[0]
            parts = urlsplit(url)
        except ValueError:  # an href no URL parser accepts (a bad IPv6 literal …): not a link
            continue
        if parts.scheme not in _SCHEMES or not parts.netloc or url in seen:
            continue
        if posixpath.splitext(parts.path)[1].lower() in _IGNORED:
            continue
        seen.add(url)
        links.append(PageLink(url, " ".join(anchor.text_content().split())))
    return links
