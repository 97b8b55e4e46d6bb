"""Reprint (转载) detection: every copy of one story gets the same ``story_id``.

``text`` (what is signed) → ``fingerprint`` (sketch and "same story?") → ``store`` (state shared by
replicas: SQLite or Elasticsearch) → ``step`` (the merge rule, decided a batch at a time).
``open_story_store`` picks the store that matches ``settings.index``; its schema is made by
``jiancha index init`` (``StoryStore.init``), never by a worker.
"""

from __future__ import annotations

from pipeline.settings import Settings
from processors.reprints.store import Story, StoryStore

STORE_FILE = "stories.sqlite3"


def stories_index_name(settings: Settings) -> str:
    return f"{settings.index_name}-stories"


def open_story_store(settings: Settings) -> StoryStore:
    """The StoryStore of this deployment, connected; ``init`` creates its schema, ``check`` says
    whether it exists (see ``ready_story_store``)."""
    if settings.index == "elasticsearch":
        from processors.reprints.elastic_store import ElasticStoryStore

        return ElasticStoryStore(
            settings.elasticsearch_url,
            stories_index_name(settings),
            settings.connect_timeout_s,
            client_options=settings.elasticsearch_client_options(),
        )
    from processors.reprints.sqlite_store import SqliteStoryStore

    return SqliteStoryStore(settings.data_dir / STORE_FILE)


def ready_story_store(settings: Settings) -> StoryStore:
    """The store a worker uses: raises ``SchemaMissing`` (saying to run ``jiancha index init``) when
    its tables or index do not exist, ``ServiceUnavailable`` when Elasticsearch is unreachable."""
    store = open_story_store(settings)
    try:
        store.check()
    except BaseException:
        store.close()
        raise
    return store


__all__ = ["Story", "StoryStore", "open_story_store", "ready_story_store", "stories_index_name"]
