"""Plugin registration of the SQL adapter, without importing SQLAlchemy.

The entry point ``sql`` names this module, so a kukm installed without the
``sql`` extra still loads every other plugin; opening a PostgreSQL or MariaDB
URL then raises a :class:`~kukm.exceptions.ConfigurationError` that says what
to install. The adapter itself is :mod:`kukm.adapters.sql`.
"""

from __future__ import annotations

from typing import Any

from kukm.exceptions import ConfigurationError, register_code
from kukm.hookspecs import hookimpl

__all__ = ["DRIVERS", "missing_sql_store", "open_sql_store"]

#: URL scheme -> SQLAlchemy driver name.
DRIVERS: dict[str, str] = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mysql+pymysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
    "mariadb+pymysql": "mariadb+pymysql",
}

SQL_EXTRA_MISSING = register_code(
    "SQL_EXTRA_MISSING",
    "Dukungan PostgreSQL/MariaDB belum terpasang: pip install 'kukm[sql]'.",
    "PostgreSQL/MariaDB support is not installed: pip install 'kukm[sql]'.",
    module=__name__,
)


def open_sql_store(url: str) -> Any:
    """Open a PostgreSQL or MariaDB store (imports SQLAlchemy only now)."""
    try:
        from kukm.adapters.sql import open_sql_store as _open
    except ImportError as exc:
        raise ConfigurationError(code=SQL_EXTRA_MISSING, value=str(exc)) from exc
    return _open(url)


def missing_sql_store(url: str) -> str | None:
    """Why a PostgreSQL or MariaDB URL holds no kukm store, or ``None``; creates nothing
    (:func:`kukm.adapters.sql.missing_store`)."""
    try:
        from kukm.adapters.sql import missing_store
    except ImportError as exc:
        raise ConfigurationError(code=SQL_EXTRA_MISSING, value=str(exc)) from exc
    return missing_store(url)


@hookimpl
def kukm_register_storage_backends() -> dict[str, Any]:
    """kukm's SQL backends: PostgreSQL (psycopg 3) and MariaDB/MySQL (PyMySQL)."""
    return dict.fromkeys(DRIVERS, open_sql_store)
