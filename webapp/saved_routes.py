"""Saved searches and alerts in the web app: the JSON API (``/api/saved``; editors create, edit,
pause and delete), the page ``/saved`` with the same actions and each channel's health (a failing
channel is shown as failing) and the Atom feed ``/feeds/{id}.atom?token=…`` (the token instead of a
login). The digest and the briefing are webapp/report_routes.py's."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from alerts.model import ChannelSpec, SavedSearch
from alerts.store import AlertStore, DuplicateName, NotFound, open_store
from pipeline.china_time import CHINA_TZ
from pipeline.settings import Settings
from webapp.accounts import User
from webapp.auth import require_editor, require_viewer, verify_csrf
from webapp.deps import get_now, get_settings
from webapp.pages import TEMPLATES

router = APIRouter()
_STORE_LOCK = threading.Lock()


def alert_store(request: Request) -> AlertStore:
    """The alerts store of this data folder, opened on first use and kept on the app."""
    state = request.app.state
    with _STORE_LOCK:
        if getattr(state, "alert_store", None) is None:
            state.alert_store = open_store(state.settings)
        store: AlertStore = state.alert_store
    return store


Store = Annotated[AlertStore, Depends(alert_store)]
Editor = Annotated[User, Depends(require_editor)]
Viewer = Annotated[User, Depends(require_viewer)]
# SQLite's INTEGER is 64-bit: a larger id in a URL is a 400, not an overflow inside the store.
SearchId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="the saved search's id")]
Now = Annotated[datetime, Depends(get_now)]


class SavedSearchIn(BaseModel):
    """What a person sets; the id, owner and feed token are the server's."""

    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=500)
    site: str | None = None
    source: str | None = None
    region: str | None = None
    procuratorate: str | None = None
    topic: str | None = None
    paused: bool = False
    only_critical: bool = False
    only_relevant: bool = False
    batch_minutes: int = 0
    window_start: str | None = None
    window_end: str | None = None
    carried_threshold: int | None = None
    channels: list[ChannelSpec] = []


class ChannelOut(BaseModel):
    kind: str
    label: str
    failing: bool
    failures: int
    last_error: str | None
    pending: int


class SavedSearchOut(SavedSearchIn):
    id: int
    owner: str
    feed_url: str | None  # editors only: the token is a secret
    channel_health: list[ChannelOut]


def _to_search(data: SavedSearchIn, owner: str, base: SavedSearch | None = None) -> SavedSearch:
    try:
        fields: dict[str, Any] = data.model_dump()
        if base is not None:
            return SavedSearch.model_validate({**base.model_dump(), **fields})
        return SavedSearch.model_validate({**fields, "owner": owner})
    except ValidationError as error:
        raise HTTPException(400, "; ".join(e["msg"] for e in error.errors())) from None


def _out(search: SavedSearch, store: AlertStore, user: User, settings: Settings) -> SavedSearchOut:
    assert search.id is not None
    health = {h.channel_no: h for h in store.health(search.id)}
    channels = [ChannelOut(kind=c.kind, label=c.label(), failing=health[n].failing, failures=health[n].failures,
                           last_error=health[n].last_error, pending=health[n].pending)
                for n, c in enumerate(search.channels)]  # fmt: skip
    feed = (
        f"{settings.public_url}/feeds/{search.id}.atom?token={search.feed_token}"
        if user.may("editor")
        else None
    )
    fields = search.model_dump(include=set(SavedSearchIn.model_fields))
    if not user.may("editor"):  # robot URLs and secrets are credentials
        fields["channels"] = []
    return SavedSearchOut(**fields, id=search.id, owner=search.owner, feed_url=feed, channel_health=channels)


def _get(store: AlertStore, search_id: int) -> SavedSearch:
    try:
        return store.get(search_id)
    except NotFound:
        raise HTTPException(404, f"no saved search {search_id}") from None


@router.get("/api/saved", response_model=list[SavedSearchOut], tags=["alerts"])
def list_saved(request: Request, store: Store, user: Viewer) -> list[SavedSearchOut]:
    settings = get_settings(request)
    return [_out(s, store, user, settings) for s in store.searches()]


@router.post("/api/saved", response_model=SavedSearchOut, status_code=201, tags=["alerts"])
def create_saved(request: Request, data: SavedSearchIn, store: Store, user: Editor) -> SavedSearchOut:
    try:
        saved = store.add(_to_search(data, user.name))
    except DuplicateName as error:
        raise HTTPException(409, str(error)) from None
    return _out(saved, store, user, get_settings(request))


@router.get("/api/saved/{search_id}", response_model=SavedSearchOut, tags=["alerts"])
def get_saved(request: Request, search_id: SearchId, store: Store, user: Viewer) -> SavedSearchOut:
    return _out(_get(store, search_id), store, user, get_settings(request))


@router.put("/api/saved/{search_id}", response_model=SavedSearchOut, tags=["alerts"])
def edit_saved(
    request: Request, search_id: SearchId, data: SavedSearchIn, store: Store, user: Editor
) -> SavedSearchOut:
    try:
        saved = store.update(_to_search(data, user.name, base=_get(store, search_id)))
    except DuplicateName as error:
        raise HTTPException(409, str(error)) from None
    return _out(saved, store, user, get_settings(request))


