"""The column-wise road (Instrument.parse_batch) gives what parse_row gives, row for row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.model import SumberData
from kukm.pipeline.checks import Accepted, AcceptedColumns
from kukm.rules import _batch
from kukm.rules._instrument_defaults import BUILTIN_RULES
from kukm.rules.amounts import BLANK_CELLS, EXCEL_ERRORS
from kukm.rules.instruments import FieldType, get_instrument
from kukm.rules.skala_umkm import klasifikasi_umkm, skala_kolom
from kukm.synthetic import generate_umkm
from kukm.testing import strategies as ks

TODAY = dt.date(2025, 6, 1)
UMKM_COLUMNS = [f.name for f in get_instrument("umkm").fields]


def _same(inst: Any, columns: list[str], rows: list[list[Any]], today: dt.date | None) -> None:
    batch = inst.parse_batch(columns, rows, first_row=5, today=today)
    assert batch.n == len(rows)
    for name in ("modal_usaha", "tanggal_data", "nama_usaha"):
        if name in batch.names:
            assert batch.ok_column(name) == [batch.value(name, k) for k in batch.ok_rows()]
    records = batch.records()
    for k, row in enumerate(rows):
        want = inst.parse_row(dict(zip(columns, row, strict=False)), row_number=5 + k, today=today)
        got = batch.result(k)
        assert got.record == want.record, k
        assert records[k] == want.record, k
        assert [(i.code, i.field, i.value, i.row) for i in got.issues] == [
            (i.code, i.field, i.value, i.row) for i in want.issues
        ], k
        assert got.sumber_data == want.sumber_data
        # a row as long as the header is on the fast road exactly when it has no issue; a
        # shorter or longer one always goes row by row (BatchParser.parse), issues or not, and
        # so may one with a "none" marker ("-") outside the text fields (it fails that column's
        # check, and the per-row parser reads it as blank)
        typed = {f.name for f in inst.fields if f.type is not FieldType.STR}
        marked = any(
            c in typed and v.__class__ is str and v.strip() in BLANK_CELLS
            for c, v in zip(columns, row, strict=False)
        )
        if marked:
            assert k not in batch.fast or not want.issues, k
        else:
            assert (k in batch.fast) == (not want.issues and len(row) == len(columns)), k
    if all(c.__class__ is str for r in rows for c in r):
        # cells already stripped (as kukm's readers give them) parse the same when trusted
        clean = [[c.strip() for c in r] for r in rows]
        plain = inst.parse_batch(columns, clean, first_row=5, today=today)
        trusted = inst.parse_batch(columns, clean, first_row=5, today=today, stripped=True)
        assert trusted.fast == plain.fast
        for k in range(len(rows)):
            a, b = trusted.result(k), plain.result(k)
            assert a.record == b.record and a.issues == b.issues, k


def _cell(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    junk = st.text(alphabet="0123456789 .,-+RpjutaLP@x/", max_size=14)
    marker = st.sampled_from(sorted(BLANK_CELLS)).map(lambda s: f" {s}")  # "-", "tidak ada"
    galat = st.sampled_from(sorted(EXCEL_ERRORS))  # "#N/A" of a failed formula
    text_formula = good.map(lambda s: f'="{s}"')  # how exporters keep a number as text
    nul = good.map(lambda s: s[:1] + "\x00" + s[1:])  # a damaged file
    return st.one_of(
        good, good, good, junk, st.just(""), good.map(lambda s: f" {s} "), marker, galat, text_formula, nul
    )


def _amount_text(v: int) -> st.SearchStrategy[str]:
    dotted = f"{v:,}".replace(",", ".")
    return st.sampled_from([str(v), dotted, f"Rp {dotted}", f"Rp{v}", f"{v // 1_000_000} juta", f"{v // 1_000_000}jt"])


_GOOD: dict[str, st.SearchStrategy[str]] = {
    "id_sumber": st.text(alphabet="ABC0123", max_size=5),
    "nama_usaha": ks.nama(),
    "nib": ks.nib(),
    "npwp": ks.npwp(),
    "nik_pemilik": ks.nik_penduduk(),
    "nama_pemilik": ks.nama(),
    "jenis_kelamin": st.sampled_from(["L", "P", "l", "Perempuan", "laki-laki"]),
    "alamat": ks.nama(),
    "kode_wilayah": ks.kode_wilayah(),
    "kbli": ks.kbli(),
    "modal_usaha": ks.rupiah().flatmap(_amount_text),
    "omzet_tahunan": ks.rupiah().flatmap(_amount_text),
    "tenaga_kerja": st.integers(0, 5000).map(lambda n: f"{n:,}".replace(",", ".")),
    "tanggal_berdiri": st.dates(dt.date(1890, 1, 1), dt.date(2030, 1, 1)).map(
        lambda d: d.isoformat() if d.day % 2 else d.strftime("%d/%m/%Y")
    ),
    "telepon": ks.telepon(),
    "email": st.sampled_from(["a@b.co", "usaha1@example.com", "x@", "y@z"]),
    "sumber_data": st.sampled_from(["pelaku_usaha", "sudin", "ods", "PIHAK_LAIN", "lain"]),
    "kekayaan_bersih": ks.rupiah().flatmap(_amount_text),
    "tanggal_data": st.dates(dt.date(2015, 1, 1), dt.date(2027, 1, 1)).map(dt.date.isoformat),
}


@st.composite
def _table(draw: st.DrawFn) -> tuple[list[str], list[list[Any]]]:
    columns = draw(st.permutations(UMKM_COLUMNS).map(lambda c: c[: len(c) - draw(st.integers(0, 3))]))
    n = draw(st.integers(0, 12))
    rows = [[draw(_cell(_GOOD[c])) for c in columns] for _ in range(n)]
    if rows and draw(st.booleans()):  # a short or long row, a non-text cell
        k = draw(st.integers(0, n - 1))
        rows[k] = draw(st.sampled_from([rows[k][:-1], [*rows[k], "extra"], [None, *rows[k][1:]]]))
    return list(columns), rows


@settings(max_examples=60, deadline=None)
@given(_table(), st.sampled_from([TODAY, None]))
def test_batch_agrees_with_parse_row(table: tuple[list[str], list[list[Any]]], today: dt.date | None) -> None:
    columns, rows = table
    _same(get_instrument("umkm"), columns, rows, today)


def test_batch_agrees_on_synthetic_rows_with_faults() -> None:
    generated = list(generate_umkm(1500, seed=3, faulty_share=0.2))
    columns = list(generated[0].data)
    rows = [list(r.data.values()) for r in generated]
    assert any(r.fault for r in generated)
    _same(get_instrument("umkm"), columns, rows, TODAY)
    _same(get_instrument("umkm"), columns, rows, None)


def test_batch_with_aliases_and_koperasi() -> None:
    inst = get_instrument("koperasi")
    columns = [f.name for f in inst.fields][:12]
    alias = next(f for f in inst.fields if f.aliases)
    columns.append(alias.aliases[0])
    rows = [["" for _ in columns], [str(i) for i in range(len(columns))]]
    _same(inst, columns, rows, TODAY)


@given(st.lists(st.text(alphabet="Rp 0123456789.,jutM-", max_size=16), max_size=20))
def test_amount_column_agrees_with_the_per_row_converter(col: list[str]) -> None:
    from kukm.rules.instruments import _compile_field

    for name in ("modal_usaha", "tenaga_kerja"):
        f = next(x for x in get_instrument("umkm").fields if x.name == name)
        slow = _batch._safe(_compile_field(f), f.required)
        fast = _batch._column_fn(f, _compile_field(f))
        stripped = [s.strip() for s in col]
        assert fast(stripped) == [slow(s) for s in stripped]


@given(st.lists(st.one_of(ks.telepon(), ks.telepon(valid=False), st.text("+0123456789 -", max_size=16)), max_size=20))
def test_telepon_column_agrees_with_validate(col: list[str]) -> None:
    from kukm.rules.instruments import _compile_field

    f = next(x for x in get_instrument("umkm").fields if x.name == "telepon")
    slow = _batch._safe(_compile_field(f), f.required)
    stripped = [s.strip() for s in col]
    assert _batch._column_fn(f, _compile_field(f))(stripped) == [slow(s) for s in stripped]


_DATES = st.one_of(st.none(), st.dates(dt.date(1800, 1, 1), dt.date(2100, 1, 1)))


@given(
    st.lists(st.tuples(_DATES, _DATES, st.sampled_from([None, "L", "P"]), st.one_of(st.none(), ks.nik_penduduk(), st.text("0123456789", max_size=17)))),
    st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)),
)
def test_rule_screens_never_miss_a_finding(rows: list[tuple[Any, ...]], today: dt.date) -> None:
    from kukm.model import JenisKelamin

    cols = {
        "tanggal_berdiri": [r[0] for r in rows],
        "tanggal_data": [r[1] for r in rows],
        "jenis_kelamin": [JenisKelamin(r[2]) if r[2] else None for r in rows],
        "nik_pemilik": [r[3] for r in rows],
    }
    for rule in BUILTIN_RULES.values():
        if rule.screen is None or not set(rule.fields) <= set(cols):
            continue
        screened = set(rule.screen({f: cols[f] for f in rule.fields}, today))
        for k in range(len(rows)):
            if rule.check({f: cols[f][k] for f in rule.fields}, today):
                assert k in screened, (rule.id, k)


_AMOUNT = st.one_of(st.none(), ks.rupiah())


@given(st.lists(st.tuples(_AMOUNT, _AMOUNT, _AMOUNT, st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2026, 1, 1))))))
def test_skala_kolom_agrees_with_klasifikasi_umkm(rows: list[tuple[Any, ...]]) -> None:
    amounts = {
        "modal_usaha": [r[0] for r in rows],
        "kekayaan_bersih": [r[1] for r in rows],
        "omzet_tahunan": [r[2] for r in rows],
    }
    got = skala_kolom(amounts, [r[3] for r in rows], today=TODAY)
    for k, (m, kb, o, t) in enumerate(rows):
        if m is None and kb is None and o is None:
            want = None
        else:
            v = klasifikasi_umkm(modal_usaha=m, kekayaan_bersih=kb, omzet_tahunan=o, tanggal=t or TODAY)
            want = v.skala.value if v.skala is not None else None
        assert got[k] == want


@pytest.mark.parametrize("boundary", [1_000_000_000, 5_000_000_000, 10_000_000_000])
def test_skala_kolom_at_pp_7_2021_modal_boundaries(boundary: int) -> None:
    got = skala_kolom({"modal_usaha": [boundary, boundary + 1]}, [dt.date(2021, 2, 2)] * 2)
    ranks = ["mikro", "kecil", "menengah", "besar"]
    assert ranks.index(got[1]) == ranks.index(got[0]) + 1


def _column_ops(
    rows: list[list[Any]], columns: list[str], today: dt.date | None, inst: Any = None
) -> None:
    """Ops made from columns equal ops made from records: blob, hash, id, dims, valid_from."""
    from kukm.model import SumberData
    from kukm.pipeline.checks import AcceptedColumns, RowChecker, classify, record_id
    from kukm.storage._codec import PreparedColumns, _dims, encode_record

    inst = inst or get_instrument("umkm")
    checker = RowChecker("umkm", default_source=SumberData.SUDIN, instrument=inst)
    checker.prepare_for = ("op", "imp-x")
    chunk = [(k + 1, dict(zip(columns, r, strict=True)), None) for k, r in enumerate(rows)]
    result = checker.check(chunk)
    # the same rows as lists of cells (Table.cell_rows, the bulk import's form) check the same
    listed = checker.check([(k + 1, list(r), None) for k, r in enumerate(rows)], columns)
    assert (listed.accepted, listed.rejected, listed.warnings) == (
        result.accepted, result.rejected, result.warnings
    )
    as_ops = [p.ops() if isinstance(p, PreparedColumns) else p for p in (listed.prepared, result.prepared)]
    assert as_ops[0] == as_ops[1]
    if len(rows) < 2:  # one row goes row by row, records and all
        return
    prepared = result.prepared
    assert prepared is not None and len(prepared) == len(result.accepted)
    accepted = result.accepted
    warned = accepted.warnings if isinstance(accepted, AcceptedColumns) else [a.warnings for a in accepted]
    if 0 in warned:  # a batch with rows accepted without a word comes as columns
        assert isinstance(prepared, PreparedColumns)
    ops = prepared.ops() if isinstance(prepared, PreparedColumns) else prepared
    for acc, prep in zip(result.accepted, ops, strict=True):
        want = inst.parse_row(chunk[acc.row - 1][1], row_number=acc.row, today=today).record
        assert want is not None and acc.record is None
        blob, digest = encode_record(want)
        assert (prep.blob, prep.content_hash) == (blob, digest)
        assert (acc.id, acc.id_field) == record_id(want, acc.sumber.value) == (prep.id, acc.id_field)
        assert prep.atribut == acc.atribut == classify(want)
        assert prep.dims == _dims(want, acc.atribut)
        assert prep.valid_from == want.tanggal_data and prep.record is None
        assert (prep.provenance.petugas, prep.provenance.id_pengiriman) == ("op", "imp-x")


def test_column_prepared_ops_equal_record_ops_on_synthetic_rows() -> None:
    generated = list(generate_umkm(800, seed=21, faulty_share=0.15))
    columns = list(generated[0].data)
    rows = [list(r.data.values()) for r in generated]
    rows[3][columns.index("nib")] = ""  # ids from id_sumber, then from the hash
    rows[4][columns.index("nib")] = ""
    rows[4][columns.index("id_sumber")] = ""
    _column_ops(rows, columns, None)


@settings(max_examples=40, deadline=None)
@given(_table())
def test_column_prepared_ops_equal_record_ops(table: tuple[list[str], list[list[Any]]]) -> None:
    columns, rows = table
    if any(len(r) != len(columns) or None in r for r in rows):
        return
    _column_ops(rows, columns, None)


def test_column_road_follows_targets_not_field_names() -> None:
    """A Dinas form that names its columns differently fills the same attributes."""
    import attrs as _attrs

    from kukm.rules.instruments import Instrument

    base = get_instrument("umkm")
    renamed = {"nik_pemilik": "nik_owner", "modal_usaha": "modal", "tanggal_data": "per_tanggal"}
    fields = [_attrs.evolve(f, name=renamed.get(f.name, f.name)) for f in base.fields]
    inst = Instrument("umkm-lain", "umkm", fields, [r for r in base.rules if r.id != "jenis_kelamin_nik"])
    generated = list(generate_umkm(300, seed=4, faulty_share=0.1))
    columns = [renamed.get(c, c) for c in generated[0].data]
    rows = [list(r.data.values()) for r in generated]
    for k in (5, 6, 7):
        rows[k][columns.index("nib")] = ""
        rows[k][columns.index("id_sumber")] = ""
    _column_ops(rows, columns, None, inst)


def test_a_reused_checker_writes_the_provenance_of_the_current_import() -> None:
    from kukm.pipeline.checks import RowChecker

    generated = list(generate_umkm(20, seed=2, faulty_share=0.0))
    columns = list(generated[0].data)
    chunk = [(k + 1, dict(zip(columns, r.data.values(), strict=True)), None) for k, r in enumerate(generated)]
    checker = RowChecker("umkm")
    for who in (("op-1", "imp-a"), ("op-2", "imp-b")):
        checker.prepare_for = who
        result = checker.check(chunk)
        assert result.prepared
        provs = getattr(result.prepared, "provenances", None) or [p.provenance for p in result.prepared]
        assert {(p.petugas, p.id_pengiriman) for p in provs} == {who}


_ACCEPTED = st.builds(
    lambda row, id_, field, skala, sumber, warnings: Accepted(
        row, id_, field, None, {"skala": skala}, sumber, warnings
    ),
    st.integers(1, 10**6),
    st.text(max_size=6),
    st.sampled_from([None, "nib", "npwp", "nik_penduduk"]),
    st.sampled_from([None, "mikro", "kecil"]),
    st.sampled_from(list(SumberData)),
    st.integers(0, 3),
)


@given(st.lists(_ACCEPTED, max_size=25), st.data())
def test_accepted_columns_read_pickle_take_and_join_like_the_list(accs: list[Any], data: Any) -> None:
    """AcceptedColumns (how a pool worker sends clean rows) is the list of Accepted it holds:
    reading, indexing, pickling, taking positions and joining two give what the list gives."""
    import pickle

    cols = AcceptedColumns.of(accs)
    assert cols is not None
    assert list(cols) == accs and cols == accs and len(cols) == len(accs)
    assert [cols[k] for k in range(len(accs))] == accs and cols[1:3] == accs[1:3]
    back = pickle.loads(pickle.dumps(cols, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(back, AcceptedColumns) and list(back) == accs
    where = data.draw(st.lists(st.integers(0, len(accs) - 1), max_size=30)) if accs else []
    assert list(cols.take(where)) == [accs[k] for k in where]
    half = data.draw(st.integers(0, len(accs)))
    first, second = AcceptedColumns.of(accs[:half]), AcceptedColumns.of(accs[half:])
    assert first is not None and second is not None and list(first + second) == accs
    if accs:  # a row that carries its record cannot be held without it
        assert AcceptedColumns.of([*accs[:-1], accs[-1]._replace(record=object())]) is None


@given(
    st.sampled_from([(dt.date, st.dates()), (int, st.integers()), (str, st.text(max_size=8))]),
    st.data(),
)
def test_column_fragments_are_what_the_one_value_encoder_writes(kind: Any, data: Any) -> None:
    """Each column's JSON fragments (blanks or not, dates as quoted ISO text) are exactly what
    the per-value encoder of kukm.storage._fastjson writes, "null" for None; a column holding
    another type is refused (the caller then builds records)."""
    from kukm.pipeline._prepare import _fragments
    from kukm.storage._fastjson import scalar_encoder

    typ, values = kind
    col = data.draw(st.lists(st.one_of(st.none(), values), max_size=40))
    fragments = _fragments(typ | None)
    one = scalar_encoder(typ)
    assert fragments is not None and one is not None
    assert fragments(col) == [one(v) if v is not None else "null" for v in col]
    assert fragments([*col, 1.5]) is None


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_batch_agrees_on_valid_rows_with_none_markers(data: st.DataObject) -> None:
    """Valid rows with '-', 'tidak ada' ... in some cells (optional or not): the column road reads
    each marker as a blank cell exactly as the per-row parser does."""

    generated = [r.data for r in generate_umkm(40, seed=data.draw(st.integers(0, 99)), faulty_share=0.0)]
    columns = list(generated[0])
    rows = [list(r.values()) for r in generated]
    for _ in range(data.draw(st.integers(1, 30))):
        k = data.draw(st.integers(0, len(rows) - 1))
        c = data.draw(st.integers(0, len(columns) - 1))
        rows[k][c] = data.draw(st.sampled_from(sorted(BLANK_CELLS)))
    _same(get_instrument("umkm"), columns, rows, TODAY)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["nama_usaha", "alamat", "nama_pemilik", "email", "modal_usaha", "nib"]),
    st.sampled_from(sorted(EXCEL_ERRORS)),
)
def test_an_excel_error_value_is_reported_as_one(name: str, value: str) -> None:
    """A cell showing a failed formula (#N/A, #REF!, Err:502 …) is not data: its row is
    rejected with SEL_GALAT_EXCEL on that field (a name or address took it as text), and
    nothing else for it (no REQUIRED_MISSING besides, no format code)."""
    from kukm.synthetic import generate_umkm

    inst = get_instrument("umkm")
    rows = [dict(r.data) for r in generate_umkm(3, seed=3, faulty_share=0.0)]
    rows[1][name] = value
    columns = list(rows[0])
    batch = inst.parse_batch(columns, [[r[c] for c in columns] for r in rows], first_row=1, today=TODAY)
    for k in (0, 2):
        assert not batch.result(k).issues
    got = batch.result(1)
    assert got.record is None
    assert [(i.code, i.field, i.value) for i in got.issues] == [("SEL_GALAT_EXCEL", name, value)]
    one = inst.parse_row(rows[1], row_number=2)
    assert one.record is None and [(i.code, i.field) for i in one.issues] == [("SEL_GALAT_EXCEL", name)]


@pytest.mark.parametrize(
    ("code", "ok"),
    [("31", False), ("31.73", False), ("31.73.04", False), ("31.73.04.1010", True)],
)
def test_a_umkm_region_code_reaches_the_kelurahan(code: str, ok: bool) -> None:
    """Kepgub D.2 (UMKM data by the owner's domicile): a province, kota or kecamatan code
    alone is KODE_WILAYAH_BUKAN_KELURAHAN; the kelurahan code is taken. Both roads agree."""
    from kukm.synthetic import generate_umkm

    inst = get_instrument("umkm")
    row = dict(next(generate_umkm(1, seed=4, faulty_share=0.0)).data) | {"kode_wilayah": code}
    columns = list(row)
    batch = inst.parse_batch(columns, [[row[c] for c in columns]] * 2, first_row=1, today=TODAY)
    got = [(i.code, i.field) for i in batch.result(0).issues]
    assert got == ([] if ok else [("KODE_WILAYAH_BUKAN_KELURAHAN", "kode_wilayah")])
    assert [(i.code, i.field) for i in inst.parse_row(row, row_number=1).issues] == got


def _with_cell(name: str, rewrite: Callable[[str], str]) -> tuple[Any, Any, Any]:
    """The second of two clean generated UMKM rows as parsed, then with cell ``name``
    rewritten: (clean result, row-by-row result, the column-wise parse of both rows)."""
    from kukm.synthetic import generate_umkm

    inst = get_instrument("umkm")
    rows = [dict(r.data) for r in generate_umkm(2, seed=8, faulty_share=0.0)]
    clean = inst.parse_row(rows[1], row_number=2)
    rows[1][name] = rewrite(rows[1][name])
    one = inst.parse_row(rows[1], row_number=2)
    columns = list(rows[0])
    batch = inst.parse_batch(columns, [[r[c] for c in columns] for r in rows], first_row=1, today=TODAY)
    return clean, one, batch


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["nib", "nik_pemilik", "npwp", "telepon", "jenis_kelamin", "kode_wilayah"]),
    st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]),
    st.integers(min_value=0, max_value=30),
)
def test_a_character_no_one_can_see_changes_nothing(name: str, zw: str, at: int) -> None:
    """A zero-width character pasted into an identifier or a choice (invisible in the cell)
    reads as if it were not there: the same record, no issue (it was 'NIB hanya boleh berisi
    angka' on digits the officer could see, or a refused 'L'). Both roads agree."""

    def insert(value: str) -> str:
        assert value, name
        k = at % (len(value) + 1)
        return value[:k] + zw + value[k:]

    clean, one, batch = _with_cell(name, insert)
    assert (one.record, one.issues) == (clean.record, clean.issues)
    assert batch.result(1).record == clean.record and not batch.result(1).issues


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["nib", "nik_pemilik", "npwp", "telepon", "nama_usaha", "modal_usaha", "tanggal_berdiri"]))
def test_a_number_kept_as_text_formula_reads_as_its_text(name: str) -> None:
    """="3171026201631843", as exported CSVs keep long numbers from Excel's rounding, reads as
    the text in its quotes (it was NIK_PENDUDUK_FORMAT on digits the officer could see, and
    an XLSX errors file turned it into a formula); both roads agree."""
    clean, one, batch = _with_cell(name, lambda v: f'="{v}"')
    assert (one.record, one.issues) == (clean.record, clean.issues)
    assert batch.result(1).record == clean.record and not batch.result(1).issues


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["id_sumber", "nama_usaha", "alamat", "nama_pemilik", "nib", "telepon", "email"]),
    st.integers(min_value=0, max_value=20),
)
def test_a_nul_character_is_refused_in_any_field(name: str, at: int) -> None:
    """A NUL (a damaged file, or one in another encoding) is never text: TEKS_NUL on that
    field alone (SQLite stored it, PostgreSQL refused the whole import); both roads agree."""

    def insert(value: str) -> str:
        value = value or "x"
        k = at % (len(value) + 1)
        return value[:k] + "\x00" + value[k:]

    _, one, batch = _with_cell(name, insert)
    assert one.record is None and [(i.code, i.field) for i in one.issues] == [("TEKS_NUL", name)]
    assert [(i.code, i.field) for i in batch.result(1).issues] == [("TEKS_NUL", name)]
    assert not batch.result(0).issues


