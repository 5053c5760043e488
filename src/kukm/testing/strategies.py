"""Hypothesis strategies for kukm's entities and identifiers, valid and invalid.

Every function returns a :class:`~hypothesis.strategies.SearchStrategy` and
takes keyword-only options (xarray's style). Identifier strategies take
``valid=False`` to produce values kukm must reject. Entity strategies accept
strategies (or plain values) for their parts through :func:`from_entity`
(``hypothesis.extra.django.from_model``'s style)::

    from hypothesis import given
    from kukm.testing import strategies as ks

    @given(ks.umkm(), ks.nib(valid=False))
    def test_something(u, bad_nib): ...

    ks.from_entity(Umkm, nib=ks.nib(valid=False))   # override one field

After :func:`register_type_strategies` (run automatically by hypothesis
through kukm's ``hypothesis`` entry point) ``st.from_type(Koperasi)`` works.

Sources of the shapes (REGULATIONS.md):

* NIK kependudukan ``PPRRSS DDMMYY XXXX`` (§9): the first four digits are a
  region python-stdnum's ``id/loc.dat`` knows, the date is real, women have
  40 added to the day;
* NPWP (§9, PMK 112/2022): 15-digit legacy with a Luhn check digit over the
  first nine digits, or 16 digits (a NIK, or ``0`` + legacy);
* NIB (§9): 13 digits (no public check-digit rule);
* Nomor Induk Koperasi (§1.2 [D]): 13 digits, BPS kab/kota + kecamatan
  prefix, ODS kelurahan index, running number;
* ``kode_wilayah``: Kemendagri codes from :mod:`kukm.reference.wilayah` when
  that table is available, else :data:`FALLBACK_DKI_KECAMATAN` (the 44 DKI
  kecamatan of §8) with kelurahan ``1001`` (the first kelurahan number of
  every kecamatan);
* rupiah amounts: non-negative ``int`` with extra weight on the scale
  thresholds of UU 20/2008 Pasal 6 and PP 7/2021 Pasal 35 (§2).

>>> from hypothesis import find
>>> len(find(nib(), lambda s: True))
13
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from kukm.model import (
    Alamat,
    JenisKelamin,
    Keuangan,
    Koperasi,
    Pemilik,
    Pengurus,
    Petugas,
    Sumber,
    SumberData,
    TingkatWilayah,
    Umkm,
    Wilayah,
)
from kukm.storage.base import Provenance, VerificationStatus, WriteOp

__all__ = [
    "FALLBACK_DKI_KECAMATAN",
    "RUPIAH_THRESHOLDS",
    "alamat",
    "from_entity",
    "kbli",
    "keuangan",
    "kode_wilayah",
    "koperasi",
    "nama",
    "nib",
    "nik_penduduk",
    "nomor_induk_koperasi",
    "npwp",
    "pemilik",
    "pengurus",
    "petugas",
    "provenance",
    "register_type_strategies",
    "rupiah",
    "sumber",
    "telepon",
    "umkm",
    "wilayah",
    "write_op",
]

T = TypeVar("T")

#: The 44 DKI Jakarta kecamatan (Kemendagri code → BPS 7-digit code), REGULATIONS.md §8.
FALLBACK_DKI_KECAMATAN: Final[dict[str, str]] = {
    "31.01.01": "3101020", "31.01.02": "3101010",
    "31.71.01": "3173080", "31.71.02": "3173070", "31.71.03": "3173060", "31.71.04": "3173030",
    "31.71.05": "3173050", "31.71.06": "3173020", "31.71.07": "3173010", "31.71.08": "3173040",
    "31.72.01": "3175010", "31.72.02": "3175030", "31.72.03": "3175040", "31.72.04": "3175060",
    "31.72.05": "3175020", "31.72.06": "3175050",
    "31.73.01": "3174070", "31.73.02": "3174040", "31.73.03": "3174060", "31.73.04": "3174050",
    "31.73.05": "3174020", "31.73.06": "3174080", "31.73.07": "3174030", "31.73.08": "3174010",
    "31.74.01": "3171090", "31.74.02": "3171100", "31.74.03": "3171070", "31.74.04": "3171020",
    "31.74.05": "3171050", "31.74.06": "3171030", "31.74.07": "3171060", "31.74.08": "3171080",
    "31.74.09": "3171010", "31.74.10": "3171040",
    "31.75.01": "3172100", "31.75.02": "3172090", "31.75.03": "3172060", "31.75.04": "3172050",
    "31.75.05": "3172010", "31.75.06": "3172080", "31.75.07": "3172070", "31.75.08": "3172040",
    "31.75.09": "3172020", "31.75.10": "3172030",
}  # fmt: skip

#: Scale thresholds in rupiah (REGULATIONS.md §2): UU 20/2008 Pasal 6 (aset 50 jt, 500 jt,
#: 10 M; omzet 300 jt, 2,5 M, 50 M) and PP 7/2021 Pasal 35 (modal 1 M, 5 M, 10 M;
#: omzet 2 M, 15 M, 50 M).
RUPIAH_THRESHOLDS: Final[tuple[int, ...]] = (
    50_000_000,
    300_000_000,
    500_000_000,
    1_000_000_000,
    2_000_000_000,
    2_500_000_000,
    5_000_000_000,
    10_000_000_000,
    15_000_000_000,
    50_000_000_000,
)

_LEVEL_PARTS: Final[dict[str, int]] = {
    "provinsi": 1,
    "kabkota": 2,
    "kecamatan": 3,
    "kelurahan": 4,
}
_PERAN: Final[tuple[str, ...]] = ("dinas", "sudin", "camat", "lurah", "pusdatin", "administrator")
_KBLI_DIVISIONS: Final[tuple[str, ...]] = tuple(
    f"{d:02d}"
    for d in (
        *range(1, 4), *range(5, 10), *range(10, 34), 35, *range(36, 40), *range(41, 44),
        *range(45, 48), *range(49, 54), 55, 56, *range(58, 64), *range(64, 67), 68,
        *range(69, 76), *range(77, 83), 84, 85, *range(86, 89), *range(90, 94), *range(94, 97),
        97, 98, 99,
    )
)  # fmt: skip
"""Golongan pokok (2-digit) of KBLI 2020 = ISIC Rev. 4 divisions (Peraturan BPS 2/2020)."""


# -- helpers -------------------------------------------------------------------------------


def _digits(n: int) -> SearchStrategy[str]:
    return st.text(alphabet=string.digits, min_size=n, max_size=n)


def _nib_fillers() -> frozenset[str]:
    from kukm.ids.nib import FILLERS

    return FILLERS


_NAMA_ALPHABET: Final = (
    string.digits + string.ascii_letters + " .,'\"-/&()\\" + "éÉèñçāūöÖßİı" + "中文ꦗꦮ" + "😀"
)


def nama(*, min_size: int = 1, max_size: int = 40) -> SearchStrategy[str]:
    """Names and free text: digits, letters, punctuation (quotes and backslash too), spaces,
    and some non-ASCII letters (Latin, Javanese script, CJK, an emoji) to exercise encoders.

    >>> from hypothesis import find
    >>> find(nama(min_size=3), lambda s: True)
    '000'
    """
    return st.text(alphabet=_NAMA_ALPHABET, min_size=min_size, max_size=max_size)


@functools.cache
def _stdnum_regions() -> tuple[str, ...]:
    """4-digit region prefixes python-stdnum's ``id/loc.dat`` knows (validity only)."""
    from stdnum import numdb

    found: list[str] = []
    for length, low, high, _props, children in numdb.get("id/loc").prefixes:
        if length != 2:
            continue
        for province in range(int(low), int(high) + 1):
            for clen, clow, chigh, _cprops, _ in children:
                if clen == 2:
                    found += [f"{province:02d}{r:02d}" for r in range(int(clow), int(chigh) + 1)]
    return tuple(sorted(found))


