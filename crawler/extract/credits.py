"""Crawler extraction: who wrote the article, from the credit forms Chinese news text uses besides a
plain byline line — a dateline credit (``本报讯（记者 张三）``, or opening the first paragraph as Taiwanese
papers print it: ``〔記者巫其倫／台北報導〕``), a closing credit (``（李四 上海报道）``) and a bracketed name
beside the date (``[ 王五 ]``).
"""

from __future__ import annotations

import re

from crawler.extract.patterns import authors_in, has_author_label, is_name, strip_author_labels

_DATELINE = re.compile(r"(?:电|電|讯|訊)\s*[（(]\s*([^（()）]{2,60}?)\s*[）)]")
_OPENING_CREDIT = re.compile(
    r"^\s*[〔［\[【（(]\s*((?:记者|記者)[^〔〕［］\[\]【】（()）]{2,40})[〕］\]】）)]"
)
_STAFF = r"(?:[\u4e00-\u9fff·]{0,8}?(?:见习记者|見習記者|记者|記者|通讯员|通訊員|评论员|評論員))?"
_NAMES = r"([\u4e00-\u9fff·]{2,4}(?:\s*[ 、，,]\s*[\u4e00-\u9fff·]{2,4})*)"
_CLOSING = re.compile(rf"^[（(]\s*{_STAFF}\s*{_NAMES}\s*[）)]$")
_REPORTED_FROM = re.compile(r"\s*[\u4e00-\u9fff]{0,6}(?:报道|報道)\s*(?=[）)]$)")
_BRACKETED = re.compile(rf"^[\[【]\s*{_NAMES}\s*[\]】]")
_SPLIT = re.compile(r"\s*[ 、，,]\s*")
_IN_BRACKETS = re.compile(r"^[（(]\s*(.+?)\s*[）)]$")
_SPLIT_LABELLED = re.compile(r"[\s、，,:：/／]+")
# Credits of editors and sources use the same brackets; they are not authors.
_NOT_AUTHORS = re.compile(r"编辑|編輯|责编|責編|来源|來源|审核|審核|校对|校對|供稿")


def _names(group: str) -> list[str]:
    names = [n for n in _SPLIT.split(group.strip()) if n]
    return names if names and all(is_name(n) for n in names) else []


def dateline_authors(line: str) -> list[str]:
    """Reporters named in a dateline: ``据新华社拉萨电（记者 格桑边觉）…`` -> [格桑边觉], or in the
    bracket opening the paragraph: ``〔記者巫其倫／台北報導〕財政部…`` -> [巫其倫]."""
    match = _DATELINE.search(line[:80]) or _OPENING_CREDIT.match(line)
    if match is None or _NOT_AUTHORS.search(match.group(1)):
        return []
    return authors_in(match.group(1))


def closing_credit(line: str) -> list[str]:
    """A whole line crediting the authors in brackets: ``（姚峰 上海报道）``, ``(信报记者 蔡雪婧)``."""
    if len(line) > 40 or _NOT_AUTHORS.search(line):
        return []
    stripped = _REPORTED_FROM.sub("", line.strip())
    match = _CLOSING.match(stripped)
    names = _names(match.group(1)) if match else []
    if names and not any(has_author_label(n) for n in names):  # (信报记者 蔡雪婧), (张三 李四)
        return names
    bracketed = _IN_BRACKETS.match(stripped)
    if bracketed and has_author_label(bracketed.group(1)):
        # (通讯员 张三 记者 李四), (文/张三): labels and names only.
        inner = bracketed.group(1)
        tokens = [t for t in _SPLIT_LABELLED.split(strip_author_labels(inner)) if t]
        return authors_in(inner) if tokens and all(is_name(t) for t in tokens) else []
    return []


def bracketed_name(chunk: str) -> list[str]:
    """A name alone in square brackets beside the date line: ``[ 黄宇 ]``."""
    match = _BRACKETED.match(chunk.strip())  # what follows the bracket is the next label (来源 …)
    return _names(match.group(1)) if match and not _NOT_AUTHORS.search(match.group()) else []
