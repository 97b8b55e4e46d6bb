"""The web app's accounts: users with a role, their password hashes and API tokens, kept in one
SQLite file under the data folder (``accounts.sqlite3``) in both deployments.

Why SQLite under Kafka + Elasticsearch too: accounts are a handful of rows written by hand, read
on every request, and must survive a reindex; a file next to the other state of the web app needs
no mapping, no extra service and no bootstrap order. Passwords are hashed with Argon2id
(argon2-cffi's defaults, rehashed on login when those change); an API token is shown once and only
its SHA-256 is stored — tokens are long random strings, so a fast hash is enough.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

log = logging.getLogger(__name__)

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")  # each may do everything the ones before may
ROLE_LABELS: dict[str, str] = {"viewer": "查阅", "editor": "编辑", "admin": "管理员"}
TOKEN_PREFIX = "jm_"
MIN_PASSWORD_CHARS = 10
_NAME = re.compile(r"^[\w.@-]{1,64}$")  # letters (any script), digits, _ . @ -

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


class AccountError(ValueError):
    """A request about accounts that cannot be done as asked (the message says why)."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    def may(self, role: Role) -> bool:
        """Whether this user holds ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return cast(Role, role)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat()


class AccountStore:
    """Users and tokens in ``path``; safe to share between the web app's threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=10.0)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._hasher = PasswordHasher()

    def close(self) -> None:
        self._db.close()

    def add_user(self, name: str, password: str, role: str) -> User:
        """A new user. Raises AccountError for a taken or malformed name, a short password."""
        if not _NAME.match(name):
            raise AccountError("a user name is 1-64 letters, digits, or _ . @ - (no spaces)")
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
        user = User(name, check_role(role))
        try:
            with self._lock, self._db:
                self._db.execute(
                    "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    (name, user.role, self._hasher.hash(password), _now()),
                )
        except sqlite3.IntegrityError:
            raise AccountError(f"there is already a user {name!r}") from None
        log.info("user added: %s (%s)", name, user.role)
        return user

    def get(self, name: str) -> User | None:
        with self._lock:
            row = self._db.execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
        return User(row[0], row[1]) if row else None

    def users(self) -> list[User]:
        with self._lock:
            rows = self._db.execute("SELECT name, role FROM users ORDER BY name").fetchall()
        return [User(n, r) for n, r in rows]

    def has_users(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def set_role(self, name: str, role: str) -> User:
        checked = check_role(role)
        with self._lock, self._db:
            changed = self._db.execute("UPDATE users SET role = ? WHERE name = ?", (checked, name)).rowcount
        if not changed:
            raise AccountError(f"no user {name!r}")
        return User(name, checked)

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
        with self._lock, self._db:
            changed = self._db.execute(
                "UPDATE users SET password_hash = ? WHERE name = ?", (self._hasher.hash(password), name)
            ).rowcount
        if not changed:
            raise AccountError(f"no user {name!r}")

    def remove(self, name: str) -> None:
        with self._lock, self._db:
            if not self._db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount:
                raise AccountError(f"no user {name!r}")

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is theirs; None otherwise (unknown name or wrong password)."""
        with self._lock:
            row = self._db.execute("SELECT role, password_hash FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            # Hash anyway, so an unknown name takes as long to refuse as a wrong password.
            self._hasher.hash(password)
            return None
        role, stored = row
        try:
            self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if self._hasher.check_needs_rehash(stored):
            with self._lock, self._db:
                self._db.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ?", (self._hasher.hash(password), name)
                )
        return User(name, role)

    def create_token(self, name: str, label: str = "") -> str:
        """A new API token for ``name`` (returned once; only its hash is kept)."""
        if self.get(name) is None:
            raise AccountError(f"no user {name!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO tokens (token_sha256, user_name, label, created_at) VALUES (?, ?, ?, ?)",
                (_sha256(token), name, label[:100], _now()),
            )
        log.info("API token created for %s", name)
        return token

    def user_for_token(self, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT u.name, u.role FROM tokens t JOIN users u ON u.name = t.user_name "
                "WHERE t.token_sha256 = ?",
                (_sha256(token),),
            ).fetchone()
        return User(row[0], row[1]) if row else None

    def revoke_tokens(self, name: str) -> int:
        with self._lock, self._db:
            return self._db.execute("DELETE FROM tokens WHERE user_name = ?", (name,)).rowcount


def accounts_path(data_dir: Path) -> Path:
    return data_dir / "accounts.sqlite3"
