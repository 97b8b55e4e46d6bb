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


# A module may grow past this many lines only if its docstring says why (the layout's size rule).
LONG_MODULE = 300
PROJECT_FOLDERS = (
    "pipeline",
    "crawler",
    "processors",
    "indexer",
    "webapp",
    "alerts",
    "bench",
    "evaluation",
    "tests",
)


def test_a_module_over_300_lines_says_why_in_its_docstring() -> None:
    unexplained = []
    for folder in PROJECT_FOLDERS:
        for path in (REPO_ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if len(text.splitlines()) <= LONG_MODULE:
                continue
            doc = " ".join((ast.get_docstring(ast.parse(text)) or "").split())
            if "300 lines" not in doc:
                unexplained.append(str(path.relative_to(REPO_ROOT)))
    assert unexplained == []
