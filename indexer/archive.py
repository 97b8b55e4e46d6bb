"""The index as the archive of crawled articles: every stored document holds the whole article
event, so ``jiancha reprocess`` re-runs the processors on it without re-crawling. This reads the
stored documents back, oldest first by fetch time, on either backend."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from indexer.base import SearchBackend
from pipeline.model import Article

# Documents per request (Elasticsearch) or per fetch (SQLite): large enough that paging is cheap.
PAGE = 1000
# The fields the crawler fills (pipeline/model.py, up to ``version``): what a stage reprocessing an
# article starts from; everything the processors derive is computed again.
CRAWLED_FIELDS = (
    "schema_version", "article_id", "url", "site", "title", "column", "subtitle", "published_at",
    "source", "authors", "editor", "body", "images", "encoding", "quality", "methods", "site_regions",
    "fetched_at", "content_hash", "version",
)  # fmt: skip


def as_crawled(document: dict[str, Any]) -> Article:
    """The article as the crawler published it, from a stored document."""
    return Article.model_validate({k: document[k] for k in CRAWLED_FIELDS if k in document})


def stored_articles(
    backend: SearchBackend, since: datetime | None = None, as_stored: bool = False
) -> Iterator[Article]:
    """The stored articles fetched at or after ``since`` (all when None), as crawled — or, with
    ``as_stored``, with everything the processors derived (to rebuild the index from it)."""
    fields = set(Article.model_fields)
    for document in _documents(backend, since, None if as_stored else CRAWLED_FIELDS):
        if as_stored:
            yield Article.model_validate({k: v for k, v in document.items() if k in fields})
        else:
            yield as_crawled(document)


def _documents(
    backend: SearchBackend, since: datetime | None, fields: tuple[str, ...] | None
) -> Iterator[dict[str, Any]]:
    from indexer.elastic_backend import ElasticBackend
    from indexer.sqlite_backend import SqliteBackend

    if isinstance(backend, ElasticBackend):
        yield from _elastic_documents(backend, since, fields)
    elif isinstance(backend, SqliteBackend):
        yield from _sqlite_documents(backend, since)
    else:
        raise TypeError(f"no archive reader for the {backend.name} backend")


def _elastic_documents(
    backend: Any, since: datetime | None, fields: tuple[str, ...] | None
) -> Iterator[dict[str, Any]]:
    query: dict[str, Any] = (
        {"range": {"fetched_at": {"gte": since.isoformat()}}} if since else {"match_all": {}}
    )
    after: list[Any] | None = None
    while True:
        page: dict[str, Any] = {"search_after": after} if after else {}
        response = backend.client.search(
            index=backend.alias,
            size=PAGE,
            query=query,
            sort=[{"fetched_at": "asc"}, {"article_id": "asc"}],
            **page,
            **({"source_includes": list(fields)} if fields else {}),
        )
        hits = response["hits"]["hits"]
        if not hits:
            return
        for hit in hits:
            yield hit["_source"]
        after = hits[-1]["sort"]


def _sqlite_documents(backend: Any, since: datetime | None) -> Iterator[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{backend.path}?mode=ro", uri=True, timeout=30.0)
    try:
        cursor = conn.execute("SELECT payload FROM article_payloads ORDER BY id")
        while rows := cursor.fetchmany(PAGE):
            for (payload,) in rows:
                document = json.loads(payload)
                if since is None or datetime.fromisoformat(document["fetched_at"]) >= since:
                    yield document
    finally:
        conn.close()
