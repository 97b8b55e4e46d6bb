"""The story view: every copy of one story as the index holds it — outlet, title, link, 来源,
published and fetched times — with the original chosen by pipeline/stories.py's rule, as a page
(``/stories/{story_id}``) and as JSON (``/api/stories/{story_id}``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from indexer import SearchBackend
from indexer.base import MAX_STORY_COPIES, StoryCopy
from indexer.outlets import canonical_outlets
from pipeline.china_time import CHINA_TZ
from pipeline.model import Article
from pipeline.stories import outlet_of
from webapp.article_view import (
    Script,
    figure_rows,
    has_traditional,
    metadata,
    paragraphs,
    title_in,
    topic_rows,
)
from webapp.auth import require_viewer
from webapp.deps import get_backend
from webapp.pages import TEMPLATES
from webapp.params import safe_href
from webapp.search_view import original_of

# Story ids are article ids (32 hex digits) or story names; a longer one is a damaged link, not
# worth a request to the engine (Lucene rejects terms over 32766 bytes).
MAX_STORY_ID_CHARS = 256


class CopyView(BaseModel):
    """One copy of the story; times in China Standard Time."""

    article_id: str
    outlet: str
    title: str
    url: str
    source: str | None
    published_at: datetime | None
    fetched_at: datetime | None
    original: bool


class StoryView(BaseModel):
    """A story: ``copies`` counts the copies listed (``truncated``: the index holds more, and only
    the oldest are listed); first and last seen are the earliest and latest copy, by publication
    time, else fetch time."""

    story_id: str
    copies: int
    truncated: bool
    outlets: list[str]
    original: CopyView
    first_seen: datetime | None
    last_seen: datetime | None
    copy_list: list[CopyView]


def _china(moment: datetime | None) -> datetime | None:
    return moment.astimezone(CHINA_TZ) if moment else None


def build_story(story_id: str, copies: list[StoryCopy], limit: int = MAX_STORY_COPIES) -> StoryView | None:
    """The story of the copies the index returned (oldest first, up to ``limit + 1`` of them, the
    extra one only telling that there are more); None without copies."""
    listed = copies[:limit]
    if not listed:
        return None
    original = original_of(listed)
    rows = [
        CopyView(
            article_id=c.article_id,
            outlet=outlet_of(c.site, c.url),
            title=c.title,
            url=c.url,
            source=c.source,
            published_at=_china(c.published_at),
            fetched_at=_china(c.fetched_at),
            original=c.article_id == original.article_id,
        )
        for c in listed
    ]
    seen = [t for t in (r.published_at or r.fetched_at for r in rows) if t is not None]
    return StoryView(
        story_id=story_id,
        copies=len(rows),
        truncated=len(copies) > limit,
        outlets=canonical_outlets(r.outlet for r in rows),
        original=next(r for r in rows if r.original),
        first_seen=min(seen, default=None),
        last_seen=max(seen, default=None),
        copy_list=rows,
    )


def load_story(backend: SearchBackend, story_id: str, limit: int = MAX_STORY_COPIES) -> StoryView | None:
    """The story from the index, None when it holds no copy of it. Raises the UNAVAILABLE errors."""
    if not story_id.strip() or len(story_id) > MAX_STORY_ID_CHARS:
        return None
    return build_story(story_id, backend.story_copies(story_id, limit + 1), limit)


def not_found_message(story_id: str) -> str:
    return (
        f"no story {story_id[:80]!r} in the index: the link may be damaged, "
        "or the story's articles are not indexed (yet)"
    )


router = APIRouter(dependencies=[Depends(require_viewer)])
Backend = Annotated[SearchBackend, Depends(get_backend)]


@router.get(
    "/api/stories/{story_id}",
    response_model=StoryView,
    responses={404: {"description": "no such story in the index"}},
    tags=["stories"],
)
def story_api(story_id: str, backend: Backend) -> StoryView | JSONResponse:
    """The story: its copies, the original marked, first and last seen; 404 for an unknown
    story, 503 if the index is down."""
    view = load_story(backend, story_id)
    if view is None:
        return JSONResponse({"detail": not_found_message(story_id)}, status_code=404)
    return view


@router.get("/api/articles/{article_id}", response_model=Article, responses={404: {"description": "no such article"}},
            tags=["stories"])  # fmt: skip
def article_api(article_id: str, backend: Backend) -> Article | JSONResponse:
    """One article as the pipeline enriched it: text, metadata, entities, topics, figures."""
    found = backend.get(article_id) if 0 < len(article_id) <= MAX_STORY_ID_CHARS else None
    if found is None:
        return JSONResponse({"detail": f"no article {article_id[:80]!r} in the index"}, status_code=404)
    return found


def _page(request: Request, story: StoryView | None, article: Article | None, script: Script, story_id: str,
          status: int = 200, error: str | None = None) -> HTMLResponse:  # fmt: skip
    context: dict[str, Any] = {"story": story, "story_id": story_id, "error": error, "article": article,
                               "script": script}  # fmt: skip
    if article is not None:
        context.update(
            title=title_in(article, script),
            paragraphs=paragraphs(article, script),
            facts=metadata(article),
            topics=topic_rows(article),
            figures=figure_rows(article),
            two_scripts=has_traditional(article),
            original_href=safe_href(article.url),
        )
    return TEMPLATES.TemplateResponse(request, "story.html", context, status_code=status)


ScriptParam = Annotated[Script, Query(description="original: as published; simplified: converted")]


@router.get("/stories/{story_id}", response_class=HTMLResponse, tags=["pages"])
def story_page(
    request: Request, story_id: str, backend: Backend, script: ScriptParam = "original"
) -> HTMLResponse:
    """The story: its original article (text, entities, topics, figures) and every copy."""
    story = load_story(backend, story_id)
    if story is None:
        return _page(
            request,
            None,
            None,
            script,
            story_id,
            404,
            "找不到这组报道：链接可能有误，或其文章尚未收录进索引。",
        )
    return _page(request, story, backend.get(story.original.article_id), script, story_id)


@router.get("/articles/{article_id}", response_class=HTMLResponse, tags=["pages"])
def article_page(
    request: Request, article_id: str, backend: Backend, script: ScriptParam = "original"
) -> HTMLResponse:
    """One copy of a story with the list of all copies."""
    article = backend.get(article_id) if 0 < len(article_id) <= MAX_STORY_ID_CHARS else None
    if article is None:
        return _page(
            request, None, None, script, article_id, 404, "找不到这篇报道：链接可能有误，或尚未收录进索引。"
        )
    story_id = article.story_id or article.article_id
    return _page(request, load_story(backend, story_id), article, script, story_id)
