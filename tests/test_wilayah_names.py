"""Region names as officers and the ODS write them: misspelt prefixes, numbers as digits or
roman numerals, Jakarta's short kota names, abbreviations, stray punctuation; and that no
new reading places a name in another region (both resolvers: :mod:`kukm.reference.wilayah`
and :mod:`kukm.integration.wilayah_match`)."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.integration.ods import WilayahResolver
from kukm.integration.wilayah_match import make_resolver, normalise_name, resolver_from_dir
from kukm.reference import wilayah
from kukm.reference._names import drop_level_suffix, fold
from kukm.reference.wilayah import match_alamat, normalise_nama, resolve_alamat

# A few DKI rows (Kepmendagri 300.2.2-2138/2025), so the wilayah_match tests need no ../shared
_KAB = [("31.01", "Kabupaten Administrasi Kepulauan Seribu"),
        ("31.71", "Kota Administrasi Jakarta Pusat"), ("31.72", "Kota Administrasi Jakarta Utara"),
        ("31.74", "Kota Administrasi Jakarta Selatan")]
_KEC = [("31.01.01", "Kepulauan Seribu Utara", "31.01"), ("31.71.01", "Gambir", "31.71"),
        ("31.71.06", "Menteng", "31.71"), ("31.72.06", "Kelapa Gading", "31.72"),
        ("31.74.08", "Pancoran", "31.74"), ("31.74.06", "Cilandak", "31.74")]
_KEL = [("31.01.01.1001", "Pulau Panggang", "31.01.01"), ("31.01.01.1002", "Pulau Kelapa", "31.01.01"),
        ("31.71.01.1001", "Gambir", "31.71.01"), ("31.71.01.1002", "Cideng", "31.71.01"),
        ("31.71.01.1003", "Petojo Utara", "31.71.01"), ("31.71.01.1004", "Petojo Selatan", "31.71.01"),
        ("31.71.06.1002", "Pegangsaan", "31.71.06"), ("31.72.06.1002", "Pegangsaan Dua", "31.72.06"),
        ("31.74.08.1004", "Duren Tiga", "31.74.08"), ("31.74.06.1001", "Cilandak Barat", "31.74.06")]  # fmt: skip


@pytest.fixture(scope="module")
def small() -> WilayahResolver:
    return make_resolver(kabkota=_KAB, kecamatan=_KEC, kelurahan=_KEL)


def _both(small: WilayahResolver) -> list[WilayahResolver]:
    return [small, resolve_alamat]


# -- misspelt prefixes -------------------------------------------------------------------


@pytest.mark.parametrize("kel", ["Keurahan. Pulau Panggang", "Kelurahn Pulau Panggang",
                                 "KLURAHAN PULAU PANGGANG", "Kelruahan P. Panggang",
                                 "Kelurahaan Pulau Panggang"])  # fmt: skip
def test_a_misspelt_kelurahan_prefix_is_a_prefix(small: WilayahResolver, kel: str) -> None:
    """The real ODS record "Keurahan. Pulau Panggang" (before: only the kecamatan)."""
    for resolve in _both(small):
        got = resolve("DKI Jakarta", "Kab. Adm. Kepulauan Seribu", "Kepulauan Seribu Utara", kel)
        assert got == "31.01.01.1001", (resolve, kel)


def test_a_misspelt_kecamatan_or_kab_prefix_is_a_prefix(small: WilayahResolver) -> None:
    for resolve in _both(small):
        assert resolve("DKI Jakarta", "Kota Adminstrasi Jakarta Pusat", "Kecamatn Gambir",
                       "Kelurhan Cideng") == "31.71.01.1002"  # fmt: skip


def test_a_prefix_word_alone_or_a_name_near_one_is_not_stripped() -> None:
    """Only a first word of 7+ letters one slip from the prefix word, followed by the name."""
    assert normalise_nama("Kelurahan") == "kelurahan"  # a lone word stays (no name: no match)
    assert normalise_nama("Kelapa Dua") == "kelapadua"
    assert normalise_nama("Kecapi Baru") == "kecapibaru"


# -- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(("kec", "kel", "kode"), [
    ("Kelapa Gading", "Pegangsaan 2", "31.72.06.1002"),
    ("Kelapa Gading", "Kel. Pegangsaan II", "31.72.06.1002"),
    ("Pancoran", "Duren 3", "31.74.08.1004"),
    ("Pancoran", "DUREN III", "31.74.08.1004"),
])  # fmt: skip
def test_a_number_as_digit_or_roman_numeral(small: WilayahResolver, kec: str, kel: str, kode: str) -> None:
    """Kepmendagri writes the word (Pegangsaan Dua, Duren Tiga); before: only the kecamatan."""
    for resolve in _both(small):
        assert resolve("DKI Jakarta", None, kec, kel) == kode, resolve


def test_a_name_without_its_number_stays_unresolved(small: WilayahResolver) -> None:
    """"Pegangsaan" in Kelapa Gading is not Pegangsaan Dua; "Duren" is not Duren Tiga."""
    for resolve in _both(small):
        assert resolve("DKI Jakarta", None, "Kelapa Gading", "Pegangsaan") == "31.72.06"
        assert resolve("DKI Jakarta", None, "Pancoran", "Duren") == "31.74.08"
        assert resolve("DKI Jakarta", None, "Menteng", "Pegangsaan 2") == "31.71.06"


# -- Jakarta's short kota names, and a kota contradicting the kecamatan -------------------


@pytest.mark.parametrize("kab", ["Jakpus", "JAKPUS", "Jak-Pus", "Jak. Pus.", "Jakarta Pst",
                                 "Kota Adm. Jakpus", "Jkt Pusat"])  # fmt: skip
def test_short_kota_names(small: WilayahResolver, kab: str) -> None:
    """Before, wilayah_match found no kab/kota ("Jakpus") and gave nothing at all."""
    for resolve in _both(small):
        assert resolve("DKI Jakarta", kab, "Gambir", "Kel. Cideng") == "31.71.01.1002", resolve


@pytest.mark.parametrize("kab", ["Jaksel", "Jak-Sel", "Jakarta Selatan"])
def test_a_kota_of_another_kecamatan_gives_no_code(small: WilayahResolver, kab: str) -> None:
    """Gambir lies in Jakarta Pusat: the names contradict each other. Before, the reference
    resolver ignored an unknown "Jaksel" and placed the record in Cideng, and wilayah_match
    gave Jakarta Selatan (31.74) for "Jakarta Selatan"."""
    for resolve in _both(small):
        assert resolve("DKI Jakarta", kab, "Gambir", "Cideng") is None, resolve
    assert match_alamat("DKI Jakarta", kab, "Gambir", "Cideng").kandidat == ("31.74", "31.71.01.1002")


def test_no_region_name_reads_as_a_short_kota_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read without the short names, no region's own name gives one of their keys (else a
    region called so would be taken for the kota)."""
    keys = set(wilayah.KEY_ALIASES)
    monkeypatch.setattr(wilayah, "KEY_ALIASES", {})
    assert normalise_nama("Jakpus") == "jakpus"  # the short names are off
    assert not [n for n in wilayah.get_table()._names.values() if normalise_nama(n) in keys]


