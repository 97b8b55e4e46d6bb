"""What a boilerplate line is: a line of an article's text that belongs to the outlet or the page, not the story.

One definition for every step that sets such lines aside: the crawler drops page furniture from the
text it extracts (``crawler.extract.patterns``), the entity step ignores the institutions and places
named in credit and copyright lines, the figures step the counters (浏览次数：253次), and the reprint
signature leaves bylines, editors and copyright notices out, since copies of one story differ in them.
Both scripts are recognised (the crawler reads pages as published; processors read simplified text).
"""

from __future__ import annotations

import re

# Page furniture, anywhere in a line: copyright notices, counters, share and print widgets, pagers.
PAGE_FURNITURE = re.compile(
    r"版权声明|版權聲明|版权所有|版權所有|浏览次数|瀏覽次數|阅读次数|閱讀次數|点击数|點擊數|"
    r"字号[:：]|字號[:：]|【字号|【字號|分享到|打印本页|打印本頁|关闭窗口|關閉窗口|扫一扫|掃一掃|"
    r"未经.{0,6}授权|未經.{0,6}授權|上一篇|下一篇|免责声明|免責聲明|凡本网注明|凡本網註明|"
    r"转载目的在于传递更多信息|轉載目的在於傳遞更多信息"
)
# A credit or notice at the start of a line: byline, photographer, editor, proof-reader, 来源, copyright.
_CREDIT = re.compile(
    r"^[(（【\[]?\s*(?:本报记者|本報記者|记者|記者|通讯员|通訊員|作者|撰稿|摄影|攝影|文/|图/|圖/|"
    r"责任编辑|責任編輯|编辑|編輯|责编|責編|审核|審核|校对|校對|来源|來源|稿源|出处|出處|声明|聲明)"
)
# Prose that starts with a credit word (记者10月8日从…了解到，) is story text: credits carry no sentence.
_SENTENCE = re.compile(r"[，。！？；,!?;]")
# Words of the outlet's rights anywhere in a short line: 本网版权归…, 如需转载请注明出处.
_RIGHTS = re.compile(r"版权|版權|转载|轉載|免责|免責")
# A paragraph longer than this is text that happens to mention 来源 or 转载, not a notice.
MAX_CHARS = 120


def is_boilerplate_line(line: str) -> bool:
    """A line (a paragraph of the text) that belongs to the outlet or the page, not the story."""
    line = line.strip()
    if not line or len(line) > MAX_CHARS:
        return False
    credit = _CREDIT.match(line) is not None and _SENTENCE.search(line) is None
    return bool(credit or _RIGHTS.search(line) or PAGE_FURNITURE.search(line))


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) character offsets of the boilerplate lines of ``text``."""
    spans, position = [], 0
    for line in text.splitlines(keepends=True):
        if is_boilerplate_line(line):
            spans.append((position, position + len(line)))
        position += len(line)
    return spans


def story_lines(text: str) -> list[str]:
    """The lines of ``text`` that are not boilerplate (empty lines left out)."""
    return [line for line in text.split("\n") if line.strip() and not is_boilerplate_line(line)]