@functools.cache
def _wilayah_codes() -> dict[int, tuple[str, ...]]:
    """Kemendagri codes by level: the reference table if present, else the §8 fallback."""
    codes: set[str] = set()
    try:
        from kukm.reference import wilayah as ref

        table = ref.get_table()
        items = table.keys() if isinstance(table, Mapping) else table
        for item in items:
            kode = getattr(item, "kode", item)
            if isinstance(kode, str) and kode.startswith("31"):
                codes.add(kode)
    except Exception:
        codes = set()
    if not any(c.count(".") == 3 for c in codes):
        codes = {"31", *(k[:5] for k in FALLBACK_DKI_KECAMATAN), *FALLBACK_DKI_KECAMATAN}
        codes |= {k + ".1001" for k in FALLBACK_DKI_KECAMATAN}
    by_level: dict[int, tuple[str, ...]] = {}
    for parts in range(1, 5):
        by_level[parts] = tuple(sorted(c for c in codes if c.count(".") == parts - 1))
    return by_level


# -- identifiers -------------------------------------------------------------------------------


def nib(*, valid: bool = True) -> SearchStrategy[str]:
    """NIB (Nomor Induk Berusaha): 13 digits; ``valid=False`` gives wrong lengths or characters.

    >>> from hypothesis import find
    >>> find(nib(valid=False), lambda s: True)
    ''
    """
    if valid:
        # not a filler (kukm.ids.nib.FILLERS: 0000000000000 is where hypothesis shrinks to)
        return _digits(13).filter(lambda s: len(set(s)) > 1)
    return st.one_of(
        st.text(alphabet=string.digits, max_size=12),
        st.text(alphabet=string.digits, min_size=14, max_size=20),
        st.builds(lambda a, c, b: a + c + b, _digits(6), st.sampled_from("AOx-/ "), _digits(6)),
        st.sampled_from(sorted(_nib_fillers())),
    )


