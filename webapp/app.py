"""The web app, the pipeline's reader: dashboard, search, stories, trends and exports over the
index, as server-rendered pages and as a JSON API (OpenAPI at ``/docs``).

Choices:
- Request parameters are declared once (indexer/params.py) and shared with the CLI; a bad value
  is a 400 worded for a person, never a 422 or a 500.
- Pages are rendered on the server: they work without JavaScript, links can be shared, and the
  browser's back button behaves. Routes are plain ``def``: the backends block, so FastAPI runs
  them in its thread pool.
- The backend is a FastAPI dependency (webapp/deps.py), opened on first use, so the app starts
  (and answers 503 with the reason) while Elasticsearch is still down.
- Each area is a router; ``ROUTERS`` lists them. To add one, append it there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from indexer import QueryError, SearchBackend
from indexer.params import describe_errors
from pipeline.settings import Settings
from webapp import (
    auth_routes,
    dashboard,
    exports,
    report_routes,
    saved_routes,
    search_routes,
    stories,
    trends_routes,
)
from webapp.accounts import AccountStore, accounts_path
from webapp.admin_routes import admin_router
from webapp.auth import require_role
from webapp.deps import attach_backend, close_backend, get_backend
from webapp.ops_routes import ops_router
from webapp.pages import STATIC_DIR, UNAVAILABLE, error_response
from webapp.security import install_security

# Every router but auth_routes requires a logged-in user (webapp/auth.py's require_role).
ROUTERS: list[APIRouter] = [
    auth_routes.router,
    dashboard.router,
    search_routes.router,
    stories.router,
    exports.router,
    trends_routes.router,
    saved_routes.router,
    report_routes.router,
]


def create_app(settings: Settings, backend: SearchBackend | None = None) -> FastAPI:
    """The FastAPI app. A backend passed in stays the caller's to close."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        close_backend(app)
        app.state.accounts.close()
        if getattr(app.state, "alert_store", None) is not None:
            app.state.alert_store.close()

    # /docs is served below from the app's own copy of Swagger UI: offices run without internet.
    app = FastAPI(title="Jiancha Monitor", summary="检察新闻监测", lifespan=lifespan, docs_url=None)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    attach_backend(app, settings, backend)
    app.state.accounts = AccountStore(accounts_path(settings.data_dir))
    install_security(app, settings)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, describe_errors(exc.errors()))

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return error_response(request, 400, str(exc))

    for error_type in UNAVAILABLE:

        @app.exception_handler(error_type)
        async def unavailable(request: Request, exc: Exception) -> Response:
            return error_response(request, 503, f"检索服务暂不可用：{exc}", detail=str(exc))

    for router in ROUTERS:
        app.include_router(router)
    # /health, /ready and /metrics stay open (healthchecks, Prometheus); the status page is the admin's.
    app.include_router(admin_router(settings, guard=[require_role("admin")]))
    app.include_router(ops_router(settings, guard=[require_role("admin")]))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Jiancha Monitor API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    @app.get("/healthz", tags=["operations"])
    def healthz(request: Request) -> JSONResponse:
        """200 when the index answers (with its article count), 503 with the reason when not."""
        try:
            articles = get_backend(request).count()
        except UNAVAILABLE as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "index": settings.index, "articles": articles})

    return app
