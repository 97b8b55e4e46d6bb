"""An export reads every matching document once, but must not leave them in the app's memory: on
the embedded index the app's resident size (file pages mapped in included, as `top` shows it) may
not grow by the size of what was exported. Linux only (it reads /proc/self/status)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer import open_index
from pipeline.model import Article
from pipeline.settings import Settings
from tests.webapp.corpus import NOW
from webapp.app import create_app

ARTICLES = 1000
MIB = 1024 * 1024


def _rss_file() -> int:
    """Resident file pages of this process (bytes): where a memory-mapped index shows."""
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("needs Linux's /proc")
    fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
    return int(fields["RssFile"].split()[0]) * 1024


def test_an_export_does_not_grow_the_app_by_the_documents_it_read(settings: Settings) -> None:
    body = "检察机关开展公益诉讼工作，" * 400  # about 5 KiB of text per stored document
    backend = open_index(settings)
    backend.init()
    for start in range(0, ARTICLES, 500):
        batch = [Article.new(f"https://big.example.cn/{i}.html", title=f"检察工作{i}", body=body + str(i),
                             site="big", source="检察日报", published_at=NOW - timedelta(minutes=i))
                 for i in range(start, start + 500)]  # fmt: skip
        assert all(o.ok for o in backend.index(batch))
    backend.close()
    stored = sum(p.stat().st_size for p in settings.data_dir.rglob("*.sqlite*"))
    assert stored > 8 * MIB, stored  # big enough for the growth to show

    backend = open_index(settings)  # a freshly started app
    with TestClient(create_app(settings, backend)) as client:
        assert (
            client.get("/api/export.csv", params={"q": "检察", "limit": 1}).status_code == 200
        )  # code loaded
        before = _rss_file()
        answer = client.get("/api/export.csv", params={"q": "检察"})
        grown = _rss_file() - before
    backend.close()
    assert answer.status_code == 200 and answer.text.count("\n") == 1 + ARTICLES
    assert grown < stored / 4, (
        f"the app grew by {grown / MIB:.1f} MiB of file pages exporting {stored / MIB:.1f} MiB"
    )