def _nik_date(female: bool, born: dt.date) -> str:
    day = born.day + (40 if female else 0)
    return f"{day:02d}{born.month:02d}{born.year % 100:02d}"


def nik_penduduk(*, valid: bool = True, female: bool | None = None) -> SearchStrategy[str]:
    """NIK kependudukan (16 digits) that python-stdnum accepts, or (``valid=False``) rejects.

    ``female=True/False`` fixes the sex (women: day + 40).

    >>> from hypothesis import find
    >>> import stdnum.id.nik
    >>> stdnum.id.nik.is_valid(find(nik_penduduk(), lambda s: True))
    True
    """

    @st.composite
    def _valid(draw: st.DrawFn) -> str:
        region = draw(st.sampled_from(_stdnum_regions()))
        kecamatan = draw(st.integers(1, 30))
        is_female = draw(st.booleans()) if female is None else female
        born = draw(st.dates(dt.date(1940, 1, 1), dt.date(2007, 12, 31)))
        serial = draw(st.integers(1, 9999))
        return f"{region}{kecamatan:02d}{_nik_date(is_female, born)}{serial:04d}"

    if valid:
        return _valid()

    def _not_stdnum_valid(value: str) -> bool:
        import stdnum.id.nik

        return not stdnum.id.nik.is_valid(value)

    bad_date = st.builds(
        lambda good, dm: good[:6] + dm + good[10:],
        _valid(),
        st.sampled_from(["0001", "3213", "0013", "3002", "7213", "9901", "0000"]),
    )
    bad_region = st.builds(lambda good: "00" + good[2:], _valid())
    return st.one_of(
        bad_date,
        bad_region,
        st.builds(lambda good, n: good[:n], _valid(), st.integers(0, 15)),
        st.builds(lambda good: good + "1", _valid()),
        st.builds(lambda good: good[:8] + "X" + good[9:], _valid()),
    ).filter(_not_stdnum_valid)


