"""Scale of a business (Kepgub A.3–5): mikro, kecil, menengah or besar.

Two regimes, chosen by the data's reference date (``tanggal_data``) unless a
scheme is given:

* **UU 20/2008 Pasal 6** (before 2021-02-02): kekayaan bersih (ayat 1–3 huruf a,
  excluding land and buildings) **atau** hasil penjualan tahunan (huruf b).
* **PP 7/2021 Pasal 35** (from 2021-02-02, the day it was issued): modal usaha
  (ayat 3) **atau** hasil penjualan tahunan (ayat 5).

"paling banyak X" means ``v ≤ X``; "lebih dari X sampai dengan paling banyak Y"
means ``X < v ≤ Y``; above the Menengah maximum is Usaha Besar (UU 20/2008
Pasal 1 angka 4). A criterion whose amount is missing is left out; kukm never
substitutes modal usaha for kekayaan bersih.

When the criteria disagree the statute's "atau" gives no tie-break, so the
combined verdict follows a configurable :class:`AturanGabungan`:
``terbesar`` (default: the larger scale – a business large on either measure
is not counted among the smaller ones, so programmes for smaller businesses are
not claimed on one small figure), ``terkecil``, ``hasil_penjualan`` (sales
decide, PP 7/2021 Pasal 35 ayat 4 uses sales for kemudahan and pelindungan)
or ``modal`` (the capital/net-worth criterion decides, ayat 2: for
registration). The verdict names the rule used.

>>> v = klasifikasi_umkm(modal_usaha=1_000_000_000, omzet_tahunan=2_000_000_001,
...                      tanggal=dt.date(2024, 1, 1))
>>> v.skala, [c.skala.value for c in v.kriteria], v.aturan
(<Skala.KECIL: 'kecil'>, ['mikro', 'kecil'], 'terbesar')
>>> print(v.explain("en").splitlines()[0])
Scale: kecil (PP 7/2021 Pasal 35; criteria disagree, rule 'terbesar': the larger scale)
"""

from __future__ import annotations

import datetime as dt
import enum
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final, NamedTuple, final

from attrs import frozen

from kukm.rules._meta import LegalBasis, RuleInfo, register_rule, rupiah

if TYPE_CHECKING:
    from kukm.model import Umkm

__all__ = [
    "PP_7_2021",
    "TANGGAL_PP_7_2021",
    "UU_20_2008",
    "AturanGabungan",
    "Kriteria",
    "KriteriaVerdict",
    "Skala",
    "SkalaUmkmScheme",
    "SkalaVerdict",
    "klasifikasi_umkm",
    "scheme_for",
    "skala_kolom",
]

TANGGAL_PP_7_2021: Final = dt.date(2021, 2, 2)


class Skala(enum.StrEnum):
    """Business scale; members are ordered from small to large."""

    MIKRO = "mikro"
    KECIL = "kecil"
    MENENGAH = "menengah"
    BESAR = "besar"

    @property
    def rank(self) -> int:
        return _RANK[self]


_ORDER: Final = (Skala.MIKRO, Skala.KECIL, Skala.MENENGAH, Skala.BESAR)
_RANK: Final = {s: i for i, s in enumerate(_ORDER)}


class AturanGabungan(enum.StrEnum):
    """How the combined scale is chosen when criteria disagree."""

    TERBESAR = "terbesar"
    TERKECIL = "terkecil"
    HASIL_PENJUALAN = "hasil_penjualan"
    MODAL = "modal"


_RULE_TEXT: Final[dict[AturanGabungan, str]] = {r: r.value for r in AturanGabungan}
_ATURAN_TEXT: Final = {
    AturanGabungan.TERBESAR: ("skala terbesar", "the larger scale"),
    AturanGabungan.TERKECIL: ("skala terkecil", "the smaller scale"),
    AturanGabungan.HASIL_PENJUALAN: ("kriteria hasil penjualan", "the sales criterion"),
    AturanGabungan.MODAL: ("kriteria modal/kekayaan", "the capital/net-worth criterion"),
}


@final
@frozen
class Kriteria:
    """One criterion: which amount, its three maxima and the ayat of each tier."""

    nama: str  # "kekayaan_bersih", "modal_usaha" or "hasil_penjualan"
    atribut: str  # attribute of kukm.model.Umkm
    batas: tuple[int, int, int]  # maxima of mikro, kecil, menengah (inclusive)
    ayat: tuple[str, str, str]  # ayat/huruf of each tier
    jenis: str  # "modal" or "hasil_penjualan"

    def skala(self, value: int) -> tuple[Skala, int]:
        """The scale of ``value`` and the tier index used (3 = besar)."""
        m, k, me = self.batas
        if value <= m:
            return Skala.MIKRO, 0
        if value <= k:
            return Skala.KECIL, 1
        if value <= me:
            return Skala.MENENGAH, 2
        return Skala.BESAR, 3