# -- abbreviations, punctuation ----------------------------------------------------------


@pytest.mark.parametrize(("kec", "kel", "kode"), [
    ("Kep. Seribu Utara", "P. Panggang", "31.01.01.1001"),
    ("Tanjung Priok", "Tg. Priok", "31.72.02.1001"),
    ("Kebon Jeruk", "Kb. Jeruk", "31.73.05.1001"),
    ("Cilandak", "Pd. Labu", "31.74.06.1003"),
    ("Ps. Minggu", "Kel. Ps. Minggu", "31.74.04.1001"),
    ("Klp. Gading", "Klp. Gading Timur", "31.72.06.1001"),
])  # fmt: skip
def test_abbreviations_in_the_reference_resolver(kec: str, kel: str, kode: str) -> None:
    """As wilayah_match read them already; before, the reference gave only the kecamatan."""
    assert resolve_alamat("DKI Jakarta", None, kec, kel) == kode


def test_a_lone_abbreviation_names_nothing() -> None:
    assert resolve_alamat("DKI Jakarta", None, "Kebayoran Baru", "Gn.") == "31.74.07"
    assert resolve_alamat("DKI Jakarta", None, "Kebayoran Baru", "Gn. ") == "31.74.07"


@pytest.mark.parametrize("kel", ["'Cideng'", '"Cideng"', "Kel: Cideng", "Kel - Cideng",
                                 "Ds. Cideng", "- Kel. Cideng", "Cideng.", "CIDENG  "])  # fmt: skip