def _luhn_digit(digits: str) -> str:
    from stdnum import luhn

    return str(luhn.calc_check_digit(digits))


def npwp(*, valid: bool = True, digits: int | None = None) -> SearchStrategy[str]:
    """NPWP without separators: 15-digit legacy or 16-digit (``digits`` picks one).

    >>> from hypothesis import find
    >>> import stdnum.id.npwp
    >>> stdnum.id.npwp.is_valid(find(npwp(digits=15), lambda s: True))
    True
    """
    if digits not in (None, 15, 16):
        raise TypeError("npwp(digits=...) must be 15, 16 or None")
    legacy = st.builds(
        lambda head, tail: head + _luhn_digit(head) + tail, _digits(8), _digits(6)
    ).filter(lambda s: s.strip("0"))  # all zeros is a filler (kukm.ids.npwp.NPWP_ISIAN)
    sixteen = st.one_of(legacy.map(lambda s: "0" + s), nik_penduduk())
    good = {15: legacy, 16: sixteen, None: st.one_of(legacy, sixteen)}[digits]
    if valid:
        return good

    def _not_valid(value: str) -> bool:
        import stdnum.id.npwp

        return not stdnum.id.npwp.is_valid(value)

    bad_check = legacy.map(lambda s: s[:8] + str((int(s[8]) + 1) % 10) + s[9:])
    return st.one_of(
        bad_check,
        st.text(alphabet=string.digits, min_size=1, max_size=14),
        st.builds(lambda s: s + "00", legacy),
        st.builds(lambda s: s[:3] + "A" + s[4:], legacy),
    ).filter(_not_valid)


def nomor_induk_koperasi(*, valid: bool = True) -> SearchStrategy[str]:
    """Nomor Induk Koperasi: 13 digits, a DKI BPS kecamatan prefix, kelurahan index, number.

    >>> from hypothesis import find
    >>> find(nomor_induk_koperasi(), lambda s: True)[:4] in {"3101", "3171", "3172", "3173", "3174", "3175"}
    True
    """
    good = st.builds(
        lambda bps, kel, urut: f"{bps[:6]}{kel:03d}{urut:04d}",
        st.sampled_from(sorted(FALLBACK_DKI_KECAMATAN.values())),
        st.integers(1, 40),
        st.integers(1, 9999),
    )
    if valid:
        return good
    return st.one_of(
        good.map(lambda s: s[:-1]),
        good.map(lambda s: s + "0"),
        good.map(lambda s: "1234567890123456"),  # 16-digit placeholders seen in apps (§1.2)
        good.map(lambda s: s[:5] + "K" + s[6:]),
        st.just(""),
    )


def kode_wilayah(*, level: str = "kelurahan", valid: bool = True) -> SearchStrategy[str]:
    """A Kemendagri dotted code of DKI Jakarta at ``level`` (provinsi … kelurahan).

    ``valid=False`` gives codes in the wrong shape (BPS-style undotted, short
    segments, non-digits).

    >>> from hypothesis import find
    >>> find(kode_wilayah(level="kabkota"), lambda s: True)
    '31.01'
    """
    if level not in _LEVEL_PARTS:
        raise TypeError(f"level must be one of {sorted(_LEVEL_PARTS)}")
    parts = _LEVEL_PARTS[level]
    good = st.deferred(lambda: st.sampled_from(_wilayah_codes()[parts]))
    if valid:
        return good
    return st.one_of(
        good.map(lambda s: s.replace(".", "")).filter(lambda s: len(s) > 2),
        good.map(lambda s: s + ".") ,
        st.just("31.7.01.1001"),
        st.just("3I.71"),
        st.just("31..71"),
        st.just(""),
    )


