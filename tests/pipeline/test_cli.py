"""The ``jiancha`` entry point: its exit codes and the command modules that register on it."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.commands import MODULES
from pipeline.settings import Settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JIANCHA_INDEX", "sqlite")
    return tmp_path / "data"


def test_a_search_called_wrongly_is_a_usage_error_with_its_reason(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["index", "init"]) == 0
    assert cli.main(["search", "检察", "--size", "0"]) == 2
    assert "size must be at least 1" in capsys.readouterr().err


def test_a_value_error_inside_a_command_is_not_reported_as_a_usage_error(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(settings: Settings, args: argparse.Namespace) -> int:
        raise ValueError("a bug, not the caller's fault")

    monkeypatch.setattr("pipeline.commands.stages.cmd_topics", broken)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["topics", "create"])


def test_a_missing_file_to_extract_says_so(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["extract", str(data_dir / "nowhere.html")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_every_command_module_adds_commands_without_taking_anothers_name() -> None:
    seen: dict[str, str] = {}
    for module in MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(f"pipeline.commands.{module}").register(sub)
        names = list(sub.choices)
        assert names, f"pipeline.commands.{module} registers no command"
        for name in names:
            assert name not in seen, f"{name} is registered by {seen.get(name)} and {module}"
            seen[name] = module
    wired = set(cli.build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert wired == set(seen) >= {"up", "crawl", "process", "index-worker", "index", "search", "enrich"}
