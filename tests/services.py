"""Throw-away PostgreSQL schemas and MariaDB databases for tests.

Use the fixtures from any test file (``tests/`` is on ``sys.path``)::

    from services import mariadb_url, postgres_url  # noqa: F401  (pytest fixtures)

    def test_something(postgres_url: str) -> None:
        store = open_store(postgres_url)
        ...

Each fixture creates its own fresh schema (PostgreSQL: ``kukm_test_<random>``,
selected through ``?options=-csearch_path%3D<schema>`` in the URL, which both
SQLAlchemy and plain psycopg honour) or database (MariaDB:
``kukm_test_<random>``), yields an SQLAlchemy URL pointing at it, and drops it
afterwards. Server URLs come from ``KUKM_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and
``KUKM_TEST_MARIADB_URL`` (default ``mysql+pymysql://root@127.0.0.1:3306/test``).
When a server cannot be reached the test is skipped, or fails under
``KUKM_REQUIRE_SERVICES=1`` (see :func:`conftest.service_unavailable`).

For other scopes (a module-wide schema, a benchmark, a subprocess) use the
context managers :func:`fresh_postgres_url` / :func:`fresh_mariadb_url`
directly; they raise :class:`ServiceUnavailable` instead of skipping.
:func:`postgres_conninfo` turns a yielded URL into a libpq URI for raw psycopg.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import pytest

__all__ = [
    "DEFAULT_MARIADB_URL",
    "DEFAULT_POSTGRES_URL",
    "ServiceUnavailable",
    "fresh_mariadb_url",
    "fresh_postgres_url",
    "mariadb_server_url",
    "mariadb_url",
    "postgres_conninfo",
    "postgres_server_url",
    "postgres_url",
]

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


class ServiceUnavailable(RuntimeError):
    """The database server could not be reached (or a driver is missing)."""


def postgres_server_url() -> str:
    return os.environ.get("KUKM_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def mariadb_server_url() -> str:
    return os.environ.get("KUKM_TEST_MARIADB_URL") or DEFAULT_MARIADB_URL


def _random_name() -> str:
    return f"kukm_test_{secrets.token_hex(5)}"


def postgres_conninfo(url: str) -> str:
    """A libpq URI (for ``psycopg.connect``) from an SQLAlchemy PostgreSQL URL.

    Drops the ``+driver`` part and any ``schema=`` parameter (turned into a
    ``search_path`` option, as the kukm adapter does).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    query = parse_qsl(parts.query, keep_blank_values=True)
    out: list[tuple[str, str]] = []
    for key, value in query:
        if key == "schema":
            out.append(("options", f"-csearch_path={value}"))
        else:
            out.append((key, value))
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(out, quote_via=quote), ""))


def _with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "options"]
    query.append(("options", f"-csearch_path={schema}"))
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote), "")
    )


@contextmanager
def fresh_postgres_url(server_url: str | None = None) -> Iterator[str]:
    """Create schema ``kukm_test_<random>``, yield a URL using it, drop it after."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - the sql extra is missing
        raise ServiceUnavailable(f"psycopg not installed: {exc}") from exc
    base = server_url or postgres_server_url()
    schema = _random_name()
    try:
        admin = psycopg.connect(postgres_conninfo(base), autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        raise ServiceUnavailable(f"PostgreSQL at {base}: {exc}") from exc
    try:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield _with_search_path(base, schema)
        finally:
            admin.execute("SET lock_timeout = '20s'")
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        admin.close()


def _mysql_connect_args(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    args: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": parts.username or "root",
        "password": parts.password or "",
        "autocommit": True,
        "connect_timeout": 5,
    }
    return args


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


@contextmanager
def fresh_mariadb_url(server_url: str | None = None) -> Iterator[str]:
    """Create database ``kukm_test_<random>``, yield a URL using it, drop it after."""
    try:
        import pymysql
    except ImportError as exc:  # pragma: no cover - the sql extra is missing
        raise ServiceUnavailable(f"PyMySQL not installed: {exc}") from exc
    base = server_url or mariadb_server_url()
    database = _random_name()
    try:
        admin = pymysql.connect(**_mysql_connect_args(base))
    except pymysql.Error as exc:
        raise ServiceUnavailable(f"MariaDB at {base}: {exc}") from exc
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        try:
            yield _with_database(base, database)
        finally:
            with admin.cursor() as cur:
                cur.execute("SET SESSION lock_wait_timeout = 20")
                cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
    finally:
        admin.close()


def _fixture_from(cm: Any, what: str) -> Iterator[str]:
    from conftest import service_unavailable

    with ExitStack() as stack:
        try:
            url = stack.enter_context(cm())
        except ServiceUnavailable as exc:
            service_unavailable(what, exc)
            return
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh PostgreSQL schema (dropped after the test)."""
    yield from _fixture_from(fresh_postgres_url, "PostgreSQL")


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh MariaDB database (dropped after the test)."""
    yield from _fixture_from(fresh_mariadb_url, "MariaDB")


@pytest.fixture(params=["sqlite", "postgres_url", "mariadb_url"])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """The URL of a fresh store of each kind in turn: a SQLite file, a PostgreSQL schema and a
    MariaDB database (import ``postgres_url`` and ``mariadb_url`` beside it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kukm.sqlite'}"
    else:
        yield str(request.getfixturevalue(request.param))
