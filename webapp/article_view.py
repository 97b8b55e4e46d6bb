"""One article as its page shows it: the text in its original script or in simplified, cut into
paragraphs of plain and highlighted pieces (each entity linked to a search), its metadata, its
topics with the sentences that gave them away, and its table of reported figures.

Everything here is text for the template, which escapes it: crawled HTML is never markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel

from indexer.text import to_simplified
from pipeline.china_time import china_time
from pipeline.model import Article, Entity
from webapp.params import safe_href

Script = Literal["original", "simplified"]
ENTITY_LABELS = {"PROCURATORATE": "检察院", "COURT": "法院", "POLICE": "公安", "GOV": "政府部门", "PARTY": "党组织",
                 "CONGRESS": "人大", "DOC": "文件", "PERSON": "人物", "GPE": "地名"}  # fmt: skip
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
MAX_EVIDENCE = 3  # sentences shown per topic


@dataclass(frozen=True)
class Piece:
    text: str
    label: str | None = None  # an entity's label, None for plain text
    href: str | None = None  # the search for that entity


class FigureRow(BaseModel):
    metric: str
    value: float
    unit: str
    text: str
    approximate: bool


class TopicRow(BaseModel):
    label: str
    score: float
    cues: list[str]
    sentences: list[str]


def entity_search(entity: Entity) -> str:
    """The search an entity links to: a procuratorate as a filter, anything else as a phrase."""
    name = entity.canonical or entity.text
    if entity.label == "PROCURATORATE":
        return "/search?" + urlencode({"q": "检察", "procuratorate": name})
    return "/search?" + urlencode({"q": f'"{name}"'})


def _pieces(shown: str, simplified: str, entities: list[Entity]) -> list[Piece]:
    """``shown`` cut at the entities (offsets into ``simplified``); the original script keeps them
    only where it maps character for character onto the simplified text, as t2s nearly always does."""
    if len(shown) != len(simplified):
        return [Piece(shown)]
    pieces, at = [], 0
    for entity in sorted(entities, key=lambda e: (e.start, -e.end)):
        if (
            entity.start < at
            or entity.end > len(simplified)
            or simplified[entity.start : entity.end] != entity.text
        ):
            continue  # overlapping, or offsets that do not fit this text
        if entity.start > at:
            pieces.append(Piece(shown[at : entity.start]))
        pieces.append(Piece(shown[entity.start : entity.end], ENTITY_LABELS.get(entity.label, entity.label),
                            entity_search(entity)))  # fmt: skip
        at = entity.end
    if at < len(shown):
        pieces.append(Piece(shown[at:]))
    return pieces


def paragraphs(article: Article, script: Script) -> list[list[Piece]]:
    """The body in paragraphs of pieces, in the chosen script."""
    simplified = (
        article.body_simplified if article.body_simplified is not None else to_simplified(article.body)
    )
    shown = simplified if script == "simplified" else article.body
    body_entities = [e for e in article.entities if not e.in_title]
    pieces = _pieces(shown, simplified, body_entities)
    out: list[list[Piece]] = [[]]
    for piece in pieces:
        lines = piece.text.split("\n")
        for i, line in enumerate(lines):
            if i:
                out.append([])
            if line:
                out[-1].append(Piece(line, piece.label, piece.href))
    return [p for p in out if any(x.text.strip() for x in p)]


def topic_rows(article: Article) -> list[TopicRow]:
    simplified = (
        article.body_simplified if article.body_simplified is not None else to_simplified(article.body)
    )
    sentences = [s.strip() for s in _SENTENCE.findall(simplified) if s.strip()]
    rows = []
    for topic in article.topics:
        cues = [to_simplified(c) for c in topic.evidence]
        found = [s for s in sentences if any(c and c in s for c in cues)][:MAX_EVIDENCE]
        rows.append(
            TopicRow(label=topic.label, score=round(topic.score, 2), cues=topic.evidence, sentences=found)
        )
    return rows


def figure_rows(article: Article) -> list[FigureRow]:
    return [
        FigureRow(
            metric=f.metric or "（未识别）",
            value=f.value,
            unit=f.unit or "",
            text=f.text,
            approximate=f.qualifier is not None,
        )
        for f in article.statistics
    ]


def metadata(article: Article) -> list[tuple[str, str]]:
    """(label, value) lines of the article's facts, those it has."""
    rows = [
        ("来源", article.source or ""),
        ("网站", article.site or ""),
        ("记者", "、".join(article.authors)),
        ("责任编辑", article.editor or ""),
        ("发布时间", china_time(article.published_at) or ""),
        ("抓取时间", china_time(article.fetched_at) or ""),
        ("地区", "、".join(article.regions)),
        ("检察院", "、".join(article.procuratorates)),
        ("倾向", {"critical": "批评报道", "neutral": "一般报道"}.get(article.tone or "", article.tone or "")),
    ]
    return [(k, v) for k, v in rows if v]


def has_traditional(article: Article) -> bool:
    simplified = (
        article.body_simplified if article.body_simplified is not None else to_simplified(article.body)
    )
    return simplified != article.body or to_simplified(article.title) != article.title


def title_in(article: Article, script: Script) -> str:
    if script == "simplified":
        return article.title_simplified or to_simplified(article.title)
    return article.title


def original_link(article: Article) -> str | None:
    return safe_href(article.url)