@pytest.mark.parametrize(("name", "limit"), [("nomor_badan_hukum", 250), ("grade", 255), ("jenis", 255)])
def test_a_koperasi_value_longer_than_its_column_is_refused_on_its_row(name: str, limit: int) -> None:
    """A badan hukum number or a vocabulary value longer than the stores' columns hold is
    TEXT_TOO_LONG on its row (PostgreSQL and MariaDB refused the whole batch); the value at
    the limit is taken. Both roads agree."""
    inst = get_instrument("koperasi")
    base = {
        "nama": "Koperasi Maju", "nomor_badan_hukum": "796/BH/XII/2005", "tanggal_badan_hukum": "2005-12-01",
        "bentuk": "Primer Kab/Kota", "jenis": "Konsumen", "kode_wilayah": "31.71.01.1001",
        "sumber_data": "dekopin",
    }  # fmt: skip
    at, over = dict(base), dict(base)
    at[name] = ("7" if name == "nomor_badan_hukum" else "x") * limit
    over[name] = at[name] + "9"
    base.setdefault(name, "")
    rows = [base, at, over]
    columns = list(over)
    batch = inst.parse_batch(columns, [[r[c] for c in columns] for r in rows], first_row=1, today=TODAY)
    for k, row in enumerate(rows):
        one = inst.parse_row(row, row_number=k + 1)
        codes = [(i.code, i.field) for i in one.issues if i.severity.value == "error"]
        assert [(i.code, i.field) for i in batch.result(k).issues if i.severity.value == "error"] == codes
        assert (("TEXT_TOO_LONG", name) in codes) == (k == 2)
