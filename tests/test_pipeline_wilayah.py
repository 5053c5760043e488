"""The region code read from region names (kukm.pipeline.wilayah), end to end through run_file."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.pipeline import run_file
from kukm.pipeline.wilayah import (
    NAME_COLUMNS,
    WILAYAH_NAMA_TIDAK_DIKENAL,
    WilayahFill,
    owner_qualified,
)
from kukm.reference.wilayah import get_table
from kukm.synthetic import generate_umkm

ROWS = [r.data for r in generate_umkm(30, seed=11, faulty_share=0.0)]


def _names(code: str) -> tuple[str, str, str]:
    t = get_table()
    kel = t.get(code)
    kec = t.get(code.rsplit(".", 1)[0])
    kab = t.get(code.rsplit(".", 2)[0])
    assert kel is not None and kec is not None and kab is not None
    return kab.nama, kec.nama, kel.nama


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _stored(path: Path, errors: Path) -> tuple[Any, dict[str, Any]]:
    store = MemoryStore()
    summary = run_file(path, kind="umkm", store=store, workers=0, errors_path=errors)
    records = {r.id: r.record for r in store.iter_records("umkm")}
    return summary, records


@settings(max_examples=15, deadline=None)
@given(
    named=st.sets(st.integers(min_value=0, max_value=len(ROWS) - 1)),
    keep_column=st.booleans(),
    titles=st.tuples(
        st.sampled_from(["Kota", "Kabupaten/Kota", "KAB_KOTA", "Kota Administrasi"]),
        st.sampled_from(["Kecamatan", "KEC."]),
        st.sampled_from(["Kelurahan", "Kelurahan / Desa", "kel"]),
    ),
    prefix=st.sampled_from(["", "Kel. ", "KELURAHAN "]),
)
def test_names_give_the_same_records_as_codes(
    named: set[int], keep_column: bool, titles: tuple[str, str, str], prefix: str
) -> None:
    """A file giving some rows' places as names (code blank, or no code column at all) stores
    exactly what the file with every code stores, and says how many rows it filled."""
    base = list(ROWS[0])
    with tempfile.TemporaryDirectory() as d:
        plain = _write(Path(d) / "plain.csv", base, [list(r.values()) for r in ROWS])
        header = [c for c in base if keep_column or c != "kode_wilayah"] + list(titles)
        body = []
        for i, r in enumerate(ROWS):
            kab, kec, kel = _names(r["kode_wilayah"])
            use_names = i in named or not keep_column
            cells = [
                ("" if use_names and c == "kode_wilayah" else v)
                for c, v in r.items()
                if keep_column or c != "kode_wilayah"
            ]
            body.append([*cells, kab, kec, prefix + kel])
        named_file = _write(Path(d) / "named.csv", header, body)
        want, want_records = _stored(plain, Path(d) / "e1.csv")
        got, got_records = _stored(named_file, Path(d) / "e2.csv")
    assert (got.accepted, got.rejected) == (want.accepted, want.rejected) == (len(ROWS), 0)
    assert got_records == want_records
    assert got.wilayah_filled == (len(named) if keep_column else len(ROWS))
    assert "kode_wilayah" not in got.header.missing  # type: ignore[union-attr]
    assert got.header.unknown == ()  # type: ignore[union-attr]  # the names are used, not ignored
    assert got.wilayah_columns == titles


def test_names_that_name_no_single_kelurahan_reject_the_row(tmp_path: Path) -> None:
    """Unknown or missing kelurahan, a kecamatan of another kota: WILAYAH_NAMA_TIDAK_DIKENAL on
    kode_wilayah with the names quoted; a row with a code keeps it whatever its names say; the
    errors file carries the added kode_wilayah column and imports once corrected."""
    base = [c for c in ROWS[0] if c != "kode_wilayah"]
    kab, kec, kel = _names(ROWS[0]["kode_wilayah"])
    rows = []
    places = [
        (kab, kec, kel),  # good
        (kab, kec, "Atlantis"),  # no such kelurahan
        (kab, kec, ""),  # only a kecamatan
        ("", "Tidak Ada", kel),  # no such kecamatan
        ("", "", ""),  # no names: the form's REQUIRED_MISSING
    ]
    for r, (a, b, c) in zip(ROWS, places, strict=False):
        rows.append([r[k] for k in base] + [a, b, c])
    path = _write(tmp_path / "u.csv", [*base, "Kota", "Kecamatan", "Kelurahan"], rows)
    errors = tmp_path / "u.errors.csv"
    summary, _ = _stored(path, errors)
    assert (summary.accepted, summary.rejected, summary.wilayah_filled) == (1, 4, 1)
    with open(errors, encoding="utf-8-sig", newline="") as fh:
        got = {int(e["_row"]): (e["_codes"], e["_fields"], e["kode_wilayah"]) for e in csv.DictReader(fh)}
    assert got == {
        2: (WILAYAH_NAMA_TIDAK_DIKENAL, "kode_wilayah", ""),
        3: (WILAYAH_NAMA_TIDAK_DIKENAL, "kode_wilayah", ""),
        4: (WILAYAH_NAMA_TIDAK_DIKENAL, "kode_wilayah", ""),
        5: ("REQUIRED_MISSING", "kode_wilayah", ""),
    }
    # the officer fills in the codes in the errors file and imports it
    with open(errors, encoding="utf-8-sig", newline="") as fh:
        fixed = list(csv.DictReader(fh))
    for e in fixed:
        e["kode_wilayah"] = ROWS[int(e["_row"]) - 1]["kode_wilayah"]
    again = _write(tmp_path / "fixed.csv", list(fixed[0]), [list(e.values()) for e in fixed])
    second, _ = _stored(again, tmp_path / "e3.csv")
    assert (second.accepted, second.rejected, second.wilayah_filled) == (4, 0, 0)


def test_a_given_code_is_never_overwritten(tmp_path: Path) -> None:
    """Names that disagree with the code change nothing: the code is checked as usual."""
    r = ROWS[0]
    other = next(x for x in ROWS if x["kode_wilayah"] != r["kode_wilayah"])
    kab, kec, kel = _names(other["kode_wilayah"])
    path = _write(tmp_path / "u.csv", [*r, "Kota", "Kecamatan", "Kelurahan"], [[*r.values(), kab, kec, kel]])
    summary, records = _stored(path, tmp_path / "e.csv")
    assert summary.wilayah_filled == 0
    (rec,) = records.values()
    assert rec.alamat.kode_wilayah == r["kode_wilayah"]


@pytest.mark.parametrize(
    ("columns", "fields", "applies"),
    [
        (["Kecamatan", "Kelurahan"], ["kode_wilayah"], True),
        (["kec", "desa"], ["kode_wilayah"], True),
        (["Kelurahan"], ["kode_wilayah"], False),  # a kelurahan name alone is not enough
        (["Kecamatan", "Kelurahan"], ["nama"], False),  # a form without the field
    ],
)
def test_plan(columns: list[str], fields: list[str], applies: bool) -> None:
    assert (WilayahFill.plan(columns, fields) is not None) is applies
    assert all(k == k.lower() for keys in NAME_COLUMNS.values() for k in keys)


@pytest.mark.parametrize(("suffix", "workers"), [(".csv", 1), (".csv", 2), (".xlsx", 0), (".xlsx", 1)])
def test_names_in_the_reader_process_a_pool_and_xlsx(tmp_path: Path, suffix: str, workers: int) -> None:
    """The same rows by names store the same records with a reader process, a pool, or from a
    workbook, and the filled count crosses from the reader process."""
    from openpyxl import Workbook

    base = [c for c in ROWS[0] if c != "kode_wilayah"]
    header = [*base, "Kota", "Kecamatan", "Kelurahan"]
    body = [[r[k] for k in base] + list(_names(r["kode_wilayah"])) for r in ROWS]
    body[3][-1] = "Atlantis"
    csv_path = _write(tmp_path / "u.csv", header, body)
    path = csv_path
    if suffix == ".xlsx":
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(header)
        for b in body:
            ws.append(b)
        path = tmp_path / "u.xlsx"
        wb.save(path)
    want, want_records = _stored(csv_path, tmp_path / "e0.csv")
    store = MemoryStore()
    got = run_file(path, kind="umkm", store=store, workers=workers, batch_size=7, errors_path=tmp_path / "e.csv")
    assert {r.id: r.record for r in store.iter_records("umkm")} == want_records
    assert (got.accepted, got.rejected, got.wilayah_filled) == (want.accepted, want.rejected, want.wilayah_filled) == (29, 1, 29)
    assert got.by_code == want.by_code == {WILAYAH_NAMA_TIDAK_DIKENAL: 1}


def test_koperasi_names_give_the_most_specific_code_and_reject_nothing(ods_sample_path: Path) -> None:
    """The koperasi form's code is optional: the 689 real ODS rows (names, no code; a third of
    them with ODS's own kelurahan numbers) are all accepted, each with the code the ODS
    conversion's resolver gives (kelurahan, else kecamatan), never a guessed one."""
    import json

    from kukm.reference.wilayah import resolve_alamat

    store = MemoryStore()
    summary = run_file(
        ods_sample_path, kind="koperasi", store=store, workers=0, source="ods",
        errors_path=Path(tempfile.mkdtemp()) / "e.csv",
    )  # fmt: skip
    assert (summary.rejected, summary.accepted) == (0, 689)
    stored = {
        r.record.nomor_induk_koperasi: r.record.alamat.kode_wilayah
        for r in store.iter_records("koperasi")
    }
    assert len(stored) == 689
    for line in Path(ods_sample_path).read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        want = resolve_alamat(d["Provinsi"], d["Kabupaten"], d["Kecamatan"], d["Kelurahan / Desa"])
        assert stored[d["Nomor Induk Koperasi (NIK)"]] == want
    levels = [c.count(".") for c in stored.values() if c]
    assert summary.wilayah_filled == len(levels) and min(levels) >= 1 and 3 in levels


