"""An abstract conformance suite for storage adapters (fsspec/SQLAlchemy style).

An adapter package proves it keeps every guarantee of
:class:`kukm.storage.base.Store` by subclassing the test mixins and
providing fixtures::

    import pytest
    from kukm.testing.conformance import AbstractStoreTests, StoreFixtures

    class MyFixtures(StoreFixtures):
        supports_reopen = True          # capability flags (class attributes)
        supports_multiprocess = True

        @pytest.fixture
        def store_factory(self, tmp_path):
            url = f"my://{tmp_path}/db"
            return lambda: open_my_store(url)   # every call: a new handle, same database

        @pytest.fixture
        def store_url(self, tmp_path):         # only with supports_multiprocess
            return f"my://{tmp_path}/db"       # openable via kukm.plugins.open_store

    class TestMyStore(AbstractStoreTests, MyFixtures):
        pass

``store_factory`` must give a *fresh, empty* database per test; each call of
the returned callable opens a new handle to that same database. ``store`` (one
handle, closed after the test) is derived from it; override it if needed.

Capability flags: ``supports_reopen`` (data survives ``close`` and a new
handle), ``supports_multiprocess`` (other processes can open ``store_url``
through :func:`kukm.plugins.open_store`, which needs the adapter registered by
entry point, or through the ``"module:callable"`` named by ``store_opener``).
Tests needing a missing capability skip.

Mixins: :class:`AbstractWriteTests`, :class:`AbstractLookupTests`,
:class:`AbstractVerificationTests`, :class:`AbstractTabulateTests`,
:class:`AbstractSnapshotTests`, :class:`AbstractSequenceTests`, :class:`AbstractDocumentTests`,
:class:`AbstractAuditTests`, :class:`AbstractPersistenceTests`, and
:class:`AbstractStoreTests` combining all of them.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kukm.converters import unstructure
from kukm.exceptions import NotFound, SequenceExhausted, StorageError
from kukm.model import Alamat, JenisKelamin, Koperasi, Pemilik, SumberData, Umkm
from kukm.storage.base import (
    IDENTIFIER_KEYS,
    TABULATION_FIELDS,
    AuditEvent,
    Provenance,
    SnapshotReads,
    SnapshotTabulation,
    Store,
    StoredRecord,
    VerificationStatus,
    WriteOp,
    content_hash,
    index_keys,
    read_snapshot,
    tabulate_total,
    wilayah_matches,
)

__all__ = [
    "AbstractAuditTests",
    "AbstractDocumentTests",
    "AbstractLookupTests",
    "AbstractPersistenceTests",
    "AbstractSequenceTests",
    "AbstractSnapshotTests",
    "AbstractStoreTests",
    "AbstractTabulateTests",
    "AbstractVerificationTests",
    "AbstractWriteTests",
    "StoreFixtures",
    "expected_dimension",
    "make_koperasi",
    "make_umkm",
    "umkm_op",
]

SUDIN = Provenance(SumberData.SUDIN, petugas="sudin-jaksel-01")
PIHAK_LAIN = Provenance(SumberData.PIHAK_LAIN, petugas=None)
TERVERIFIKASI = VerificationStatus.TERVERIFIKASI
MENUNGGU = VerificationStatus.MENUNGGU

_KODE = ("31.71.01.1001", "31.71.01.1002", "31.71.02.1001", "31.72.01.1001", "31.01.01.1001")


def make_umkm(i: int, **changes: Any) -> Umkm:
    """A small valid-looking UMKM numbered ``i`` (fields overridable).

    >>> make_umkm(3).nib
    '9100000000003'
    """
    base = Umkm(
        nama_usaha=f"Usaha {i}",
        nib=f"91{i:011d}",
        npwp=f"01{i:013d}",
        pemilik=Pemilik(
            nama=f"Pemilik {i}",
            nik_penduduk=f"317101{(i % 28) + 1:02d}0190{i % 10000:04d}",
            jenis_kelamin=JenisKelamin.PEREMPUAN if i % 2 else JenisKelamin.LAKI_LAKI,
        ),
        alamat=Alamat(jalan=f"Jl. Contoh {i}", kode_wilayah=_KODE[i % len(_KODE)]),
        kbli="47111" if i % 3 else "56102",
        modal_usaha=1_000_000 * (i + 1),
        tanggal_data=dt.date(2024, 1, 1),
    )
    return attrs.evolve(base, **changes)


def make_koperasi(i: int, **changes: Any) -> Koperasi:
    """A small koperasi numbered ``i`` (fields overridable).

    >>> make_koperasi(2).nomor_induk_koperasi
    '3171100020002'
    """
    base = Koperasi(
        nama=f"Koperasi {i}",
        nomor_badan_hukum=f"{i}/BH/XII.6/2013",
        nomor_induk_koperasi=f"317110002{i:04d}",
        alamat=Alamat(kode_wilayah=_KODE[i % len(_KODE)]),
        jenis="Konsumen" if i % 2 else "Simpan Pinjam",
        bentuk="Primer",
        grade="A" if i % 3 == 0 else "D",
    )
    return attrs.evolve(base, **changes)


def umkm_op(i: int, provenance: Provenance = SUDIN, **kwargs: Any) -> WriteOp:
    """A WriteOp for ``make_umkm(i)`` with id ``u{i:05d}``; kwargs go to WriteOp.

    >>> umkm_op(7).id
    'u00007'
    """
    record = kwargs.pop("record", None) or make_umkm(i)
    return WriteOp("umkm", f"u{i:05d}", record, provenance, **kwargs)


def expected_dimension(rec: StoredRecord, field: str) -> str | None:
    """The value ``tabulate`` must use for ``field`` of a stored version (reference semantics).

    >>> from kukm.model import Umkm, SumberData
    >>> r = StoredRecord("umkm", "u", 1, Umkm(nama_usaha="A"), Provenance(SumberData.ODS),
    ...                  TERVERIFIKASI, dt.date(2024, 1, 1), dt.datetime(2024, 1, 1), "h")
    >>> expected_dimension(r, "sumber_data"), expected_dimension(r, "status")
    ('ods', 'terverifikasi')
    """
    if field == "status":
        return rec.status.value
    if field == "sumber_data":
        return rec.provenance.sumber.value
    if field in rec.atribut:
        value = rec.atribut[field]
        return None if value is None else str(value)
    return index_keys(rec.record).get(field)


class StoreFixtures:
    """Fixtures an adapter's test class provides (override ``store_factory``)."""

    supports_reopen: ClassVar[bool] = False
    supports_multiprocess: ClassVar[bool] = False
    #: ``"module:callable"`` a subprocess uses to open ``store_url`` (default: through the
    #: plugins; an adapter may name its own factory to start subprocesses faster).
    store_opener: ClassVar[str] = "kukm.plugins:open_store"

    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        """Return a callable opening a new handle to one fresh, empty database."""
        raise NotImplementedError("override store_factory in your fixtures class")

    @pytest.fixture
    def store(self, store_factory: Callable[[], Store]) -> Iterator[Store]:
        s = store_factory()
        try:
            yield s
        finally:
            s.close()

    @pytest.fixture
    def store_url(self) -> str:
        """A URL of the same database that another process can open with open_store."""
        raise NotImplementedError("override store_url when supports_multiprocess is True")


