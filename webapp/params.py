"""Links of the web app's pages: the current search with one parameter changed (facets, sort,
pages, the date histogram), and which URLs a page may link to. The parameters themselves are
declared once, in indexer/params.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from pipeline.china_time import china_time

__all__ = ["china_time", "page_url", "safe_href", "search_url"]

# Parameters that select a page of the current results: a link that changes what matches drops them.
_PAGING = ("page", "cursor")


def safe_href(url: str) -> str | None:
    """The URL if a browser may follow it (http/https only: never ``javascript:`` from a page)."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def search_url(params: Mapping[str, str], **changes: str | None) -> str:
    """The current search with some parameters set (or removed with None), back to page 1."""
    kept = {k: v for k, v in params.items() if v and k not in _PAGING}
    for name, value in changes.items():
        kept.pop(name, None)
        if value:
            kept[name] = value
    return "/search?" + urlencode(kept)


def page_url(params: Mapping[str, str], page: int) -> str:
    """The same search, another page."""
    return "/search?" + urlencode({**{k: v for k, v in params.items() if v}, "page": str(page)})