def telepon(*, valid: bool = True) -> SearchStrategy[str]:
    """Indonesian phone numbers: mobile ``08…`` / ``+628…`` or Jakarta landline ``021…``.

    >>> from hypothesis import find
    >>> find(telepon(), lambda s: True)
    '0210000000'
    """
    mobile = st.builds(
        lambda op, rest: f"08{op}{rest}",
        st.sampled_from(["11", "12", "13", "21", "22", "52", "53", "55", "56", "57", "58",
                         "77", "78", "81", "82", "83", "95", "96", "97", "98", "99"]),
        st.text(alphabet=string.digits, min_size=6, max_size=9),
    )  # fmt: skip
    good = st.one_of(
        mobile,
        mobile.map(lambda s: "+62" + s[1:]),
        st.builds(lambda rest: "021" + rest, st.text(alphabet=string.digits, min_size=7, max_size=8)),
    )
    if valid:
        return good
    return st.one_of(
        st.text(alphabet=string.digits, min_size=1, max_size=6),
        good.map(lambda s: s[:4] + "abc"),
        st.just("0"),
    )


def kbli(*, valid: bool = True) -> SearchStrategy[str]:
    """KBLI 2020 kelompok (5 digits) under a real golongan pokok (shape, not the full table).

    >>> from hypothesis import find
    >>> find(kbli(), lambda s: True)
    '01000'
    """
    good = st.builds(
        lambda d, rest: d + rest, st.sampled_from(_KBLI_DIVISIONS), _digits(3)
    )
    if valid:
        return good
    return st.one_of(
        _digits(4),
        _digits(6),
        st.builds(lambda rest: "04" + rest, _digits(3)),
        good.map(lambda s: "A" + s[1:]),
    )


def rupiah(
    *,
    min_value: int = 0,
    max_value: int = 100_000_000_000_000,
    thresholds: tuple[int, ...] = RUPIAH_THRESHOLDS,
) -> SearchStrategy[int]:
    """Non-negative rupiah (``int``), often exactly at or ±1 around a scale threshold.

    >>> from hypothesis import find
    >>> find(rupiah(), lambda v: v == 1_000_000_001)
    1000000001
    """
    near = [t + d for t in thresholds for d in (-1, 0, 1) if min_value <= t + d <= max_value]
    general = st.integers(min_value, max_value)
    return st.one_of(st.sampled_from(near), general) if near else general


# -- entities ---------------------------------------------------------------------------------------


def _optional(strategy: SearchStrategy[T]) -> SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


def _dates() -> SearchStrategy[dt.date]:
    return st.dates(dt.date(1960, 1, 1), dt.date(2030, 12, 31))


def _alamat_fields() -> dict[str, SearchStrategy[Any]]:
    return {
        "jalan": _optional(nama(max_size=60)),
        "kode_wilayah": _optional(kode_wilayah()),
        "kelurahan_nama": _optional(nama()),
        "kecamatan_nama": _optional(nama()),
        "kabkota_nama": _optional(nama()),
        "provinsi_nama": _optional(nama()),
        "kode_pos": _optional(_digits(5)),
    }


def _pemilik_fields() -> dict[str, SearchStrategy[Any]]:
    return {
        "nama": _optional(nama()),
        "nik_penduduk": _optional(nik_penduduk()),
        "jenis_kelamin": _optional(st.sampled_from(JenisKelamin)),
    }


def _pengurus_fields() -> dict[str, SearchStrategy[Any]]:
    return {k: _optional(nama()) for k in ("ketua", "sekretaris", "bendahara", "pengawas", "manajer")}


def _keuangan_fields() -> dict[str, SearchStrategy[Any]]:
    fields: dict[str, SearchStrategy[Any]] = {"tahun_buku": _optional(st.integers(1990, 2030))}
    for name in ("modal_sendiri", "modal_luar", "aset", "volume_usaha", "shu"):
        fields[name] = _optional(rupiah())
    return fields


def _atribut_lain() -> SearchStrategy[dict[str, str]]:
    return st.dictionaries(nama(max_size=12), nama(min_size=0, max_size=20), max_size=3)