def _ids(records: Iterator[StoredRecord] | list[StoredRecord]) -> list[str]:
    return [r.id for r in records]


class AbstractWriteTests:
    """History, valid vs record time, idempotency, batch replay, atomicity."""

    def test_insert_then_get(self, store: Store) -> None:
        before = dt.datetime.now(dt.UTC)
        result = store.write_batch([umkm_op(1)])
        assert (result.inserted, result.updated, result.unchanged, result.replayed) == (
            1,
            0,
            0,
            False,
        )
        got = store.get("umkm", "u00001")
        assert got is not None
        assert got.record == make_umkm(1)
        assert (got.kind, got.id, got.version) == ("umkm", "u00001", 1)
        assert got.provenance == SUDIN
        assert got.status is TERVERIFIKASI
        assert got.content_hash == content_hash(unstructure(make_umkm(1)))
        assert got.recorded_at.tzinfo is not None
        assert got.recorded_at >= before - dt.timedelta(seconds=5)
        assert got.verifikasi is None

    def test_get_missing_is_none(self, store: Store) -> None:
        assert store.get("umkm", "nope") is None
        assert store.history("umkm", "nope") == []

    def test_kinds_are_separate(self, store: Store) -> None:
        store.write_batch(
            [
                WriteOp("umkm", "x1", make_umkm(1), SUDIN),
                WriteOp("koperasi", "x1", make_koperasi(1), SUDIN),
            ]
        )
        u, k = store.get("umkm", "x1"), store.get("koperasi", "x1")
        assert u is not None and isinstance(u.record, Umkm)
        assert k is not None and isinstance(k.record, Koperasi)
        assert store.count("umkm") == store.count("koperasi") == 1

    def test_change_adds_version_and_keeps_history(self, store: Store) -> None:
        store.write_batch([umkm_op(1)])
        changed = make_umkm(1, omzet_tahunan=123_456_789)
        result = store.write_batch([umkm_op(1, record=changed)])
        assert (result.inserted, result.updated, result.unchanged) == (0, 1, 0)
        history = store.history("umkm", "u00001")
        assert [h.version for h in history] == [1, 2]
        assert history[0].record == make_umkm(1)
        assert history[1].record == changed
        current = store.get("umkm", "u00001")
        assert current is not None and current.version == 2 and current.record == changed
        assert store.count("umkm") == 1

    def test_same_content_is_unchanged(self, store: Store) -> None:
        store.write_batch([umkm_op(1), umkm_op(2)])
        result = store.write_batch([umkm_op(1), umkm_op(2), umkm_op(3)])
        assert (result.inserted, result.updated, result.unchanged) == (1, 0, 2)
        assert len(store.history("umkm", "u00001")) == 1

    def test_same_content_other_source_is_unchanged(self, store: Store) -> None:
        store.write_batch([umkm_op(1)])
        result = store.write_batch([umkm_op(1, provenance=PIHAK_LAIN)])
        assert result.unchanged == 1
        got = store.get("umkm", "u00001")
        assert got is not None and got.status is TERVERIFIKASI and got.provenance == SUDIN

    def test_explicit_status_change_is_a_new_version(self, store: Store) -> None:
        store.write_batch([umkm_op(1)])
        result = store.write_batch([umkm_op(1, status=VerificationStatus.DITOLAK)])
        assert result.updated == 1
        got = store.get("umkm", "u00001")
        assert got is not None and got.status is VerificationStatus.DITOLAK and got.version == 2
        assert store.write_batch([umkm_op(1, status=VerificationStatus.DITOLAK)]).unchanged == 1

    def test_atribut_change_is_a_new_version(self, store: Store) -> None:
        store.write_batch([umkm_op(1, atribut={"skala": "mikro"})])
        assert store.write_batch([umkm_op(1, atribut={"skala": "mikro"})]).unchanged == 1
        assert store.write_batch([umkm_op(1, atribut={"skala": "kecil"})]).updated == 1
        got = store.get("umkm", "u00001")
        assert got is not None and dict(got.atribut) == {"skala": "kecil"}

    def test_default_status_follows_source(self, store: Store) -> None:
        store.write_batch(
            [
                umkm_op(1),
                umkm_op(2, provenance=PIHAK_LAIN),
                umkm_op(3, provenance=PIHAK_LAIN, status=TERVERIFIKASI),
            ]
        )
        statuses = {r.id: r.status for r in store.iter_records("umkm")}
        assert statuses == {"u00001": TERVERIFIKASI, "u00002": MENUNGGU, "u00003": TERVERIFIKASI}

    def test_valid_time_apart_from_record_time(self, store: Store) -> None:
        store.write_batch(
            [
                umkm_op(1, valid_from=dt.date(2019, 12, 31)),
                umkm_op(2),  # from tanggal_data
                umkm_op(3, record=make_umkm(3, tanggal_data=None)),  # the recording date
            ]
        )
        one, two, three = (store.get("umkm", f"u0000{i}") for i in (1, 2, 3))
        assert one is not None and two is not None and three is not None
        assert one.valid_from == dt.date(2019, 12, 31)
        assert two.valid_from == dt.date(2024, 1, 1)
        assert three.valid_from == three.recorded_at.astimezone(dt.UTC).date()
        assert one.recorded_at.date() != one.valid_from

    def test_provenance_round_trips(self, store: Store) -> None:
        prov = Provenance(
            SumberData.KELURAHAN,
            petugas="lurah-01",
            waktu=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=7))),
            id_pengiriman="kirim-42",
        )
        store.write_batch([umkm_op(1, provenance=prov)])
        got = store.get("umkm", "u00001")
        assert got is not None and got.provenance == prov

    def test_batch_counts_add_up(self, store: Store) -> None:
        store.write_batch([umkm_op(i) for i in range(5)])
        ops = [umkm_op(i) for i in range(3)] + [
            umkm_op(i, record=make_umkm(i, kbli="10110")) for i in range(3, 5)
        ]
        ops += [umkm_op(i) for i in range(5, 8)]
        result = store.write_batch(ops)
        assert (result.inserted, result.updated, result.unchanged) == (3, 2, 3)
        assert result.inserted + result.updated + result.unchanged == len(ops)

    def test_same_id_twice_in_one_batch(self, store: Store) -> None:
        result = store.write_batch(
            [umkm_op(1), umkm_op(1, record=make_umkm(1, kbli="10110")), umkm_op(1, record=make_umkm(1, kbli="10110"))]
        )
        assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
        assert [h.record.kbli for h in store.history("umkm", "u00001")] == ["47111", "10110"]  # type: ignore[union-attr]
        assert store.count("umkm") == 1

    def test_empty_batch(self, store: Store) -> None:
        assert store.write_batch([]).inserted == 0
        assert store.count("umkm") == 0

    def test_batch_key_replay_adds_nothing(self, store: Store) -> None:
        first = store.write_batch([umkm_op(1), umkm_op(2)], batch_key="kirim-1")
        assert not first.replayed
        changed = [umkm_op(1, record=make_umkm(1, kbli="10110")), umkm_op(9)]
        again = store.write_batch(changed, batch_key="kirim-1")
        assert again.replayed
        assert (again.inserted, again.updated, again.unchanged) == (2, 0, 0)
        assert store.count("umkm") == 2
        assert len(store.history("umkm", "u00001")) == 1
        assert store.write_batch(changed, batch_key="kirim-2").inserted == 1

    def test_failed_batch_writes_nothing(self, store: Store) -> None:
        store.write_batch([umkm_op(1)])
        bad = umkm_op(5, record=make_umkm(5, nama_usaha=object()))
        ops = [umkm_op(1, record=make_umkm(1, kbli="10110")), umkm_op(2), bad, umkm_op(3)]
        with pytest.raises(StorageError):
            store.write_batch(ops, batch_key="gagal")
        assert store.count("umkm") == 1
        assert len(store.history("umkm", "u00001")) == 1
        assert store.get("umkm", "u00002") is None
        # the batch key was not used up by the failed attempt
        result = store.write_batch(ops[:2] + ops[3:], batch_key="gagal")
        assert not result.replayed and result.inserted == 2 and result.updated == 1

    def test_kind_mismatch_is_refused(self, store: Store) -> None:
        with pytest.raises(StorageError):
            store.write_batch([WriteOp("koperasi", "k1", make_umkm(1), SUDIN)])
        assert store.count("koperasi") == 0

    def test_stored_record_is_isolated_from_caller(self, store: Store) -> None:
        record = make_umkm(1, atribut_lain={"catatan": "asli"})
        store.write_batch([umkm_op(1, record=record)])
        record.atribut_lain["catatan"] = "diubah"
        got = store.get("umkm", "u00001")
        assert got is not None and got.record.atribut_lain == {"catatan": "asli"}


