"""Exports of any result set with its filters: CSV (UTF-8 with BOM, so Excel reads Chinese) and
XLSX, one row per article, both streamed — rows are read in batches (SearchBackend.scan) and sent
as they are written, so 100 000 rows never sit in memory (bench/export.py measures it).
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from indexer import SearchBackend, SearchHit, SearchQuery
from indexer.params import SearchParams
from pipeline.china_time import CHINA_TZ, china_time
from webapp.auth import require_viewer
from webapp.deps import get_backend
from webapp.search_view import TONE_LABELS
from webapp.xlsx_stream import xlsx_chunks

log = logging.getLogger(__name__)

router = APIRouter(dependencies=[Depends(require_viewer)])

# The most rows one export writes (a spreadsheet beyond this is no longer read by a person; Excel
# itself stops at 1 048 576). The last row says when the result set was cut.
MAX_EXPORT_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["发布时间", "标题", "来源", "网站", "链接", "检察院", "地区", "主题", "倾向", "相关度", "报道组"]
_COLUMN_WIDTHS = [17, 50, 16, 16, 40, 30, 24, 24, 8, 8, 34]


def export_rows(
    backend: SearchBackend, query: SearchQuery, limit: int = MAX_EXPORT_ROWS
) -> Iterator[list[str]]:
    """Every matching article (newest first) as a row of text, read in batches (SearchBackend.scan);
    a last row says so when more than ``limit`` matched."""
    written = 0
    for hit in backend.scan(query, limit + 1):
        if written == limit:
            yield [f"（结果超过 {limit} 篇，只导出了最新的 {limit} 篇；请缩小检索范围）"]
            return
        yield row_of(hit)
        written += 1


def row_of(hit: SearchHit) -> list[str]:
    return [
        china_time(hit.published_at) or "",
        hit.title,
        hit.source or "",
        hit.site or "",
        hit.url,
        "、".join(hit.procuratorates),
        "、".join(hit.regions),
        "、".join(hit.topics),
        TONE_LABELS.get(hit.tone or "", hit.tone or ""),
        "" if hit.relevance is None else f"{hit.relevance:.2f}",
        hit.story_id,
    ]


def csv_chunks(rows: Iterator[list[str]], rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The CSV as UTF-8 bytes, BOM first, a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    first = True
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
        if count % rows_per_chunk == 0:
            yield (("\ufeff" if first else "") + buffer.getvalue()).encode("utf-8")
            first = False
            buffer.seek(0)
            buffer.truncate()
    yield (("\ufeff" if first else "") + buffer.getvalue()).encode("utf-8")


def _about(params: SearchParams) -> Callable[[int], list[tuple[str, str]]]:
    def lines(count: int) -> list[tuple[str, str]]:
        return [("检索条件", _describe(params)), ("导出时间", datetime.now(CHINA_TZ).strftime("%Y-%m-%d %H:%M")),
                ("篇数", str(count))]  # fmt: skip

    return lines


def _filename(params: SearchParams, ext: str) -> str:
    stamp = datetime.now(CHINA_TZ).strftime("%Y%m%d-%H%M")
    return f"检索结果-{params.q[:20] or '全部'}-{stamp}.{ext}"


def _disposition(name: str) -> str:
    return f"attachment; filename=\"export.{name.rsplit('.', 1)[1]}\"; filename*=UTF-8''{quote(name)}"


@router.get(
    "/api/export.{fmt}",
    tags=["export"],
    response_model=None,
    responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}, "description": "the rows as a file"}},
)
def export(
    fmt: Literal["csv", "xlsx"],
    params: Annotated[SearchParams, Query()],
    backend: Annotated[SearchBackend, Depends(get_backend)],
    limit: Annotated[
        int, Query(ge=1, le=MAX_EXPORT_ROWS, description="at most this many rows")
    ] = MAX_EXPORT_ROWS,
) -> StreamingResponse:
    """Every article the search matches (newest first, one row each, not collapsed into stories)
    as CSV (UTF-8 with BOM) or XLSX; at most ``limit`` rows. 400 for bad parameters."""
    query = params.to_query()  # validated before the first byte is sent
    name = _filename(params, fmt)
    if fmt == "csv":
        return StreamingResponse(
            csv_chunks(export_rows(backend, query, limit)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": _disposition(name)},
        )
    return StreamingResponse(
        xlsx_chunks(HEADER, export_rows(backend, query, limit), _COLUMN_WIDTHS, _about(params)),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": _disposition(name)},
    )


def _describe(params: SearchParams) -> str:
    return "；".join(f"{k}={v}" for k, v in params.as_params().items() if k not in ("page", "size"))
