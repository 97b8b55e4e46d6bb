"""`jiancha enrich`: one article JSON on stdin, every processing step, the enriched JSON on stdout."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.settings import REPO_ROOT

SAMPLE = REPO_ROOT / "crawler" / "demo" / "pages" / "linfen-news-2021-08-13-procuratorate.txt"


def enrich(
    payload: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, Any]:
    assert main(["index", "init"]) == 0  # the reprint step looks in the story store
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(payload))
    code = main(["enrich"])
    out = capsys.readouterr().out
    return code, json.loads(out) if code == 0 else out


@pytest.fixture
def sample_extracted() -> dict[str, Any]:
    """The sample page as `jiancha extract` gives it: traditional script, pinyin damage, byline and footer."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return {
        "url": "http://www.linfen.gov.cn/xwpd/sxyw/2021-08-13/sample.html",
        "site": None,
        "title": lines[0].split("】")[-1],
        "column": lines[0].split("】")[0].lstrip("【"),
        "subtitle": lines[2],
        "published_at": "2021-08-13T09:36:16+08:00",
        "source": "山西日报",
        "authors": ["鄧偉強"],
        "editor": "吉政",
        "body": "\n".join(line.strip() for line in lines[5:] if line.strip()),
        "images": [],
        "encoding": "utf-8",
        "quality": ["pinyin_damage"],
        "methods": {"title": "h1"},
    }


def test_enrich_the_sample_article(
    sample_extracted: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(tmp_path))
    code, article = enrich(json.dumps(sample_extracted, ensure_ascii=False), monkeypatch, capsys)
    assert code == 0
    assert article["steps"][:5] == ["normalise", "entities", "topics", "statistics", "keywords"]
    assert "fallback" in article["nlp_pipeline"] or "zh_core_web_sm" in article["nlp_pipeline"]
    assert set(article["procuratorates"]) == {
        "山西省人民检察院",  # 省检察院, in an article about Shanxi
        "洪洞县人民检察院",
        "武乡县人民检察院",
        "临汾市人民检察院",  # 临汾、太原、大同等检察院
        "太原市人民检察院",
        "大同市人民检察院",
        "最高人民检察院",  # 最高检
    }  # 浮山县 is named only as where 陈大妈 lives: no procuratorate
    topics = {t["id"] for t in article["topics"]}
    assert {
        "judicial_aid", "public_interest_litigation", "hearings", "juvenile", "anti_organized_crime",
        "business_environment", "petitions", "publicity",
    } <= topics  # fmt: skip
    assert article["relevant"] is True and article["tone"] == "neutral"
    figures = {(s["metric"], s["value"], s["unit"], s["qualifier"]) for s in article["statistics"]}
    assert ("受理司法救助案件", 253, "件", None) in figures
    assert ("发放救助金", 303.834, "万元", None) in figures
    assert ("立案", 3578, "件", None) in figures
    assert any(
        s["text"] == "2000余次" and s["value"] == 2000 and s["qualifier"] == "余"
        for s in article["statistics"]
    )
    assert not any(s["unit"] in ("岁", "日", "年") for s in article["statistics"])  # 85岁, 6月9日
    persons = {e["text"]: e["role"] for e in article["entities"] if e["label"] == "PERSON"}
    assert persons.get("邓伟强") == "reporter" and persons.get("吉政") == "editor"
    assert "公益诉讼" in article["keywords"]


def test_enrich_needs_only_a_body_and_derives_a_stable_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(tmp_path))
    payload = json.dumps(
        {"body": "最高檢發布典型案例。洪洞縣人民檢察院辦理公益訴訟案件12件。"}, ensure_ascii=False
    )
    code, first = enrich(payload, monkeypatch, capsys)
    assert code == 0
    assert first["procuratorates"] == ["最高人民检察院", "洪洞县人民检察院"]
    assert [(s["value"], s["unit"]) for s in first["statistics"]] == [(12, "件")]
    code, second = enrich(payload, monkeypatch, capsys)
    assert second["article_id"] == first["article_id"] and len(first["article_id"]) == 32


def test_enrich_refuses_input_without_a_body(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO('{"title": "x"}'))
    assert main(["enrich"]) == 2
    assert "body" in capsys.readouterr().err
