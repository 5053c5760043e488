"""The ``kukm`` command line.

Exit codes: 0 ok; 1 the data had invalid rows or a check failed; 2 usage or
configuration error. Every command takes ``--json``. The store comes from
``--db URL`` or ``KUKM_DATABASE_URL`` (default ``sqlite:///kukm.sqlite``).

Sub-commands live in their own modules and are loaded lazily, so
``kukm --help`` stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

import click

from kukm.exceptions import ConfigurationError, KukmError

__all__ = ["COMMANDS", "main"]

#: command name -> "module:attribute"
COMMANDS: dict[str, str] = {
    "demo": "kukm.cli.demo:demo",
    "validate": "kukm.cli.data:validate",
    "import": "kukm.cli.data:import_",
    "report": "kukm.cli.report:report",
    "skala": "kukm.cli.rules:skala",
    "rules": "kukm.cli.rules:rules",
    "instrument": "kukm.cli.rules:instrument",
    "nik": "kukm.cli.nik:nik",
    "certificate": "kukm.cli.certificate:certificate",
    "keys": "kukm.cli.certificate:keys",
    "verify": "kukm.cli.governance:verify",
    "quality": "kukm.cli.governance:quality",
    "duplicates": "kukm.cli.governance:duplicates",
    "pemutakhiran": "kukm.cli.governance:pemutakhiran",
    "ods": "kukm.cli.ods:ods",
    "pkt": "kukm.cli.ods:pkt",
    "reference": "kukm.cli.reference:reference",
}


def _available(name: str) -> bool:
    module = COMMANDS[name].split(":", 1)[0]
    return importlib.util.find_spec(module) is not None


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n in COMMANDS if _available(n))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, attr = target.split(":", 1)
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kukm")
def cli() -> None:
    """kukm: pendataan Koperasi dan UMKM (Kepgub DKI Jakarta 1625/2021)."""


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``kukm`` console script."""
    from kukm.cli._common import error_text

    try:
        return cli.main(args=argv, prog_name="kukm", standalone_mode=True)
    except ConfigurationError as exc:
        click.echo(f"kukm: {error_text(exc)}", err=True)
        sys.exit(2)
    except KukmError as exc:
        click.echo(f"kukm: {error_text(exc)}", err=True)
        sys.exit(1)
