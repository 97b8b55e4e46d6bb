"""Reprint (转载) detection: every copy of one story gets the same ``story_id``.

``text`` (what is signed) → ``fingerprint`` (sketch and "same story?") → ``store`` (state shared by
replicas: SQLite or Elasticsearch) → ``step`` (the merge rule). ``open_story_store`` picks the
store that matches ``settings.index``.
"""

from __future__ import annotations

from pipeline.settings import Settings
from processors.reprints.store import Story, StoryStore

STORE_FILE = "stories.sqlite3"


def stories_index_name(settings: Settings) -> str:
    return f"{settings.index_name}-stories"


def open_story_store(settings: Settings) -> StoryStore:
    """The StoryStore of this deployment, ready to use (tables or index created if missing)."""
    if settings.index == "elasticsearch":
        from processors.reprints.elastic_store import ElasticStoryStore

        store: StoryStore = ElasticStoryStore(
            settings.elasticsearch_url,
            stories_index_name(settings),
            settings.connect_timeout_s,
            client_options=settings.elasticsearch_client_options(),
        )
    else:
        from processors.reprints.sqlite_store import SqliteStoryStore

        store = SqliteStoryStore(settings.data_dir / STORE_FILE)
    store.init()
    return store


__all__ = ["Story", "StoryStore", "open_story_store", "stories_index_name"]