@settings(max_examples=10, deadline=None)
@given(dotted=st.sets(st.integers(min_value=0, max_value=len(ROWS) - 1)), kec_blank=st.booleans())
def test_a_dotted_code_in_a_name_column_is_that_code(dotted: set[int], kec_blank: bool) -> None:
    """A kelurahan column holding the dotted Kemendagri code (known to the table) gives that
    code, whatever the kecamatan cell says; an unknown dotted code is refused like a bad name."""
    base = [c for c in ROWS[0] if c != "kode_wilayah"]
    body = []
    for i, r in enumerate(ROWS):
        kab, kec, kel = _names(r["kode_wilayah"])
        if i in dotted:
            kel = r["kode_wilayah"]
            kec = "" if kec_blank else kec
        body.append([r[k] for k in base] + [kab, kec, kel])
    body.append([ROWS[0][k] for k in base] + ["", "", "99.99.99.9999"])
    with tempfile.TemporaryDirectory() as d:
        named = _write(Path(d) / "n.csv", [*base, "Kota", "Kecamatan", "Kelurahan"], body)
        plain = _write(Path(d) / "p.csv", list(ROWS[0]), [list(r.values()) for r in ROWS])
        got, got_records = _stored(named, Path(d) / "e.csv")
        _, want_records = _stored(plain, Path(d) / "e2.csv")
    assert (got.accepted, got.rejected) == (len(ROWS), 1)
    assert got.by_code == {WILAYAH_NAMA_TIDAK_DIKENAL: 1}
    assert got_records == want_records


