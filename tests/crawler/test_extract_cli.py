"""``jiancha extract FILE_OR_URL [--url URL]``: one JSON object with every field, on every evaluation page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.demo.site import LINFEN_SAMPLE_URL, build_pages
from pipeline.cli import main
from pipeline.settings import REPO_ROOT
from tests.crawler import split_pages as sp
from tests.crawler.cms_server import serve

# pages/<id>.html with its pages/<id>.json (readability's *.expected.html are its outputs, not pages)
EVAL_PAGES = sorted(
    p
    for p in (REPO_ROOT.parent / "shared" / "evaldata" / "pages").glob("*.html")
    if p.with_suffix(".json").exists()
)
FIELDS = {
    "url", "site", "title", "column", "subtitle", "published_at", "source", "authors", "editor", "body",
    "images", "encoding", "quality", "methods", "page_urls",
}  # fmt: skip


def test_black_box_on_the_sample_page(tmp_path: Path) -> None:
    page = tmp_path / "sample.html"
    page.write_bytes(build_pages()[LINFEN_SAMPLE_URL].body)
    url = "http://www.linfen365.com/xwpd/lfxw/202108/t20210813_1001.html"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", str(page), "--url", url],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        timeout=60,
    )
    got = json.loads(done.stdout)
    assert set(got) == FIELDS
    assert got["url"] == url and got["site"] == "临汾新闻网"  # --url picks the configured site
    assert got["title"] == "以高質量檢察履職提高群眾滿意度獲得感"
    assert got["published_at"] == "2021-08-13T09:36:16+08:00"
    assert (got["source"], got["authors"], got["editor"]) == ("山西日報", ["鄧偉強"], "吉政")
    assert got["methods"]["title"] and got["methods"]["body"] and "pinyin_damage" in got["quality"]


@pytest.mark.skipif(not EVAL_PAGES, reason="../shared/evaldata is not on this machine")
def test_every_evaluation_page_extracts(capsys: pytest.CaptureFixture[str]) -> None:
    empty = []
    for page in EVAL_PAGES:
        assert main(["extract", str(page)]) == 0, page.name
        got = json.loads(capsys.readouterr().out)
        assert set(got) == FIELDS, page.name
        assert got["published_at"] is None or got["published_at"][-6:] in ("+08:00", "+00:00"), page.name
        if not (got["title"] and len(got["body"]) > 100):
            empty.append(page.name)
    assert len(EVAL_PAGES) >= 60
    assert empty == []  # every page is a real article: each gets a title and a body


def test_a_saved_page_of_a_split_article_names_its_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page2.html"
    page.write_bytes(sp.trs_page(1))
    url = "http://www.example.gov.cn" + sp.TRS_PAGES[1]
    assert main(["extract", str(page), "--url", url]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["page_urls"] == ["http://www.example.gov.cn" + path for path in sp.TRS_PAGES]
    assert got["body"] == "\n".join(sp.TRS_TEXT[1])  # a file cannot fetch the others: this page only


def test_a_split_article_url_is_fetched_whole(capsys: pytest.CaptureFixture[str]) -> None:
    with serve() as site:
        assert main(["extract", site.base_url + sp.PORTAL_PAGES[1]]) == 0  # a later page's URL
        got = json.loads(capsys.readouterr().out)
        assert got["body"] == "\n".join(line for page in sp.PORTAL_TEXT for line in page)
        assert got["methods"]["pages"] == "joined:3" and "incomplete:pages" not in got["quality"]

        assert main(["extract", site.base_url + sp.BROKEN_FIRST]) == 0
        got = json.loads(capsys.readouterr().out)
        assert got["body"] == "\n".join(line for page in sp.BROKEN_TEXT[:2] for line in page)
        assert "incomplete:pages" in got["quality"]
