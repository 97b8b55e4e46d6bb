"""The Atom feed of a saved search (RFC 4287): its newest alerts, for feed readers. The web app
serves it at ``/feeds/{id}.atom?token=…`` — the per-feed secret token stands in for a login."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from alerts.items import AlertItem
from alerts.model import SavedSearch
from pipeline.model import utcnow

ATOM = "http://www.w3.org/2005/Atom"


def render_atom(search: SavedSearch, events: Sequence[tuple[AlertItem, datetime]], public_url: str) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    sub(feed, "id", f"{public_url}/saved/{search.id}")
    sub(feed, "title", f"检察新闻监测：{search.name}")
    sub(feed, "subtitle", search.query)
    sub(feed, "updated", (events[0][1] if events else search.created_at or utcnow()).isoformat())
    sub(feed, "link", href=f"{public_url}/search?q={search.query}")
    author = sub(feed, "author")
    sub(author, "name", search.owner)
    for item, at in events:
        entry = sub(feed, "entry")
        # One entry per alert: a story's "now carried by N" is an entry of its own.
        sub(entry, "id", f"{public_url}/stories/{item.story_key}#{item.kind}")
        sub(entry, "title", item.headline())
        sub(entry, "link", href=item.url)
        sub(entry, "updated", at.isoformat())
        if item.published_at:
            sub(entry, "published", item.published_at.isoformat())
        outlets = "、".join(item.outlets) or "—"
        sub(entry, "summary", f"{outlets} · 转载 {item.copies - 1}。{item.lead}")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