# -- column titles as Dinas sheets write them ------------------------------------------------

#: title → the level it gives (None: not a region column, or the owner's region)
TITLE_LEVELS: list[tuple[str, str | None]] = [
    # found before, found still
    ("Kelurahan", "kelurahan"), ("Kel.", "kelurahan"), ("Desa/Kelurahan", "kelurahan"),
    ("Kelurahan / Desa", "kelurahan"), ("desa", "kelurahan"), ("Kecamatan", "kecamatan"),
    ("Kec", "kecamatan"), ("KEC.", "kecamatan"), ("Kota/Kab", "kab_kota"),
    ("Kab/Kota", "kab_kota"), ("Kota Administrasi", "kab_kota"), ("Propinsi", "provinsi"),
    # numbered, abbreviated, named, with a filling note
    ("1. Kelurahan", "kelurahan"), ("3a) Kel.", "kelurahan"), ("Kel. / Desa", "kelurahan"),
    ("Nama Kelurahan", "kelurahan"), ("Kelurahan (wajib diisi)", "kelurahan"),
    ("Kelurahan [sesuai NIB]", "kelurahan"), ("(2) Kecamatan", "kecamatan"),
    ("2. Kec.", "kecamatan"), ("Nama Kecamatan:", "kecamatan"), ("B. Kab./Kota", "kab_kota"),
    ("1. Kota/Kab.", "kab_kota"), ("Kota Adm.", "kab_kota"), ("4) Prov.", "provinsi"),
    # the owner's region (home, KTP, domicile) is not the business's
    ("Kelurahan (sesuai KTP)", None), ("Kelurahan KTP", None), ("Kelurahan Domisili", None),
    ("1. Kecamatan Pemilik", None), ("Kota Tempat Tinggal", None), ("Kel. (Rumah)", None),
    # not a region's name
    ("Kode Kelurahan", None), ("Kelurahan (per bulan)", None), ("Alamat", None),
    ("Kelurahan Kode", None), ("No. Kelurahan", None),
]  # fmt: skip

