"""Column titles as officers write them: matched to the instrument's fields by a stated rule."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.cli import cli
from kukm.exceptions import ConfigurationError
from kukm.pipeline import load_instrument, open_table, run_file
from kukm.pipeline.header import (
    HEADER_KOLOM_GANDA,
    HEADER_TIDAK_DIKENAL,
    column_key,
    header_score,
    match_header,
)
from kukm.plugins import open_store
from kukm.synthetic import UMKM_COLUMNS, generate_umkm, write_csv
from workbooks import write_xlsx

UMKM = load_instrument("umkm")
KOPERASI = load_instrument("koperasi")


def _titled(name: str, upper: list[bool], seps: list[str], pad: tuple[str, str]) -> str:
    """``name`` as a person might title it: other case per letter, other separators, blanks."""
    out = []
    parts = name.split("_")
    for i, part in enumerate(parts):
        word = "".join(
            ch.upper() if upper[(i + j) % len(upper)] else ch for j, ch in enumerate(part)
        )
        out.append(word)
        if i < len(parts) - 1:
            out.append(seps[i % len(seps)])
    return pad[0] + "".join(out) + pad[1]


@given(
    inst=st.sampled_from([UMKM, KOPERASI]),
    data=st.data(),
    upper=st.lists(st.booleans(), min_size=1, max_size=8),
    seps=st.lists(st.sampled_from([" ", "-", ".", " / ", "__", "_"]), min_size=1, max_size=3),
    pad=st.tuples(st.sampled_from(["", " ", "  "]), st.sampled_from(["", " ", ":"])),
)
def test_titled_columns_are_matched_back_to_their_fields(
    inst: object, data: st.DataObject, upper: list[bool], seps: list[str], pad: tuple[str, str]
) -> None:
    fields = list(inst.fields)  # type: ignore[attr-defined]
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, unique_by=lambda f: f.name))
    titles = [_titled(f.name, upper, seps, pad) for f in chosen]
    m = match_header(inst, titles)
    assert m.columns == [f.name for f in chosen]
    assert m.unknown == ()
    assert m.known
    # every field is given at most once, renamed or exact
    assert len(set(m.columns)) == len(m.columns)
    assert {k: v for k, v in m.renamed.items()} == {
        t: f.name for t, f in zip(titles, chosen, strict=True) if t != f.name
    }
    required = {f.name for f in fields if f.required}
    assert set(m.missing) == required - {f.name for f in chosen}


@given(st.lists(st.text(max_size=12), max_size=12))
def test_match_keeps_every_column_in_order_and_exact_names_stay(columns: list[str]) -> None:
    labels = {label: f.name for f in UMKM.fields for label in (f.name, *f.aliases)}
    given = [labels[c] for c in columns if c in labels]
    titled = [  # a title repeated, whose field no column gives by its label
        c for c in columns if c not in labels and set(match_header(UMKM, [c]).renamed.values()) - set(given)
    ]
    if len(given) != len(set(given)) or len(titled) != len(set(titled)):  # one field twice: refused
        with pytest.raises(ConfigurationError):
            match_header(UMKM, columns)
        return
    m = match_header(UMKM, columns)
    assert len(m.columns) == len(columns)
    exact = {f.name for f in UMKM.fields} | {a for f in UMKM.fields for a in f.aliases}
    for before, after in zip(columns, m.columns, strict=True):
        if before in exact or before not in m.renamed:
            assert after == before
        else:  # a title is matched by itself, never by its neighbours or its place
            assert match_header(UMKM, [before]).renamed == {before: after}
    renamed_to = list(m.renamed.values())
    assert len(set(renamed_to)) == len(renamed_to)
    assert set(m.unknown) <= set(m.columns)
    assert set(m.unclear) <= set(m.unknown)
    assert not set(m.suggestions.values()) & set(m.unclear)
    assert column_key(column_key("".join(columns))) == column_key("".join(columns))


def test_a_field_given_exactly_is_not_given_again_by_a_title() -> None:
    m = match_header(UMKM, ["nama_usaha", "Nama Usaha", "NAMA-USAHA"])
    assert m.columns == ["nama_usaha", "Nama Usaha", "NAMA-USAHA"]
    assert m.renamed == {} and m.unknown == ("Nama Usaha", "NAMA-USAHA")
    m = match_header(UMKM, ["Nama Usaha", "NAMA-USAHA"])  # the first title takes it
    assert m.columns == ["nama_usaha", "NAMA-USAHA"]
    # an alias given exactly counts as the field: the name's title is then unknown
    k = match_header(KOPERASI, ["Koperasi", "NAMA"])
    assert k.columns == ["Koperasi", "NAMA"] and k.unknown == ("NAMA",)
    assert match_header(KOPERASI, ["kelurahan desa"]).columns == ["kelurahan"]


@settings(max_examples=60)
@given(data=st.data(), form=st.sampled_from(["umkm", "koperasi"]))
def test_two_columns_that_are_one_field_refuse_the_file(data: st.DataObject, form: str) -> None:
    """A field given by two columns, by its name or an alias (a repeated title), is refused
    with HEADER_KOLOM_GANDA naming the field; any set of distinct fields is matched."""
    inst = UMKM if form == "umkm" else KOPERASI
    fields = data.draw(st.lists(st.sampled_from(inst.fields), min_size=1, max_size=8, unique_by=lambda f: f.name))
    labels = [data.draw(st.sampled_from([f.name, *f.aliases])) for f in fields]
    assert match_header(inst, labels).known  # distinct fields: no refusal
    twice = data.draw(st.sampled_from(fields))
    again = data.draw(st.sampled_from([twice.name, *twice.aliases]))
    at = data.draw(st.integers(min_value=0, max_value=len(labels)))
    with pytest.raises(ConfigurationError) as exc:
        match_header(inst, [*labels[:at], again, *labels[at:]])
    assert exc.value.code == HEADER_KOLOM_GANDA
    assert twice.name in str(exc.value) and repr(again) in str(exc.value)


def test_the_cli_refuses_a_repeated_column_and_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("nama_usaha,alamat,alamat\nToko A,Jl. A,Blok B\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    res = CliRunner().invoke(cli, ["import", str(path), "--kind", "umkm", "--db", db])
    assert res.exit_code == 2
    assert "HEADER_KOLOM_GANDA" in res.output and "'alamat', 'alamat'" in res.output
    store = open_store(db)
    try:
        assert list(store.iter_records("umkm")) == []
    finally:
        store.close()


def test_missing_required_columns_get_a_hint_when_a_title_is_close() -> None:
    m = match_header(UMKM, ["nama usaha", "nik pemilk", "kode_wilayah"])
    assert "nik_pemilik" in m.missing
    assert m.suggestions["nik_pemilik"] == "nik pemilk"
    assert "kode_wilayah" not in m.missing


def test_a_header_of_no_field_is_a_configuration_error() -> None:
    m = match_header(UMKM, ["foo", "bar"])
    assert not m.known
    with pytest.raises(ConfigurationError) as exc:
        m.raise_if_foreign("umkm")
    assert exc.value.code == HEADER_TIDAK_DIKENAL
    empty = match_header(UMKM, [])  # an empty file is not foreign, and misses nothing
    empty.raise_if_foreign("umkm")
    assert empty.missing == () and empty.known
    match_header(object(), ["foo"]).raise_if_foreign("umkm")  # no fields: nothing to match


def _write_titled(path: Path, rows: int, faulty: float, titles: dict[str, str]) -> Path:
    src = path.with_suffix(".plain.csv")
    write_csv(src, generate_umkm(rows, seed=21, faulty_share=faulty), UMKM_COLUMNS)
    with open(src, encoding="utf-8", newline="") as fh:
        data = list(csv.reader(fh))
    data[0] = [titles.get(c, c) for c in data[0]]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(data)
    return src


TITLES = {c: c.replace("_", " ").title() for c in UMKM_COLUMNS}


@pytest.mark.parametrize("workers", [0, 1])
def test_a_titled_file_stores_what_the_plain_file_stores(tmp_path: Path, workers: int) -> None:
    titled = tmp_path / "titled.csv"
    plain = _write_titled(titled, 120, 0.1, TITLES)
    stores = []
    for name, path in (("plain", plain), ("titled", titled)):
        store = open_store(f"sqlite:///{tmp_path / name}.sqlite")
        errors = tmp_path / f"{name}.errors.csv"
        s = run_file(path, kind="umkm", store=store, errors_path=errors, workers=workers)
        stores.append((store, s, errors))
    (a, sa, ea), (b, sb, eb) = stores
    assert (sa.input, sa.accepted, sa.rejected) == (sb.input, sb.accepted, sb.rejected)
    assert sb.rejected > 0
    assert sb.header is not None and sb.header.renamed == {t: c for c, t in TITLES.items() if t != c}
    assert sb.header.missing == () and sb.header.unknown == ()
    recs = [
        sorted((r.id, r.content_hash) for r in s.iter_records("umkm", status=None)) for s in (a, b)
    ]
    assert recs[0] == recs[1]
    # the errors file keeps the officer's titles, and the same rows and reasons
    with open(ea, encoding="utf-8-sig", newline="") as fh:
        rows_a = list(csv.reader(fh))
    with open(eb, encoding="utf-8-sig", newline="") as fh:
        rows_b = list(csv.reader(fh))
    assert rows_b[0][: len(UMKM_COLUMNS)] == [TITLES[c] for c in UMKM_COLUMNS]
    assert rows_a[1:] == rows_b[1:]
    # and it imports again as it is (the titles are matched again)
    again = run_file(eb, kind="umkm", store=b, workers=0)
    assert again.input == sb.rejected and again.accepted == 0
    a.close()
    b.close()


def test_jsonl_keys_are_matched_too(tmp_path: Path) -> None:
    p = tmp_path / "k.jsonl"
    p.write_text(json.dumps({"Nama Usaha": "Kopi", "Kode Wilayah": "31.73.04.1010"}) + "\n")
    with open_table(p) as t:
        m = match_header(UMKM, t.columns)
        t.rename(m.renamed)
        assert list(t) == [(1, {"nama_usaha": "Kopi", "kode_wilayah": "31.73.04.1010"})]


def test_cli_reports_the_header_and_refuses_a_foreign_file(tmp_path: Path) -> None:
    titled = tmp_path / "t.csv"
    _write_titled(titled, 10, 0.0, {"nama_usaha": "Nama Usaha", "nama_pemilik": "Nama"})
    res = CliRunner().invoke(cli, ["validate", str(titled), "--kind", "umkm"])
    assert res.exit_code == 1  # nama_pemilik is missing: every row fails it
    assert "'Nama Usaha' → nama_usaha" in res.output
    assert "nama_pemilik" in res.output and "'Nama'" in res.output
    res = CliRunner().invoke(cli, ["validate", str(titled), "--kind", "umkm", "--json"])
    header = json.loads(res.output)["header"]
    assert header["missing"] == ["nama_pemilik"] and header["unknown"] == ["Nama"]
    assert header["unclear"]["Nama"].startswith("the name of the business")

    foreign = tmp_path / "f.csv"
    foreign.write_text("foo,bar\n1,2\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    for args in (["validate"], ["import", "--db", db]):
        res = CliRunner().invoke(cli, [*args, str(foreign), "--kind", "umkm"])
        assert res.exit_code == 2
        assert HEADER_TIDAK_DIKENAL in res.output
    store = open_store(db)
    assert store.count("umkm") == 0
    store.close()


def _xlsx(path: Path, top: list[list[str]], rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in [*top, *rows]:
        ws.append(r)
    wb.save(path)
    return path


def _umkm_rows(n: int, faulty: float) -> list[list[str]]:
    src = [r.data for r in generate_umkm(n, seed=4, faulty_share=faulty)]
    return [list(UMKM_COLUMNS), *[[d.get(c, "") for c in UMKM_COLUMNS] for d in src]]


_TITLE = st.lists(
    st.text(alphabet="DATA UMKM KOTA 2025 Jakarta:-", max_size=20), min_size=1, max_size=3
)


@settings(max_examples=15, deadline=None)
@given(titles=st.lists(st.one_of(st.just([]), _TITLE), max_size=4))
def test_an_xlsx_header_below_title_rows_is_found(
    tmp_path_factory: pytest.TempPathFactory, titles: list[list[str]]
) -> None:
    """Title rows (and blank ones) above a sheet's table are passed over; the data rows are
    numbered from the header, so the outcome is the file's without them."""
    score = header_score(UMKM)
    assert score is not None
    titles = [t for t in titles if score(t) == 0]  # a title that names a field is a header
    d = tmp_path_factory.mktemp("x")
    rows = _umkm_rows(12, 0.3)
    plain = run_file(_xlsx(d / "a.xlsx", [], rows), kind="umkm", errors_path=d / "a.err.csv")
    titled = run_file(_xlsx(d / "b.xlsx", titles, rows), kind="umkm", errors_path=d / "b.err.csv")
    assert (titled.input, titled.accepted, titled.rejected) == (plain.input, plain.accepted, plain.rejected)
    assert plain.rejected > 0
    assert titled.header_line == len(titles) + 1
    with open(d / "a.err.csv", encoding="utf-8-sig") as fa, open(d / "b.err.csv", encoding="utf-8-sig") as fb:
        assert fa.read() == fb.read()


