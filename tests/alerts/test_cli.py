"""`jiancha saved add|list|pause|remove` as a person types them, and their errors (exit 2, one line)."""

from __future__ import annotations

import json

import pytest

from pipeline.cli import main
from pipeline.settings import Settings


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(settings.data_dir))
    return settings


def test_add_list_pause_remove(env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["saved", "add", "汾河", "汾河 公益诉讼", "--owner", "press", "--wecom", "https://robot.example/send?key=k",
            "--dingtalk", "https://ding.example/robot/send?access_token=t", "--secret", "SEC1", "--only-critical",
            "--window", "08:00-22:00", "--carried", "5"]  # fmt: skip
    assert main(argv) == 0
    assert "/feeds/1.atom?token=" in capsys.readouterr().out
    assert main(["saved", "pause", "汾河"]) == 0
    capsys.readouterr()
    assert main(["saved", "list"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["name"] == "汾河" and row["paused"] is True and row["owner"] == "press"
    assert row["channels"] == ["wecom https://robot.example/send", "dingtalk https://ding.example/robot/send"]
    assert main(["saved", "remove", "1"]) == 0
    capsys.readouterr()
    assert main(["saved", "list"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["saved", "add", "x", '"open quote'], "quote"),
        (["saved", "add", "x", "检察", "--window", "8-22"], "HH:MM"),
        (["saved", "add", "x", "检察", "--email", "nobody"], "e-mail"),
        (["saved", "remove", "missing"], "no saved search"),
        (["saved", "add", "x"], "NAME and QUERY"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(env: Settings, capsys: pytest.CaptureFixture[str], argv: list[str],
                                          message: str) -> None:  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