_OTHER = {"kelurahan": "Kecamatan", "kecamatan": "Kelurahan"}


def _levels_found(title: str, level: str) -> dict[str, str]:
    """Column → level, as the filler plans a file with ``title`` beside a base of titles that
    complete it (a kecamatan and a kelurahan column)."""
    columns = [title, _OTHER[level]] if level in _OTHER else ["Kecamatan", "Kelurahan", title]
    fill = WilayahFill.plan(columns, ["kode_wilayah"])
    if fill is None:
        return {}
    return {columns[i]: lv for lv, i in fill._names.items()}


@pytest.mark.parametrize(("title", "level"), TITLE_LEVELS)
def test_region_titles_as_sheets_write_them(title: str, level: str | None) -> None:
    """Numbered, abbreviated and noted titles give their level; one qualified as the owner's
    (KTP, domicile, home) is never read as the business's region, nor is a code or a figure."""
    if level is None:  # in no place of a file
        for lv in ("kelurahan", "kecamatan", "kab_kota", "provinsi"):
            assert title not in _levels_found(title, lv)
    else:
        assert _levels_found(title, level).get(title) == level


@pytest.mark.parametrize(("title", "level"), TITLE_LEVELS)
def test_name_level_and_owner_qualified(title: str, level: str | None) -> None:
    """The public reading of one title: its level, and whether it is the owner's region."""
    from kukm.pipeline.wilayah import name_level, owner_qualified

    assert name_level(title) == level
    qualified = any(w in title.casefold() for w in ("ktp", "domisili", "pemilik", "tinggal", "rumah"))
    assert (owner_qualified(title) is not None) is qualified


FOUND = [(t, lv) for t, lv in TITLE_LEVELS if lv is not None and t[:2].isalpha()]  # unnumbered
NUMBERING = st.sampled_from(["", "1. ", "2) ", "(3) ", "4.1 ", "B. ", "c) ", "12: ", "[5] "])


