"""PKT member import and export: what the import may change, what it may never merge or store,
and what the export may never reveal.

Kepgub DKI 1625/2021 G.2 (PKT integration), D.3 (data from pihak lain counts only after the
Dinas verifies it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.exceptions import ConfigurationError
from kukm.integration import pkt
from kukm.integration.pkt import export_pkt, import_pkt_members
from kukm.model import Alamat, JenisKelamin, Pemilik, SumberData, Umkm
from kukm.plugins import open_store
from kukm.storage.base import (
    BatchResult,
    Provenance,
    Store,
    VerificationStatus,
    WriteOp,
)

NIK_SRI = "3171014501800001"
NIK_BUDI = "3171010101800002"
HEADER = "id_anggota,nik_penduduk,nama_pemilik,nama_usaha,nib,tahap_pkt\n"
FORM = (
    "id_anggota,nik_penduduk,nama_pemilik,jenis_kelamin,nama_usaha,nib,alamat,kode_wilayah,"
    "kbli,modal_usaha,omzet_tahunan,tenaga_kerja,tanggal_berdiri,tahap_pkt\n"
)
KUNCI = b"rahasia-dinas-ppkukm-0123456789"


def _umkm(nama: str, nik: str | None, nib: str | None = None, **kw: Any) -> Umkm:
    return Umkm(
        nama_usaha=nama,
        nib=nib,
        pemilik=Pemilik(nama=kw.pop("pemilik", "Sri Wahyuni"), nik_penduduk=nik,
                        jenis_kelamin=JenisKelamin.PEREMPUAN),
        alamat=Alamat(kode_wilayah=kw.pop("kode_wilayah", "31.71.01.1001")),
        modal_usaha=15_000_000,
        **kw,
    )  # fmt: skip


def _put(store: Store, id: str, record: Umkm, sumber: SumberData, skala: str = "mikro") -> None:
    store.write_batch(
        [WriteOp("umkm", id, record, Provenance(sumber, petugas="lurah-1"), atribut={"skala": skala})]
    )


def _two() -> Store:
    """Warung Sri (pihak_lain, waiting, mikro) and Toko Budi (kelurahan, verified, kecil)."""
    store = open_store("memory://")
    _put(store, "umkm-nib-9120001234567", _umkm("Warung Sri", NIK_SRI, "9120001234567"),
         SumberData.PIHAK_LAIN)  # fmt: skip
    _put(store, "umkm-nib-9120001234568",
         _umkm("Toko Budi", NIK_BUDI, "9120001234568", pemilik="Budi Santoso",
               kode_wilayah="31.71.01.1002"),
         SumberData.KELURAHAN, skala="kecil")  # fmt: skip
    return store


def _all_umkm(store: Store) -> list[Umkm]:
    return [s.record for s in store.iter_records("umkm") if isinstance(s.record, Umkm)]


# -- bug 1: a matched record keeps its status, source and scale ------------------------------


def test_a_matched_record_keeps_status_source_and_scale() -> None:
    store = _two()
    text = HEADER + f"JP-1,{NIK_SRI},Sri Wahyuni,Warung Sri,,P2\nJP-2,,,Toko Budi,9120001234568,P3\n"
    rep = import_pkt_members(store, io.StringIO(text), petugas="pkt-1")
    assert (rep.input, rep.accepted, rep.matched, rep.created, rep.rejected) == (2, 2, 2, 0, 0)
    sri = store.get("umkm", "umkm-nib-9120001234567")
    budi = store.get("umkm", "umkm-nib-9120001234568")
    assert sri is not None and budi is not None
    # pihak_lain data still waits for the Dinas (Kepgub D.3)
    assert sri.status is VerificationStatus.MENUNGGU
    assert sri.provenance.sumber is SumberData.PIHAK_LAIN
    assert dict(sri.atribut) == {"skala": "mikro"}
    assert budi.status is VerificationStatus.TERVERIFIKASI
    assert budi.provenance.sumber is SumberData.KELURAHAN
    assert dict(budi.atribut) == {"skala": "kecil"}
    # only the PKT fields were added; the version says where it came from
    assert isinstance(sri.record, Umkm) and isinstance(budi.record, Umkm)
    assert sri.record.atribut_lain == {"pkt_id_anggota": "JP-1", "pkt_tahap": "P2"}
    assert budi.record.atribut_lain == {"pkt_id_anggota": "JP-2", "pkt_tahap": "P3"}
    assert sri.record.nama_usaha == "Warung Sri" and sri.record.pemilik.nik_penduduk == NIK_SRI
    assert sri.provenance.id_pengiriman == "pkt-import" and sri.provenance.petugas == "pkt-1"
    # idempotent: the same list again writes nothing
    again = import_pkt_members(store, io.StringIO(text))
    assert again.matched == 2
    assert len(store.history("umkm", "umkm-nib-9120001234567")) == 2


def test_cli_pkt_import_keeps_rekap_by_scale_status_source(tmp_path: Path) -> None:
    """The tester's reproducer end to end: kukm import, pkt import, report rekap."""
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    u = tmp_path / "u.csv"
    u.write_text(
        "nama_usaha,nib,nik_pemilik,nama_pemilik,jenis_kelamin,alamat,kode_wilayah,kbli,"
        "modal_usaha,omzet_tahunan,tenaga_kerja,tanggal_berdiri,sumber_data\n"
        f"Warung Sri,9120001234567,{NIK_SRI},Sri Wahyuni,P,Jl. Kenanga 1,31.71.01.1001,56102,"
        "Rp 15.000.000,Rp 300.000.000,2,01/03/2015,pihak_lain\n"
        f"Toko Budi,9120001234568,{NIK_BUDI},Budi Santoso,L,Jl. Melati 2,31.71.01.1002,47111,"
        "Rp 900.000.000,Rp 4.000.000.000,3,01/07/2019,kelurahan\n",
        encoding="utf-8",
    )
    p = tmp_path / "pkt.csv"
    p.write_text(
        HEADER + f"JP-1,{NIK_SRI},Sri Wahyuni,Warung Sri,,P2\nJP-2,,,Toko Budi,9120001234568,P3\n",
        encoding="utf-8",
    )
    runner = CliRunner()

    def rekap() -> str:
        res = runner.invoke(cli, ["report", "rekap", "--by", "skala,status,sumber_data",
                                  "--all-status", "--db", db, "--format", "csv"])  # fmt: skip
        assert res.exit_code == 0, res.output
        return res.output

    assert runner.invoke(cli, ["import", str(u), "--kind", "umkm", "--db", db]).exit_code == 0
    before = rekap()
    assert "menunggu_verifikasi" in before and "pihak_lain" in before
    res = runner.invoke(cli, ["pkt", "import", str(p), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["matched"] == 2
    assert rekap() == before


# -- bug 2: masked values are never matched nor stored; nothing is merged ----------------------


def _export_rows(store: Store, **kw: Any) -> list[dict[str, str]]:
    out = io.StringIO()
    export_pkt(store, out, **kw)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _many(n: int) -> Store:
    """n UMKM in one kelurahan, owners' NIKs sharing their first 6 digits; every third has no NIB."""
    store = open_store("memory://")
    ops = []
    for i in range(n):
        nib = None if i % 3 == 0 else f"91200012{i:05d}"
        rec = _umkm(f"Usaha {i}", f"317101450180{i:04d}", nib, pemilik=f"Pemilik Nomor {i}")
        ops.append(WriteOp("umkm", f"U{i}", rec, Provenance(SumberData.KELURAHAN),
                           atribut={"skala": "mikro"}))  # fmt: skip
    store.write_batch(ops)
    return store


def test_reimporting_a_masked_export_neither_merges_nor_stores_masked_values() -> None:
    store = _many(30)
    rows = _export_rows(store)
    assert rows and all("*" in r["nik_penduduk"] for r in rows)
    for i, r in enumerate(rows):
        r["id_anggota"] = f"JP-{i}"  # the PKT app's own member ids
        r["tahap_pkt"] = "P2"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    rep = import_pkt_members(store, io.StringIO(buf.getvalue()))
    assert rep.input == 30 == rep.accepted + rep.rejected
    assert rep.created == 0
    assert rep.matched == 20  # the rows with a NIB
    assert rep.issue_counts.get("PKT_NILAI_TERSAMAR", 0) >= 10
    assert {r["codes"][0] for r in rep.rejected_rows} == {"PKT_NILAI_TERSAMAR"}
    records = _all_umkm(store)
    assert len(records) == 30
    assert not any("*" in (u.pemilik.nik_penduduk or "") + (u.pemilik.nama or "") for u in records)
    # each member id went to exactly one record, each record got at most one
    members = [u.atribut_lain.get("pkt_id_anggota") for u in records]
    taken = [m for m in members if m]
    assert len(taken) == len(set(taken)) == 20


@settings(max_examples=40)
@given(
    prefix=st.text("0123456789", min_size=6, max_size=6),
    stars=st.integers(1, 10),
    nama=st.sampled_from(["S** W******", "B***", "*", "A** L******"]),
    n=st.integers(1, 6),
)
def test_masked_rows_never_create_nor_merge(prefix: str, stars: int, nama: str, n: int) -> None:
    store = _two()
    before = {s.id: s.content_hash for s in store.iter_records("umkm")}
    nik = prefix + "*" * stars
    text = HEADER + "".join(f"JP-{i},{nik},{nama},Usaha {i},,P1\n" for i in range(n))
    rep = import_pkt_members(store, io.StringIO(text))
    assert rep.input == n == rep.rejected and rep.created == rep.matched == 0
    assert {s.id: s.content_hash for s in store.iter_records("umkm")} == before


def test_identifiers_pointing_at_different_records_are_not_merged() -> None:
    store = _two()
    # the NIB is Budi's, the NIK Sri's
    rep = import_pkt_members(
        store, io.StringIO(HEADER + f"JP-7,{NIK_SRI},Sri,Toko,9120001234568,P1\n")
    )
    assert rep.rejected == 1 and "PKT_ANGGOTA_GANDA" in rep.issue_counts
    # one owner, two businesses: a NIK alone does not say which
    _put(store, "U-sri-2", _umkm("Katering Sri", NIK_SRI), SumberData.SUDIN)
    rep = import_pkt_members(store, io.StringIO(HEADER + f"JP-8,{NIK_SRI},Sri,Warung Sri,,P1\n"))
    assert rep.rejected == 1 and "PKT_ANGGOTA_GANDA" in rep.issue_counts
    # a record that is already PKT member JP-2 is not given to JP-9 too
    import_pkt_members(store, io.StringIO(HEADER + "JP-2,,,Toko Budi,9120001234568,P3\n"))
    rep = import_pkt_members(store, io.StringIO(HEADER + "JP-9,,,Toko Budi,9120001234568,P4\n"))
    assert rep.rejected == 1 and "PKT_ID_ANGGOTA_BERBEDA" in rep.issue_counts
    budi = store.get("umkm", "umkm-nib-9120001234568")
    assert budi is not None and isinstance(budi.record, Umkm)
    assert budi.record.atribut_lain["pkt_tahap"] == "P3"
    for s in store.iter_records("umkm"):
        assert not s.id.startswith("PKT:")


def test_a_member_found_by_its_member_id_after_its_nik_is_gone() -> None:
    store = _two()
    import_pkt_members(store, io.StringIO(HEADER + f"JP-1,{NIK_SRI},Sri,Warung Sri,,P1\n"))
    rep = import_pkt_members(store, io.StringIO(HEADER + "JP-1,317101**********,S**,Warung Sri,,P4\n"))
    assert (rep.matched, rep.created) == (1, 0)
    sri = store.get("umkm", "umkm-nib-9120001234567")
    assert sri is not None and isinstance(sri.record, Umkm)
    assert sri.record.atribut_lain["pkt_tahap"] == "P4"


def test_new_members_go_through_the_umkm_form_and_wait_for_verification() -> None:
    store = open_store("memory://")
    text = FORM + (
        f"JP-1,{NIK_SRI},Sri Wahyuni,P,Warung Sri,,Jl. Kenanga 1,31.71.01.1001,56102,"
        "15000000,300000000,2,2015-03-01,P2\n"
        "JP-2,3171010101800003,Ani,P,Toko Ani,12345,Jl. X,31.71.01.1001,47111,"
        "1000000,5000000,1,2020-01-01,P1\n"
        "JP-3,3171010101800004,Budi,L,Bengkel,,,,,,,,,P1\n"
    )
    rep = import_pkt_members(store, io.StringIO(text))
    assert (rep.input, rep.created, rep.rejected) == (3, 1, 2)
    assert rep.issue_counts["PKT_ANGGOTA_BARU_TIDAK_LOLOS"] == 2
    codes = {i.code: i for i in rep.issues}
    assert any(i.row == 2 and i.field == "nib" for i in rep.issues), codes  # nib=12345 refused
    assert any(i.row == 3 and i.field == "kode_wilayah" for i in rep.issues)
    made = store.get("umkm", "PKT:JP-1")
    assert made is not None and isinstance(made.record, Umkm)
    assert made.status is VerificationStatus.MENUNGGU
    assert made.provenance.sumber is SumberData.PIHAK_LAIN
    assert made.atribut["skala"] == "mikro"
    assert made.record.alamat.kode_wilayah == "31.71.01.1001"
    assert made.record.atribut_lain == {"pkt_id_anggota": "JP-1", "pkt_tahap": "P2"}
    assert store.get("umkm", "PKT:JP-2") is None and store.get("umkm", "PKT:JP-3") is None
    again = import_pkt_members(store, io.StringIO(text))
    assert (again.matched, again.created) == (1, 0)
    assert len(store.history("umkm", "PKT:JP-1")) == 1


# -- bug 3: the export's id carries nothing derived from personal data ----------------------


def _hash_id(nama: str, nik: str, kode: str) -> str:
    blob = "\x1f".join([nama.casefold(), nik, kode, ""]).encode("utf-8")
    return "umkm-h-" + hashlib.blake2b(blob, digest_size=10).hexdigest()


def test_masked_export_shows_no_record_id_made_from_the_nik() -> None:
    store = open_store("memory://")
    nik_h, nik_src = "3171014501800008", "3171014501800009"
    hid = _hash_id("Warung Tuti", nik_h, "31.71.01.1001")
    _put(store, hid, _umkm("Warung Tuti", nik_h), SumberData.PELAKU_USAHA)
    _put(store, f"umkm-src-pelaku_usaha-{nik_src}", _umkm("Warung Ani", nik_src),
         SumberData.PELAKU_USAHA)  # fmt: skip
    # a PKT member id that is a NIK (or a kukm id kept by an older import) is not printed either
    _put(store, "U3", _umkm("Toko", "3171014501800007", atribut_lain={"pkt_id_anggota": "3171014501800007"}),
         SumberData.SUDIN)  # fmt: skip
    _put(store, "U4", _umkm("Toko 2", "3171014501800006", atribut_lain={"pkt_id_anggota": hid}),
         SumberData.SUDIN)  # fmt: skip
    for kunci in (None, KUNCI):
        out = io.StringIO()
        export_pkt(store, out, kunci=kunci)
        text = out.getvalue()
        for secret in (nik_h, nik_src, "3171014501800007", hid, "umkm-", "U3", "U4"):
            assert secret not in text
        ids = [r["id_anggota"] for r in csv.DictReader(io.StringIO(text))]
        if kunci is None:
            assert ids == ["", "", "", ""]
        else:
            assert all(i.startswith("kukm-") for i in ids) and len(set(ids)) == 4


@settings(max_examples=40)
@given(
    nik=st.text("0123456789", min_size=16, max_size=16),
    nama=st.text("abcdefghij ", min_size=1, max_size=20).filter(str.strip),
)
def test_export_id_never_derives_from_the_nik(nik: str, nama: str) -> None:
    store = open_store("memory://")
    rid = _hash_id(nama, nik, "31.71.01.1001")
    _put(store, rid, _umkm(nama, nik), SumberData.PELAKU_USAHA)
    _put(store, f"umkm-src-pelaku_usaha-{nik}", _umkm(nama + " 2", nik), SumberData.PELAKU_USAHA)
    for kunci in (None, KUNCI):
        rows = _export_rows(store, kunci=kunci)
        for r in rows:
            assert nik not in r["id_anggota"] and r["id_anggota"] != rid
            assert r["id_anggota"] in ("", pkt.referensi(rid, KUNCI),
                                       pkt.referensi(f"umkm-src-pelaku_usaha-{nik}", KUNCI))  # fmt: skip


def test_references_of_a_keyed_export_match_on_reimport() -> None:
    store = _many(12)
    rows = _export_rows(store, kunci=KUNCI)
    for r in rows:
        r["tahap_pkt"] = "P5"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    # without the key a reference names nothing: rows with a NIB match, the others are refused
    blind = import_pkt_members(open_store("memory://"), io.StringIO(buf.getvalue()))
    assert blind.created == 0 and blind.issue_counts.get("PKT_REFERENSI_TIDAK_DIKENAL") == 12
    rep = import_pkt_members(store, io.StringIO(buf.getvalue()), kunci=KUNCI)
    assert (rep.matched, rep.created, rep.rejected) == (12, 0, 0)
    for u in _all_umkm(store):
        assert u.atribut_lain == {"pkt_tahap": "P5"}  # a reference is not a PKT member id


def test_kunci_file_is_checked(tmp_path: Path) -> None:
    short = tmp_path / "k"
    short.write_bytes(b"pendek")
    with pytest.raises(ConfigurationError) as err:
        pkt.load_kunci(short)
    assert err.value.code == "PKT_KUNCI_TIDAK_SAH"
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = CliRunner().invoke(cli, ["pkt", "import", str(short), "--kunci-file", str(short), "--db", db])
    assert res.exit_code == 2 and "PKT_KUNCI_TIDAK_SAH" in res.output


# -- bug 4: the file's shape, batching, region names -------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        HEADER.replace(",", ";") + f"JP-1;{NIK_SRI};Sri;Warung;;P1\nJP-2;;;Toko;;P1\n",
        "nik_penduduk,nama_usaha\n" + f"{NIK_SRI},Warung\n{NIK_BUDI},Toko\n",
    ],
)
def test_a_header_without_id_anggota_is_one_configuration_error(tmp_path: Path, body: str) -> None:
    p = tmp_path / "a.csv"
    p.write_text(body, encoding="utf-8")
    db = tmp_path / "k.sqlite"
    res = CliRunner().invoke(cli, ["pkt", "import", str(p), "--db", f"sqlite:///{db}", "--json"])
    assert res.exit_code == 2, res.output
    assert res.output.count("PKT_KOLOM_ID_ANGGOTA_TIDAK_ADA") == 1
    assert "PKT_TANPA_ID_ANGGOTA" not in res.output


