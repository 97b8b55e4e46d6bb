"""A streamed XLSX writer for exports: the workbook's parts are written into a zip as the rows come
and the bytes handed on as they are compressed, so the first bytes leave before the last row is
read and nothing but the current batch sits in memory (an XLSX library keeps a file on disk and
sends it at the end, at about half the rows per second; bench/export.py).

The workbook is the smallest Excel, LibreOffice and openpyxl open: one worksheet of inline strings
(no shared-string table to hold), a bold header, and a second sheet stating the search.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, cast
from xml.sax.saxutils import escape

# XML 1.0 forbids these; crawled text can carry them (a damaged page), and one would make Excel
# refuse the whole file. \x1f (also forbidden) is _SEP, removed apart.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1e\ufffe\uffff]")
# A row's values are joined by _SEP and cleaned and escaped as one string, then _SEP becomes the
# markup between two cells: a few calls in C per row instead of a Python expression per cell (the
# writer's largest cost). The cells carry no reference (r="B2": optional, a cell follows the one
# before it); an empty value is an empty cell.
_SEP = "\x1f"
_CELL_CLOSE = "</t></is></c>"
_ROWS_PER_CHUNK = 500
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet {_NS}>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _workbook(sheets: Sequence[str]) -> str:
    listed = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS} xmlns:r="{_REL}">'
            f"<sheets>{listed}</sheets></workbook>")  # fmt: skip


class _Sink:
    """What the zip writes into: bytes collected until taken (the zip never seeks in it)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._size += len(data)
        return len(data)

    def tell(self) -> int:
        return self._size

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _row_xml(number: int, cells: Sequence[str], style: str = "") -> str:
    joined = _SEP.join(cells)
    if joined.count(_SEP) != len(cells) - 1:  # a value held _SEP itself
        joined = _SEP.join(value.replace(_SEP, "") for value in cells)
    cell_open = f'<c t="inlineStr"{style}><is><t xml:space="preserve">'
    inner = escape(_NOT_XML.sub("", joined)).replace(_SEP, _CELL_CLOSE + cell_open)
    cells_xml = (cell_open + inner + _CELL_CLOSE).replace(cell_open + _CELL_CLOSE, "<c/>")
    return f'<row r="{number}">{cells_xml}</row>'


def _sheet_start(widths: Sequence[int]) -> bytes:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1)
    )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>'
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" state="frozen"/></sheetView></sheetViews>'
            f"<cols>{cols}</cols><sheetData>").encode()  # fmt: skip


_SHEET_END = b"</sheetData></worksheet>"


def xlsx_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[int],
    about: Callable[[int], list[tuple[str, str]]],
    sheet_names: tuple[str, str] = ("检索结果", "检索条件"),
) -> Iterator[bytes]:
    """The workbook's bytes: ``rows`` under ``header`` on the first sheet, then the (label, value)
    lines ``about(row_count)`` returns on the second."""
    sink = _Sink()
    with zipfile.ZipFile(
        cast(IO[bytes], sink), "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5
    ) as archive:
        for name, text in _STATIC.items():
            archive.writestr(name, text)
        archive.writestr("xl/workbook.xml", _workbook(sheet_names))
        yield sink.take()
        count = 0
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_sheet_start(widths))
            chunk = [_row_xml(1, header, ' s="1"')]
            for count, row in enumerate(rows, start=1):
                chunk.append(_row_xml(count + 1, row))
                if count % _ROWS_PER_CHUNK == 0:
                    part.write("".join(chunk).encode())
                    chunk.clear()
                    yield sink.take()
            part.write("".join(chunk).encode() + _SHEET_END)
        with archive.open("xl/worksheets/sheet2.xml", "w") as part:
            part.write(_sheet_start([12, 60]))
            lines = "".join(_row_xml(n, line) for n, line in enumerate(about(count), start=1))
            part.write(lines.encode() + _SHEET_END)
    yield sink.take()
