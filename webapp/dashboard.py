"""The 首页 (``/``) and its JSON (``/api/dashboard``): what is new for a press officer — coverage
today, in 7 and in 30 days against the period before, the newest stories with critical ones first,
the week's top procuratorates, outlets and topics, and which Shanxi units were covered or silent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from indexer import SearchBackend, SearchHit
from indexer.base import FacetBucket
from pipeline.china_time import china_today
from webapp.auth import require_viewer
from webapp.coverage import (
    PeriodCount,
    Unit,
    monitoring_query,
    period_count,
    shanxi_coverage,
    top_values,
    within,
)
from webapp.deps import get_backend, get_now
from webapp.pages import TEMPLATES
from webapp.search_view import display_hit

router = APIRouter(dependencies=[Depends(require_viewer)])

Period = Literal["today", "7d", "30d"]
PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30}
PERIOD_LABELS = {"today": "今天", "7d": "近7天", "30d": "近30天"}
NEWEST_STORIES = 15
CRITICAL_FIRST = 5  # critical stories of the last 7 days listed before the newest


class Dashboard(BaseModel):
    today: date
    periods: list[PeriodCount]
    critical: list[SearchHit]  # critical-tone stories of the last 7 days, newest first
    newest: list[SearchHit]  # the newest stories, without those already in ``critical``
    top_procuratorates: list[FacetBucket]
    top_outlets: list[FacetBucket]
    top_topics: list[FacetBucket]
    shanxi_period: Period
    shanxi: list[Unit]


def build_dashboard(
    backend: SearchBackend, shanxi_period: Period = "30d", now: datetime | None = None
) -> Dashboard:
    today = china_today(now)
    base = monitoring_query()
    periods = [
        period_count(backend, base, PERIOD_LABELS[p], today - timedelta(days=PERIOD_DAYS[p] - 1), today)
        for p in ("today", "7d", "30d")
    ]
    week = within(base, today - timedelta(days=6), today)
    critical = backend.search(replace(week, tone="critical", sort="date", size=CRITICAL_FIRST)).hits
    seen = {hit.story_id for hit in critical}
    newest = backend.search(replace(base, sort="date", size=NEWEST_STORIES + len(seen))).hits
    tops = top_values(backend, week)
    span = within(base, today - timedelta(days=PERIOD_DAYS[shanxi_period] - 1), today)
    return Dashboard(
        today=today,
        periods=periods,
        critical=critical,
        newest=[h for h in newest if h.story_id not in seen][:NEWEST_STORIES],
        top_procuratorates=tops.get("procuratorate", []),
        top_outlets=tops.get("source", []),
        top_topics=tops.get("topic", []),
        shanxi_period=shanxi_period,
        shanxi=shanxi_coverage(backend, span),
    )


Backend = Annotated[SearchBackend, Depends(get_backend)]
Now = Annotated[datetime, Depends(get_now)]


@router.get("/api/dashboard", response_model=Dashboard, tags=["dashboard"])
def dashboard_api(
    backend: Backend,
    now: Now,
    shanxi: Annotated[Period, Query(description="period of the Shanxi table")] = "30d",
) -> Dashboard:
    """Everything the 首页 shows."""
    return build_dashboard(backend, shanxi, now)


@router.get("/", response_class=HTMLResponse, tags=["pages"])
def dashboard_page(
    request: Request, backend: Backend, now: Now, shanxi: Annotated[Period, Query()] = "30d"
) -> Response:
    if "q" in request.query_params:  # a link to the search page from before the dashboard
        return RedirectResponse("/search?" + str(request.query_params), status_code=307)
    board = build_dashboard(backend, shanxi, now)
    first = board.today - timedelta(days=PERIOD_DAYS[shanxi] - 1)
    context = {
        "board": board,
        "critical": [display_hit(h) for h in board.critical],
        "newest": [display_hit(h) for h in board.newest],
        "period_labels": PERIOD_LABELS,
        "week_from": (board.today - timedelta(days=6)).isoformat(),
        "span_from": first.isoformat(),
        "today": board.today.isoformat(),
        "covered_counties": sum(1 for c in board.shanxi for u in c.counties if not u.silent),
        "all_counties": sum(len(c.counties) for c in board.shanxi),
    }
    return TEMPLATES.TemplateResponse(request, "dashboard.html", context)
