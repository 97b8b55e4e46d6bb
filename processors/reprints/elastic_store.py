"""The StoryStore of the scaled deployment: an Elasticsearch index of its own behind the alias
``<index_name>-stories`` (a versioned index, from config/elasticsearch/stories.json, created by
``jiancha index init`` only; a worker that finds it missing stops and says so).

One document per member (``_id`` = article id, the ``Member`` model's JSON) with its LSH bands as
``keyword`` terms (``band_keys``); candidates are a ``terms`` query on them, ranked by how many they
share. A batch is written with one bulk request: its registration with a refresh (``refresh=true`` on the
request, not per document), so that every replica's next search sees it — the merge rule needs it
— and its decisions without one (other workers read them by id, realtime; searches see them within
the refresh interval). A batch's candidates come from one search, its reads from one ``_mget``.
Just over 300 lines: one class implementing the whole ``StoryStore`` interface for one engine, like
its SQLite twin; the query bodies it sends sit beside it so each request reads next to its use.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from elasticsearch import NotFoundError

from pipeline import elastic
from pipeline.errors import SchemaMissing, Transient
from pipeline.stories import MAX_STORY_COPIES
from processors.reprints.fingerprint import BOILERPLATE_STORIES
from processors.reprints.store import CANDIDATE_LIMIT, Lookup, Member, StoryStore, excluded_ids

MAPPING = "stories"  # config/elasticsearch/stories.json
MERGE_ATTEMPTS = 5
# Members one unscored search may return for a whole batch's lookups (its bands, sizes and times
# only); far below the engine's result window. Beyond it, each lookup is searched on its own.
RANK_TOGETHER_MAX = 5000


CONFLICT = 409  # a bulk ``create`` of a document that exists
INDEXED_ONLY = ["band_keys", "paragraphs", "size"]  # what to_document adds to a member's JSON


def band_keys(bands: Iterable[int]) -> list[str]:
    """LSH bands as the ``keyword`` terms they are indexed under: a ``terms`` filter of a batch's
    6 400 bands is then a lookup in the terms dictionary, where on a ``long`` field it walked the
    points tree of every band indexed (its cost grew with the store)."""
    return [str(band) for band in dict.fromkeys(bands)]


def to_document(member: Member) -> dict[str, Any]:
    return {
        **member.model_dump(mode="json"),
        "band_keys": band_keys(member.sketch.bands),
        "paragraphs": sorted(set(member.sketch.paragraphs)),
        "size": member.sketch.size,
    }


def _upgraded(source: dict[str, Any]) -> dict[str, Any]:
    """A member as an older store version held it, as this version writes it."""
    return to_document(from_document(source))


def from_document(doc: dict[str, Any]) -> Member:
    return Member.model_validate(doc)  # bands, paragraphs and size are the sketch's, indexed


def _first_time(source: dict[str, Any]) -> datetime:
    when = datetime.fromisoformat(source.get("published_at") or source["seen_at"])
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def lookup_query(lookup: Lookup) -> dict[str, Any]:
    """One constant-score clause per band: a member's score is the number of bands it shares."""
    low, high = lookup.sizes
    filters: list[dict[str, Any]] = [{"range": {"size": {"gte": low, "lte": high}}}]
    if lookup.window:
        within = {"gte": lookup.window[0].isoformat(), "lte": lookup.window[1].isoformat()}
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
    excluded = excluded_ids(lookup.exclude)
    return {
        "bool": {
            "should": [
                {"constant_score": {"filter": {"term": {"band_keys": key}}}}
                for key in band_keys(lookup.bands)
            ],
            "minimum_should_match": 1,
            "must_not": [{"ids": {"values": excluded}}] if excluded else [],
            "filter": filters,
        }
    }


