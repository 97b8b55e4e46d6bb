"""The Elasticsearch search backend of the scaled deployment: the indexer worker bulk-writes
enriched articles to the write alias ``<index_name>-write`` and the web app searches the read alias
``<index_name>`` (see indexer/elastic_admin.py for the index life cycle and reindexing).

Writes use external versioning (``version_type=external_gte``, version from
indexer/document.py:doc_version), so an older version of an article never overwrites a newer one:
Elasticsearch answers 409 and the outcome is ``skipped``, not an error. Bulk requests carry
``require_alias``: a worker running before ``init`` gets IndexMissing instead of silently
auto-creating an index with a guessed mapping.

About 300 lines: the interface's methods for one engine; the query body is built in
indexer/es_query.py, the index life cycle in indexer/elastic_admin.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from elasticsearch import ApiError, helpers

from indexer import elastic_admin
from indexer.base import (
    MAX_COPIES_LISTED,
    MAX_STORY_COPIES,
    FacetBucket,
    IndexMissing,
    IndexOutcome,
    Progress,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
    StoryCopy,
    TransientIndexError,
    encode_cursor,
    no_progress,
)
from indexer.document import doc_version, document_json, fill_histogram, hit_from_document
from indexer.es_query import build_search, story_copies_request, story_stats_request
from indexer.outlets import canonical_outlets
from indexer.scan import es_scan
from pipeline.elastic import is_index_missing, make_client, translated
from pipeline.errors import LOCAL_SERVICES_HINT, ServiceUnavailable
from pipeline.model import Article

logger = logging.getLogger(__name__)

load_mapping = elastic_admin.load_mapping
# Fields a result needs; the rest of a (possibly long) document stays on the server.
_HIT_FIELDS = ["article_id", "url", "site", "title", "source", "published_at", "body", "story_id",
               "title_simplified", "body_simplified", "topics", "procuratorates", "regions", "tone",
               "relevance", "indexed_at"]  # fmt: skip
BULK_CHUNK = 500  # documents per bulk request: bounded memory on both sides
MSEARCH_CHUNK = 100  # searches per _msearch request: bounded request and answer sizes
BULK_MAX_BYTES = 10 * 1024 * 1024  # and bytes per request (Elasticsearch's default limit is 100 MB)


def article_to_action(article: Article, index_name: str) -> dict[str, Any]:
    """The bulk action that writes one article: ``_id`` = article_id, so a replay overwrites;
    the external version keeps an older copy from overwriting a newer one.
    """
    return {
        "_op_type": "index",
        "_index": index_name,
        "_id": article.article_id,
        "_source": document_json(article),  # JSON text: the client sends it as is
        "version": doc_version(article),
        "version_type": "external_gte",
    }


class ElasticBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(
        self,
        url: str,
        index_name: str,
        connect_timeout_s: float = 10.0,
        client_options: dict[str, Any] | None = None,
    ) -> None:
        if index_name != index_name.lower() or not index_name:
            raise ValueError(f"Elasticsearch index names must be lower-case: {index_name!r}")
        self.url = url
        self.alias = index_name
        # Searches and bulk writes may take longer than a connection: at least 30 s, and retried.
        self.client = make_client(url, max(30.0, connect_timeout_s), client_options, retries=3)
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

    def _errors(self) -> AbstractContextManager[None]:
        """Translate the client's failures into the pipeline's vocabulary (pipeline/elastic.py)."""
        return translated(self.url, lambda: IndexMissing(self.alias, self.url), TransientIndexError)

    def init(self) -> None:
        with self._errors():
            elastic_admin.init_index(self.client, self.alias)

    def reindex(self, progress: Progress = no_progress) -> dict[str, Any]:
        with self._errors():
            return elastic_admin.reindex(self.client, self.alias, progress)

    def stats(self) -> dict[str, Any]:
        with self._errors():
            return {"backend": self.name, **elastic_admin.stats(self.client, self.alias)}

    def index(self, articles: Sequence[Article]) -> list[IndexOutcome]:
        results: dict[str, IndexOutcome] = {}
        retry_statuses: list[int] = []
        missing = False
        target = elastic_admin.write_alias(self.alias)

        def build(chunk: Sequence[Article]) -> list[dict[str, Any]]:
            actions = []
            for article in chunk:
                try:
                    actions.append(article_to_action(article, target))
                except ValueError as exc:  # can never be indexed as is; the rest goes on
                    error = f"{type(exc).__name__}: {exc}"[:500]
                    results[article.article_id] = IndexOutcome(article.article_id, ok=False, error=error)
            return actions

        def prefetched() -> Iterator[dict[str, Any]]:
            # The next chunk's documents are built while the current bulk request is in flight
            # (the thread runs while this one waits on the socket).
            chunks = [articles[i : i + BULK_CHUNK] for i in range(0, len(articles), BULK_CHUNK)]
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-prep") as pool:
                pending = pool.submit(build, chunks[0]) if chunks else None
                for i in range(len(chunks)):
                    assert pending is not None
                    ready = pending.result()
                    pending = pool.submit(build, chunks[i + 1]) if i + 1 < len(chunks) else None
                    yield from ready

        with self._errors():
            for ok, info in helpers.streaming_bulk(
                self.client,
                prefetched(),
                chunk_size=BULK_CHUNK,
                max_chunk_bytes=BULK_MAX_BYTES,
                raise_on_error=False,
                raise_on_exception=True,  # a connection error fails the batch: the runner retries it
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
                if status == 409:  # the index holds a newer version: nothing to do
                    results[article_id] = IndexOutcome(
                        article_id, ok=True, skipped=True, error="newer version indexed"
                    )
                    continue
                if is_index_missing({"error": error}):
                    missing = True
                elif status == 429 or status >= 500:
                    retry_statuses.append(status)
                reason = error.get("reason", error) if isinstance(error, dict) else error
                results[article_id] = IndexOutcome(article_id, ok=False, error=f"{status}: {reason}"[:500])
        if missing:
            raise IndexMissing(self.alias, self.url)
        if retry_statuses:
            # The engine is overloaded or failing, not the documents: the whole batch is retried
            # (idempotent, as _id = article_id and versions are external).
            raise TransientIndexError(
                f"Elasticsearch at {self.url} refused {len(retry_statuses)} documents "
                f"(status {sorted(set(retry_statuses))})"
            )
        return [results[a.article_id] for a in articles]

    def search(self, query: SearchQuery) -> SearchPage:
        with self._errors():
            resp = self.client.search(index=self.alias, **build_search(query, _HIT_FIELDS))
        return self._page(query, resp)

    def search_many(self, queries: Sequence[SearchQuery]) -> list[SearchPage]:
        """The searches in _msearch requests of MSEARCH_CHUNK: one round trip for many small
        queries (the alerts worker's look at every saved search)."""
        pages: list[SearchPage] = []
        for start in range(0, len(queries), MSEARCH_CHUNK):
            chunk = queries[start : start + MSEARCH_CHUNK]
            searches: list[dict[str, Any]] = []
            for query in chunk:
                body = build_search(query, _HIT_FIELDS)
                if "from_" in body:
                    body["from"] = body.pop("from_")
                body["_source"] = {"includes": body.pop("source_includes")}
                searches += [{"index": self.alias}, body]
            with self._errors():
                resp = self.client.msearch(searches=searches)
            for query, answer in zip(chunk, resp["responses"], strict=True):
                if "error" in answer:
                    if is_index_missing(answer):
                        raise IndexMissing(self.alias, self.url)
                    raise TransientIndexError(f"Elasticsearch at {self.url}: {str(answer['error'])[:500]}")
                pages.append(self._page(query, answer))
        return pages

    def _page(self, query: SearchQuery, resp: Any) -> SearchPage:
        raw_hits = resp["hits"]["hits"]
        hits = [hit_from_document(h["_source"], h.get("_score"), query.terms) for h in raw_hits]
        aggs = resp.get("aggregations", {})
        if hits:
            self._add_story_stats(hits, query.all_copies)
        facets = {
            name[len("facet_") :]: [_bucket(name, b) for b in agg["buckets"]]
            for name, agg in aggs.items()
            if name.startswith("facet_")
        }
        histogram = []
        if "histogram" in aggs and query.histogram:
            pairs = [(b["key_as_string"], b["doc_count"]) for b in aggs["histogram"]["buckets"]]
            histogram = fill_histogram(pairs, query.histogram)
        next_cursor = None
        if not query.collapse_stories and len(raw_hits) == query.size:
            next_cursor = encode_cursor(raw_hits[-1]["sort"])
        return SearchPage(
            total=resp["hits"]["total"]["value"],
            stories=int(aggs.get("stories", {}).get("value", 0)),
            hits=hits,
            facets=facets,
            histogram=histogram,
            next_cursor=next_cursor,
        )

    def scan(self, query: SearchQuery, limit: int) -> Iterator[SearchHit]:
        with self._errors():
            yield from es_scan(self.client, self.alias, query, limit)

    def _add_story_stats(self, hits: list[SearchHit], all_copies: bool) -> None:
        keys = list(dict.fromkeys(h.story_id for h in hits))
        with self._errors():
            resp = self.client.search(
                index=self.alias, **story_stats_request(keys, all_copies, MAX_COPIES_LISTED * len(keys))
            )
        stats = {
            b["key"]: (b["doc_count"], sorted(canonical_outlets(o["key"] for o in b["outlets"]["buckets"])))
            for b in resp["aggregations"]["stories"]["buckets"]
        }
        copies: dict[str, list[StoryCopy]] = {}
        for raw in resp["hits"]["hits"]:
            src = raw["_source"]
            copies.setdefault(src["story_key"], []).append(StoryCopy.model_validate(src))
        for hit in hits:
            count, outlets = stats.get(hit.story_id, (1, hit.outlets))
            hit.copies, hit.outlets = count, outlets
            if all_copies:
                hit.copy_list = copies.get(hit.story_id, [])[:MAX_COPIES_LISTED]

    def get(self, article_id: str) -> Article | None:
        with self._errors():
            resp = self.client.options(ignore_status=404).get(index=self.alias, id=article_id)
        if is_index_missing(resp.body):
            raise IndexMissing(self.alias, self.url)
        if not resp.get("found"):
            return None
        fields = set(Article.model_fields)
        return Article.model_validate({k: v for k, v in resp["_source"].items() if k in fields})

    def count(self) -> int:
        with self._errors():
            return int(self.client.count(index=self.alias)["count"])

    def story_copies(self, story_id: str, limit: int = MAX_STORY_COPIES) -> list[StoryCopy]:
        with self._errors():
            resp = self.client.search(index=self.alias, **story_copies_request(story_id, limit))
        return [StoryCopy.model_validate(h["_source"]) for h in resp["hits"]["hits"]]

    def refresh(self) -> None:
        with self._errors():
            self.client.indices.refresh(index=self.alias)

    def drop(self) -> None:
        with self._errors():
            names = elastic_admin.drop(self.client, self.alias)
        if names:
            logger.info("search index dropped: %s (%s)", self.alias, ", ".join(names))

    def close(self) -> None:
        self.client.close()


def _bucket(agg_name: str, bucket: dict[str, Any]) -> FacetBucket:
    key = str(bucket["key"])
    if agg_name == "facet_topic":  # topic_pairs hold "id<TAB>label"
        value, _, label = key.partition("\t")
        return FacetBucket(value=value, count=bucket["doc_count"], label=label or None)
    return FacetBucket(value=key, count=bucket["doc_count"])
