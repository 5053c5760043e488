"""Data quality (Kepgub F.1) finds every injected fault; targets per unit (I.5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import CODES, ConfigurationError
from kukm.governance.access import User
from kukm.governance.quality import assess, load_targets
from kukm.governance.service import Service
from kukm.model import Alamat, Keuangan, Koperasi, Pemilik, Pengurus, SumberData, Umkm
from kukm.storage.base import Provenance, WriteOp

AS_OF = dt.date(2026, 11, 28)
FRESH = dt.date(2026, 6, 1)

CLEAN_UMKM = Umkm(
    nama_usaha="Warung Sehat",
    nib="9120001234567",
    npwp="013121660091000",
    pemilik=Pemilik(nama="Sri Wahyuni", nik_penduduk="3171014708900001"),
    alamat=Alamat(jalan="Jl. Melati 5", kode_wilayah="31.71.01.1001"),
    kbli="56103",
    modal_usaha=10_000_000,
    omzet_tahunan=120_000_000,
    tenaga_kerja=2,
    tanggal_berdiri=dt.date(2019, 5, 1),
    telepon="0812-3456-7890",
    email="sri@example.com",
    tanggal_data=FRESH,
)
CLEAN_KOPERASI = Koperasi(
    nama="KSP Maju Bersama",
    nomor_badan_hukum="518/BH/XIII/2008",
    tanggal_badan_hukum=dt.date(2008, 3, 1),
    tanggal_perubahan_ad=dt.date(2015, 1, 1),
    tanggal_rat_terakhir=dt.date(2026, 3, 1),
    alamat=Alamat(jalan="Jl. Kenari 1", kode_wilayah="31.72.01.1001"),
    jenis="Simpan Pinjam",
    bentuk="Primer Kab/Kota",
    pengurus=Pengurus(ketua="Ahmad Yani"),
    anggota_pria=10,
    anggota_wanita=15,
    total_anggota=25,
    nomor_induk_koperasi="3101010020004",
    keuangan=Keuangan(tahun_buku=2025, aset=100_000_000, shu=-5_000_000),
    tanggal_data=FRESH,
)

Fault = Callable[[Any], Any]
#: name -> (kind, fault, expected (code, field))
UMKM_FAULTS: dict[str, tuple[Fault, tuple[str, str]]] = {
    "nib": (lambda r: attrs.evolve(r, nib="12345"), ("NIB_LENGTH", "nib")),
    "npwp": (lambda r: attrs.evolve(r, npwp="013121661091000"), ("NPWP_CHECKSUM", "npwp")),
    "nik": (
        lambda r: attrs.evolve(r, pemilik=attrs.evolve(r.pemilik, nik_penduduk="3171013302001234")),
        ("NIK_PENDUDUK_DATE", "pemilik.nik_penduduk"),
    ),
    "missing_owner": (
        lambda r: attrs.evolve(r, pemilik=attrs.evolve(r.pemilik, nama=None)),
        ("QUALITY_MISSING", "pemilik.nama"),
    ),
    "blank_kbli": (lambda r: attrs.evolve(r, kbli="  "), ("QUALITY_MISSING", "kbli")),
    "region": (
        lambda r: attrs.evolve(r, alamat=attrs.evolve(r.alamat, kode_wilayah="3171011001")),
        ("QUALITY_REGION_UNKNOWN", "alamat.kode_wilayah"),
    ),
    "region_level": (
        lambda r: attrs.evolve(r, alamat=attrs.evolve(r.alamat, kode_wilayah="31.71.01")),
        ("QUALITY_REGION_UNKNOWN", "alamat.kode_wilayah"),
    ),
    "negative": (
        lambda r: attrs.evolve(r, omzet_tahunan=-1),
        ("QUALITY_NEGATIVE", "omzet_tahunan"),
    ),
    "email": (lambda r: attrs.evolve(r, email="sri(at)example"), ("QUALITY_EMAIL", "email")),
    "telepon": (lambda r: attrs.evolve(r, telepon="12ab"), ("QUALITY_TELEPON", "telepon")),
    "kbli": (lambda r: attrs.evolve(r, kbli="5610"), ("QUALITY_KBLI", "kbli")),
    "future": (
        lambda r: attrs.evolve(r, tanggal_data=dt.date(2027, 1, 1)),
        ("QUALITY_FUTURE_DATE", "tanggal_data"),
    ),
    "order": (
        lambda r: attrs.evolve(r, tanggal_berdiri=dt.date(2026, 7, 1)),
        ("QUALITY_DATE_ORDER", "tanggal_data"),
    ),
}
KOPERASI_FAULTS: dict[str, tuple[Fault, tuple[str, str]]] = {
    "anggota": (
        lambda r: attrs.evolve(r, total_anggota=24),
        ("QUALITY_ANGGOTA_SUM", "total_anggota"),
    ),
    "nik_koperasi": (
        lambda r: attrs.evolve(r, nomor_induk_koperasi="310101002000"),
        ("NOMOR_INDUK_KOPERASI_LENGTH", "nomor_induk_koperasi"),
    ),
    "ad_order": (
        lambda r: attrs.evolve(r, tanggal_perubahan_ad=dt.date(2000, 1, 1)),
        ("QUALITY_DATE_ORDER", "tanggal_perubahan_ad"),
    ),
    "ketua": (
        lambda r: attrs.evolve(r, pengurus=Pengurus()),
        ("QUALITY_MISSING", "pengurus.ketua"),
    ),
    "aset": (
        lambda r: attrs.evolve(r, keuangan=attrs.evolve(r.keuangan, aset=-3)),
        ("QUALITY_NEGATIVE", "keuangan.aset"),
    ),
}


def _store(kind: str, clean: Any, faults: dict[str, tuple[Fault, tuple[str, str]]]) -> MemoryStore:
    store = MemoryStore()
    ops = [
        WriteOp(kind, f"clean{i}", clean, Provenance(SumberData.SUDIN), valid_from=FRESH)
        for i in range(3)
    ]
    ops += [
        WriteOp(kind, name, fault(clean), Provenance(SumberData.KELURAHAN), valid_from=FRESH)
        for name, (fault, _) in faults.items()
    ]
    ops.append(
        WriteOp(kind, "stale", clean, Provenance(SumberData.ODS), valid_from=dt.date(2025, 11, 27))
    )
    ops.append(
        WriteOp(
            kind, "on_time", clean, Provenance(SumberData.ODS), valid_from=dt.date(2025, 11, 28)
        )
    )
    store.write_batch(ops)
    return store


@pytest.mark.parametrize(
    ("kind", "clean", "faults"),
    [("umkm", CLEAN_UMKM, UMKM_FAULTS), ("koperasi", CLEAN_KOPERASI, KOPERASI_FAULTS)],
)
def test_every_injected_fault_is_found(
    kind: str, clean: Any, faults: dict[str, tuple[Fault, tuple[str, str]]]
) -> None:
    store = _store(kind, clean, faults)
    report = Service(store, User("d", "dinas")).quality(kind, as_of=AS_OF)  # type: ignore[arg-type]
    found: dict[str, set[tuple[str, str | None]]] = {}
    for ri in report.issues:
        found.setdefault(ri.id, set()).add((ri.issue.code, ri.issue.field))
        assert ri.issue.code in CODES
    for name, (_, expected) in faults.items():
        assert found.get(name) == {expected}, name
    for clean_id in ("clean0", "clean1", "clean2", "on_time"):
        assert clean_id not in found
    assert found["stale"] == {("PEMUTAKHIRAN_OVERDUE", "valid_from")}


def test_dimensions_per_group_and_source() -> None:
    store = _store("umkm", CLEAN_UMKM, UMKM_FAULTS)
    svc = Service(store, User("d", "dinas"))
    by_source = svc.quality("umkm", by="sumber_data", as_of=AS_OF)
    sudin = by_source.groups["sudin"]
    assert (sudin.jumlah, sudin.lengkap, sudin.valid, sudin.terkini, sudin.konsisten) == (
        3,
        1,
        1,
        1,
        1,
    )
    ods = by_source.groups["ods"]
    assert (ods.jumlah, ods.terkini, ods.valid) == (2, 0.5, 1.0)
    kel = by_source.groups["kelurahan"]
    assert kel.jumlah == len(UMKM_FAULTS)
    assert kel.konsisten == pytest.approx(1 - 1 / len(UMKM_FAULTS))
    n_required = len(by_source.required)
    assert kel.lengkap == pytest.approx(1 - 2 / (n_required * len(UMKM_FAULTS)))
    by_region = svc.quality("umkm", by="kab_kota", as_of=AS_OF)
    assert set(by_region.groups) == {"31.71", "(tanpa wilayah)"}  # the undotted code
    assert svc.quality("umkm", by="kecamatan", as_of=AS_OF).groups["31.71.01"].jumlah == 17


def test_public_quality_is_denied_and_personal_values_masked() -> None:
    store = _store("umkm", CLEAN_UMKM, UMKM_FAULTS)
    from kukm.exceptions import AccessDenied

    with pytest.raises(AccessDenied):
        Service(store, User.public()).quality("umkm", as_of=AS_OF)
    report = Service(store, User("adm", "administrator")).quality("umkm", as_of=AS_OF)
    nik = [ri.issue.value for ri in report.issues if ri.issue.field == "pemilik.nik_penduduk"]
    assert nik == ["317101**********"]
    assert not any(e.aksi == "baca_data_pribadi" for e in store.audit_log())
    Service(store, User("d", "dinas")).quality("umkm", as_of=AS_OF)  # sees the real NIK
    assert [e.aktor for e in store.audit_log() if e.aksi == "baca_data_pribadi"] == ["d"]


def test_targets_and_achievement(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    path.write_text(
        """
