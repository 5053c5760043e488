"""Kesehatan usaha (health) of a KSP/USP by Perdep 06/Per/Dep.6/IV/2016.

Seven aspects weighted 15/25/15/10/15/10/10 (permodalan, kualitas aktiva
produktif, manajemen, efisiensi, likuiditas, kemandirian dan pertumbuhan,
jatidiri koperasi) [S]; each aspect is the sum of its components' scores. A
component's score comes from a ratio of financial inputs (percent) through a
table of bands, or for *manajemen* from the number of "ya" answers times a value
per answer. Bands on the total score: **Sehat ≥ 80; Cukup Sehat 66 to < 80;
Dalam Pengawasan 51 to < 66; Dalam Pengawasan Khusus < 51** [S].

The primary Perdep text was not retrieved, so the ratio tables are [S] (one
table [N]) and live in a **replaceable data file**
(``kukm/rules/data/kesehatan_perdep_06_2016.json``; each table has its source
and confidence). A Dinas supplies its own with :func:`load_tabel`.

A component whose inputs are missing (or whose denominator is zero with no
rule for it) is left unscored: it counts 0, is listed in ``tidak_dinilai`` and
the verdict says it is incomplete.

>>> v = nilai_kesehatan({"modal_sendiri": 300, "total_aset": 1000})
>>> v.komponen[0].id, v.komponen[0].rasio, v.komponen[0].skor
('ms_total_aset', Decimal('30'), Decimal('3'))
>>> v.lengkap
False
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, final

from attrs import frozen

from kukm.exceptions import ConfigurationError, register_code
from kukm.rules._meta import LegalBasis, RuleInfo, register_rule

__all__ = [
    "Band",
    "KesehatanVerdict",
    "SkorKomponen",
    "TabelKesehatan",
    "band_for",
    "default_tabel",
    "load_tabel",
    "nilai_kesehatan",
]

KESEHATAN_TABLE = register_code(
    "KESEHATAN_TABLE",
    "Tabel penilaian kesehatan tidak valid.",
    "The health-assessment table is not valid.",
    module=__name__,
)


class Band(enum.StrEnum):
    SEHAT = "sehat"
    CUKUP_SEHAT = "cukup_sehat"
    DALAM_PENGAWASAN = "dalam_pengawasan"
    DALAM_PENGAWASAN_KHUSUS = "dalam_pengawasan_khusus"


@final
@frozen
class _Pita:
    atas: Fraction | None
    inklusif: bool
    skor: Decimal


@final
@frozen
class _Komponen:
    id: str
    aspek: str
    nama: str
    bobot: Decimal
    pembilang: tuple[str, ...]
    penyebut: tuple[str, ...]
    pita: tuple[_Pita, ...]
    jika_penyebut_nol: Fraction | None
    keyakinan: str
    sumber: str
    catatan: str


@final
@frozen
class _Manajemen:
    id: str
    nama: str
    pertanyaan: int
    nilai_per_ya: Decimal
    bobot: Decimal


@final
@frozen
class TabelKesehatan:
    """A scoring scheme (kind ``kesehatan``): aspects, component tables, bands."""

    name: str
    dasar: LegalBasis
    aspek: tuple[tuple[str, str, Decimal], ...]
    komponen: tuple[_Komponen, ...]
    manajemen: tuple[_Manajemen, ...]
    band: tuple[tuple[Band, str, Decimal], ...]  # descending minimum
    kind: str = "kesehatan"
    raw: Mapping[str, Any] | None = None


def _parse(data: Mapping[str, Any], origin: str) -> TabelKesehatan:
    try:
        komponen = tuple(
            _Komponen(
                c["id"], c["aspek"], c.get("nama", c["id"]), Decimal(c["bobot"]),
                tuple(c["pembilang"]), tuple(c["penyebut"]),
                tuple(
                    _Pita(Fraction(Decimal(p["atas"])) if "atas" in p else None,
                          bool(p.get("inklusif", True)), Decimal(p["skor"]))
                    for p in c["pita"]
                ),
                None if c.get("jika_penyebut_nol") is None else Fraction(Decimal(c["jika_penyebut_nol"])),
                c.get("keyakinan", "S"), c.get("sumber", ""), c.get("catatan", ""),
            )
            for c in data["komponen"]
        )  # fmt: skip
        manajemen = tuple(
            _Manajemen(m["id"], m.get("nama", m["id"]), int(m["pertanyaan"]), Decimal(m["nilai_per_ya"]), Decimal(m["bobot"]))
            for m in data.get("manajemen", [])
        )
        band = tuple(
            sorted(
                ((Band(b["id"]), b.get("nama", b["id"]), Decimal(b["min"])) for b in data["band"]),
                key=lambda t: -t[2],
            )
        )
        aspek = tuple((a["id"], a.get("nama", a["id"]), Decimal(a["bobot"])) for a in data["aspek"])
        dasar = LegalBasis(
            data["regulasi"],
            keyakinan=data.get("keyakinan", "S"),
            sumber=data.get("sumber", origin),
            catatan=data.get("catatan", ""),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ConfigurationError(f"{origin}: invalid health table ({exc!r})", code=KESEHATAN_TABLE) from exc
    for k in komponen:
        if not k.pita or k.pita[-1].atas is not None:
            raise ConfigurationError(f"{origin}: {k.id}: the last band must have no 'atas'", code=KESEHATAN_TABLE)
        if max(p.skor for p in k.pita) > k.bobot:
            raise ConfigurationError(f"{origin}: {k.id}: a score exceeds the weight", code=KESEHATAN_TABLE)
    total = sum((a[2] for a in aspek), Decimal(0))
    if total != 100:
        raise ConfigurationError(f"{origin}: aspect weights sum to {total}, not 100", code=KESEHATAN_TABLE)
    return TabelKesehatan(str(data["name"]), dasar, aspek, komponen, manajemen, band, raw=data)


_DEFAULT: TabelKesehatan | None = None


def default_tabel() -> TabelKesehatan:
    """kukm's default table (from the package data file)."""
    global _DEFAULT
    if _DEFAULT is None:
        text = resources.files("kukm.rules").joinpath("data/kesehatan_perdep_06_2016.json").read_text("utf-8")
        _DEFAULT = _parse(json.loads(text), "kesehatan_perdep_06_2016.json")
    return _DEFAULT


