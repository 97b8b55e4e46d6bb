"""Supervision of a process's stages: none dies silently, and their state is readable.

Each stage (a ``StageRunner``, the crawl schedule) runs in its own thread under ``supervise``. When
one raises, one ERROR line names the stage and why; then either every stage is stopped and
``StageDied`` raised (a worker process exits non-zero and its orchestrator restarts it), or — in
``jiancha up`` — the stage is restarted after a capped backoff. The state of every stage lives in
a small registry: ``snapshot()`` in this process, ``read_snapshot(path)`` from another one (the
registry rewrites its file on every change).

Snapshot shape (``jiancha status`` and the admin page read it)::

    {"pid": 1234, "updated_at": "2026-…+00:00",
     "stages": {"entities": {"state": "running" | "restarting" | "failed" | "stopped",
                             "restarts": 0, "last_error": None | "ServiceUnavailable: …",
                             "last_error_at": None | "2026-…+00:00", "since": "2026-…+00:00"}}}
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from pipeline.model import utcnow
from pipeline.runner import backoff_delay

T = TypeVar("T")

log = logging.getLogger("jiancha.supervisor")
# A stage that ran this long before dying is restarted from the first backoff step again.
HEALTHY_RUN_S = 60.0
# How far an error message goes into the log line and the registry.
_MAX_ERROR_CHARS = 300
STATES = ("running", "restarting", "failed", "stopped")


class StageDied(Exception):
    """A supervised stage raised; the message names the stage and the error."""

    def __init__(self, stage: str, error: BaseException) -> None:
        super().__init__(f"stage {stage} died: {describe(error)}")
        self.stage = stage
        self.error = error


def run_to_idle(name: str, run: Callable[[], T]) -> T:
    """One stage run to the end of its input (``--once``, tests): an error ends it as ``StageDied``
    (one log line naming the stage and why; the command exits ``EXIT_STAGE_DIED``), never a traceback."""
    try:
        return run()
    except Exception as error:
        log.error("stage %s died: %s", name, describe(error))
        log.debug("stage %s died", name, exc_info=True)
        raise StageDied(name, error) from error


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:_MAX_ERROR_CHARS]


@dataclass
class StageState:
    state: str = "running"
    restarts: int = 0
    last_error: str | None = None
    last_error_at: str | None = None
    since: str = ""


class Registry:
    """The state of this process's stages; thread-safe, optionally mirrored to a JSON file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._stages: dict[str, StageState] = {}
        self._lock = threading.Lock()

    def update(
        self, stage: str, state: str, error: BaseException | None = None, restarted: bool = False
    ) -> None:
        if state not in STATES:
            raise ValueError(f"unknown stage state {state!r}")
        with self._lock:
            entry = self._stages.setdefault(stage, StageState())
            entry.state, entry.since = state, utcnow().isoformat()
            if restarted:
                entry.restarts += 1
            if error is not None:
                entry.last_error, entry.last_error_at = describe(error), entry.since
            self._write()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self._snapshot()

    def _snapshot(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "updated_at": utcnow().isoformat(),
            "stages": {name: asdict(entry) for name, entry in sorted(self._stages.items())},
        }

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(self._snapshot(), ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.path)  # readers never see half a file


# The registry of this process; ``jiancha up`` points it at ``stages_file(settings.data_dir)``.
REGISTRY = Registry()
STAGES_FILE = "stages.json"


def stages_file(data_dir: Path) -> Path:
    """Where ``jiancha up`` mirrors the state of its stages (read it with ``read_snapshot``)."""
    return data_dir / STAGES_FILE


def snapshot() -> dict[str, Any]:
    """The state of every stage of this process (see the module docstring for the shape)."""
    return REGISTRY.snapshot()


def read_snapshot(path: Path) -> dict[str, Any] | None:
    """The last snapshot another process wrote to ``path`` (None if there is none). Its ``pid`` tells
    whether that process still runs."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data


@dataclass(frozen=True)
class Supervised:
    """A stage to supervise: ``run(stop)`` works until ``stop`` is set; raising means it died."""

    name: str
    run: Callable[[threading.Event], object]


def supervise(
    stages: Sequence[Supervised],
    stop: threading.Event,
    restart: bool = False,
    backoff_max_s: float = 60.0,
    registry: Registry = REGISTRY,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Run every stage in its own thread until ``stop`` is set.

    Without ``restart`` the first stage to die stops the others (each finishes its batch) and
    ``StageDied`` is raised for it. With ``restart`` a dead stage is restarted after a capped
    exponential backoff, shown as ``restarting`` meanwhile. A stage that returns although not
    stopped counts as dead too: a stage has no business ending on its own.
    """
    deaths: list[StageDied] = []
    changed = threading.Event()

    def keep(stage: Supervised) -> None:
        failures = 0
        while not stop.is_set():
            registry.update(stage.name, "running", restarted=failures > 0)
            started = clock()
            try:
                stage.run(stop)
                if stop.is_set():
                    break
                raise RuntimeError("the stage returned without being stopped")
            except Exception as error:
                log.error("stage %s died: %s", stage.name, describe(error))
                log.debug("stage %s died", stage.name, exc_info=True)
                if not restart:
                    registry.update(stage.name, "failed", error)
                    deaths.append(StageDied(stage.name, error))
                    changed.set()
                    return
                failures = 1 if clock() - started >= HEALTHY_RUN_S else failures + 1
                registry.update(stage.name, "restarting", error)
                delay = backoff_delay(failures, backoff_max_s, base_s=1.0)
                log.warning("restarting stage %s in %.0fs (restart %d)", stage.name, delay, failures)
                if stop.wait(delay):
                    break
        registry.update(stage.name, "stopped")

    threads = [threading.Thread(target=keep, args=(s,), name=s.name, daemon=True) for s in stages]
    for thread in threads:
        thread.start()
    # The main thread waits here (signal handlers run on it), waking when a stage dies.
    while not stop.is_set() and not deaths and any(t.is_alive() for t in threads):
        changed.wait(0.5)
    if deaths:
        stop.set()  # the other stages finish their batch and stop
    for thread in threads:
        thread.join()
    if deaths:
        raise deaths[0]
