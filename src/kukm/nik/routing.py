"""Which office receives an application for a Sertifikat NIK (Kepgub DKI 1625/2021 huruf H.6).

Kepgub H.6 b–c: an application goes to the **Sudin PPKUKM** of the
kota/kabupaten administrasi when the cooperative's *wilayah keanggotaan*
(membership area) lies within that one kota/kabupaten, and to the **Dinas
PPKUKM** when it spans several. A membership area across provinces is the
ministry's (REGULATIONS.md §1.1 [S]: copy of the nik.depkop.go.id landing
page: "kab/kota dinas … provincial dinas … the Ministry if across provinces").

``wilayah_keanggotaan`` holds Kemendagri codes: kab/kota (``31.71``), deeper
codes (reduced to their kab/kota) or a bare province (``31``, meaning the
membership spans that province).

>>> route(["31.71", "31.71.01.1001"]).tingkat
<TingkatKantor.SUDIN: 'sudin'>
>>> route(["31.71", "31.74"]).nama
'Dinas PPKUKM Provinsi DKI Jakarta'
>>> route(["31.71", "32.01"]).tingkat
<TingkatKantor.KEMENTERIAN: 'kementerian'>
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import final

from attrs import frozen

from kukm.exceptions import ValidationError, register_code

__all__ = ["Kantor", "TingkatKantor", "route"]

NIK_WILAYAH_KEANGGOTAAN_INVALID = register_code(
    "NIK_WILAYAH_KEANGGOTAAN_INVALID",
    "Wilayah keanggotaan harus berisi kode wilayah Kemendagri (mis. 31.71).",
    "The membership area must hold Kemendagri region codes (e.g. 31.71).",
    module=__name__,
)

#: Kemendagri kab/kota code → name used in office names (DKI Jakarta; Kepmendagri 300.2.2-2138/2025).
_DKI_KABKOTA = {
    "31.01": "Kabupaten Administrasi Kepulauan Seribu",
    "31.71": "Kota Administrasi Jakarta Pusat",
    "31.72": "Kota Administrasi Jakarta Utara",
    "31.73": "Kota Administrasi Jakarta Barat",
    "31.74": "Kota Administrasi Jakarta Selatan",
    "31.75": "Kota Administrasi Jakarta Timur",
}


class TingkatKantor(enum.StrEnum):
    """Level of the receiving office."""

    SUDIN = "sudin"
    DINAS = "dinas"
    KEMENTERIAN = "kementerian"


@final
@frozen
class Kantor:
    """An office that receives, verifies and issues (``kode_wilayah``: Kemendagri code)."""

    tingkat: TingkatKantor
    kode_wilayah: str | None
    nama: str


def _default_name(tingkat: TingkatKantor, kode: str | None) -> str:
    if tingkat is TingkatKantor.KEMENTERIAN:
        return "Kementerian Koperasi Republik Indonesia"
    if tingkat is TingkatKantor.DINAS:
        return (
            "Dinas PPKUKM Provinsi DKI Jakarta"
            if kode == "31"
            else f"Dinas Koperasi dan UKM Provinsi {kode}"
        )
    if kode is not None and kode in _DKI_KABKOTA:
        return f"Suku Dinas PPKUKM {_DKI_KABKOTA[kode]}"
    return f"Dinas Koperasi dan UKM Kabupaten/Kota {kode}"


def route(
    wilayah_keanggotaan: Iterable[str],
    *,
    namer: Callable[[TingkatKantor, str | None], str] = _default_name,
    region_check: Callable[[str], bool] | None = None,
) -> Kantor:
    """The office an application goes to (Kepgub H.6 b–c). ``namer`` names offices.

    With ``region_check`` (e.g. :func:`kukm.governance.access.default_region_check`),
    a code not in the Kemendagri region tree (``31.99``, ``99``) is refused too.

    >>> from kukm.governance.access import default_region_check
    >>> route(["31.99"], region_check=default_region_check())
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [NIK_WILAYAH_KEANGGOTAAN_INVALID] ...
    """
    kabkota: set[str] = set()
    provinsi: set[str] = set()
    whole_province = False
    for code in wilayah_keanggotaan:
        parts = code.strip().split(".")
        if (
            not parts[0].isdigit()
            or len(parts[0]) != 2
            or not all(p.isdigit() and p.isascii() for p in parts)
            or (region_check is not None and not region_check(code.strip()))
        ):
            raise ValidationError(
                f"membership area code {code!r} is not a known Kemendagri region code",
                code=NIK_WILAYAH_KEANGGOTAAN_INVALID,
                field="wilayah_keanggotaan",
                value=code,
            )
        provinsi.add(parts[0])
        if len(parts) == 1:
            whole_province = True
        else:
            kabkota.add(".".join(parts[:2]))
    if not provinsi:
        raise ValidationError(
            code=NIK_WILAYAH_KEANGGOTAAN_INVALID, field="wilayah_keanggotaan", value=[]
        )
    if len(provinsi) > 1:
        return Kantor(TingkatKantor.KEMENTERIAN, None, namer(TingkatKantor.KEMENTERIAN, None))
    (prov,) = provinsi
    if whole_province or len(kabkota) > 1:
        return Kantor(TingkatKantor.DINAS, prov, namer(TingkatKantor.DINAS, prov))
    (kk,) = kabkota
    return Kantor(TingkatKantor.SUDIN, kk, namer(TingkatKantor.SUDIN, kk))