def test_an_unterminated_quote_writes_nothing() -> None:
    store = _two()
    text = HEADER + "JP-10,,,Toko Budi,9120001234568,P2\n" + '"JP-11,unterminated\nJP-12,,,X,,P1\n'
    with pytest.raises(ConfigurationError) as err:
        import_pkt_members(store, io.StringIO(text))
    assert err.value.code == "PKT_BERKAS_TIDAK_TERBACA"
    assert all(s.version == 1 for s in store.iter_records("umkm"))
    assert store.get("umkm", "PKT:JP-11,unterminated\nJP-12,,,X,,P1\n") is None


def test_extra_cells_reject_the_row() -> None:
    store = _two()
    rep = import_pkt_members(store, io.StringIO(HEADER + "JP-2,,,Toko Budi,9120001234568,P3,lebih\n"))
    assert rep.rejected == 1 and rep.issue_counts == {"PKT_SEL_BERLEBIH": 1}
    budi = store.get("umkm", "umkm-nib-9120001234568")
    assert budi is not None and budi.version == 1


class _Counting:
    """A store that counts its write transactions."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.batches: list[int] = []

    def write_batch(self, ops: Sequence[WriteOp], *, batch_key: str | None = None) -> BatchResult:
        self.batches.append(len(ops))
        return self.inner.write_batch(ops, batch_key=batch_key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_writes_are_batched() -> None:
    inner = _many(45)
    store = _Counting(inner)
    rows = "".join(f"JP-{i},317101450180{i:04d},,,,P1\n" for i in range(45))
    rep = import_pkt_members(store, io.StringIO(HEADER + rows), batch_size=20)  # type: ignore[arg-type]
    assert rep.matched == 45
    assert store.batches == [20, 20, 5]
    # a row touching a record still waiting in the batch is written after it, not lost
    store.batches.clear()
    twice = HEADER + f"JP-1,{'317101450180' + '0001'},,,,P2\nJP-1,,,,,P3\n"
    rep = import_pkt_members(store, io.StringIO(twice))  # type: ignore[arg-type]
    assert rep.matched == 2 and len(store.batches) == 2
    u1 = inner.get("umkm", "U1")
    assert u1 is not None and isinstance(u1.record, Umkm) and u1.record.atribut_lain["pkt_tahap"] == "P3"


def test_export_fills_region_names_from_the_code() -> None:
    store = _two()
    rows = _export_rows(store)
    assert (rows[0]["kelurahan"], rows[0]["kecamatan"]) == ("Gambir", "Gambir")
    assert rows[0]["kabkota"].endswith("Jakarta Pusat")
    assert rows[1]["kelurahan"] == "Cideng"
