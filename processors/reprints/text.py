"""Reprint detection, first part: the text a story signature is made of, and the facts it reports.

A copy differs from its original by script, punctuation, whitespace, byline, editor and copyright
lines: all of that is removed here, so only the reported content is compared. The facts (figures,
place names, people named with their role) tell apart look-alike stories written from one template —
the same meeting held in two cities reads the same except for exactly these.
"""

from __future__ import annotations

import re

from pipeline.names import SURNAMES

# Lines that belong to the outlet, not the story: byline, editor, 来源, copyright, counters, share
# widgets. Written for simplified text (the step reads ``body_simplified``).
_FURNITURE = re.compile(
    r"^[(（【\[]?\s*(?:本报记者|记者|通讯员|作者|撰稿|摄影|文/|图/|责任编辑|编辑|责编|审核|校对|来源|稿源|出处)"
    r"|版权|未经.{0,8}授权|转载|浏览次数|阅读次数|点击数|分享到|扫一扫|打印本页|关闭窗口|上一篇|下一篇"
)
# A dateline and byline before the first sentence: 本报讯（记者 张三 通讯员 李四）, 新华社太原8月13日电.
_BYLINE_PREFIX = re.compile(
    r"^(?:本报讯|本网讯|讯|[\u4e00-\u9fff]{2,6}社[\u4e00-\u9fff0-9]{0,10}电)?\s*"
    r"(?:[(（](?:本报|本网)?(?:记者|通讯员|作者)[^)）]{0,40}[)）])?"
)
_FURNITURE_MAX_CHARS = 120  # a paragraph longer than this is text that happens to mention 来源
_KEEP = re.compile(r"[\u3400-\u9fff0-9]+")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
# A place named with its institution: 临汾市检察院, 洪洞县人民法院, 尧都区委 (no gazetteer needed).
# Most names are two characters (the suffix is left out); longer ones are found by their last two.
_PLACE = re.compile(
    r"([\u4e00-\u9fff]{2})(?:省|市|县|区)(?:人民)?(?:检察院|法院|公安局|政府|委|人大|司法局|检察机关)"
)
_NOT_A_PLACE = re.compile(r"[全我本该各此两多与和及了在对向从开的等省市县区]")
# A person named with a role: 检察官王伟, 被告人李某, 申请人张晓燕. Only the surname and the first
# given character are kept: where the name ends is not known without segmentation, and that is
# enough to tell the people of two template-written stories apart.
_ROLES = (
    "副检察长|检察长|检察官|检察员|书记员|被告人|犯罪嫌疑人|嫌疑人|被申请人|申请人|被害人|当事人|负责人"
    "|副院长|院长|审判长|法官|庭长|局长|民警|律师|主任|书记|处长|科长|部长|所长|队长|代表|委员"
)
_PERSON = re.compile(rf"(?:{_ROLES})([{''.join(sorted(SURNAMES))}][\u4e00-\u9fff])")


def is_furniture(line: str) -> bool:
    return len(line) <= _FURNITURE_MAX_CHARS and bool(_FURNITURE.search(line))


def content_lines(body: str) -> list[str]:
    """The paragraphs of the story proper, as written."""
    lines = (_BYLINE_PREFIX.sub("", line, count=1).strip() for line in body.split("\n"))
    return [line for line in lines if line and not is_furniture(line)]


def reduce(line: str) -> str:
    """Only Han characters and digits: punctuation, spaces and Latin differ between copies."""
    return "".join(_KEEP.findall(line))


def figures(paragraphs: list[str]) -> set[str]:
    """The numbers the story reports (253 件, 303.834 万元, dates …), as written."""
    return {m.group(0) for p in paragraphs for m in _FIGURE.finditer(p)}


def places(paragraphs: list[str]) -> set[str]:
    """Province, city, county and district names: 临汾市, 洪洞县, 尧都区 (heuristic, no gazetteer)."""
    found = set()
    for paragraph in paragraphs:
        for match in _PLACE.finditer(paragraph):
            name = match.group(1)
            if not _NOT_A_PLACE.search(name):
                found.add(name)
    return found


def persons(paragraphs: list[str]) -> set[str]:
    """People named with their role (检察官王伟 → 王伟, 被告人李某 → 李某); bylines are not content."""
    return {m.group(1) for p in paragraphs for m in _PERSON.finditer(reduce(p))}