def load_tabel(path: str | Path) -> TabelKesehatan:
    """Load a replacement table (same JSON layout as the default file)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read {p}: {exc}", code=KESEHATAN_TABLE) from exc
    return _parse(data, str(p))


def band_for(skor: Decimal | float | int, tabel: TabelKesehatan | None = None) -> Band:
    """The band of a total score.

    >>> band_for(80), band_for(Decimal("79.99")), band_for(66), band_for(51), band_for(50.9)
    (<Band.SEHAT: 'sehat'>, <Band.CUKUP_SEHAT: 'cukup_sehat'>, <Band.CUKUP_SEHAT: 'cukup_sehat'>, <Band.DALAM_PENGAWASAN: 'dalam_pengawasan'>, <Band.DALAM_PENGAWASAN_KHUSUS: 'dalam_pengawasan_khusus'>)
    """
    t = tabel or default_tabel()
    value = Decimal(str(skor)) if isinstance(skor, float) else Decimal(skor)
    for band, _, minimum in t.band:
        if value >= minimum:
            return band
    return t.band[-1][0]


@final
@frozen
class SkorKomponen:
    """One component's score with the ratio and inputs it used."""

    id: str
    aspek: str
    nama: str
    bobot: Decimal
    skor: Decimal
    rasio: Decimal | None  # percent, rounded to 4 decimals for display
    dinilai: bool
    keterangan: str
    keyakinan: str

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "aspek": self.aspek,
            "nama": self.nama,
            "bobot": float(self.bobot),
            "skor": float(self.skor),
            "rasio_persen": None if self.rasio is None else float(self.rasio),
            "dinilai": self.dinilai,
            "keterangan": self.keterangan,
            "keyakinan": self.keyakinan,
        }


