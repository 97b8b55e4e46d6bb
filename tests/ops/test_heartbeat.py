"""Worker heartbeats on the embedded bus: status sees the newest beat of each worker, and old beats
are removed so a laptop that runs for months does not keep every beat it ever sent."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.bus.embedded import EmbeddedBus
from pipeline.bus.inspect import read_topic
from pipeline.ops import heartbeat
from pipeline.ops.heartbeat import Heartbeat, latest_heartbeats
from pipeline.topics import heartbeats_topic


def beats_on(bus: EmbeddedBus, prefix: str) -> int:
    return len(list(read_topic(bus, heartbeats_topic(prefix), None)))


def test_a_running_worker_keeps_only_recent_beats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bus = EmbeddedBus(tmp_path / "bus.sqlite3")
    monkeypatch.setattr(heartbeat, "RETENTION_S", 0.3)
    monkeypatch.setattr(heartbeat, "EXPIRE_EVERY_BEATS", 2)
    beat = Heartbeat(bus, "t.", ["entities"], interval_s=0.05).start()
    time.sleep(2.0)  # ~40 beats
    beat.close()

    kept = beats_on(bus, "t.")
    assert 0 < kept < 20  # without expiry all ~40 would still be there
    (newest,) = latest_heartbeats(bus, "t.", within_s=60)
    assert newest["state"] == "stopped" and newest["stages"] == ["entities"]


def test_expiry_removes_only_beats_older_than_the_retention(tmp_path: Path) -> None:
    bus = EmbeddedBus(tmp_path / "bus.sqlite3")
    beat = Heartbeat(bus, "t.", ["topics"], interval_s=60)
    bus.ensure_topics([heartbeats_topic("t.")])
    for _ in range(3):
        beat.beat()
    assert bus.expire(heartbeats_topic("t."), 3600) == 0
    assert beats_on(bus, "t.") == 3
    time.sleep(0.05)
    assert bus.expire(heartbeats_topic("t."), 0.01) == 3
    beat.beat()  # offsets keep counting: a new beat is read as usual
    assert len(latest_heartbeats(bus, "t.", within_s=60)) == 1
