"""The web app, the pipeline's reader: search over the index (JSON API and a server-rendered page).

Choices:
- Every request parameter arrives as text and is validated in one place (``search_query``), so bad
  input of any kind — an empty query, ``page=abc``, a malformed date — is a 400 with a message a
  person can act on, never a 422 from the framework's validation or a 500.
- The page is rendered on the server (``GET /?q=…``): it works without JavaScript, links can be
  shared, and the browser's back button behaves.
- Routes are plain ``def``: the backends block, so FastAPI runs them in its thread pool.
- Without a backend passed in, the app opens the configured one on first use, so it starts (and
  answers 503 with the reason) while Elasticsearch is still down, and recovers when it is up.
- Dates in filters are calendar days in China Standard Time (UTC+8, no daylight saving).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from indexer import (
    IndexMissing,
    QueryError,
    SearchBackend,
    SearchHit,
    SearchQuery,
    TransientIndexError,
    open_index,
)
from pipeline.errors import ServiceUnavailable
from pipeline.settings import Settings

CHINA_TZ = timezone(timedelta(hours=8), "CST")
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
DEFAULT_PAGE_SIZE = 20
# Failures of the index that are not the user's fault: 503, with the reason.
UNAVAILABLE = (ServiceUnavailable, IndexMissing, TransientIndexError)


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


def _display(hit: SearchHit) -> dict[str, Any]:
    published = hit.published_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if hit.published_at else None
    return {**hit.model_dump(), "href": safe_href(hit.url), "published": published}


class _BackendHolder:
    """The backend given to the app, or the configured one opened on first use."""

    def __init__(self, settings: Settings, backend: SearchBackend | None) -> None:
        self._settings = settings
        self._backend = backend
        self._owned = backend is None
        self._lock = threading.Lock()

    def get(self) -> SearchBackend:
        with self._lock:
            if self._backend is None:
                self._backend = open_index(self._settings)  # raises ServiceUnavailable
            return self._backend

    def close(self) -> None:
        with self._lock:
            if self._owned and self._backend is not None:
                self._backend.close()
                self._backend = None


def create_app(settings: Settings, backend: SearchBackend | None = None) -> FastAPI:
    """The FastAPI app. A backend passed in stays the caller's to close."""
    holder = _BackendHolder(settings, backend)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        holder.close()

    app = FastAPI(title="Jiancha Monitor", lifespan=lifespan)

    @app.exception_handler(QueryError)
    async def bad_query(_: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    for error_type in UNAVAILABLE:

        @app.exception_handler(error_type)
        async def unavailable(_: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.get("/search")
    def search_api(request: Request) -> dict[str, Any]:
        """Search as JSON: {query, total, stories, page, size, hits, facets, histogram, next_cursor};
        400 for a bad query, 503 if the index is down."""
        query = search_query(request.query_params)
        page = holder.get().search(query)
        return {"query": query.text, "page": query.page, "size": query.size, **page.model_dump(mode="json")}

    @app.get("/", response_class=HTMLResponse)
    def search_page(request: Request) -> HTMLResponse:
        params = request.query_params
        context: dict[str, Any] = {"params": params, "hits": [], "total": None, "error": None}
        status = 200
        if "q" in params:
            try:
                query = search_query(params, facets=True)
                page = holder.get().search(query)
            except QueryError as exc:
                context["error"], status = f"检索式有误：{exc}", 400
            except UNAVAILABLE as exc:
                context["error"], status = f"检索服务暂不可用：{exc}", 503
            else:
                last_page = max(1, -(-page.stories // query.size))
                context.update(
                    total=page.total,
                    stories=page.stories,
                    facets={
                        k: [(b, _filter_url(params, k, b.value)) for b in v] for k, v in page.facets.items()
                    },
                    hits=[_display(h) for h in page.hits],
                    page=query.page,
                    last_page=last_page,
                    prev_url=_page_url(params, query.page - 1) if query.page > 1 else None,
                    next_url=_page_url(params, query.page + 1) if query.page < last_page else None,
                )
        return TEMPLATES.TemplateResponse(request, "search.html", context, status_code=status)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """200 when the index answers (with its article count), 503 with the reason when not."""
        try:
            articles = holder.get().count()
        except UNAVAILABLE as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "index": settings.index, "articles": articles})

    return app


def _filter_url(params: Mapping[str, str], name: str, value: str) -> str:
    """The current search narrowed to one facet value (back to page 1)."""
    kept = {k: v for k, v in params.items() if v and k not in ("page", "cursor")}
    return "/?" + urlencode({**kept, name: value})


def _page_url(params: Mapping[str, str], page: int) -> str:
    return "/?" + urlencode({**{k: v for k, v in params.items() if v}, "page": str(page)})