@final
@frozen
class KesehatanVerdict:
    """Total score, band, every component's score, per-aspect sums."""

    skor: Decimal
    band: Band
    komponen: tuple[SkorKomponen, ...]
    aspek: tuple[tuple[str, Decimal, Decimal], ...]  # id, score, weight
    tidak_dinilai: tuple[str, ...]
    tabel: str
    dasar: LegalBasis

    @property
    def lengkap(self) -> bool:
        return not self.tidak_dinilai

    def explain(self, lang: str = "id") -> str:
        """Score, band and how each aspect scored."""
        if lang == "id":
            head = f"Skor kesehatan {self.skor} → {self.band.value} ({self.dasar.regulasi}; tabel {self.tabel}, keyakinan {self.dasar.keyakinan})"
            miss = f"; belum dinilai: {', '.join(self.tidak_dinilai)}" if self.tidak_dinilai else ""
        else:
            head = f"Health score {self.skor} → {self.band.value} ({self.dasar.regulasi}; table {self.tabel}, confidence {self.dasar.keyakinan})"
            miss = f"; not scored: {', '.join(self.tidak_dinilai)}" if self.tidak_dinilai else ""
        parts = ", ".join(f"{a} {s}/{w}" for a, s, w in self.aspek)
        return f"{head}\n{parts}{miss}"

    def as_dict(self) -> dict[str, object]:
        return {
            "skor": float(self.skor),
            "band": self.band.value,
            "lengkap": self.lengkap,
            "komponen": [k.as_dict() for k in self.komponen],
            "aspek": [{"id": a, "skor": float(s), "bobot": float(w)} for a, s, w in self.aspek],
            "tidak_dinilai": list(self.tidak_dinilai),
            "tabel": self.tabel,
            "dasar_hukum": self.dasar.as_dict(),
        }


def _score(k: _Komponen, inputs: Mapping[str, int]) -> SkorKomponen:
    names = k.pembilang + k.penyebut
    missing = [n for n in names if inputs.get(n) is None]
    if missing:
        return SkorKomponen(k.id, k.aspek, k.nama, k.bobot, Decimal(0), None, False,
                            "input kosong: " + ", ".join(missing), k.keyakinan)  # fmt: skip
    num = sum(int(inputs[n]) for n in k.pembilang)
    den = sum(int(inputs[n]) for n in k.penyebut)
    if den == 0:
        if k.jika_penyebut_nol is None:
            return SkorKomponen(k.id, k.aspek, k.nama, k.bobot, Decimal(0), None, False,
                                "penyebut nol", k.keyakinan)  # fmt: skip
        ratio = k.jika_penyebut_nol
        note = "penyebut nol: dianggap " + str(Decimal(ratio.numerator) / ratio.denominator) + "%"
    else:
        ratio = Fraction(num * 100, den)
        note = ""
    for p in k.pita:
        if p.atas is None or ratio < p.atas or (p.inklusif and ratio == p.atas):
            skor = p.skor
            break
    else:  # pragma: no cover - the last band is open-ended (checked on load)
        skor = Decimal(0)
    shown = (Decimal(ratio.numerator) / Decimal(ratio.denominator)).quantize(Decimal("0.0001")).normalize()
    if int(shown.as_tuple().exponent) > 0:
        shown = shown.quantize(Decimal(1))
    return SkorKomponen(k.id, k.aspek, k.nama, k.bobot, skor, shown, True, note, k.keyakinan)