@final
@frozen
class SkalaUmkmScheme:
    """A scale regime (a :class:`kukm.hookspecs.Scheme` of kind ``skala_umkm``)."""

    name: str
    dasar: LegalBasis
    kriteria: tuple[Kriteria, ...]
    kind: str = "skala_umkm"

    def berlaku(self, tanggal: dt.date) -> bool:
        """Is this regime in force on ``tanggal``?"""
        start, end = self.dasar.berlaku_mulai, self.dasar.berlaku_sampai
        return (start is None or tanggal >= start) and (end is None or tanggal < end)


UU_20_2008: Final = SkalaUmkmScheme(
    name="uu-20-2008-pasal-6",
    dasar=LegalBasis(
        "UU 20/2008",
        pasal="6",
        berlaku_mulai=dt.date(2008, 7, 4),
        berlaku_sampai=TANGGAL_PP_7_2021,
        keyakinan="P",
        sumber="statute text as copied in public data; DDTC",
        catatan="kekayaan bersih tidak termasuk tanah dan bangunan tempat usaha",
    ),
    kriteria=(
        Kriteria(
            "kekayaan_bersih",
            "kekayaan_bersih",
            (50_000_000, 500_000_000, 10_000_000_000),
            ("1 huruf a", "2 huruf a", "3 huruf a"),
            "modal",
        ),
        Kriteria(
            "hasil_penjualan",
            "omzet_tahunan",
            (300_000_000, 2_500_000_000, 50_000_000_000),
            ("1 huruf b", "2 huruf b", "3 huruf b"),
            "hasil_penjualan",
        ),
    ),
)

PP_7_2021: Final = SkalaUmkmScheme(
    name="pp-7-2021-pasal-35",
    dasar=LegalBasis(
        "PP 7/2021",
        pasal="35",
        berlaku_mulai=TANGGAL_PP_7_2021,
        keyakinan="P",
        sumber="OCR of PP 7/2021; news.ddtc.co.id 27949",
        catatan="modal usaha tidak termasuk tanah dan bangunan tempat usaha",
    ),
    kriteria=(
        Kriteria(
            "modal_usaha",
            "modal_usaha",
            (1_000_000_000, 5_000_000_000, 10_000_000_000),
            ("3 huruf a", "3 huruf b", "3 huruf c"),
            "modal",
        ),
        Kriteria(
            "hasil_penjualan",
            "omzet_tahunan",
            (2_000_000_000, 15_000_000_000, 50_000_000_000),
            ("5 huruf a", "5 huruf b", "5 huruf c"),
            "hasil_penjualan",
        ),
    ),
)

SCHEMES: Final[tuple[SkalaUmkmScheme, ...]] = (UU_20_2008, PP_7_2021)


def scheme_for(tanggal: dt.date) -> SkalaUmkmScheme:
    """The regime in force on ``tanggal``.

    >>> scheme_for(dt.date(2021, 2, 1)).name, scheme_for(dt.date(2021, 2, 2)).name
    ('uu-20-2008-pasal-6', 'pp-7-2021-pasal-35')
    """
    return PP_7_2021 if tanggal >= TANGGAL_PP_7_2021 else UU_20_2008


class KriteriaVerdict(NamedTuple):
    """The scale by one criterion, with the ayat and threshold that decided it.

    An immutable named tuple rather than an attrs class: the pipeline builds
    millions of verdicts and a tuple is built twice as fast.
    """

    kriteria: str
    nilai: int
    skala: Skala
    ayat: str | None
    batas_bawah: int | None  # exclusive ("lebih dari")
    batas_atas: int | None  # inclusive ("paling banyak")

    def explain(self, lang: str = "id") -> str:
        lo = "" if self.batas_bawah is None else f"{rupiah(self.batas_bawah)} < "
        hi = "" if self.batas_atas is None else f" ≤ {rupiah(self.batas_atas)}"
        where = f"ayat ({self.ayat})" if self.ayat else ("di atas Menengah" if lang == "id" else "above Menengah")
        return f"{self.kriteria} {lo}{rupiah(self.nilai)}{hi} → {self.skala.value} [{where}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "kriteria": self.kriteria,
            "nilai": self.nilai,
            "skala": self.skala.value,
            "ayat": self.ayat,
            "batas_bawah": self.batas_bawah,
            "batas_atas": self.batas_atas,
        }