def test_an_xlsx_header_is_looked_for_in_the_first_rows_only(tmp_path: Path) -> None:
    from kukm.pipeline.readers import HEADER_SCAN

    rows = _umkm_rows(3, 0.0)
    near = [[f"judul {i}"] for i in range(HEADER_SCAN - 1)]
    with open_table(_xlsx(tmp_path / "n.xlsx", near, rows), header_score=header_score(UMKM)) as t:
        assert t.header_line == HEADER_SCAN and t.columns == list(UMKM_COLUMNS)
    far = [[f"judul {i}"] for i in range(HEADER_SCAN)]
    with open_table(_xlsx(tmp_path / "f.xlsx", far, rows), header_score=header_score(UMKM)) as t:
        assert t.header_line == 1 and t.columns == ["judul 0"]  # the first row, as without a score
    with pytest.raises(ConfigurationError) as exc:
        run_file(tmp_path / "f.xlsx", kind="umkm")
    assert exc.value.code == HEADER_TIDAK_DIKENAL
    # without a score (a plain reader) the first non-blank row is the header, as before
    with open_table(tmp_path / "n.xlsx") as t:
        assert t.header_line == 1 and t.columns == ["judul 0"]


def test_the_cli_says_where_it_found_the_header(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "t.xlsx", [["REKAP UMKM"], []], _umkm_rows(4, 0.0))
    res = CliRunner().invoke(cli, ["validate", str(path), "--kind", "umkm"])
    assert res.exit_code == 0, res.output
    assert "header found on line 3" in res.output
    res = CliRunner().invoke(cli, ["validate", str(path), "--kind", "umkm", "--json"])
    assert json.loads(res.output)["header"]["line"] == 3


