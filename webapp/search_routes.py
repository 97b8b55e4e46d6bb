"""The search routes: the search page (``/search``) and the same search as JSON (``/api/search``),
both reading their parameters through indexer/params.py's model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from indexer import QueryError, SearchBackend
from indexer.base import SearchPage
from indexer.outlets import canonical_page
from indexer.params import SearchParams, parse_params
from webapp.auth import require_viewer
from webapp.deps import get_backend, get_now
from webapp.pages import TEMPLATES, UNAVAILABLE
from webapp.search_view import KEPT_PARAMS, page_context

router = APIRouter(dependencies=[Depends(require_viewer)])


class SearchResponse(SearchPage):
    """One page of results with the query that produced it."""

    query: str
    page: int
    size: int


@router.get("/api/search", response_model=SearchResponse, tags=["search"])
def search_api(
    params: Annotated[SearchParams, Query()],
    backend: Annotated[SearchBackend, Depends(get_backend)],
    now: Annotated[datetime, Depends(get_now)],
) -> SearchResponse:
    """Search: one hit per story (``stories=0``: per article), with facets and a histogram on
    request; 400 for bad parameters, 503 while the index is down."""
    query = params.to_query(now=now)
    page = canonical_page(backend.search(query))
    return SearchResponse(query=query.text, page=query.page, size=query.size, **page.model_dump())


@router.get("/search", response_class=HTMLResponse, tags=["pages"])
def search_page(
    request: Request,
    backend: Annotated[SearchBackend, Depends(get_backend)],
    now: Annotated[datetime, Depends(get_now)],
) -> HTMLResponse:
    """The search page: the query box, and with ``q`` the hits (one per story), the facet
    sidebar, the date histogram and the pages."""
    params = request.query_params
    context: dict[str, Any] = {
        "params": params,
        "hidden": [(k, params[k]) for k in KEPT_PARAMS if params.get(k)],
        "hits": [],
        "total": None,
        "error": None,
    }
    status = 200
    if "q" in params:
        try:
            parsed = parse_params(params)
            chosen = parsed.histogram
            if chosen is None:  # days, summed into weeks or months if the span is long
                parsed = parsed.model_copy(update={"histogram": "day"})
            query = parsed.to_query(facets=True, now=now)
            page = canonical_page(backend.search(query))
        except QueryError as exc:
            context["error"], status = f"检索式有误：{exc}", 400
        except UNAVAILABLE as exc:
            context["error"], status = f"检索服务暂不可用：{exc}", 503
        else:
            context.update(page_context(params, query, page, chosen))
    return TEMPLATES.TemplateResponse(request, "search.html", context, status_code=status)
