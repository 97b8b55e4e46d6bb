"""The Elasticsearch search backend of the scaled deployment: the indexer worker bulk-writes
enriched articles to it and the web app searches it.

The application talks to an alias (``settings.index_name``) that ``init`` creates together with a
concrete index ``<alias>-v<mapping version>`` from config/elasticsearch/articles.json, so a later
mapping change can be reindexed behind the alias without downtime. Bulk requests carry
``require_alias``: a worker running before ``init`` gets IndexMissing instead of silently
auto-creating an index with a guessed mapping.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import elastic_transport
from elasticsearch import ApiError, Elasticsearch, helpers

from indexer.base import (
    IndexMissing,
    IndexOutcome,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
    TransientIndexError,
)
from indexer.text import simplified_fields, snippet, to_simplified
from pipeline.errors import LOCAL_SERVICES_HINT, ServiceUnavailable
from pipeline.model import Article
from pipeline.settings import CONFIG_DIR

logger = logging.getLogger(__name__)

MAPPING_FILE = CONFIG_DIR / "elasticsearch" / "articles.json"
# Fields a result needs; the rest of a (possibly long) document stays on the server.
_HIT_FIELDS = ["article_id", "url", "site", "title", "source", "published_at", "body",
               "title_simplified", "body_simplified"]  # fmt: skip
TITLE_BOOST = 3.0  # a word in the title says more about the article than one in the body


def load_mapping() -> dict[str, Any]:
    """The index settings and mappings (top-level keys starting with ``_`` are comments)."""
    data: dict[str, Any] = json.loads(MAPPING_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def article_to_action(article: Article, index_name: str) -> dict[str, Any]:
    """The bulk action that writes one article: ``_id`` = article_id, so a replay overwrites.

    The simplified title and body are always present in the document (computed here when the
    processors did not), because search runs on them.
    """
    title_s, body_s = simplified_fields(article)
    # Through pydantic's JSON encoder, which raises ValueError on text that is not valid Unicode
    # (lone surrogates) instead of sending bytes Elasticsearch cannot parse.
    source: dict[str, Any] = json.loads(article.model_dump_json())
    source["title_simplified"], source["body_simplified"] = title_s, body_s
    return {"_op_type": "index", "_index": index_name, "_id": article.article_id, "_source": source}


def build_query(query: SearchQuery) -> dict[str, Any]:
    """Every word as a phrase of the simplified title or body (AND of words), plus the filters."""
    must = [
        {
            "bool": {
                "should": [
                    {"match_phrase": {"title_simplified": {"query": term, "boost": TITLE_BOOST}}},
                    {"match_phrase": {"body_simplified": {"query": term}}},
                ],
                "minimum_should_match": 1,
            }
        }
        for term in (to_simplified(t) for t in query.terms)
    ]
    filters: list[dict[str, Any]] = []
    if query.site is not None:
        filters.append({"term": {"site": query.site}})
    if query.source is not None:
        filters.append({"term": {"source": query.source}})
    if query.date_from is not None or query.date_to is not None:
        bounds: dict[str, str] = {}
        if query.date_from is not None:
            bounds["gte"] = query.date_from.isoformat()
        if query.date_to is not None:
            bounds["lt"] = query.date_to.isoformat()
        filters.append({"range": {"published_at": bounds}})
    return {"bool": {"must": must, "filter": filters}}


def build_sort(query: SearchQuery) -> list[Any]:
    by_date = {"published_at": {"order": "desc", "missing": "_last", "unmapped_type": "date"}}
    if query.sort == "date":
        return [by_date, "_score", {"article_id": "asc"}]
    return ["_score", by_date, {"article_id": "asc"}]


class ElasticBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str, index_name: str, connect_timeout_s: float = 10.0) -> None:
        if index_name != index_name.lower() or not index_name:
            raise ValueError(f"Elasticsearch index names must be lower-case: {index_name!r}")
        self.url = url
        self.alias = index_name
        self.client = Elasticsearch(url, request_timeout=max(30.0, connect_timeout_s), retry_on_timeout=True)
        # Fail fast with the address in the message. cluster.health, not ping(): some
        # distributions answer GET / with 405. No retries here, so the wait is one timeout.
        try:
            with self._errors():
                self.client.options(request_timeout=connect_timeout_s, max_retries=0).cluster.health()
        except ApiError as exc:
            # Something answers at that address, but not as Elasticsearch does.
            hint = f"the server answered {exc.meta.status} to GET /_cluster/health; {LOCAL_SERVICES_HINT}"
            raise ServiceUnavailable("Elasticsearch", url, hint) from exc
        except TransientIndexError as exc:
            raise ServiceUnavailable("Elasticsearch", url, f"{exc}; {LOCAL_SERVICES_HINT}") from exc

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate the client's failures into the pipeline's vocabulary."""
        try:
            yield
        except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as exc:
            raise ServiceUnavailable("Elasticsearch", self.url, LOCAL_SERVICES_HINT) from exc
        except ApiError as exc:
            if _is_index_missing(exc.body):
                raise IndexMissing(self.alias, self.url) from exc
            if exc.meta.status == 429 or exc.meta.status >= 500:
                message = f"Elasticsearch at {self.url} answered {exc.meta.status}: {exc}"
                raise TransientIndexError(message) from exc
            raise

    def init(self) -> None:
        mapping = load_mapping()
        version = mapping["mappings"].get("_meta", {}).get("version", 1)
        concrete = f"{self.alias}-v{version}"
        with self._errors():
            if self.client.indices.exists_alias(name=self.alias):
                logger.info("search index already exists: %s", self.alias)
                return
            if self.client.indices.exists(index=self.alias):
                raise RuntimeError(
                    f"an index named {self.alias!r} exists that is not an alias (created by a bulk "
                    "request before init?); delete it or choose another index_name"
                )
            created = self.client.options(ignore_status=400).indices.create(index=concrete, **mapping)
            if "error" in created and created["error"]["type"] != "resource_already_exists_exception":
                raise RuntimeError(f"cannot create index {concrete}: {created['error']}")
            self.client.indices.put_alias(index=concrete, name=self.alias, is_write_index=True)
        logger.info("search index ready: %s -> %s", self.alias, concrete)

    def index(self, articles: Sequence[Article]) -> list[IndexOutcome]:
        results: dict[str, IndexOutcome] = {}
        retry_statuses: list[int] = []
        missing = False
        actions: list[dict[str, Any]] = []
        for article in articles:
            try:
                actions.append(article_to_action(article, self.alias))
            except ValueError as exc:  # can never be indexed as is; the rest of the batch goes on
                error = f"{type(exc).__name__}: {exc}"[:500]
                results[article.article_id] = IndexOutcome(article.article_id, ok=False, error=error)
        with self._errors():
            for ok, info in helpers.streaming_bulk(
                self.client,
                actions,
                raise_on_error=False,
                max_retries=2,  # items refused with 429 are retried with backoff by the helper
                initial_backoff=1,
                require_alias=True,
            ):
                item = next(iter(info.values()))
                article_id, status = str(item.get("_id")), int(item.get("status", 0))
                if ok:
                    results[article_id] = IndexOutcome(article_id, ok=True)
                    continue
                error = item.get("error")
                if _is_index_missing({"error": error}):
                    missing = True
                elif status == 429 or status >= 500:
                    retry_statuses.append(status)
                reason = error.get("reason", error) if isinstance(error, dict) else error
                results[article_id] = IndexOutcome(article_id, ok=False, error=f"{status}: {reason}"[:500])
        if missing:
            raise IndexMissing(self.alias, self.url)
        if retry_statuses:
            # The engine is overloaded or failing, not the documents: the whole batch is retried
            # (idempotent, as _id = article_id).
            raise TransientIndexError(
                f"Elasticsearch at {self.url} refused {len(retry_statuses)} documents "
                f"(status {sorted(set(retry_statuses))})"
            )
        return [results[a.article_id] for a in articles]

    def search(self, query: SearchQuery) -> SearchPage:
        with self._errors():
            resp = self.client.search(
                index=self.alias,
                query=build_query(query),
                sort=build_sort(query),
                from_=query.offset,
                size=query.size,
                track_total_hits=True,
                track_scores=True,
                source_includes=_HIT_FIELDS,
            )
        hits = [_hit(h["_source"], h.get("_score"), query.terms) for h in resp["hits"]["hits"]]
        return SearchPage(total=resp["hits"]["total"]["value"], hits=hits)

    def get(self, article_id: str) -> Article | None:
        with self._errors():
            resp = self.client.options(ignore_status=404).get(index=self.alias, id=article_id)
        if _is_index_missing(resp.body):
            raise IndexMissing(self.alias, self.url)
        return Article.model_validate(resp["_source"]) if resp.get("found") else None

    def count(self) -> int:
        with self._errors():
            return int(self.client.count(index=self.alias)["count"])

    def refresh(self) -> None:
        with self._errors():
            self.client.indices.refresh(index=self.alias)

    def drop(self) -> None:
        with self._errors():
            existing = self.client.options(ignore_status=404).indices.get(index=self.alias)
            names = [name for name in existing.body if name not in ("error", "status")]
            if names:
                self.client.indices.delete(index=",".join(names))
                logger.info("search index dropped: %s (%s)", self.alias, ", ".join(names))

    def close(self) -> None:
        self.client.close()


def _is_index_missing(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and error.get("type") == "index_not_found_exception"


def _hit(source: dict[str, Any], score: float | None, terms: Sequence[str]) -> SearchHit:
    title, body = source.get("title", ""), source.get("body", "")
    title_html, body_html = snippet(
        title, source.get("title_simplified") or "", body, source.get("body_simplified") or "", terms
    )
    published = source.get("published_at")
    return SearchHit(
        article_id=source["article_id"],
        url=source["url"],
        site=source.get("site"),
        title=title,
        title_highlight=title_html,
        source=source.get("source"),
        published_at=datetime.fromisoformat(published) if published else None,
        snippet=body_html,
        score=score,
    )