class AbstractLookupTests:
    """Lookups by every identifier, region scope, status filter, streaming."""

    def test_find_by_each_identifier(self, store: Store) -> None:
        store.write_batch(
            [umkm_op(1), umkm_op(2), WriteOp("koperasi", "k1", make_koperasi(1), SUDIN)]
        )
        u, k = make_umkm(1), make_koperasi(1)
        values = {
            "nib": ("umkm", u.nib),
            "npwp": ("umkm", u.npwp),
            "nik_penduduk": ("umkm", u.pemilik.nik_penduduk),
            "nomor_induk_koperasi": ("koperasi", k.nomor_induk_koperasi),
            "nomor_badan_hukum": ("koperasi", k.nomor_badan_hukum),
        }
        assert set(values) == set(IDENTIFIER_KEYS)
        for key, (kind, value) in values.items():
            assert value is not None
            found = store.find(kind, key, value)  # type: ignore[arg-type]
            assert _ids(found) == (["u00001"] if kind == "umkm" else ["k1"]), key
            assert store.find(kind, key, "0000") == []  # type: ignore[arg-type]

    def test_find_sees_only_current_versions(self, store: Store) -> None:
        store.write_batch([umkm_op(1)])
        store.write_batch([umkm_op(1, record=make_umkm(1, nib="9999999999999"))])
        assert store.find("umkm", "nib", make_umkm(1).nib or "") == []
        assert _ids(store.find("umkm", "nib", "9999999999999")) == ["u00001"]

    def test_find_returns_all_matches_ordered(self, store: Store) -> None:
        store.write_batch([umkm_op(i, record=make_umkm(i, nib="1111111111111")) for i in (3, 1, 2)])
        assert _ids(store.find("umkm", "nib", "1111111111111")) == ["u00001", "u00002", "u00003"]

    def test_find_unknown_key_is_refused(self, store: Store) -> None:
        with pytest.raises(ValueError):
            store.find("umkm", "nama_usaha", "x")

    def test_iter_records_in_region(self, store: Store) -> None:
        store.write_batch([umkm_op(i) for i in range(10)])
        store.write_batch([umkm_op(99, record=make_umkm(99, alamat=Alamat()))])
        odd = ["31.71-01", "31.710.01", "31.71 01", "31", "31.71"]
        store.write_batch(
            [umkm_op(90 + n, record=make_umkm(0, alamat=Alamat(kode_wilayah=k))) for n, k in enumerate(odd)]
        )
        everything = list(store.iter_records("umkm"))
        assert _ids(everything) == sorted(_ids(everything))
        assert len(everything) == 16
        for scope in ("31", "31.71", "31.71.01", "31.71.01.1001", "31.7", "31.71.0", "32", "31.01"):
            expected = [
                r.id for r in everything if wilayah_matches(r.record.alamat.kode_wilayah, scope)
            ]
            assert _ids(store.iter_records("umkm", wilayah=scope)) == expected, scope
            assert store.count("umkm", wilayah=scope) == len(expected), scope
        assert store.count("umkm", wilayah="31.7") == 0
        assert store.count("umkm", wilayah="31.71") == 7  # six kelurahan codes and "31.71" itself

    def test_status_filter(self, store: Store) -> None:
        store.write_batch([umkm_op(1), umkm_op(2, provenance=PIHAK_LAIN)])
        assert _ids(store.iter_records("umkm", status=[MENUNGGU])) == ["u00002"]
        assert store.count("umkm", status=[TERVERIFIKASI]) == 1
        assert store.count("umkm", status=[TERVERIFIKASI, MENUNGGU]) == 2
        assert store.count("umkm", status=[]) == 0

    def test_iter_records_streams_lazily(self, store: Store) -> None:
        n = 2_345
        for start in range(0, n, 1_000):
            store.write_batch([umkm_op(i) for i in range(start, min(n, start + 1_000))])
        it = store.iter_records("umkm")
        assert isinstance(it, Iterator)
        first = next(it)
        assert first.id == "u00000"
        rest = list(it)
        assert len(rest) == n - 1
        assert [r.id for r in rest] == [f"u{i:05d}" for i in range(1, n)]
        assert store.count("umkm") == n


