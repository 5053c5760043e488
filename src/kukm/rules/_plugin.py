"""kukm's own rule schemes and instruments, registered like any plugin's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from kukm.hookspecs import Instrument, Scheme, hookimpl

__all__ = ["kukm_register_instruments", "kukm_register_schemes"]


@hookimpl
def kukm_register_schemes() -> Sequence[Scheme]:
    """UMKM scale regimes, the KSP scale, the health table, the rating bands."""
    from kukm.rules.kesehatan import default_tabel
    from kukm.rules.peringkat import PERMEN_22_2007
    from kukm.rules.skala_koperasi import PERMENKOP_8_2023
    from kukm.rules.skala_umkm import PP_7_2021, UU_20_2008

    schemes: list[object] = [UU_20_2008, PP_7_2021, PERMENKOP_8_2023, default_tabel(), PERMEN_22_2007]
    return cast("list[Scheme]", schemes)


@hookimpl
def kukm_register_instruments() -> Sequence[Instrument]:
    """The default ``umkm`` and ``koperasi`` instruments."""
    from kukm.rules._instrument_defaults import defaults

    return list(defaults().values())
