"""The web app, the pipeline's reader: search over the index and the story view (JSON API and
server-rendered pages).

Choices:
- Every request parameter arrives as text and is validated in one place (webapp/params.py), so
  bad input is a 400 with a message a person can act on, never a 422 or a 500.
- Pages are rendered on the server (``GET /?q=…``, ``GET /stories/{id}``): they work without
  JavaScript, links can be shared, and the browser's back button behaves.
- Routes are plain ``def``: the backends block, so FastAPI runs them in its thread pool.
- Without a backend passed in, the app opens the configured one on first use, so it starts (and
  answers 503 with the reason) while Elasticsearch is still down, and recovers when it is up.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse

from indexer import QueryError, SearchBackend, open_index
from pipeline.settings import Settings
from webapp.admin_routes import admin_router
from webapp.pages import TEMPLATES, UNAVAILABLE
from webapp.params import search_query
from webapp.search_view import KEPT_PARAMS, page_context
from webapp.stories import story_router


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
        """The search page: the query box, and with ``q`` the hits (one per story), the facet
        sidebar, the date histogram and the pages."""
        params = request.query_params
        context: dict[str, Any] = {
            "params": params,
            "hidden": [(k, params[k]) for k in KEPT_PARAMS if params.get(k)],
            "hits": [],
            "total": None,
            "error": None,
        }
        status = 200
        if "q" in params:
            try:
                query = search_query(params, facets=True)
                chosen = query.histogram
                if chosen is None:  # days, summed into weeks or months if the span is long
                    query = dataclasses.replace(query, histogram="day")
                page = holder.get().search(query)
            except QueryError as exc:
                context["error"], status = f"检索式有误：{exc}", 400
            except UNAVAILABLE as exc:
                context["error"], status = f"检索服务暂不可用：{exc}", 503
            else:
                context.update(page_context(params, query, page, chosen))
        return TEMPLATES.TemplateResponse(request, "search.html", context, status_code=status)

    app.include_router(story_router(holder.get))
    app.include_router(admin_router(settings))

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """200 when the index answers (with its article count), 503 with the reason when not."""
        try:
            articles = holder.get().count()
        except UNAVAILABLE as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "index": settings.index, "articles": articles})

    return app