[[target]]
unit = "31.71"
kind = "umkm"
jumlah = 20
valid = 0.45
terkini = 0.9

[[target]]
unit = "31.75"
jumlah = 5

[[target]]
unit = "sudin"
by = "sumber_data"
lengkap = 1.0
""",
        encoding="utf-8",
    )
    targets = load_targets(path)
    store = _store("umkm", CLEAN_UMKM, UMKM_FAULTS)
    report = Service(store, User("d", "dinas")).quality("umkm", as_of=AS_OF)
    ach = {(a.unit, a.metric): a for a in report.achievements(targets)}
    assert set(ach) == {
        ("31.71", "jumlah"),
        ("31.71", "valid"),
        ("31.71", "terkini"),
        ("31.75", "jumlah"),
    }
    assert ach[("31.71", "jumlah")].actual == 17 and not ach[("31.71", "jumlah")].tercapai
    assert ach[("31.71", "jumlah")].capaian == pytest.approx(0.85)
    assert ach[("31.71", "valid")].tercapai
    assert ach[("31.75", "jumlah")].actual == 0
    by_source = Service(store, User("d", "dinas")).quality("umkm", by="sumber_data", as_of=AS_OF)
    [a] = by_source.achievements(targets)[-1:]
    assert (a.unit, a.metric, a.tercapai) == ("sudin", "lengkap", True)


@pytest.mark.parametrize(
    "data",
    [
        {"target": [{"jumlah": 3}]},
        {"target": [{"unit": "x", "valid": 1.5}]},
        {"target": [{"unit": "x", "jumlah": -1}]},
        {"target": [{"unit": "x", "speed": 1}]},
    ],
)
def test_bad_targets_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        load_targets(data)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(sorted(UMKM_FAULTS)),
    nama=st.text(alphabet="abcdefghij ", min_size=1, max_size=20).filter(str.strip),
    omzet=st.integers(min_value=0, max_value=10**12),
)
def test_single_fault_property(name: str, nama: str, omzet: int) -> None:
    """A clean record with any one injected fault reports exactly that fault."""
    from kukm.storage.base import StoredRecord, VerificationStatus

    fault, expected = UMKM_FAULTS[name]
    rec = fault(attrs.evolve(CLEAN_UMKM, nama_usaha=nama, omzet_tahunan=omzet))
    stored = StoredRecord(
        "umkm",
        "r",
        1,
        rec,
        Provenance(SumberData.SUDIN),
        VerificationStatus.TERVERIFIKASI,
        FRESH,
        dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        "h",
    )
    report = assess([stored], kind="umkm", as_of=AS_OF)
    assert [(i.issue.code, i.issue.field) for i in report.issues] == [expected]


def test_instrument_required_fields_and_issues() -> None:
    """A Dinas instrument (E.11) replaces the required fields and adds its own issues."""
    from kukm.exceptions import issue, register_code

    register_code("TEST_INSTRUMENT_RULE", "Aturan uji.", "Test rule.", module=__name__)

    @attrs.frozen
    class F:
        name: str
        required: bool = False
        target: str | None = None

    class FakeInstrument:
        fields = (F("nama_usaha", True), F("kbli", True), F("sumber_data", True, "-"), F("x"))

        def validate_record(self, entity: Umkm, *, today: dt.date) -> list[Any]:
            out = [issue("TEST_INSTRUMENT_RULE", "nama_usaha", entity.nama_usaha, kind="konsisten")]
            if not entity.kbli:
                out.append(issue("QUALITY_MISSING", "kbli", None, kind="lengkap"))
            return out

    store = MemoryStore()
    store.write_batch(
        [
            WriteOp("umkm", "a", CLEAN_UMKM, Provenance(SumberData.SUDIN), valid_from=FRESH),
            WriteOp(
                "umkm",
                "b",
                attrs.evolve(CLEAN_UMKM, kbli=None),
                Provenance(SumberData.SUDIN),
                valid_from=FRESH,
            ),
        ]
    )
    report = Service(store, User("d", "dinas")).quality(
        "umkm", as_of=AS_OF, instrument=FakeInstrument()
    )
    assert report.required == ("nama_usaha", "kbli")
    g = report.groups["31.71"]
    assert g.lengkap == pytest.approx(3 / 4)
    assert g.konsisten == 0.0
    assert {(i.id, i.issue.code) for i in report.issues} == {
        ("a", "TEST_INSTRUMENT_RULE"),
        ("b", "TEST_INSTRUMENT_RULE"),
        ("b", "QUALITY_MISSING"),
    }


def test_a_rejected_record_is_not_counted() -> None:
    """Quality counts the live records (verified or waiting) as pemutakhiran and duplicates
    do: a record the Dinas rejected (or merged away) counted in n, in every share and as
    overdue; None still counts every record."""
    from kukm.storage.base import VerificationStatus

    store = MemoryStore()
    store.write_batch(
        [
            WriteOp(
                "umkm", f"u{i}", Umkm(nama_usaha=f"Warung {i}", alamat=Alamat(kode_wilayah="31.71.01.1001")),
                Provenance(SumberData.SUDIN), valid_from=dt.date(2026, 1, 1),
            )
            for i in range(3)
        ]
    )
    svc = Service(store, User("d", "dinas"))
    svc.reject("umkm", "u1", catatan="bukan usaha")
    report = svc.quality("umkm", by="provinsi", as_of=AS_OF)
    assert sum(g.jumlah for g in report.groups.values()) == 2
    everything = svc.quality("umkm", by="provinsi", as_of=AS_OF, status=None)
    assert sum(g.jumlah for g in everything.groups.values()) == 3
    assert store.get("umkm", "u1").status is VerificationStatus.DITOLAK  # type: ignore[union-attr]


def test_a_record_merged_away_is_not_verified_again_until_the_merge_is_undone() -> None:
    """Verifying the record a merge rejected revived it silently (ditolak -> terverifikasi):
    it then counted twice beside the one it was merged into. RECORD_DIGABUNG names the merge;
    once the merge is undone the record is the officer's to decide again."""
    from kukm.exceptions import KukmError
    from kukm.storage.base import VerificationStatus

    store = MemoryStore()
    store.write_batch(
        [
            WriteOp("umkm", rid, Umkm(nama_usaha="Toko Sama", alamat=Alamat(kode_wilayah="31.71.01.1001")),
                    Provenance(SumberData.SUDIN))
            for rid in ("keep", "drop")
        ]
    )
    svc = Service(store, User("d", "dinas"))
    m = svc.merge("umkm", "keep", "drop", catatan="sama")
    with pytest.raises(KukmError) as info:
        svc.verify("umkm", "drop")
    assert info.value.code == "RECORD_DIGABUNG" and m.merge_id in str(info.value)
    svc.undo_merge(m.merge_id)
    assert svc.verify("umkm", "drop").status is VerificationStatus.TERVERIFIKASI
