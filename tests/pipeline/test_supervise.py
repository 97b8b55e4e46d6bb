"""Supervision: a stage that dies is never silent — it stops the process, or (``jiancha up``) restarts."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest

from pipeline.supervise import Registry, StageDied, Supervised, read_snapshot, supervise


def until_stopped(stop: threading.Event) -> None:
    stop.wait()


def test_a_dying_stage_stops_the_others_and_is_named_in_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopped = threading.Event()

    def healthy(stop: threading.Event) -> None:
        stop.wait()
        stopped.set()

    def broken(stop: threading.Event) -> None:
        raise OSError("disk full while committing")

    registry = Registry()
    with caplog.at_level(logging.INFO, logger="jiancha.supervisor"), pytest.raises(StageDied) as died:
        supervise(
            [Supervised("entities", healthy), Supervised("indexer", broken)],
            threading.Event(),
            registry=registry,
        )

    assert died.value.stage == "indexer" and "OSError: disk full" in str(died.value)
    assert stopped.is_set()  # the healthy stage was told to stop and did
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert lines == ["stage indexer died: OSError: disk full while committing"]
    stages = registry.snapshot()["stages"]
    assert stages["indexer"]["state"] == "failed" and stages["indexer"]["last_error"].startswith("OSError")
    assert stages["entities"]["state"] == "stopped"


def test_a_stage_that_returns_on_its_own_counts_as_dead() -> None:
    with pytest.raises(StageDied, match="returned without being stopped"):
        supervise([Supervised("crawler", lambda stop: None)], threading.Event(), registry=Registry())


def test_with_restart_a_dead_stage_comes_back_and_its_state_shows_it(tmp_path: Path) -> None:
    stop = threading.Event()
    runs: list[int] = []
    seen_restarting: list[dict[str, object]] = []
    registry = Registry(tmp_path / "stages.json")

    def flaky(halt: threading.Event) -> None:
        runs.append(1)
        if len(runs) <= 2:
            snapshot = read_snapshot(tmp_path / "stages.json")
            assert snapshot is not None
            raise ConnectionError(f"broker went away ({len(runs)})")
        seen_restarting.append(registry.snapshot()["stages"]["topics"])
        stop.set()
        halt.wait()

    supervisor = threading.Thread(
        target=supervise,
        args=([Supervised("topics", flaky), Supervised("indexer", until_stopped)], stop),
        kwargs={"restart": True, "backoff_max_s": 0.05, "registry": registry},
    )
    supervisor.start()
    supervisor.join(20)
    assert not supervisor.is_alive()
    assert len(runs) == 3
    assert seen_restarting[0]["state"] == "running" and seen_restarting[0]["restarts"] == 2
    assert seen_restarting[0]["last_error"] == "ConnectionError: broker went away (2)"
    final = read_snapshot(tmp_path / "stages.json")
    assert final is not None and final["pid"] == os.getpid()
    assert {name: s["state"] for name, s in final["stages"].items()} == {
        "indexer": "stopped",
        "topics": "stopped",
    }


def test_a_snapshot_that_is_not_there_reads_as_none(tmp_path: Path) -> None:
    assert read_snapshot(tmp_path / "nothing.json") is None
    (tmp_path / "half.json").write_text("{", encoding="utf-8")
    assert read_snapshot(tmp_path / "half.json") is None
