"""Figures step of the ``topics`` stage: reported figures as facts (受理司法救助案件253件 → metric, value, unit).

Only counts, amounts and rates are figures: dates, times, ages, durations, ordinals (第3次) and bare
numbers (the 12309 hotline) are not. The unit keeps its magnitude (303.834万元 → 303.834, 万元).
"""

from __future__ import annotations

import bisect
import re

from pipeline.boilerplate import is_boilerplate_line
from pipeline.model import Article, Statistic

_UNIT_WORDS = (
    "人次 件次 户次 场次 批次 万元 亿元 千元 元 件 人 次 名 个 场 起 宗 家 份 条 项 户 所 篇 批 处 吨 亩 公顷 "
    "平方米 立方米 公里 米 公斤 千克 克 毫克 斤 % ‰ 倍 辆 台 套 间 座 头 只 尾 株 棵 册 本 部 期 轮 位 张 笔 单 万 亿"
).split()
# Longest first, so 人次 wins over 人 and 立方米 over 米.
_UNITS = "|".join(re.escape(u) for u in sorted(_UNIT_WORDS, key=len, reverse=True))
_FIGURE = re.compile(
    rf"(?P<pre>将近|超过|近|超|逾|约)?(?P<num>\d+(?:[.,]\d+)*)(?P<q1>余|多)?(?P<mag>万|亿|千)?(?P<q2>余|多)?"
    rf"(?P<unit>{_UNITS})?"
)
# After 个 these make a duration (3个月, 5个工作日, 2个小时), not a count.
_DURATION_AFTER_GE = ("月", "工作日", "小时", "星期", "季度", "年")
_BOUNDARY = re.compile(r"[，。；：、！？,;:!?（）()\n]")
_TIME_WORDS = re.compile(
    r"^(?:今年|去年|前年|上半年|下半年|年初|近年来|近年|近期|近日|目前|截至目前|截至|以来|其中|同比|此外|另外|"
    r"\d+年|\d+月|\d+日|一季度|二季度|三季度|四季度|前三季度|自|从)+"
)
_SUBJECTS = re.compile(r"检察机关|人民检察院|检察院|我院|该院|本院|全省|全市|全县|全区|全国|各级")
_ADVERBS = re.compile(r"^(?:共计|总计|合计|累计|先后|依法|已经|已|分别|还|并|又|均|共|再|对|向|为|积极)+")
_TRAILING = re.compile(r"(?:达到|达|为|约|近|超过|超|逾|了|的|共|共计|累计)+$")
_MAX_METRIC = 24


def _metric(clause: str) -> str | None:
    clause = clause.strip()
    subjects = list(_SUBJECTS.finditer(clause))
    if subjects:
        clause = clause[subjects[-1].end() :]
    clause = _TIME_WORDS.sub("", clause)
    clause = _ADVERBS.sub("", clause)
    clause = _TRAILING.sub("", clause).strip()
    return clause[-_MAX_METRIC:] or None


def find_figures(text: str) -> list[Statistic]:
    figures: list[Statistic] = []
    last_end, last_metric = -1, None
    boundaries: list[int] | None = None
    for match in _FIGURE.finditer(text):
        num, unit, mag = match.group("num"), match.group("unit") or "", match.group("mag") or ""
        start, end = match.start(), match.end()
        if not (unit or mag) or text[start - 1 : start] == "第" or (start and text[start - 1].isdigit()):
            continue
        if unit == "个" and text.startswith(_DURATION_AFTER_GE, end):
            continue
        if unit in ("万", "亿") and not mag:
            mag, unit = unit, ""
        if end < len(text) and text[end] in "年月日岁天时分秒周":  # 5万年, 3千米? no: a time or age
            continue
        try:
            value = float(num.replace(",", ""))
        except ValueError:
            continue
        if match.start() == last_end:  # 253件287人: the second figure counts the same thing
            metric = last_metric
        else:
            if boundaries is None:  # found once per text, not once per figure
                boundaries = [b.end() for b in _BOUNDARY.finditer(text)]
            before = bisect.bisect_right(boundaries, start)  # a boundary is one character
            clause_start = max(boundaries[before - 1] if before else 0, last_end if last_end > 0 else 0)
            metric = _metric(text[clause_start:start])
        qualifier = match.group("pre") or match.group("q1") or match.group("q2")
        figures.append(
            Statistic(
                text=match.group(),
                value=value,
                unit=f"{mag}{unit}" or None,
                metric=metric,
                qualifier=qualifier,
            )
        )
        last_end, last_metric = end, metric
    return figures


def extract_statistics(article: Article) -> Article:
    """The figures of the story's lines: a counter or a date in a boilerplate line (浏览次数：253次) is
    the page's, not a reported figure."""
    body = article.body_simplified if article.body_simplified is not None else article.body
    story = "\n".join("" if is_boilerplate_line(line) else line for line in body.split("\n"))
    return article.model_copy(
        update={"statistics": find_figures(story), "steps": [*article.steps, "statistics"]}
    )
