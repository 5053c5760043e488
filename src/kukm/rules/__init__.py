"""Rules as versioned code: instruments, scale, classification, health, rating, compliance.

Every rule cites its regulation, article and effective date in its metadata
(:data:`kukm.rules._meta.RULES`; ``docs/rules-reference.md`` is generated from
it) and every verdict has ``explain(lang)`` and ``as_dict()``.

>>> import datetime as dt
>>> from kukm.rules import klasifikasi_umkm
>>> klasifikasi_umkm(modal_usaha=5_000_000_001, omzet_tahunan=1, tanggal=dt.date(2022, 1, 1)).skala
<Skala.MENENGAH: 'menengah'>
"""

from __future__ import annotations

from kukm.rules.amounts import parse_date, parse_int, parse_rupiah
from kukm.rules.instruments import (
    Field,
    FieldType,
    Instrument,
    RowResult,
    get_instrument,
    load_instrument,
)
from kukm.rules.kepatuhan import (
    AturanEligibilitas,
    AturanKepatuhan,
    EligibilityVerdict,
    KepatuhanVerdict,
    StatusKepatuhan,
    assess,
    eligibility,
)
from kukm.rules.kesehatan import Band, KesehatanVerdict, band_for, load_tabel, nilai_kesehatan
from kukm.rules.koperasi import (
    BentukKoperasi,
    JenisKoperasi,
    KlasifikasiKoperasi,
    klasifikasi_koperasi,
)
from kukm.rules.peringkat import Indikator, PeringkatVerdict, load_scheme, nilai_peringkat
from kukm.rules.skala_koperasi import (
    PERMENKOP_8_2023,
    SkalaKoperasiScheme,
    SkalaKoperasiVerdict,
    klasifikasi_skala_koperasi,
    load_skala_koperasi,
)
from kukm.rules.skala_umkm import AturanGabungan, Skala, SkalaVerdict, klasifikasi_umkm, scheme_for

__all__ = [
    "PERMENKOP_8_2023",
    "AturanEligibilitas",
    "AturanGabungan",
    "AturanKepatuhan",
    "Band",
    "BentukKoperasi",
    "EligibilityVerdict",
    "Field",
    "FieldType",
    "Indikator",
    "Instrument",
    "JenisKoperasi",
    "KepatuhanVerdict",
    "KesehatanVerdict",
    "KlasifikasiKoperasi",
    "PeringkatVerdict",
    "RowResult",
    "Skala",
    "SkalaKoperasiScheme",
    "SkalaKoperasiVerdict",
    "SkalaVerdict",
    "StatusKepatuhan",
    "assess",
    "band_for",
    "eligibility",
    "get_instrument",
    "klasifikasi_koperasi",
    "klasifikasi_skala_koperasi",
    "klasifikasi_umkm",
    "load_instrument",
    "load_scheme",
    "load_skala_koperasi",
    "load_tabel",
    "nilai_kesehatan",
    "nilai_peringkat",
    "parse_date",
    "parse_int",
    "parse_rupiah",
    "scheme_for",
]
