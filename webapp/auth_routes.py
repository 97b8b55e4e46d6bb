"""Logging in and out (``/login``, ``/logout``), who am I (``/api/me``), and the accounts page of
admins (``/admin/users``; the command line has ``jiancha users`` for the same)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from webapp.accounts import ROLE_LABELS, AccountError, User
from webapp.auth import (
    accounts,
    current_user,
    log_in,
    log_out,
    require_admin,
    require_viewer,
    safe_next,
    verify_csrf,
)
from webapp.pages import TEMPLATES

router = APIRouter()


class Me(BaseModel):
    name: str
    role: str


@router.get("/login", response_class=HTMLResponse, tags=["accounts"])
def login_page(request: Request, next: str = "/") -> Response:
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return TEMPLATES.TemplateResponse(
        request, "login.html", {"next": safe_next(next), "error": None, "name": ""}
    )


@router.post("/login", response_class=HTMLResponse, tags=["accounts"], dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    user = accounts(request).authenticate(name.strip(), password)
    if user is None:
        context: dict[str, Any] = {"next": safe_next(next), "error": "用户名或密码不正确。", "name": name}
        return TEMPLATES.TemplateResponse(request, "login.html", context, status_code=400)
    log_in(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", tags=["accounts"], dependencies=[Depends(verify_csrf)])
def logout(request: Request) -> RedirectResponse:
    log_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/api/me", response_model=Me, tags=["accounts"])
def me(user: Annotated[User, Depends(require_viewer)]) -> Me:
    """The user behind the session or token, and their role."""
    return Me(name=user.name, role=user.role)


__all__ = ["ROLE_LABELS", "router"]


class UserRow(BaseModel):
    name: str
    role: str


@router.get("/api/users", response_model=list[UserRow], tags=["accounts"])
def users_api(request: Request, _: Annotated[User, Depends(require_admin)]) -> list[UserRow]:
    """Every account and its role (admin only)."""
    return [UserRow(name=u.name, role=u.role) for u in accounts(request).users()]


@router.get("/admin/users", response_class=HTMLResponse, tags=["pages"])
def users_page(request: Request, user: Annotated[User, Depends(require_admin)]) -> HTMLResponse:
    """The accounts (admin only): who may read, who may edit alerts, who runs the system."""
    context = {"users": accounts(request).users(), "error": None, "added": request.query_params.get("added")}
    return TEMPLATES.TemplateResponse(request, "users.html", context)


@router.post("/admin/users", response_class=HTMLResponse, tags=["pages"], dependencies=[Depends(verify_csrf)])
def add_user(
    request: Request,
    _: Annotated[User, Depends(require_admin)],
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=20)] = "viewer",
) -> Response:
    try:
        added = accounts(request).add_user(name.strip(), password, role)
    except AccountError as exc:
        context = {"users": accounts(request).users(), "error": str(exc), "added": None}
        return TEMPLATES.TemplateResponse(request, "users.html", context, status_code=400)
    return RedirectResponse(f"/admin/users?added={quote(added.name)}", status_code=303)
