"""The alerts worker (``jiancha alerts``): every ``alerts_poll_s`` it runs each active saved search
as an incremental query against the index (alerts/matcher.py), records the new stories and queues
their deliveries in one transaction (alerts/store.py), then sends what is due (alerts/delivery.py).

Stopping (SIGTERM): a look that is still querying the index has written nothing, so it is dropped
at once (an Elasticsearch request with its retries can take minutes on a sick cluster, longer than
a deploy waits); a look that is recording, and any delivery, is finished first, so a graceful
restart sends nothing twice.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from alerts.delivery import Deliverer
from alerts.matcher import decide, new_hits, new_hits_many
from alerts.model import SavedSearch
from alerts.schedule import due_at
from alerts.store import AlertStore
from indexer import IndexMissing, QueryError, SearchBackend, SearchHit, TransientIndexError
from pipeline.errors import ServiceUnavailable
from pipeline.model import utcnow
from pipeline.settings import Settings

log = logging.getLogger(__name__)


class StopReading(BaseException):
    """Raised by the SIGTERM handler while a look only reads the index. A BaseException, like
    KeyboardInterrupt, so that no client library's ``except Exception`` retries it."""


class AlertsWorker:
    def __init__(
        self,
        settings: Settings,
        backend: SearchBackend,
        store: AlertStore,
        deliverer: Deliverer | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.store = store
        self.deliverer = deliverer or Deliverer(store, settings, clock=clock)
        self._clock = clock
        self.overlap = timedelta(seconds=settings.alerts_overlap_s)
        self._reading = False  # inside the index queries of a look: nothing written yet

    def stop_on_sigterm(self, stop: threading.Event) -> None:
        """SIGTERM (and SIGINT) set ``stop``; during a look's queries they also abandon the look.
        Call from the main thread, which is where Python runs signal handlers."""

        def handle(signum: int, _frame: object) -> None:
            stop.set()
            if self._reading:
                raise StopReading(signal.Signals(signum).name)

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)

    def look(self) -> int:
        """One look at every saved search; returns the alerts recorded."""
        watermarks = self.store.watermarks()
        now = self._clock()  # before the queries: whatever is written after is seen next time
        quiet: dict[int, datetime] = {}
        active: list[tuple[SavedSearch, datetime]] = []
        for search in self.store.searches():
            assert search.id is not None
            if search.paused:  # a paused search does not catch up on what it missed
                quiet[search.id] = now
                continue
            since = (watermarks.get(search.id) or now) - self.overlap
            if search.created_at is not None:  # the overlap never reaches back before the search existed
                since = max(since, search.created_at)
            active.append((search, since))
        recorded = 0
        for (search, _since), hits in zip(active, self._hits(active), strict=True):
            assert search.id is not None
            if hits is None:
                continue
            items = decide(search, hits, self.store.announced(search.id, [h.story_id for h in hits]))
            if not items:
                quiet[search.id] = now
                continue
            self.store.record(search, [(item, due_at(search, now)) for item in items], watermark=now)
            for item in items:
                log.info("alert: search %s %s %s", search.id, item.kind, item.url)
            recorded += len(items)
        if quiet:
            self.store.advance(quiet)
        return recorded

    def _hits(self, active: list[tuple[SavedSearch, datetime]]) -> list[list[SearchHit] | None]:
        """Every active search's new hits in one batch; should a query fail, each on its own, and
        a search the index refuses (None) is logged, not fatal to the others."""
        self._reading = True
        try:
            return self._query(active)
        finally:
            self._reading = False

    def _query(self, active: list[tuple[SavedSearch, datetime]]) -> list[list[SearchHit] | None]:
        try:
            return list(new_hits_many(self.backend, active))
        except QueryError:
            pass
        results: list[list[SearchHit] | None] = []
        for search, since in active:
            try:
                results.append(new_hits(self.backend, search, since))
            except QueryError as error:  # stored before a syntax change: the person must edit it
                log.error("saved search %s (%s) cannot run: %s", search.id, search.name, error)
                results.append(None)
        return results

    def run_once(self) -> tuple[int, int]:
        """Look, then deliver: (alerts recorded, items delivered)."""
        return self.look(), self.deliverer.deliver_due()

    def run(self, stop: threading.Event) -> None:
        """Until ``stop`` is set; an index that is down or missing is waited for, not fatal."""
        log.info("alerts worker started: %d saved searches, a look every %.1f s",
                 len(self.store.searches()), self.settings.alerts_poll_s)  # fmt: skip
        while not stop.is_set():
            try:
                self.look()
            except StopReading as signum:
                log.info("%s during a look's queries: the look is dropped, nothing was written", signum)
                break
            except (ServiceUnavailable, TransientIndexError, IndexMissing) as error:
                log.warning(
                    "the index cannot be read now, next look in %.1f s: %s",
                    self.settings.alerts_poll_s,
                    error,
                )
            self.deliverer.deliver_due()  # what is queued leaves even while the index is down
            stop.wait(self.settings.alerts_poll_s)
        self.deliverer.close()
        log.info("alerts worker stopped")
