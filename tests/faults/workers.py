"""Pipeline workers as separate processes (the ``jiancha`` stage commands), killed and restarted the
way an orchestrator does it: SIGKILL to the whole process group (a crawl's Scrapy child too)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import REPO_ROOT

# What each stage runs as (`jiancha …`); a replica is the same command again.
COMMANDS = {
    "crawler": ["crawl", "--forever"],
    "entities": ["process", "--stage", "entities"],
    "topics": ["process", "--stage", "topics"],
    "indexer": ["index-worker"],
}


@dataclass
class Worker:
    """One worker process; its output goes to ``log_dir/<name>.log`` (appended over restarts)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_dir: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    # Return codes of exits nobody asked for (the worker gave up by itself).
    exits: list[int] = field(default_factory=list)

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pipeline.cli", *self.command],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: kill -9 takes its children too
            )
        self.starts += 1

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.process = None

    def terminate(self) -> None:
        """SIGTERM without waiting: a fleet asks every worker at once, then waits (``stop``)."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def stop(self, grace_s: float = 60.0) -> None:
        """SIGTERM (finish the batch), then SIGKILL if it takes longer than ``grace_s``."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        try:  # a crawl's child may outlive its parent by a moment
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def handled(self) -> int:
        """Articles this worker passed on so far: its one ``ok: <url>`` INFO line per article."""
        try:
            return self.log_file.read_text(errors="replace").count(" ok: http")
        except FileNotFoundError:
            return 0

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


class Fleet:
    """The workers of one test, restarted when they exit by themselves (compose's
    ``restart: unless-stopped``); every such exit is recorded, so a test can demand there were none."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.workers: dict[str, Worker] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="fleet", daemon=True)
        self._watcher.start()

    def add(self, name: str, stage: str | None = None) -> Worker:
        worker = Worker(name, COMMANDS[stage or name], self.env, self.log_dir)
        with self._lock:
            self.workers[name] = worker
            worker.start()
        return worker

    def kill9(self, name: str) -> None:
        with self._lock:
            self.workers[name].kill9()

    def restart(self, name: str) -> None:
        with self._lock:
            self.workers[name].start()

    def remove(self, name: str) -> None:
        with self._lock:
            worker = self.workers.pop(name)
        worker.stop()

    def unexpected_exits(self) -> dict[str, list[int]]:
        return {name: w.exits for name, w in self.workers.items() if w.exits}

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                for worker in self.workers.values():
                    if worker.process is not None and worker.process.poll() is not None:
                        worker.exits.append(worker.process.returncode)
                        worker.start()

    def close(self) -> None:
        self._stop.set()
        self._watcher.join(5)
        workers = list(self.workers.values())
        for worker in workers:  # all at once: each finishes its batch while the others do
            worker.terminate()
        for worker in workers:
            worker.stop(grace_s=20)

    def tails(self) -> str:
        return "\n".join(f"--- {name} ---\n{w.tail()}" for name, w in self.workers.items())
