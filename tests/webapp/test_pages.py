"""The dashboard, trends, article and export routes over HTTP (embedded index, single-user mode)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient

from indexer import SearchBackend, SearchQuery, open_index
from pipeline.settings import Settings
from tests.webapp.corpus import CORPUS, HOSTILE, NOW, TRADITIONAL, many
from webapp.app import create_app
from webapp.deps import get_now
from webapp.xlsx_stream import xlsx_chunks


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    backend = open_index(settings)
    backend.init()
    assert all(o.ok for o in backend.index(CORPUS))
    app = create_app(settings, backend)
    app.dependency_overrides[get_now] = lambda: NOW
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    backend.close()


def test_the_dashboard_page_lists_stories_and_silent_counties(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.text.index("网民质疑某检察院办案拖延") < page.text.index(
        "洪洞縣檢察院開展司法救助"
    )  # critical first
    assert '<span class="unit silent">新荣区</span>' in page.text
    assert "2 / 117 个县级单位有报道" in page.text
    assert (
        client.get("/", params={"q": "检察"}, follow_redirects=False).headers["location"]
        == "/search?q=%E6%A3%80%E5%AF%9F"
    )


def test_a_search_preset_is_a_window_ending_today(client: TestClient) -> None:
    today = client.get("/api/search", params={"q": "检察", "preset": "today", "relevant": "1"}).json()
    assert [h["title"] for h in today["hits"]] == [TRADITIONAL.title]
    page = client.get("/search", params={"q": "检察", "preset": "7d"}).text
    assert "<strong>近7天</strong>" in page and "日期：近7天 ×" in page


def test_csv_export_has_a_bom_and_every_row(client: TestClient) -> None:
    answer = client.get("/api/export.csv", params={"q": "检察", "source": "山西日報"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8")[1:])))
    assert rows[0][:3] == ["发布时间", "标题", "来源"]
    assert {r[2] for r in rows[1:]} == {"山西日报", "山西日報"}  # one outlet in both scripts
    assert len(rows) == 1 + 5  # 公益诉讼 ×2, 司法救助, critical, culture


def test_xlsx_export_opens_with_its_filters_stated(client: TestClient) -> None:
    answer = client.get("/api/export.xlsx", params={"q": "检察", "tone": "critical"})
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    rows = list(book["检索结果"].iter_rows(values_only=True))
    assert rows[0][1] == "标题" and [r[1] for r in rows[1:]] == ["网民质疑某检察院办案拖延"]
    about = dict(book["检索条件"].iter_rows(values_only=True))
    assert about["篇数"] == "1" and "tone=critical" in about["检索条件"]


def test_bad_export_parameters_are_a_400_before_any_byte(client: TestClient) -> None:
    answer = client.get("/api/export.csv", params={"q": "检察", "from": "yesterday"})
    assert answer.status_code == 400 and "from must be a date" in answer.json()["detail"]
    assert client.get("/api/export.csv", params={"q": "检察", "limit": "0"}).status_code == 400
    assert client.get("/api/export.pdf", params={"q": "检察"}).status_code == 400


def test_the_xlsx_writer_drops_what_xml_cannot_hold() -> None:
    data = b"".join(xlsx_chunks(["标题"], [["a\x00b<c>&d"]], [10], lambda n: [("篇数", str(n))]))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert list(book.worksheets[0].iter_rows(values_only=True)) == [("标题",), ("ab<c>&d",)]


def test_the_xlsx_writer_keeps_every_value_in_its_column() -> None:
    rows = [["1", "", "3"], ["", "b\x1fc", ""], ["x", "y", "z"]]  # empty cells, and \x1f in a value
    data = b"".join(xlsx_chunks(["甲", "乙", "丙"], rows, [5, 5, 5], lambda n: [("篇数", str(n))]))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]  # the full reader: cells by place
    assert [[c.value for c in r] for r in sheet.iter_rows(min_row=2)] == [
        ["1", None, "3"], [None, "bc", None], ["x", "y", "z"]
    ]  # fmt: skip
    assert sheet["B1"].font.b and not sheet["B2"].font.b  # the header is bold


def test_trends_page_and_chart_csv(client: TestClient) -> None:
    page = client.get("/trends", params={"interval": "month"})
    assert page.status_code == 200 and 'data-chart="volume"' in page.text
    assert "/static/vendor/echarts.min.js" in page.text or "make assets" in page.text
    csv_answer = client.get("/api/trends/critical.csv", params={"q": "检察", "interval": "month"})
    assert csv_answer.text.splitlines()[0] == "\ufeff时段起始日,批评报道占比%,批评报道篇数"
    assert client.get("/api/trends/nothing.csv", params={"q": "检察"}).status_code == 404
    assert client.get("/trends", params={"interval": "year"}).status_code == 400


def test_trends_of_a_filtered_search_say_so_and_keep_the_filters(client: TestClient) -> None:
    """Trends opened from a narrowed search (趋势分析 there) state its filters, each removable, and
    the form's 分析 keeps them."""
    page = client.get("/trends", params={"q": "检察", "source": "检察日报", "preset": "30d"}).text
    assert "筛选条件：" in page and "来源：检察日报 ×" in page and "日期：近30天 ×" in page
    assert 'href="/trends?q=%E6%A3%80%E5%AF%9F&amp;preset=30d"' in page  # 来源 removed, the rest kept
    assert '<input type="hidden" name="source" value="检察日报">' in page
    assert '<input type="hidden" name="preset" value="30d">' in page
    assert "共 <strong>1</strong> 篇" in page  # 临汾市检察机关公益诉讼立案30件 (20 May), 检察日报
    assert "筛选条件" not in client.get("/trends", params={"q": "检察"}).text


def test_the_article_page_escapes_crawled_markup(client: TestClient) -> None:
    page = client.get(f"/articles/{HOSTILE.article_id}")
    assert page.status_code == 200
    assert "<script>document" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;" in page.text
    assert client.get("/articles/" + "0" * 32).status_code == 404


def test_scan_walks_every_match_as_the_cursor_does(settings: Settings) -> None:
    backend: SearchBackend = open_index(settings)
    backend.init()
    assert all(o.ok for o in backend.index(many(450)))
    query = SearchQuery("检察")
    fast = [h.article_id for h in backend.scan(query, 1000)]
    slow = [h.article_id for h in SearchBackend.scan(backend, query, 1000)]  # the cursor walk
    assert len(fast) == 450 and fast == slow
    assert len(list(backend.scan(query, 7))) == 7
    backend.close()
