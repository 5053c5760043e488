"""PKT member import at scale: the store is read once (no lookup per row), the UMKM form's
checks run a chunk of rows at a time, and none of that changes what is imported.

Kepgub DKI 1625/2021 huruf A angka 14, huruf G angka 2 (PKT integration).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.integration import pkt
from kukm.integration.pkt import PktImportReport, import_pkt_members
from kukm.model import Alamat, JenisKelamin, Pemilik, SumberData, Umkm
from kukm.plugins import open_store
from kukm.storage.base import Provenance, Store, StoredRecord, WriteOp

KUNCI = b"rahasia-dinas-ppkukm-0123456789"
NIK_A, NIK_B, NIK_C, NIK_NEW = (
    "3171014501800001",
    "3171010101800002",
    "3171014501800003",
    "3171010101800009",
)
NIB_A, NIB_C, NIB_NEW = "9120001234567", "9120001234569", "9120001234571"
#: a record id of the kind a full view exports as id_anggota
ID_C = "umkm-nib-" + NIB_C
COLUMNS = (
    "id_anggota", "nik_penduduk", "nama_pemilik", "nama_usaha", "nib", "jenis_kelamin", "alamat",
    "kode_wilayah", "kbli", "modal_usaha", "omzet_tahunan", "tenaga_kerja", "tanggal_berdiri",
    "tahap_pkt",
)  # fmt: skip
#: the UMKM form's other cells of a row that passes it
FORM = {
    "jenis_kelamin": "P", "alamat": "Jl. Kenanga 1", "kode_wilayah": "31.71.01.1001",
    "kbli": "56102", "modal_usaha": "15000000", "omzet_tahunan": "300000000",
    "tenaga_kerja": "2", "tanggal_berdiri": "2015-03-01",
}  # fmt: skip
NOW = dt.datetime(2025, 6, 30, 8, 0, tzinfo=dt.UTC)


def _umkm(nama: str, nik: str | None, nib: str | None = None, **atribut: str) -> Umkm:
    return Umkm(
        nama_usaha=nama,
        nib=nib,
        pemilik=Pemilik(nama="Sri Wahyuni", nik_penduduk=nik, jenis_kelamin=JenisKelamin.PEREMPUAN),
        alamat=Alamat(kode_wilayah="31.71.01.1001"),
        modal_usaha=15_000_000,
        atribut_lain=dict(atribut),
    )


def _register() -> Store:
    """U-A (NIB and NIK A), U-B (NIK B only), ID_C (NIB C, NIK A: A's second business), U-D
    (already PKT member JP-9)."""
    store = open_store("memory://")
    prov = Provenance(SumberData.KELURAHAN, petugas="lurah-1")
    store.write_batch(
        [
            WriteOp(
                "umkm", "U-A", _umkm("Warung A", NIK_A, NIB_A), prov, atribut={"skala": "mikro"}
            ),
            WriteOp("umkm", "U-B", _umkm("Toko B", NIK_B), prov, atribut={"skala": "kecil"}),
            WriteOp("umkm", ID_C, _umkm("Katering A", NIK_A, NIB_C), prov),
            WriteOp("umkm", "U-D", _umkm("Bengkel D", NIK_C, pkt_id_anggota="JP-9"), prov),
        ]
    )
    return store


def _csv(rows: list[dict[str, str]]) -> str:
    out = [",".join(COLUMNS)]
    for row in rows:
        out.append(",".join(row.get(c, "") for c in COLUMNS))
    return "\n".join(out) + "\n"


def _row(member: str, tahap: str = "P1", *, nik: str = "", nib: str = "", form: bool = False,
         **cells: str) -> dict[str, str]:  # fmt: skip
    row = {"id_anggota": member, "nik_penduduk": nik, "nib": nib, "tahap_pkt": tahap,
           "nama_usaha": f"Usaha {member}", "nama_pemilik": "Ani"}  # fmt: skip
    if form:
        row.update(FORM)
    row.update(cells)
    return row


def _content(store: Store) -> list[tuple[Any, ...]]:
    """Every version of every UMKM, without the store's own clock."""
    out = []
    for current in store.iter_records("umkm"):
        for v in store.history("umkm", current.id):
            out.append(
                (v.id, v.version, v.record, v.provenance, v.status, dict(v.atribut), v.valid_from)
            )
    return out


def _import(store: Store, text: str, **kw: Any) -> PktImportReport:
    return import_pkt_members(store, io.StringIO(text), now=lambda: NOW, **kw)


def _pkt(store: Store, id: str) -> dict[str, Any]:
    found = store.get("umkm", id)
    assert found is not None and isinstance(found.record, Umkm)
    return dict(found.record.atribut_lain)


# -- the store is read once ----------------------------------------------------------------------


class _Reads:
    """A store that counts its reads."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.calls: dict[str, int] = {"get": 0, "find": 0, "iter_records": 0, "history": 0}

    def get(self, kind: Any, id: str) -> StoredRecord | None:
        self.calls["get"] += 1
        return self.inner.get(kind, id)

    def find(self, kind: Any, key: str, value: str) -> list[StoredRecord]:
        self.calls["find"] += 1
        return self.inner.find(kind, key, value)

    def iter_records(self, kind: Any, **kw: Any) -> Iterator[StoredRecord]:
        self.calls["iter_records"] += 1
        return self.inner.iter_records(kind, **kw)

    def history(self, kind: Any, id: str) -> list[StoredRecord]:
        self.calls["history"] += 1
        return self.inner.history(kind, id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_the_store_is_read_once_not_once_per_row() -> None:
    inner = _register()
    store = _Reads(inner)
    rows = [
        _row("JP-1", nib=NIB_A),  # matched by NIB: written
        _row("JP-2", nik=NIK_B),  # matched by NIK: written
        _row("JP-9", "P3"),  # matched by member id: written
        *(_row(f"JP-N{i}", nik=f"317102010180{i + 1:04d}", form=True) for i in range(20)),  # new
        _row("JP-X", nik="3171**********01"),  # masked: refused
    ]
    text = _csv(rows)
    rep = _import(store, text)
    assert (rep.matched, rep.created, rep.rejected) == (3, 20, 1)
    # one pass over the store, no lookup by identifier; a record is read only to be rewritten
    assert store.calls == {"get": 3, "find": 0, "iter_records": 1, "history": 0}
    # the same list again: everything matches, nothing is read but the one pass
    store.calls = dict.fromkeys(store.calls, 0)
    again = _import(store, text)
    assert (again.matched, again.created, again.rejected) == (23, 0, 1)
    assert store.calls == {"get": 0, "find": 0, "iter_records": 1, "history": 0}


def test_a_list_without_any_identifier_does_not_read_the_store() -> None:
    store = _Reads(_register())
    rep = _import(store, _csv([_row(""), _row("  ")]))
    assert rep.rejected == 2 and rep.issue_counts == {"PKT_TANPA_ID_ANGGOTA": 2}
    assert store.calls["iter_records"] == 0


# -- what the rewrite must not change -------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5000])
def test_two_rows_naming_one_stored_business(chunk_size: int) -> None:
    store = _register()
    # JP-1 and JP-2 both give Warung A's NIB: the first gets it, the second is another member
    rep = _import(store, _csv([_row("JP-1", nib=NIB_A), _row("JP-2", "P4", nib=NIB_A)]),
                  chunk_size=chunk_size)  # fmt: skip
    assert (rep.matched, rep.created, rep.rejected) == (1, 0, 1)
    assert rep.issue_counts == {"PKT_ID_ANGGOTA_BERBEDA": 1}
    assert rep.rejected_rows == (
        {"row": 2, "id_anggota": "JP-2", "codes": ["PKT_ID_ANGGOTA_BERBEDA"]},
    )
    assert _pkt(store, "U-A") == {"pkt_id_anggota": "JP-1", "pkt_tahap": "P1"}


@pytest.mark.parametrize("chunk_size", [1, 2, 5000])
def test_two_rows_naming_one_new_business_create_it_once(chunk_size: int) -> None:
    store = _register()
    # row 1 makes PKT:JP-5; rows 2 and 3 (same chunk or not) find it by its NIB and its NIK
    rows = [
        _row("JP-5", nik=NIK_NEW, nib=NIB_NEW, form=True),
        _row("JP-6", nib=NIB_NEW, form=True),
        _row("JP-7", nik=NIK_NEW, form=True),
    ]
    rep = _import(store, _csv(rows), chunk_size=chunk_size)
    assert (rep.matched, rep.created, rep.rejected) == (0, 1, 2)
    assert rep.issue_counts == {"PKT_ID_ANGGOTA_BERBEDA": 2}
    ids = sorted(s.id for s in store.iter_records("umkm"))
    assert ids == sorted(["PKT:JP-5", "U-A", "U-B", ID_C, "U-D"])


@pytest.mark.parametrize("chunk_size", [1, 5000])
def test_a_member_matched_by_nib_or_by_nik_penduduk(chunk_size: int) -> None:
    store = _register()
    rows = [
        # NIB before NIK: Warung A, although its owner (NIK A) has two businesses
        _row("JP-1", "P2", nik=NIK_A, nib=NIB_A),
        # no NIB: Toko B by its owner's NIK, the only UMKM with it
        _row("JP-2", "P3", nik=NIK_B),
        # no NIB, and NIK A names two businesses: which one is not said
        _row("JP-3", "P1", nik=NIK_A),
        # the NIB is Katering A's, the NIK Toko B's owner's: another owner, not merged
        _row("JP-4", "P1", nik=NIK_B, nib=NIB_C),
    ]
    rep = _import(store, _csv(rows), chunk_size=chunk_size)
    assert (rep.matched, rep.created, rep.rejected) == (2, 0, 2)
    assert [r["codes"] for r in rep.rejected_rows] == [["PKT_ANGGOTA_GANDA"], ["PKT_ANGGOTA_GANDA"]]
    assert _pkt(store, "U-A") == {"pkt_id_anggota": "JP-1", "pkt_tahap": "P2"}
    assert _pkt(store, "U-B") == {"pkt_id_anggota": "JP-2", "pkt_tahap": "P3"}
    assert _pkt(store, ID_C) == {}
    # matched records keep their content, status, source and scale
    b = store.get("umkm", "U-B")
    assert b is not None and b.provenance.sumber is SumberData.KELURAHAN
    assert dict(b.atribut) == {"skala": "kecil"}
    assert b.provenance.id_pengiriman == "pkt-import" and b.version == 2


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5000])
def test_a_chunk_boundary_between_two_rows_of_one_member(chunk_size: int) -> None:
    store = _register()
    # JP-5 is new in row 2 and moves on in row 3 (under its kukm id); with chunks of 2 the
    # boundary falls between them
    rows = [
        _row("JP-1", nib=NIB_A),
        _row("JP-5", "P1", nik=NIK_NEW, form=True),
        _row("PKT:JP-5", "P2"),
        _row("JP-5", "P2", nik=NIK_NEW, form=True),
    ]
    rep = _import(store, _csv(rows), chunk_size=chunk_size)
    assert (rep.input, rep.matched, rep.created, rep.rejected) == (4, 3, 1, 0)
    assert _pkt(store, "PKT:JP-5") == {"pkt_id_anggota": "JP-5", "pkt_tahap": "P2"}
    stages = [v.record.atribut_lain["pkt_tahap"] for v in store.history("umkm", "PKT:JP-5")]
    assert stages == ["P1", "P2"]
    made = store.get("umkm", "PKT:JP-5")
    assert made is not None and made.provenance.sumber is SumberData.PIHAK_LAIN
    assert made.status.value == "menunggu_verifikasi"


def test_a_reimport_adds_nothing_and_references_still_match() -> None:
    store = _register()
    ref_b = pkt.referensi("U-B", KUNCI)
    rows = [
        _row("JP-1", nib=NIB_A),
        _row(ref_b, "P5"),  # a keyed export's reference: Toko B, no member id stored
        _row(ID_C, "P6"),  # a full view's record id
        _row("kukm-00000000000000000000", "P1"),  # names nothing
        *(_row(f"JP-N{i}", nik=f"317102010180{i + 1:04d}", form=True) for i in range(7)),
    ]
    text = _csv(rows)
    first = _import(store, text, kunci=KUNCI, chunk_size=3)
    assert (first.matched, first.created, first.rejected) == (3, 7, 1)
    assert first.issue_counts == {"PKT_REFERENSI_TIDAK_DIKENAL": 1}
    assert _pkt(store, "U-B") == {"pkt_tahap": "P5"} and _pkt(store, ID_C) == {"pkt_tahap": "P6"}
    before = _content(store)
    again = _import(store, text, kunci=KUNCI, chunk_size=3)
    assert (again.matched, again.created, again.rejected) == (10, 0, 1)
    assert _content(store) == before
    # without the key a reference names nothing
    blind = _import(_register(), text, chunk_size=3)
    assert blind.issue_counts["PKT_REFERENSI_TIDAK_DIKENAL"] == 2


def test_the_form_checks_a_chunk_as_they_check_each_row() -> None:
    """Rows of the synthetic register (faults in amounts, dates, NIB, NIK, region) go through
    the UMKM form together or one by one with the same outcome."""
    from kukm.synthetic import generate_umkm

    rows = []
    for r in generate_umkm(150, seed=5, faulty_share=0.3):
        d = r.data
        rows.append(
            _row(f"JP-{r.row}", f"P{r.row % 9 + 1}", nik=d["nik_pemilik"], nib=d["nib"],
                 nama_pemilik=d["nama_pemilik"], nama_usaha=d["nama_usaha"],
                 jenis_kelamin=d["jenis_kelamin"], alamat=d["alamat"],
                 kode_wilayah=d["kode_wilayah"], kbli=d["kbli"], modal_usaha=d["modal_usaha"],
                 omzet_tahunan=d["omzet_tahunan"], tenaga_kerja=d["tenaga_kerja"],
                 tanggal_berdiri=d["tanggal_berdiri"])
        )  # fmt: skip
    text = _csv(rows)
    one_by_one, together = open_store("memory://"), open_store("memory://")
    a = _import(one_by_one, text, chunk_size=1)
    b = _import(together, text, chunk_size=64)
    assert a.created > 50 and a.rejected > 20
    assert a.as_dict() == b.as_dict()
    assert _content(one_by_one) == _content(together)


@pytest.mark.parametrize("chunk_size", [1, 2, 5000])
def test_rows_kept_as_text_are_read_again_alike(tmp_path: Path, chunk_size: int) -> None:
    """The list is kept as each row's text and read again chunk by chunk: quoted cells with
    line breaks and commas, blank lines and CRLF line ends come back as they were read."""
    form = [FORM[c] for c in COLUMNS[5:13]]
    lines = [
        ",".join(COLUMNS),
        ",".join(["JP-1", "3171020101800001", "Ani", '"Warung\r\nBu Ani, ""Jaya"""', "", "P",
                  '"Jl. Kenanga 1\nRT 03"', *form[2:], "P1"]),
        "",
        ",,,,,,,,,,,,,",
        ",".join(["", "3171020101800002", *[""] * 12]),
        ",".join(["JP-3", "3171020101800003", "Budi", "Toko", "", *form, "P2"]),
    ]  # fmt: skip
    path = tmp_path / "anggota.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    store = open_store("memory://")
    rep = import_pkt_members(store, path, now=lambda: NOW, chunk_size=chunk_size)
    # blank rows are not rows; the row without an id is the second
    assert (rep.input, rep.created, rep.rejected) == (3, 2, 1)
    assert rep.rejected_rows == ({"row": 2, "id_anggota": None, "codes": ["PKT_TANPA_ID_ANGGOTA"]},)
    made = store.get("umkm", "PKT:JP-1")
    assert made is not None and isinstance(made.record, Umkm)
    assert made.record.nama_usaha == 'Warung\r\nBu Ani, "Jaya"'
    assert made.record.alamat.jalan == "Jl. Kenanga 1\nRT 03"
    assert made.record.pemilik.nik_penduduk == "3171020101800001"
    jp3 = store.get("umkm", "PKT:JP-3")
    assert jp3 is not None
    assert jp3.record.atribut_lain == {"pkt_id_anggota": "JP-3", "pkt_tahap": "P2"}


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        _import(open_store("memory://"), _csv([_row("JP-1")]), chunk_size=0)


