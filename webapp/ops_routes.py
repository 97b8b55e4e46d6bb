"""What an admin does from the browser beside the accounts: read the dead letters and replay them
to their stage (pipeline/ops/dlq.py, as ``jiancha dlq``), and rebuild the index from its stored
documents (``SearchBackend.reindex``, as ``jiancha index reindex``; no downtime on either
backend). Forms post the session's CSRF token; scripts call the same with an admin's API token.

A rebuild runs on a thread of its own (it can take minutes) and one at a time; the page says
whether one is running and how the last one ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from indexer import SearchBackend
from pipeline.bus import open_bus
from pipeline.ops import dlq
from pipeline.settings import Settings
from pipeline.topics import all_topics
from webapp.auth import verify_csrf
from webapp.deps import get_backend
from webapp.pages import TEMPLATES

log = logging.getLogger(__name__)

MAX_LETTERS_SHOWN = 200  # the newest; `jiancha dlq list` lists them all


@dataclass
class Rebuild:
    """The index rebuild of this app: at most one at a time."""

    running: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, backend: SearchBackend) -> bool:
        """Start a rebuild unless one is running; whether it started."""
        with self._lock:
            if self.running:
                return False
            self.running, self.started_at, self.finished_at = True, time.time(), None
            self.result = self.error = None
        threading.Thread(target=self._run, args=(backend,), name="reindex", daemon=True).start()
        return True

    def _run(self, backend: SearchBackend) -> None:
        try:
            result, error = backend.reindex(), None
        except Exception as exc:  # shown to the admin and logged in full, never swallowed
            log.exception("reindex from the admin page failed")
            result, error = None, f"{type(exc).__name__}: {exc}"
        with self._lock:
            self.running, self.finished_at, self.result, self.error = False, time.time(), result, error

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"running": self.running, "started_at": self.started_at, "finished_at": self.finished_at,
                    "result": self.result, "error": self.error}  # fmt: skip


def ops_router(settings: Settings, guard: Sequence[Callable[..., Any]] = ()) -> APIRouter:
    """The routes; ``guard`` are dependencies every route requires (the admin role)."""
    # Forms check their CSRF token first (a forged post is refused, not sent to the login form).
    router = APIRouter()
    admin = [Depends(dependency) for dependency in guard]
    form = [Depends(verify_csrf), *admin]
    rebuild = Rebuild()

    def read_letters() -> tuple[list[dlq.DeadLetter], set[str]]:
        bus = open_bus(settings)
        try:
            bus.ensure_topics(all_topics(settings.topic_prefix))
            return list(dlq.letters(bus, settings.topic_prefix)), dlq.replayed_ids(bus, settings.topic_prefix)
        finally:
            bus.close()

    @router.get("/api/admin/dead-letters", tags=["admin"], dependencies=admin)
    def dead_letters_api() -> dict[str, Any]:
        """Every dead letter (newest last) with whether it was replayed."""
        letters, replayed = read_letters()
        return {"total": len(letters),
                "letters": [{**letter.summary(), "replayed": letter.id in replayed} for letter in letters]}  # fmt: skip

    @router.post("/api/admin/dead-letters/replay", tags=["admin"], dependencies=form)
    def replay(
        ids: Annotated[list[str] | None, Form(description="the letters (partition:offset), repeated")] = None,
        every: Annotated[bool, Form(alias="all", description="every letter not replayed yet")] = False,
    ) -> dict[str, int]:
        """Send the letters ``ids`` (or, with ``all``, every letter not replayed yet) back to their
        stage's input. A letter replayed before is not sent again."""
        chosen = set(ids or [])
        if not chosen and not every:
            raise HTTPException(
                400, "name the letters to replay (ids=partition:offset, repeated) or send all=1"
            )
        bus = open_bus(settings)
        try:
            bus.ensure_topics(all_topics(settings.topic_prefix))
            letters = [lt for lt in dlq.letters(bus, settings.topic_prefix) if not chosen or lt.id in chosen]
            result = dlq.replay(bus, settings.topic_prefix, letters)
        finally:
            bus.close()
        return dict(result.__dict__)

    @router.get("/admin/ops", response_class=HTMLResponse, tags=["pages"], dependencies=admin)
    def dead_letters_page(request: Request) -> HTMLResponse:
        letters, replayed = read_letters()
        shown = list(reversed(letters))[:MAX_LETTERS_SHOWN]
        context = {"letters": shown, "total": len(letters), "replayed": replayed,
                   "pending": sum(1 for lt in letters if lt.id not in replayed),
                   "done": request.query_params.get("done"), "rebuild": rebuild.state()}  # fmt: skip
        return TEMPLATES.TemplateResponse(request, "ops.html", context)

    @router.post("/admin/dead-letters/replay", tags=["pages"], dependencies=form)
    def replay_from_page(
        ids: Annotated[list[str] | None, Form()] = None, every: Annotated[bool, Form(alias="all")] = False
    ) -> RedirectResponse:
        result = replay(ids, every)
        return RedirectResponse(
            f"/admin/ops?done=replayed-{result['replayed']}-{result['already_replayed']}"
            f"-{result['not_replayable']}",
            status_code=303,
        )

    @router.get("/api/admin/reindex", tags=["admin"], dependencies=admin)
    def reindex_state() -> dict[str, Any]:
        """Whether a rebuild runs, and how the last one ended (its counts, or its error)."""
        return rebuild.state()

    @router.post("/api/admin/reindex", tags=["admin"], dependencies=form)
    def reindex(
        backend: Annotated[SearchBackend, Depends(get_backend)],
        confirm: Annotated[Literal["reindex"], Form(description="the word reindex: it rebuilds everything")],
    ) -> dict[str, Any]:
        """Start rebuilding the index from its stored documents (searches keep answering meanwhile)."""
        return {"started": rebuild.start(backend), **rebuild.state()}

    @router.post("/admin/reindex", tags=["pages"], dependencies=form)
    def reindex_from_page(
        backend: Annotated[SearchBackend, Depends(get_backend)],
        confirm: Annotated[Literal["reindex"], Form()],
    ) -> RedirectResponse:
        started = rebuild.start(backend)
        return RedirectResponse(f"/admin/ops?done={'reindex' if started else 'reindex-busy'}", 303)

    return router
