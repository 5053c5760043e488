"""A workbook as a Dinas sends it, end to end through ``kukm import``: a cover sheet, titles above
the table, the columns titled as people title them, places as names, amounts and dates as
written, and some NIKs typed into number cells. Every row is accounted for, the errors file
says why, and a NIK Excel may have cut is never stored until it is entered again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from kukm.cli import cli
from kukm.pipeline.readers import SEL_ANGKA_PANJANG
from kukm.plugins import open_store
from kukm.reference.wilayah import get_table
from kukm.synthetic import generate_umkm
from workbooks import write_xlsx

HEADER = [
    "No", "Nama UMKM", "No. NIB", "NPWP", "No. KTP", "Nama Pemilik Usaha", "L/P", "Alamat Usaha",
    "Kota", "Kecamatan", "Kelurahan", "Kode KBLI", "Modal (Rp)", "Omzet per Tahun (Rp)",
    "Jumlah Tenaga Kerja", "Tgl Mulai Usaha", "No. HP/WA", "E-mail", "Sumber",
]  # fmt: skip
NUMERIC_NIK = {3, 13, 23}  # 0-based rows whose NIK is a number cell


def _workbook(path: Path) -> Path:
    t = get_table()
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Petunjuk"
    cover.append(["Petunjuk pengisian data UMKM"])
    cover.append(["Isi NIB dan NPWP bila ada"])
    ws = wb.create_sheet("Data")
    ws.append(["DATA UMKM BINAAN 2025"])
    ws.append([])
    ws.append(HEADER)
    for i, r in enumerate(generate_umkm(30, seed=5, faulty_share=0.0)):
        d = r.data
        code = d["kode_wilayah"]
        names = [t.get(code.rsplit(".", k)[0]) for k in (2, 1, 0)]
        nik: Any = int(d["nik_pemilik"]) if i in NUMERIC_NIK else d["nik_pemilik"]
        modal = d["modal_usaha"]
        if modal.isdigit() and i % 2:
            modal = "Rp " + f"{int(modal):,}".replace(",", ".") + ",-"
        ws.append([
            i + 1, d["nama_usaha"], d["nib"], d["npwp"], nik, d["nama_pemilik"], d["jenis_kelamin"],
            d["alamat"], *(w.nama for w in names if w is not None), d["kbli"], modal,
            d["omzet_tahunan"], d["tenaga_kerja"], d["tanggal_berdiri"], d["telepon"], d["email"],
            d["sumber_data"],
        ])  # fmt: skip
    wb.save(path)
    return path


def _import(path: Path, db: str) -> tuple[int, dict[str, Any], str]:
    res = CliRunner().invoke(cli, ["import", str(path), "--kind", "umkm", "--db", db, "--json"])
    text = CliRunner().invoke(cli, ["validate", str(path), "--kind", "umkm"]).output
    return res.exit_code, json.loads(res.output), text


def test_a_dinas_workbook(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    book = _workbook(tmp_path / "dinas.xlsx")
    code, out, text = _import(book, db)
    assert code == 1
    assert (out["input"], out["accepted"], out["rejected"]) == (30, 27, 3)
    assert out["rejected_by_code"] == {SEL_ANGKA_PANJANG: 3}
    assert out["sheet"] == "Data" and out["header"]["line"] == 3
    assert out["header"]["unknown"] == ["No"] and out["header"]["missing"] == []
    assert out["wilayah_filled"] == 27 and out["wilayah_columns"] == ["Kota", "Kecamatan", "Kelurahan"]
    assert "sheet 'Data' read" in text and "(Kota, Kecamatan, Kelurahan)" in text
    errors = Path(out["errors_file"])

    # the errors file gives the NIK back as the number cell it was: unchanged, it is refused again
    wb = load_workbook(errors)
    ws = wb.active
    assert ws is not None
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    at = head.index("No. KTP")
    cells = [row[at] for row in ws.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["n"] * 3
    code, again, _ = _import(errors, db)
    assert (code, again["accepted"], again["rejected"], again["inserted"]) == (1, 0, 3, 0)

    # entered again as text, the three rows are stored
    for c in cells:
        c.value = str(c.value)
    wb.save(errors)
    code, fixed, _ = _import(errors, db)
    assert (code, fixed["accepted"], fixed["rejected"], fixed["inserted"]) == (0, 3, 0, 3)

    # the workbook imported again adds nothing
    code, replay, _ = _import(book, db)
    assert (replay["inserted"], replay["accepted"], replay["rejected"]) == (0, 27, 3)
    store = open_store(db)
    try:
        assert store.count("umkm") == 30
        kode = {r.record.alamat.kode_wilayah for r in store.iter_records("umkm")}
        assert all(k and k.count(".") == 3 for k in kode)
    finally:
        store.close()


def test_a_dinas_koperasi_sheet(tmp_path: Path) -> None:
    """A koperasi sheet as a Suku Dinas keeps it: Dinas titles, the source as the decree names
    it, places as names, English-grouped assets, '-' for none. Every row stored with its code and
    source; the same file again adds nothing."""
    from kukm.synthetic import generate_koperasi

    t = get_table()
    titles = {
        "nama": "Nama Koperasi", "nomor_badan_hukum": "No. Badan Hukum",
        "tanggal_badan_hukum": "Tgl Badan Hukum", "alamat": "Alamat Kantor", "bentuk": "Bentuk",
        "jenis": "Jenis", "total_anggota": "Jumlah Anggota", "aset": "Total Aset (Rp)",
        "tanggal_rat_terakhir": "Tanggal RAT", "sumber_data": "Sumber",
        "anggota_pria": "Anggota Laki-laki", "anggota_wanita": "Anggota Perempuan",
        "total_karyawan": "Jumlah Karyawan", "sektor_usaha": "Bidang Usaha",
    }  # fmt: skip
    rows = [r.data for r in generate_koperasi(25, seed=6, faulty_share=0.0)]
    cols = [c for c in rows[0] if c not in ("kode_wilayah", "id_sumber")]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["DATA KOPERASI AKTIF"])
    ws.append([titles.get(c, c) for c in cols] + ["Kota", "Kecamatan", "Kelurahan"])
    for i, d in enumerate(rows):
        code = d["kode_wilayah"]
        names = [w.nama for w in (t.get(code.rsplit(".", k)[0]) for k in (2, 1, 0)) if w is not None]
        cells = {**d, "sumber_data": "Dekopinwil" if i % 2 else "Suku Dinas", "grade": "-"}
        if d.get("aset", "").isdigit():
            cells["aset"] = f"{int(d['aset']):,}"
        ws.append([cells.get(c, "") for c in cols] + names)
    path = tmp_path / "koperasi.xlsx"
    wb.save(path)
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = CliRunner().invoke(cli, ["import", str(path), "--kind", "koperasi", "--db", db, "--json"])
    out = json.loads(res.output)
    assert res.exit_code == 0, out["rejected_by_code"]
    assert (out["input"], out["accepted"], out["wilayah_filled"]) == (25, 25, 25)
    assert out["header"]["missing"] == [] and out["header"]["unknown"] == []
    store = open_store(db)
    try:
        stored = list(store.iter_records("koperasi"))
        assert {r.record.alamat.kode_wilayah for r in stored} == {d["kode_wilayah"] for d in rows}
        assert {r.provenance.sumber.value for r in stored} == {"dekopin", "sudin"}
        assert all(r.record.grade is None for r in stored)
        aset = {r.record.nomor_badan_hukum: r.record.keuangan.aset for r in stored if r.record.keuangan}
        want = {d["nomor_badan_hukum"]: int(d["aset"]) for d in rows if d.get("aset", "").isdigit()}
        assert {k: aset.get(k) for k in want} == want and want
        counts = {
            r.record.nomor_badan_hukum: (r.record.anggota_pria, r.record.anggota_wanita, r.record.total_karyawan)
            for r in stored
        }
        assert counts == {
            d["nomor_badan_hukum"]: tuple(
                int(d[k]) if d.get(k) else None for k in ("anggota_pria", "anggota_wanita", "total_karyawan")
            )
            for d in rows
        }
    finally:
        store.close()
    again = CliRunner().invoke(cli, ["import", str(path), "--kind", "koperasi", "--db", db, "--json"])
    assert json.loads(again.output)["inserted"] == 0


def test_a_sheet_chosen_by_name(tmp_path: Path) -> None:
    """--sheet reads the sheet asked for (any case); each sheet of one workbook is imported as
    its own data (its batches are not taken for another sheet's); an unknown sheet, or --sheet
    on a CSV, is SHEET_TIDAK_ADA (exit 2)."""
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm

    wanted = {}
    sheets: list[tuple[str, list[list[Any]]]] = []
    for title, seed in (("Data 2023", 31), ("Data 2024", 32)):
        rows = [r.data for r in generate_umkm(12, seed=seed, faulty_share=0.0)]
        for i, d in enumerate(rows):
            d["nib"] = f"91{seed:02d}0000000{i:02d}"[:13]
        sheets.append((title, [list(UMKM_COLUMNS), *[[d.get(c, "") for c in UMKM_COLUMNS] for d in rows]]))
        wanted[title] = {d["nib"] for d in rows}
    path = write_xlsx(tmp_path / "dua.xlsx", sheets)
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    runner = CliRunner()

    def nibs() -> set[str]:
        store = open_store(db)
        try:
            return {r.record.nib for r in store.iter_records("umkm")}
        finally:
            store.close()

    first = json.loads(runner.invoke(cli, ["import", str(path), "--kind", "umkm", "--db", db, "--json"]).output)
    assert first["sheet"] == "Data 2023" and nibs() == wanted["Data 2023"]
    res = runner.invoke(cli, ["import", str(path), "--kind", "umkm", "--db", db, "--json", "--sheet", "data 2024"])
    out = json.loads(res.output)
    assert res.exit_code == 0 and out["sheet"] == "Data 2024" and out["inserted"] == 12
    assert nibs() == wanted["Data 2023"] | wanted["Data 2024"]
    res = runner.invoke(cli, ["validate", str(path), "--kind", "umkm", "--sheet", "Data 2025"])
    assert res.exit_code == 2 and "SHEET_TIDAK_ADA" in res.output and "'Data 2024'" in res.output
    csv_path = tmp_path / "u.csv"
    csv_path.write_text(",".join(UMKM_COLUMNS) + "\n", encoding="utf-8")
    res = runner.invoke(cli, ["validate", str(csv_path), "--kind", "umkm", "--sheet", "Data"])
    assert res.exit_code == 2 and "SHEET_TIDAK_ADA" in res.output


def test_all_sheets_reads_a_workbook_kept_one_sheet_per_kecamatan(tmp_path: Path) -> None:
    """--all-sheets imports every sheet holding a table of the form (not the instructions
    sheet), each with its own errors file; totals add up; the same again adds nothing."""
    from kukm.pipeline import data_sheets
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm

    rows = [r for r in generate_umkm(36, seed=41, faulty_share=0.2)]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Petunjuk"
    ws.append(["Isi satu lembar per kecamatan; kolom nama_usaha dan nib wajib."])
    titles = ["Gambir", "Tanah Abang", "Senen"]
    for k, title in enumerate(titles):
        sheet = wb.create_sheet(title)
        sheet.append(list(UMKM_COLUMNS))
        for r in rows[k * 12 : (k + 1) * 12]:
            sheet.append([r.data.get(c, "") for c in UMKM_COLUMNS])
    path = tmp_path / "perkec.xlsx"
    wb.save(path)
    assert data_sheets(path, kind="umkm") == titles
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = CliRunner().invoke(cli, ["import", str(path), "--kind", "umkm", "--db", db, "--all-sheets", "--json"])
    out = json.loads(res.output)
    faulty = sum(1 for r in rows if r.fault)
    assert [s["sheet"] for s in out["sheets"]] == titles
    assert (out["input"], out["rejected"]) == (36, faulty) and out["accepted"] + out["rejected"] == 36
    assert res.exit_code == (1 if faulty else 0)
    for s, title in zip(out["sheets"], titles, strict=True):
        per_sheet = sum(1 for r in rows[titles.index(title) * 12 :][:12] if r.fault)
        assert s["rejected"] == per_sheet
        if per_sheet:
            assert s["errors_file"].endswith(f".{title.replace(' ', '_')}.xlsx")
            assert Path(s["errors_file"]).exists()
    store = open_store(db)
    try:
        assert store.count("umkm") == out["inserted"] == 36 - faulty
    finally:
        store.close()
    again = CliRunner().invoke(cli, ["import", str(path), "--kind", "umkm", "--db", db, "--all-sheets", "--json"])
    assert json.loads(again.output)["inserted"] == 0


def test_all_sheets_takes_a_business_on_two_sheets_for_a_duplicate(tmp_path: Path) -> None:
    """One workbook is one input: a business repeated on a later sheet (here with another
    address) is BARIS_DUPLIKAT in that sheet's errors file, as two rows of one sheet are; it
    became a second version of the record without a word."""
    from kukm.synthetic import UMKM_COLUMNS, generate_umkm

    rows = [r.data for r in generate_umkm(8, seed=43, faulty_share=0.0)]
    moved = rows[1] | {"alamat": "Jl. Pindah No. 1"}
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "Gambir"
    second = wb.create_sheet("Senen")
    for sheet, part in ((first, rows[:5]), (second, [*rows[5:], moved])):
        sheet.append(list(UMKM_COLUMNS))
        for r in part:
            sheet.append([r.get(c, "") for c in UMKM_COLUMNS])
    path = tmp_path / "dua.xlsx"
    wb.save(path)
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = CliRunner().invoke(cli, ["import", str(path), "--kind", "umkm", "--db", db, "--all-sheets", "--json"])
    assert res.exit_code == 1, res.output
    out = json.loads(res.output)
    assert (out["accepted"], out["rejected"], out["inserted"], out["updated"]) == (8, 1, 8, 0)
    senen = out["sheets"][1]
    assert senen["rejected_by_code"] == {"BARIS_DUPLIKAT": 1}
    errors = load_workbook(senen["errors_file"]).active
    assert errors is not None
    got = list(errors.iter_rows(values_only=True))
    assert got[1][list(got[0]).index("_row")] == 4 and got[1][list(got[0]).index("alamat")] == "Jl. Pindah No. 1"
