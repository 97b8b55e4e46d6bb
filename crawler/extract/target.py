"""Extraction as a debugging tool (``jiancha extract FILE|URL``): one page in, its extracted fields out."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

from crawler.extract.extractor import extract
from crawler.sites import SiteConfigError, load_sites, site_for_url
from pipeline.settings import Settings


def _fetch(url: str, settings: Settings) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers={"User-Agent": settings.user_agent})
    with urllib.request.urlopen(request, timeout=settings.connect_timeout_s) as response:
        return response.read(), dict(response.headers.items())


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
    return {"url": url, "site": site.name if site else None, **extracted.model_dump(mode="json")}