class SkalaVerdict(NamedTuple):
    """Combined scale, the per-criterion verdicts, the rule used and the legal basis (immutable)."""

    skala: Skala | None
    kriteria: tuple[KriteriaVerdict, ...]
    scheme: str
    dasar: LegalBasis
    tanggal: dt.date
    aturan: str
    sepakat: bool

    def explain(self, lang: str = "id") -> str:
        """Why this scale, in Indonesian (``id``) or English (``en``)."""
        cite = f"{self.dasar.regulasi} Pasal {self.dasar.pasal}"
        if self.skala is None:
            head = "Skala: tidak dapat ditentukan (tidak ada nilai kriteria)" if lang == "id" else (
                "Scale: undetermined (no criterion value)"
            )
            return f"{head} ({cite})"
        if self.sepakat:
            how = "semua kriteria sepakat" if lang == "id" else "all criteria agree"
        else:
            text_id, text_en = _ATURAN_TEXT[AturanGabungan(self.aturan)]
            how = (
                f"kriteria berbeda, aturan '{self.aturan}': {text_id}"
                if lang == "id"
                else f"criteria disagree, rule '{self.aturan}': {text_en}"
            )
        head = "Skala" if lang == "id" else "Scale"
        date = "tanggal acuan" if lang == "id" else "reference date"
        lines = [f"{head}: {self.skala.value} ({cite}; {how})"]
        lines.extend(f"- {k.explain(lang)}" for k in self.kriteria)
        lines.append(f"{date} {self.tanggal.isoformat()}; {self.dasar.cite()}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "skala": self.skala.value if self.skala else None,
            "kriteria": [k.as_dict() for k in self.kriteria],
            "aturan": self.aturan,
            "sepakat": self.sepakat,
            "scheme": self.scheme,
            "tanggal": self.tanggal.isoformat(),
            "dasar_hukum": self.dasar.as_dict(),
        }


def _verdict(k: Kriteria, value: int) -> KriteriaVerdict:
    m, kc, me = k.batas
    if value <= m:
        return KriteriaVerdict(k.nama, value, Skala.MIKRO, k.ayat[0], None, m)
    if value <= kc:
        return KriteriaVerdict(k.nama, value, Skala.KECIL, k.ayat[1], m, kc)
    if value <= me:
        return KriteriaVerdict(k.nama, value, Skala.MENENGAH, k.ayat[2], kc, me)
    return KriteriaVerdict(k.nama, value, Skala.BESAR, None, me, None)


def klasifikasi_umkm(
    record: Umkm | None = None,
    *,
    modal_usaha: int | None = None,
    kekayaan_bersih: int | None = None,
    omzet_tahunan: int | None = None,
    tanggal: dt.date | None = None,
    scheme: SkalaUmkmScheme | None = None,
    aturan: AturanGabungan | str = AturanGabungan.TERBESAR,
) -> SkalaVerdict:
    """Classify a business by the regime in force on its reference date.

    Amounts come from ``record`` (a :class:`kukm.model.Umkm`) unless given as
    keywords. The date is ``tanggal``, else ``record.tanggal_data``, else today.

    >>> klasifikasi_umkm(kekayaan_bersih=50_000_000, omzet_tahunan=300_000_000,
    ...                  tanggal=dt.date(2020, 12, 31)).skala
    <Skala.MIKRO: 'mikro'>
    >>> klasifikasi_umkm(kekayaan_bersih=50_000_001, tanggal=dt.date(2020, 12, 31)).skala
    <Skala.KECIL: 'kecil'>
    """
    if record is not None:
        if modal_usaha is None:
            modal_usaha = record.modal_usaha
        if kekayaan_bersih is None:
            kekayaan_bersih = record.kekayaan_bersih
        if omzet_tahunan is None:
            omzet_tahunan = record.omzet_tahunan
        if tanggal is None:
            tanggal = record.tanggal_data
    if tanggal is None:
        tanggal = dt.date.today()
    sch = scheme if scheme is not None else (PP_7_2021 if tanggal >= TANGGAL_PP_7_2021 else UU_20_2008)
    rule = aturan if aturan.__class__ is AturanGabungan else AturanGabungan(aturan)
    verdicts: list[KriteriaVerdict] = []
    for k in sch.kriteria:
        a = k.atribut
        v = omzet_tahunan if a == "omzet_tahunan" else (modal_usaha if a == "modal_usaha" else kekayaan_bersih)
        if v is not None:
            verdicts.append(_verdict(k, v))
    if len(verdicts) == 2:
        s0, s1 = verdicts[0].skala, verdicts[1].skala
        sepakat = s0 is s1
        if sepakat:
            skala: Skala | None = s0
        elif rule is AturanGabungan.TERBESAR:  # the default: no key functions, no loops
            skala = s0 if _RANK[s0] > _RANK[s1] else s1
        else:
            skala = _combine(verdicts, rule, sch)
    else:
        sepakat = len({v.skala for v in verdicts}) <= 1
        skala = _combine(verdicts, rule, sch)
    return SkalaVerdict(skala, tuple(verdicts), sch.name, sch.dasar, tanggal, _RULE_TEXT[rule], sepakat)


