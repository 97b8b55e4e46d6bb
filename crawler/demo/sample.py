"""The saved 2021-08-13 山西日报 story, for the demo sites: as the 临汾 portal republished it
(traditional characters, pinyin and mojibake damage kept) and as the 山西日报 original (simplified, clean).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

SAMPLE_FILE = Path(__file__).parent / "pages" / "linfen-news-2021-08-13-procuratorate.txt"
PUBLISHED = "2021-08-13 09:36:16"

# The mojibake runs of the republished page and what the original said (checked by reading the context).
_MOJIBAKE_REPAIRS = {
    "?!苯\ue3d3?": "。”近日",  # includes a private-use character
    "當?shù)孛裾?、": "當地民政、",
    "?!?月9日": "。”7月9日",
}
# A bracketed pinyin syllable with a tone mark, as left behind by a broken traditional conversion.
_PINYIN = re.compile(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*\)")


@dataclass(frozen=True)
class SamplePage:
    column: str  # without the 【】
    title: str
    subtitle: str  # with the leading ——
    dateline: str
    paragraphs: tuple[str, ...]
    byline: str
    editor_line: str
    copyright: str


@cache
def republished() -> SamplePage:
    """The story exactly as the 临汾 portal shows it: traditional script, damage and all."""
    lines = [line.strip() for line in SAMPLE_FILE.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    match = re.fullmatch(r"【(.+?)】(.+)", lines[0])
    if match is None:
        raise ValueError(f"{SAMPLE_FILE}: first line is not a 【column】title")
    byline_at = next(i for i, line in enumerate(lines) if line.startswith("記者"))
    return SamplePage(
        column=match.group(1),
        title=match.group(2),
        subtitle=lines[1],
        dateline=lines[2],
        paragraphs=tuple(lines[3:byline_at]),
        byline=lines[byline_at],
        editor_line=lines[byline_at + 1],
        copyright=lines[byline_at + 2],
    )


def _clean(text: str) -> str:
    for damaged, original in _MOJIBAKE_REPAIRS.items():
        text = text.replace(damaged, original)
    text = _PINYIN.sub("", text)
    import opencc  # imported late: only page building needs it

    return str(opencc.OpenCC("t2s").convert(text))


@cache
def original() -> SamplePage:
    """The 山西日报 original: simplified characters, no conversion damage."""
    page = republished()
    return replace(
        page,
        column=_clean(page.column),
        title=_clean(page.title),
        subtitle=_clean(page.subtitle),
        dateline=f"{PUBLISHED} 来源:山西日报",
        paragraphs=tuple(_clean(p) for p in page.paragraphs),
        byline=_clean(page.byline),
        editor_line=_clean(page.editor_line),
        copyright="",
    )
