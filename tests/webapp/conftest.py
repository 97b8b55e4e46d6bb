"""Fixtures of the web app tests: one story reprinted by three outlets, next to the enriched corpus."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evaluation.articles import ENRICHED
from indexer import open_index
from pipeline.model import Article
from pipeline.settings import Settings
from webapp.app import create_app

_BODY = "山西省人民检察院召开新闻发布会，通报全省检察机关开展涉企挂案清理工作情况，共清理挂案312件。"


def _copy(url: str, site: str | None, published: str) -> Article:
    return Article.new(url, title="山西检察机关清理涉企挂案312件", body=_BODY, site=site, source="山西日报",
                       published_at=datetime.fromisoformat(published), story_id="story-guaan")  # fmt: skip


# Every copy names 山西日报 in 来源. The county portal had it first, 山西日报's own site (a demo
# site, so its name carries （演示）) twelve hours later: the original is still 山西日报's copy.
GUAAN_LINFEN = _copy("https://www.linfen.cn/guaan.html", "临汾新闻网", "2024-06-01T08:00:00+08:00")
GUAAN_SXRB = _copy("https://www.sxrb.com/guaan.html", "山西日报（演示）", "2024-06-01T20:00:00+08:00")
GUAAN_PORTAL = _copy("https://www.hongtong.gov.cn/guaan.html", None, "2024-06-02T10:00:00+08:00")
GUAAN = [GUAAN_LINFEN, GUAAN_SXRB, GUAAN_PORTAL]


@pytest.fixture
def settings(tmp_path: Path, unique_name: str) -> Settings:
    """The web app tests' settings: single-user mode (no login), except where a test logs in
    (test_auth.py, the browser journeys)."""
    return Settings(
        data_dir=tmp_path / "data",
        topic_prefix=f"{unique_name}.",
        index_name=unique_name,
        web_single_user=True,
    )


@pytest.fixture
def story_client(settings: Settings) -> Iterator[TestClient]:
    """The app over a SQLite index of the enriched corpus and the 挂案 story."""
    backend = open_index(settings)
    backend.init()
    assert all(o.ok for o in backend.index([*ENRICHED, *GUAAN]))
    with TestClient(create_app(settings, backend), raise_server_exceptions=False) as client:
        yield client
    backend.close()
