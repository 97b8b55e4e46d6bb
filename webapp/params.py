"""Request parameters of the web app: text in, a validated SearchQuery out, and the links that
change one parameter of the current search (facets, sort, pages, the date histogram).

Every parameter arrives as text and is validated here, so bad input of any kind — an empty
query, ``page=abc``, a malformed date — is a QueryError (400) with a message a person can act
on, never a 422 from the framework's validation or a 500. Dates in filters are calendar days in
China Standard Time (UTC+8, no daylight saving).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlencode, urlsplit

from indexer import QueryError, SearchQuery

CHINA_TZ = timezone(timedelta(hours=8), "CST")
DEFAULT_PAGE_SIZE = 20
# Parameters that select a page of the current results: a link that changes what matches drops them.
_PAGING = ("page", "cursor")


def _int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw[:20]!r}") from None


def _day(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise QueryError(f"{name} must be a date like 2024-05-01, not {raw[:20]!r}") from None


def _flag(params: Mapping[str, str], name: str) -> bool | None:
    raw = params.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    raise QueryError(f"{name} must be 1 or 0, not {raw[:20]!r}")


def _float(params: Mapping[str, str], name: str) -> float | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise QueryError(f"{name} must be a number, not {raw[:20]!r}") from None


def _text(params: Mapping[str, str], name: str) -> str | None:
    return params.get(name, "").strip() or None


def search_query(params: Mapping[str, str], facets: bool = False) -> SearchQuery:
    """The SearchQuery of a request's parameters: q, site, source, region, procuratorate, topic,
    tone, relevant (1/0), min_relevance, from, to, sort, page, size, cursor, histogram
    (day/week/month), stories (0 = every copy as its own hit), all_copies (1).

    ``from`` and ``to`` are inclusive calendar days in China Standard Time. Raises QueryError.
    """
    day_from, day_to = _day(params, "from"), _day(params, "to")
    sort = params.get("sort", "").strip() or "relevance"
    if sort not in ("relevance", "date"):
        raise QueryError(f"sort must be 'relevance' or 'date', not {sort[:20]!r}")
    histogram = _text(params, "histogram")
    if histogram not in (None, "day", "week", "month"):
        raise QueryError(f"histogram must be day, week or month, not {histogram[:20]!r}")
    return SearchQuery(
        text=params.get("q", ""),
        site=_text(params, "site"),
        source=_text(params, "source"),
        region=_text(params, "region"),
        procuratorate=_text(params, "procuratorate"),
        topic=_text(params, "topic"),
        tone=_text(params, "tone"),
        relevant=_flag(params, "relevant"),
        min_relevance=_float(params, "min_relevance"),
        date_from=datetime.combine(day_from, time(), CHINA_TZ) if day_from else None,
        date_to=datetime.combine(day_to + timedelta(days=1), time(), CHINA_TZ) if day_to else None,
        sort="date" if sort == "date" else "relevance",
        page=_int(params, "page", 1),
        size=_int(params, "size", DEFAULT_PAGE_SIZE),
        cursor=_text(params, "cursor"),
        facets=facets or bool(_flag(params, "facets")),
        histogram=histogram,  # type: ignore[arg-type]
        collapse_stories=_flag(params, "stories") is not False,
        all_copies=bool(_flag(params, "all_copies")),
    )


def safe_href(url: str) -> str | None:
    """The URL if a browser may follow it (http/https only: never ``javascript:`` from a page)."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def china_time(moment: datetime | None) -> str | None:
    """``2024-05-01 16:30``: a moment as a reader in China reads it."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else None


def search_url(params: Mapping[str, str], **changes: str | None) -> str:
    """The current search with some parameters set (or removed with None), back to page 1."""
    kept = {k: v for k, v in params.items() if v and k not in _PAGING}
    for name, value in changes.items():
        kept.pop(name, None)
        if value:
            kept[name] = value
    return "/?" + urlencode(kept)


def page_url(params: Mapping[str, str], page: int) -> str:
    """The same search, another page."""
    return "/?" + urlencode({**{k: v for k, v in params.items() if v}, "page": str(page)})