def _umkm_fields() -> dict[str, SearchStrategy[Any]]:
    return {
        "nama_usaha": nama(),
        "nib": _optional(nib()),
        "npwp": _optional(npwp()),
        "pemilik": from_entity(Pemilik),
        "alamat": from_entity(Alamat),
        "kbli": _optional(kbli()),
        "modal_usaha": _optional(rupiah()),
        "kekayaan_bersih": _optional(rupiah()),
        "omzet_tahunan": _optional(rupiah()),
        "tenaga_kerja": _optional(st.integers(0, 500)),
        "tanggal_berdiri": _optional(_dates()),
        "telepon": _optional(telepon()),
        "email": _optional(
            st.builds(
                lambda user, host: f"{user}@{host}",
                st.text(string.ascii_lowercase + string.digits + "._", min_size=1, max_size=16),
                st.sampled_from(["gmail.com", "yahoo.co.id", "jakarta.go.id", "koperasi.id"]),
            )
        ),
        "tanggal_data": _optional(_dates()),
        "id": _optional(nama(max_size=20)),
        "id_sumber": _optional(nama(max_size=20)),
        "atribut_lain": _atribut_lain(),
    }


def _koperasi_fields() -> dict[str, SearchStrategy[Any]]:
    count = _optional(st.integers(0, 100_000))
    return {
        "nama": nama().map(lambda s: "Koperasi " + s),
        "nomor_badan_hukum": _optional(
            st.builds(lambda n, y: f"AHU-{n:07d}.AH.01.26.TAHUN {y}", st.integers(1, 9_999_999),
                      st.integers(2019, 2030))
        ),
        "tanggal_badan_hukum": _optional(_dates()),
        "nomor_perubahan_ad": _optional(nama(max_size=30)),
        "tanggal_perubahan_ad": _optional(_dates()),
        "tanggal_rat_terakhir": _optional(_dates()),
        "alamat": from_entity(Alamat),
        "bentuk": _optional(st.sampled_from(["Primer", "Sekunder"])),
        "jenis": _optional(st.sampled_from(["Konsumen", "Produsen", "Simpan Pinjam", "Jasa",
                                            "Pemasaran"])),
        "kelompok": _optional(nama(max_size=30)),
        "sektor_usaha": _optional(nama(max_size=30)),
        "pengurus": from_entity(Pengurus),
        "anggota_pria": count,
        "anggota_wanita": count,
        "total_anggota": count,
        "total_manajer": _optional(st.integers(0, 50)),
        "total_karyawan": _optional(st.integers(0, 5000)),
        "nomor_induk_koperasi": _optional(nomor_induk_koperasi()),
        "status_nik": _optional(st.sampled_from(["Belum Bersertifikat", "Sudah Bersertifikat",
                                                 "Sertifikat - Expired"])),
        "tanggal_berlaku_sertifikat": _optional(_dates()),
        "grade": _optional(st.sampled_from(["A", "B", "C1", "C2", "D"])),
        "keuangan": _optional(from_entity(Keuangan)),
        "id": _optional(nama(max_size=20)),
        "tanggal_data": _optional(_dates()),
        "atribut_lain": _atribut_lain(),
    }  # fmt: skip


@st.composite
def _wilayah(draw: st.DrawFn) -> Wilayah:
    parts = draw(st.integers(1, 4))
    kode = draw(st.sampled_from(_wilayah_codes()[parts]))
    tingkat = list(TingkatWilayah)[parts - 1]
    induk = ".".join(kode.split(".")[:-1]) or None
    bps = FALLBACK_DKI_KECAMATAN.get(kode) if parts == 3 else None
    return Wilayah(kode=kode, nama=draw(nama()), tingkat=tingkat, induk=induk, kode_bps=bps)


