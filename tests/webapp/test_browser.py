"""The search page in a real headless Chromium: what a press officer sees after typing a query."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import uvicorn

from indexer import open_index
from pipeline.model import Article
from pipeline.settings import Settings
from tests.webapp.conftest import GUAAN, GUAAN_SXRB
from tests.webapp.html import rows
from webapp.app import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def site_url(settings: Settings) -> Iterator[str]:
    backend = open_index(settings)
    backend.init()
    backend.index(
        [
            Article.new(
                "http://news.example.cn/a/1.html",
                title="洪洞縣檢察院開展司法救助",
                body="洪洞縣檢察院為困難群眾發放司法救助金。",
                source="临汾日报",
                site="临汾新闻网",
                published_at=datetime.fromisoformat("2021-08-13T09:36:16+08:00"),
            ),
            Article.new("http://news.example.cn/a/2.html", title="城区道路通车", body="一条新路今天通车。"),
            *GUAAN,
        ]
    )
    backend.close()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def render(url: str, profile: Path) -> str:
    """The DOM after Chromium loaded the page (flags: no sandbox as root, no background traffic)."""
    command = [
        CHROMIUM or "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--dump-dom",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-1000:]
    return result.stdout


def need_chromium() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; `make system` installs it")
        pytest.skip("chromium is not installed")


def test_a_simplified_query_shows_the_traditional_article_highlighted(site_url: str, tmp_path: Path) -> None:
    need_chromium()
    dom = render(f"{site_url}/search?q={urllib.parse.quote('司法救助')}", tmp_path / "profile")
    assert "洪洞縣檢察院開展" in dom
    assert "<em>司法救助</em>" in dom
    assert "http://news.example.cn/a/1.html" in dom
    assert "城区道路通车" not in dom


def test_the_story_view_marks_the_copy_of_the_outlet_named_in_laiyuan(site_url: str, tmp_path: Path) -> None:
    need_chromium()
    dom = render(f"{site_url}/stories/story-guaan", tmp_path / "profile")
    copies = rows(dom)
    assert [row.split(" ")[0] for row in copies] == ["临汾新闻网", "山西日报（演示）", "www.hongtong.gov.cn"]
    assert [("原发" in row) for row in copies] == [False, True, False]  # not the earliest copy
    assert "2024-06-01 20:00" in copies[1]
    assert f'href="{GUAAN_SXRB.url}"' in dom
    assert "共 3 篇（转载 2 篇）" in dom
