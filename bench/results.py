"""The one place benchmark figures go: each benchmark module calls ``record`` for each figure it
measured (beside the baseline it measured in the same run, and its goal), and ``python -m bench``
writes them to ``bench/results.json`` and prints one table at the end, with the machine's cores,
memory and load.

A module joins the table by calling ``record`` from its ``main``; nothing else to register.
Running some benchmarks (``make bench BENCH="crawl latency"``) replaces their rows in
results.json and keeps the rows of the others, each with the time and load it was measured at.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

RESULTS_FILE = Path(__file__).resolve().parent / "results.json"


@dataclass(frozen=True)
class Goal:
    """``ratio ≥ 0.8`` or ``value ≤ 2`` (seconds): what the figure must reach to be met."""

    op: Literal[">=", "<="]
    threshold: float
    on: Literal["ratio", "value"] = "ratio"

    def met(self, value: float, ratio: float | None) -> bool | None:
        subject = ratio if self.on == "ratio" else value
        if subject is None:
            return None
        return subject >= self.threshold if self.op == ">=" else subject <= self.threshold

    def text(self, unit: str) -> str:
        sign = "≥" if self.op == ">=" else "≤"
        return (
            f"ratio {sign} {self.threshold:g}" if self.on == "ratio" else f"{sign} {self.threshold:g} {unit}"
        )


def at_least(threshold: float, on: Literal["ratio", "value"] = "ratio") -> Goal:
    return Goal(">=", threshold, on)


def at_most(threshold: float, on: Literal["ratio", "value"] = "value") -> Goal:
    return Goal("<=", threshold, on)


@dataclass
class Row:
    benchmark: str
    figure: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None
    note: str = ""
    load_1min: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))
    measured_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


_rows: list[Row] = []


def record(
    benchmark: str,
    figure: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    ratio: float | None = None,
    goal: Goal | None = None,
    note: str = "",
) -> Row:
    """Keep one figure for the table. ``ratio`` defaults to value / baseline (higher is better for
    a rate); pass it for a figure where lower is better (baseline time / our time)."""
    if ratio is None and baseline:
        ratio = value / baseline
    row = Row(
        benchmark=benchmark,
        figure=figure,
        value=round(value, 3),
        unit=unit,
        baseline=None if baseline is None else round(baseline, 3),
        baseline_name=baseline_name,
        ratio=None if ratio is None else round(ratio, 3),
        goal=goal.text(unit) if goal else "",
        met=goal.met(value, ratio) if goal else None,
        note=note,
    )
    _rows.append(row)
    return row


def recorded() -> list[Row]:
    return list(_rows)


def machine() -> dict[str, Any]:
    """Cores, memory and load of this machine (every figure depends on them)."""
    memory_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_1min": round(os.getloadavg()[0], 2),
    }


def save(benchmarks: list[str], path: Path = RESULTS_FILE) -> dict[str, Any]:
    """Write the rows recorded now by the finished ``benchmarks``, replacing their earlier rows.

    Rows a benchmark recorded before it failed or was stopped are left out: a partial figure is
    not that benchmark's result (its earlier rows, each with its own time, stay)."""
    earlier: list[dict[str, Any]] = []
    if path.exists():
        try:
            earlier = [r for r in json.loads(path.read_text())["rows"] if r["benchmark"] not in benchmarks]
        except (ValueError, KeyError, TypeError):
            earlier = []  # a damaged file is rewritten
    report = {
        "machine": machine(),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": earlier + [asdict(r) for r in _rows if r.benchmark in benchmarks],
    }
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(report: dict[str, Any]) -> str:
    """The figures as one Markdown table, then the machine."""
    lines = [
        "| benchmark | figure | value | baseline | ratio | goal | met |",
        "| --- | --- | ---: | ---: | ---: | --- | :---: |",
    ]
    for r in report["rows"]:
        met = {True: "yes", False: "**no**", None: "—"}[r["met"]]
        baseline = f"{_number(r['baseline'])} ({r['baseline_name']})" if r["baseline"] is not None else "—"
        lines.append(
            f"| {r['benchmark']} | {r['figure']} | {_number(r['value'])} {r['unit']} | {baseline} "
            f"| {_number(r['ratio'])} | {r['goal'] or '—'} | {met} |"
        )
    m = report["machine"]
    lines.append(
        f"\nmachine: {m['cpus']} CPUs, {m['memory_gib']} GiB memory, {m['platform']}, Python {m['python']}; "
        f"load average (1 min) at the end: {m['load_1min']}; each row's load is in {RESULTS_FILE.name}"
    )
    return "\n".join(lines)
