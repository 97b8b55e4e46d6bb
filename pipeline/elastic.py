"""The one Elasticsearch layer of the project: the client built from settings, the translation of the
client's failures into the pipeline's vocabulary, the mapping files of config/elasticsearch/, and
versioned indices behind an alias. Used by the article index (indexer/), the reprint story store
(processors/reprints/) and the operations tools; imported only by code that talks to Elasticsearch.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import elastic_transport
from elasticsearch import ApiError, Elasticsearch, helpers

from pipeline.errors import LOCAL_SERVICES_HINT, ServiceUnavailable, Transient
from pipeline.settings import CONFIG_DIR, Settings, elasticsearch_hosts

log = logging.getLogger(__name__)

MAPPINGS_DIR = CONFIG_DIR / "elasticsearch"


def make_client(
    url: str,
    timeout_s: float,
    client_options: dict[str, Any] | None = None,
    retries: int = 0,
) -> Elasticsearch:
    """A client of ``url`` (one node, or a cluster's nodes separated by commas: requests are spread
    over them and a node that stops answering is left for the others); ``client_options`` are the
    credentials and CA of ``Settings.elasticsearch_client_options``. ``retries`` > 0 also retries
    timeouts."""
    return Elasticsearch(
        elasticsearch_hosts(url),
        request_timeout=timeout_s,
        max_retries=retries,
        retry_on_timeout=retries > 0,
        **(client_options or {}),
    )


def client_from_settings(
    settings: Settings, timeout_s: float | None = None, retries: int = 0
) -> Elasticsearch:
    """The client of ``settings.elasticsearch_url`` with its credentials and CA."""
    return make_client(
        settings.elasticsearch_url,
        timeout_s or settings.connect_timeout_s,
        settings.elasticsearch_client_options(),
        retries,
    )


def is_index_missing(body: Any) -> bool:
    """Whether an answer (or one item of a bulk/msearch answer) says the index does not exist."""
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and error.get("type") == "index_not_found_exception"


@contextmanager
def translated(
    url: str,
    missing: Callable[[], Exception] | None = None,
    overloaded: Callable[[str], Exception] = Transient,
) -> Iterator[None]:
    """Connection failures and timeouts become ``ServiceUnavailable`` (an outage the runner waits
    out); a missing index becomes ``missing()`` when given; 429 and 5xx become ``overloaded``
    (retried); any other answer is raised as the client raised it (a bad request is our bug)."""
    try:
        yield
    # ConnectionTimeout is not a subclass of elastic_transport.ConnectionError: both are named.
    except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as error:
        raise ServiceUnavailable("Elasticsearch", url, LOCAL_SERVICES_HINT) from error
    except ApiError as error:
        if missing is not None and is_index_missing(error.body):
            raise missing() from error
        if error.meta.status == 429 or error.meta.status >= 500:
            raise overloaded(f"Elasticsearch at {url} answered {error.meta.status}: {error}") from error
        raise


def load_mapping(name: str) -> dict[str, Any]:
    """Settings and mappings of config/elasticsearch/<name>.json (top-level ``_`` keys are comments)."""
    data: dict[str, Any] = json.loads((MAPPINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def mapping_version(mapping: dict[str, Any]) -> int:
    """The ``mappings._meta.version`` of a mapping file (1 when it has none)."""
    return int(mapping["mappings"].get("_meta", {}).get("version", 1))


def write_alias(alias: str) -> str:
    return f"{alias}-write"


def indices_behind(client: Elasticsearch, name: str) -> list[str]:
    """The concrete indices an alias points to (none when it does not exist)."""
    resp = client.options(ignore_status=404).indices.get_alias(name=name)
    return sorted(k for k in resp.body if k not in ("error", "status"))


def create_versioned(client: Elasticsearch, alias: str, mapping: dict[str, Any], aliases: list[str]) -> str:
    """Create ``<alias>-v<version>`` carrying ``aliases``; another process creating it first is fine."""
    concrete = f"{alias}-v{mapping_version(mapping)}"
    created = client.options(ignore_status=400).indices.create(
        index=concrete, aliases={name: {} for name in aliases}, **mapping
    )
    if "error" in created and created["error"]["type"] != "resource_already_exists_exception":
        raise RuntimeError(f"cannot create index {concrete}: {created['error']}")
    return concrete


def ensure_versioned(client: Elasticsearch, alias: str, mapping: dict[str, Any]) -> str:
    """A versioned index behind ``alias`` (idempotent); an existing one gets the fields added since
    it was created (adding fields is always allowed). A concrete index named ``alias``, made before
    indices were versioned, is kept as it is, with the new fields. Returns the concrete index."""
    existing = indices_behind(client, alias)
    if not existing and client.indices.exists(index=alias):
        existing = [alias]
    if existing:
        client.indices.put_mapping(index=existing[-1], properties=mapping["mappings"]["properties"])
        return existing[-1]
    concrete = create_versioned(client, alias, mapping, [alias])
    log.info("index ready: %s -> %s", alias, concrete)
    return concrete


def concrete_index(client: Elasticsearch, alias: str) -> str | None:
    """The index ``alias`` names: the newest behind it, or a concrete index of that name made before
    indices were versioned; None when neither exists."""
    behind = indices_behind(client, alias)
    if behind:
        return behind[-1]
    return alias if client.indices.exists(index=alias) else None


def index_version(client: Elasticsearch, concrete: str) -> int:
    """The ``_meta.version`` an existing index was created with (1 when it has none)."""
    mappings = client.indices.get_mapping(index=concrete)[concrete]["mappings"]
    return int(mappings.get("_meta", {}).get("version", 1))


def upgrade_versioned(
    client: Elasticsearch,
    alias: str,
    old: str,
    mapping: dict[str, Any],
    convert: Callable[[dict[str, Any]], dict[str, Any]],
) -> str:
    """Copy every document of ``old`` (each source through ``convert``) into a new index of
    ``mapping``'s version, then point ``alias`` at it and delete ``old`` in one atomic alias update.
    For a change an added field cannot make (a field's type). The index's writers must be stopped:
    a write during the copy would be lost with ``old``. Returns the new index."""
    new = create_versioned(client, alias, mapping, [])
    actions = (
        {"_index": new, "_id": hit["_id"], "_source": convert(hit["_source"])}
        for hit in helpers.scan(client, index=old, query={"query": {"match_all": {}}}, size=1000)
    )
    copied, _ = helpers.bulk(client, actions, chunk_size=1000, stats_only=True)
    client.indices.refresh(index=new)
    client.indices.update_aliases(
        actions=[{"add": {"index": new, "alias": alias}}, {"remove_index": {"index": old}}]
    )
    log.info("index upgraded: %s -> %s (%d documents copied from %s)", alias, new, copied, old)
    return new