class ElasticStoryStore(StoryStore):
    def __init__(
        self, url: str, index: str, timeout_s: float = 10.0, client_options: dict[str, Any] | None = None
    ) -> None:
        self.url = url
        self.index = index
        self.client = elastic.make_client(url, timeout_s, client_options)
        self.behind_alias = True  # bulk requests then refuse to auto-create a missing index

    def _calls(self) -> AbstractContextManager[None]:
        """Outages become ServiceUnavailable, overload Transient (both waited out or retried)."""
        return elastic.translated(self.url, self._missing)

    def _missing(self) -> SchemaMissing:
        return SchemaMissing(f"the reprint story store index {self.index!r}", self.url)

    def init(self) -> None:
        """Create the store, or bring an older one up to the mapping's version: a store of version 1
        indexed its bands as numbers (``band_keys`` came with version 2), which a field added to the
        mapping cannot change, so its members are copied into a new index (topics workers stopped)."""
        mapping = elastic.load_mapping(MAPPING)
        with self._calls():
            old = elastic.concrete_index(self.client, self.index)
            if old and elastic.index_version(self.client, old) < elastic.mapping_version(mapping):
                elastic.upgrade_versioned(self.client, self.index, old, mapping, _upgraded)
            else:
                elastic.ensure_versioned(self.client, self.index, mapping)

    def check(self) -> None:
        with self._calls():
            concrete = elastic.concrete_index(self.client, self.index)
            if concrete is None:
                raise self._missing()
            wanted = elastic.mapping_version(elastic.load_mapping(MAPPING))
            if elastic.index_version(self.client, concrete) < wanted:
                raise SchemaMissing(
                    f"the reprint story store index {self.index!r} of version {wanted}", self.url
                )
            # A store made before indices were versioned is a concrete index of this name.
            self.behind_alias = concrete != self.index

    def put(self, member: Member) -> None:
        self.put_many([member])

    def put_many(self, members: Sequence[Member], searchable: bool = True) -> None:
        if members:
            self._raise_item_errors(self._bulk("index", members, searchable))

    def _bulk(self, action: str, members: Sequence[Member], refresh: bool) -> Any:
        """One bulk request of ``action`` (index or create) operations, one per member."""
        operations: list[dict[str, Any]] = []
        for member in members:
            operations += [{action: {"_id": member.article_id}}, to_document(member)]
        with self._calls():
            return self.client.bulk(
                index=self.index, operations=operations, refresh=refresh, require_alias=self.behind_alias
            )

    def register(self, members: Sequence[Member]) -> dict[str, Member]:
        """One bulk request of ``create`` operations: a member already held is refused (409) and
        left as it is; only those are read (realtime), so a batch of new articles costs one request."""
        if not members:
            return {}
        result = self._bulk("create", members, refresh=True)
        held = [
            item["_id"] for item in (i["create"] for i in result["items"]) if item.get("status") == CONFLICT
        ]
        self._raise_item_errors(result, allowed=CONFLICT)
        return self.get_many(held) if held else {}

    def _raise_item_errors(self, result: Any, allowed: int | None = None) -> None:
        if not result["errors"]:
            return
        items = [next(iter(item.values())) for item in result["items"]]
        failed = [item for item in items if item.get("error") and item.get("status") != allowed]
        if not failed:
            return
        if any(elastic.is_index_missing(item) or item.get("status") == 404 for item in failed):
            raise self._missing()
        statuses = sorted({int(item.get("status", 0)) for item in failed})
        message = f"Elasticsearch refused {len(failed)} story store writes (status {statuses}): "
        message += str(failed[0].get("error"))[:300]
        if any(s == 429 or s >= 500 for s in statuses):
            raise Transient(message)
        raise RuntimeError(message)

    def get(self, article_id: str) -> Member | None:
        with self._calls():
            try:
                found = self.client.get(index=self.index, id=article_id)
            except NotFoundError as error:
                if elastic.is_index_missing(error.body):
                    raise self._missing() from error
                return None
        return from_document(found["_source"])

    def get_many(self, article_ids: Iterable[str]) -> dict[str, Member]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        with self._calls():
            # The indexed copies of the sketch's bands and hashes are not part of a member: left out.
            docs = self.client.mget(index=self.index, ids=ids, realtime=True, source_excludes=INDEXED_ONLY)[
                "docs"
            ]
        if any(elastic.is_index_missing(doc) for doc in docs):
            raise self._missing()
        return {doc["_id"]: from_document(doc["_source"]) for doc in docs if doc.get("found")}

    def candidates(
        self,
        bands: Sequence[int],
        exclude: str | Collection[str],
        sizes: tuple[int, int],
        limit: int = CANDIDATE_LIMIT,
        window: tuple[datetime, datetime] | None = None,
    ) -> list[Member]:
        return self.candidates_many([Lookup(bands, exclude, sizes, window, limit)])[0]

    def candidates_many(
        self, lookups: Sequence[Lookup], known: Mapping[str, Member] | None = None
    ) -> list[list[Member]]:
        """The batch's lookups as one filter search (no scoring) for every member sharing a band
        with any of them, ranked per lookup here by the bands it shares, then one realtime read of
        the chosen; a batch with more such members than one answer holds falls back to one scored
        search per lookup (``_msearch``). Both give what ``candidates`` gives for each lookup."""
        if not lookups:
            return []
        found = self._rank_together(lookups, known or {})
        return found if found is not None else self._search_each(lookups)

    def _rank_together(
        self, lookups: Sequence[Lookup], given: Mapping[str, Member]
    ) -> list[list[Member]] | None:
        keys = sorted(band_keys(b for lookup in lookups for b in lookup.bands))
        common = set.intersection(*(set(excluded_ids(lookup.exclude)) for lookup in lookups))
        low = min(lookup.sizes[0] for lookup in lookups)
        high = max(lookup.sizes[1] for lookup in lookups)
        filters: list[dict[str, Any]] = [
            {"terms": {"band_keys": keys}},
            {"range": {"size": {"gte": low, "lte": high}}},
        ]
        query = {
            "bool": {"filter": filters, "must_not": [{"ids": {"values": sorted(common)}}] if common else []}
        }
        with self._calls():
            answer = self.client.search(
                index=self.index, query=query, size=RANK_TOGETHER_MAX, track_total_hits=RANK_TOGETHER_MAX + 1,
                source_includes=["band_keys", "size", "published_at", "seen_at"],
            )  # fmt: skip
        if answer["hits"]["total"]["value"] > RANK_TOGETHER_MAX:
            return None
        known = [(h["_id"], h["_source"]["size"], _first_time(h["_source"])) for h in answer["hits"]["hits"]]
        # Each hit under each of its bands: a lookup counts its shared bands over those lists only.
        by_band: dict[int, list[int]] = defaultdict(list)
        for n, hit in enumerate(answer["hits"]["hits"]):
            for band in {int(key) for key in hit["_source"]["band_keys"]}:
                by_band[band].append(n)
        chosen: list[list[str]] = []
        for lookup in lookups:
            shared = Counter(n for band in set(lookup.bands) for n in by_band.get(band, ()))
            excluded, (low, high), window = set(excluded_ids(lookup.exclude)), lookup.sizes, lookup.window
            ranked = sorted(
                (-count, known[n][0])
                for n, count in shared.items()
                if known[n][0] not in excluded
                and low <= known[n][1] <= high
                and (window is None or window[0] <= known[n][2] <= window[1])
            )
            chosen.append([article_id for _, article_id in ranked[: lookup.limit]])
        wanted = {i for ids in chosen for i in ids}
        members = {i: given[i] for i in wanted if i in given}
        members.update(self.get_many(wanted - members.keys()))
        return [[members[i] for i in ids if i in members] for ids in chosen]

    def _search_each(self, lookups: Sequence[Lookup]) -> list[list[Member]]:
        searches: list[dict[str, Any]] = []
        for lookup in lookups:
            searches += [{}, {"query": lookup_query(lookup), "size": lookup.limit}]
        with self._calls():
            answers = self.client.msearch(index=self.index, searches=searches)["responses"]
        found = []
        for answer in answers:
            if "error" in answer:
                if elastic.is_index_missing(answer):
                    raise self._missing()
                raise Transient(f"Elasticsearch at {self.url}: {str(answer['error'])[:300]}")
            found.append([from_document(hit["_source"]) for hit in answer["hits"]["hits"]])
        # Decisions are written unrefreshed: a match a search shows pending may have decided
        # already. One realtime read by id gives the current state of every such match.
        unsure = {m.article_id for members in found for m in members if m.pending}
        current = self.get_many(unsure) if unsure else {}
        return [[current.get(m.article_id, m) for m in members] for members in found]

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
                # A member whose write a realtime get already showed may not be searchable yet:
                # merges are rare, so one refresh each makes sure none of the story is left out.
                self.client.indices.refresh(index=self.index)
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
            self.client.indices.refresh(index=self.index)  # decisions are written unrefreshed
            result = self.client.search(
                index=self.index, query={"term": {"story_id": story_id}}, size=MAX_STORY_COPIES
            )
        return [from_document(hit["_source"]) for hit in result["hits"]["hits"]]

    def drop(self) -> None:
        with self._calls():
            # An alias cannot be deleted by name: the indices behind it are.
            names = elastic.indices_behind(self.client, self.index) or [self.index]
            self.client.indices.delete(index=",".join(names), ignore_unavailable=True)

    def close(self) -> None:
        self.client.close()