class AbstractVerificationTests:
    """Verification by a Dinas officer (Kepgub D.3) via ``set_status``."""

    def test_verify_adds_a_version(self, store: Store) -> None:
        store.write_batch([umkm_op(1, provenance=PIHAK_LAIN)])
        waktu = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)
        done = store.set_status(
            "umkm", "u00001", TERVERIFIKASI, petugas="dinas-01", catatan="cek lapangan", waktu=waktu
        )
        assert done.status is TERVERIFIKASI and done.version == 2
        assert done.verifikasi is not None
        assert (done.verifikasi.petugas, done.verifikasi.catatan, done.verifikasi.waktu) == (
            "dinas-01",
            "cek lapangan",
            waktu,
        )
        assert done.verifikasi.status is TERVERIFIKASI
        assert done.record == make_umkm(1) and done.provenance == PIHAK_LAIN
        history = store.history("umkm", "u00001")
        assert [h.status for h in history] == [MENUNGGU, TERVERIFIKASI]
        assert history[0].verifikasi is None
        assert store.get("umkm", "u00001") == done
        assert store.count("umkm", status=[TERVERIFIKASI]) == 1

    def test_resending_verified_content_keeps_verification(self, store: Store) -> None:
        store.write_batch([umkm_op(1, provenance=PIHAK_LAIN)])
        store.set_status("umkm", "u00001", TERVERIFIKASI, petugas="dinas-01")
        assert store.write_batch([umkm_op(1, provenance=PIHAK_LAIN)]).unchanged == 1
        changed = umkm_op(1, provenance=PIHAK_LAIN, record=make_umkm(1, kbli="10110"))
        assert store.write_batch([changed]).updated == 1
        got = store.get("umkm", "u00001")
        assert got is not None and got.status is MENUNGGU and got.verifikasi is None

    def test_reject(self, store: Store) -> None:
        store.write_batch([umkm_op(1, provenance=PIHAK_LAIN)])
        got = store.set_status("umkm", "u00001", VerificationStatus.DITOLAK, petugas="dinas-02")
        assert got.status is VerificationStatus.DITOLAK
        assert got.verifikasi is not None and got.verifikasi.waktu.tzinfo is not None

    def test_verify_missing_raises(self, store: Store) -> None:
        with pytest.raises(NotFound):
            store.set_status("umkm", "nope", TERVERIFIKASI, petugas="x")


