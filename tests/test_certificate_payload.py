"""Signed QR payload: round trip, tampering, expiry, revocation, keys."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.certificate.keys import (
    generate_private_key,
    key_id,
    load_private_key,
    load_public_key,
    write_keypair,
)
from kukm.certificate.payload import (
    Sertifikat,
    decode_payload,
    encode_body,
    payload_bytes,
    sign_certificate,
)
from kukm.certificate.qr import ALPHANUMERIC
from kukm.certificate.revocation import (
    Pencabutan,
    RevocationList,
    load_revocations,
    parse_revocations,
    write_signed_revocations,
)
from kukm.certificate.verify import verify_or_raise, verify_payload
from kukm.exceptions import CODES, ConfigurationError, ValidationError

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=60
).filter(lambda s: len(s.encode()) <= 255)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2170, 1, 1))


@st.composite
def sertifikat(draw: st.DrawFn) -> Sertifikat:
    terbit = draw(dates)
    berakhir = terbit + dt.timedelta(days=draw(st.integers(0, 3000)))
    return Sertifikat(
        nomor_induk_koperasi=draw(st.from_regex(r"\A[0-9]{13}\Z")),
        nama=draw(text),
        alamat=draw(text),
        tanggal_terbit=terbit,
        tanggal_berakhir=berakhir,
        kantor_penerbit=draw(text),
        kelompok=draw(st.none() | text),
        jenis=draw(st.none() | text),
        skala_usaha=draw(st.none() | text),
        peringkat=draw(st.none() | text),
    )


@settings(max_examples=60, deadline=None)
@given(sertifikat())
def test_property_verify_gives_back_the_data(s: Sertifikat) -> None:
    signed = sign_certificate(s, KEY)
    assert set(signed.payload) <= set(ALPHANUMERIC)
    result = verify_payload(signed.payload, KEY.public_key(), on=s.tanggal_terbit)
    assert result.valid, result
    assert result.sertifikat == s
    assert verify_or_raise(signed.payload, [KEY.public_key()], on=s.tanggal_berakhir) == s


@settings(max_examples=60, deadline=None)
@given(sertifikat(), st.data())
def test_property_any_flipped_byte_fails(s: Sertifikat, data: st.DataObject) -> None:
    raw = bytearray(payload_bytes(sign_certificate(s, KEY).payload))
    i = data.draw(st.integers(0, len(raw) - 1))
    bit = data.draw(st.integers(0, 7))
    raw[i] ^= 1 << bit
    result = verify_payload(bytes(raw), KEY.public_key(), on=s.tanggal_terbit)
    assert not result.valid
    assert result.code in {
        "CERT_SIGNATURE_INVALID",
        "CERT_PAYLOAD_MALFORMED",
        "CERT_VERSION_UNKNOWN",
        "CERT_KEY_UNKNOWN",
    }
    assert result.sertifikat is None


@settings(max_examples=30, deadline=None)
@given(sertifikat(), st.data())
def test_property_changed_character_of_text_fails(s: Sertifikat, data: st.DataObject) -> None:
    payload = sign_certificate(s, KEY).payload
    i = data.draw(st.integers(len("KUKM:"), len(payload) - 1))
    new = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").filter(lambda c: c != payload[i])
    )
    changed = payload[:i] + new + payload[i + 1 :]
    # the last character may carry only padding bits; then the bytes are the same
    if payload_bytes(changed) == payload_bytes(payload):
        return
    assert not verify_payload(changed, KEY.public_key(), on=s.tanggal_terbit).valid


SAMPLE = Sertifikat(
    "3173070010001",
    "Koperasi Karyawan Gambir",
    "Jl. Gambir 3, Gambir",
    dt.date(2026, 3, 1),
    dt.date(2028, 2, 29),
    "Suku Dinas PPKUKM Kota Administrasi Jakarta Pusat",
    kelompok="Kopkar",
    jenis="Konsumen",
    skala_usaha="KUK 1",
    peringkat="B",
)


def test_reasons_have_stable_bilingual_codes() -> None:
    p = sign_certificate(SAMPLE, KEY).payload
    pk = KEY.public_key()
    cases = {
        "CERT_VALID": verify_payload(p, pk, on=dt.date(2026, 3, 1)),
        "CERT_NOT_YET_VALID": verify_payload(p, pk, on=dt.date(2026, 2, 28)),
        "CERT_EXPIRED": verify_payload(p, pk, on=dt.date(2028, 3, 1)),
        "CERT_KEY_UNKNOWN": verify_payload(p, OTHER.public_key(), on=dt.date(2026, 3, 1)),
        "CERT_PAYLOAD_MALFORMED": verify_payload("KUKM:!!", pk),
        "CERT_REVOKED": verify_payload(
            p,
            pk,
            on=dt.date(2026, 6, 1),
            revocations=RevocationList([Pencabutan(SAMPLE.sertifikat_id, dt.date(2026, 5, 1))]),
        ),
    }
    for code, result in cases.items():
        assert result.code == code
        assert result.valid is (code == "CERT_VALID")
        assert result.message_id and result.message_en
        if code != "CERT_VALID":
            assert CODES[code].message_en == result.message_en
    # the last valid day is still valid (inclusive)
    assert verify_payload(p, pk, on=dt.date(2028, 2, 29)).valid
    # a signature by another key with the same key id cannot pass
    forged = bytearray(payload_bytes(p))
    forged[-64:] = OTHER.sign(b"x")
    assert (
        verify_payload(bytes(forged), pk, on=dt.date(2026, 3, 1)).code == "CERT_SIGNATURE_INVALID"
    )


def test_revocation_before_its_date_does_not_apply() -> None:
    p = sign_certificate(SAMPLE, KEY).payload
    rl = RevocationList([Pencabutan(SAMPLE.sertifikat_id, dt.date(2026, 5, 1), "bubar")])
    assert verify_payload(p, KEY.public_key(), on=dt.date(2026, 4, 30), revocations=rl).valid
    by_nik = RevocationList([Pencabutan(SAMPLE.nomor_induk_koperasi)])
    assert verify_payload(
        p, KEY.public_key(), on=dt.date(2026, 4, 30), revocations=by_nik
    ).code == ("CERT_REVOKED")


def test_signed_revocation_list_round_trip_and_tamper(tmp_path: Path) -> None:
    path = write_signed_revocations(
        tmp_path / "cabut.json",
        [Pencabutan(SAMPLE.sertifikat_id, dt.date(2026, 5, 1), "dibubarkan")],
        KEY,
        diterbitkan=dt.date(2026, 5, 2),
    )
    rl = load_revocations(path, public_keys=[KEY.public_key()])
    assert rl.signed_by == key_id(KEY.public_key()).hex()
    assert rl.revoked(SAMPLE.sertifikat_id, on=dt.date(2026, 6, 1)) is not None
    with pytest.raises(ValidationError) as info:
        load_revocations(path, public_keys=[OTHER.public_key()])
    assert info.value.code == "REVOCATION_LIST_INVALID"
    path.write_text(path.read_text().replace("dibubarkan", "salah ketik"))
    with pytest.raises(ValidationError):
        load_revocations(path, public_keys=[KEY.public_key()])


def test_plain_revocation_list() -> None:
    rl = parse_revocations(f"# list\n\n{SAMPLE.sertifikat_id}\n3101010020004 2026-01-01 # note\n")
    assert len(rl) == 2
    assert rl.revoked(SAMPLE.sertifikat_id) is not None
    assert rl.revoked("3101010020004-20250101", on=dt.date(2025, 12, 31)) is None
    with pytest.raises(ValidationError):
        parse_revocations("3101010020004 not-a-date")


def test_field_limits() -> None:
    with pytest.raises(ValidationError):
        Sertifikat("123", "K", "", dt.date(2026, 1, 1), dt.date(2027, 1, 1), "D")
    too_long = Sertifikat(
        "3173070010001", "K" * 256, "", dt.date(2026, 1, 1), dt.date(2027, 1, 1), "D"
    )
    with pytest.raises(ValidationError) as info:
        sign_certificate(too_long, KEY)
    assert info.value.code == "CERT_FIELD_INVALID"
    old = Sertifikat("3173070010001", "K", "", dt.date(1999, 12, 31), dt.date(2027, 1, 1), "D")
    with pytest.raises(ValidationError):
        encode_body(old, b"\0\0\0\0")


def test_decode_rejects_junk() -> None:
    for junk in ["", "KUKM:", "KUKM:AE", "hello world", "KUKM:" + "A" * 200]:
        with pytest.raises(ValidationError):
            decode_payload(junk)
        assert not verify_payload(junk, KEY.public_key()).valid


def test_key_files(tmp_path: Path) -> None:
    paths = write_keypair(tmp_path / "keys", name="dinas")
    assert stat.S_IMODE(paths.private_key.stat().st_mode) == 0o600
    private = load_private_key(paths.private_key)
    public = load_public_key(paths.public_key)
    assert key_id(public).hex() == paths.key_id == key_id(private.public_key()).hex()
    with pytest.raises(ConfigurationError):
        write_keypair(tmp_path / "keys", name="dinas")  # never overwrite
    enc = write_keypair(tmp_path / "enc", name="x", passphrase=b"rahasia")
    assert load_private_key(enc.private_key, passphrase=b"rahasia") is not None
    with pytest.raises(ConfigurationError):
        load_private_key(enc.private_key)
    with pytest.raises(ConfigurationError):
        load_public_key(paths.private_key)
    assert isinstance(generate_private_key(), Ed25519PrivateKey)