@st.composite
def _petugas(draw: st.DrawFn) -> Petugas:
    peran = draw(st.sampled_from(_PERAN))
    level = {"sudin": 2, "camat": 3, "lurah": 4}.get(peran)
    wil = draw(st.sampled_from(_wilayah_codes()[level])) if level else None
    return Petugas(
        id=draw(st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=16)),
        nama=draw(nama()),
        peran=peran,
        wilayah=wil,
        nip=draw(_optional(_digits(18))),
        unit=draw(_optional(nama(max_size=30))),
    )


def _provenance_fields() -> dict[str, SearchStrategy[Any]]:
    return {
        "sumber": st.sampled_from(SumberData),
        "petugas": _optional(nama(max_size=16)),
        "waktu": _optional(st.datetimes(dt.datetime(2015, 1, 1), dt.datetime(2030, 12, 31),
                                        timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=7))]))),
        "id_pengiriman": _optional(nama(max_size=16)),
    }  # fmt: skip


_FIELDS: Final[dict[type, Callable[[], dict[str, SearchStrategy[Any]]]]] = {
    Alamat: _alamat_fields,
    Pemilik: _pemilik_fields,
    Pengurus: _pengurus_fields,
    Keuangan: _keuangan_fields,
    Umkm: _umkm_fields,
    Koperasi: _koperasi_fields,
    Provenance: _provenance_fields,
    Sumber: lambda: {"jenis": st.sampled_from(SumberData), "nama": _optional(nama())},
}


def from_entity(cls: type[T], /, **overrides: Any) -> SearchStrategy[T]:
    """Instances of a kukm entity; keyword overrides (strategies or values) replace fields.

    >>> from hypothesis import find
    >>> find(from_entity(Umkm, nib="1234567890123"), lambda u: True).nib
    '1234567890123'
    """
    if cls is Wilayah:
        base: SearchStrategy[Any] = _wilayah()
    elif cls is Petugas:
        base = _petugas()
    elif cls is WriteOp:
        return write_op(**overrides)  # type: ignore[return-value]
    elif cls in _FIELDS:
        fields = _FIELDS[cls]()
        unknown = set(overrides) - set(fields)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        for name, value in overrides.items():
            fields[name] = value if isinstance(value, SearchStrategy) else st.just(value)
        return st.builds(cls, **fields)
    else:
        raise TypeError(f"no kukm strategy for {cls!r}")
    if overrides:
        import attrs

        return base.map(lambda obj: attrs.evolve(obj, **overrides))
    return base


def alamat(**overrides: Any) -> SearchStrategy[Alamat]:
    """An address with a DKI kelurahan code (or none); see :func:`from_entity` for overrides.

    >>> from hypothesis import find
    >>> find(alamat(), lambda a: a.kode_wilayah is not None).kode_wilayah.count(".")
    3
    """
    return from_entity(Alamat, **overrides)


def pemilik(**overrides: Any) -> SearchStrategy[Pemilik]:
    """An owner (name, NIK kependudukan, sex).

    >>> from hypothesis import find
    >>> len(find(pemilik(), lambda p: p.nik_penduduk is not None).nik_penduduk)
    16
    """
    return from_entity(Pemilik, **overrides)


def pengurus(**overrides: Any) -> SearchStrategy[Pengurus]:
    """A cooperative's board.

    >>> from hypothesis import find
    >>> find(pengurus(ketua="Bu Ani"), lambda p: True).ketua
    'Bu Ani'
    """
    return from_entity(Pengurus, **overrides)


def keuangan(**overrides: Any) -> SearchStrategy[Keuangan]:
    """A cooperative's financial figures for one book year (rupiah).

    >>> from hypothesis import find
    >>> find(keuangan(), lambda k: k.aset is not None).aset >= 0
    True
    """
    return from_entity(Keuangan, **overrides)


def umkm(**overrides: Any) -> SearchStrategy[Umkm]:
    """A UMKM with valid identifiers (override fields with invalid ones as needed).

    >>> from hypothesis import find
    >>> len(find(umkm(), lambda u: u.nib is not None).nib)
    13
    """
    return from_entity(Umkm, **overrides)