# -- any chunk size, the same import ---------------------------------------------------------------

_IDS = st.sampled_from(
    [
        *("JP-1", "JP-2", "JP-3", "JP-9", "PKT:JP-2", "U-A", ID_C, "umkm-h-0"),
        *(pkt.referensi("U-B", KUNCI), "", "JP-1 "),
    ]
)
_NIKS = st.sampled_from(
    ["", NIK_A, NIK_B, NIK_C, NIK_NEW, "3171010101800010", "317101**********", "123"]
)
_NIBS = st.sampled_from(["", NIB_A, NIB_C, NIB_NEW, "9120001234573", "9120*****4567", "12345"])


@st.composite
def _member_rows(draw: st.DrawFn) -> dict[str, str]:
    row = _row(
        draw(_IDS), draw(st.sampled_from(["P1", "P2", "P7", "P9", ""])),
        nik=draw(_NIKS), nib=draw(_NIBS), form=draw(st.booleans()),
        nama_pemilik=draw(st.sampled_from(["Ani", "S** W******", ""])),
    )  # fmt: skip
    if draw(st.booleans()):
        row["kode_wilayah"] = draw(st.sampled_from(["", "31.7A.01.1001", "31.71.01.1002"]))
    return row


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(_member_rows(), min_size=1, max_size=10),
    chunk_size=st.integers(2, 11),
    kunci=st.sampled_from([None, KUNCI]),
)
def test_any_chunk_size_imports_as_chunks_of_one(
    rows: list[dict[str, str]], chunk_size: int, kunci: bytes | None
) -> None:
    text = _csv(rows)
    outcome = []
    for size in (1, chunk_size):
        store = _register()
        reports = [
            _import(store, text, chunk_size=size, kunci=kunci, batch_size=3) for _ in range(2)
        ]
        outcome.append(([r.as_dict() for r in reports], _content(store)))
        for r in reports:
            assert r.input == len(rows) == r.accepted + r.rejected
            assert r.accepted == r.matched + r.created
        for s in store.iter_records("umkm"):
            assert isinstance(s.record, Umkm)
            assert "*" not in (s.record.pemilik.nik_penduduk or "") + (s.record.pemilik.nama or "")
            assert "*" not in (s.record.nib or "")
    assert outcome[0] == outcome[1]