def _combine(
    verdicts: Sequence[KriteriaVerdict], rule: AturanGabungan, sch: SkalaUmkmScheme
) -> Skala | None:
    if not verdicts:
        return None
    if len(verdicts) == 1:
        return verdicts[0].skala
    if rule is AturanGabungan.TERBESAR:
        return max((v.skala for v in verdicts), key=_RANK.__getitem__)
    if rule is AturanGabungan.TERKECIL:
        return min((v.skala for v in verdicts), key=_RANK.__getitem__)
    wanted = "hasil_penjualan" if rule is AturanGabungan.HASIL_PENJUALAN else "modal"
    jenis = {k.nama: k.jenis for k in sch.kriteria}
    for v in verdicts:
        if jenis[v.kriteria] == wanted:
            return v.skala
    return verdicts[0].skala  # pragma: no cover - both regimes have both kinds


def _table(sch: SkalaUmkmScheme) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = [("Skala", *(f"{k.nama} (ayat)" for k in sch.kriteria))]
    for tier, skala in enumerate(_ORDER[:3]):
        cells = []
        for k in sch.kriteria:
            lo = f"> {rupiah(k.batas[tier - 1])} s.d. " if tier else ""
            cells.append(f"{lo}≤ {rupiah(k.batas[tier])} ({k.ayat[tier]})")
        rows.append((skala.value, *cells))
    rows.append(("besar", *(f"> {rupiah(k.batas[2])}" for k in sch.kriteria)))
    return tuple(rows)


for _sch, _judul in ((UU_20_2008, "UU 20/2008 Pasal 6"), (PP_7_2021, "PP 7/2021 Pasal 35")):
    register_rule(
        RuleInfo(
            id=f"skala_umkm.{_sch.name}",
            judul=f"Skala usaha UMKM menurut {_judul}",
            title=f"UMKM scale under {_judul}",
            dasar=(_sch.dasar,),
            modul=__name__,
            ringkasan=(
                "'paling banyak X' = v ≤ X; 'lebih dari X s.d. paling banyak Y' = X < v ≤ Y; "
                "di atas Menengah = besar. Kriteria berbeda → aturan gabungan (bawaan: terbesar)."
            ),
            tabel=_table(_sch),
            parameter={"aturan": "terbesar | terkecil | hasil_penjualan | modal"},
        )
    )


def skala_kolom(
    amounts: Mapping[str, Sequence[int | None]],
    tanggal: Sequence[dt.date | None],
    *,
    today: dt.date | None = None,
) -> list[str | None]:
    """The combined scale (rule ``terbesar``) of many businesses at once, as text.

    ``amounts`` holds a column per :class:`kukm.model.Umkm` amount attribute
    (``modal_usaha``, ``kekayaan_bersih``, ``omzet_tahunan``; a missing one
    counts as unknown) and ``tanggal`` each row's reference date (``None``:
    ``today``, default the current date). Each row gets exactly the
    ``skala`` of :func:`klasifikasi_umkm` with its default rule, or ``None``
    when no criterion has a value; without building the explanations (bulk
    imports store the scale; the verdict with its reasons is one call away).
    Tests check the two agree.

    >>> skala_kolom({"modal_usaha": [1_000_000_000, 1_000_000_001, None],
    ...              "omzet_tahunan": [None, None, None]},
    ...             [dt.date(2024, 1, 1)] * 3)
    ['mikro', 'kecil', None]
    """
    ref = today or dt.date.today()
    names = tuple(s.value for s in _ORDER)
    # per regime, its criteria's columns with their maxima (a tier is bisect_left of the maxima,
    # the same bands as Kriteria.skala)
    plans = {
        id(sch): [(c, list(k.batas)) for k in sch.kriteria if (c := amounts.get(k.atribut)) is not None]
        for sch in SCHEMES
    }
    by_date: dict[dt.date | None, list[tuple[Sequence[int | None], list[int]]]] = {}
    out: list[str | None] = []
    append = out.append
    for k, t in enumerate(tanggal):
        best = -1
        plan = by_date.get(t)
        if plan is None:  # the regime of a date, looked up once per distinct date
            plan = by_date[t] = plans[id(scheme_for(t or ref))]
        for col, batas in plan:
            v = col[k]
            if v is not None:
                tier = bisect_left(batas, v)
                if tier > best:
                    best = tier
        append(names[best] if best >= 0 else None)
    return out
