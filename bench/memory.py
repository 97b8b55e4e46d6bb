"""Peak memory of a worker: run a module as a child process that writes its own peak RSS (VmHWM)
to a file when it exits, normally or on SIGTERM (a worker stops on it and returns)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipeline.settings import REPO_ROOT

# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
_WRAPPER = """
import atexit, os, runpy, sys
def _peak():
    status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
    with open(os.environ["JIANCHA_BENCH_PEAK_FILE"], "w") as out:
        out.write(str(int(status["VmHWM"].split()[0]) / 1024))
atexit.register(_peak)
module = sys.argv[1]
sys.argv = [module, *sys.argv[2:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


class MeasuredProcess:
    """``subprocess.Popen`` of ``python -m module args`` whose ``peak_mib()`` is read after it ended."""

    def __init__(self, module: str, args: list[str], env: dict[str, str] | None = None, **popen: Any) -> None:
        handle, name = tempfile.mkstemp(prefix="jiancha-peak-")
        os.close(handle)
        self.peak_file = Path(name)
        environment = {**os.environ, **(env or {}), "JIANCHA_BENCH_PEAK_FILE": name}
        environment["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), environment.get("PYTHONPATH")) if p
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, module, *args], env=environment, cwd=REPO_ROOT, **popen
        )

    def peak_mib(self) -> float | None:
        """The child's peak RSS in MiB (None while it runs, or if it died without writing it)."""
        if self.process.poll() is None:
            return None
        try:
            text = self.peak_file.read_text().strip()
            return float(text) if text else None
        finally:
            self.peak_file.unlink(missing_ok=True)
