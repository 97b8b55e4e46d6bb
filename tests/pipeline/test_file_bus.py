"""Every stage on files: the same runner on a JSON-lines file bus, dead letters fed back as input."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from pipeline.bus import Message
from pipeline.bus.files import FileBus, UnknownTopic, chain_files
from pipeline.cli import main
from pipeline.deadletters import dead_letter, original_payload
from pipeline.errors import Drop, Poison
from pipeline.model import Article
from pipeline.runner import StageRunner
from pipeline.settings import Settings
from pipeline.topics import entities_stage, processor_stages


def article(n: int, title: str | None = None) -> Article:
    return Article.new(f"http://news.example.cn/a/{n}.html", title=title or f"标题{n}", body=f"正文{n}。")


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def step(a: Article) -> Article:
    if a.title == "不是文章":
        raise Drop("not an article")
    if a.title == "坏的":
        raise Poison("can never work")
    return a.model_copy(update={"steps": [*a.steps, "tested"]})


def test_the_runner_moves_a_file_through_its_steps_with_one_outcome_per_line(tmp_path: Path) -> None:
    stage = entities_stage()
    source = tmp_path / "in.jsonl"
    rows = [
        article(1).to_json(),
        b"{broken",
        b"",
        article(2, "不是文章").to_json(),
        poison := article(3, "坏的").to_json(),
    ]
    source.write_bytes(b"\n".join(rows) + b"\n" + article(4).to_json())  # the last line has no newline
    bus = chain_files([stage], source, tmp_path / "out.jsonl", tmp_path / "dead.jsonl", tmp_path)

    stats = StageRunner(stage, bus, steps=[step], poll_timeout_s=0.1).run(until_idle=True)

    assert dict(stats.counts) == {"ok": 2, "dropped": 1, "dead": 2}
    out = lines(tmp_path / "out.jsonl")
    assert [(a["url"], a["steps"]) for a in out] == [
        ("http://news.example.cn/a/1.html", ["tested"]),
        ("http://news.example.cn/a/4.html", ["tested"]),
    ]
    dead = lines(tmp_path / "dead.jsonl")
    assert [(d["stage"], d["offset"], d["payload"]) for d in dead] == [
        ("entities", 1, "{broken"),
        ("entities", 4, poison.decode()),
    ]
    assert "undecodable" in str(dead[0]["error"]) and dead[1]["error"] == "can never work"


def test_dead_letters_from_a_file_are_replayed_as_their_original_articles(tmp_path: Path) -> None:
    stage = entities_stage()
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(article(n, "坏的" if n % 2 else None).to_json() for n in range(6)) + b"\n")
    bus = chain_files([stage], source, tmp_path / "out.jsonl", tmp_path / "dead.jsonl", tmp_path)
    StageRunner(stage, bus, steps=[step], poll_timeout_s=0.1).run(until_idle=True)
    assert len(lines(tmp_path / "dead.jsonl")) == 3

    def fixed(a: Article) -> Article:  # the bug is fixed: the same payloads now go through
        return a.model_copy(update={"steps": [*a.steps, "fixed"]})

    replay = chain_files(
        [stage], tmp_path / "dead.jsonl", tmp_path / "again.jsonl", tmp_path / "d2.jsonl", tmp_path
    )
    stats = StageRunner(stage, replay, steps=[fixed], poll_timeout_s=0.1).run(until_idle=True)

    assert dict(stats.counts) == {"ok": 3}
    assert [a["url"] for a in lines(tmp_path / "again.jsonl")] == [article(n).url for n in (1, 3, 5)]
    assert (tmp_path / "d2.jsonl").read_bytes() == b""


def test_a_dead_letter_keeps_bytes_that_are_not_utf8() -> None:
    raw = "標題".encode("big5")
    record = dead_letter("entities", Message("t", 0, 7, "k", raw), "UnicodeDecodeError: …", 0)
    assert json.loads(record)["payload_encoding"] == "base64"
    assert original_payload(record) == raw
    assert original_payload(article(1).to_json()) is None  # an article is not a dead letter


def test_a_topic_without_a_file_is_named_in_the_error(tmp_path: Path) -> None:
    bus = FileBus({"a": tmp_path / "a.jsonl"})
    with pytest.raises(UnknownTopic, match="no file for topic b"):
        bus.producer().send("b", None, b"{}")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Path:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("JIANCHA_INDEX", "sqlite")
    monkeypatch.setenv("JIANCHA_INDEX_NAME", settings.index_name)
    return tmp_path


def test_every_stage_command_runs_on_files(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fetched = cli_env / "fetched.jsonl"
    articles = [
        Article.new(
            "http://news.example.cn/gy.html", title="公益訴訟守護綠水青山", body="臨汾市檢察院提起公益訴訟。"
        ),
        Article.new(
            "http://news.example.cn/jz.html", title="司法救助", body="太原市人民检察院发放司法救助金12万元。"
        ),
    ]
    fetched.write_bytes(b"\n".join(a.to_json() for a in articles) + b"\n{broken\n")
    assert main(["index", "init"]) == 0
    capsys.readouterr()

    def run(*args: str) -> dict[str, int]:
        assert main(list(args)) == 0
        counts: dict[str, int] = json.loads(capsys.readouterr().out.splitlines()[-1])
        return counts

    annotated, enriched = cli_env / "annotated.jsonl", cli_env / "enriched.jsonl"
    assert run("process", "--stage", "entities", "--input", str(fetched), "--output", str(annotated)) == {
        "ok": 2,
        "dead": 1,
    }
    assert [a["steps"] for a in lines(annotated)] == [["normalise", "entities"]] * 2
    assert lines(cli_env / "annotated.jsonl.dlq")[0]["payload"] == "{broken"
    assert run("process", "--stage", "topics", "--input", str(annotated), "--output", str(enriched)) == {
        "ok": 2
    }
    both = cli_env / "both.jsonl"
    assert run("process", "--input", str(fetched), "--output", str(both)) == {"ok": 2, "dead": 1}
    assert [a["title_simplified"] for a in lines(both)] == ["公益诉讼守护绿水青山", "司法救助"]
    assert all("topics" in a["steps"] for a in lines(both))

    assert run("index-worker", "--input", str(enriched)) == {"ok": 2}
    assert main(["search", "公益诉讼", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [h["url"] for h in hits] == ["http://news.example.cn/gy.html"]


def test_a_dead_letter_file_is_fed_back_to_the_processors(
    cli_env: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    good = Article.new("http://news.example.cn/x.html", title="檢察", body="檢察機關。")
    stage = processor_stages(settings.topic_prefix)[0]
    letter = dead_letter(stage.name, Message("fetched", 0, 3, None, good.to_json()), "ServiceUnavailable", 5)
    (cli_env / "dlq.jsonl").write_bytes(letter + b"\n")
    assert main(["index", "init"]) == 0  # the reprint step's story store
    capsys.readouterr()
    assert (
        main(["process", "--input", str(cli_env / "dlq.jsonl"), "--output", str(cli_env / "out.jsonl")]) == 0
    )
    assert json.loads(capsys.readouterr().out) == {"ok": 1}
    assert [a["title_simplified"] for a in lines(cli_env / "out.jsonl")] == ["检察"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["process", "--output", "o.jsonl"], "need --input"),
        (["process", "--input", "missing.jsonl", "--output", "o.jsonl"], "no such file"),
        (["process", "--input", "in.jsonl"], "go together"),
        (["index-worker", "--input", "in.jsonl", "--dead-letters", "in.jsonl"], "three different files"),
    ],
)
def test_file_options_used_wrongly_are_usage_errors(
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(cli_env)
    (cli_env / "in.jsonl").write_text("", encoding="utf-8")
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_crawl_writes_its_articles_to_a_file_and_leaves_the_bus_and_crawl_state_alone(
    cli_env: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # the demo sites on a free port: other test runs use the default
        probe.bind(("127.0.0.1", 0))
        monkeypatch.setenv("JIANCHA_DEMO_PORT", str(probe.getsockname()[1]))
    out = cli_env / "fetched.jsonl"
    for _ in range(2):  # the second crawl publishes everything again: the file run has no memory
        assert main(["crawl", "--demo", "--output", str(out)]) == 0
        stats = json.loads(capsys.readouterr().out)
        crawled = lines(out)
        assert stats["articles_published"] == len(crawled) >= 20
    assert all(a["title"] and a["body"] for a in crawled)
    assert not (settings.data_dir / "crawl_state.sqlite3").exists()
    assert not (settings.data_dir / "bus.sqlite3").exists()
    assert list(cli_env.glob("*.state.sqlite3")) == []
    enriched = cli_env / "enriched.jsonl"
    assert main(["index", "init"]) == 0  # the reprint step's story store
    capsys.readouterr()
    assert main(["process", "--input", str(out), "--output", str(enriched)]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] == len(crawled)
