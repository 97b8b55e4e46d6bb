"""The indexer stage: search backends (Elasticsearch, embedded SQLite FTS5) behind one interface."""

from __future__ import annotations

from indexer.base import (
    IndexMissing,
    IndexOutcome,
    QueryError,
    SearchBackend,
    SearchHit,
    SearchPage,
    SearchQuery,
    TransientIndexError,
)
from pipeline.settings import Settings

__all__ = [
    "IndexMissing",
    "IndexOutcome",
    "QueryError",
    "SearchBackend",
    "SearchHit",
    "SearchPage",
    "SearchQuery",
    "TransientIndexError",
    "open_index",
]


def open_index(settings: Settings) -> SearchBackend:
    """The backend the settings name. Raises ServiceUnavailable (within ``connect_timeout_s``)
    when Elasticsearch cannot be reached; never creates the index (``init`` does).
    """
    if settings.index == "elasticsearch":
        from indexer.elastic_backend import ElasticBackend

        return ElasticBackend(
            settings.elasticsearch_url,
            settings.index_name,
            connect_timeout_s=settings.connect_timeout_s,
            client_options=settings.elasticsearch_client_options(),
        )
    from indexer.sqlite_backend import SqliteBackend

    return SqliteBackend(
        settings.data_dir / f"{settings.index_name}.sqlite3",
        settings.index_name,
        timeout_s=settings.connect_timeout_s,
    )