_OP_STRATEGY = st.builds(
    lambda i, kode, src, skala, kbli: umkm_op(
        i,
        provenance=Provenance(src),
        record=make_umkm(i, alamat=Alamat(kode_wilayah=kode), kbli=kbli),
        atribut={} if skala is None else {"skala": skala},
    ),
    st.integers(0, 60),
    st.sampled_from([None, *_KODE, "31.73.05.1003"]),
    st.sampled_from(list(SumberData)),
    st.sampled_from([None, "mikro", "kecil", "menengah"]),
    st.sampled_from([None, "47111", "56102"]),
)


class AbstractTabulateTests:
    """Tabulation: groups counted in the store agree with a Python count."""

    def test_tabulate_example(self, store: Store) -> None:
        store.write_batch(
            [
                umkm_op(0, atribut={"skala": "mikro"}),  # 31.71.01.1001
                umkm_op(1, atribut={"skala": "mikro"}),  # 31.71.01.1002
                umkm_op(3, atribut={"skala": "kecil"}, provenance=PIHAK_LAIN),  # 31.72.01.1001
                umkm_op(4),  # 31.01.01.1001, no skala
            ]
        )
        assert store.tabulate("umkm", ["kab_kota"]) == [
            (("31.01",), 1),
            (("31.71",), 2),
            (("31.72",), 1),
        ]
        assert dict(store.tabulate("umkm", ["skala", "status"])) == {
            (None, "terverifikasi"): 1,
            ("kecil", "menunggu_verifikasi"): 1,
            ("mikro", "terverifikasi"): 2,
        }
        assert dict(store.tabulate("umkm", ["sumber_data"], status=[TERVERIFIKASI])) == {
            ("sudin",): 3
        }
        assert dict(store.tabulate("umkm", ["kecamatan"], wilayah="31.71")) == {("31.71.01",): 2}
        assert store.tabulate("umkm", []) == [((), 4)]
        assert store.tabulate("koperasi", ["kab_kota"]) == []

    def test_tabulate_orders_groups_none_first(self, store: Store) -> None:
        store.write_batch(
            [umkm_op(0, atribut={"skala": "mikro"}), umkm_op(1), umkm_op(2, atribut={"skala": "kecil"})]
        )
        assert [g for g, _ in store.tabulate("umkm", ["skala"])] == [(None,), ("kecil",), ("mikro",)]

    def test_atribut_overrides_any_dimension(self, store: Store) -> None:
        store.write_batch(
            [
                umkm_op(0, atribut={"grade": "A", "kbli": "99999"}),
                umkm_op(1, atribut={"skala": "kecil"}),
                WriteOp("koperasi", "k1", make_koperasi(1), SUDIN, atribut={"kbli": "64110"}),
            ]
        )
        assert dict(store.tabulate("umkm", ["grade", "kbli", "skala"])) == {
            ("A", "99999", None): 1,
            (None, "47111", "kecil"): 1,
        }
        assert store.tabulate("koperasi", ["kbli", "jenis"]) == [(("64110", "Konsumen"), 1)]

    def test_tabulate_unknown_field_is_refused(self, store: Store) -> None:
        with pytest.raises(ValueError):
            store.tabulate("umkm", ["nama_usaha"])

    def test_tabulate_koperasi_dimensions(self, store: Store) -> None:
        store.write_batch(
            [WriteOp("koperasi", f"k{i}", make_koperasi(i), SUDIN) for i in range(6)]
        )
        assert dict(store.tabulate("koperasi", ["jenis", "grade"])) == {
            ("Konsumen", "A"): 1,
            ("Konsumen", "D"): 2,
            ("Simpan Pinjam", "A"): 1,
            ("Simpan Pinjam", "D"): 2,
        }

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,  # one mixin, many adapter classes
        ],
    )
    @given(
        batches=st.lists(st.lists(_OP_STRATEGY, max_size=12), min_size=1, max_size=3),
        by=st.lists(st.sampled_from(TABULATION_FIELDS), max_size=3, unique=True),
        scope=st.sampled_from([None, "31", "31.71", "31.71.01", "31.7"]),
    )
    def test_tabulate_matches_python_count(
        self, store: Store, batches: list[list[WriteOp]], by: list[str], scope: str | None
    ) -> None:
        for ops in batches:
            store.write_batch(ops)
        records = list(store.iter_records("umkm", wilayah=scope))
        expected = Counter(tuple(expected_dimension(r, f) for f in by) for r in records)
        got = store.tabulate("umkm", by, wilayah=scope)
        assert dict(got) == dict(expected)
        assert sum(n for _, n in got) == store.count("umkm", wilayah=scope) == len(records)
        assert len(got) == len({g for g, _ in got})


    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.differing_executors,
        ],
    )
    @given(
        ops=st.lists(_OP_STRATEGY, max_size=12),
        by=st.lists(st.sampled_from(TABULATION_FIELDS), max_size=2, unique=True),
        scope=st.sampled_from([None, "31.71", "31.7"]),
        status=st.sampled_from([None, (TERVERIFIKASI,), (MENUNGGU, TERVERIFIKASI), ()]),
    )
    def test_tabulate_total_is_tabulate_and_count(
        self,
        store: Store,
        ops: list[WriteOp],
        by: list[str],
        scope: str | None,
        status: tuple[VerificationStatus, ...] | None,
    ) -> None:
        """``tabulate_total`` (the store's own, or the two-read fallback without one)
        gives what ``tabulate`` and ``count`` give on data nobody is writing."""
        store.write_batch(ops)
        groups, total = tabulate_total(store, "umkm", by, wilayah=scope, status=status)
        assert groups == store.tabulate("umkm", by, wilayah=scope, status=status)
        assert total == store.count("umkm", wilayah=scope, status=status)
        assert sum(n for _, n in groups) == total

    def test_tabulate_total_is_one_snapshot(self, store_factory: Callable[[], Store]) -> None:
        """While another handle commits batches, every ``tabulate_total`` reads one state:
        its groups sum to its total, and that is a whole number of batches."""
        reader = store_factory()
        writer = store_factory()
        try:
            if not isinstance(reader, SnapshotTabulation):  # pragma: no cover - capability
                pytest.skip("adapter has no tabulate_total (rekap reads twice)")
            size, batches = 25, 40
            failed: list[BaseException] = []

            def write() -> None:
                try:
                    for b in range(batches):
                        writer.write_batch(
                            [umkm_op(b * size + j, atribut={"skala": "mikro"}) for j in range(size)]
                        )
                except BaseException as exc:  # pragma: no cover - reported below
                    failed.append(exc)

            thread = threading.Thread(target=write)
            thread.start()
            totals: list[int] = []
            try:
                while thread.is_alive() or len(totals) < 2:
                    by = ["kab_kota"] if len(totals) % 2 else ["kbli", "skala"]
                    groups, total = reader.tabulate_total("umkm", by)
                    assert sum(n for _, n in groups) == total, (by, groups, total)
                    assert total % size == 0, f"{total} is part of a batch"
                    totals.append(total)
            finally:
                thread.join()
            assert not failed, failed
            assert totals == sorted(totals)
            assert reader.tabulate_total("umkm", ["kab_kota"])[1] == size * batches
        finally:
            writer.close()
            reader.close()


