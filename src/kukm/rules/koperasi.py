"""Classification of a koperasi: jenis, bentuk, kelompok, sektor (ODS vocabularies).

* **Jenis** (5): UU 25/1992 Pasal 16 and its elucidation (simpan pinjam,
  konsumen, produsen, pemasaran, jasa) [S]; exactly the five values the
  ministry's ODS uses for all 4,125 DKI cooperatives [D].
* **Bentuk** (6): ODS "Bentuk Koperasi" = primer/sekunder × wilayah keanggotaan
  (nasional, provinsi, kabupaten/kota) [D]; UU 25/1992 Pasal 15 (primer/sekunder).
* **Kelompok** and **Sektor Usaha**: open ODS vocabularies (kelompok: 41 values
  in DKI; sektor: KBLI kategori names) [D]. Unknown values are kept and
  reported as warnings, never dropped.

The vocabularies are :mod:`kukm.reference.vocab`'s (a Dinas may replace them
there with ``set_vocabulary``); this module maps jenis and bentuk onto enums.

>>> from kukm.model import Koperasi
>>> k = klasifikasi_koperasi(Koperasi(nama="K", jenis="Simpan Pinjam",
...                                   bentuk="Primer Kabupaten/Kota", kelompok="Kopkar"))
>>> k.jenis, k.bentuk, k.kelompok, k.issues
(<JenisKoperasi.SIMPAN_PINJAM: 'simpan_pinjam'>, <BentukKoperasi.PRIMER_KABKOTA: 'primer_kabkota'>, 'Kopkar', ())
"""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING, Final, final

from attrs import frozen

from kukm.exceptions import Issue, Severity, issue, register_code
from kukm.reference import vocab
from kukm.rules._meta import LegalBasis, RuleInfo, register_rule

if TYPE_CHECKING:
    from kukm.model import Koperasi

__all__ = [
    "BENTUK_LABEL",
    "JENIS_LABEL",
    "BentukKoperasi",
    "JenisKoperasi",
    "KlasifikasiKoperasi",
    "klasifikasi_koperasi",
    "normalise_bentuk",
    "normalise_jenis",
]

KOPERASI_JENIS_UNKNOWN = register_code(
    "KOPERASI_JENIS_UNKNOWN",
    "Jenis koperasi tidak dikenal dalam kosakata ODS.",
    "Unknown cooperative type (jenis) in the ODS vocabulary.",
    Severity.WARNING,
    module=__name__,
)
KOPERASI_BENTUK_UNKNOWN = register_code(
    "KOPERASI_BENTUK_UNKNOWN",
    "Bentuk koperasi tidak dikenal dalam kosakata ODS.",
    "Unknown cooperative form (bentuk) in the ODS vocabulary.",
    Severity.WARNING,
    module=__name__,
)
KOPERASI_KELOMPOK_UNKNOWN = register_code(
    "KOPERASI_KELOMPOK_UNKNOWN",
    "Kelompok koperasi tidak dikenal dalam kosakata ODS.",
    "Unknown cooperative group (kelompok) in the ODS vocabulary.",
    Severity.WARNING,
    module=__name__,
)
KOPERASI_SEKTOR_UNKNOWN = register_code(
    "KOPERASI_SEKTOR_UNKNOWN",
    "Sektor usaha tidak dikenal dalam kosakata ODS.",
    "Unknown business sector in the ODS vocabulary.",
    Severity.WARNING,
    module=__name__,
)


class JenisKoperasi(enum.StrEnum):
    KONSUMEN = "konsumen"
    SIMPAN_PINJAM = "simpan_pinjam"
    JASA = "jasa"
    PRODUSEN = "produsen"
    PEMASARAN = "pemasaran"


class BentukKoperasi(enum.StrEnum):
    PRIMER_NASIONAL = "primer_nasional"
    PRIMER_PROVINSI = "primer_provinsi"
    PRIMER_KABKOTA = "primer_kabkota"
    SEKUNDER_NASIONAL = "sekunder_nasional"
    SEKUNDER_PROVINSI = "sekunder_provinsi"
    SEKUNDER_KABKOTA = "sekunder_kabkota"


#: ODS label of each jenis / bentuk (as the ministry's system writes it).
JENIS_LABEL: Final[dict[JenisKoperasi, str]] = {
    JenisKoperasi.KONSUMEN: "Konsumen",
    JenisKoperasi.SIMPAN_PINJAM: "Simpan Pinjam",
    JenisKoperasi.JASA: "Jasa",
    JenisKoperasi.PRODUSEN: "Produsen",
    JenisKoperasi.PEMASARAN: "Pemasaran",
}
BENTUK_LABEL: Final[dict[BentukKoperasi, str]] = {
    BentukKoperasi.PRIMER_NASIONAL: "Primer Nasional",
    BentukKoperasi.PRIMER_PROVINSI: "Primer Provinsi",
    BentukKoperasi.PRIMER_KABKOTA: "Primer Kabupaten/Kota",
    BentukKoperasi.SEKUNDER_NASIONAL: "Sekunder Nasional",
    BentukKoperasi.SEKUNDER_PROVINSI: "Sekunder Provinsi",
    BentukKoperasi.SEKUNDER_KABKOTA: "Sekunder Kabupaten/Kota",
}

def _key(text: str) -> str:
    return re.sub(r"[\s_./-]+", " ", text.strip().lower()).strip()


