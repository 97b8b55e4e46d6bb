"""The StoryStore of the scaled deployment: an Elasticsearch index of its own, ``<index_name>-stories``.

One document per member (``_id`` = article id) with its LSH bands as a ``long`` array; candidates
are a ``terms`` query on the bands, scored by how many they share. Writes use ``refresh=true`` so
that a ``put`` that returned is visible to every replica's next search (the merge rule needs it).
The index is created at processor start-up from config/elasticsearch/stories.json.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import elastic_transport
from elasticsearch import ApiError, Elasticsearch, NotFoundError

from pipeline.errors import LOCAL_SERVICES_HINT, ServiceUnavailable, Transient
from pipeline.settings import CONFIG_DIR, elasticsearch_hosts
from processors.reprints.fingerprint import BOILERPLATE_STORIES, Sketch
from processors.reprints.store import CANDIDATE_LIMIT, Member, StoryStore, member_fields

MAPPING_FILE = CONFIG_DIR / "elasticsearch" / "stories.json"
MAX_STORY_COPIES = 1000  # a story reprinted more often than this is listed up to here
MERGE_ATTEMPTS = 5


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def to_document(member: Member) -> dict[str, Any]:
    return {
        "article_id": member.article_id,
        "story_id": member.story_id,
        **member_fields(member),
        "bands": member.sketch.bands,
        "paragraphs": sorted(set(member.sketch.paragraphs)),
        "size": member.sketch.size,
        "sketch": member.sketch.to_dict(),
    }


def from_document(doc: dict[str, Any]) -> Member:
    seen_at, registered_at = _dt(doc["seen_at"]), _dt(doc["registered_at"])
    assert seen_at is not None and registered_at is not None
    return Member(
        article_id=doc["article_id"],
        story_id=doc.get("story_id"),
        url=doc["url"],
        outlet=doc["outlet"],
        source=doc.get("source"),
        published_at=_dt(doc.get("published_at")),
        seen_at=seen_at,
        title=doc.get("title", ""),
        content_hash=doc.get("content_hash", ""),
        registered_at=registered_at,
        sketch=Sketch.from_dict(doc["sketch"]),
    )


class ElasticStoryStore(StoryStore):
    def __init__(
        self, url: str, index: str, timeout_s: float = 10.0, client_options: dict[str, Any] | None = None
    ) -> None:
        self.url = url
        self.index = index
        self.client = Elasticsearch(
            elasticsearch_hosts(url),
            request_timeout=timeout_s,
            retry_on_timeout=False,
            max_retries=0,
            **(client_options or {}),
        )

    @contextmanager
    def _calls(self) -> Iterator[None]:
        """Connection failures become ServiceUnavailable, overload becomes Transient (both retried)."""
        try:
            yield
        except elastic_transport.ConnectionError as error:
            raise ServiceUnavailable("Elasticsearch", self.url, LOCAL_SERVICES_HINT) from error
        except ApiError as error:
            if error.meta.status == 429 or error.meta.status >= 500:
                raise Transient(f"Elasticsearch refused the story store request: {error}") from error
            raise

    def init(self) -> None:
        body = {
            k: v
            for k, v in json.loads(MAPPING_FILE.read_text(encoding="utf-8")).items()
            if not k.startswith("_")
        }
        with self._calls():
            if not self.client.indices.exists(index=self.index):
                try:
                    self.client.indices.create(index=self.index, **body)
                    return
                except ApiError as error:  # another replica created it first
                    if error.meta.status != 400 or "already_exists" not in str(error):
                        raise
            # An index created before a field was added gets it (adding fields is always allowed).
            self.client.indices.put_mapping(index=self.index, properties=body["mappings"]["properties"])

    def put(self, member: Member) -> None:
        with self._calls():
            self.client.index(
                index=self.index, id=member.article_id, document=to_document(member), refresh=True
            )

    def get(self, article_id: str) -> Member | None:
        with self._calls():
            try:
                found = self.client.get(index=self.index, id=article_id)
            except NotFoundError:
                return None
        return from_document(found["_source"])

    def candidates(
        self,
        bands: Sequence[int],
        exclude: str,
        sizes: tuple[int, int],
        limit: int = CANDIDATE_LIMIT,
        window: tuple[datetime, datetime] | None = None,
    ) -> list[Member]:
        # One constant-score clause per band: a member's score is the number of bands it shares.
        filters: list[dict[str, Any]] = [{"range": {"size": {"gte": sizes[0], "lte": sizes[1]}}}]
        if window:
            within = {"gte": window[0].isoformat(), "lte": window[1].isoformat()}
            undated = {"bool": {"must_not": [{"exists": {"field": "published_at"}}]}}
            filters.append(
                {
                    "bool": {
                        "should": [
                            {"range": {"published_at": within}},
                            {"bool": {"filter": [undated, {"range": {"seen_at": within}}]}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
        query = {
            "bool": {
                "should": [{"constant_score": {"filter": {"term": {"bands": band}}}} for band in bands],
                "minimum_should_match": 1,
                "must_not": [{"ids": {"values": [exclude]}}] if exclude else [],
                "filter": filters,
            }
        }
        with self._calls():
            result = self.client.search(index=self.index, query=query, size=limit)
        return [from_document(hit["_source"]) for hit in result["hits"]["hits"]]

    def boilerplate(self, paragraphs: Collection[int], stories: int = BOILERPLATE_STORIES) -> set[int]:
        hashes = sorted(set(paragraphs))
        if not hashes:
            return set()
        query = {"bool": {"filter": [{"terms": {"paragraphs": hashes}}, {"exists": {"field": "story_id"}}]}}
        aggs = {
            "paragraphs": {
                "terms": {"field": "paragraphs", "include": hashes, "size": len(hashes)},
                # Exact below the precision threshold: counts this small are.
                "aggs": {"stories": {"cardinality": {"field": "story_id", "precision_threshold": 1000}}},
            }
        }
        with self._calls():
            result = self.client.search(index=self.index, query=query, aggs=aggs, size=0)
        return {
            int(bucket["key"])
            for bucket in result["aggregations"]["paragraphs"]["buckets"]
            if bucket["stories"]["value"] >= stories
        }

    def merge(self, story_ids: Collection[str], into: str) -> None:
        # Partial updates guarded by sequence numbers (no scripting or _update_by_query needed): a
        # member re-written meanwhile is a conflict, and the members are read again.
        others = sorted(set(story_ids) - {into})
        if not others:
            return
        for _ in range(MERGE_ATTEMPTS):
            with self._calls():
                hits = self.client.search(
                    index=self.index,
                    query={"terms": {"story_id": others}},
                    size=MAX_STORY_COPIES,
                    seq_no_primary_term=True,
                    source=False,
                )["hits"]["hits"]
                if not hits:
                    return
                operations: list[dict[str, Any]] = []
                for hit in hits:
                    operations.append(
                        {
                            "update": {
                                "_id": hit["_id"],
                                "if_seq_no": hit["_seq_no"],
                                "if_primary_term": hit["_primary_term"],
                            }
                        }
                    )
                    operations.append({"doc": {"story_id": into}})
                result = self.client.bulk(index=self.index, operations=operations, refresh=True)
            if not result["errors"]:
                return

    def members(self, story_id: str) -> list[Member]:
        with self._calls():
            result = self.client.search(
                index=self.index, query={"term": {"story_id": story_id}}, size=MAX_STORY_COPIES
            )
        return [from_document(hit["_source"]) for hit in result["hits"]["hits"]]

    def drop(self) -> None:
        with self._calls():
            self.client.indices.delete(index=self.index, ignore_unavailable=True)

    def close(self) -> None:
        self.client.close()
