"""Kepatuhan (compliance) of a koperasi from its dated RAT, and certificate eligibility.

Basis: UU 25/1992 Pasal 26 – the Rapat Anggota Tahunan approving the board's
accountability is held at the latest **6 months after the book year** ends
[S: from the statute's common reading; primary text not retrieved]; not
reporting RAT two consecutive years leads to sanctions (Dinas PPKUKM DKI,
beritajakarta 2025) [S]. Hence the default settings (all configurable in
:class:`AturanKepatuhan`): book year = calendar year, deadline 6 months,
``tidak_aktif`` after 2 book years without RAT.

A RAT held in year *Y* is counted for book year *Y − 1* (the RAT approves the
previous year's accounts). On a reference date the **due** book year is the
latest one whose deadline has passed; with ``missed = due − last book year
with RAT``:

* ``aktif`` – missed ≤ 0 (or no RAT due yet since the badan hukum);
* ``rat_terlambat`` – missed = 1 (one RAT overdue);
* ``tidak_aktif`` – missed ≥ ``tahun_tanpa_rat_tidak_aktif`` (default 2), or no
  RAT and no badan hukum date on record.

Certificate eligibility (:func:`eligibility`) derives from this with thresholds
that regional practice does not agree on [S/N] (REGULATIONS.md §1.1, Part 2 §2):
consecutive RAT years (1/2/3, default 1: "koperasi aktif yang sudah RAT"),
an optional required health band, and validity (1 or 2 years, default 2: DKI
2025).

>>> v = assess([dt.date(2023, 5, 20)], tanggal=dt.date(2024, 3, 1))
>>> v.status.value, v.tahun_buku_wajib, v.tahun_buku_rat_terakhir
('aktif', 2022, 2022)
>>> assess([dt.date(2023, 5, 20)], tanggal=dt.date(2024, 7, 1)).status.value
'rat_terlambat'
>>> assess([dt.date(2023, 5, 20)], tanggal=dt.date(2025, 7, 1)).status.value
'tidak_aktif'
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from typing import Final, final

from attrs import frozen

from kukm.model import Koperasi
from kukm.rules._meta import LegalBasis, RuleInfo, register_rule

__all__ = [
    "DASAR_RAT",
    "AturanEligibilitas",
    "AturanKepatuhan",
    "EligibilityVerdict",
    "KepatuhanVerdict",
    "StatusKepatuhan",
    "assess",
    "eligibility",
]

DASAR_RAT: Final = LegalBasis(
    "UU 25/1992",
    pasal="26",
    berlaku_mulai=dt.date(1992, 10, 21),
    keyakinan="S",
    sumber="statute (from memory; primary text not retrieved); beritajakarta en/read/59863",
    catatan="RAT paling lambat 6 bulan setelah tahun buku berakhir",
)
DASAR_SERTIFIKAT: Final = LegalBasis(
    "Permenkop UKM 10/Per/M.KUKM/VI/2016",
    pasal="16–20",
    keyakinan="S",
    sumber="regional offices disagree (RAT 1/2/3 years; validity 1 or 2 years)",
    catatan="syarat sertifikat NIK dapat diatur",
)


class StatusKepatuhan(enum.StrEnum):
    AKTIF = "aktif"
    RAT_TERLAMBAT = "rat_terlambat"
    TIDAK_AKTIF = "tidak_aktif"


@final
@frozen
class AturanKepatuhan:
    """Settings of the compliance state machine."""

    bulan_batas_rat: int = 6
    akhir_tahun_buku: tuple[int, int] = (12, 31)  # month, day
    tahun_tanpa_rat_tidak_aktif: int = 2


def _add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


@final
@frozen
class KepatuhanVerdict:
    """The compliance state with the dates and reason behind it."""

    status: StatusKepatuhan
    tanggal: dt.date
    rat_terakhir: dt.date | None
    tahun_buku_rat_terakhir: int | None
    tahun_buku_wajib: int
    batas_rat: dt.date  # deadline of the due book year
    tahun_terlewat: int
    alasan_id: str
    alasan_en: str
    tahun_buku_rat: tuple[int, ...] = ()
    dasar: LegalBasis = DASAR_RAT

    def explain(self, lang: str = "id") -> str:
        """Reason with the dates and the legal basis."""
        reason = self.alasan_id if lang == "id" else self.alasan_en
        return f"{self.status.value}: {reason} ({self.dasar.cite()}; keyakinan {self.dasar.keyakinan})"

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status.value,
            "tanggal": self.tanggal.isoformat(),
            "rat_terakhir": self.rat_terakhir.isoformat() if self.rat_terakhir else None,
            "tahun_buku_rat_terakhir": self.tahun_buku_rat_terakhir,
            "tahun_buku_wajib": self.tahun_buku_wajib,
            "batas_rat": self.batas_rat.isoformat(),
            "tahun_terlewat": self.tahun_terlewat,
            "alasan_id": self.alasan_id,
            "alasan_en": self.alasan_en,
            "dasar_hukum": self.dasar.as_dict(),
        }


def _book_year_end(year: int, rules: AturanKepatuhan) -> dt.date:
    m, d = rules.akhir_tahun_buku
    return dt.date(year, m, d)


def _book_year_of_rat(rat: dt.date, rules: AturanKepatuhan) -> int:
    """A RAT approves the last book year that ended before it."""
    end = _book_year_end(rat.year, rules)
    return rat.year if end < rat else rat.year - 1


def assess(
    koperasi_or_rat_dates: Koperasi | Iterable[dt.date],
    *,
    tanggal: dt.date,
    tanggal_badan_hukum: dt.date | None = None,
    aturan: AturanKepatuhan | None = None,
) -> KepatuhanVerdict:
    """Compliance state on ``tanggal`` from a koperasi (its last RAT) or RAT dates.

    >>> from kukm.model import Koperasi
    >>> assess(Koperasi(nama="K", tanggal_badan_hukum=dt.date(2024, 1, 5)),
    ...        tanggal=dt.date(2024, 8, 1)).explain("en")
    'aktif: no RAT due yet: the first book year (2024) has its deadline on 2025-06-30 (UU 25/1992 Pasal 26, berlaku 1992-10-21; keyakinan S)'
    """
    rules = aturan or AturanKepatuhan()
    if isinstance(koperasi_or_rat_dates, Koperasi):
        k = koperasi_or_rat_dates
        rats = [k.tanggal_rat_terakhir] if k.tanggal_rat_terakhir else []
        bh = tanggal_badan_hukum or k.tanggal_badan_hukum
    else:
        rats = [d for d in koperasi_or_rat_dates if d is not None]
        bh = tanggal_badan_hukum
    rats = sorted(d for d in rats if d <= tanggal)
    # due book year: latest whose deadline (end + N months) is before tanggal
    due = tanggal.year
    while _add_months(_book_year_end(due, rules), rules.bulan_batas_rat) >= tanggal:
        due -= 1
    deadline = _add_months(_book_year_end(due, rules), rules.bulan_batas_rat)
    years = tuple(sorted({_book_year_of_rat(r, rules) for r in rats}))
    last = rats[-1] if rats else None
    last_year = years[-1] if years else None
    limit = rules.tahun_tanpa_rat_tidak_aktif
    if last_year is None:
        if bh is None:
            return KepatuhanVerdict(
                StatusKepatuhan.TIDAK_AKTIF, tanggal, None, None, due, deadline, limit,
                "tidak ada data RAT maupun tanggal badan hukum",
                "no RAT on record and no legal-entity date",
            )  # fmt: skip
        first = bh.year if bh <= _book_year_end(bh.year, rules) else bh.year + 1
        missed = due - first + 1
        if missed <= 0:
            first_deadline = _add_months(_book_year_end(first, rules), rules.bulan_batas_rat)
            return KepatuhanVerdict(
                StatusKepatuhan.AKTIF, tanggal, None, None, due, deadline, 0,
                f"belum wajib RAT: tahun buku pertama ({first}) berbatas RAT {first_deadline.isoformat()}",
                f"no RAT due yet: the first book year ({first}) has its deadline on {first_deadline.isoformat()}",
            )  # fmt: skip
    else:
        missed = due - last_year
    if missed <= 0:
        status = StatusKepatuhan.AKTIF
        rid = f"RAT tahun buku {last_year} diadakan {last}; tahun buku wajib {due} (batas {deadline})"
        ren = f"RAT for book year {last_year} held on {last}; due book year {due} (deadline {deadline})"
    elif missed < limit:
        status = StatusKepatuhan.RAT_TERLAMBAT
        rid = f"RAT tahun buku {due} belum diadakan (batas {deadline}); RAT terakhir {last or '-'}"
        ren = f"RAT for book year {due} not held (deadline {deadline}); last RAT {last or '-'}"
    else:
        status = StatusKepatuhan.TIDAK_AKTIF
        rid = f"{missed} tahun buku tanpa RAT (s.d. {due}, batas {deadline}); RAT terakhir {last or '-'}"
        ren = f"{missed} book years without RAT (up to {due}, deadline {deadline}); last RAT {last or '-'}"
    return KepatuhanVerdict(status, tanggal, last, last_year, due, deadline, max(missed, 0), rid, ren, years)


@final
@frozen
class AturanEligibilitas:
    """Thresholds of certificate eligibility (all [S]/[N]: configurable)."""

    tahun_rat_berturut: int = 1
    band_kesehatan_minimal: str | None = None  # e.g. "sehat" or "cukup_sehat"
    masa_berlaku_tahun: int = 2

    def __attrs_post_init__(self) -> None:
        if self.tahun_rat_berturut not in (1, 2, 3):
            raise ValueError("tahun_rat_berturut must be 1, 2 or 3")
        if self.masa_berlaku_tahun not in (1, 2):
            raise ValueError("masa_berlaku_tahun must be 1 or 2")


_BAND_ORDER: Final = ("dalam_pengawasan_khusus", "dalam_pengawasan", "cukup_sehat", "sehat")


@final
@frozen
class EligibilityVerdict:
    """Whether a Sertifikat NIK may be issued, why (or why not), and until when."""

    eligible: bool
    reasons: tuple[str, ...]
    reasons_en: tuple[str, ...]
    kepatuhan: KepatuhanVerdict
    berlaku_sampai: dt.date | None
    aturan: AturanEligibilitas
    dasar: LegalBasis = DASAR_SERTIFIKAT

    def explain(self, lang: str = "id") -> str:
        head = ("layak" if self.eligible else "tidak layak") if lang == "id" else (
            "eligible" if self.eligible else "not eligible"
        )
        reasons = self.reasons if lang == "id" else self.reasons_en
        return f"{head}: " + "; ".join(reasons) + f" ({self.dasar.cite()}; keyakinan {self.dasar.keyakinan})"

    def as_dict(self) -> dict[str, object]:
        return {
            "eligible": self.eligible,
            "reasons": list(self.reasons),
            "reasons_en": list(self.reasons_en),
            "berlaku_sampai": self.berlaku_sampai.isoformat() if self.berlaku_sampai else None,
            "kepatuhan": self.kepatuhan.as_dict(),
        }


def _consecutive(years: Sequence[int], upto: int) -> int:
    n, y = 0, upto
    s = set(years)
    while y in s:
        n, y = n + 1, y - 1
    return n


def eligibility(
    koperasi_or_rat_dates: Koperasi | Iterable[dt.date],
    *,
    tanggal: dt.date,
    aturan: AturanEligibilitas | None = None,
    band_kesehatan: str | None = None,
    kepatuhan: AturanKepatuhan | None = None,
) -> EligibilityVerdict:
    """Certificate eligibility derived from :func:`assess` and the thresholds.

    ``band_kesehatan`` is a :class:`kukm.rules.kesehatan.Band` value (or its
    text), needed only when the rules require a band.

    >>> v = eligibility([dt.date(2022, 4, 1), dt.date(2023, 4, 1)], tanggal=dt.date(2024, 1, 10),
    ...                 aturan=AturanEligibilitas(tahun_rat_berturut=2))
    >>> v.eligible, v.berlaku_sampai
    (True, datetime.date(2026, 1, 10))
    """
    rules = aturan or AturanEligibilitas()
    verdict = assess(koperasi_or_rat_dates, tanggal=tanggal, aturan=kepatuhan)
    ok = True
    rid: list[str] = []
    ren: list[str] = []
    if verdict.status is StatusKepatuhan.AKTIF and verdict.tahun_buku_rat_terakhir is not None:
        rid.append(f"status kepatuhan aktif ({verdict.alasan_id})")
        ren.append(f"compliance state aktif ({verdict.alasan_en})")
    else:
        ok = False
        rid.append(f"status kepatuhan {verdict.status.value}: {verdict.alasan_id}")
        ren.append(f"compliance state {verdict.status.value}: {verdict.alasan_en}")
    upto = verdict.tahun_buku_rat_terakhir or verdict.tahun_buku_wajib
    run = _consecutive(verdict.tahun_buku_rat, upto)
    if run < rules.tahun_rat_berturut:
        ok = False
        rid.append(f"RAT berturut-turut {run} tahun, disyaratkan {rules.tahun_rat_berturut}")
        ren.append(f"{run} consecutive RAT years, {rules.tahun_rat_berturut} required")
    else:
        rid.append(f"RAT berturut-turut {run} tahun (syarat {rules.tahun_rat_berturut})")
        ren.append(f"{run} consecutive RAT years ({rules.tahun_rat_berturut} required)")
    if rules.band_kesehatan_minimal:
        need = _BAND_ORDER.index(rules.band_kesehatan_minimal)
        have = _BAND_ORDER.index(str(band_kesehatan)) if band_kesehatan else -1
        if have < need:
            ok = False
            rid.append(f"kesehatan {band_kesehatan or 'tidak dinilai'}, disyaratkan minimal {rules.band_kesehatan_minimal}")
            ren.append(f"health {band_kesehatan or 'not assessed'}, at least {rules.band_kesehatan_minimal} required")
        else:
            rid.append(f"kesehatan {band_kesehatan} memenuhi syarat")
            ren.append(f"health {band_kesehatan} meets the requirement")
    until = _add_months(tanggal, 12 * rules.masa_berlaku_tahun) if ok else None
    return EligibilityVerdict(ok, tuple(rid), tuple(ren), verdict, until, rules)


register_rule(
    RuleInfo(
        id="kepatuhan.rat",
        judul="Status kepatuhan koperasi dari tanggal RAT",
        title="Cooperative compliance state from RAT dates",
        dasar=(DASAR_RAT,),
        modul=__name__,
        ringkasan=(
            "RAT tahun Y dihitung untuk tahun buku Y−1; batas RAT = akhir tahun buku + 6 bulan. "
            "aktif: RAT tahun buku wajib ada; rat_terlambat: 1 tahun buku terlewat; "
            "tidak_aktif: ≥ 2 tahun buku tanpa RAT."
        ),
        tabel=(
            ("Tahun buku terlewat", "Status"),
            ("0", "aktif"),
            ("1", "rat_terlambat"),
            ("≥ 2 (dapat diatur)", "tidak_aktif"),
        ),
        dapat_diganti=True,
        parameter={
            "bulan_batas_rat": "6",
            "akhir_tahun_buku": "31 Desember",
            "tahun_tanpa_rat_tidak_aktif": "2",
        },
    )
)
register_rule(
    RuleInfo(
        id="kepatuhan.sertifikat",
        judul="Kelayakan Sertifikat NIK Koperasi",
        title="Eligibility for the NIK Koperasi certificate",
        dasar=(DASAR_SERTIFIKAT,),
        modul=__name__,
        ringkasan="Layak bila status aktif, RAT berturut-turut cukup, dan (opsional) band kesehatan terpenuhi.",
        dapat_diganti=True,
        parameter={
            "tahun_rat_berturut": "1 (pilihan 1/2/3)",
            "band_kesehatan_minimal": "tidak disyaratkan",
            "masa_berlaku_tahun": "2 (pilihan 1/2)",
        },
    )
)
