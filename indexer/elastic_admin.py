"""Life cycle of the Elasticsearch index, run by `jiancha index init|reindex|stats` (never by a
worker): versioned concrete indices behind a read alias ``<name>`` and a write alias
``<name>-write``.

Reindex without downtime or lost writes (no ``_reindex`` API needed; the local distribution has
no reindex module):

1. create the new index from config/elasticsearch/articles.json;
2. move the write alias to it in one atomic alias action — from now on the indexer writes there;
3. copy every document of the old index with search_after + bulk, each carrying the old
   document's version as a strict ``external`` version: a document the indexer already wrote to
   the new index (same or newer version) is never overwritten by the copy (409, counted as kept);
4. refresh, then move the read alias in one atomic action, and delete the old index.

Readers keep reading the old index until step 4, so search never goes down; they miss only what
was written during the copy, until the swap. Nothing is lost: every write after step 2 lands in the
new index, every document before it is copied.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch, helpers

from indexer.base import Progress, no_progress
from pipeline import elastic
from pipeline.elastic import indices_behind, write_alias

logger = logging.getLogger(__name__)

MAPPING = "articles"  # config/elasticsearch/articles.json
COPY_BATCH = 500  # documents per search_after page and per bulk request while copying

__all__ = ["indices_behind", "init_index", "load_mapping", "mapping_version", "reindex", "write_alias"]


def load_mapping() -> dict[str, Any]:
    """The articles index settings and mappings."""
    return elastic.load_mapping(MAPPING)


def mapping_version() -> int:
    return elastic.mapping_version(load_mapping())


def init_index(client: Elasticsearch, alias: str) -> str:
    """Create ``<alias>-v<version>`` with both aliases, unless the read alias exists (idempotent)."""
    existing = indices_behind(client, alias)
    if existing:
        if not indices_behind(client, write_alias(alias)):
            # An index made before the write alias existed: writes go where reads are.
            client.indices.put_alias(index=existing[-1], name=write_alias(alias))
        logger.info("search index already exists: %s -> %s", alias, ", ".join(existing))
        return existing[-1]
    if client.indices.exists(index=alias):
        raise RuntimeError(
            f"an index named {alias!r} exists that is not an alias (created by a bulk request "
            "before init?); delete it or choose another index_name"
        )
    concrete = elastic.create_versioned(client, alias, load_mapping(), [alias, write_alias(alias)])
    logger.info("search index ready: %s -> %s", alias, concrete)
    return concrete


def _documents(client: Elasticsearch, index: str) -> Iterator[dict[str, Any]]:
    """Every document of the index with its version, in article_id order (search_after)."""
    after: list[Any] | None = None
    while True:
        kwargs: dict[str, Any] = {"search_after": after} if after else {}
        resp = client.search(
            index=index, size=COPY_BATCH, sort=[{"article_id": "asc"}], version=True,
            query={"match_all": {}}, **kwargs,
        )  # fmt: skip
        hits = resp["hits"]["hits"]
        if not hits:
            return
        yield from hits
        after = hits[-1]["sort"]


def reindex(client: Elasticsearch, alias: str, progress: Progress = no_progress) -> dict[str, Any]:
    """Build a new index from the current mapping file and the old index; swap the aliases."""
    old = indices_behind(client, write_alias(alias)) or indices_behind(client, alias)
    if not old:
        raise RuntimeError(f"there is no index {alias!r} to reindex; create it with `jiancha index init`")
    (source,) = old[-1:]
    target = f"{alias}-v{mapping_version()}-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}"
    started = time.monotonic()
    client.indices.create(index=target, **load_mapping())
    actions = [{"remove": {"index": i, "alias": write_alias(alias)}} for i in old]
    client.indices.update_aliases(actions=[*actions, {"add": {"index": target, "alias": write_alias(alias)}}])
    logger.info("reindex: writes now go to %s; copying %s", target, source)
    copied = skipped = 0
    copy_actions = (
        {"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": hit["_source"],
         "version": hit["_version"], "version_type": "external"}
        for hit in _documents(client, source)
    )  # fmt: skip
    total = int(client.count(index=source)["count"])
    written = helpers.streaming_bulk(client, copy_actions, chunk_size=COPY_BATCH, raise_on_error=False)
    for ok, info in progress(written, total):
        item = next(iter(info.values()))
        if ok:
            copied += 1
        elif item.get("status") == 409:
            skipped += 1  # the indexer wrote a newer version meanwhile
        else:
            raise RuntimeError(f"reindex failed on {item.get('_id')}: {item.get('error')}")
    client.indices.refresh(index=target)
    readers = indices_behind(client, alias)
    swap = [{"remove": {"index": i, "alias": alias}} for i in readers]
    client.indices.update_aliases(actions=[*swap, {"add": {"index": target, "alias": alias}}])
    for index in set(readers) | set(old):
        client.indices.delete(index=index)
    logger.info("reindex: %s now serves %s (%d copied, %d newer kept)", target, alias, copied, skipped)
    return {
        "from": source,
        "to": target,
        "copied": copied,
        "newer_kept": skipped,
        "seconds": round(time.monotonic() - started, 2),
    }


def stats(client: Elasticsearch, alias: str) -> dict[str, Any]:
    readers = indices_behind(client, alias)
    body = client.indices.stats(index=alias, metric=["docs", "store"]).body["_all"]["primaries"]
    docs = int(client.count(index=alias)["count"])
    size = int(body["store"]["size_in_bytes"])
    return {
        "documents": docs,
        "size_bytes": size,
        "bytes_per_document": round(size / docs) if docs else None,
        "read_alias": {alias: readers},
        "write_alias": {write_alias(alias): indices_behind(client, write_alias(alias))},
        "mapping_version": mapping_version(),
    }


def drop(client: Elasticsearch, alias: str) -> list[str]:
    names = sorted(set(indices_behind(client, alias)) | set(indices_behind(client, write_alias(alias))))
    if names:
        client.indices.delete(index=",".join(names))
    return names
