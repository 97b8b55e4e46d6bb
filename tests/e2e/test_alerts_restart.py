"""The alerts worker restarted in the middle of a run, as a real `jiancha alerts` process, while
stories keep arriving in the index: killed (SIGKILL, a crash) and stopped (SIGTERM, a deploy).
No story is ever skipped; a graceful restart sends nothing twice, and a crash repeats at most the
one message that was in flight — the README's promise. Embedded index, and the real Elasticsearch.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.model import ChannelSpec, SavedSearch
from alerts.store import open_store
from indexer import SearchBackend, open_index
from pipeline.model import Article
from pipeline.settings import Settings
from tests.alerts.receivers import HttpReceiver

STORIES = 60
REPRINT_EVERY = 4  # every 4th article is a second copy of the story before it: never an alert


def _articles() -> list[Article]:
    out = []
    for n in range(STORIES):
        fields = {"title": f"洪洞县检察院通报第{n}起电信诈骗案件办理情况",
                  "body": f"洪洞县人民检察院近日通报第{n}起电信网络诈骗案件，追赃挽损{n + 10}万元。",
                  "published_at": datetime(2026, 12, 1, 1, n % 60, tzinfo=UTC), "story_id": f"story-restart-{n}",
                  "relevant": True}  # fmt: skip
        out.append(Article.new(f"https://www.hongtong.gov.cn/restart/{n}.html", **fields))  # type: ignore[arg-type]
        if n % REPRINT_EVERY == REPRINT_EVERY - 1:
            out.append(Article.new(f"https://www.sxrb.com/restart/{n}.html", site="山西日报", **fields))  # type: ignore[arg-type]
    return out


class Worker:
    """`jiancha alerts` in its own process, on the test's data folder and index."""

    def __init__(self, settings: Settings, log: Path) -> None:
        env = {**os.environ, "JIANCHA_DATA_DIR": str(settings.data_dir), "JIANCHA_INDEX": settings.index,
               "JIANCHA_INDEX_NAME": settings.index_name, "JIANCHA_ELASTICSEARCH_URL": settings.elasticsearch_url,
               "JIANCHA_ALERTS_POLL_S": "0.3", "PYTHONFAULTHANDLER": "1"}  # fmt: skip
        self.path = log
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "alerts"], env=env, stdout=self.log, stderr=self.log
        )

    def stop(self, signum: signal.Signals) -> int:
        """Signal the worker and wait for it. SIGTERM drops a look that is only querying and
        finishes a delivery, so the worker exits within a webhook's reply. One that does not is
        made to dump its threads' stacks (faulthandler, on SIGABRT) into the log the test shows."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            self.process.wait()
            self.log.flush()
            tail = self.path.read_text(errors="replace")[-4000:]
            raise AssertionError(f"the worker did not exit within 60 s of {signum.name}:\n{tail}") from None
        finally:
            self.log.close()


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.integration)])
def deployment(
    request: pytest.FixtureRequest, settings: Settings
) -> Iterator[tuple[Settings, SearchBackend]]:
    if request.param == "elasticsearch":
        es_url = request.getfixturevalue("elasticsearch_url")
        settings = settings.model_copy(update={"index": "elasticsearch", "elasticsearch_url": es_url})
    backend = open_index(settings)
    backend.init()
    yield settings, backend
    backend.drop()
    backend.close()


def test_a_restarted_worker_skips_no_story_and_repeats_at_most_the_message_in_flight(
    deployment: tuple[Settings, SearchBackend], tmp_path: Path
) -> None:
    settings, backend = deployment
    receiver = HttpReceiver()
    store = open_store(settings)
    store.add(SavedSearch(name="电信诈骗", owner="press", query="电信 诈骗",
                          channels=[ChannelSpec(kind="webhook", target=receiver.url())]))  # fmt: skip
    store.close()
    articles = _articles()
    log = tmp_path / "alerts.log"
    received = lambda: {i["story_key"] for r in receiver.requests for i in r.body["items"]}  # noqa: E731

    failures: list[BaseException] = []

    def feed() -> None:  # two articles at a time, as an indexer's small batches, all through the run
        try:
            for n in range(0, len(articles), 2):
                assert all(o.ok for o in backend.index(articles[n : n + 2]))
                backend.refresh()
                time.sleep(0.3)
        except BaseException as error:  # reported by the test below
            failures.append(error)

    def started(count: int) -> Callable[[], bool]:
        return lambda: log.read_text(errors="replace").count("alerts worker started") >= count

    expected = {f"story-restart-{n}" for n in range(STORIES)}
    feeder = threading.Thread(target=feed)
    worker = Worker(settings, log)
    try:
        _wait_for(started(1), 60, "the worker to start")
        feeder.start()
        _wait_for(lambda: len(received()) >= 6, 60, "the first alerts")
        assert worker.stop(signal.SIGKILL) == -signal.SIGKILL  # a crash, mid-run
        assert len(received()) < STORIES // 2, "the crash came too late to be mid-run"
        worker = Worker(settings, log)
        _wait_for(lambda: len(received()) >= STORIES // 2, 60, "alerts after the crash")
        assert worker.stop(signal.SIGTERM) == 0  # a graceful restart, mid-run
        sent_before_sigterm = len(receiver.requests)
        assert len(received()) < STORIES, "the restart came too late to be mid-run"
        worker = Worker(settings, log)
        feeder.join(timeout=120)
        _wait_for(lambda: received() >= expected, 90, "every story's alert")
    finally:
        feeder.join(timeout=120)
        code = worker.stop(signal.SIGTERM)
        receiver.close()
    assert not failures, failures
    assert code == 0, log.read_text(errors="replace")[-2000:]

    items = [(n, i["story_key"], i["kind"]) for n, r in enumerate(receiver.requests) for i in r.body["items"]]
    assert {key for _, key, _ in items} == expected  # none skipped, no reprint announced on its own
    assert {kind for _, _, kind in items} == {"new"}
    counts = Counter(key for _, key, _ in items)
    first: dict[str, int] = {}
    for n, key, _ in items:
        first.setdefault(key, n)
    repeats = {n for n, key, _ in items if first[key] != n}
    # A repeat can only come from the crash: the message the receiver took just before the kill,
    # sent again by the next worker. Never more than that one message; nothing from the SIGTERM.
    bodies = json.dumps([r.body for r in receiver.requests], ensure_ascii=False)[:3000]
    assert len(repeats) <= 1, bodies
    assert all(n <= sent_before_sigterm for n in repeats), bodies
    assert all(count <= 2 for count in counts.values())
