"""Fault (a) for the crawler, and the embedded default: a local site of generated article pages is
crawled by `jiancha crawl --forever` (then processed and indexed by the other workers), or by the
one `jiancha up` process; the crawler or `up` is killed with SIGKILL mid-crawl and started again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from indexer import open_index
from pipeline.settings import REPO_ROOT, Settings
from tests.faults.checks import dead_letters, verify, wait_for
from tests.faults.conftest import ARTICLES
from tests.faults.pipeline_run import drained, start_pipeline
from tests.faults.site import GeneratedSite
from tests.faults.workers import Fleet


@pytest.mark.timeout(1800)
def test_the_crawler_killed_mid_crawl_and_started_again_publishes_every_page_once(
    fault_settings: Settings, fleet: Fleet, tmp_path: Path
) -> None:
    with GeneratedSite(ARTICLES, "crawl") as site:
        fleet.env["JIANCHA_SITES_FILE"] = str(site.sites_file(tmp_path))
        start_pipeline(fleet)
        fleet.add("crawler")
        wait_for(
            lambda: site.article_hits() >= ARTICLES // 3, 900, "a third of the pages fetched", every_s=0.2
        )
        fleet.kill9("crawler")  # its Scrapy child too: the whole process group
        fetched_before = site.article_hits()
        time.sleep(2)
        fleet.restart("crawler")  # --forever crawls at once on start: the round begins again
        drained(fault_settings, len(site.published.articles), fleet)
        time.sleep(5)
        verdict = verify(fault_settings, site.published)
    print(f"FAULT crawler kill -9 after {fetched_before} pages: {verdict.line()}")
    assert (verdict.lost, verdict.duplicates, verdict.unexpected, verdict.dead) == (0, 0, 0, 0), (
        verdict.line()
    )
    assert verdict.split_stories == 0, verdict.line()
    assert fleet.unexpected_exits() == {}, fleet.tails()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def embedded_ids(settings: Settings) -> tuple[Counter[str], dict[str, str], int]:
    """Rows per article id, each article's story, and the full-text rows (one per article)."""
    import sqlite3

    backend = open_index(settings)
    path = getattr(backend, "path", None)
    backend.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute("SELECT article_id, story_key FROM articles").fetchall()
        fts = int(conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0])
    finally:
        conn.close()
    return Counter(r[0] for r in rows), {r[0]: r[1] for r in rows}, fts


def embedded_count(settings: Settings) -> int:
    backend = open_index(settings)
    try:
        return backend.count()
    finally:
        backend.close()


@pytest.mark.timeout(1800)
def test_jiancha_up_killed_mid_run_and_started_again_loses_and_repeats_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", index="sqlite", bus="embedded")
    with GeneratedSite(ARTICLES, "up") as site:
        env = {
            **os.environ,
            "JIANCHA_DATA_DIR": str(settings.data_dir),
            "JIANCHA_BUS": "embedded",
            "JIANCHA_INDEX": "sqlite",
            "JIANCHA_SITES_FILE": str(site.sites_file(tmp_path)),
            "JIANCHA_WEB_PORT": str(free_port()),
        }
        log = tmp_path / "up.log"

        def up() -> subprocess.Popen[bytes]:
            with open(log, "ab") as out:
                return subprocess.Popen(
                    [sys.executable, "-m", "pipeline.cli", "up"],
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

        process = up()
        try:
            wait_for(lambda: embedded_count(settings) >= ARTICLES // 4, 900, "a quarter indexed", every_s=0.5)
            os.killpg(process.pid, signal.SIGKILL)  # up and its crawl child, mid-run
            process.wait(30)
            killed_at = embedded_count(settings)
            process = up()
            wait_for(lambda: embedded_count(settings) >= ARTICLES, 1200, "every article indexed")
            time.sleep(5)
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        rows, stories, fts = embedded_ids(settings)
    letters = dead_letters(settings)
    expected = site.published.ids
    lost, unexpected = len(expected - set(rows)), len(set(rows) - expected)
    duplicates = sum(n - 1 for n in rows.values()) + (fts - len(rows))
    copies = {i for pair in site.published.pairs for i in pair}
    split = sum(1 for a, b in site.published.pairs if stories.get(a) != stories.get(b))
    split += sum(1 for i in expected - copies if stories.get(i) != i)
    print(f"FAULT jiancha up kill -9 at {killed_at} indexed: published {len(expected)}, indexed {len(rows)}, "
          f"lost {lost}, duplicates {duplicates}, unexpected {unexpected}, split stories {split}")  # fmt: skip
    assert (lost, duplicates, unexpected, split, len(letters)) == (0, 0, 0, 0, 0)
