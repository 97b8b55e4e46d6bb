"""Crawl state: what the crawler already published, per article URL (content hash and version).

Lets a re-crawl publish only new and changed articles. Lives in ``data_dir/crawl_state.sqlite3``;
rows are written only after the bus acknowledged the articles (see ``pipelines.py``), so a crash in
between re-publishes (at-least-once) rather than loses an article.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.model import utcnow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS published (
    article_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    first_published TEXT NOT NULL,
    last_published TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Seen:
    article_id: str
    url: str
    content_hash: str
    version: int


class CrawlState:
    """A small SQLite table: article id (canonical URL hash) -> last published hash and version."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, timeout=30.0)
        self._conn.execute(_SCHEMA)
        self._conn.commit()

    def get(self, article_id: str) -> Seen | None:
        row = self._conn.execute(
            "SELECT article_id, url, content_hash, version FROM published WHERE article_id = ?", (article_id,)
        ).fetchone()
        return Seen(*row) if row else None

    def record(self, published: Iterable[Seen]) -> None:
        """Remember articles the bus has acknowledged (one transaction)."""
        now = utcnow().isoformat()
        with self._conn:
            self._conn.executemany(
                "INSERT INTO published VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
                "url = excluded.url, content_hash = excluded.content_hash, version = excluded.version, "
                "last_published = excluded.last_published",
                [(s.article_id, s.url, s.content_hash, s.version, now, now) for s in published],
            )

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM published").fetchone()[0])

    def close(self) -> None:
        self._conn.close()
