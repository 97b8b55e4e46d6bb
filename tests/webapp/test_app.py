"""The web app over the embedded SQLite index, through FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from evaluation.articles import CORPUS, COUNTY, ENRICHED, MINORS_CRITICAL, SHANXI, SPP
from indexer import SearchBackend, open_index
from pipeline.model import Article
from pipeline.settings import Settings
from webapp.app import create_app

XSS = Article.new(
    "javascript:alert(1)",
    title="<script>alert('标题')</script>检察简讯",
    body="正文<img src=x onerror=alert(1)>检察",
    site="evil",
    published_at=datetime(2024, 2, 1, tzinfo=UTC),
)


@pytest.fixture
def backend(settings: Settings) -> Iterator[SearchBackend]:
    backend = open_index(settings)
    backend.init()
    assert all(o.ok for o in backend.index([*CORPUS, XSS]))
    yield backend
    backend.close()


@pytest.fixture
def client(settings: Settings, backend: SearchBackend) -> Iterator[TestClient]:
    with TestClient(create_app(settings, backend), raise_server_exceptions=False) as client:
        yield client


def test_search_api_returns_hits_as_json(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "司法救助", "sort": "date"})
    assert response.status_code == 200
    data = response.json()
    assert (data["query"], data["total"], data["page"]) == ("司法救助", 2, 1)
    assert [h["article_id"] for h in data["hits"]] == [SPP.article_id, COUNTY.article_id]
    first = data["hits"][0]
    assert first["url"] == SPP.url and first["title"] == SPP.title and first["source"] == "检察日报"
    assert first["published_at"] == "2024-05-01T08:30:00Z"
    assert "<em>司法救助</em>" in first["snippet"]


def test_search_api_filters_and_pages(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "检察", "site": "shanxi", "size": "1", "page": "2"}).json()
    assert data["total"] == 2 and data["page"] == 2 and len(data["hits"]) == 1
    day = client.get("/api/search", params={"q": "检察", "from": "2024-06-01", "to": "2024-06-01"}).json()
    assert [h["article_id"] for h in day["hits"]] == [SHANXI.article_id]


# Parameters as pairs, not dicts: parametrize values must be hashable for tests/conftest.py.
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ((), "empty"),
        ((("q", "   "),), "empty"),
        ((("q", "x" * 501),), "too long"),
        ((("q", '司法"救助'),), "quote"),
        ((("q", "检察\x00"),), "control"),
        ((("q", "检察"), ("page", "abc")), "page"),
        ((("q", "检察"), ("page", "0")), "page"),
        ((("q", "检察"), ("size", "1000")), "size"),
        ((("q", "检察"), ("sort", "random")), "sort"),
        ((("q", "检察"), ("from", "May 1st")), "date"),
    ],
)
def test_bad_input_is_a_400_with_a_reason(
    client: TestClient, params: tuple[tuple[str, str], ...], message: str
) -> None:
    response = client.get("/api/search", params=dict(params))
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_index_not_created_is_a_503_with_the_reason(settings: Settings) -> None:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        response = client.get("/api/search", params={"q": "检察"})
        assert response.status_code == 503
        assert "does not exist" in response.json()["detail"]
        assert client.get("/healthz").status_code == 503


def test_unreachable_elasticsearch_is_a_503_naming_the_address(settings: Settings) -> None:
    down = settings.model_copy(
        update={"index": "elasticsearch", "elasticsearch_url": "http://127.0.0.1:1", "connect_timeout_s": 1.0}
    )
    with TestClient(create_app(down), raise_server_exceptions=False) as client:
        response = client.get("/api/search", params={"q": "检察"})
        assert response.status_code == 503
        assert "http://127.0.0.1:1" in response.json()["detail"]
        page = client.get("/search", params={"q": "检察"})
        assert page.status_code == 503 and "http://127.0.0.1:1" in page.text


def test_healthz_reports_the_article_count(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "index": "sqlite", "articles": len(CORPUS) + 1}


def test_page_without_query_shows_the_form(client: TestClient) -> None:
    response = client.get("/search")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert '<form method="get" action="/search"' in response.text
    assert 'name="q"' in response.text and "检索" in response.text
    assert "共找到" not in response.text


def test_page_renders_results_server_side(client: TestClient) -> None:
    response = client.get("/search", params={"q": "国家"})
    assert response.status_code == 200
    html = response.text
    assert "共找到 <strong>1</strong> 篇报道" in html
    assert f'href="{SPP.url}"' in html
    assert "<em>國家</em>" in html  # highlighted, in the article's own script
    assert "检察日报" in html and "spp" in html
    assert "2024-05-01 16:30" in html  # published time in China Standard Time
    assert 'value="国家"' in html  # the query stays in the box


def test_page_shows_no_results_and_bad_queries_politely(client: TestClient) -> None:
    none = client.get("/search", params={"q": "农村饮水"})
    assert none.status_code == 200 and "没有找到匹配的报道" in none.text
    bad = client.get("/search", params={"q": '司法"救助'})
    assert bad.status_code == 400
    assert "检索式有误" in bad.text and "quote" in bad.text
    assert 'value="司法&#34;救助"' in bad.text  # the query is echoed back escaped


def test_page_links_to_the_next_page_keeping_the_filters(client: TestClient) -> None:
    html = client.get("/search", params={"q": "检察", "site": "shanxi", "size": "1"}).text
    assert "第 1 / 2 页" in html
    assert 'href="/search?q=%E6%A3%80%E5%AF%9F&amp;site=shanxi&amp;size=1&amp;page=2"' in html
    second = client.get("/search", params={"q": "检察", "site": "shanxi", "size": "1", "page": "2"}).text
    assert "上一页" in second and "下一页" not in second


def test_page_never_executes_text_from_articles(client: TestClient) -> None:
    html = client.get("/search", params={"q": "简讯 <script>"}).text
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html  # a javascript: URL is not linked


@pytest.fixture
def enriched_client(settings: Settings) -> Iterator[TestClient]:
    own = settings.model_copy(update={"index_name": settings.index_name + "_enriched"})
    backend = open_index(own)
    backend.init()
    assert all(o.ok for o in backend.index(ENRICHED))
    with TestClient(create_app(own, backend), raise_server_exceptions=False) as client:
        yield client
    backend.close()


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("(公益诉讼 黄河", "bracket"),
        ("公益诉讼)", "bracket"),
        ("“检察听证", "quote"),
        ("检察 " * 2500, "too long"),
        ("-交通", "only excludes"),
        ("黄河 OR", "OR"),
    ],
)
def test_malformed_query_syntax_is_a_400(enriched_client: TestClient, q: str, message: str) -> None:
    response = enriched_client.get("/api/search", params={"q": q})
    assert response.status_code == 400
    assert message in response.json()["detail"]
    page = enriched_client.get("/search", params={"q": q})
    assert page.status_code == 400 and "检索式有误" in page.text


def test_search_api_collapses_copies_and_returns_facets_and_histogram(enriched_client: TestClient) -> None:
    params = {"q": "公益诉讼 (黄河 OR 汾河)", "facets": "1", "histogram": "week", "all_copies": "1"}
    data = enriched_client.get("/api/search", params=params).json()
    assert (data["total"], data["stories"], len(data["hits"])) == (3, 1, 1)
    (hit,) = data["hits"]
    assert (hit["story_id"], hit["copies"], hit["outlets"]) == ("story-fenhe", 3, ["linfen", "spp", "sxrb"])
    assert [c["site"] for c in hit["copy_list"]] == ["spp", "sxrb", "linfen"]
    assert data["facets"]["region"][0] == {"value": "临汾市", "count": 3, "label": None}
    assert data["histogram"] == [{"key": "2024-06-03", "count": 2}, {"key": "2024-06-10", "count": 1}]
    every = enriched_client.get("/api/search", params={"q": "汾河 公益诉讼", "stories": "0"}).json()
    assert len(every["hits"]) == 3


def test_search_api_filters_by_enrichment(enriched_client: TestClient) -> None:
    critical = enriched_client.get("/api/search", params={"q": "未成年人", "tone": "critical"}).json()
    assert [h["article_id"] for h in critical["hits"]] == [MINORS_CRITICAL.article_id]
    unrelated = enriched_client.get("/api/search", params={"q": "黄河 OR 汾河", "relevant": "0"}).json()
    assert [h["title"] for h in unrelated["hits"]] == ["黄河文化旅游节在临汾开幕"]
    bad = enriched_client.get("/api/search", params={"q": "检察", "relevant": "maybe"})
    assert bad.status_code == 400 and "relevant" in bad.json()["detail"]


def test_page_shows_copies_and_facet_links(enriched_client: TestClient) -> None:
    html = enriched_client.get("/search", params={"q": "检察"}).text
    assert '<a class="copies" href="/stories/story-fenhe">转载 2</a>' in html  # two copies besides this one
    assert "刊载媒体：linfen、spp、sxrb" in html
    assert "主题" in html and "未成年人检察</a> (2)" in html
    assert 'href="/search?q=%E6%A3%80%E5%AF%9F&amp;tone=critical"' in html


def test_openapi_documents_the_parameters_and_the_answers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    search = spec["paths"]["/api/search"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {
        "q",
        "source",
        "from",
        "to",
        "preset",
        "sort",
        "page",
    }
    answer = search["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert answer.endswith("/SearchResponse")
    assert {"total", "stories", "hits", "facets"} <= set(
        spec["components"]["schemas"]["SearchResponse"]["properties"]
    )
    story = spec["paths"]["/api/stories/{story_id}"]["get"]["responses"]["200"]["content"]
    assert story["application/json"]["schema"]["$ref"].endswith("/StoryView")
    assert client.get("/docs").status_code == 200
