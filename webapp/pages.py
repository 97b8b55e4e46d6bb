"""What every page of the web app shares: the templates, the index failures that are not the
user's fault (answered 503 with the reason), and error answers in the form the caller reads —
JSON for the API, a page for a browser.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from indexer import IndexMissing, TransientIndexError
from pipeline.china_time import china_time
from pipeline.errors import ServiceUnavailable
from webapp.params import safe_href

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
# The app's own scripts, and vendor/ (git-ignored) with the libraries deploy/fetch-web-assets fetches.
STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
UNAVAILABLE = (ServiceUnavailable, IndexMissing, TransientIndexError)
TEMPLATES.env.filters["china_time"] = china_time  # 2024-05-01 16:30, as read in China
TEMPLATES.env.filters["safe_href"] = safe_href  # http(s) links only


def wants_json(request: Request) -> bool:
    """API paths answer JSON; pages answer HTML."""
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def error_response(request: Request, status: int, message: str, detail: str | None = None) -> Response:
    """``{"detail": …}`` for the API, the error page for a browser."""
    if wants_json(request):
        return JSONResponse({"detail": detail or message}, status_code=status)
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"error": message, "status": status}, status_code=status
    )


def _install_globals() -> None:
    # Imported here: auth reads the settings and the account store, which pages need not know.
    from webapp.accounts import ROLE_LABELS
    from webapp.auth import csrf_token, current_user

    TEMPLATES.env.globals["csrf_token"] = csrf_token  # every form posts it back
    TEMPLATES.env.globals["current_user"] = current_user  # the header shows who is logged in
    TEMPLATES.env.globals["role_labels"] = ROLE_LABELS


_install_globals()
