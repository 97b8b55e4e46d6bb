"""Extraction as a debugging tool (``jiancha extract FILE|URL``): one page in, its extracted fields out.

A URL of an article split over pages is fetched page by page and joined, as the crawler does; a saved
file cannot be, and its ``page_urls`` name the pages it points to.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from crawler.extract.extractor import Extracted, extract
from crawler.extract.pages import join_pages, merge_pages
from crawler.sites import SiteConfig, SiteConfigError, load_sites, site_for_url
from pipeline.settings import Settings

log = logging.getLogger(__name__)


def _fetch(url: str, settings: Settings) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"User-Agent": settings.user_agent})
    with urllib.request.urlopen(request, timeout=settings.connect_timeout_s) as response:
        return response.read(), dict(response.headers.items())


def _whole_article(url: str, page: Extracted, settings: Settings, site: SiteConfig | None) -> Extracted:
    """The article joined from all its pages, whichever of them ``url`` is (each fetched once, at most
    ``MAX_PAGES``); a page that cannot be fetched leaves it flagged ``incomplete:pages``."""
    pages, fetched, failed = page.page_urls, {url: page}, []
    while (following := next((p for p in pages if p not in fetched and p not in failed), None)) is not None:
        try:
            fetched[following] = extract(following, *_fetch(following, settings), site)
        except (OSError, urllib.error.URLError) as exc:  # HTTPError (404 …) is a URLError
            log.warning("page %s of %s: %s", following, url, exc)
            failed.append(following)
            continue
        pages = merge_pages(pages, fetched[following].page_urls)
    ordered = [fetched[p] for p in pages if p in fetched]
    if not ordered:  # the pager named only pages that failed, not this one's own address
        return page
    joined = join_pages(ordered[0], ordered[1:], incomplete=bool(failed))
    joined.page_urls = pages
    return joined


def extract_target(target: str, url: str | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Extract a saved HTML file (``url`` = the page's address, for links and site matching) or a URL."""
    settings = settings or Settings()
    if target.startswith(("http://", "https://")):
        body, headers = _fetch(target, settings)
        url = target
    else:
        path = Path(target)
        body, headers = path.read_bytes(), {}
        url = url or path.resolve().as_uri()
    try:
        site = site_for_url(load_sites(settings.sites_path), url)
    except SiteConfigError:
        site = None  # a sites file that needs a demo base: extract generically
    extracted = extract(url, body, headers, site)
    if target.startswith(("http://", "https://")) and extracted.page_urls:
        extracted = _whole_article(url, extracted, settings, site)
    return {"url": url, "site": site.name if site else None, **extracted.model_dump(mode="json")}
