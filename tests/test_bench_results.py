"""bench/results.json: what `make bench` leaves behind must be the figures of benchmarks that finished."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import results


@pytest.fixture(autouse=True)
def _fresh_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "_rows", [])


def test_a_stopped_benchmark_leaves_no_partial_rows(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    results.record("crawl", "crawl throughput", 90.0, "pages/s", baseline=100.0, goal=results.at_least(0.8))
    results.record("nlp_speed", "entities on Kafka", 40.0, "articles/s", baseline=50.0)  # stopped mid-run

    report = results.save(["crawl"], path)

    written = json.loads(path.read_text())
    assert [r["benchmark"] for r in written["rows"]] == ["crawl"]
    assert written["rows"][0]["ratio"] == 0.9 and written["rows"][0]["met"] is True
    assert "nlp_speed" not in results.table(report)


def test_rerunning_one_benchmark_keeps_the_others_figures(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    results.record("crawl", "crawl throughput", 90.0, "pages/s")
    results.record("search", "search latency p95", 30.0, "ms", goal=results.at_most(50))
    results.save(["crawl", "search"], path)

    results._rows.clear()
    results.record("crawl", "crawl throughput", 70.0, "pages/s")
    results.save(["crawl"], path)

    rows = {r["benchmark"]: r for r in json.loads(path.read_text())["rows"]}
    assert rows["crawl"]["value"] == 70.0
    assert rows["search"]["value"] == 30.0 and rows["search"]["met"] is True


def test_a_damaged_results_file_is_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text("{not json")
    results.record("crawl", "crawl throughput", 90.0, "pages/s")
    results.save(["crawl"], path)
    assert json.loads(path.read_text())["rows"][0]["value"] == 90.0
