"""Reprint detection, first part: the text a story signature is made of, and the facts it reports.

A copy differs from its original by script, punctuation, whitespace, byline, editor and copyright
lines: all of that is removed here (boilerplate lines as ``pipeline.boilerplate`` defines them), so
only the reported content is compared. The facts (figures, places, people named in the story) tell
apart look-alike stories written from one template — the same meeting held in two cities reads the
same except for exactly these. They are not looked for again here: they are what the entity and
figures steps found (``facts_of``). An article those steps have not seen has no facts, and its
copies are then told apart by their wording alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.boilerplate import is_boilerplate_line
from pipeline.model import Article

# A dateline and byline before the first sentence: 本报讯（记者 张三 通讯员 李四）, 新华社太原8月13日电.
_BYLINE_PREFIX = re.compile(
    r"^(?:本报讯|本网讯|讯|[\u4e00-\u9fff]{2,6}社[\u4e00-\u9fff0-9]{0,10}电)?\s*"
    r"(?:[(（](?:本报|本网)?(?:记者|通讯员|作者)[^)）]{0,40}[)）])?"
)
_KEEP = re.compile(r"[\u3400-\u9fff0-9]+")


@dataclass(frozen=True)
class Facts:
    """What a story reports, as the entity and figures steps found it."""

    figures: frozenset[str] = frozenset()  # 253件, 303.834万元: value and unit
    places: frozenset[str] = frozenset()  # the deepest regions named: 山西省/临汾市/洪洞县
    persons: frozenset[str] = frozenset()  # people in the story (not its reporters and editors)


NO_FACTS = Facts()


def content_lines(body: str) -> list[str]:
    """The paragraphs of the story proper, as written."""
    lines = (_BYLINE_PREFIX.sub("", line, count=1).strip() for line in body.split("\n"))
    return [line for line in lines if line and not is_boilerplate_line(line)]


def reduce(line: str) -> str:
    """Only Han characters and digits: punctuation, spaces and Latin differ between copies."""
    return "".join(_KEEP.findall(line))


def _places(regions: list[str]) -> frozenset[str]:
    """The deepest of the article's regions (paths): 山西省/临汾市 is left out when 山西省/临汾市/洪洞县 is
    there, so two counties of one city do not share their city (``fingerprint`` compares places by
    containment: a copy that names only the city still agrees with the county)."""
    paths = set(regions)
    return frozenset(p for p in paths if not any(q.startswith(p + "/") for q in paths))


def facts_of(article: Article) -> Facts:
    """The figures (``statistics``: counts, amounts and rates, not dates), the places (``regions``) and
    the people in the story (``entities``: persons without a reporter or editor role, the title's left out
    since copies retitle a story) that the earlier steps found in the article.

    Only people the entity step is sure of count: named with a title or a party's role (检察官王伟,
    被告人李某) or anonymised (王某某). A word the generic layer alone takes for a name is left out: in
    the formulae two different releases share (讲政治、顾大局) such a word made them look like copies."""
    return Facts(
        figures=frozenset(f"{s.value:.12g}{s.unit or ''}" for s in article.statistics),
        places=_places(article.regions),
        persons=frozenset(
            e.text
            for e in article.entities
            if e.label == "PERSON" and e.role is None and not e.in_title and not e.generic
        ),
    )
