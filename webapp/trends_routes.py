"""The trends page (``/trends``), its JSON (``/api/trends``) and one CSV per chart
(``/api/trends/{chart}.csv``), for any query and filters of the search page."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from indexer import QueryError, SearchBackend, SearchQuery
from indexer.base import Interval
from indexer.params import SearchParams, describe_errors, parse_params
from webapp.auth import require_viewer
from webapp.coverage import MONITORING_QUERY
from webapp.deps import get_backend, get_now
from webapp.pages import TEMPLATES, VENDOR_DIR
from webapp.search_view import active_filters
from webapp.trends import Trends, build_trends

router = APIRouter(dependencies=[Depends(require_viewer)])
Backend = Annotated[SearchBackend, Depends(get_backend)]
Now = Annotated[datetime, Depends(get_now)]


class ChartOptions(BaseModel):
    """What the trends page adds to a search: the period of a bar, the Shanxi city to drill into,
    and the reported figure to sum."""

    interval: Interval = Field("month", description="day, week or month")
    city: str | None = Field(
        None, max_length=20, description="a Shanxi city: its counties instead of the cities"
    )
    metric: str | None = Field(
        None, max_length=50, description="words of a reported figure, e.g. 公益诉讼 立案"
    )
    unit: str | None = Field(None, max_length=10, description="only figures in this unit, e.g. 件")


def _query(params: SearchParams, now: datetime) -> SearchQuery:
    if not params.q.strip():
        params = params.model_copy(update={"q": MONITORING_QUERY})
    return params.to_query(now=now)


def _trends(backend: SearchBackend, params: SearchParams, options: ChartOptions, now: datetime) -> Trends:
    return build_trends(
        backend, _query(params, now), options.interval, options.city, options.metric, options.unit
    )


@router.get("/api/trends", response_model=Trends, tags=["trends"])
def trends_api(
    params: Annotated[SearchParams, Query()],
    options: Annotated[ChartOptions, Query()],
    backend: Backend,
    now: Now,
) -> Trends:
    """Every chart of the trends page as numbers (an empty ``q`` is the monitoring query 检察)."""
    return _trends(backend, params, options, now)


@router.get("/api/trends/{chart}.csv", tags=["trends"], response_class=Response)
def chart_csv(
    chart: str, params: Annotated[SearchParams, Query()], options: Annotated[ChartOptions, Query()],
    backend: Backend, now: Now,
) -> Response:  # fmt: skip
    """Exactly one chart's numbers as CSV (UTF-8 with BOM)."""
    found = next((c for c in _trends(backend, params, options, now).charts if c.id == chart), None)
    if found is None:
        raise HTTPException(404, f"no chart {chart[:40]!r} for these parameters")
    headers = {"Content-Disposition": f'attachment; filename="trend-{found.id}.csv"'}
    return Response(found.csv().encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/trends", response_class=HTMLResponse, tags=["pages"])
def trends_page(request: Request, backend: Backend, now: Now) -> HTMLResponse:
    raw = dict(request.query_params)
    context: dict[str, Any] = {"params": raw, "error": None, "trends": None, "charts_json": "null",
                               "have_library": (VENDOR_DIR / "echarts.min.js").exists()}  # fmt: skip
    status = 200
    try:
        params = parse_params(raw)
        options = ChartOptions.model_validate(
            {k: v for k, v in raw.items() if k in ChartOptions.model_fields and v}
        )
        trends = _trends(backend, params, options, now)
    except QueryError as exc:
        context["error"], status = f"检索式有误：{exc}", 400
    except ValidationError as exc:
        context["error"], status = f"参数有误：{describe_errors(exc.errors())}", 400
    else:
        # Links to the list, the exports and the CSVs state the query even when the box was empty.
        query_string = urlencode({**raw, "q": raw.get("q", "").strip() or MONITORING_QUERY})
        # The filters in force, each removable, as on the search page (a link from there keeps them).
        filters = [(heading, value, "/trends?" + url.split("?", 1)[1])
                   for heading, value, url in active_filters(raw, {})]  # fmt: skip
        context.update(trends=trends, options=options, query_string=query_string, filters=filters,
                       charts_json=json.dumps([c.model_dump() for c in trends.charts], ensure_ascii=False))  # fmt: skip
    return TEMPLATES.TemplateResponse(request, "trends.html", context, status_code=status)
