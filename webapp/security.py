"""The web app's protective layer, installed once by create_app: the signed session cookie,
security headers on every answer (a Content-Security-Policy that runs only the app's own script
files — crawled HTML that slipped through escaping still could not run), and the answers to
NotLoggedIn / Forbidden / CsrfFailed for pages and the API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from pipeline.settings import Settings
from webapp.accounts import ROLE_LABELS
from webapp.auth import SESSION_COOKIE, SESSION_MAX_AGE_S, CsrfFailed, Forbidden, NotLoggedIn, session_secret
from webapp.pages import error_response, wants_json

# No inline script, no eval, nothing from another origin. Styles may be inline (the templates
# carry their own); a stylesheet cannot run code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI at /docs starts itself with one inline script; the page shows no crawled text.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def install_security(app: FastAPI, settings: Settings) -> None:
    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = DOCS_CSP if request.url.path == "/docs" else CSP
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    # Added after the header middleware, so it runs first (outermost) and sessions exist below it.
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
    )

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if wants_json(request):
            response = error_response(
                request, 401, "log in, or send an API token: Authorization: Bearer jm_… (jiancha users token)"
            )
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(
            request,
            403,
            f"没有权限：此页面需要“{ROLE_LABELS[exc.role]}”或更高角色（请联系管理员）。",
            detail=str(exc),
        )

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return error_response(request, 403, "表单已过期或并非来自本站，请刷新页面后重试。", detail=str(exc))
