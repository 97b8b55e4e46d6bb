"""Hostile requests to every route of the web app (read from the app itself, so a new route is
covered without touching this file): huge and malformed parameters, path traversal, script
injection, oversized exports and calls without the right to make them get a 4xx (or a redirect
to the login form), never a 500, and an injected script never comes back as markup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.articles import ENRICHED
from indexer import open_index
from pipeline.settings import Settings
from webapp.accounts import AccountStore, accounts_path
from webapp.app import create_app

PASSWORD = "correct horse battery"
SCRIPT = "<script>alert(1)</script>"
# Each a value a path segment or a parameter may be given by someone probing the app.
HOSTILE = [
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..\\..\\windows\\win.ini",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    '{"query": {"match_all": {}}}',
    "*:*",
    "%00",
    "\u202e\u0000\ufffd",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e308",
    "NaN",
    "检察" * 3000,
    "x" * 20_000,
]
# Names of the parameters the routes read, and a few they do not.
PARAMS = ["q", "page", "size", "limit", "from", "to", "preset", "sort", "cursor", "site", "topic", "tone",
          "relevant", "min_relevance", "histogram", "chart", "city", "metric", "unit", "token", "next",
          "format", "stories", "all_copies", "facets", "interval", "days", "id"]  # fmt: skip
PUBLIC = {"/login", "/health", "/ready", "/metrics", "/healthz", "/docs", "/openapi.json", "/redoc"}


@dataclass(frozen=True)
class Route:
    path: str
    method: str

    def url(self, value: str) -> str:
        """The path with every {parameter} replaced by ``value``, slashes and %-escapes kept."""
        budget = 60_000 // max(1, self.path.count("{"))  # a URL stays under 64 kB (HTTP clients' limit)
        return re.sub(r"\{[^}]+\}", lambda _: quote(value, safe="/%")[:budget], self.path)

    @property
    def needs_login(self) -> bool:
        return self.path not in PUBLIC and not self.path.startswith(("/static", "/feeds/"))


def routes(app: FastAPI) -> list[Route]:
    """Every (path, method) the app answers, included routers and mounts too."""
    found: list[Route] = []

    def walk(items: list[Any], prefix: str) -> None:
        for item in items:
            if hasattr(item, "original_router"):  # an included router (FastAPI ≥ 0.16x)
                walk(item.original_router.routes, prefix + (item.include_context.prefix or ""))
            elif hasattr(item, "routes") and not hasattr(item, "methods") and getattr(item, "path", None):
                found.append(Route(prefix + item.path + "/{file}", "GET"))  # a mount (static files)
            else:
                for method in sorted(getattr(item, "methods", None) or {"GET"}):
                    if method != "HEAD":
                        found.append(Route(prefix + item.path, method))

    walk(list(app.router.routes), "")
    return found


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    data: Path = tmp_path_factory.mktemp("hostile")
    settings_ = Settings(data_dir=data, index_name="hostile")
    backend = open_index(settings_)
    backend.init()
    assert all(o.ok for o in backend.index(ENRICHED))
    store = AccountStore(accounts_path(data))
    store.add_user("wang", PASSWORD, "admin")
    store.add_user("li", PASSWORD, "viewer")
    tokens = {"admin": store.create_token("wang"), "viewer": store.create_token("li")}
    store.close()
    app = create_app(settings_, backend)
    yield app, tokens
    backend.close()


@pytest.fixture(scope="module")
def clients(deployment: tuple[FastAPI, dict[str, str]]) -> Iterator[dict[str, TestClient]]:
    app, tokens = deployment
    opened = {
        who: TestClient(
            app,
            raise_server_exceptions=False,
            follow_redirects=False,
            headers={"Authorization": f"Bearer {token}"} if token else {},
        )
        for who, token in {"anonymous": "", **tokens}.items()
    }
    for client in opened.values():
        client.__enter__()
    yield opened
    for client in opened.values():
        client.__exit__(None, None, None)


def call(client: TestClient, route: Route, url: str, **kwargs: object) -> tuple[int, str, str]:
    answer = client.request(route.method, url, **kwargs)  # type: ignore[arg-type]
    return answer.status_code, answer.headers.get("content-type", ""), answer.text


def assert_no_500_and_inert(status: int, content_type: str, text: str, where: str) -> None:
    # 503 is an answer: the index is down (said in words), or /ready reports a service not ready.
    unavailable = status == 503 and ("检索服务暂不可用" in text or '"not ready"' in text)
    assert status < 500 or unavailable, f"{where}: {status} {text[:300]}"
    if "html" in content_type:
        assert SCRIPT not in text and "<img src=x" not in text, f"{where} reflects markup unescaped"
    assert "root:x:0:0" not in text and "Traceback" not in text, where


def test_every_route_is_found(deployment: tuple[FastAPI, dict[str, str]]) -> None:
    app, _ = deployment
    found = {(r.method, r.path) for r in routes(app)}
    assert len(found) >= 35  # the app's routes today; a new one joins the tests below by itself
    for expected in [("GET", "/api/search"), ("GET", "/api/export.{fmt}"), ("POST", "/admin/users"),
                     ("DELETE", "/api/saved/{search_id}"), ("GET", "/static/{file}")]:  # fmt: skip
        assert expected in found


def test_hostile_path_segments_and_parameters_on_every_route_get_no_500(
    deployment: tuple[FastAPI, dict[str, str]], clients: dict[str, TestClient]
) -> None:
    app, _ = deployment
    tried = 0
    for route in routes(app):
        for who in ("viewer", "admin"):
            client = clients[who]
            for value in HOSTILE:
                url = route.url(value if "{" in route.path else "")
                # A huge value goes in one parameter: a URL stays under 64 kB (HTTP clients' limit).
                names = PARAMS if len(value) < 1000 else [] if "{" in route.path else PARAMS[:1]
                status, kind, text = call(client, route, url, params=dict.fromkeys(names, value))
                assert_no_500_and_inert(status, kind, text, f"{who} {route.method} {url[:80]}")
                tried += 1
    assert tried > 1000


def test_malformed_and_oversized_bodies_get_a_4xx(
    deployment: tuple[FastAPI, dict[str, str]], clients: dict[str, TestClient]
) -> None:
    app, _ = deployment
    bodies: list[dict[str, object]] = [
        {"content": b'{"name": ', "headers": {"Content-Type": "application/json"}},
        {"content": b"\xff\xfe\x00", "headers": {"Content-Type": "application/json"}},
        {"content": b"[]", "headers": {"Content-Type": "application/json"}},
        {"json": {"name": SCRIPT, "query": "检察" * 5000, "channel": "../../etc/passwd", "interval": -1}},
        {"json": {"name": 7, "query": ["a"], "email": {"x": 1}}},
        {"data": {"name": SCRIPT, "password": "x" * 5000, "role": "god", "csrf": "forged", "next": "//evil"}},
        {"content": b"a=" + b"%" * 10, "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        {"content": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data; boundary=x"}},
        {"content": b"x" * (4 * 2**20), "headers": {"Content-Type": "application/json"}},
    ]
    for route in routes(app):
        if route.method not in ("POST", "PUT", "DELETE", "PATCH"):
            continue
        for value in ("1", "999999", SCRIPT):
            url = route.url(value)
            for body in bodies:
                status, kind, text = call(clients["admin"], route, url, **body)
                assert_no_500_and_inert(status, kind, text, f"{route.method} {url}")
                assert 300 <= status < 500, f"{route.method} {url} accepted a malformed body: {status}"


def test_calls_without_a_login_or_the_role_are_refused(
    deployment: tuple[FastAPI, dict[str, str]], clients: dict[str, TestClient]
) -> None:
    app, _ = deployment
    for route in routes(app):
        if not route.needs_login:
            continue
        url = route.url("1")
        status, _, _ = call(clients["anonymous"], route, url)
        if route.path.startswith("/api/") or route.method != "GET":
            assert status in (401, 403), f"anonymous {route.method} {url}: {status}"
        else:  # a page sends the browser to the login form
            assert status in (303, 401, 403), f"anonymous {route.method} {url}: {status}"
    for path in ("/api/users", "/api/admin/status", "/admin", "/admin/users"):
        viewer = clients["viewer"].get(path)
        assert viewer.status_code == 403, path
    forged = clients["anonymous"].post(
        "/admin/users", data={"name": "eve", "password": PASSWORD, "role": "admin"}
    )
    assert forged.status_code in (401, 403, 303)
    assert "eve" not in clients["admin"].get("/api/users").text


def test_static_files_do_not_leave_their_folder(clients: dict[str, TestClient]) -> None:
    for path in ("/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                 "/static/..%2f..%2f..%2fpyproject.toml", "/static/%2e%2e%2fapp.py", "/static//etc/passwd"):  # fmt: skip
        answer = clients["anonymous"].get(path)
        assert answer.status_code in (400, 404), (path, answer.status_code)
        assert "root:x:0:0" not in answer.text and "[project]" not in answer.text


def test_oversized_exports_and_pages_are_refused_before_any_row_is_written(
    clients: dict[str, TestClient],
) -> None:
    viewer = clients["viewer"]
    for params in ({"limit": "100001"}, {"limit": "0"}, {"limit": "1e9"}, {"size": "1000000"},
                   {"page": "99999999999"}, {"from": "2024-05-02", "to": "2024-05-01"}):  # fmt: skip
        for fmt in ("csv", "xlsx"):
            answer = viewer.get(f"/api/export.{fmt}", params={"q": "检察", **params})
            assert answer.status_code == 400, (fmt, params, answer.status_code)
    assert viewer.get("/api/export.exe", params={"q": "检察"}).status_code in (400, 404)
    huge = viewer.get("/api/search?" + "&".join(f"q={n}" for n in range(5000)))
    assert huge.status_code < 500


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(PARAMS),
        st.text(max_size=40) | st.sampled_from([v for v in HOSTILE if len(v) < 1000]),
        max_size=6,
    ),
    st.sampled_from(
        [
            "/api/search",
            "/search",
            "/api/trends",
            "/trends",
            "/",
            "/api/dashboard",
            "/api/export.csv",
            "/briefing",
            "/saved",
        ]
    ),
)
def test_any_parameters_on_the_reading_routes_get_an_answer_not_a_500(
    clients: dict[str, TestClient], params: dict[str, str], path: str
) -> None:
    status, kind, text = call(clients["viewer"], Route(path, "GET"), path, params=params)
    assert_no_500_and_inert(status, kind, text, f"GET {path} {params}")
