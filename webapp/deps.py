"""FastAPI dependencies every router of the web app shares: the settings and the search backend.

The backend is opened on first use, not at start-up, so the app starts (and answers 503 with the
reason) while Elasticsearch is still down, and recovers once it is up. Tests and embedders pass
their own backend to ``create_app`` (or override ``get_backend``).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from fastapi import FastAPI, Request

from indexer import SearchBackend, open_index
from pipeline.settings import Settings


def attach_backend(app: FastAPI, settings: Settings, backend: SearchBackend | None) -> None:
    """Give the app its settings and (optionally) a backend that stays the caller's to close."""
    app.state.settings = settings
    app.state.backend = backend
    app.state.backend_owned = backend is None
    app.state.backend_lock = threading.Lock()


def close_backend(app: FastAPI) -> None:
    with app.state.backend_lock:
        if app.state.backend_owned and app.state.backend is not None:
            app.state.backend.close()
            app.state.backend = None


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_backend(request: Request) -> SearchBackend:
    """The search backend; raises ServiceUnavailable (→ 503) while it cannot be opened."""
    state = request.app.state
    with state.backend_lock:
        if state.backend is None:
            state.backend = open_index(state.settings)
        backend: SearchBackend = state.backend
        return backend


def get_now() -> datetime:
    """The current moment (a dependency, so tests can set the clock of 今天 and 近7天)."""
    return datetime.now(UTC)
