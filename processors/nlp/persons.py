"""Persons in the simplified text: reporters and editors (bylines, the article's author fields) kept
apart from the people in the story (titled names such as 检察官张明, anonymised 王某某, the generic NER's
PERSON spans that look like Chinese names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pipeline.names import SURNAMES
from pipeline.segmenter import Segmenter
from processors.nlp.mentions import Mention

_NAME = r"[\u4e00-\u9fff]{2,3}"
_NAMES = rf"{_NAME}(?:[ \u3000、，,]+{_NAME})*"
# A byline: at the start of a line, or in the opening brackets of 本报讯（记者 张三 李四）.
_BYLINE = re.compile(
    rf"(?:^|[（(])[ \u3000]*(?:本报|本台|本网)?(?:特约|实习)?(?:记者|通讯员|实习生)[ \u3000：:]*(?P<names>{_NAMES})",
    re.MULTILINE,
)
_EDITOR = re.compile(
    rf"^[ \u3000]*(?:责任编辑|责编|编辑|审核|校对|审校|监制)[ \u3000]*[：:][ \u3000]*(?P<names>{_NAMES})",
    re.MULTILINE,
)
# Titles and the roles of a case's parties (被告人李某, 申请人张晓燕): a name follows them.
_TITLES = "犯罪嫌疑人|嫌疑人|被申请人|申请人|被告人|被害人|当事人|副检察长|检察长|检察官助理|检察官|书记员|副院长|院长|法官|庭长|局长|民警|律师|主任|书记|处长|科长|部长|所长|队长|负责人"
_TITLED = re.compile(rf"(?:{_TITLES})[ \u3000]?(?P<name>[\u4e00-\u9fff]{{2,3}})")
_ANONYMISED = re.compile(r"(?P<name>[\u4e00-\u9fff]某某?)")
_NOT_NAMES = frozenset({"报道", "摄影", "通讯", "介绍", "表示", "说", "指出", "发现"})

_MAX_NAME_FREQ = 20
_PLACE_ENDINGS = set("庄村镇乡屯沟坡湾寨岭峪堡街路")


def _split(names: str) -> list[str]:
    return [n for n in re.split(r"[ \u3000、，,]+", names) if n]


def _looks_like_name(name: str) -> bool:
    return 2 <= len(name) <= 3 and name[0] in SURNAMES and name not in _NOT_NAMES


def _generic_name(word: str, segmenter: Segmenter) -> bool:
    """The generic layer's PERSON, when it looks like a name and the dictionary knows no other use
    of the word (申请人, 师生 are nouns; 杨家庄 is a village)."""
    tag = segmenter.tag_of(word)
    # jieba's dictionary tags some common words nr (申请人, 关怀); real names in it are rare words.
    common = segmenter.freq_of(word) > _MAX_NAME_FREQ
    return _looks_like_name(word) and tag in (None, "nr") and not common and word[-1] not in _PLACE_ENDINGS


def staff_names(text: str, authors: Iterable[str], editor: str | None) -> dict[str, str]:
    """Name → ``reporter`` or ``editor``: from the article's fields, bylines and 责任编辑 lines."""
    roles: dict[str, str] = {}
    for match in _BYLINE.finditer(text):
        for name in _split(match.group("names")):
            if _looks_like_name(name):
                roles.setdefault(name, "reporter")
    for match in _EDITOR.finditer(text):
        for name in _split(match.group("names")):
            roles.setdefault(name, "editor")
    for author in authors:
        for name in _split(author):
            roles.setdefault(name, "reporter")
    if editor:
        for name in _split(editor):
            roles.setdefault(name, "editor")
    return roles


def find_persons(
    text: str,
    generic: Sequence[tuple[int, int]],
    staff: dict[str, str],
    taken: Sequence[Mention],
    segmenter: Segmenter,
) -> list[tuple[int, int, str | None, bool]]:
    """(start, end, role, generic) of every person mention; ``generic`` are the NER's PERSON spans,
    and a mention is ``generic`` when only they found it (a word that looks like a name, with no title,
    byline or 某 to confirm it: 顾大局 in 讲政治、顾大局 is one)."""
    found: dict[tuple[int, int], str | None] = {}
    unconfirmed: set[tuple[int, int]] = set()
    for name, role in staff.items():
        for match in re.finditer(re.escape(name), text):
            found[(match.start(), match.end())] = role
    for match in _TITLED.finditer(text):
        first = segmenter.cut(match.group("name") + text[match.end() : match.end() + 2])[0]
        start = match.start("name")
        if _looks_like_name(first):
            found.setdefault((start, start + len(first)), staff.get(first))
    for match in _ANONYMISED.finditer(text):
        if match.group("name")[0] in SURNAMES:
            found.setdefault((match.start("name"), match.end("name")), None)
    for start, end in generic:
        if _generic_name(text[start:end], segmenter) and (start, end) not in found:
            if not any(s < end and start < e for s, e in found):  # no other way found it
                unconfirmed.add((start, end))
            found[(start, end)] = staff.get(text[start:end])
    spans = [(s, e) for s, e in found if not any(s < m.end and m.start < e for m in taken)]
    return sorted((s, e, found[(s, e)], (s, e) in unconfirmed) for s, e in _longest(spans))


def _longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if not any(start < e and s < end for s, e in chosen):
            chosen.append((start, end))
    return chosen
