"""Sources, submissions, field provenance and verification (Kepgub D, E.1, E.7–8)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import NotFound
from kukm.governance.access import User
from kukm.governance.provenance import field_provenance, flatten, verification_trail
from kukm.governance.service import Service
from kukm.model import Alamat, Pemilik, SumberData, Umkm
from kukm.storage.base import Provenance, VerificationStatus, WriteOp
from kukm.testing import strategies as ks

KEL = "31.71.01.1001"
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def _u(**kw: object) -> Umkm:
    base = Umkm(nama_usaha="Toko Sumber", alamat=Alamat(kode_wilayah=KEL))
    return attrs.evolve(base, **kw)


def test_submission_records_sender_officer_and_time() -> None:
    store = MemoryStore()
    svc = Service(store, User("lurah-1", "lurah", KEL), clock=lambda: T0)
    svc.submit([WriteOp("umkm", "u1", _u(), Provenance(SumberData.KELURAHAN))], id_pengiriman="P1")
    stored = store.get("umkm", "u1")
    assert stored is not None
    assert stored.provenance == Provenance(SumberData.KELURAHAN, "lurah-1", T0, "P1")
    sub = svc.submission("P1")
    assert sub is not None
    assert (sub.sumber, sub.petugas, sub.waktu, sub.pengirim, sub.inserted) == (
        SumberData.KELURAHAN,
        "lurah-1",
        T0,
        "lurah-1",
        1,
    )
    # an answerable officer named by the sender is kept (E.7–8)
    svc.submit([WriteOp("umkm", "u2", _u(), Provenance(SumberData.KELURAHAN, "petugas-9"))])
    assert store.get("umkm", "u2").provenance.petugas == "petugas-9"  # type: ignore[union-attr]


def test_pihak_lain_waits_for_dinas_verification() -> None:
    store = MemoryStore()
    sudin = Service(store, User("s1", "sudin", "31.71"))
    sudin.submit(
        [
            WriteOp("umkm", "u1", _u(), Provenance(SumberData.PIHAK_LAIN)),
            WriteOp("umkm", "u2", _u(), Provenance(SumberData.SUDIN)),
        ]
    )
    official = [VerificationStatus.TERVERIFIKASI]
    assert store.count("umkm", status=official) == 1
    [(_, doc)] = list(store.iter_documents("pengiriman"))
    assert doc["per_sumber"] == {"pihak_lain": 1, "sudin": 1}
    assert [s.id for s in sudin.pending("umkm", sumber=SumberData.PIHAK_LAIN)] == ["u1"]
    t1 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    dinas = Service(store, User("d7", "dinas"), clock=lambda: t1)
    after = dinas.verify("umkm", "u1", catatan="dicek di lapangan")
    assert after.verifikasi is not None
    assert (after.verifikasi.petugas, after.verifikasi.waktu, after.verifikasi.catatan) == (
        "d7",
        t1,
        "dicek di lapangan",
    )
    assert store.count("umkm", status=official) == 2
    assert store.tabulate("umkm", ["sumber_data"], status=official) == [
        (("pihak_lain",), 1),
        (("sudin",), 1),
    ]
    # verifying again is a no-op
    assert dinas.verify("umkm", "u1").version == after.version
    rejected = dinas.reject("umkm", "u1", catatan="ganda")
    assert rejected.status is VerificationStatus.DITOLAK
    trail = verification_trail(store.history("umkm", "u1"))
    assert [(v.status, v.catatan) for v in trail] == [
        (VerificationStatus.TERVERIFIKASI, "dicek di lapangan"),
        (VerificationStatus.DITOLAK, "ganda"),
    ]
    assert {e.aksi for e in store.audit_log()} >= {"verifikasi", "tolak", "tulis"}
    with pytest.raises(NotFound):
        dinas.verify("umkm", "nope")


def test_field_provenance_names_last_submission() -> None:
    store = MemoryStore()
    lurah = Service(store, User("l1", "lurah", KEL))
    lurah.submit(
        [WriteOp("umkm", "u1", _u(kbli="47111"), Provenance(SumberData.KELURAHAN))],
        id_pengiriman="P1",
    )
    sudin = Service(store, User("s1", "sudin", "31.71"))
    sudin.submit(
        [
            WriteOp(
                "umkm",
                "u1",
                _u(kbli="47112", pemilik=Pemilik(nama="Ani")),
                Provenance(SumberData.SUDIN),
            )
        ],
        id_pengiriman="P2",
    )
    Service(store, User("d", "dinas")).verify("umkm", "u1")  # status only: sets no field
    fp = sudin.field_provenance("umkm", "u1")
    assert fp["nama_usaha"].provenance.id_pengiriman == "P1"
    assert fp["kbli"].provenance.id_pengiriman == "P2"
    assert fp["kbli"].value == "47112"
    assert fp["pemilik.nama"].provenance.sumber is SumberData.SUDIN
    assert "npwp" not in fp
    public = Service(store, User.public()).field_provenance("umkm", "u1")
    assert public["pemilik.nama"].value == "A**"


@settings(max_examples=40, deadline=None)
@given(versions=st.lists(ks.umkm(), min_size=1, max_size=4))
def test_field_provenance_property(versions: list[Umkm]) -> None:
    """Every field's value is the current value, set by the version that last changed it."""
    store = MemoryStore()
    for i, rec in enumerate(versions):
        store.write_batch(
            [WriteOp("umkm", "u", rec, Provenance(SumberData.SUDIN, id_pengiriman=f"P{i}"))]
        )
    history = store.history("umkm", "u")
    fp = field_provenance(history)
    current = flatten(history[-1].record)
    for path, src in fp.items():
        assert src.value == current.get(path)
        changed_at = [
            v.version
            for prev, v in zip([None, *history], history, strict=False)
            if (flatten(prev.record).get(path) if prev else None) != flatten(v.record).get(path)
        ]
        assert src.version == changed_at[-1]
    for path, value in current.items():
        if value not in (None, [], {}):
            assert path in fp
