"""Skala usaha of a koperasi behind a replaceable :class:`SkalaKoperasiScheme`.

The rule the NIK certificate prints as "skala usaha" was **not found** [N]
(REGULATIONS.md §4; likely the ODS "KUK" level, whose regulation is unknown).
kukm therefore ships one sourced scheme and a way to plug in others:

* :data:`PERMENKOP_8_2023` – Permenkop UKM 8/2023 Pasal 49, *Klasifikasi
  Usaha* of KSP/KSPPS, tiers I–IV by anggota, modal sendiri **and/or** aset [S]
  (news-lite.ddtc.co.id 1802545). It applies to simpan-pinjam cooperatives
  only. "dan/atau" gives no combination rule: by default the tier is the
  highest any measure reaches (``gabungan="terbesar"``; ``"terkecil"`` is the
  alternative), and the verdict says so.
* :func:`load_skala_koperasi` – a Dinas supplies the certificate's rule as a
  TOML/JSON file with the same shape (tiers with upper bounds per measure).

>>> v = PERMENKOP_8_2023.klasifikasi(anggota=5_000, modal_sendiri=2_500_000_001, aset=None,
...                                  jenis="Simpan Pinjam")
>>> v.tingkat, [(u.ukuran, u.tingkat) for u in v.per_ukuran]
('II', [('anggota', 'I'), ('modal_sendiri', 'II')])
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Protocol, final, runtime_checkable

from attrs import frozen

from kukm.exceptions import ConfigurationError, register_code
from kukm.model import Koperasi
from kukm.rules._meta import LegalBasis, RuleInfo, register_rule, rupiah
from kukm.rules.koperasi import JenisKoperasi, normalise_jenis

__all__ = [
    "PERMENKOP_8_2023",
    "SkalaKoperasiScheme",
    "SkalaKoperasiVerdict",
    "TierScheme",
    "UkuranVerdict",
    "klasifikasi_skala_koperasi",
    "load_skala_koperasi",
]

SKALA_KOPERASI_SCHEME = register_code(
    "SKALA_KOPERASI_SCHEME",
    "Skema skala usaha koperasi tidak valid.",
    "The cooperative scale scheme is not valid.",
    module=__name__,
)

MEASURES: Final = ("anggota", "modal_sendiri", "aset")


@final
@frozen
class UkuranVerdict:
    ukuran: str
    nilai: int
    tingkat: str
    batas_atas: int | None


@final
@frozen
class SkalaKoperasiVerdict:
    """The tier (``None`` when the scheme does not apply or no measure is known)."""

    tingkat: str | None
    per_ukuran: tuple[UkuranVerdict, ...]
    berlaku: bool
    gabungan: str
    scheme: str
    dasar: LegalBasis
    alasan: str = ""

    def explain(self, lang: str = "id") -> str:
        if not self.berlaku:
            return (f"tidak berlaku: {self.alasan}" if lang == "id" else f"not applicable: {self.alasan}") + (
                f" ({self.dasar.cite()})"
            )
        parts = "; ".join(
            f"{u.ukuran} {u.nilai if u.ukuran == 'anggota' else rupiah(u.nilai)} → {u.tingkat}" for u in self.per_ukuran
        )
        head = "tingkat" if lang == "id" else "tier"
        rule = f"gabungan '{self.gabungan}'" if lang == "id" else f"combination '{self.gabungan}'"
        return f"{head} {self.tingkat or '-'} ({parts}; {rule}; {self.dasar.cite()}; keyakinan {self.dasar.keyakinan})"

    def as_dict(self) -> dict[str, object]:
        return {
            "tingkat": self.tingkat,
            "per_ukuran": [
                {"ukuran": u.ukuran, "nilai": u.nilai, "tingkat": u.tingkat, "batas_atas": u.batas_atas}
                for u in self.per_ukuran
            ],
            "berlaku": self.berlaku,
            "gabungan": self.gabungan,
            "scheme": self.scheme,
            "alasan": self.alasan,
            "dasar_hukum": self.dasar.as_dict(),
        }


@runtime_checkable
class SkalaKoperasiScheme(Protocol):
    """A koperasi-scale scheme (kind ``skala_koperasi``)."""

    kind: str
    name: str

    def klasifikasi(
        self, *, anggota: int | None, modal_sendiri: int | None, aset: int | None, jenis: str | None
    ) -> SkalaKoperasiVerdict: ...


@final
@frozen
class TierScheme:
    """Tiers with an inclusive upper bound per measure (``None`` = open); last tier open."""

    name: str
    dasar: LegalBasis
    tingkat: tuple[str, ...]
    batas: Mapping[str, tuple[int | None, ...]]  # measure -> upper bound per tier
    jenis_berlaku: tuple[str, ...] = ()  # kukm jenis values; empty = all
    gabungan: str = "terbesar"
    kind: str = "skala_koperasi"

    def klasifikasi(
        self,
        *,
        anggota: int | None,
        modal_sendiri: int | None,
        aset: int | None,
        jenis: str | None,
    ) -> SkalaKoperasiVerdict:
        """Tier of each known measure and the combined tier."""
        if self.jenis_berlaku:
            j = normalise_jenis(jenis) if jenis else None
            if j is None or j.value not in self.jenis_berlaku:
                return SkalaKoperasiVerdict(
                    None, (), False, self.gabungan, self.name, self.dasar,
                    f"jenis {jenis or '-'} bukan {', '.join(self.jenis_berlaku)}",
                )  # fmt: skip
        values = {"anggota": anggota, "modal_sendiri": modal_sendiri, "aset": aset}
        per: list[UkuranVerdict] = []
        ranks: list[int] = []
        for m, bounds in self.batas.items():
            v = values.get(m)
            if v is None:
                continue
            idx = len(self.tingkat) - 1
            for i, b in enumerate(bounds):
                if b is not None and v <= b:
                    idx = i
                    break
            per.append(UkuranVerdict(m, v, self.tingkat[idx], bounds[idx] if idx < len(bounds) else None))
            ranks.append(idx)
        if not ranks:
            return SkalaKoperasiVerdict(None, (), True, self.gabungan, self.name, self.dasar, "tidak ada ukuran")
        idx = max(ranks) if self.gabungan == "terbesar" else min(ranks)
        return SkalaKoperasiVerdict(self.tingkat[idx], tuple(per), True, self.gabungan, self.name, self.dasar)


PERMENKOP_8_2023: Final = TierScheme(
    "permenkop-8-2023-pasal-49",
    LegalBasis(
        "Permenkop UKM 8/2023",
        pasal="49",
        berlaku_mulai=dt.date(2023, 7, 24),
        keyakinan="S",
        sumber="news-lite.ddtc.co.id 1802545; public design note",
        catatan="klasifikasi usaha KSP/KSPPS; tanggal berlaku perlu dikonfirmasi",
    ),
    ("I", "II", "III", "IV"),
    {
        "anggota": (5_000, 10_000, 30_000),
        "modal_sendiri": (2_500_000_000, 15_000_000_000, 50_000_000_000),
        "aset": (15_000_000_000, 100_000_000_000, 500_000_000_000),
    },
    jenis_berlaku=(JenisKoperasi.SIMPAN_PINJAM.value,),
)


def klasifikasi_skala_koperasi(
    koperasi: Koperasi, *, scheme: SkalaKoperasiScheme | None = None
) -> SkalaKoperasiVerdict:
    """Scale of a :class:`kukm.model.Koperasi` (members from ``total_anggota``,
    modal sendiri and aset from ``keuangan``).

    >>> from kukm.model import Koperasi
    >>> klasifikasi_skala_koperasi(Koperasi(nama="K", jenis="Konsumen")).berlaku
    False
    """
    s = scheme or PERMENKOP_8_2023
    keu = koperasi.keuangan
    return s.klasifikasi(
        anggota=koperasi.total_anggota,
        modal_sendiri=keu.modal_sendiri if keu else None,
        aset=keu.aset if keu else None,
        jenis=koperasi.jenis,
    )


def load_skala_koperasi(path: str | Path) -> TierScheme:
    """Load a Dinas's scale rule (TOML/JSON): ``name``, ``regulasi``, ``pasal``,
    ``keyakinan``, ``tingkat`` (labels), ``batas`` (measure → upper bounds, one
    fewer than the labels), optional ``jenis_berlaku`` and ``gabungan``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
        tingkat = tuple(str(t) for t in data["tingkat"])
        batas = {str(m): tuple(int(b) for b in bounds) for m, bounds in dict(data["batas"]).items()}
        for m, bounds in batas.items():
            if m not in MEASURES or len(bounds) != len(tingkat) - 1 or list(bounds) != sorted(bounds):
                raise ValueError(f"bad bounds for {m!r}")
        gabungan = str(data.get("gabungan", "terbesar"))
        if gabungan not in ("terbesar", "terkecil"):
            raise ValueError("gabungan must be terbesar or terkecil")
        return TierScheme(
            str(data["name"]),
            LegalBasis(str(data["regulasi"]), pasal=data.get("pasal"), keyakinan=str(data.get("keyakinan", "S")),
                       sumber=str(data.get("sumber", p.name))),
            tingkat,
            batas,
            tuple(str(j) for j in data.get("jenis_berlaku", ())),
            gabungan,
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"cannot load koperasi scale scheme {p}: {exc}", code=SKALA_KOPERASI_SCHEME) from exc