class AbstractSnapshotTests:
    """``snapshot()`` (optional, :class:`~kukm.storage.base.SnapshotReads`): the reads inside
    see one state while another handle writes; a store without it is skipped."""

    def test_reads_inside_a_snapshot_see_one_state(
        self, store_factory: Callable[[], Store]
    ) -> None:
        reader = store_factory()
        writer = store_factory()
        try:
            if not isinstance(reader, SnapshotReads):  # pragma: no cover - capability
                pytest.skip("adapter has no snapshot()")
            n = 1200  # more than one page or chunk of iter_records
            reader.write_batch([umkm_op(i) for i in range(n)])
            reader.write_batch([umkm_op(7, record=make_umkm(7, kbli="10110"))])
            changed = [umkm_op(7, record=make_umkm(7, kbli="99999")), umkm_op(n), umkm_op(n + 1)]
            thread = threading.Thread(target=writer.write_batch, args=(changed,))
            with read_snapshot(reader):
                before = reader.count("umkm")
                thread.start()
                thread.join(timeout=0.5)  # committed now, or waiting for the block's end
                seen = 0
                for rec in reader.iter_records("umkm"):  # other reads between its rows
                    seen += 1
                    if rec.version > 1:
                        assert [h.version for h in reader.history("umkm", rec.id)] == [1, 2]
                current = reader.get("umkm", "u00007")
                with read_snapshot(reader):  # blocks nest
                    total = sum(k for _, k in reader.tabulate("umkm", ["kab_kota"]))
                assert (before, seen, total) == (n, n, n)
                assert reader.count("umkm") == n
                assert current is not None and current.version == 2
                assert reader.get("umkm", f"u{n:05d}") is None
                assert reader.find("umkm", "nib", make_umkm(n).nib or "") == []
            thread.join()
            assert reader.count("umkm") == n + 2
            assert len(reader.history("umkm", "u00007")) == 3
        finally:
            writer.close()
            reader.close()


