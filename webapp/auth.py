"""Who is asking: the login session, API tokens and roles of the web app, as FastAPI dependencies
any router imports — ``Depends(require_role("editor"))`` — plus the CSRF check of forms.

A browser logs in at ``/login`` and carries a signed session cookie (Starlette's SessionMiddleware,
secret from ``JIANCHA_WEB_SESSION_SECRET``, else a random one kept in the data folder); a script
sends ``Authorization: Bearer jm_…`` (``jiancha users token NAME``) and needs no CSRF token, as
no browser adds that header on its own. In single-user mode (``JIANCHA_WEB_SINGLE_USER``, loopback
only) everyone who reaches the app is the local administrator.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import cast

from fastapi import Request

from pipeline.settings import Settings
from webapp.accounts import ROLE_LABELS, AccountStore, Role, User

log = logging.getLogger(__name__)

SESSION_COOKIE = "jiancha_session"
SESSION_MAX_AGE_S = 12 * 3600  # one working day, then log in again
LOCAL_USER = User("local", "admin")  # single-user mode
_SECRET_FILE = "web-session-secret"
_UNSET = object()


class NotLoggedIn(Exception):
    """No session and no valid token: a page sends the browser to /login, the API answers 401."""


class Forbidden(Exception):
    """Logged in, but the role is too low (403)."""

    def __init__(self, role: Role) -> None:
        super().__init__(f"this needs the {role} role ({ROLE_LABELS[role]}) or higher")
        self.role = role


class CsrfFailed(Exception):
    """A form post without this session's CSRF token (403)."""


def session_secret(settings: Settings) -> str:
    """The cookie-signing secret: the setting, else one generated once and kept in the data folder
    (readable by its owner only), so sessions survive a restart."""
    if settings.web_session_secret is not None:
        return settings.web_session_secret.get_secret_value()
    path: Path = settings.data_dir / _SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret, encoding="ascii")
    log.info("generated a session secret in %s (set JIANCHA_WEB_SESSION_SECRET to choose one)", path)
    return secret


def accounts(request: Request) -> AccountStore:
    store: AccountStore = request.app.state.accounts
    return store


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_user(request: Request) -> User | None:
    """The user behind this request, or None. A token that does not match is no user at all."""
    cached = getattr(request.state, "user", _UNSET)
    if cached is not _UNSET:
        return cast(User | None, cached)
    user: User | None
    settings: Settings = request.app.state.settings
    token = _bearer(request)
    if token is not None:
        user = accounts(request).user_for_token(token)
    elif settings.web_single_user:
        user = LOCAL_USER
    else:
        name = request.session.get("user")
        # Looked up on every request: a removed user or a lowered role takes effect at once.
        user = accounts(request).get(name) if isinstance(name, str) else None
    request.state.user = user
    return user


def require_role(role: Role) -> Callable[[Request], User]:
    """A dependency that returns the user if they hold ``role`` (or higher); raises NotLoggedIn
    or Forbidden otherwise."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise NotLoggedIn()
        if not user.may(role):
            raise Forbidden(role)
        return user

    dependency.__name__ = f"require_{role}"
    return dependency


require_viewer = require_role("viewer")
require_editor = require_role("editor")
require_admin = require_role("admin")


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use; every form posts it back as ``csrf``."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """A dependency for form posts: the ``csrf`` field must be this session's token. Requests with
    an API token are exempt (a browser never sends one by itself)."""
    if _bearer(request) is not None:
        return
    form = await request.form()
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise CsrfFailed("the form has expired or did not come from this site: reload the page and try again")


def log_in(request: Request, user: User) -> None:
    """A fresh session for ``user`` (a new CSRF token too, so one planted before login is useless)."""
    request.session.clear()
    request.session["user"] = user.name
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.user = user


def log_out(request: Request) -> None:
    request.session.clear()
    request.state.user = None


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only (never ``//evil.example`` or a URL)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