def _csv_file(path: Path, top: list[list[str]], rows: list[list[str]], delimiter: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        for r in [*top, *rows]:
            w.writerow(r)
    return path


@settings(max_examples=15, deadline=None)
@given(
    titles=st.lists(st.one_of(st.just([]), _TITLE), max_size=4),
    delimiter=st.sampled_from([",", ";"]),
)
def test_a_csv_header_below_title_lines_is_found(
    tmp_path_factory: pytest.TempPathFactory, titles: list[list[str]], delimiter: str
) -> None:
    """A sheet with titles saved as CSV: the lines above the header are passed over as in XLSX
    (the header's own delimiter is the file's)."""
    score = header_score(UMKM)
    assert score is not None
    titles = [t for t in titles if score(t) == 0]
    d = tmp_path_factory.mktemp("c")
    rows = _umkm_rows(12, 0.3)
    plain = run_file(_csv_file(d / "a.csv", [], rows, delimiter), kind="umkm", errors_path=d / "a.err.csv")
    titled = run_file(_csv_file(d / "b.csv", titles, rows, delimiter), kind="umkm", errors_path=d / "b.err.csv")
    assert (titled.input, titled.accepted, titled.rejected) == (plain.input, plain.accepted, plain.rejected)
    assert titled.header_line == len(titles) + 1 and titled.delimiter == delimiter
    with open(d / "a.err.csv", encoding="utf-8-sig") as fa, open(d / "b.err.csv", encoding="utf-8-sig") as fb:
        assert fa.read() == fb.read()
    # a plain reader (no score) still takes the first line that is not blank
    with open_table(d / "b.csv") as t:
        assert t.header_line == 1 + next((i for i, t in enumerate(titles) if any(t)), len(titles))


@settings(max_examples=10, deadline=None)
@given(
    before=st.lists(
        st.sampled_from(["Petunjuk", "Sampul", "Rekap"]), unique=True, max_size=3
    ),
    after=st.lists(st.sampled_from(["Catatan", "Referensi"]), unique=True, max_size=2),
)
def test_the_data_sheet_is_found_among_others(
    tmp_path_factory: pytest.TempPathFactory, before: list[str], after: list[str]
) -> None:
    """Sheets of instructions or notes (some with a few field names in them) before or after the
    data: the sheet whose header fits the form best is read, with the outcome of a workbook
    holding the data alone; a sheet naming fewer fields never wins."""
    d = tmp_path_factory.mktemp("s")
    rows = _umkm_rows(10, 0.3)
    instructions = [["Petunjuk pengisian"], ["Kolom nib dan npwp boleh kosong"], ["nama_usaha", "nib"]]
    others = [(t, instructions) for t in before] + [("Data UMKM", rows)] + [(t, instructions) for t in after]
    plain = run_file(write_xlsx(d / "a.xlsx", [("Data UMKM", rows)]), kind="umkm", errors_path=d / "a.csv")
    many = run_file(write_xlsx(d / "b.xlsx", others), kind="umkm", errors_path=d / "b.csv")
    assert (many.input, many.accepted, many.rejected) == (plain.input, plain.accepted, plain.rejected)
    assert many.sheet == "Data UMKM" and list(many.sheets) == [t for t, _ in others]
    with open(d / "a.csv", encoding="utf-8-sig") as fa, open(d / "b.csv", encoding="utf-8-sig") as fb:
        assert fa.read() == fb.read()


def test_a_plain_reader_and_ties_keep_the_first_sheet(tmp_path: Path) -> None:
    rows = _umkm_rows(3, 0.0)
    path = write_xlsx(tmp_path / "w.xlsx", [("Satu", [["catatan"]]), ("Dua", rows), ("Tiga", rows)])
    with open_table(path) as t:  # no score: the first sheet, as before
        assert (t.sheet, t.columns) == ("Satu", ["catatan"])
    with open_table(path, header_score=header_score(UMKM)) as t:  # equal scores: the first of them
        assert (t.sheet, t.columns) == ("Dua", list(UMKM_COLUMNS))
    res = CliRunner().invoke(cli, ["validate", str(path), "--kind", "umkm"])
    assert res.exit_code == 0, res.output
    assert "sheet 'Dua' read" in res.output and "'Satu', 'Tiga'" in res.output
    res = CliRunner().invoke(cli, ["validate", str(path), "--kind", "umkm", "--json"])
    assert json.loads(res.output)["sheet"] == "Dua"


# -- the titles Dinas sheets use (kukm.pipeline.header.TITLES) ------------------------------------

from kukm.pipeline.header import TITLES as COMMON_TITLES  # noqa: E402
from kukm.pipeline.header import UNIT_SUFFIXES  # noqa: E402


def test_every_common_title_names_one_field_of_a_default_form() -> None:
    """Each title belongs to a field of the UMKM or koperasi form, and in every form holding that
    field its key fits that field alone (a clash would leave the column unknown)."""
    from kukm.pipeline.header import _Matcher, title_key

    for name, titles in COMMON_TITLES.items():
        forms = [f for f in (UMKM, KOPERASI) if name in {x.name for x in f.fields}]
        assert forms, name
        for form in forms:
            m = _Matcher(form.fields)
            for title in titles:
                assert m.by_key[column_key(title)] == {name}, (form.name, title)
                assert m.by_norm[title_key(title)] == {name}, (form.name, title)
                assert m.fit(title) == ({name}, None), (form.name, title)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    form=st.sampled_from([UMKM, KOPERASI]),
    case=st.sampled_from([str, str.upper, str.lower, str.title]),
    unit=st.sampled_from(["", *(f" ({u.strip('_').title()})" for u in UNIT_SUFFIXES)]),
)
def test_common_titles_are_matched_in_any_case_and_with_a_unit(
    data: st.DataObject, form: object, case: object, unit: str
) -> None:
    names = [f.name for f in form.fields if f.name in COMMON_TITLES]  # type: ignore[attr-defined]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True))
    titles = [case(data.draw(st.sampled_from(COMMON_TITLES[n]))) + unit for n in chosen]  # type: ignore[operator]
    m = match_header(form, titles)
    assert m.columns == chosen and m.unknown == ()


