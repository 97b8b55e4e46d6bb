"""The operators' routes of the web app: ``/health`` (alive), ``/ready`` (the bus and the index
answer), ``/metrics`` (Prometheus) and the admin page ``/admin`` with ``/api/admin/status`` — the
same report as ``jiancha status``, site health flags included."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pipeline import metrics
from pipeline.ops.checks import readiness
from pipeline.ops.status import gather
from pipeline.settings import Settings
from webapp.pages import TEMPLATES
from webapp.params import china_time

# The status report keeps Unix seconds (as the crawl records do); the page shows China time.
TEMPLATES.env.filters["china_time_ts"] = lambda ts: china_time(datetime.fromtimestamp(ts, UTC))
TEMPLATES.env.filters["china_time_iso"] = lambda text: china_time(datetime.fromisoformat(text))


def admin_router(settings: Settings, guard: Sequence[Callable[..., Any]] = ()) -> APIRouter:
    """The routes; ``guard`` are dependencies every admin route requires (the admin role)."""
    router = APIRouter()
    admin = [Depends(dependency) for dependency in guard]

    @router.get("/health")
    def health() -> dict[str, str]:
        """The process answers (liveness; the dependencies are /ready's business)."""
        return {"status": "ok"}

    @router.get("/ready")
    def ready() -> JSONResponse:
        """200 when the bus and the index answer, else 503 naming the one that does not."""
        checks = readiness(settings)
        ok = all(check.ok for check in checks)
        body = {"status": "ready" if ok else "not ready", "checks": [asdict(check) for check in checks]}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics")
    def prometheus() -> Response:
        return Response(generate_latest(metrics.REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @router.get("/api/admin/status", dependencies=admin)
    def status_api() -> dict[str, Any]:
        return gather(settings)

    @router.get("/admin", response_class=HTMLResponse, dependencies=admin)
    def status_page(request: Request) -> HTMLResponse:
        report = gather(settings)
        return TEMPLATES.TemplateResponse(request, "admin.html", {"report": report})

    return router
