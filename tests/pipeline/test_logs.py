"""Logs as an operator greps them: exactly one status line per article per stage, in either format."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipeline.logs import JsonFormatter
from pipeline.model import Article
from pipeline.settings import REPO_ROOT, Settings

STATUS = re.compile(r"^(ok|dropped|dead|skipped): (\S+)")


def jiancha(args: list[str], settings: Settings, log_format: str) -> list[tuple[str, str]]:
    """Run the command; its log lines as (logger, message)."""
    env = {
        **os.environ,
        "JIANCHA_DATA_DIR": str(settings.data_dir),
        "JIANCHA_INDEX": "sqlite",
        "JIANCHA_INDEX_NAME": settings.index_name,
        "JIANCHA_LOG_FORMAT": log_format,
    }
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if log_format == "json":
        records = [json.loads(line) for line in lines]  # every line is one JSON object
        return [(r["logger"], r["message"]) for r in records]
    parsed = [line.split(" ", 4) for line in lines]  # date time LEVEL logger message
    return [(p[3], p[4]) for p in parsed if len(p) == 5]


def status_lines(logs: list[tuple[str, str]], logger: str) -> Counter[str]:
    return Counter(m.group(2) for name, message in logs if name == logger and (m := STATUS.match(message)))


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_each_article_has_exactly_one_status_line_per_stage_on_files(
    tmp_path: Path, settings: Settings, log_format: str
) -> None:
    items = [
        Article.new(
            f"http://news.example.cn/{n}.html", title=f"临汾市人民检察院{n}", body="公益诉讼案件。" * 3
        )
        for n in range(12)
    ]
    fetched, enriched = tmp_path / "fetched.jsonl", tmp_path / "enriched.jsonl"
    fetched.write_bytes(b"\n".join(a.to_json() for a in items) + b"\n{broken\n")
    urls = {a.url for a in items}
    jiancha(["index", "init"], settings, log_format)

    processed = jiancha(["process", "--input", str(fetched), "--output", str(enriched)], settings, log_format)
    for stage in ("jiancha.entities", "jiancha.topics"):
        lines = status_lines(processed, stage)
        assert {u: n for u, n in lines.items() if u in urls} == dict.fromkeys(urls, 1), stage
    (broken,) = [u for u in status_lines(processed, "jiancha.entities") if u not in urls]  # by its position
    assert broken.endswith("@12")

    indexed = jiancha(["index-worker", "--input", str(enriched)], settings, log_format)
    assert status_lines(indexed, "jiancha.indexer") == dict.fromkeys(urls, 1)


def test_a_json_log_line_holds_an_exception_on_the_same_line() -> None:
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, "f", 1, "failed: %s", ("u",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert (
        parsed["message"] == "failed: u"
        and "ValueError: bad" in parsed["error"]
        and parsed["level"] == "ERROR"
    )
