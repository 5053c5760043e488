"""Options and output helpers shared by every CLI command."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final, TypeVar

import click

from kukm.exceptions import CODES, ConfigurationError, KukmError, PluginError, register_code

__all__ = [
    "DEFAULT_DB",
    "db_option",
    "emit",
    "error_text",
    "existing_db",
    "fail",
    "handle_errors",
    "json_option",
    "officer_id",
    "policy_option",
    "progress",
    "refuse_blank_db",
    "resolve_db",
]

DEFAULT_DB = "sqlite:///kukm.sqlite"
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")(f)


def db_option(f: F) -> F:
    return click.option(
        "--db",
        "db_url",
        default=None,
        metavar="URL",
        help=f"Store URL (env KUKM_DATABASE_URL, default {DEFAULT_DB}).",
    )(f)


def officer_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback of every ``--petugas`` option: surrounding blanks are dropped, and an empty
    or blank officer id is a usage error (exit 2), since every action is recorded under a
    named officer and a verification needs a named, appointed Dinas officer (Kepgub D.3)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        raise click.BadParameter(
            "an officer id is required, not an empty or blank one "
            "(a named, appointed officer answers for the action, Kepgub D.3)",
            ctx,
            param,
        )
    return text


#: ``--policy`` of the commands that act under the access policy (verify, quality, nik …)
policy_option = click.option(
    "--policy",
    "policy_path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Access policy TOML (default: the store's, else the packaged policy).",
)


DB_KOSONG: Final = register_code(
    "DB_KOSONG",
    "--db kosong: sebutkan URL penyimpanan (mis. sqlite:///kukm.sqlite), atau hilangkan --db "
    "untuk memakai KUKM_DATABASE_URL atau bawaannya.",
    "--db is empty: give a store URL (e.g. sqlite:///kukm.sqlite), or leave --db out to use "
    "KUKM_DATABASE_URL or the default.",
    module=__name__,
)


def resolve_db(db_url: str | None) -> str:
    """The store URL of ``--db``, else ``KUKM_DATABASE_URL``, else :data:`DEFAULT_DB`. An
    empty or blank ``--db`` is ``DB_KOSONG`` (exit 2), not the fallback: ``--db "$URL"`` with
    ``URL`` unset in a script would write to (or read) another store without a word. So is a
    ``KUKM_DATABASE_URL`` that is set but blank (when ``--db`` is not given).

    >>> resolve_db("memory://")
    'memory://'
    >>> resolve_db("")
    Traceback (most recent call last):
    ...
    kukm.exceptions.ConfigurationError: [DB_KOSONG] --db is empty: ...
    """
    refuse_blank_db(db_url, "--db", "leave --db out to use KUKM_DATABASE_URL or the default")
    if db_url:
        return db_url
    env = os.environ.get("KUKM_DATABASE_URL")
    # set but blank (``export KUKM_DATABASE_URL=$URL`` with URL unset): refused like an empty
    # --db, not the default store
    refuse_blank_db(env, "KUKM_DATABASE_URL", "unset it to use the default, or pass --db")
    return env or DEFAULT_DB


def refuse_blank_db(value: str | None, given_as: str, instead: str) -> None:
    """``DB_KOSONG`` (exit 2) when a store URL ``value`` was given (``--db``,
    ``KUKM_DATABASE_URL``) but is empty or blank; ``instead`` says what to do instead.

    >>> refuse_blank_db(None, "--db", "-"), refuse_blank_db("memory://", "--db", "-")
    (None, None)
    """
    if value is not None and not value.strip():
        raise ConfigurationError(
            f"{given_as} is empty: give a store URL (e.g. sqlite:///kukm.sqlite), or {instead}",
            code=DB_KOSONG,
            field=given_as.removeprefix("--"),
        )


STORE_TIDAK_ADA: Final = register_code(
    "STORE_TIDAK_ADA",
    "Basis data tidak ada di tempat itu (belum ada data diimpor ke sana, atau --db salah ketik).",
    "There is no database at that place (nothing imported there yet, or a mistyped --db).",
    module=__name__,
)


def existing_db(db_url: str | None) -> str:
    """:func:`resolve_db` for a command that reads what was stored (reports, checks, exports):
    a SQLite file that is not there is ``STORE_TIDAK_ADA`` (exit 2), not a new empty store
    whose tables of zeros look like an answer. So is a PostgreSQL/MariaDB URL whose database
    (or ``schema=`` schema) holds no kukm tables: it is looked at over one short connection,
    and nothing is created there (opening the store would create the schema and tables). So
    is an in-memory store that would be new (``memory://``, ``sqlite://``, and a
    ``memory://NAME`` not opened before in this process): it holds nothing."""
    url = resolve_db(db_url)
    if url.startswith("sqlite:"):
        from kukm.adapters.sqlite import sqlite_path

        path = sqlite_path(url)
        if path == ":memory:":  # a new, empty database at every opening
            raise ConfigurationError(
                f"{url} is a new, empty in-memory database: nothing stored to read",
                code=STORE_TIDAK_ADA,
            )
        if not Path(path).exists():
            raise ConfigurationError(f"no kukm database at {path}", code=STORE_TIDAK_ADA)
        return url
    from kukm.adapters import memory, sql_plugin
    from kukm.plugins import get_plugins

    scheme = url.split(":", 1)[0].lower()
    backends = get_plugins().storage_backends()
    factory = backends.get(scheme) or backends.get(scheme.split("+", 1)[0])
    if factory is memory.open_memory_store and _new_memory_store(url):
        # memory:// is new and empty at every opening; memory://NAME lives in one process only
        raise ConfigurationError(
            f"{url} is a new, empty in-memory store: nothing stored to read",
            code=STORE_TIDAK_ADA,
        )
    if factory is sql_plugin.open_sql_store:  # kukm's own SQL adapter (not a plugin's)
        missing = sql_plugin.missing_sql_store(url)
        if missing is not None:
            from kukm.adapters.sql import shown_url

            raise ConfigurationError(
                f"no kukm database at {shown_url(url)}: {missing}", code=STORE_TIDAK_ADA
            )
    return url


def _new_memory_store(url: str) -> bool:
    """Whether opening this ``memory:`` URL makes a new, empty store: ``memory://`` always,
    ``memory://NAME`` unless this process opened it before (kukm.adapters.memory)."""
    from kukm.adapters.memory import memory_store_exists

    return not memory_store_exists(url)


def _default(o: Any) -> Any:
    if hasattr(o, "isoformat"):
        return o.isoformat()
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    return str(o)


def emit(as_json: bool, data: Any, text: str | Callable[[], str] | None = None) -> None:
    """Print ``data`` as JSON, or ``text`` for people."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_default))
    else:
        click.echo(text() if callable(text) else (text if text is not None else str(data)))


BERKAS_OS: Final = register_code(
    "BERKAS_OS",
    "Berkas atau folder tidak dapat dibaca atau ditulis (tidak ada, atau tanpa izin).",
    "A file or folder cannot be read or written (missing, or no permission).",
    module=__name__,
)


DIHENTIKAN: Final = register_code(
    "DIHENTIKAN",
    "Perintah dihentikan (Ctrl-C) sebelum selesai; hasilnya tidak lengkap.",
    "The command was interrupted (Ctrl-C) before it finished; its result is incomplete.",
    module=__name__,
)

#: exit status of a command interrupted by Ctrl-C (128 + SIGINT, the shell's convention): not
#: 1, which says the data had invalid rows, nor 2, a usage error
EXIT_INTERRUPTED: Final = 130


def fail(message: str, code: int = 1) -> None:
    click.echo(f"kukm: {message}", err=True)
    sys.exit(code)


def error_text(exc: KukmError) -> str:
    """What the command line prints for a kukm error: ``[CODE]``, the English message and,
    after `` / ``, the Indonesian one of the code (as the CLI's other messages: "no QR code
    found / QR tidak ditemukan"); one line, the code once, for a script to grep.

    >>> from kukm.exceptions import NotFound
    >>> print(error_text(NotFound("no NIK application '7'")))
    [NOT_FOUND] no NIK application '7' / Data tidak ditemukan.
    """
    text = str(exc)
    indonesian = (exc.message_id or "").strip()
    if indonesian and indonesian not in text:
        text += f" / {indonesian}"
    return text


def handle_errors(f: F) -> F:
    """Map kukm errors to exit codes: configuration 2, anything else 1; Ctrl-C is
    ``DIHENTIKAN``, exit 130 (:data:`EXIT_INTERRUPTED`). A file or folder the
    command cannot read or write (``--out`` in a folder that is not there, no permission) is
    ``BERKAS_OS`` with the operating system's reason, exit 2, like a missing input file.

    A plugin that cannot be loaded or breaks (``PluginError``), and any other exception
    raised from inside a third-party plugin's code (a hook, a store, a renderer), is a
    problem of the installation, not of the data: exit 2 with a message naming the plugin
    (``PLUGIN_FAILED``, see :func:`kukm.plugins.plugin_failure`) instead of a traceback;
    ``KUKM_TRACE_PLUGINS=1`` prints the traceback too. Other unexpected exceptions (a bug
    in kukm itself) keep their traceback."""
    import functools

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except (ConfigurationError, PluginError) as exc:
            fail(error_text(exc), 2)
        except KukmError as exc:
            fail(error_text(exc), 1)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            indonesian = CODES[BERKAS_OS].message_id
            fail(f"[{BERKAS_OS}] {exc.strerror or exc}{where} / {indonesian}", 2)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            # click would say "Aborted!" and exit 1, the code of rejected rows: a script would
            # read an interrupted import (its stored batches whole, the rest not read) as done
            info = CODES[DIHENTIKAN]
            fail(
                f"[{DIHENTIKAN}] {info.message_en} / {info.message_id}",
                EXIT_INTERRUPTED,
            )
        except Exception as exc:
            from kukm.plugins import plugin_failure

            failure = plugin_failure(exc)
            if failure is None:
                raise
            if os.environ.get("KUKM_TRACE_PLUGINS"):
                import traceback

                traceback.print_exception(exc, file=sys.stderr)
            fail(error_text(failure), 2)

    return wrapper  # type: ignore[return-value]


def progress(iterable: Iterable[T], *, desc: str, total: int | None = None) -> Iterator[T]:
    """A progress bar on a terminal (stderr), silent otherwise."""
    from tqdm import tqdm

    disable = not sys.stderr.isatty() or bool(os.environ.get("KUKM_NO_PROGRESS"))
    yield from tqdm(iterable, desc=desc, total=total, disable=disable, file=sys.stderr)
