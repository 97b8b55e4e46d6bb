"""The weekly briefing as a Word document (python-docx): headings, tables and the trend chart."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.shared import Cm, Pt

from alerts.briefing import Briefing
from alerts.chart import trend_png

CJK_FONT = "SimSun"  # what Word shows Chinese text in when the reader has it (宋体)


def _table(document: Any, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)


def write_docx(briefing: Briefing, path: Path) -> None:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = CJK_FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", CJK_FONT
    )
    document.add_heading("舆情周报", level=0)
    document.add_paragraph(f"统计周期：{briefing.period_label}　检索：{briefing.query}")

    document.add_heading("一、总体情况", level=1)
    _table(document, ["指标", "本期", "上期", "变化"], [
        ["报道篇数", briefing.articles, briefing.previous_articles, Briefing.change(briefing.articles, briefing.previous_articles)],
        ["报道事件（去重）", briefing.stories, briefing.previous_stories, Briefing.change(briefing.stories, briefing.previous_stories)],
    ])  # fmt: skip
    if briefing.trend:
        document.add_paragraph()
        document.add_picture(io.BytesIO(trend_png(briefing.trend)), width=Cm(16))

    document.add_heading("二、重点报道（按转载量）", level=1)
    _table(document, ["序号", "标题", "首发媒体", "转载数", "发布日期"], [
        [i, s.title, s.original_outlet or "—", s.copies - 1, f"{s.published_at:%m-%d}" if s.published_at else "—"]
        for i, s in enumerate(briefing.top_stories, 1)
    ])  # fmt: skip

    document.add_heading("三、负面舆情", level=1)
    if not briefing.critical:
        document.add_paragraph("本期未发现负面报道。")
    for story in briefing.critical:
        paragraph = document.add_paragraph(style="List Number")
        paragraph.add_run(story.title).bold = True
        paragraph.add_run(f"（{story.original_outlet or '—'}，转载 {story.copies - 1}）")
        if story.lead:
            document.add_paragraph(story.lead)

    document.add_heading("四、议题分布", level=1)
    _table(document, ["议题", "篇数"], [[b.label or b.value, b.count] for b in briefing.topics])
    document.add_heading("五、检察院分布", level=1)
    _table(document, ["检察院", "篇数"], [[b.value, b.count] for b in briefing.procuratorates])

    document.add_heading("六、报道中的数据", level=1)
    if not briefing.figures:
        document.add_paragraph("本期报道未提取到数据。")
    for figure in briefing.figures:
        document.add_paragraph(f"{figure.text}（{figure.title}）", style="List Bullet")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