register_rule(
    RuleInfo(
        id="skala_koperasi.permenkop-8-2023-pasal-49",
        judul="Klasifikasi usaha KSP/KSPPS (Permenkop UKM 8/2023 Pasal 49)",
        title="Business classification of KSP/KSPPS (Permenkop UKM 8/2023 Art. 49)",
        dasar=(PERMENKOP_8_2023.dasar,),
        modul=__name__,
        ringkasan=(
            "Hanya untuk koperasi simpan pinjam. Tingkat = tertinggi yang dicapai salah satu ukuran "
            "(dapat diatur). Aturan 'skala usaha' sertifikat NIK tidak ditemukan [N]: dapat diganti."
        ),
        tabel=(
            ("Tingkat", "Anggota", "Modal sendiri", "Aset"),
            ("I", "≤ 5.000", "≤ Rp2.500.000.000", "≤ Rp15.000.000.000"),
            ("II", "> 5.000 s.d. 10.000", "> Rp2,5 M s.d. Rp15 M", "> Rp15 M s.d. Rp100 M"),
            ("III", "> 10.000 s.d. 30.000", "> Rp15 M s.d. Rp50 M", "> Rp100 M s.d. Rp500 M"),
            ("IV", "> 30.000", "> Rp50 M", "> Rp500 M"),
        ),
        dapat_diganti=True,
    )
)