def test_punctuation_around_a_prefix(small: WilayahResolver, kel: str) -> None:
    """Before, wilayah_match kept a prefix after a quote or colon ('Kel: Cideng')."""
    for resolve in _both(small):
        assert resolve("DKI Jakarta", "Jakarta Pusat", "Gambir", kel) == "31.71.01.1002", resolve


def test_ambiguous_and_shared_names_stay_unresolved(small: WilayahResolver) -> None:
    """Petojo (Utara or Selatan), a kelurahan that is a kecamatan's name elsewhere (Cilandak:
    Cilandak Barat here, Cilandak Timur in Pasar Minggu), and a blank kelurahan: the kecamatan."""
    for resolve in _both(small):
        assert resolve("DKI Jakarta", "Jakpus", "Gambir", "Kel. Petojo") == "31.71.01"
        assert resolve("DKI Jakarta", "Jaksel", "Cilandak", "Kelurahan Cilandak") == "31.74.06"
        assert resolve("DKI Jakarta", "Jakpus", "Gambir", "Kelurahan Gambir") == "31.71.01.1001"
        for blank in ("", "  ", "-", "Kelurahan", "Kel."):
            assert resolve("DKI Jakarta", "Jakpus", "Gambir", blank) == "31.71.01", (resolve, blank)


# -- the national table: the new readings merge no two regions -----------------------------


def test_no_two_regions_of_one_parent_share_a_key_by_the_new_readings() -> None:
    """Numbers, abbreviations and misspelt prefixes read alike in all 91,000 names of
    Kepmendagri 300.2.2-2138/2025: siblings whose keys meet had the same letters already."""

    def letters(nama: str) -> str:  # the name without its (exact) prefixes, as before
        tokens = re.sub(r"[^a-z0-9]+", " ", nama.lower()).split()
        while prefix := next((p for p in wilayah._PREFIXES if len(tokens) > len(p)
                              and tuple(tokens[: len(p)]) == p), None):  # fmt: skip
            tokens = tokens[len(prefix) :]
        return "".join(tokens)

    names = wilayah.get_table()._names
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for kode, nama in names.items():
        parent = kode.rsplit(".", 1)[0] if "." in kode else ""
        groups[(parent, normalise_nama(nama))].add(letters(nama))
    merged = {k: v for k, v in groups.items() if len(v) > 1}
    assert not merged


# -- property: no spelling of one kelurahan resolves to another ----------------------------

_KEL_PREFIXES = ("", "Kel. ", "Kel ", "KEL.", "Kelurahan ", "Desa ", "Ds. ", "Keurahan. ",
                 "Kelurahn ", "Klurahan ", "Kelurhan ", "Kelruahan ", "Kel: ", "Kel. - ")
_KEC_PREFIXES = ("", "Kec. ", "Kecamatan ", "KEC ", "Kecamatn ", "Kecmatan ")
_NUMBER_FORMS = {"Dua": ("Dua", "2", "II"), "Tiga": ("Tiga", "3", "III")}


@st.composite
def _spelling(draw: st.DrawFn, name: str, prefixes: tuple[str, ...]) -> str:
    words = [draw(st.sampled_from(_NUMBER_FORMS.get(w, (w,)))) if i else w
             for i, w in enumerate(name.split())]  # fmt: skip
    text = draw(st.sampled_from(prefixes)) + draw(st.sampled_from([" ", "  ", "-"])).join(words)
    text = draw(st.sampled_from([text, text.upper(), text.lower()]))
    return text + draw(st.sampled_from(["", ".", ",", " "]))


def _slip(draw: st.DrawFn, name: str) -> str:
    """``name`` with one letter dropped, doubled or changed (a typo of the name itself)."""
    i = draw(st.integers(0, len(name) - 1))
    kind = draw(st.sampled_from(["drop", "double", "change"]))
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    return name[:i] + draw(st.sampled_from("aeiounrst")) + name[i + 1 :]


