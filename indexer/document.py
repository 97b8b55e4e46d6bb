"""What both search backends derive from an Article before storing it (story key, outlet, facet
values, the document version), and what they share when turning stored documents into results.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from indexer.base import HistogramBucket, Interval, SearchHit
from indexer.outlets import canonical_outlets
from indexer.text import simplified_fields, snippet
from pipeline.model import Article, utcnow

# fetched_at in milliseconds stays below 10**13 until the year 2286.
_VERSION_FACTOR = 10**13


def doc_version(article: Article) -> int:
    """The document version: content ``version`` first, then ``fetched_at`` in ms.

    A higher content version always wins; within one content version the later fetch wins; an
    equal version (a replay, or the same fetch re-enriched) overwrites. An older version never
    overwrites a newer one (Elasticsearch's ``external_gte``; the same rule in SQLite).
    """
    return article.version * _VERSION_FACTOR + int(article.fetched_at.timestamp() * 1000)


def story_key(article: Article) -> str:
    """The story an article belongs to: its story_id, or itself when it has none."""
    return article.story_id or article.article_id


def outlet(site: str | None, source: str | None) -> str | None:
    """Where a copy appeared: the site that published it, else the outlet named in 来源."""
    return site or source


def facet_values(article: Article) -> dict[str, list[tuple[str, str | None]]]:
    """Facet name -> (value, label) pairs of one article (see base.FACETS)."""
    single = {"source": article.source, "site": article.site, "tone": article.tone}
    values: dict[str, list[tuple[str, str | None]]] = {k: [(v, None)] for k, v in single.items() if v}
    values["region"] = [(r, None) for r in dict.fromkeys(article.regions)]
    values["procuratorate"] = [(p, None) for p in dict.fromkeys(article.procuratorates)]
    values["topic"] = list({t.id: (t.id, t.label) for t in article.topics}.values())
    return {k: v for k, v in values.items() if v}


def entity_names(article: Article) -> list[str]:
    return list(dict.fromkeys(e.canonical or e.text for e in article.entities))


def document_json(article: Article, indexed_at: datetime | None = None) -> str:
    """The stored form as JSON text: the whole event, the simplified text (always present: search
    runs on it) and the derived keyword fields. ``indexed_at`` (default: now) is when the indexer
    wrote it: the alerts worker asks for what was indexed since its last look (SearchQuery.indexed_from).

    Built by pydantic's Rust encoder plus a few spliced fields, never parsed back: the indexer
    hands this text to the bulk request as is (serialising articles is its main cost). The
    encoder raises ValueError on text that is not valid Unicode (lone surrogates) instead of
    producing bytes an engine cannot parse.
    """
    title_s, body_s = simplified_fields(article)
    if (title_s, body_s) != (article.title_simplified, article.body_simplified):
        article = article.model_copy(update={"title_simplified": title_s, "body_simplified": body_s})
    derived = {
        "story_key": story_key(article),
        "outlet": outlet(article.site, article.source),
        "topic_pairs": [f"{t.id}\t{t.label}" for t in article.topics],
        "entity_names": entity_names(article),
        "indexed_at": (indexed_at or utcnow()).isoformat(),
    }
    # Both are JSON objects: drop the first's closing brace and the second's opening one.
    return article.model_dump_json()[:-1] + "," + json.dumps(derived, ensure_ascii=False)[1:]


def to_document(article: Article) -> dict[str, Any]:
    """The stored form as a dict (see document_json)."""
    document: dict[str, Any] = json.loads(document_json(article))
    return document


def hit_from_document(
    doc: Mapping[str, Any], score: float | None, terms: Sequence[str], highlighted: bool = True
) -> SearchHit:
    """A hit of a search; ``highlighted=False`` (a scan: exports, sums) skips the snippet and the
    highlighting, which a row of a spreadsheet does not show and which cost a third of its time."""
    title, body = doc.get("title") or "", doc.get("body") or ""
    if highlighted:
        title_html, body_html = snippet(
            title, doc.get("title_simplified") or "", body, doc.get("body_simplified") or "", terms
        )
    else:
        title_html, body_html = html.escape(title, quote=False), ""
    published = _parse_time(doc.get("published_at"))
    return SearchHit(
        article_id=doc["article_id"],
        url=doc["url"],
        site=doc.get("site"),
        title=title,
        title_highlight=title_html,
        source=doc.get("source"),
        published_at=published,
        snippet=body_html,
        score=score,
        story_id=doc.get("story_id") or doc["article_id"],
        outlets=canonical_outlets([outlet(doc.get("site"), doc.get("source"))]),
        topics=[t["label"] for t in doc.get("topics") or []],
        procuratorates=list(doc.get("procuratorates") or []),
        regions=list(doc.get("regions") or []),
        tone=doc.get("tone"),
        relevance=doc.get("relevance"),
        indexed_at=_parse_time(doc.get("indexed_at")),
    )


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if isinstance(value, datetime) else None


def bucket_start(day: date, interval: Interval) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())  # weeks start on Monday, as in Elasticsearch
    if interval == "month":
        return day.replace(day=1)
    return day


def _next(start: date, interval: Interval) -> date:
    if interval == "day":
        return start + timedelta(days=1)
    if interval == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def fill_histogram(counts: Iterable[tuple[str, int]], interval: Interval) -> list[HistogramBucket]:
    """Buckets from the first to the last non-empty one, empty ones included (a chart's x-axis)."""
    known = {key: count for key, count in counts if count}
    if not known:
        return []
    starts = sorted(date.fromisoformat(k) for k in known)
    buckets, current = [], starts[0]
    while current <= starts[-1]:
        key = current.isoformat()
        buckets.append(HistogramBucket(key=key, count=known.get(key, 0)))
        current = _next(current, interval)
    return buckets
