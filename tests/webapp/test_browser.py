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


def test_a_simplified_query_shows_the_traditional_article_highlighted(site_url: str, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; `make system` installs it")
        pytest.skip("chromium is not installed")
    dom = render(f"{site_url}/?q={urllib.parse.quote('司法救助')}", tmp_path / "profile")
    assert "洪洞縣檢察院開展" in dom
    assert "<em>司法救助</em>" in dom
    assert "http://news.example.cn/a/1.html" in dom
    assert "城区道路通车" not in dom
