"""Worker heartbeats on the ``ops.heartbeats`` topic: every few seconds each worker process publishes
its outcome counts per stage (``pipeline.metrics.snapshot``), so ``jiancha status`` sees every
replica of every stage on either bus, without scraping each one."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline import metrics
from pipeline.bus import Bus
from pipeline.bus.inspect import read_topic
from pipeline.topics import heartbeats_topic

log = logging.getLogger(__name__)

# Status reads only the last few minutes of beats; an hour is kept for a person looking back. The
# embedded log would otherwise keep every beat forever (Kafka expires them by its retention).
RETENTION_S = 3600.0
# Old beats are removed every this many beats, not on every one.
EXPIRE_EVERY_BEATS = 20


def instance_id() -> str:
    """host:pid — a compose replica's host name is its container id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """Publishes ``{instance, stages, counts, state, at}`` every ``interval_s`` and once more on close."""

    def __init__(
        self,
        bus: Bus,
        prefix: str,
        stages: Sequence[str],
        interval_s: float,
        state: Callable[[], str] = lambda: "running",
    ) -> None:
        self._bus = bus
        self._prefix = prefix
        self._topic = heartbeats_topic(prefix)
        self._stages = list(stages)
        self._interval_s = interval_s
        self._state = state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self.instance = instance_id()

    def start(self) -> Heartbeat:
        self._bus.ensure_topics([self._topic])
        self._thread.start()
        return self

    def close(self, final_state: str = "stopped") -> None:
        self._stop.set()
        self._thread.join(timeout=self._interval_s + 10)
        self.beat(final_state)

    def record(self, state: str) -> dict[str, Any]:
        snap = metrics.snapshot(self._prefix)
        return {
            "instance": self.instance,
            "stages": self._stages,
            "state": state,
            "started_at": snap["started_at"],
            "at": time.time(),
            "counts": {stage: snap["stages"].get(stage, {}) for stage in self._stages},
            "supervision": supervision(),
        }

    def beat(self, state: str | None = None) -> None:
        try:
            producer = self._bus.producer()
            try:
                producer.send(
                    self._topic, self.instance, json.dumps(self.record(state or self._state())).encode()
                )
                producer.flush()
            finally:
                producer.close()
        except Exception as error:  # the next beat tries again; status shows this worker as silent
            log.warning("heartbeat not published: %s", error)

    def _run(self) -> None:
        beats = 0
        while not self._stop.wait(self._interval_s):
            self.beat()
            beats += 1
            if beats % EXPIRE_EVERY_BEATS == 1:
                self.expire()

    def expire(self) -> None:
        try:
            removed = self._bus.expire(self._topic, RETENTION_S)
            if removed:
                log.debug("removed %d heartbeats older than %.0fs", removed, RETENTION_S)
        except Exception as error:  # the next round tries again; only disk space is at stake
            log.warning("old heartbeats not removed: %s", error)


def supervision() -> dict[str, Any]:
    """The supervised stages of this process: state, restarts, last error (``pipeline.supervise``)."""
    from pipeline.supervise import snapshot

    stages: dict[str, Any] = snapshot()["stages"]
    return stages


def latest_heartbeats(bus: Bus, prefix: str, within_s: float) -> list[dict[str, Any]]:
    """The newest heartbeat of each worker instance heard from in the last ``within_s`` seconds."""
    since = datetime.now(UTC) - timedelta(seconds=within_s)
    latest: dict[str, dict[str, Any]] = {}
    for message in read_topic(bus, heartbeats_topic(prefix), since):
        try:
            beat = json.loads(message.value)
            instance = str(beat["instance"])
        except (ValueError, KeyError, TypeError) as error:
            log.warning("skipping an unreadable heartbeat at offset %d: %s", message.offset, error)
            continue
        if instance not in latest or beat.get("at", 0) >= latest[instance].get("at", 0):
            latest[instance] = beat
    return sorted(latest.values(), key=lambda b: (b.get("stages", []), b["instance"]))