@settings(max_examples=200, deadline=None)
@given(
    found=st.sampled_from(FOUND),
    numbering=NUMBERING,
    upper=st.lists(st.booleans(), min_size=40, max_size=40),
    spaces=st.tuples(st.integers(0, 3), st.integers(1, 3), st.integers(0, 3)),
    colon=st.booleans(),
)
def test_numbering_case_and_spacing_keep_a_title_found(
    found: tuple[str, str], numbering: str, upper: list[bool],
    spaces: tuple[int, int, int], colon: bool,
) -> None:  # fmt: skip
    """A found title stays found, at its level, whatever its numbering, case and spacing."""
    title, level = found
    lead, inner, trail = spaces
    varied = " " * lead + numbering + title.replace(" ", " " * inner) + (":" if colon else "")
    varied = "".join(c.upper() if up else c.lower() for c, up in zip(varied, upper * 2, strict=False))
    varied += " " * trail
    got = _levels_found(varied, level)
    assert got.get(varied) == level
    assert sorted(got.values()) == sorted(_levels_found(title, level).values())


def test_a_plain_title_keeps_its_column_before_a_numbered_one() -> None:
    """A title found by its key (as before) gives the level even after one found only by its
    normal key; the owner's kelurahan column is left, said why, and a business one used."""
    fill = WilayahFill.plan(
        ["Kelurahan (sesuai KTP)", "1. Kelurahan", "2. Kec.", "Kelurahan"], ["kode_wilayah"]
    )
    assert fill is not None
    assert fill.sources == ["2. Kec.", "Kelurahan"]
    why = owner_qualified("Kelurahan (sesuai KTP)")  # what the import's header report says
    assert why is not None and "owner" in why


def test_numbered_titles_give_the_same_records_and_the_ktp_column_is_not_read(
    tmp_path: Path,
) -> None:
    """End to end: a sheet titling its places "1. Kota/Kab.", "2. Kec.", "3. Kel. / Desa"
    stores what the sheet with codes stores; a "Kelurahan (sesuai KTP)" column (the owner's
    home, here another kelurahan) is an unknown column and gives no code, even alone."""
    base = [c for c in ROWS[0] if c != "kode_wilayah"]
    other = _names(ROWS[-1]["kode_wilayah"])[2]
    header = [*base, "Kelurahan (sesuai KTP)", "1. Kota/Kab.", "2. Kec.", "3. Kel. / Desa"]
    body = [[r[k] for k in base] + [other, *_names(r["kode_wilayah"])] for r in ROWS]
    named = _write(tmp_path / "n.csv", header, body)
    plain = _write(tmp_path / "p.csv", list(ROWS[0]), [list(r.values()) for r in ROWS])
    got, got_records = _stored(named, tmp_path / "e.csv")
    _, want_records = _stored(plain, tmp_path / "e2.csv")
    assert (got.accepted, got.rejected, got.wilayah_filled) == (len(ROWS), 0, len(ROWS))
    assert got_records == want_records
    assert got.wilayah_columns == ("1. Kota/Kab.", "2. Kec.", "3. Kel. / Desa")
    assert got.header.unknown == ("Kelurahan (sesuai KTP)",)  # type: ignore[union-attr]
    # the KTP kelurahan alone (with the kecamatan) gives no code: the rows lack it
    only_ktp = _write(
        tmp_path / "k.csv", [*base, "Kecamatan", "Kelurahan (sesuai KTP)"],
        [[r[k] for k in base] + list(_names(r["kode_wilayah"])[1:]) for r in ROWS],
    )  # fmt: skip
    got, got_records = _stored(only_ktp, tmp_path / "e3.csv")
    assert (got.accepted, got.wilayah_filled) == (0, 0)
    assert got.by_code == {"REQUIRED_MISSING": len(ROWS)}