@router.post("/api/saved/{search_id}/{action}", response_model=SavedSearchOut, tags=["alerts"])
def pause_saved(request: Request, search_id: SearchId, action: Literal["pause", "resume"], store: Store,
                user: Editor) -> SavedSearchOut:  # fmt: skip
    saved = store.update(_get(store, search_id).model_copy(update={"paused": action == "pause"}))
    return _out(saved, store, user, get_settings(request))


@router.delete("/api/saved/{search_id}", status_code=204, tags=["alerts"])
def delete_saved(search_id: SearchId, store: Store, _: Editor) -> Response:
    _get(store, search_id)
    store.remove(search_id)
    return Response(status_code=204)


@router.get("/feeds/{search_id}.atom", tags=["alerts"])
def feed(
    request: Request, search_id: SearchId, store: Store, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    from alerts.feed import render_atom

    search = store.by_feed_token(search_id, token)
    if search is None:  # the same answer for a wrong token and a missing feed
        raise HTTPException(404, "no such feed (check the link, including its token)")
    body = render_atom(search, store.events(search_id), get_settings(request).public_url)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


# -- pages ------------------------------------------------------------------------------------


def _channels_from_text(text: str) -> list[ChannelSpec]:
    """One channel a line: ``kind target [secret]`` (e.g. ``wecom https://…?key=…``)."""
    channels = []
    for line in text.splitlines():
        parts = line.split()
        if parts:
            if len(parts) < 2:
                raise ValueError(f"a channel line is 'kind target [secret]', not {line.strip()!r}")
            channels.append(ChannelSpec.model_validate({"kind": parts[0], "target": parts[1],
                                                        "secret": parts[2] if len(parts) > 2 else None}))  # fmt: skip
    return channels


def _form_input(form: Any) -> SavedSearchIn:
    def text(name: str) -> str | None:
        value = str(form.get(name) or "").strip()
        return value or None

    number = text("carried_threshold")
    return SavedSearchIn(
        name=text("name") or "", query=text("query") or "", site=text("site"), source=text("source"),
        region=text("region"), procuratorate=text("procuratorate"), topic=text("topic"),
        only_critical=form.get("only_critical") == "on", only_relevant=form.get("only_relevant") == "on",
        batch_minutes=int(text("batch_minutes") or 0), window_start=text("window_start"),
        window_end=text("window_end"), carried_threshold=int(number) if number else None,
        channels=_channels_from_text(str(form.get("channels") or "")),
    )  # fmt: skip


def last_week(now: datetime) -> tuple[str, str]:
    """Monday and Sunday of the week before ``now``'s (China time): the briefing form's default."""
    today = now.astimezone(CHINA_TZ).date()
    monday = today - timedelta(days=today.weekday() + 7)
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat()


def _page(request: Request, store: AlertStore, user: User, now: datetime, error: str | None = None, status: int = 200,
          editing: SavedSearch | None = None) -> HTMLResponse:  # fmt: skip
    settings = get_settings(request)
    searches = [_out(s, store, user, settings) for s in store.searches()]
    # The search page's 保存为预警 link brings its query and filters to the form of a new search.
    prefill = {
        k: request.query_params.get(k) for k in ("q", "procuratorate", "region", "site", "source", "topic")
    }
    context = {
        "searches": searches,
        "error": error,
        "editing": editing,
        "week": last_week(now),
        "prefill": prefill,
    }
    return TEMPLATES.TemplateResponse(request, "saved.html", context, status_code=status)


@router.get("/saved", response_class=HTMLResponse, tags=["pages"])
def saved_page(
    request: Request, store: Store, user: Viewer, now: Now, edit: int | None = None
) -> HTMLResponse:
    return _page(request, store, user, now, editing=_get(store, edit) if edit is not None else None)


@router.post("/saved", response_class=HTMLResponse, tags=["pages"], dependencies=[Depends(verify_csrf)])
async def saved_form(request: Request, store: Store, user: Editor, now: Now) -> Response:
    form = await request.form()
    editing = int(str(form["id"])) if str(form.get("id") or "").isdigit() else None
    try:
        data = _form_input(form)
        if editing is None:
            store.add(_to_search(data, user.name))
        else:
            store.update(_to_search(data, user.name, base=_get(store, editing)))
    except (ValueError, DuplicateName) as error:  # ValidationError is a ValueError
        message = (
            "; ".join(e["msg"] for e in error.errors()) if isinstance(error, ValidationError) else str(error)
        )
        return _page(request, store, user, now, error=message, status=400)
    except HTTPException as error:
        return _page(request, store, user, now, error=str(error.detail), status=error.status_code)
    return RedirectResponse("/saved", status_code=303)


@router.post("/saved/{search_id}/{action}", tags=["pages"], dependencies=[Depends(verify_csrf)])
def saved_action(
    search_id: SearchId, action: Literal["pause", "resume", "delete"], store: Store, _: Editor
) -> Response:
    search = _get(store, search_id)
    if action == "delete":
        store.remove(search_id)
    else:
        store.update(search.model_copy(update={"paused": action == "pause"}))
    return RedirectResponse("/saved", status_code=303)
