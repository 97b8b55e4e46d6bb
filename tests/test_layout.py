"""The layout's one-way rules: tests and benchmarks share evaluation data through ``evaluation/``."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.settings import REPO_ROOT


def imported_packages(folder: Path) -> dict[str, set[str]]:
    """Top-level packages each module under ``folder`` imports (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO_ROOT))] = names
    return found


def test_tests_and_benchmarks_do_not_import_each_other() -> None:
    bench_on_tests = [m for m, names in imported_packages(REPO_ROOT / "bench").items() if "tests" in names]
    tests_on_bench = [m for m, names in imported_packages(REPO_ROOT / "tests").items() if "bench" in names]
    assert bench_on_tests == [] and tests_on_bench == []
    shared = imported_packages(REPO_ROOT / "evaluation")
    assert shared and not any({"tests", "bench"} & names for names in shared.values())