@pytest.fixture(scope="module")
def dki_rows() -> tuple[WilayahResolver, dict[str, str], dict[str, str], list[tuple[str, str]]]:
    from conftest import require_shared

    base = require_shared("data", "wilayah")

    def rows(name: str) -> list[dict[str, str]]:
        with (base / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    kab = {r["kode"]: r["nama"] for r in rows("dki_kabkota.csv")}
    kec = {r["kode"]: r["nama"] for r in rows("dki_kecamatan.csv")}
    kel = [(r["kode"], r["nama"]) for r in rows("dki_kelurahan.csv")]
    return resolver_from_dir(base), kab, kec, kel


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_no_spelling_of_a_kelurahan_resolves_to_another(
    dki_rows: tuple[WilayahResolver, dict[str, str], dict[str, str], list[tuple[str, str]]],
    data: st.DataObject,
) -> None:
    """Any prefix (or its typo), number form, case, spacing, trailing punctuation, and maybe a
    typo in the name itself: the kelurahan's own code, or a coarser one; never another
    kelurahan. Without a typo in the name, always its own code."""
    resolve, kab, kec, kel = dki_rows
    kode, nama = data.draw(st.sampled_from(kel))
    typo = data.draw(st.booleans())
    spelt = data.draw(_spelling(_slip(data.draw, nama) if typo else nama, _KEL_PREFIXES))
    kec_name = data.draw(_spelling(kec[kode[:8]], _KEC_PREFIXES))
    kab_name = data.draw(st.sampled_from([kab[kode[:5]], "", None]))
    for resolver in (resolve, resolve_alamat):
        got = resolver("DKI Jakarta", kab_name, kec_name, spelt)
        assert got is None or kode.startswith(got), (resolver, spelt, kec_name, got)
        if not typo:
            assert got == kode, (resolver, spelt, kec_name, got)


def test_the_ods_sample_resolves_more_records_to_a_kelurahan(ods_sample_path: Path,
                                                             wilayah_dir: Path) -> None:
    """689 real ODS records: 381 reached a kelurahan with either resolver, then 382
    ("Keurahan. Pulau Panggang"), 383 now ("Kebun Siri" in Menteng: Kebon Sirih); none is
    placed outside the kab/kota it names."""
    resolvers = {"wilayah_match": resolver_from_dir(wilayah_dir), "reference": resolve_alamat}
    with ods_sample_path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    for name, resolve in resolvers.items():
        found = [resolve(r["Provinsi"], r["Kabupaten"], r["Kecamatan"], r["Kelurahan / Desa"])
                 for r in records]  # fmt: skip
        assert sum(1 for c in found if c and c.count(".") == 3) >= 383, name
        for record, code in zip(records, found, strict=True):
            assert code and code.startswith("31.71" if "Pusat" in record["Kabupaten"] else "31.01")
        panggang = [c for r, c in zip(records, found, strict=True)
                    if r["Kelurahan / Desa"].startswith("Keurahan")]  # fmt: skip
        assert panggang == ["31.01.01.1001"], name
        siri = [c for r, c in zip(records, found, strict=True) if r["Kelurahan / Desa"] == "Kebun Siri"]
        assert siri == ["31.71.06.1005"], name


# -- a level in parentheses after the name, "Jakarta Pusat Kota" ---------------------------


@pytest.mark.parametrize("kel", ["Cideng (Kel.)", "Cideng (Kelurahan)", "CIDENG (KEL)",
                                 "Kel. Cideng (Kel.)", "Cideng(Kel.)", "Cideng (Kel.).",
                                 "Cideng (Desa)", "Cideng (Keurahan)", "Cideng Kel.",
                                 "Cideng Kelurahan", "CIDENG KEL", "Kel. Cideng Kel."])  # fmt: skip
def test_a_level_in_parentheses_after_the_name(small: WilayahResolver, kel: str) -> None:
    """Before, both resolvers read "Cideng (Kel.)" as "cidengkel" and gave only Gambir; a
    bare "Kel." last ("Cideng Kel.") likewise."""
    for resolve in _both(small):
        assert resolve("DKI Jakarta", "Jakarta Pusat", "Gambir (Kec.)", kel) == "31.71.01.1002"
        assert resolve("DKI Jakarta", "Jakarta Pusat", "Gambir Kec.", kel) == "31.71.01.1002"


@pytest.mark.parametrize("kab", ["Jakarta Pusat Kota", "Jakarta Pusat (Kota)", "Kota Jakarta Pusat",
                                 "JAKPUS KOTA", "Jakpus (Kota)", "Jakarta Pusat (Kota Adm.)",
                                 "Jakarta Pusat (Kota Administrasi)"])  # fmt: skip
def test_jakarta_kota_with_kota_after_the_name(small: WilayahResolver, kab: str) -> None:
    """Before, wilayah_match knew no kab/kota "Jakarta Pusat Kota" and gave nothing at all,
    and the reference resolver ignored it (so a contradicting kecamatan went unnoticed)."""
    for resolve in _both(small):
        assert resolve("DKI Jakarta", kab, "Gambir", "Cideng") == "31.71.01.1002", resolve
    assert wilayah.get_table().resolve(kab, tingkat="kabkota").kode == "31.71"
    assert match_alamat("DKI Jakarta", kab, "Pancoran", "Duren Tiga").kode is None


def test_kota_after_another_name_is_kept() -> None:
    """104 official names end with "Kota" (Medan Kota, a kecamatan of Kota Medan): read as
    written, never as the kota."""
    t = wilayah.get_table()
    assert t.resolve("Medan Kota", tingkat="kecamatan").nama == "Medan Kota"
    assert t.resolve("Medan Kota").tingkat == "kecamatan"
    assert normalise_nama("Medan Kota") == "medankota"


def test_no_official_name_ends_with_a_level_in_parentheses() -> None:
    """The nine official names with parentheses (Kurau (Timur), Misool (Misool Utara)) keep them."""
    names = wilayah.get_table()._names.values()
    assert [n for n in names if drop_level_suffix(n) != n] == []
    with_parentheses = [n for n in names if "(" in n]
    assert with_parentheses and all(normalise_nama(n) != normalise_nama(n.split("(")[0])
                                    for n in with_parentheses)  # fmt: skip


_LEVEL_SUFFIXES = (" (Kel.)", " (Kelurahan)", "(kel)", " (KEL.) ", " (Desa)", " (Kel)", " Kel.",
                   " KELURAHAN", " kel")  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_kelurahan_with_its_level_in_parentheses_resolves_to_itself(data: st.DataObject) -> None:
    t = wilayah.get_table()
    kode = data.draw(st.sampled_from(t.descendants("31", "kelurahan")))
    nama = t.nama(kode) or ""
    spelt = data.draw(_spelling(nama, _KEL_PREFIXES)) + data.draw(st.sampled_from(_LEVEL_SUFFIXES))
    assert normalise_nama(spelt) == normalise_nama(nama)
    assert normalise_name(spelt) == normalise_name(nama)
    assert resolve_alamat("DKI Jakarta", None, t.nama(kode[:8]), spelt) == kode


# -- Kebun for Kebon, Pulau for Pulo: the near-spelling match inside a region only ---------


@pytest.fixture(scope="module")
def dki_national() -> WilayahResolver:
    """wilayah_match over DKI's rows of the national table (no ../shared needed)."""
    t = wilayah.get_table()
    rows = {lvl: [(k, t.nama(k) or "", k.rsplit(".", 1)[0]) for k in t.descendants("31", lvl)]
            for lvl in ("kabkota", "kecamatan", "kelurahan")}  # fmt: skip
    return make_resolver(kabkota=[(k, n) for k, n, _ in rows["kabkota"]],
                         kecamatan=rows["kecamatan"], kelurahan=rows["kelurahan"])  # fmt: skip


@pytest.mark.parametrize(("kab", "kec", "kel", "kode"), [
    ("Jakarta Pusat", "Menteng", "Kebun Siri", "31.71.06.1005"),  # the real ODS record
    ("Jakarta Pusat", "Menteng", "Kebun Sirih", "31.71.06.1005"),
    ("Jakarta Pusat", "Tanah Abang", "Kebun Kacang", "31.71.07.1006"),
    ("Jakarta Timur", "Pulogadung", "Pulau Gadung", "31.75.02.1001"),
    ("Jakarta Timur", "Pulau Gadung", "Pulo Gadung", "31.75.02.1001"),
    ("Jakarta Timur", "Cakung", "Pulau Gebang", "31.75.06.1005"),
    ("Kepulauan Seribu", "Kepulauan Seribu Selatan", "Pulo Tidung", "31.01.02.1002"),
    ("Jakarta Pusat", "Gambir", "Duri Pulau", "31.71.01.1006"),
])  # fmt: skip
def test_kebun_and_pulau_inside_the_kecamatan(dki_national: WilayahResolver, kab: str, kec: str,
                                              kel: str, kode: str) -> None:
    """Before, "Kebun Siri" (ODS sample) and "Pulau Gadung" gave only the kecamatan."""
    for resolve in (dki_national, resolve_alamat):
        assert resolve("DKI Jakarta", kab, kec, kel) == kode, resolve


def test_an_exact_pulo_or_kebun_name_is_never_read_otherwise(dki_national: WilayahResolver) -> None:
    """Pulo Gadung and Pulo Gebang are official DKI names, Kebun Tebu a Lampung kecamatan: read
    as written; outside a region the folded spelling finds nothing."""
    t = wilayah.get_table()
    for resolve in (dki_national, resolve_alamat):
        assert resolve("DKI Jakarta", None, "Pulogadung", "Pulo Gadung") == "31.75.02.1001"
        assert resolve("DKI Jakarta", None, "Cakung", "Pulo Gebang") == "31.75.06.1005"
        assert resolve("DKI Jakarta", None, "Senen", "Kebun Siri") == "31.71.04"  # not in Senen
    assert t.resolve("Kebun Tebu", tingkat="kecamatan").kode == "18.04.18"
    assert t.resolve("Kebun Siri", tingkat="kelurahan") is None
    assert t.resolve("Pulau Gadung", tingkat="kelurahan") is None


def test_no_two_regions_of_one_parent_fold_alike() -> None:
    """Over all names of Kepmendagri 300.2.2-2138/2025: Kebun/Kebon and Pulau/Pulo never tell
    two siblings apart, so the folded near-spelling match cannot pick the wrong one."""
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for kode, nama in wilayah.get_table()._names.items():
        parent = kode.rsplit(".", 1)[0] if "." in kode else ""
        groups[(parent, fold(normalise_nama(nama)))].add(normalise_nama(nama))
    assert {k: v for k, v in groups.items() if len(v) > 1} == {}


_SWAPS = {"Kebon": "Kebun", "Pulau": "Pulo", "Pulo": "Pulau"}


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_kebun_pulau_spellings_resolve_to_their_own_kelurahan(
    dki_national: WilayahResolver, data: st.DataObject
) -> None:
    """Any DKI kelurahan with a Kebon/Pulau/Pulo word (20 of 267), the word swapped, maybe a
    letter dropped, doubled or changed: its own code or a coarser one, never another kelurahan;
    with only the swap, its own."""
    t = wilayah.get_table()
    kelurahan = t.descendants("31", "kelurahan")
    swappable = [k for k in kelurahan if set(_SWAPS) & set((t.nama(k) or "").split())]
    kode = data.draw(st.sampled_from(swappable))
    nama = t.nama(kode) or ""
    spelt = " ".join(_SWAPS.get(w, w) for w in nama.split())
    typo = data.draw(st.booleans())
    if typo:
        spelt = _slip(data.draw, spelt)
    for resolve in (dki_national, resolve_alamat):
        got = resolve("DKI Jakarta", t.nama(kode[:5]), t.nama(kode[:8]), spelt)
        assert got is None or kode.startswith(got), (resolve, spelt, got)
        if not typo:
            assert got == kode, (resolve, spelt, got)


# -- doubled or missing letters: the near-spelling match, only when one region fits --------


def test_doubled_or_missing_letters_inside_the_kecamatan(dki_national: WilayahResolver) -> None:
    for resolve in (dki_national, resolve_alamat):
        assert resolve("DKI Jakarta", None, "Jatinegara", "Cipinnang Besar Selatan") == "31.75.03.1007"
        assert resolve("DKI Jakarta", None, "Menteng", "Kebon Siri") == "31.71.06.1005"
        # Petojo Utara or Petojo Selatan: none
        assert resolve("DKI Jakarta", None, "Gambir", "Pettojo") == "31.71.01"
