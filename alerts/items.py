"""One alert as the channels render it: a story that newly matches a saved search, or one that is
now carried by more outlets than the search's threshold. Built from a search hit (indexer/).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from indexer import SearchHit

AlertKind = Literal["new", "carried"]
_TAGS = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


class AlertItem(BaseModel):
    search_id: int
    search_name: str
    kind: AlertKind
    story_key: str
    article_id: str
    title: str
    url: str
    outlets: list[str]
    copies: int
    tone: str | None
    published_at: datetime | None
    indexed_at: datetime | None
    lead: str

    def headline(self) -> str:
        """The one line a robot or a subject shows."""
        mark = "【负面】" if self.tone == "critical" else ""
        if self.kind == "carried":
            return (
                f"{mark}{self.title}（已被{len(self.outlets) or self.copies}家媒体转载，共{self.copies}篇）"
            )
        return f"{mark}{self.title}"


def lead_sentence(text: str, limit: int = 120) -> str:
    """The first sentence of a snippet or body, tags removed, at most ``limit`` characters."""
    plain = " ".join(_TAGS.sub("", text).split())
    first = _SENTENCE_END.split(plain, maxsplit=1)[0] if plain else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def item_from_hit(search_id: int, search_name: str, hit: SearchHit, kind: AlertKind) -> AlertItem:
    return AlertItem(
        search_id=search_id,
        search_name=search_name,
        kind=kind,
        story_key=hit.story_id,
        article_id=hit.article_id,
        title=hit.title or hit.url,
        url=hit.url,
        outlets=list(hit.outlets),
        copies=hit.copies,
        tone=hit.tone,
        published_at=hit.published_at,
        indexed_at=hit.indexed_at,
        lead=lead_sentence(hit.snippet),
    )