@pytest.mark.parametrize(
    ("form", "title"),
    [(UMKM, "Omzet"), (UMKM, "Omset"), (UMKM, "Nama"), (KOPERASI, "NIK"), (UMKM, "Omzet per Bulan")],
)
def test_titles_that_could_mean_two_things_stay_unknown(form: object, title: str) -> None:
    """A bare 'Omzet' may be monthly (scale off twelvefold), a bare 'NIK' in the koperasi form
    either number, a bare 'Nama' the business's or the owner's: not taken, and said why."""
    m = match_header(form, [title])
    assert m.unknown == (title,)
    assert "not taken" in m.unclear[title].casefold()


def test_a_dinas_sheet_with_common_titles_stores_what_the_plain_file_stores(tmp_path: Path) -> None:
    titles = {
        "nama_usaha": "Nama UMKM", "nama_pemilik": "Nama Pelaku Usaha", "jenis_kelamin": "L/P",
        "alamat": "Alamat Usaha", "kode_wilayah": "Kode Kelurahan", "modal_usaha": "Modal (Rp)",
        "omzet_tahunan": "Omzet per Tahun (Rp)", "tenaga_kerja": "Jumlah Tenaga Kerja (orang)",
        "tanggal_berdiri": "Tgl Mulai Usaha", "telepon": "No. HP/WA", "email": "E-mail",
        "nik_pemilik": "No. KTP", "kbli": "Kode KBLI", "sumber_data": "Sumber",
    }  # fmt: skip
    titled = tmp_path / "dinas.csv"
    plain = _write_titled(titled, 60, 0.1, titles)
    got = run_file(titled, kind="umkm", errors_path=tmp_path / "a.csv", workers=0)
    want = run_file(plain, kind="umkm", errors_path=tmp_path / "b.csv", workers=0)
    assert got.header is not None and got.header.unknown == () and got.header.missing == ()
    assert (got.accepted, got.rejected, dict(got.by_code)) == (want.accepted, want.rejected, dict(want.by_code))
