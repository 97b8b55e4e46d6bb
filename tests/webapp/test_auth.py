"""Accounts: logging in, roles, API tokens, CSRF on forms, and the headers that keep crawled HTML inert."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, Depends
from fastapi.testclient import TestClient
from pydantic import ValidationError

from pipeline import cli
from pipeline.settings import Settings
from webapp.accounts import AccountStore, User, accounts_path
from webapp.app import ROUTERS, create_app
from webapp.auth import require_role

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts_settings(tmp_path: Path, unique_name: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", index_name=unique_name)


@pytest.fixture
def app_client(accounts_settings: Settings) -> Iterator[TestClient]:
    store = AccountStore(accounts_path(accounts_settings.data_dir))
    store.add_user("wang", PASSWORD, "admin")
    store.add_user("li", PASSWORD, "viewer")
    store.close()
    with TestClient(
        create_app(accounts_settings), raise_server_exceptions=False, follow_redirects=False
    ) as client:
        yield client


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    token = csrf(client.get("/login").text)
    answer = client.post(
        "/login", data={"name": name, "password": password, "csrf": token, "next": "/search"}
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/search"


def test_a_page_sends_a_stranger_to_the_login_form_and_the_api_answers_401(app_client: TestClient) -> None:
    page = app_client.get("/search?q=检察", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login?next=%2Fsearch%3Fq%3D")
    api = app_client.get("/api/search", params={"q": "检察"})
    assert api.status_code == 401 and "Bearer" in api.json()["detail"]


def test_a_wrong_password_is_refused_and_the_right_one_lets_in(app_client: TestClient) -> None:
    token = csrf(app_client.get("/login").text)
    wrong = app_client.post("/login", data={"name": "wang", "password": "not it at all", "csrf": token})
    assert wrong.status_code == 400 and "用户名或密码不正确" in wrong.text
    assert app_client.get("/api/me").status_code == 401
    log_in(app_client, "wang")
    assert app_client.get("/api/me").json() == {"name": "wang", "role": "admin"}
    out = app_client.post("/logout", data={"csrf": csrf(app_client.get("/admin/users").text)})
    assert out.status_code == 303 and app_client.get("/api/me").status_code == 401


def test_a_form_without_this_sessions_csrf_token_is_refused(app_client: TestClient) -> None:
    answer = app_client.post("/login", data={"name": "wang", "password": PASSWORD, "csrf": "forged"})
    assert answer.status_code == 403 and "表单已过期" in answer.text
    log_in(app_client, "wang")
    forged = app_client.post("/admin/users", data={"name": "eve", "password": PASSWORD, "role": "admin"})
    assert forged.status_code == 403
    assert [u["name"] for u in app_client.get("/api/users").json()] == ["li", "wang"]


def test_a_viewer_cannot_reach_an_admin_page(app_client: TestClient) -> None:
    log_in(app_client, "li")
    assert app_client.get("/api/me").json()["role"] == "viewer"
    page = app_client.get("/admin/users")
    assert page.status_code == 403 and "没有权限" in page.text
    assert app_client.get("/api/users").status_code == 403


def test_an_admin_adds_an_account_from_the_page(app_client: TestClient) -> None:
    log_in(app_client, "wang")
    form = app_client.get("/admin/users").text
    added = app_client.post(
        "/admin/users", data={"name": "zhao", "password": PASSWORD, "role": "editor", "csrf": csrf(form)}
    )
    assert added.status_code == 303
    assert {"name": "zhao", "role": "editor"} in app_client.get("/api/users").json()
    short = app_client.post("/admin/users", data={"name": "qian", "password": "short", "csrf": csrf(form)})
    assert short.status_code == 400 and "at least 10 characters" in short.text


def test_an_api_token_authenticates_a_script_without_a_session(
    app_client: TestClient, accounts_settings: Settings
) -> None:
    store = AccountStore(accounts_path(accounts_settings.data_dir))
    token = store.create_token("li", "nightly export")
    store.close()
    me = app_client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"name": "li", "role": "viewer"}
    bad = app_client.get("/api/me", headers={"Authorization": f"Bearer {token[:-2]}xx"})
    assert bad.status_code == 401


def test_require_role_guards_another_routers_routes(accounts_settings: Settings) -> None:
    extra = APIRouter()

    @extra.get("/api/editors-only")
    def editors_only(user: User = Depends(require_role("editor"))) -> dict[str, str]:  # noqa: B008
        return {"hello": user.name}

    ROUTERS.append(extra)
    try:
        store = AccountStore(accounts_path(accounts_settings.data_dir))
        store.add_user("zhao", PASSWORD, "editor")
        viewer = store.create_token(store.add_user("li", PASSWORD, "viewer").name)
        editor = store.create_token("zhao")
        store.close()
        with TestClient(create_app(accounts_settings)) as client:
            assert (
                client.get("/api/editors-only", headers={"Authorization": f"Bearer {viewer}"}).status_code
                == 403
            )
            allowed = client.get("/api/editors-only", headers={"Authorization": f"Bearer {editor}"})
            assert allowed.json() == {"hello": "zhao"}
    finally:
        ROUTERS.remove(extra)


def test_passwords_and_tokens_are_stored_only_as_hashes(accounts_settings: Settings) -> None:
    path = accounts_path(accounts_settings.data_dir)
    store = AccountStore(path)
    store.add_user("wang", PASSWORD, "admin")
    token = store.create_token("wang")
    assert store.authenticate("wang", PASSWORD) == User("wang", "admin")
    assert store.authenticate("wang", PASSWORD + "!") is None
    store.close()
    raw = sqlite3.connect(path)
    (stored,) = raw.execute("SELECT password_hash FROM users").fetchone()
    (token_hash,) = raw.execute("SELECT token_sha256 FROM tokens").fetchone()
    raw.close()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert token not in token_hash


def test_pages_carry_a_content_security_policy(app_client: TestClient) -> None:
    answer = app_client.get("/login")
    policy = answer.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "object-src 'none'" in policy and answer.headers["x-content-type-options"] == "nosniff"


def test_login_never_redirects_to_another_site(app_client: TestClient) -> None:
    token = csrf(app_client.get("/login").text)
    answer = app_client.post(
        "/login", data={"name": "wang", "password": PASSWORD, "csrf": token, "next": "//evil.example/x"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_single_user_mode_is_refused_on_a_public_address() -> None:
    with pytest.raises(ValidationError, match="loopback"):
        Settings(web_single_user=True, web_host="0.0.0.0")


def test_jiancha_users_add_creates_the_first_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))
    assert cli.main(["users", "add", "wang", "--admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))
    assert cli.main(["users", "add", "wang", "--password-stdin"]) == 2
    assert "already a user" in capsys.readouterr().err
    assert cli.main(["users", "list"]) == 0
    assert "wang\tadmin" in capsys.readouterr().out
    store = AccountStore(accounts_path(tmp_path / "data"))
    assert store.authenticate("wang", PASSWORD) == User("wang", "admin")
    store.close()
