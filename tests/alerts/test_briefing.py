"""The weekly briefing written by `jiancha briefing`, read back from the DOCX it writes (and its
HTML form), and the daily digest of a saved search."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document

from alerts.digest import collect_digest, render_digest_html, render_digest_text
from alerts.model import SavedSearch
from alerts.schedule import CHINA_TZ
from indexer import SearchBackend
from pipeline.cli import main
from pipeline.model import Article, Statistic, TopicScore
from pipeline.settings import Settings

PROCURATORATE = "洪洞县人民检察院"
TOPIC = TopicScore(id="public_interest", label="公益诉讼", score=0.9)


def _copy(n: int, site: str, day: int, **fields: object) -> Article:
    base: dict[str, object] = {
        "title": "洪洞县检察院督促整治汾河岸线",
        "body": "洪洞县人民检察院就汾河岸线违建问题发出检察建议。三个月内拆除违建12处。\n第二段。",
        "site": site, "published_at": datetime(2024, 6, day, 2, 0, tzinfo=UTC), "story_id": "story-fenhe",
        "procuratorates": [PROCURATORATE], "topics": [TOPIC], "tone": "neutral", "relevant": True,
        "statistics": [Statistic(text="拆除违建12处", value=12, unit="处", metric="拆除违建")],
    }  # fmt: skip
    base.update(fields)
    return Article.new(f"https://{site}.example.cn/fenhe-{n}.html", **base)  # type: ignore[arg-type]


WEEK = [
    _copy(1, "spp", 3),
    _copy(2, "sxrb", 4),
    _copy(3, "linfen", 5),
    Article.new(
        "https://news.example.cn/complaint.html",
        title="网民质疑某县检察院办案拖延",
        body="有网民反映某县检察院办理一起案件拖延两年。记者进行了调查。",
        site="news",
        published_at=datetime(2024, 6, 6, 3, 0, tzinfo=UTC),
        tone="critical",
        relevant=True,
        procuratorates=["某县人民检察院"],
    ),
]
EARLIER = [_copy(9, "spp", 1, story_id="story-old", title="检察院上周的报道")]


@pytest.fixture
def indexed(backend: SearchBackend) -> SearchBackend:
    assert all(o.ok for o in backend.index([*WEEK, *EARLIER]))
    backend.refresh()
    return backend


def _cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("JIANCHA_INDEX_NAME", settings.index_name)
    return main(list(argv))


def test_briefing_docx_holds_the_period_totals_stories_tables_chart_and_figures(
    settings: Settings, indexed: SearchBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, html = tmp_path / "week.docx", tmp_path / "week.html"
    argv = ["briefing", "--from", "2024-06-03", "--to", "2024-06-09", "--out", str(out), "--html", str(html)]
    assert _cli(settings, monkeypatch, *argv) == 0
    document = Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "舆情周报" in text and "2024年06月03日—2024年06月09日" in text
    totals, top, topics, procuratorates = (
        [[c.text for c in row.cells] for row in table.rows] for table in document.tables
    )
    # 4 articles this week (3 copies + 1), 2 stories; the week before: 1 article.
    assert totals[1] == ["报道篇数", "4", "1", "+300%"]
    assert totals[2] == ["报道事件（去重）", "2", "1", "+100%"]
    assert top[1][1:4] == ["洪洞县检察院督促整治汾河岸线", "spp", "2"]  # original outlet, 2 reprints
    assert "网民质疑某县检察院办案拖延" in text  # the critical item …
    assert "有网民反映某县检察院办理一起案件拖延两年。" in text  # … with its lead sentence
    assert ["公益诉讼", "3"] in topics
    assert [PROCURATORATE, "3"] in procuratorates
    assert "拆除违建12处（洪洞县检察院督促整治汾河岸线）" in text
    assert len(document.inline_shapes) == 1  # the trend chart
    page = html.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "拆除违建12处" in page


def test_briefing_refuses_a_reversed_period(settings: Settings, indexed: SearchBackend, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    argv = ["briefing", "--from", "2024-06-09", "--to", "2024-06-03", "--out", str(tmp_path / "x.docx")]
    assert _cli(settings, monkeypatch, *argv) == 2
    assert "--to must not be before --from" in capsys.readouterr().err


def test_daily_digest_lists_the_days_stories_critical_first(indexed: SearchBackend) -> None:
    search = SavedSearch(id=1, name="检察舆情", owner="press", query="检察")
    digest = collect_digest(indexed, [search], datetime(2024, 6, 6, tzinfo=CHINA_TZ))
    (section,) = digest.sections
    assert [s.title for s in section.stories] == ["网民质疑某县检察院办案拖延"]
    digest = collect_digest(indexed, [search], datetime(2024, 6, 4, tzinfo=CHINA_TZ))
    (story,) = digest.sections[0].stories
    assert story.copies == 3 and story.original_outlet == "spp"
    assert "转载 2" in render_digest_text(digest)
    assert "首发 spp" in render_digest_html(digest)
