"""Delivery that can be trusted: sends what the outbox holds, per channel, and records it sent
only after the channel took it — so a crash between the two repeats that one message at the next
start and never loses one. A failing channel backs off (exponential, capped) without holding up
the others (each channel's send runs in its own thread); a robot's rate limit is respected both
ahead (messages a minute it documents) and when it answers with its rate-limit code.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from alerts.channels import Channel, ChannelError, RateLimited, open_channel
from alerts.model import ChannelSpec
from alerts.outbox import Pending
from alerts.store import AlertStore, NotFound
from pipeline.model import utcnow
from pipeline.settings import Settings

log = logging.getLogger(__name__)

RETRY_BASE_S = 5.0  # the first retry of a failed channel; doubles per failure up to the cap
RATE_WINDOW_S = 60.0
FAILING_AFTER = 1  # the web app shows a channel as failing from its first unrecovered failure
MAX_PARALLEL_SENDS = 8


def backoff_s(failures: int, cap_s: float) -> float:
    """Seconds to wait after the ``failures``-th failure in a row: 5, 10, 20 … up to the cap."""
    return float(min(cap_s, RETRY_BASE_S * 2 ** max(0, failures - 1)))


class Deliverer:
    def __init__(
        self,
        store: AlertStore,
        settings: Settings,
        channel_factory: Callable[[ChannelSpec, Settings], Channel] = open_channel,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.settings = settings
        self._factory = channel_factory
        self._clock = clock
        self._recent: dict[str, deque[datetime]] = defaultdict(deque)  # robot URL -> send times
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=MAX_PARALLEL_SENDS, thread_name_prefix="alert-send")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def deliver_due(self) -> int:
        """Send every due delivery once (in parallel per channel); returns the items delivered."""
        now = self._clock()
        futures = [self._pool.submit(self._deliver, pending, now) for pending in self.store.due(now)]
        return sum(f.result() for f in futures)

    def _deliver(self, pending: Pending, now: datetime) -> int:
        try:
            spec = self.store.get(pending.search_id).channels[pending.channel_no]
        except (NotFound, IndexError):
            # The search or this channel was removed after the alert was queued: nothing to send to.
            self.store.mark_sent(pending, now)
            return 0
        wait = self._rate_wait(spec, now)
        if wait is not None:
            self.store.mark_failed(pending.search_id, pending.channel_no, "waiting for the rate limit",
                                   now + wait, count=False)  # fmt: skip
            return 0
        channel = self._factory(spec, self.settings)
        try:
            channel.send(pending.items)
        except RateLimited as error:
            log.warning("rate limited: %s (retry in %.0f s)", spec.label(), error.retry_after_s)
            self.store.mark_failed(pending.search_id, pending.channel_no, str(error),
                                   now + timedelta(seconds=error.retry_after_s), count=False)  # fmt: skip
            return 0
        except ChannelError as error:
            failures = self._failures(pending) + 1
            retry = backoff_s(failures, self.settings.alerts_retry_max_s)
            log.warning(
                "delivery failed (%d in a row, retry in %.0f s): %s: %s", failures, retry, spec.label(), error
            )
            self.store.mark_failed(
                pending.search_id, pending.channel_no, str(error), now + timedelta(seconds=retry)
            )
            return 0
        self.store.mark_sent(pending, self._clock())
        for item in pending.items:
            log.info("sent: %s %s %s", spec.kind, item.kind, item.url)
        return len(pending.items)

    def _failures(self, pending: Pending) -> int:
        for health in self.store.health(pending.search_id):
            if health.channel_no == pending.channel_no:
                return health.failures
        return 0

    def _rate_wait(self, spec: ChannelSpec, now: datetime) -> timedelta | None:
        """How long to wait before this robot may take another message (None: send now); counts the send."""
        limit = self._factory_limit(spec)
        if limit is None:
            return None
        with self._lock:
            recent = self._recent[spec.target]
            while recent and (now - recent[0]).total_seconds() >= RATE_WINDOW_S:
                recent.popleft()
            if len(recent) >= limit:
                return timedelta(seconds=RATE_WINDOW_S) - (now - recent[0])
            recent.append(now)
        return None

    def _factory_limit(self, spec: ChannelSpec) -> int | None:
        from alerts.channels.robots import DingTalkChannel, FeishuChannel, WeComChannel

        limits = {"wecom": WeComChannel.per_minute, "dingtalk": DingTalkChannel.per_minute,
                  "feishu": FeishuChannel.per_minute}  # fmt: skip
        return limits.get(spec.kind)