def koperasi(**overrides: Any) -> SearchStrategy[Koperasi]:
    """A koperasi with valid identifiers.

    >>> from hypothesis import find
    >>> find(koperasi(), lambda k: True).nama.startswith("Koperasi ")
    True
    """
    return from_entity(Koperasi, **overrides)


def wilayah() -> SearchStrategy[Wilayah]:
    """A DKI region at any level, with its parent code (and BPS code for kecamatan).

    >>> from hypothesis import find
    >>> find(wilayah(), lambda w: w.tingkat.value == "kecamatan").induk.count(".")
    1
    """
    return from_entity(Wilayah)


def petugas() -> SearchStrategy[Petugas]:
    """An officer whose region matches the role's level (``sudin`` → kab/kota, …).

    >>> from hypothesis import find
    >>> find(petugas(), lambda p: p.peran == "lurah").wilayah.count(".")
    3
    """
    return from_entity(Petugas)


def sumber(**overrides: Any) -> SearchStrategy[Sumber]:
    """A data source.

    >>> from hypothesis import find
    >>> find(sumber(), lambda s: True).jenis.value
    'pelaku_usaha'
    """
    return from_entity(Sumber, **overrides)


def provenance(**overrides: Any) -> SearchStrategy[Provenance]:
    """Who sent a version, the officer, when.

    >>> from hypothesis import find
    >>> find(provenance(), lambda p: p.waktu is not None).waktu.tzinfo is not None
    True
    """
    return from_entity(Provenance, **overrides)


def write_op(
    *,
    kind: str | None = None,
    id: SearchStrategy[str] | None = None,
    record: SearchStrategy[Any] | None = None,
    status: SearchStrategy[VerificationStatus | None] | None = None,
) -> SearchStrategy[WriteOp]:
    """A storage :class:`~kukm.storage.base.WriteOp` (kind ``umkm``/``koperasi`` or random).

    >>> from hypothesis import find
    >>> find(write_op(kind="koperasi"), lambda op: True).kind
    'koperasi'
    """
    if kind not in (None, "umkm", "koperasi"):
        raise TypeError("kind must be 'umkm', 'koperasi' or None")
    kinds = st.sampled_from(["umkm", "koperasi"]) if kind is None else st.just(kind)

    @st.composite
    def _op(draw: st.DrawFn) -> WriteOp:
        k = draw(kinds)
        rec = draw(record if record is not None else (umkm() if k == "umkm" else koperasi()))
        return WriteOp(
            kind=k,  # type: ignore[arg-type]
            id=draw(id if id is not None else st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)),
            record=rec,
            provenance=draw(provenance()),
            valid_from=draw(_optional(_dates())),
            atribut=draw(st.dictionaries(st.sampled_from(["skala", "kesehatan"]),
                                         _optional(st.sampled_from(["mikro", "kecil", "menengah"])),
                                         max_size=2)),
            status=draw(status if status is not None else _optional(st.sampled_from(VerificationStatus))),
        )  # fmt: skip

    return _op()


def register_type_strategies() -> None:
    """Make ``st.from_type(X)`` work for every kukm entity, Provenance and WriteOp.

    >>> register_type_strategies()
    >>> from hypothesis import find, strategies as st
    >>> isinstance(find(st.from_type(Koperasi), lambda k: True), Koperasi)
    True
    """
    for cls in (Alamat, Pemilik, Pengurus, Keuangan, Umkm, Koperasi, Sumber, Provenance):
        st.register_type_strategy(cls, from_entity(cls))
    st.register_type_strategy(Wilayah, wilayah())
    st.register_type_strategy(Petugas, petugas())
    st.register_type_strategy(WriteOp, write_op())


if globals().pop("_register_on_import", False):  # see kukm.testing._hypothesis
    register_type_strategies()
