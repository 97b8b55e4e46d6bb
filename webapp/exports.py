"""Exports of any result set with its filters: CSV (UTF-8 with BOM, so Excel reads Chinese) and
XLSX, one row per article, streamed — rows are read page by page with the search cursor and
written as they come, so 100 000 rows never sit in memory (bench/export.py measures it).

CSV is streamed to the client as it is written. XLSX is a zip whose directory comes last, so
xlsxwriter builds it in a temporary file (``constant_memory``: each row is flushed to disk as
written) that is then streamed and deleted.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

import xlsxwriter
from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from indexer import SearchBackend, SearchHit, SearchQuery
from indexer.base import MAX_PAGE_SIZE
from indexer.params import SearchParams
from pipeline.china_time import CHINA_TZ, china_time
from webapp.auth import require_viewer
from webapp.deps import get_backend
from webapp.search_view import TONE_LABELS

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
    """Every matching article (newest first) as a row of text, read a page at a time."""
    page_query = replace(query, sort="date", size=MAX_PAGE_SIZE, page=1, collapse_stories=False,
                         all_copies=False, facets=False, histogram=None, cursor=None)  # fmt: skip
    written = 0
    while True:
        page = backend.search(page_query)
        taken = page.hits[: limit - written]
        for hit in taken:
            yield row_of(hit)
        written += len(taken)
        more = page.next_cursor is not None and bool(page.hits)
        if written >= limit:
            if len(page.hits) > len(taken) or (
                more and backend.search(replace(page_query, cursor=page.next_cursor, size=1)).hits
            ):
                yield [f"（结果超过 {limit} 篇，只导出了最新的 {limit} 篇；请缩小检索范围）"]
            return
        if not more:
            return
        page_query = replace(page_query, cursor=page.next_cursor)


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


def write_xlsx(rows: Iterator[list[str]], path: str, filters: str) -> int:
    """The rows as one worksheet in ``path``, each flushed to disk as written; returns the count."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_urls": False})
    try:
        sheet = workbook.add_worksheet("检索结果")
        bold = workbook.add_format({"bold": True})
        for column, width in enumerate(_COLUMN_WIDTHS):
            sheet.set_column(column, column, width)
        sheet.write_row(0, 0, HEADER, bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            sheet.write_row(count, 0, row)
        info = workbook.add_worksheet("检索条件")
        info.write_row(0, 0, ["检索条件", filters])
        info.write_row(1, 0, ["导出时间", datetime.now(CHINA_TZ).strftime("%Y-%m-%d %H:%M")])
        info.write_row(2, 0, ["篇数", str(count)])
    finally:
        workbook.close()
    return count


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
) -> StreamingResponse | FileResponse:
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
    handle, path = tempfile.mkstemp(prefix="jiancha-export-", suffix=".xlsx")
    os.close(handle)
    try:
        count = write_xlsx(export_rows(backend, query, limit), path, _describe(params))
    except BaseException:
        os.unlink(path)
        raise
    log.info("exported %d rows as XLSX for %r", count, params.q[:50])
    return FileResponse(
        path,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": _disposition(name)},
        background=BackgroundTask(os.unlink, path),
    )


def _describe(params: SearchParams) -> str:
    return "；".join(f"{k}={v}" for k, v in params.as_params().items() if k not in ("page", "size"))