_JENIS_BY_LABEL: Final = {v: k for k, v in JENIS_LABEL.items()}
_BENTUK_BY_LABEL: Final = {v: k for k, v in BENTUK_LABEL.items()}
_JENIS_BY_KEY: Final = {_key(k.value): k for k in JenisKoperasi} | {
    "ksp": JenisKoperasi.SIMPAN_PINJAM,
    "usp": JenisKoperasi.SIMPAN_PINJAM,
}
_BENTUK_BY_KEY: Final = {_key(k.value): k for k in BentukKoperasi}


def normalise_jenis(text: str | None) -> JenisKoperasi | None:
    """Jenis from ODS text or a kukm value (case/space-insensitive); ``None`` if unknown.

    >>> normalise_jenis(" simpan  pinjam"), normalise_jenis("Koperasi Tani")
    (<JenisKoperasi.SIMPAN_PINJAM: 'simpan_pinjam'>, None)
    """
    if not text:
        return None
    return _JENIS_BY_LABEL.get(vocab.normalise("jenis", text)) or _JENIS_BY_KEY.get(_key(text))


def normalise_bentuk(text: str | None) -> BentukKoperasi | None:
    """Bentuk from ODS text or a kukm value; ``None`` if unknown.

    >>> normalise_bentuk("Sekunder Kabupaten/Kota")
    <BentukKoperasi.SEKUNDER_KABKOTA: 'sekunder_kabkota'>
    """
    if not text:
        return None
    return _BENTUK_BY_LABEL.get(vocab.normalise("bentuk", text)) or _BENTUK_BY_KEY.get(_key(text))


@final
@frozen
class KlasifikasiKoperasi:
    """Jenis, bentuk, kelompok and sektor of one koperasi in the ODS vocabularies."""

    jenis: JenisKoperasi | None
    bentuk: BentukKoperasi | None
    kelompok: str | None
    sektor_usaha: str | None
    issues: tuple[Issue, ...] = ()

    @property
    def simpan_pinjam(self) -> bool:
        """True for KSP/USP (the health and KSP-scale rules apply)."""
        return self.jenis is JenisKoperasi.SIMPAN_PINJAM

    def explain(self, lang: str = "id") -> str:
        """One line per classification, with the basis."""
        none = "tidak diketahui" if lang == "id" else "unknown"
        return "\n".join(
            [
                f"jenis: {JENIS_LABEL[self.jenis] if self.jenis else none} (UU 25/1992 Pasal 16; ODS)",
                f"bentuk: {BENTUK_LABEL[self.bentuk] if self.bentuk else none} (UU 25/1992 Pasal 15; ODS)",
                f"kelompok: {self.kelompok or none} (ODS)",
                f"sektor usaha: {self.sektor_usaha or none} (ODS, KBLI 2020 kategori)",
            ]
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "jenis": self.jenis.value if self.jenis else None,
            "bentuk": self.bentuk.value if self.bentuk else None,
            "kelompok": self.kelompok,
            "sektor_usaha": self.sektor_usaha,
            "issues": [dict(i.as_dict()) for i in self.issues],
        }


def klasifikasi_koperasi(koperasi: Koperasi) -> KlasifikasiKoperasi:
    """Classify a :class:`kukm.model.Koperasi`; unknown values give warnings, never errors.

    >>> from kukm.model import Koperasi
    >>> r = klasifikasi_koperasi(Koperasi(nama="K", jenis="Koperasi Tani"))
    >>> r.jenis, [i.code for i in r.issues]
    (None, ['KOPERASI_JENIS_UNKNOWN'])
    """
    issues: list[Issue] = []
    jenis = normalise_jenis(koperasi.jenis)
    if koperasi.jenis and koperasi.jenis.strip() and jenis is None:
        issues.append(issue(KOPERASI_JENIS_UNKNOWN, "jenis", koperasi.jenis))
    bentuk = normalise_bentuk(koperasi.bentuk)
    if koperasi.bentuk and koperasi.bentuk.strip() and bentuk is None:
        issues.append(issue(KOPERASI_BENTUK_UNKNOWN, "bentuk", koperasi.bentuk))
    kelompok = None
    if koperasi.kelompok and koperasi.kelompok.strip():
        kelompok = vocab.normalise("kelompok", koperasi.kelompok.strip())
        if not vocab.check("kelompok", kelompok):
            issues.append(issue(KOPERASI_KELOMPOK_UNKNOWN, "kelompok", koperasi.kelompok))
    sektor = None
    if koperasi.sektor_usaha and koperasi.sektor_usaha.strip():
        sektor = vocab.normalise("sektor_usaha", koperasi.sektor_usaha.strip())
        if not vocab.check("sektor_usaha", sektor):
            issues.append(issue(KOPERASI_SEKTOR_UNKNOWN, "sektor_usaha", koperasi.sektor_usaha))
    return KlasifikasiKoperasi(jenis, bentuk, kelompok, sektor, tuple(issues))


register_rule(
    RuleInfo(
        id="koperasi.klasifikasi",
        judul="Jenis, bentuk, kelompok dan sektor koperasi (kosakata ODS)",
        title="Cooperative type, form, group and sector (ODS vocabularies)",
        dasar=(
            LegalBasis("UU 25/1992", pasal="15–16", keyakinan="S", sumber="statute (from memory; primary not retrieved)"),
            LegalBasis("ODS nik.depkop.go.id", keyakinan="D", sumber="4,125 DKI records (2022 scrape)"),
        ),
        modul=__name__,
        ringkasan="Nilai di luar kosakata disimpan apa adanya dan dilaporkan sebagai peringatan.",
        tabel=(
            ("Jenis (5)", "Bentuk (6)"),
            *(
                (list(JENIS_LABEL.values())[i] if i < len(JENIS_LABEL) else "", b)
                for i, b in enumerate(BENTUK_LABEL.values())
            ),
        ),
    )
)
