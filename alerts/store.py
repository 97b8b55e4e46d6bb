"""The monitor's durable state, one SQLite file under ``data_dir`` (``alerts.sqlite3``) for both
deployments: saved searches, each search's watermark, the stories already announced, the events
(the Atom feed reads them), the outbox of deliveries per channel and each channel's health.

Why SQLite with Kafka + Elasticsearch too: this state is small (rows per saved search and per
announced story), must change in one transaction with what it records ("story announced" and
"message queued" together), and belongs to the one alerts worker; a Kafka topic or an index
offers neither. Run one alerts worker per data folder.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from alerts.items import AlertItem
from alerts.model import SavedSearch
from alerts.outbox import ChannelHealth, DeliveryStore, from_ts, to_ts
from pipeline.model import utcnow
from pipeline.settings import Settings


class NotFound(KeyError):
    """No saved search with that id (or name)."""


class DuplicateName(ValueError):
    """The owner already has a saved search of that name."""


class AlertStore(DeliveryStore):
    """Saved searches, watermarks, announced stories and events, plus the outbox (DeliveryStore)."""

    # -- saved searches ---------------------------------------------------------------------

    def add(self, search: SavedSearch, now: datetime | None = None) -> SavedSearch:
        """Store a new saved search; it alerts on what is indexed from now on."""
        now = now or utcnow()
        spec = search.model_copy(update={"id": None, "created_at": now})
        try:
            with self._tx() as conn:
                cur = conn.execute(
                    "INSERT INTO saved_searches (owner, name, spec, watermark, created_at) VALUES (?, ?, ?, ?, ?)",
                    (spec.owner, spec.name, spec.model_dump_json(), to_ts(now), to_ts(now)),
                )
        except sqlite3.IntegrityError:
            raise DuplicateName(f"{search.owner} already has a saved search named {search.name!r}") from None
        return spec.model_copy(update={"id": cur.lastrowid})

    def update(self, search: SavedSearch) -> SavedSearch:
        """Replace a saved search's definition; its watermark and announced stories stay."""
        if search.id is None:
            raise NotFound("a saved search without id")
        current = self.get(search.id)
        search = search.model_copy(update={"created_at": current.created_at})
        try:
            with self._tx() as conn:
                conn.execute(
                    "UPDATE saved_searches SET owner = ?, name = ?, spec = ? WHERE id = ?",
                    (search.owner, search.name, search.model_dump_json(exclude={"id"}), search.id),
                )
        except sqlite3.IntegrityError:
            raise DuplicateName(f"{search.owner} already has a saved search named {search.name!r}") from None
        return search

    def remove(self, search_id: int) -> None:
        with self._tx() as conn:
            if conn.execute("DELETE FROM saved_searches WHERE id = ?", (search_id,)).rowcount == 0:
                raise NotFound(f"no saved search {search_id}")
            for table in ("announced", "events", "outbox", "channel_state"):
                conn.execute(f"DELETE FROM {table} WHERE search_id = ?", (search_id,))

    def get(self, search_id: int) -> SavedSearch:
        rows = self._rows("SELECT id, spec FROM saved_searches WHERE id = ?", (search_id,))
        if not rows:
            raise NotFound(f"no saved search {search_id}")
        return SavedSearch.model_validate_json(rows[0][1]).model_copy(update={"id": rows[0][0]})

    def find(self, name_or_id: str) -> SavedSearch:
        if name_or_id.isdigit():
            return self.get(int(name_or_id))
        rows = self._rows("SELECT id FROM saved_searches WHERE name = ? ORDER BY id", (name_or_id,))
        if len(rows) != 1:
            raise NotFound(
                f"no saved search named {name_or_id!r}"
                if not rows
                else f"several named {name_or_id!r}: use the id"
            )
        return self.get(rows[0][0])

    def searches(self, owner: str | None = None) -> list[SavedSearch]:
        where = "" if owner is None else " WHERE owner = ?"
        rows = self._rows(
            f"SELECT id, spec FROM saved_searches{where} ORDER BY id", () if owner is None else (owner,)
        )
        return [SavedSearch.model_validate_json(spec).model_copy(update={"id": i}) for i, spec in rows]

    def by_feed_token(self, search_id: int, token: str) -> SavedSearch | None:
        try:
            search = self.get(search_id)
        except NotFound:
            return None
        import hmac

        return search if hmac.compare_digest(search.feed_token, token) else None

    # -- matching ---------------------------------------------------------------------------

    def watermark(self, search_id: int) -> datetime:
        rows = self._rows("SELECT watermark FROM saved_searches WHERE id = ?", (search_id,))
        if not rows:
            raise NotFound(f"no saved search {search_id}")
        value = from_ts(rows[0][0])
        assert value is not None
        return value

    def watermarks(self) -> dict[int, datetime]:
        """Every saved search's watermark (one read for a whole look)."""
        return {i: from_ts(w) or utcnow() for i, w in self._rows("SELECT id, watermark FROM saved_searches")}

    def announced(self, search_id: int, story_keys: Sequence[str]) -> dict[str, tuple[int, bool]]:
        """story_key -> (copies when announced, "carried" already sent) of those already announced."""
        if not story_keys:
            return {}
        rows = self._rows(
            f"SELECT story_key, copies, carried_sent FROM announced WHERE search_id = ? "
            f"AND story_key IN ({','.join('?' * len(story_keys))})",
            (search_id, *story_keys),
        )
        return {key: (copies, bool(carried)) for key, copies, carried in rows}

    def record(
        self,
        search: SavedSearch,
        items: Sequence[tuple[AlertItem, datetime]],
        watermark: datetime,
        now: datetime | None = None,
    ) -> list[int]:
        """In one transaction: mark the items' stories announced, store each as an event, queue
        one delivery per channel at its due time, and move the watermark. Returns the event ids."""
        assert search.id is not None
        at = to_ts(now or utcnow())
        event_ids: list[int] = []
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM saved_searches WHERE id = ?", (search.id,)).fetchone() is None:
                return []  # removed meanwhile
            for item, due in items:
                conn.execute(
                    "INSERT INTO announced (search_id, story_key, copies, carried_sent, at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (search_id, story_key) DO UPDATE SET copies = excluded.copies, "
                    "carried_sent = max(carried_sent, excluded.carried_sent)",
                    (search.id, item.story_key, item.copies, int(item.kind == "carried"), at),
                )
                cur = conn.execute(
                    "INSERT INTO events (search_id, item, at) VALUES (?, ?, ?)",
                    (search.id, item.model_dump_json(), at),
                )
                assert cur.lastrowid is not None
                event_ids.append(cur.lastrowid)
                conn.executemany(
                    "INSERT INTO outbox (event_id, search_id, channel_no, due_at) VALUES (?, ?, ?, ?)",
                    [(cur.lastrowid, search.id, n, to_ts(due)) for n in range(len(search.channels))],
                )
            conn.execute(
                "UPDATE saved_searches SET watermark = max(watermark, ?) WHERE id = ?",
                (to_ts(watermark), search.id),
            )
        return event_ids

    def advance(self, watermarks: dict[int, datetime]) -> None:
        """Move the watermarks of searches that found nothing new, in one transaction (a look at
        500 searches is one disk sync, not 500). Losing this in a crash costs a second look at
        the same minutes, never an alert: the announced stories are what prevents a repeat."""
        with self._tx() as conn:
            conn.executemany(
                "UPDATE saved_searches SET watermark = max(watermark, ?) WHERE id = ?",
                [(to_ts(at), search_id) for search_id, at in watermarks.items()],
            )

    def events(self, search_id: int, limit: int = 50) -> list[tuple[AlertItem, datetime]]:
        """The newest events of a search (the Atom feed), newest first, with when they were recorded."""
        rows = self._rows(
            "SELECT item, at FROM events WHERE search_id = ? ORDER BY id DESC LIMIT ?", (search_id, limit)
        )
        return [(AlertItem.model_validate_json(item), from_ts(at) or utcnow()) for item, at in rows]

    def health(self, search_id: int | None = None) -> list[ChannelHealth]:
        """Every channel's state (one per channel of every saved search), with its unsent count."""
        searches = [self.get(search_id)] if search_id is not None else self.searches()
        states = {
            (s, c): row
            for s, c, *row in self._rows(
                "SELECT search_id, channel_no, failures, last_error, last_ok, last_failure, next_attempt FROM channel_state"
            )
        }
        pending = dict(
            ((s, c), n)
            for s, c, n in self._rows(
                "SELECT search_id, channel_no, count(*) FROM outbox WHERE sent_at IS NULL GROUP BY search_id, channel_no"
            )
        )
        result = []
        for search in searches:
            assert search.id is not None
            for n in range(len(search.channels)):
                failures, error, ok, failed, retry = states.get((search.id, n), (0, None, None, None, 0))
                result.append(ChannelHealth(search.id, n, failures, error, from_ts(ok), from_ts(failed),
                                            from_ts(retry) if retry else None, pending.get((search.id, n), 0)))  # fmt: skip
        return result


def open_store(settings: Settings) -> AlertStore:
    """The store of this deployment: ``alerts.sqlite3`` in the data folder."""
    return AlertStore(settings.data_dir / "alerts.sqlite3")
