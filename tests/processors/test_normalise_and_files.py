"""The normalise step and the file mode of the processor (the debugger and replay tool)."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.model import Article
from pipeline.settings import Settings
from processors.normalise import load_converter, normalise
from processors.worker import process_files


def test_normalise_adds_simplified_text_and_keeps_the_original() -> None:
    article = Article.new("http://x.cn/1", title="檢察機關司法救助", body="全省檢察機關發放救助金。")
    result = normalise(article, load_converter())
    assert result.title == "檢察機關司法救助" and result.body == "全省檢察機關發放救助金。"
    assert result.title_simplified == "检察机关司法救助"
    assert result.body_simplified == "全省检察机关发放救助金。"
    assert result.steps == ["normalise"]


def test_process_files_writes_results_and_dead_letters_bad_lines(tmp_path: Path, settings: Settings) -> None:
    source = tmp_path / "in.jsonl"
    good = Article.new("http://x.cn/2", title="公益訴訟", body="檢察院提起公益訴訟。")
    source.write_text(good.model_dump_json() + "\n{broken\n\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    counts = process_files(source, out, settings)
    assert counts == {"ok": 1, "dropped": 0, "dead": 1}
    processed = [Article.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [a.title_simplified for a in processed] == ["公益诉讼"]
    dead = [
        json.loads(line) for line in (tmp_path / "out.jsonl.dlq").read_text(encoding="utf-8").splitlines()
    ]
    assert dead[0]["line"] == 2 and dead[0]["payload"] == "{broken"