def nilai_kesehatan(
    inputs: Mapping[str, int | None],
    *,
    jawaban_manajemen: Mapping[str, int] | None = None,
    tabel: TabelKesehatan | None = None,
) -> KesehatanVerdict:
    """Score a KSP/USP from its financial inputs (rupiah) and management answers.

    ``inputs`` names are the table's ``pembilang``/``penyebut`` (default table:
    ``modal_sendiri``, ``total_aset``, ``pinjaman_diberikan``, …; see
    ``docs/rules-reference.md``). ``jawaban_manajemen`` maps each management
    group (``manajemen_umum``, ``kelembagaan``, …) to its number of "ya".

    >>> v = nilai_kesehatan({}, jawaban_manajemen={"manajemen_umum": 12})
    >>> v.skor, v.band.value, len(v.tidak_dinilai)
    (Decimal('3'), 'dalam_pengawasan_khusus', 21)
    """
    t = tabel or default_tabel()
    clean = {k: v for k, v in inputs.items() if v is not None}
    scored = [_score(k, clean) for k in t.komponen]
    answers = jawaban_manajemen or {}
    for m in t.manajemen:
        ya = answers.get(m.id)
        if ya is None:
            scored.append(SkorKomponen(m.id, "manajemen", m.nama, m.bobot, Decimal(0), None, False,
                                       "jawaban kosong", "S"))  # fmt: skip
            continue
        if not 0 <= ya <= m.pertanyaan:
            raise ValueError(f"{m.id}: {ya} 'ya' answers, expected 0..{m.pertanyaan}")
        skor = min(m.bobot, m.nilai_per_ya * ya)
        scored.append(SkorKomponen(m.id, "manajemen", m.nama, m.bobot, skor, None, True,
                                   f"{ya}/{m.pertanyaan} ya × {m.nilai_per_ya}", "S"))  # fmt: skip
    aspek = tuple(
        (a_id, sum((s.skor for s in scored if s.aspek == a_id), Decimal(0)), bobot) for a_id, _, bobot in t.aspek
    )
    total = sum((s.skor for s in scored), Decimal(0))
    total = min(max(total, Decimal(0)), Decimal(100))
    return KesehatanVerdict(
        total,
        band_for(total, t),
        tuple(scored),
        aspek,
        tuple(s.id for s in scored if not s.dinilai),
        t.name,
        t.dasar,
    )


def _reference_table() -> tuple[tuple[str, ...], ...]:
    t = default_tabel()
    rows: list[tuple[str, ...]] = [("Komponen", "Aspek", "Bobot", "Rasio (%) → skor", "Keyakinan")]
    for k in t.komponen:
        bands = []
        for p in k.pita:
            if p.atas is None:
                bands.append(f"lainnya → {p.skor}")
            else:
                bands.append(f"{'≤' if p.inklusif else '<'} {Decimal(p.atas.numerator) / p.atas.denominator} → {p.skor}")
        rows.append((k.id, k.aspek, str(k.bobot), "; ".join(bands), k.keyakinan))
    for m in t.manajemen:
        rows.append((m.id, "manajemen", str(m.bobot), f"{m.pertanyaan} pertanyaan × {m.nilai_per_ya} per 'ya'", "S"))
    return tuple(rows)


register_rule(
    RuleInfo(
        id="kesehatan.perdep-06-2016",
        judul="Kesehatan usaha KSP/USP (Perdep 06/Per/Dep.6/IV/2016)",
        title="Health of savings-and-loan cooperatives (Perdep 06/2016)",
        dasar=(
            LegalBasis(
                "Peraturan Deputi Bidang Pengawasan 06/Per/Dep.6/IV/2016",
                keyakinan="S",
                sumber="aspect weights: slides (scribd 680019698); tables: public code; bands: two public implementations",
            ),
        ),
        modul=__name__,
        ringkasan=(
            "Bobot aspek 15/25/15/10/15/10/10. Band: Sehat ≥ 80; Cukup Sehat 66–<80; "
            "Dalam Pengawasan 51–<66; Dalam Pengawasan Khusus < 51. Tabel rasio dapat diganti "
            "(kukm.rules.kesehatan.load_tabel)."
        ),
        tabel=_reference_table(),
        dapat_diganti=True,
    )
)
