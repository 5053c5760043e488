"""Revocation lists are read leniently where unambiguous and never skip a line (exit 2);
``certificate render`` refuses a revoked certificate and a missing store; verify says which
inputs it reads."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kukm.certificate.keys import generate_private_key, write_keypair
from kukm.certificate.payload import Sertifikat, sign_certificate
from kukm.certificate.revocation import (
    Pencabutan,
    load_revocations,
    parse_revocations,
    signed_revocations_json,
)
from kukm.cli import cli
from kukm.exceptions import ValidationError

NIK = "3171010060001"
SID = f"{NIK}-20260301"
ON = dt.date(2026, 4, 1)


@pytest.mark.parametrize(
    "text",
    [
        f"{NIK},2026-03-01\n",
        f"{NIK};2026-03-01\n",
        f"{NIK}\t2026-03-01\n",
        f"id,tanggal_cabut\n{SID},2026-03-01\n",
        "ID;Tanggal_Cabut;Alasan\n\"3171.01.006.0001\";2026-03-01;\"bubar; RAT\"\n",
        "3171.01.006.0001\n",
        f"'{NIK} 2026-03-01 dibubarkan oleh RAT\n",
        f"\ufeff{SID} 2026-03-01\r\n",
        f"{NIK}-2026-03-01\n",
    ],
)
def test_unambiguous_variants_revoke(text: str) -> None:
    rl = parse_revocations(text)
    assert len(rl) == 1
    assert rl.revoked(SID, on=ON) is not None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (f"{NIK} 01/03/2026\n", 1),
        (f"# list\n{NIK}\n317101006000 2026-03-01\n", 3),
        (f"{NIK},2026-03-01\n{NIK} 2026-03-01 bubar, RAT\n", 2),  # the file's separator: ','
        (f"{NIK},2026-03-01,a,b\n", 1),
        (f"{SID[:-2]}99\n", 1),
        ("nomor,tanggal\n3171010060001,2026-03-01\n", 1),
        (f"{NIK}\n\x003\x001\n", 2),
        (f"{NIK} dibubarkan\n", 1),
    ],
)
def test_a_line_that_cannot_be_read_is_refused_by_number(text: str, line: int) -> None:
    with pytest.raises(ValidationError) as info:
        parse_revocations(text)
    assert info.value.code == "REVOCATION_LIST_INVALID"
    assert f"line {line}:" in str(info.value)


KEY = generate_private_key()


def _signed(entries: list[Pencabutan]) -> str:
    return signed_revocations_json(entries, KEY, diterbitkan=dt.date(2026, 3, 2))


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("utf-16-be", b"\xfe\xff"), ("utf-8", b"")],
)
def test_signed_json_and_plain_lists_in_bom_encodings(
    tmp_path: Path, encoding: str, bom: bytes
) -> None:
    text = _signed([Pencabutan(SID, dt.date(2026, 3, 1), "salah data")])
    path = tmp_path / "cabut.json"
    path.write_bytes(bom + text.encode(encoding))
    rl = load_revocations(path, public_keys=[KEY.public_key()])
    assert rl.signed_by is not None and rl.revoked(SID, on=ON) is not None
    plain = tmp_path / "cabut.txt"
    plain.write_bytes(bom + f"{NIK};2026-03-01\n".encode(encoding))
    assert load_revocations(plain).revoked(SID, on=ON) is not None


def test_undecodable_and_bad_signed_lists_are_refused(tmp_path: Path) -> None:
    latin = tmp_path / "l.txt"
    latin.write_bytes(f"{NIK} 2026-03-01 koperasi caf\xe9\n".encode("latin-1"))
    nobom = tmp_path / "n.txt"
    nobom.write_bytes(f"{NIK}\n".encode("utf-16-le"))
    for path in (latin, nobom):
        with pytest.raises(ValidationError) as info:
            load_revocations(path)
        assert info.value.code == "REVOCATION_LIST_INVALID"
    doc = json.loads(_signed([Pencabutan("31710100600")]))  # 11 digits, signed
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(ValidationError) as info:
        load_revocations(bad, public_keys=[KEY.public_key()])
    assert "entries[0]" in str(info.value)


_ENTRY = st.tuples(
    st.from_regex(r"\A31[0-9]{11}\Z"),
    st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))),
    st.one_of(st.none(), st.from_regex(r"\A[a-z]{1,8}( [a-z]{1,8})?\Z")),
)


@given(
    entries=st.lists(_ENTRY, min_size=1, max_size=6),
    sep=st.sampled_from([" ", ",", ";", "\t"]),
    header=st.booleans(),
    dotted=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_property_every_written_entry_is_read_back(
    tmp_path_factory: pytest.TempPathFactory,
    entries: list[tuple[str, dt.date | None, str | None]],
    sep: str,
    header: bool,
    dotted: bool,
    encoding: str,
) -> None:
    lines = ["id" + sep + "tanggal_cabut" + sep + "alasan"] if header else []
    for nik, day, why in entries:
        shown = f"{nik[:4]}.{nik[4:6]}.{nik[6:9]}.{nik[9:]}" if dotted else nik
        if why is not None and sep == " " and day is None:
            why = None  # "<id> <reason>" without a date is refused by design
        cells = [shown, day.isoformat() if day else "", why or ""]
        while cells and cells[-1] == "":
            cells.pop()
        if sep == " " and "" in cells:
            cells = cells[:1]
        lines.append(sep.join(cells))
    path = tmp_path_factory.mktemp("rl") / "l.txt"
    path.write_bytes("\n".join(lines).encode(encoding))
    rl = load_revocations(path)
    assert [e.id for e in rl.entries] == [nik for nik, _, _ in entries]
    for (nik, day, _), entry in zip(entries, rl.entries, strict=True):
        if sep != " " or entry.tanggal_cabut is not None:
            assert entry.tanggal_cabut == day
        assert rl.revoked(f"{nik}-20200101", on=dt.date(2031, 1, 1)) is not None


@given(garbage=st.text(min_size=1, max_size=12).filter(lambda s: s.strip() and "#" not in s))
def test_property_no_line_is_ever_skipped(garbage: str) -> None:
    text = f"{NIK} 2026-03-01\n{garbage.splitlines()[0] if garbage.splitlines() else garbage}\n"
    second = text.splitlines()[1]
    if not second.strip():
        return
    try:
        rl = parse_revocations(text)
    except ValidationError as exc:
        assert "line 2:" in str(exc)
    else:  # read: then it was an entry, never dropped
        assert len(rl) == 2


# -- CLI ------------------------------------------------------------------------------


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path, str]:
    paths = write_keypair(tmp_path / "keys", name="k")
    from kukm.certificate.keys import load_private_key

    key = load_private_key(paths.private_key)
    s = Sertifikat(NIK, "Kop A", "Jl. A", dt.date(2026, 3, 1), dt.date(2028, 2, 29), "Sudin")
    return paths.private_key, paths.public_key, sign_certificate(s, key).payload


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "text",
    [f"{NIK},2026-03-01\n", f"{NIK};2026-03-01\n", f"id,tanggal\n{SID},2026-03-01\n", "3171.01.006.0001\n"],
)
def test_cli_verify_honours_lenient_lists(
    tmp_path: Path, keys: tuple[Path, Path, str], text: str
) -> None:
    _, pub, payload = keys
    (tmp_path / "r.csv").write_text(text, "utf-8")
    code, out, _ = _run(
        "certificate", "verify", payload, "--public-key", str(pub),
        "--revocations", str(tmp_path / "r.csv"), "--on", "2026-04-01",
    )
    assert code == 1 and "CERT_REVOKED" in out


def test_cli_verify_unreadable_list_and_unread_inputs_exit_2(
    tmp_path: Path, keys: tuple[Path, Path, str]
) -> None:
    _, pub, payload = keys
    (tmp_path / "r.txt").write_text(f"{NIK} 01/03/2026\n", "utf-8")
    code, out, err = _run(
        "certificate", "verify", payload, "--public-key", str(pub),
        "--revocations", str(tmp_path / "r.txt"), "--on", "2026-04-01",
    )
    assert code == 2 and "line 1" in err and "SAH" not in out
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4\n")
    code, _, err = _run("certificate", "verify", str(tmp_path / "c.pdf"), "--public-key", str(pub))
    assert code == 2 and "PNG" in err and "CERT_PAYLOAD_MALFORMED" not in err
    code, _, err = _run("certificate", "verify", str(tmp_path / "gone.png"), "--public-key", str(pub))
    assert code == 2 and "no such file" in err


def test_cli_render_refuses_revoked_and_missing_store(
    tmp_path: Path, keys: tuple[Path, Path, str]
) -> None:
    from kukm.certificate.keys import load_private_key
    from kukm.certificate.registry import record_revocation, save_certificate
    from kukm.plugins import open_store

    private, _, _ = keys
    db = f"sqlite:///{tmp_path / 'k.sqlite'}"
    store = open_store(db)
    s = Sertifikat(NIK, "Kop A", "Jl. A", dt.date(2026, 3, 1), dt.date(2028, 2, 29), "Sudin")
    save_certificate(store, sign_certificate(s, load_private_key(private)))
    record_revocation(store, SID, tanggal_cabut=dt.date(2026, 3, 5), alasan="bubar")
    store.close()
    out = tmp_path / "c.svg"
    code, _, err = _run("certificate", "render", NIK, "--out", str(out), "--db", db)
    assert code == 1 and "CERT_REVOKED" in err and not out.exists()
    code, stdout, err = _run(
        "certificate", "render", NIK, "--out", str(out), "--db", db, "--allow-revoked", "--json"
    )
    assert code == 0 and "CERT_REVOKED" in err and out.exists()
    assert json.loads(stdout)["dicabut"]["tanggal_cabut"] == "2026-03-05"
    gone = tmp_path / "nothere.sqlite"
    code, _, err = _run(
        "certificate", "render", NIK, "--out", str(tmp_path / "d.svg"), "--db", f"sqlite:///{gone}"
    )
    assert code == 2 and "STORE_TIDAK_ADA" in err
    assert not gone.exists() and not (tmp_path / "d.svg").exists()