class AbstractSequenceTests:
    """Running numbers for NIK Koperasi (Kepgub H)."""

    def test_numbers_count_up_per_prefix(self, store: Store) -> None:
        assert [store.allocate_sequence("317110002") for _ in range(3)] == [1, 2, 3]
        assert store.allocate_sequence("317509001") == 1
        assert store.allocate_sequence("317110002") == 4

    def test_exhaustion_raises_and_never_reuses(self, store: Store) -> None:
        assert [store.allocate_sequence("p", maximum=3) for _ in range(3)] == [1, 2, 3]
        for _ in range(2):
            with pytest.raises(SequenceExhausted):
                store.allocate_sequence("p", maximum=3)
        assert store.allocate_sequence("p", maximum=9999) == 4

    def test_unique_across_processes(self, store: Store, request: pytest.FixtureRequest) -> None:
        if not getattr(type(self), "supports_multiprocess", False):  # pragma: no cover - capability
            pytest.skip("adapter does not support several processes")
        store_url: str = request.getfixturevalue("store_url")
        opener: str = getattr(type(self), "store_opener", "kukm.plugins:open_store")
        module, _, name = opener.partition(":")
        script = textwrap.dedent(
            f"""
            import sys
            from {module} import {name} as open_store
            s = open_store(sys.argv[1])
            print(" ".join(str(s.allocate_sequence("317110002")) for _ in range(25)))
            s.close()
            """
        )
        env = dict(os.environ)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, store_url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for _ in range(8)
        ]
        numbers: list[int] = []
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            numbers += [int(x) for x in out.split()]
        assert sorted(numbers) == list(range(1, 201))
        assert store.allocate_sequence("317110002") == 201


