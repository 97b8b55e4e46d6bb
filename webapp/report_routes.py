"""What the monitor writes for people to read, in the web app: the daily digest of saved searches
(``/digest``, and ``/api/digest`` as JSON) and the weekly briefing as DOCX or HTML (``/briefing``,
the 生成周报 button of ``/saved``). Both read the index through alerts/'s digest and briefing code,
the same as ``jiancha digest`` and ``jiancha briefing``."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response

from alerts.digest import Digest, collect_digest, render_digest_html
from alerts.model import SavedSearch
from alerts.store import AlertStore, NotFound
from indexer import SearchBackend
from pipeline.china_time import CHINA_TZ
from webapp.accounts import User
from webapp.auth import require_viewer
from webapp.deps import get_backend, get_now
from webapp.pages import error_response
from webapp.saved_routes import alert_store

router = APIRouter()
Backend = Annotated[SearchBackend, Depends(get_backend)]
Store = Annotated[AlertStore, Depends(alert_store)]
Viewer = Annotated[User, Depends(require_viewer)]
Now = Annotated[datetime, Depends(get_now)]
DAY = r"^\d{4}-\d{2}-\d{2}$"
MAX_PERIOD = timedelta(days=366)


class _Refused(Exception):
    """A request a person can correct (a 400 or 404 with the message shown on the page)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _day_start(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=CHINA_TZ)
    except ValueError:
        raise _Refused(400, f"日期应写作 年-月-日（如 2024-06-03），而不是 {text[:20]!r}") from None


def _digest_searches(store: AlertStore, user: User, search: int | None) -> list[SavedSearch]:
    """One saved search, or — per user — the ones the user owns; someone who owns none (a viewer)
    reads every active saved search of the office."""
    if search is not None:
        try:
            return [store.get(search)]
        except NotFound:
            raise _Refused(404, f"没有编号为 {search} 的保存检索") from None
    active = [s for s in store.searches() if not s.paused]
    return [s for s in active if s.owner == user.name] or active


def _digest(store: AlertStore, backend: SearchBackend, user: User, now: datetime, search: int | None,
            day: str | None) -> Digest:  # fmt: skip
    if day is None:  # yesterday, China time
        today = now.astimezone(CHINA_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
        start = today - timedelta(days=1)
    else:
        start = _day_start(day)
    return collect_digest(backend, _digest_searches(store, user, search), start)


@router.get("/digest", response_class=HTMLResponse, tags=["alerts"])
def digest_page(
    request: Request, store: Store, backend: Backend, user: Viewer, now: Now,
    search: Annotated[int | None, Query(description="one saved search (default: the user's own)")] = None,
    day: Annotated[str | None, Query(pattern=DAY, description="YYYY-MM-DD, China time (default: yesterday)")] = None,
) -> Response:  # fmt: skip
    """The daily digest as a page: the day's stories of each saved search, critical first, with
    their outlets and 转载 counts (the body of the digest e-mail)."""
    try:
        return HTMLResponse(render_digest_html(_digest(store, backend, user, now, search, day)))
    except _Refused as refused:
        return error_response(request, refused.status, str(refused))


@router.get("/api/digest", tags=["alerts"])
def digest_api(
    request: Request, store: Store, backend: Backend, user: Viewer, now: Now,
    search: Annotated[int | None, Query(description="one saved search (default: the user's own)")] = None,
    day: Annotated[str | None, Query(pattern=DAY, description="YYYY-MM-DD, China time (default: yesterday)")] = None,
) -> Response:  # fmt: skip
    """The daily digest as JSON: ``{"day", "subject", "sections": [{"search", "stories"}]}``."""
    try:
        digest = _digest(store, backend, user, now, search, day)
    except _Refused as refused:
        return error_response(request, refused.status, str(refused))
    body: dict[str, Any] = {
        "day": digest.day.date().isoformat(),
        "subject": digest.subject,
        "sections": [
            {"search": {"id": s.search.id, "name": s.search.name, "query": s.search.query},
             "stories": [asdict(story) for story in s.stories]}
            for s in digest.sections
        ],
    }  # fmt: skip
    return JSONResponse(jsonable_encoder(body))


@router.get("/briefing", tags=["alerts"])
def briefing(
    request: Request, backend: Backend, _: Viewer,
    date_from: Annotated[str, Query(alias="from", pattern=DAY)],
    date_to: Annotated[str, Query(alias="to", pattern=DAY)],
    q: Annotated[str | None, Query(max_length=500)] = None,
    format: Literal["docx", "html"] = "docx",
) -> Response:  # fmt: skip
    """The weekly briefing of a period (days in China time, both inclusive), as DOCX or HTML."""
    from alerts.briefing import collect_briefing
    from alerts.briefing_docx import write_docx
    from alerts.briefing_html import render_briefing_html

    try:
        start, end = _day_start(date_from), _day_start(date_to) + timedelta(days=1)
        if end <= start or end - start > MAX_PERIOD:
            raise _Refused(400, "周报的起止日期有误：止日不能早于起日，周期最长一年。")
    except _Refused as refused:
        return error_response(request, refused.status, str(refused))
    report = collect_briefing(backend, start, end, q or None)  # QueryError → 400 by the app
    if format == "html":
        return HTMLResponse(render_briefing_html(report))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "briefing.docx"
        write_docx(report, path)
        body = path.read_bytes()
    name = f"briefing-{date_from}-{date_to}.docx"
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