class AbstractDocumentTests:
    """JSON documents for workflow state."""

    def test_put_get_replace(self, store: Store) -> None:
        assert store.get_document("permohonan", "a") is None
        store.put_document("permohonan", "a", {"status": "baru", "n": 1, "x": [1, None, "y"]})
        assert store.get_document("permohonan", "a") == {"status": "baru", "n": 1, "x": [1, None, "y"]}
        store.put_document("permohonan", "a", {"status": "disetujui"})
        assert store.get_document("permohonan", "a") == {"status": "disetujui"}

    def test_iter_documents_ordered_and_separate(self, store: Store) -> None:
        for key in ("c", "a", "b"):
            store.put_document("sertifikat", key, {"key": key})
        store.put_document("kursor", "ods", {"posisi": 10})
        assert [k for k, _ in store.iter_documents("sertifikat")] == ["a", "b", "c"]
        assert list(store.iter_documents("kursor")) == [("ods", {"posisi": 10})]
        assert list(store.iter_documents("kosong")) == []

    def test_unserialisable_document_is_refused(self, store: Store) -> None:
        with pytest.raises(StorageError):
            store.put_document("permohonan", "a", {"x": object()})
        assert store.get_document("permohonan", "a") is None


class AbstractAuditTests:
    """The audit log is appended to and read back unchanged."""

    def test_append_and_read(self, store: Store) -> None:
        t0 = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.UTC)
        events = [
            AuditEvent(t0, "dinas-01", "tulis", "umkm", "u1"),
            AuditEvent(t0 + dt.timedelta(hours=1), "lurah-02", "baca_pribadi", "umkm", "u1",
                       diizinkan=False, detail="di luar wilayah"),
            AuditEvent(t0 + dt.timedelta(hours=2), "sistem", "impor"),
        ]
        for e in events:
            store.audit(e)
        assert list(store.audit_log()) == events
        assert list(store.audit_log(since=t0 + dt.timedelta(minutes=30))) == events[1:]
        wib = dt.timezone(dt.timedelta(hours=7))
        assert list(store.audit_log(since=dt.datetime(2024, 1, 1, 17, 0, tzinfo=wib))) == events[2:]

    def test_log_is_append_only(self, store: Store) -> None:
        t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        store.audit(AuditEvent(t0, "a", "tulis"))
        first = list(store.audit_log())
        store.audit(AuditEvent(t0, "b", "tulis"))
        assert list(store.audit_log())[:1] == first
        assert len(list(store.audit_log())) == 2


class AbstractPersistenceTests:
    """Data survives closing the store and opening it again."""

    def test_close_is_idempotent(self, store_factory: Callable[[], Store]) -> None:
        s = store_factory()
        s.close()
        s.close()

    def test_reopen_keeps_everything(self, store_factory: Callable[[], Store]) -> None:
        if not getattr(type(self), "supports_reopen", False):  # pragma: no cover - capability
            pytest.skip("adapter does not persist across handles")
        s = store_factory()
        s.write_batch([umkm_op(1)], batch_key="k")
        s.allocate_sequence("x")
        s.put_document("c", "k", {"a": 1})
        s.audit(AuditEvent(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "a", "tulis"))
        s.close()
        t = store_factory()
        try:
            assert t.get("umkm", "u00001") is not None
            assert t.write_batch([umkm_op(2)], batch_key="k").replayed
            assert t.allocate_sequence("x") == 2
            assert t.get_document("c", "k") == {"a": 1}
            assert len(list(t.audit_log())) == 1
        finally:
            t.close()


class AbstractStoreTests(
    AbstractWriteTests,
    AbstractLookupTests,
    AbstractVerificationTests,
    AbstractTabulateTests,
    AbstractSnapshotTests,
    AbstractSequenceTests,
    AbstractDocumentTests,
    AbstractAuditTests,
    AbstractPersistenceTests,
):
    """Every guarantee of :class:`kukm.storage.base.Store`."""
