"""Applications for a Sertifikat NIK and their workflow (Kepgub DKI 1625/2021 huruf H.6).

H.6 a: a cooperative applies offline or online; h: with its institutional and
business identity attached; b–c: the application goes to the Dinas, the Sudin
or (across provinces) the ministry (:func:`kukm.nik.routing.route`); g, i: an
appointed officer verifies it, and the certificate is given only after that
verification — and, in kukm, only when the compliance check allows
(:mod:`kukm.nik.eligibility`, injectable).

States and the only legal moves (anything else raises
:class:`kukm.exceptions.WorkflowError`)::

    diajukan ──► diverifikasi ──► terbit ──► kedaluwarsa
        │             │             └──────► dicabut
        └──► ditolak ◄┘

Every application is a document in collection :data:`COLLECTION` of the
store, with the full history of its moves (who, when, notes).

**One application per cooperative** (H.6; A.10: a cooperative has one Nomor
Induk Koperasi): while one is open (``diajukan``, ``diverifikasi``) a second
one for the same cooperative, under any of its identities (:func:`identity_key`),
is refused with ``NIK_APPLICATION_OPEN``; while its certificate is ``terbit``
and still valid, with ``NIK_CERTIFICATE_VALID`` (both name that application).
An application that ended (``ditolak``, ``kedaluwarsa``, ``dicabut``, or a
certificate past its last valid day) does not block: that is the renewal path,
and the certificate renewed keeps the number. The refusal holds across
processes: each identity's turn is claimed in the store
(:data:`IDENTITAS_COLLECTION`), as the moves below are. A filing whose process stopped after
claiming a turn does not lock the cooperative: the turn is taken over after a time
limit (:meth:`NikWorkflow.submit`).

**An interrupted issue is finished, never repeated**: the decision (date,
validity, scale, grade) is written into the application (:class:`Penerbitan`)
before a number is used; issuing again finishes it with the same number and
the same certificate (``NIK_ISSUE_PENDING`` explains the one case that needs
``resume=True``, :meth:`NikWorkflow.issue`).

Validity (:data:`DEFAULT_MASA_BERLAKU_TAHUN`): **2 years** by default, as the
Dinas PPKUKM DKI states it (beritajakarta.id en/read/59863, 2025 [S]); 1 year
is also in use (Kotim 2020, sampit.prokal.co [S]). Pass ``masa_berlaku_tahun``.

>>> import datetime as dt
>>> from kukm.plugins import open_store
>>> from kukm.model import Koperasi, Alamat, Petugas
>>> from kukm.certificate.keys import generate_private_key
>>> from kukm.nik.allocation import PrefixTable
>>> from kukm.nik.eligibility import Kelayakan
>>> wf = NikWorkflow(open_store("memory://"), eligibility=lambda k, on: Kelayakan(True),
...                  prefix_table=PrefixTable({"31.71.01.1001": "317308001"}))
>>> kop = Koperasi(nama="Koperasi Gambir", id="kop-1",
...                alamat=Alamat(jalan="Jl. Gambir 1", kode_wilayah="31.71.01.1001"))
>>> p = wf.submit(kop, wilayah_keanggotaan=["31.71"], kanal="offline",
...               waktu=dt.datetime(2026, 1, 5, 9, 0))
>>> p.status, p.kantor.nama
(<StatusPermohonan.DIAJUKAN: 'diajukan'>, 'Suku Dinas PPKUKM Kota Administrasi Jakarta Pusat')
>>> officer = Petugas(id="p-7", nama="Petugas Tujuh", peran="sudin", wilayah="31.71")
>>> p = wf.verify(p.id, officer, catatan="berkas lengkap", waktu=dt.datetime(2026, 1, 6, 10, 0))
>>> signed = wf.issue(p.id, private_key=generate_private_key(), on=dt.date(2026, 1, 7),
...                   petugas=officer)
>>> signed.sertifikat.nomor_induk_koperasi, str(signed.sertifikat.tanggal_berakhir)
('3173080010001', '2028-01-06')
>>> [h.ke.value for h in wf.get(p.id).riwayat]
['diajukan', 'diverifikasi', 'terbit']
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any, final

from attrs import evolve, field, frozen
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kukm.certificate.payload import Sertifikat, SignedCertificate, encode_body, sign_certificate
from kukm.certificate.registry import (
    CERTIFICATES,
    certificate_from_doc,
    get_certificate,
    record_revocation,
    save_certificate,
)
from kukm.converters import structure, unstructure
from kukm.exceptions import (
    AccessDenied,
    KukmError,
    NotFound,
    SequenceExhausted,
    ValidationError,
    WorkflowError,
    register_code,
)
from kukm.governance.access import (
    Policy,
    RegionCheck,
    User,
    default_policy,
    default_region_check,
    named_user_id,
)
from kukm.governance.service import stored_policy
from kukm.ids import nomor_induk_koperasi as nik_id
from kukm.model import Koperasi, Petugas, SumberData
from kukm.nik.allocation import (
    PrefixLookup,
    assign_nomor_induk,
    nomor_induk_of,
    region_prefix,
    register_existing,
)
from kukm.nik.eligibility import NIK_NOT_ELIGIBLE, EligibilityCheck, Kelayakan, default_eligibility
from kukm.nik.officer import (
    DEFAULT_OFFICER_ROLES,
    NIK_OFFICER_OUT_OF_SCOPE,
    decide,
    resolve_officer,
)
from kukm.nik.routing import Kantor, TingkatKantor, route
from kukm.storage.base import AuditEvent, Provenance, Store, StoredRecord, WriteOp

__all__ = [
    "COLLECTION",
    "DEFAULT_MASA_BERLAKU_TAHUN",
    "IDENTITAS_COLLECTION",
    "NIK_APPLICATION_OPEN",
    "NIK_CERTIFICATE_VALID",
    "NIK_ISSUE_PENDING",
    "NIK_OFFICER_OUT_OF_SCOPE",
    "OPEN",
    "Kanal",
    "NikWorkflow",
    "Penerbitan",
    "Permohonan",
    "StatusPermohonan",
    "Transisi",
    "default_classifier",
    "expiry_date",
    "identity_key",
]

COLLECTION = "permohonan_nik"
#: Document collection: a cooperative identity → ``{"versi", "permohonan"}``, the last
#: application filed under it and the turn (version) the next filing claims.
IDENTITAS_COLLECTION = "permohonan_nik_identitas"
DEFAULT_MASA_BERLAKU_TAHUN = 2

NIK_TRANSITION_ILLEGAL = register_code(
    "NIK_TRANSITION_ILLEGAL",
    "Perubahan status permohonan Sertifikat NIK ini tidak diizinkan.",
    "This status change of a NIK certificate application is not allowed.",
    module=__name__,
)
NIK_KOPERASI_IDENTITY_MISSING = register_code(
    "NIK_KOPERASI_IDENTITY_MISSING",
    "Koperasi tanpa identitas tetap (id basis data, Nomor Induk Koperasi atau nomor badan "
    "hukum): nama saja tidak mengenali koperasi.",
    "The cooperative has no stable identity (store id, Nomor Induk Koperasi or badan hukum "
    "number): a name alone does not identify a cooperative.",
    module=__name__,
)
NIK_APPLICATION_OPEN = register_code(
    "NIK_APPLICATION_OPEN",
    "Koperasi ini masih memiliki permohonan Sertifikat NIK yang belum diputus.",
    "This cooperative already has a NIK certificate application awaiting a decision.",
    module=__name__,
)
NIK_CERTIFICATE_VALID = register_code(
    "NIK_CERTIFICATE_VALID",
    "Koperasi ini sudah memegang Sertifikat NIK yang masih berlaku; permohonan baru diterima "
    "setelah sertifikat itu kedaluwarsa atau dicabut.",
    "This cooperative already holds a valid NIK certificate; a new application is accepted "
    "once it has expired or been revoked.",
    module=__name__,
)
NIK_ISSUE_PENDING = register_code(
    "NIK_ISSUE_PENDING",
    "Penerbitan sertifikat permohonan ini sudah dimulai dan belum selesai: selesaikan dengan "
    "menerbitkannya lagi (dengan --resume bila proses yang memulainya sudah berhenti); "
    "sebelum itu permohonan tidak dapat ditolak.",
    "The issue of this application's certificate started and has not finished: finish it by "
    "issuing again (with --resume once the process that started it has ended); until then "
    "the application cannot be rejected.",
    module=__name__,
)
NIK_FILING_TAKEN_OVER = register_code(
    "NIK_FILING_TAKEN_OVER",
    "Pengajuan ini melewati batas waktu antara pengambilan giliran koperasi dan pencatatan "
    "permohonan, dan gilirannya telah diambil alih oleh pengajuan lain; permohonan ini dibatalkan "
    "(ditolak oleh sistem): ajukan lagi.",
    "This filing took longer than the time limit between taking the cooperative's turn and "
    "recording the application, and its turn was taken over by another filing; the application "
    "is void (rejected by the system): file again.",
    module=__name__,
)
NIK_DATE_ORDER = register_code(
    "NIK_DATE_ORDER",
    "Tanggal tidak berurutan: terbit tidak sebelum permohonan, pencabutan tidak sebelum terbit.",
    "Dates out of order: no issue before the application, no revocation before the issue.",
    module=__name__,
)
NIK_CERTIFICATE_SAME_DAY = register_code(
    "NIK_CERTIFICATE_SAME_DAY",
    "Sertifikat untuk Nomor Induk Koperasi ini sudah diterbitkan pada tanggal yang sama.",
    "A certificate for this Nomor Induk Koperasi was already issued on that day.",
    module=__name__,
)
NIK_NOT_YET_EXPIRED = register_code(
    "NIK_NOT_YET_EXPIRED",
    "Sertifikat belum melewati masa berlakunya.",
    "The certificate has not passed its validity yet.",
    module=__name__,
)


class Kanal(enum.StrEnum):
    """How the application came in (H.6 a, f)."""

    OFFLINE = "offline"
    ONLINE = "online"


class StatusPermohonan(enum.StrEnum):
    DIAJUKAN = "diajukan"
    DIVERIFIKASI = "diverifikasi"
    DITOLAK = "ditolak"
    TERBIT = "terbit"
    KEDALUWARSA = "kedaluwarsa"
    DICABUT = "dicabut"


S = StatusPermohonan
S_SUDIN = TingkatKantor.SUDIN
#: ``status_nik`` written back to the cooperative's record (ODS vocabulary).
STATUS_NIK_AKTIF = "Sertifikat - Aktif"
STATUS_NIK_BELUM = "Belum Bersertifikat"
#: The legal moves of the workflow.
TRANSITIONS: dict[StatusPermohonan, frozenset[StatusPermohonan]] = {
    S.DIAJUKAN: frozenset({S.DIVERIFIKASI, S.DITOLAK}),
    S.DIVERIFIKASI: frozenset({S.TERBIT, S.DITOLAK}),
    S.DITOLAK: frozenset(),
    S.TERBIT: frozenset({S.KEDALUWARSA, S.DICABUT}),
    S.KEDALUWARSA: frozenset(),
    S.DICABUT: frozenset(),
}


@final
@frozen
class Transisi:
    """One move: from, to, who, when, notes."""

    dari: StatusPermohonan | None
    ke: StatusPermohonan
    petugas: str | None
    waktu: dt.datetime
    catatan: str | None = None


def _as_tuple(items: Sequence[Transisi]) -> tuple[Transisi, ...]:
    return tuple(items)


def _as_pairs(items: Sequence[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple((str(a), int(v)) for a, v in items)


@final
@frozen
class Penerbitan:
    """An issue that has started (H.6 i): everything decided before a number is used.

    Written into the application as soon as its move to ``terbit`` is claimed, so
    an issue interrupted after the number was allocated or the certificate kept is
    finished with that number and that certificate, whoever finishes it.
    """

    tanggal_terbit: dt.date
    tanggal_berakhir: dt.date
    skala_usaha: str | None
    peringkat: str | None
    #: The officer who decided the issue, and when.
    petugas: str
    dimulai: dt.datetime
    #: The compliance rule that allowed it (:class:`~kukm.nik.eligibility.Kelayakan`).
    dasar: str = ""


@final
@frozen
class Permohonan:
    """An application for a Sertifikat NIK (H.6)."""

    id: str
    koperasi: Koperasi
    koperasi_key: str
    kanal: Kanal
    wilayah_keanggotaan: tuple[str, ...]
    kantor: Kantor
    status: StatusPermohonan
    diajukan: dt.datetime
    riwayat: tuple[Transisi, ...] = field(converter=_as_tuple, factory=tuple)
    nomor_induk_koperasi: str | None = None
    sertifikat_id: str | None = None
    tanggal_berakhir: dt.date | None = None
    #: Number of moves claimed so far (the compare-and-set version, see :class:`NikWorkflow`).
    versi: int = 0
    #: An issue started and not finished (state still ``diverifikasi``).
    penerbitan: Penerbitan | None = None
    #: The cooperative identities this application was filed under, each with the turn
    #: claimed (:data:`IDENTITAS_COLLECTION`).
    identitas: tuple[tuple[str, int], ...] = field(converter=_as_pairs, factory=tuple)


def expiry_date(terbit: dt.date, years: int) -> dt.date:
    """Last valid day: ``years`` after ``terbit`` minus one day (29 Feb → 28 Feb).

    >>> expiry_date(dt.date(2026, 1, 7), 2), expiry_date(dt.date(2024, 2, 29), 1)
    (datetime.date(2028, 1, 6), datetime.date(2025, 2, 27))
    """
    try:
        end = terbit.replace(year=terbit.year + years)
    except ValueError:
        end = terbit.replace(year=terbit.year + years, day=28)
    return end - dt.timedelta(days=1)


Classifier = Callable[[Koperasi, dt.date], tuple[str | None, str | None]]
"""``classify(koperasi, on) -> (skala_usaha, peringkat)`` printed on the certificate."""


def default_classifier(koperasi: Koperasi, on: dt.date) -> tuple[str | None, str | None]:
    """Skala usaha by :func:`kukm.rules.skala_koperasi.klasifikasi_skala_koperasi`; peringkat:
    the ODS grade.

    The rules the NIK system prints for both are not published (REGULATIONS.md §4, Part 2
    §1, §3 [N]); the default scale scheme (Permenkop UKM 8/2023 Pasal 49) covers KSP/KSPPS
    only, so other cooperatives print ``-``. A Dinas passes its own classifier.

    >>> default_classifier(Koperasi(nama="K", jenis="Konsumen", grade="B"), dt.date(2026, 1, 1))
    (None, 'B')
    """
    from kukm.rules.skala_koperasi import klasifikasi_skala_koperasi

    verdict = klasifikasi_skala_koperasi(koperasi)
    skala = verdict.tingkat if verdict.berlaku else None
    return skala, koperasi.grade


def _unstructure(p: Permohonan) -> dict[str, Any]:
    return {
        "id": p.id,
        "koperasi": unstructure(p.koperasi),
        "koperasi_key": p.koperasi_key,
        "kanal": p.kanal.value,
        "wilayah_keanggotaan": list(p.wilayah_keanggotaan),
        "kantor": {
            "tingkat": p.kantor.tingkat.value,
            "kode_wilayah": p.kantor.kode_wilayah,
            "nama": p.kantor.nama,
        },
        "status": p.status.value,
        "diajukan": p.diajukan.isoformat(),
        "riwayat": [
            {
                "dari": t.dari.value if t.dari else None,
                "ke": t.ke.value,
                "petugas": t.petugas,
                "waktu": t.waktu.isoformat(),
                "catatan": t.catatan,
            }
            for t in p.riwayat
        ],
        "nomor_induk_koperasi": p.nomor_induk_koperasi,
        "sertifikat_id": p.sertifikat_id,
        "tanggal_berakhir": p.tanggal_berakhir.isoformat() if p.tanggal_berakhir else None,
        "versi": p.versi,
        "penerbitan": _unstructure_penerbitan(p.penerbitan) if p.penerbitan else None,
        "identitas": [[a, v] for a, v in p.identitas],
    }


def _unstructure_penerbitan(t: Penerbitan) -> dict[str, Any]:
    return {
        "tanggal_terbit": t.tanggal_terbit.isoformat(),
        "tanggal_berakhir": t.tanggal_berakhir.isoformat(),
        "skala_usaha": t.skala_usaha,
        "peringkat": t.peringkat,
        "petugas": t.petugas,
        "dimulai": t.dimulai.isoformat(),
        "dasar": t.dasar,
    }


def _structure_penerbitan(d: dict[str, Any]) -> Penerbitan:
    return Penerbitan(
        tanggal_terbit=dt.date.fromisoformat(d["tanggal_terbit"]),
        tanggal_berakhir=dt.date.fromisoformat(d["tanggal_berakhir"]),
        skala_usaha=d.get("skala_usaha"),
        peringkat=d.get("peringkat"),
        petugas=d["petugas"],
        dimulai=dt.datetime.fromisoformat(d["dimulai"]),
        dasar=d.get("dasar") or "",
    )


def _structure(d: dict[str, Any]) -> Permohonan:
    k = d["kantor"]
    return Permohonan(
        id=d["id"],
        koperasi=structure(d["koperasi"], Koperasi),
        koperasi_key=d["koperasi_key"],
        kanal=Kanal(d["kanal"]),
        wilayah_keanggotaan=tuple(d["wilayah_keanggotaan"]),
        kantor=Kantor(TingkatKantor(k["tingkat"]), k["kode_wilayah"], k["nama"]),
        status=StatusPermohonan(d["status"]),
        diajukan=dt.datetime.fromisoformat(d["diajukan"]),
        riwayat=[
            Transisi(
                StatusPermohonan(t["dari"]) if t["dari"] else None,
                StatusPermohonan(t["ke"]),
                t["petugas"],
                dt.datetime.fromisoformat(t["waktu"]),
                t["catatan"],
            )
            for t in d["riwayat"]
        ],
        nomor_induk_koperasi=d.get("nomor_induk_koperasi"),
        sertifikat_id=d.get("sertifikat_id"),
        tanggal_berakhir=(
            dt.date.fromisoformat(d["tanggal_berakhir"]) if d.get("tanggal_berakhir") else None
        ),
        versi=int(d.get("versi", 0)),
        penerbitan=_structure_penerbitan(d["penerbitan"]) if d.get("penerbitan") else None,
        identitas=[(a, v) for a, v in d.get("identitas") or ()],
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


#: Statuses of an application still waiting for a decision (one per cooperative at a time).
OPEN = frozenset({S.DIAJUKAN, S.DIVERIFIKASI})


def _bh_key(nomor_badan_hukum: str | None) -> str | None:
    """``BH:<number>`` in capitals without blanks, as :func:`kukm.integration.ods.koperasi_id`."""
    if not nomor_badan_hukum or not nomor_badan_hukum.strip():
        return None
    return "BH:" + "".join(nomor_badan_hukum.split()).upper()


def identity_key(koperasi: Koperasi, koperasi_key: str | None = None) -> str:
    """The cooperative's key in the NIK register: a stable identity, never its name.

    The store id (``koperasi_key``, else ``koperasi.id``), else its valid Nomor Induk
    Koperasi, else its badan hukum number normalised (``BH:…``, as the store ids of
    :func:`kukm.integration.ods.koperasi_id`). Without any of them the application is
    refused (``NIK_KOPERASI_IDENTITY_MISSING``): two cooperatives may share a name.

    >>> identity_key(Koperasi(nama="K", nomor_badan_hukum=" 12 / bh / xii.7 "))
    'BH:12/BH/XII.7'
    >>> identity_key(Koperasi(nama="K"))
    Traceback (most recent call last):
    ...
    kukm.exceptions.ValidationError: [NIK_KOPERASI_IDENTITY_MISSING] ...
    """
    for candidate in (koperasi_key, koperasi.id):
        if candidate is not None and candidate.strip():
            return candidate.strip()
    nomor = koperasi.nomor_induk_koperasi
    if nomor and nik_id.is_valid(nomor):
        return nomor
    bh = _bh_key(koperasi.nomor_badan_hukum)
    if bh is None:
        raise ValidationError(
            f"cooperative {koperasi.nama!r} has no store id, Nomor Induk Koperasi or badan "
            "hukum number: a name does not identify a cooperative",
            code=NIK_KOPERASI_IDENTITY_MISSING,
            field="nomor_badan_hukum",
            value=koperasi.nama,
        )
    return bh


def _aliases(koperasi: Koperasi, key: str) -> tuple[str, ...]:
    """Every stable identity of the cooperative (its key first)."""
    nomor = koperasi.nomor_induk_koperasi
    found = [key, koperasi.id, _bh_key(koperasi.nomor_badan_hukum)]
    if nomor and nik_id.is_valid(nomor):
        found.append(nomor)
    return tuple(dict.fromkeys(a.strip() for a in found if a and a.strip()))


def _claim_key(p: Permohonan) -> str:
    digest = hashlib.blake2b(p.id.encode("utf-8"), digest_size=12).hexdigest()
    return f"nik-permohonan:{digest}:{p.versi}"


def _identity_claim_key(alias: str, versi: int) -> str:
    digest = hashlib.blake2b(alias.encode("utf-8"), digest_size=12).hexdigest()
    return f"nik-identitas:{digest}:{versi}"


def _turn_fence_key(alias: str, versi: int) -> str:
    """The one-shot that settles a claimed turn: won by its filing once its application is
    written (the application stands), or by the filing or take-over that gives it back."""
    return _identity_claim_key(alias, versi) + ":tetap"


#: The time limit of a claimed turn: a filing waits this long for a concurrent one (same
#: identity) to write its application; a turn still without an application then is taken
#: over (:meth:`NikWorkflow.submit`).
_TURN_WAIT_SECONDS = 3.0
_TURN_POLL_SECONDS = 0.02


def _blocking(other: Permohonan, on: dt.date) -> str | None:
    """The code refusing a new application while ``other`` stands on ``on``, else ``None``.

    An open application (``NIK_APPLICATION_OPEN``), or an issued one whose certificate
    is valid on ``on`` (``NIK_CERTIFICATE_VALID``): a cooperative has one Nomor Induk
    Koperasi and one current certificate (Kepgub 1625/2021 A.10, H.6). One that ended
    (rejected, expired, revoked, or past its last valid day) does not block.
    """
    if other.status in OPEN:
        return NIK_APPLICATION_OPEN
    last_day = other.tanggal_berakhir
    if other.status is S.TERBIT and (last_day is None or on <= last_day):
        return NIK_CERTIFICATE_VALID
    return None


def _refusal(key: str, other: Permohonan, code: str) -> WorkflowError:
    if code == NIK_APPLICATION_OPEN:
        why = f"already has open application {other.id} ({other.status.value})"
    else:
        why = (
            f"already holds certificate {other.sertifikat_id} (application {other.id}), "
            f"valid until {other.tanggal_berakhir}"
        )
    return WorkflowError(f"cooperative {key!r} {why}", code=code, field="koperasi", value=other.id)


def _sertifikat(p: Permohonan, plan: Penerbitan, nomor: str) -> Sertifikat:
    """The certificate an application's issue decision gives (the same on every attempt)."""
    k = p.koperasi
    return Sertifikat(
        nomor_induk_koperasi=nomor,
        nama=k.nama,
        alamat=_alamat_text(k),
        tanggal_terbit=plan.tanggal_terbit,
        tanggal_berakhir=plan.tanggal_berakhir,
        kantor_penerbit=p.kantor.nama,
        kelompok=k.kelompok,
        jenis=k.jenis,
        skala_usaha=plan.skala_usaha,
        peringkat=plan.peringkat,
    )


class NikWorkflow:
    """The application workflow over a store (state persisted as documents).

    ``eligibility`` decides whether compliance allows a certificate
    (default :func:`kukm.nik.eligibility.default_eligibility`); ``classifier``
    gives skala usaha and peringkat; ``prefix_table`` maps kelurahan to NIK
    prefixes (default: the installed reference table).

    **Who may act** (:mod:`kukm.nik.officer`): verify, reject, issue and revoke
    need an officer of the receiving office, as granted in the store; an officer
    not registered there acts with ``unregistered_peran`` (no region) when given,
    else is refused. ``policy`` is the access policy (default: the one stored in
    the store, else the packaged one); ``officer_roles`` maps office level to role.

    **Every step is audited** (allowed or refused) in the store's audit log:
    ``nik_ajukan``, ``nik_verifikasi``, ``nik_tolak``, ``nik_terbit``,
    ``nik_kedaluwarsa``, ``nik_cabut`` (kind ``permohonan_nik``).

    **Moves are atomic**: each one claims the application's version in the
    store (:meth:`~kukm.storage.base.Store.allocate_sequence` as a one-shot
    compare-and-set) before doing anything; of concurrent moves from one state
    exactly one wins, the others get ``NIK_TRANSITION_ILLEGAL`` before any
    number is allocated or certificate signed.
    """

    def __init__(
        self,
        store: Store,
        *,
        eligibility: EligibilityCheck = default_eligibility,
        classifier: Classifier = default_classifier,
        masa_berlaku_tahun: int = DEFAULT_MASA_BERLAKU_TAHUN,
        prefix_table: PrefixLookup | None = None,
        policy: Policy | None = None,
        unregistered_peran: str | None = None,
        officer_roles: Mapping[TingkatKantor, str] = DEFAULT_OFFICER_ROLES,
        region_check: RegionCheck | None = None,
    ) -> None:
        if masa_berlaku_tahun < 1:
            raise ValueError("masa_berlaku_tahun must be at least 1")
        self.store = store
        self.eligibility = eligibility
        self.classifier = classifier
        self.masa_berlaku_tahun = masa_berlaku_tahun
        self.prefix_table = prefix_table
        self.policy = policy or stored_policy(store) or default_policy()
        self.unregistered_peran = unregistered_peran
        self.officer_roles = officer_roles
        self.region_check = region_check or default_region_check()

    # -- reads ------------------------------------------------------------------
    def get(self, permohonan_id: str) -> Permohonan:
        doc = self.store.get_document(COLLECTION, permohonan_id)
        if doc is None:
            raise NotFound(f"no NIK application {permohonan_id!r}", value=permohonan_id)
        return _structure(doc)

    def all(self) -> Iterator[Permohonan]:
        for _, doc in self.store.iter_documents(COLLECTION):
            yield _structure(doc)

    # -- audit and rights ---------------------------------------------------------
    def _audit(
        self,
        aktor: str,
        aksi: str,
        permohonan_id: str | None,
        allowed: bool,
        detail: str | None,
        waktu: dt.datetime | None = None,
    ) -> None:
        self.store.audit(
            AuditEvent(waktu or _now(), aktor, aksi, COLLECTION, permohonan_id, allowed, detail)
        )

    @contextmanager
    def _step(
        self, aksi: str, aktor: str, permohonan_id: str | None, waktu: dt.datetime | None
    ) -> Iterator[list[str]]:
        """Audit one step: refused with the error's code, or allowed with the notes given."""
        notes: list[str] = []
        try:
            yield notes
        except KukmError as exc:
            self._audit(aktor, aksi, permohonan_id, False, f"{exc.code}: {exc.message}", waktu)
            raise
        self._audit(aktor, aksi, permohonan_id, True, "; ".join(notes) or None, waktu)

    def _authorise(self, p: Permohonan, petugas: Petugas | str) -> User:
        user = resolve_officer(
            self.store, petugas, unregistered_peran=self.unregistered_peran, policy=self.policy
        )
        decision = decide(
            user,
            p.kantor,
            policy=self.policy,
            roles=self.officer_roles,
            region_check=self.region_check,
        )
        if not decision.allowed:
            raise AccessDenied(
                f"officer {user.id!r} ({user.peran} {user.wilayah or '-'}) may not act on "
                f"application {p.id} for {p.kantor.nama}: {decision.reason}",
                code=decision.code,
            )
        return user

    # -- moves ---------------------------------------------------------------------
    def _legal(self, p: Permohonan, to: StatusPermohonan) -> None:
        if to not in TRANSITIONS[p.status]:
            raise WorkflowError(
                f"{p.status.value} → {to.value} is not allowed for application {p.id}",
                code=NIK_TRANSITION_ILLEGAL,
                field="status",
                value=f"{p.status.value}->{to.value}",
            )

    def _claim(self, p: Permohonan, to: StatusPermohonan) -> Permohonan:
        """Compare-and-set: only one move may start from version ``p.versi`` (across processes)."""
        try:
            self.store.allocate_sequence(_claim_key(p), maximum=1)
        except SequenceExhausted:
            raise WorkflowError(
                f"application {p.id} was changed by another step meanwhile (version {p.versi}); "
                f"{p.status.value} → {to.value} is not applied: reload it",
                code=NIK_TRANSITION_ILLEGAL,
                field="status",
                value=f"{p.status.value}->{to.value}",
            ) from None
        return evolve(p, versi=p.versi + 1)

    def _release(self, claimed: Permohonan) -> None:
        """After a failed move: keep the state, free the next version for a new attempt."""
        self.store.put_document(COLLECTION, claimed.id, _unstructure(claimed))

    def _move(
        self,
        p: Permohonan,
        to: StatusPermohonan,
        petugas: str | None,
        waktu: dt.datetime | None,
        catatan: str | None,
        *,
        claimed: bool = False,
        **changes: Any,
    ) -> Permohonan:
        self._legal(p, to)
        if not claimed:
            p = self._claim(p, to)
        step = Transisi(p.status, to, petugas, waktu or _now(), catatan)
        new = evolve(p, status=to, riwayat=(*p.riwayat, step), **changes)
        self.store.put_document(COLLECTION, new.id, _unstructure(new))
        return new

    # -- one application per cooperative ----------------------------------------------
    def _turn(self, alias: str) -> tuple[int, str | None]:
        """An identity's next turn and the last application filed under it."""
        doc = self.store.get_document(IDENTITAS_COLLECTION, alias) or {}
        holder = doc.get("permohonan")
        return int(doc.get("versi", 0)), str(holder) if holder else None

    def _check_standing(self, key: str, permohonan_id: str | None, on: dt.date) -> None:
        """Refuse while application ``permohonan_id`` blocks its cooperative (:func:`_blocking`)."""
        doc = self.store.get_document(COLLECTION, permohonan_id) if permohonan_id else None
        if doc is not None:
            other = _structure(doc)
            code = _blocking(other, on)
            if code is not None:
                raise _refusal(key, other, code)

    def _take_turns(
        self, aliases: Sequence[str], key: str, on: dt.date
    ) -> list[tuple[str, int, str | None]]:
        """Claim the next turn of every identity of the cooperative: all of them, or none."""
        held: list[tuple[str, int, str | None]] = []
        try:
            for alias in aliases:
                held.append(self._take_turn(alias, key, on))
        except BaseException:
            self._give_back(held)
            raise
        return held

    def _take_turn(self, alias: str, key: str, on: dt.date) -> tuple[str, int, str | None]:
        deadline = time.monotonic() + _TURN_WAIT_SECONDS
        while True:
            versi, holder = self._turn(alias)
            self._check_standing(key, holder, on)
            try:
                self.store.allocate_sequence(_identity_claim_key(alias, versi), maximum=1)
            except SequenceExhausted:
                pass
            else:
                return alias, versi, holder
            # Another filing holds this turn: it records itself (and is named) in a moment.
            while self._turn(alias)[0] == versi:
                if time.monotonic() >= deadline:
                    self._recover_turn(alias, versi, key, on)
                    deadline = time.monotonic() + _TURN_WAIT_SECONDS
                    break
                time.sleep(_TURN_POLL_SECONDS)

    def _holder_of_turn(self, alias: str, versi: int) -> Permohonan | None:
        for other in self.all():
            if (alias, versi) in other.identitas:
                return other
        return None

    def _recover_turn(self, alias: str, versi: int, key: str, on: dt.date) -> None:
        """A turn claimed and not recorded within :data:`_TURN_WAIT_SECONDS`.

        The application written with it, if any, is its holder (its process stopped
        before recording the turn): one that stands refuses; one that ended gets the turn
        recorded, freeing the next one. Without one, the filing that claimed it stopped
        before writing its application, or is slower than the time limit: the turn is
        taken over by winning its fence (:func:`_turn_fence_key`) and recorded as given
        back (holder unchanged). That filing, if it still runs, loses the fence after
        writing its application and voids it (``NIK_FILING_TAKEN_OVER``): one live
        application at most. A fence already won without an application (a filing that
        stopped while giving its turn back) means none will stand with it either.
        """
        other = self._holder_of_turn(alias, versi)
        if other is None and not self._settle_turn(alias, versi):
            # settled by its filing (which wrote its application first) or given back
            other = self._holder_of_turn(alias, versi)
        if other is None:
            versi_now, holder = self._turn(alias)
            if versi_now == versi:
                self.store.put_document(
                    IDENTITAS_COLLECTION, alias, {"versi": versi + 1, "permohonan": holder}
                )
            return
        code = _blocking(other, on)
        if code is not None:
            raise _refusal(key, other, code)
        self.store.put_document(
            IDENTITAS_COLLECTION, alias, {"versi": versi + 1, "permohonan": other.id}
        )

    def _give_back(self, turns: Sequence[tuple[str, int, str | None]]) -> None:
        """A filing refused after claiming turns frees the next ones (holders unchanged);
        a turn taken over meanwhile (its fence lost) was freed by the take-over."""
        for alias, versi, holder in turns:
            if self._settle_turn(alias, versi):
                self.store.put_document(
                    IDENTITAS_COLLECTION, alias, {"versi": versi + 1, "permohonan": holder}
                )

    def _settle_turn(self, alias: str, versi: int) -> bool:
        """Win the fence of a turn held; False when a take-over won it."""
        try:
            self.store.allocate_sequence(_turn_fence_key(alias, versi), maximum=1)
        except SequenceExhausted:
            return False
        return True

    def _void_filing(self, p: Permohonan, lost: Sequence[str], waktu: dt.datetime) -> None:
        """The application written after (some of) its turns were taken over: rejected by
        the system, so that it never stands beside the filing that took them."""
        catatan = (
            f"pengajuan batal: giliran identitas {', '.join(lost)} diambil alih setelah "
            f"{_TURN_WAIT_SECONDS:g} detik ({NIK_FILING_TAKEN_OVER})"
        )
        self._move(p, S.DITOLAK, None, waktu, catatan)

    def submit(
        self,
        koperasi: Koperasi,
        *,
        wilayah_keanggotaan: Sequence[str],
        kanal: Kanal | str = Kanal.OFFLINE,
        koperasi_key: str | None = None,
        permohonan_id: str | None = None,
        waktu: dt.datetime | None = None,
    ) -> Permohonan:
        """File an application (state ``diajukan``), routed to its office.

        Refused: a membership area with a code not in the Kemendagri tree
        (``NIK_WILAYAH_KEANGGOTAAN_INVALID``), a cooperative without a stable
        identity (:func:`identity_key`), a cooperative that already has an open
        application (``NIK_APPLICATION_OPEN``) or a certificate still valid on the
        day of ``waktu`` (``NIK_CERTIFICATE_VALID``), under any of its identities;
        both name that application (``value``). One that ended does not block
        (renewal: the number is kept, A.10).

        Race-safe: each identity's next turn is claimed in the store
        (:meth:`~kukm.storage.base.Store.allocate_sequence` as a one-shot
        compare-and-set, :data:`IDENTITAS_COLLECTION`) before the application is
        written; of two filings at once for one cooperative, in one process or
        several, one is written and the other refused naming it.

        **A filing that stopped is not a lock**: a turn claimed and, after
        :data:`_TURN_WAIT_SECONDS` (3 s), still without an application (its process
        ended between the claim and the write) is taken over by the next filing. A
        filing still running but slower than that loses its turn: its application,
        written late, is rejected by the system at once and the call raises
        ``NIK_FILING_TAKEN_OVER`` (file again), so two applications never stand
        together.
        """
        pid = permohonan_id or f"PNIK-{uuid.uuid4().hex[:12]}"
        when = waktu or _now()
        aktor = f"pemohon:{koperasi_key or koperasi.id or koperasi.nama}"
        with self._step("nik_ajukan", aktor, pid, when) as notes:
            kantor = route(wilayah_keanggotaan, region_check=self.region_check)
            key = identity_key(koperasi, koperasi_key)
            if self.store.get_document(COLLECTION, pid) is not None:
                raise WorkflowError(
                    f"application {pid} exists already",
                    code=NIK_TRANSITION_ILLEGAL,
                    field="id",
                    value=pid,
                )
            mine = sorted(_aliases(koperasi, key))
            day = when.date()
            for other in self.all():
                if set(mine) & set(_aliases(other.koperasi, other.koperasi_key)):
                    code = _blocking(other, day)
                    if code is not None:
                        raise _refusal(key, other, code)
            p = Permohonan(
                id=pid,
                koperasi=koperasi,
                koperasi_key=key,
                kanal=Kanal(kanal),
                wilayah_keanggotaan=tuple(wilayah_keanggotaan),
                kantor=kantor,
                status=S.DIAJUKAN,
                diajukan=when,
                riwayat=[Transisi(None, S.DIAJUKAN, None, when, f"kanal {Kanal(kanal).value}")],
            )
            turns = self._take_turns(mine, key, day)
            p = evolve(p, identitas=[(alias, versi) for alias, versi, _ in turns])
            try:
                self.store.put_document(COLLECTION, pid, _unstructure(p))
            except BaseException:
                self._give_back(turns)
                raise
            # the application stands only with every turn's fence won (none taken over)
            lost = [alias for alias, versi, _ in turns if not self._settle_turn(alias, versi)]
            if lost:
                self._void_filing(p, lost, when)
            for alias, versi, _ in turns:
                if alias not in lost:
                    self.store.put_document(
                        IDENTITAS_COLLECTION, alias, {"versi": versi + 1, "permohonan": pid}
                    )
            if lost:
                raise WorkflowError(
                    f"cooperative {key!r}: application {pid} was written after its turn under "
                    f"{', '.join(lost)} was taken over (time limit {_TURN_WAIT_SECONDS:g} s); "
                    "it is void (ditolak by the system): file again",
                    code=NIK_FILING_TAKEN_OVER,
                    field="koperasi",
                    value=pid,
                )
            notes.append(f"koperasi {key} → {kantor.nama}")
        return p

    def _decide(
        self,
        aksi: str,
        to: StatusPermohonan,
        permohonan_id: str,
        petugas: Petugas | str,
        catatan: str | None,
        waktu: dt.datetime | None,
    ) -> Permohonan:
        with self._step(aksi, _aktor(petugas), permohonan_id, waktu) as notes:
            p = self.get(permohonan_id)
            user = self._authorise(p, petugas)
            if p.penerbitan is not None:
                raise WorkflowError(
                    f"the issue of application {p.id} started {p.penerbitan.dimulai.isoformat()} "
                    f"(tanggal terbit {p.penerbitan.tanggal_terbit}): finish it (issue), then "
                    "revoke if need be",
                    code=NIK_ISSUE_PENDING,
                    field="status",
                    value=p.id,
                )
            self._await_filing(p, verifying=to is S.DIVERIFIKASI)
            new = self._move(p, to, user.id, waktu, catatan)
            notes.append(f"{p.status.value} → {to.value} ({user.peran} {user.wilayah or '-'})")
        return new

    def _await_filing(self, p: Permohonan, *, verifying: bool) -> None:
        """Let the filing of ``p`` finish before an officer decides on it.

        :meth:`submit` writes the application, then wins the fence of each identity turn
        it claimed and records the turn for it. Between the two, a take-over may still
        void it (``NIK_FILING_TAKEN_OVER``). So, for an application still ``diajukan``:
        a turn recorded for another application (taken over) refuses a verification with
        that code; a turn not recorded yet is waited for (milliseconds; at most
        :data:`_TURN_WAIT_SECONDS`, after which its filing stopped after writing it, and
        no take-over can win any more since the application is found). A rejection is
        never refused here: ending an application cannot make two stand (a stuck one must
        stay rejectable). Cost: one read per identity.
        """
        if p.status is not S.DIAJUKAN or not p.identitas:
            return
        deadline = time.monotonic() + _TURN_WAIT_SECONDS
        while True:
            pending = False
            for alias, versi in p.identitas:
                versi_now, holder = self._turn(alias)
                if versi_now <= versi:
                    pending = True
                elif holder != p.id and verifying:
                    raise WorkflowError(
                        f"application {p.id}: its turn under {alias!r} was taken over by "
                        "another filing before it was recorded; it is void (ditolak by the "
                        "system), not verified",
                        code=NIK_FILING_TAKEN_OVER,
                        field="status",
                        value=p.id,
                    )
            if not pending or time.monotonic() >= deadline:
                return
            time.sleep(_TURN_POLL_SECONDS)

    def verify(
        self,
        permohonan_id: str,
        petugas: Petugas | str,
        *,
        catatan: str | None = None,
        waktu: dt.datetime | None = None,
    ) -> Permohonan:
        """An officer of the receiving office found the application in order (H.6 g, i)."""
        return self._decide(
            "nik_verifikasi", S.DIVERIFIKASI, permohonan_id, petugas, catatan, waktu
        )

    def reject(
        self,
        permohonan_id: str,
        petugas: Petugas | str,
        *,
        catatan: str | None = None,
        waktu: dt.datetime | None = None,
    ) -> Permohonan:
        """The officer rejects the application (with the reason in ``catatan``)."""
        return self._decide("nik_tolak", S.DITOLAK, permohonan_id, petugas, catatan, waktu)

    def check(self, permohonan_id: str, *, on: dt.date) -> Kelayakan:
        """What the compliance check says about the application's cooperative on ``on``."""
        return self.eligibility(self.get(permohonan_id).koperasi, on)

    def _stored_koperasi(self, key: str) -> StoredRecord | None:
        stored = self.store.get("koperasi", key)
        return stored if stored is not None and isinstance(stored.record, Koperasi) else None

    def _known_number(self, p: Permohonan, aliases: Sequence[str]) -> str | None:
        """The number the cooperative holds: in the register under its key, on the
        application, on its store record, in the register under another of its identities."""
        registered = nomor_induk_of(self.store, p.koperasi_key)
        if registered is not None:
            return registered
        stored = self._stored_koperasi(p.koperasi_key)
        on_record = stored.record if stored is not None else None
        for nomor in (
            p.koperasi.nomor_induk_koperasi,
            on_record.nomor_induk_koperasi if isinstance(on_record, Koperasi) else None,
        ):
            if nomor:
                return nik_id.validate(nomor)
        return nomor_induk_of(self.store, p.koperasi_key, *aliases)

    def _plan(
        self,
        p: Permohonan,
        on: dt.date,
        user: User,
        skala_usaha: str | None,
        peringkat: str | None,
        waktu: dt.datetime | None,
    ) -> Penerbitan:
        """Check everything an issue needs before any number is used, and decide it."""
        if on < p.diajukan.date():
            raise ValidationError(
                f"issue date {on} lies before the application ({p.diajukan.date()})",
                code=NIK_DATE_ORDER,
                field="tanggal_terbit",
                value=on,
            )
        verdict = self.eligibility(p.koperasi, on)
        if not verdict.eligible:
            why = "; ".join(f"{r.code}: {r.message_en}" for r in verdict.reasons)
            raise WorkflowError(
                f"not eligible for a NIK certificate ({why})",
                code=NIK_NOT_ELIGIBLE,
                field="kepatuhan",
                value=[r.code for r in verdict.reasons],
            )
        k = p.koperasi
        known = self._known_number(p, _aliases(k, p.koperasi_key))
        prefix: str | None = None
        if known is None:
            prefix = region_prefix(k.alamat.kode_wilayah or "", table=self.prefix_table)
        skala, grade = self.classifier(k, on)
        plan = Penerbitan(
            tanggal_terbit=on,
            tanggal_berakhir=expiry_date(on, self.masa_berlaku_tahun),
            skala_usaha=skala_usaha if skala_usaha is not None else skala,
            peringkat=peringkat if peringkat is not None else grade,
            petugas=user.id,
            dimulai=waktu or _now(),
            dasar=verdict.rule,
        )
        draft = _sertifikat(p, plan, known or f"{prefix}0000")
        encode_body(draft, bytes(4))  # every field fits (CERT_FIELD_INVALID names it)
        if known is not None:
            _check_certificate_id_free(self.store, draft.sertifikat_id)
        return plan

    def issue(
        self,
        permohonan_id: str,
        *,
        private_key: Ed25519PrivateKey,
        on: dt.date,
        petugas: Petugas | str | None = None,
        skala_usaha: str | None = None,
        peringkat: str | None = None,
        waktu: dt.datetime | None = None,
        resume: bool = False,
    ) -> SignedCertificate:
        """Issue the certificate of a verified application (state ``terbit``).

        ``petugas`` (required) must be an officer of the receiving office. Allocates
        the Nomor Induk Koperasi if the cooperative has none (one per cooperative,
        kept by its stable identity); raises :class:`WorkflowError`
        (``NIK_NOT_ELIGIBLE``) when compliance does not allow it, ``NIK_DATE_ORDER``
        when ``on`` lies before the application, ``CERT_FIELD_INVALID`` (naming the
        field) before any number is used. Everything is checked, then the move is
        claimed, and only then is a number allocated and the certificate signed.
        When the cooperative is a record in the store, its new version carries the
        number, ``status_nik`` and ``tanggal_berlaku_sertifikat``.

        **An interrupted issue is finished, not repeated** (H.6 i; A.10: one number,
        one certificate). Right after the claim the decision — issue date, last
        valid day, scale, grade (:class:`Penerbitan`) — is written into the
        application; then the number is allocated, the certificate signed and kept,
        the cooperative's record updated, and only then is the state ``terbit``.
        An issue that fails on the way (an error in this process) is released:
        issuing again allocates no second number (the register keeps the first) and,
        once the certificate was kept, finishes with that certificate and the
        decision written, whatever ``on`` the new call gives. An issue whose process
        ended without releasing it (a crash) cannot be told from one still running
        elsewhere, so issuing again is refused with ``NIK_ISSUE_PENDING`` (naming
        when and by whom it started); ``resume=True`` (CLI ``kukm nik issue
        --resume``), given once that process has ended, takes it over and finishes
        it the same way. While an issue is started the application cannot be
        rejected (``NIK_ISSUE_PENDING``): its certificate may exist already; finish
        the issue, then revoke.
        """
        with self._step("nik_terbit", _aktor(petugas), permohonan_id, waktu) as notes:
            if petugas is None:
                named_user_id(None, "petugas")
            assert petugas is not None
            p = self.get(permohonan_id)
            user = self._authorise(p, petugas)
            self._legal(p, S.TERBIT)
            if p.penerbitan is None:
                plan = self._plan(p, on, user, skala_usaha, peringkat, waktu)
                self._claim(p, S.TERBIT)
                p = evolve(p, penerbitan=plan)
                try:  # the decision, under the claimed version: the issue can now be finished
                    self.store.put_document(COLLECTION, p.id, _unstructure(p))
                except BaseException:
                    self._release_issue(p, plan)
                    raise
            else:
                plan = p.penerbitan
                p = self._resume_issue(p, resume=resume)
                notes.append(
                    f"melanjutkan penerbitan {plan.dimulai.isoformat()} oleh {plan.petugas}"
                )
            try:
                # a take-over (resume) also takes over the number's claim the ended process held
                signed = self._finish_issue(p, plan, private_key, user, waktu, resume=resume)
            except BaseException:
                self._release_issue(p, plan)
                raise
            notes.append(
                f"sertifikat {signed.sertifikat.sertifikat_id}; {plan.dasar} "
                f"({user.peran} {user.wilayah or '-'})"
            )
        return signed

    def _resume_issue(self, p: Permohonan, *, resume: bool) -> Permohonan:
        """Claim an application whose issue started: released after a failure, or, with
        ``resume``, taken over from a process that ended without releasing it."""
        assert p.penerbitan is not None
        try:
            self._claim(p, S.TERBIT)
        except WorkflowError:
            now = self.get(p.id)
            if now.versi != p.versi or now.penerbitan != p.penerbitan:
                raise  # it moved meanwhile: finished, or released
            if not resume:
                raise WorkflowError(
                    f"the issue of application {p.id} started {p.penerbitan.dimulai.isoformat()} "
                    f"by {p.penerbitan.petugas} (tanggal terbit {p.penerbitan.tanggal_terbit}) "
                    "has not finished: it is running elsewhere, or its process ended; once it "
                    "has ended, issue again with resume=True (kukm nik issue --resume)",
                    code=NIK_ISSUE_PENDING,
                    field="status",
                    value=p.id,
                ) from None
        else:
            return p
        try:  # one take-over per version
            self.store.allocate_sequence(f"{_claim_key(p)}:lanjut", maximum=1)
        except SequenceExhausted:
            raise WorkflowError(
                f"the interrupted issue of application {p.id} was taken over already; reload it",
                code=NIK_TRANSITION_ILLEGAL,
                field="status",
                value=p.id,
            ) from None
        taken = evolve(p, versi=p.versi + 1)
        self.store.put_document(COLLECTION, taken.id, _unstructure(taken))
        self._claim(taken, S.TERBIT)
        return taken

    def _kept_certificate(self, p: Permohonan, sertifikat_id: str) -> SignedCertificate | None:
        """The certificate this application's issue kept already, if any."""
        doc = self.store.get_document(CERTIFICATES, sertifikat_id)
        if doc is not None and doc.get("permohonan_id") == p.id:
            return certificate_from_doc(doc)
        return None

    def _finish_issue(
        self,
        p: Permohonan,
        plan: Penerbitan,
        private_key: Ed25519PrivateKey,
        user: User,
        waktu: dt.datetime | None,
        *,
        resume: bool = False,
    ) -> SignedCertificate:
        """Number, certificate, record, state: each step done once whatever came before.
        ``resume``: the register's claim of an issue whose process ended is taken over too
        (:func:`~kukm.nik.allocation.assign_nomor_induk`)."""
        k = p.koperasi
        aliases = _aliases(k, p.koperasi_key)
        known = self._known_number(p, aliases)
        today = plan.tanggal_terbit
        if known is not None:
            nomor = register_existing(
                self.store, p.koperasi_key, known, today=today, aliases=aliases, resume=resume
            )
        else:
            prefix = region_prefix(k.alamat.kode_wilayah or "", table=self.prefix_table)
            nomor = assign_nomor_induk(
                self.store, p.koperasi_key, prefix=prefix, today=today, aliases=aliases,
                resume=resume,
            )  # fmt: skip
        sertifikat = _sertifikat(p, plan, nomor)
        signed = self._kept_certificate(p, sertifikat.sertifikat_id)
        if signed is None:
            _check_certificate_id_free(self.store, sertifikat.sertifikat_id)
            signed = sign_certificate(sertifikat, private_key)
            save_certificate(self.store, signed, permohonan_id=p.id)
        self._write_back(
            p,
            user,
            waktu,
            nomor_induk_koperasi=nomor,
            status_nik=STATUS_NIK_AKTIF,
            tanggal_berlaku_sertifikat=sertifikat.tanggal_berakhir,
        )
        self._move(
            evolve(p, versi=p.versi + 1, penerbitan=None),
            S.TERBIT,
            user.id,
            waktu,
            f"sertifikat {sertifikat.sertifikat_id}; {plan.dasar}",
            claimed=True,
            koperasi=evolve(k, nomor_induk_koperasi=nomor),
            nomor_induk_koperasi=nomor,
            sertifikat_id=sertifikat.sertifikat_id,
            tanggal_berakhir=sertifikat.tanggal_berakhir,
        )
        return signed

    def _release_issue(self, p: Permohonan, plan: Penerbitan) -> None:
        """After a failed issue: free the next version. The decision stays once its
        certificate was kept (the issue is then finished with it), else it goes."""
        # Best effort: when the store fails here too, the application stays claimed with
        # its decision and ``issue(..., resume=True)`` finishes it; the first error is raised.
        with suppress(Exception):
            nomor = nomor_induk_of(self.store, p.koperasi_key)
            kept = nomor is not None and (
                self._kept_certificate(p, _sertifikat(p, plan, nomor).sertifikat_id) is not None
            )
            released = evolve(p, versi=p.versi + 1, penerbitan=plan if kept else None)
            self.store.put_document(COLLECTION, p.id, _unstructure(released))

    def _write_back(
        self, p: Permohonan, user: User, waktu: dt.datetime | None, **fields: Any
    ) -> None:
        """A new version of the cooperative's store record carrying the NIK outcome.

        The record keeps its verification status; a failure is audited, not raised
        (the certificate stands).
        """
        stored = self._stored_koperasi(p.koperasi_key)
        if stored is None:
            return
        assert isinstance(stored.record, Koperasi)
        updated = evolve(stored.record, **fields)
        if updated == stored.record:
            return
        sumber = SumberData.SUDIN if p.kantor.tingkat is S_SUDIN else SumberData.BIDANG_KOPERASI
        op = WriteOp(
            "koperasi",
            stored.id,
            updated,
            Provenance(sumber, user.id, waktu or _now()),
            atribut=dict(stored.atribut),
            status=stored.status,
        )
        detail = ", ".join(f"{k}={v}" for k, v in fields.items())
        try:
            self.store.write_batch([op])
        except KukmError as exc:
            self._audit(user.id, "nik_tulis_koperasi", p.id, False, f"{exc.code}: {detail}", waktu)
            return
        self._audit(user.id, "nik_tulis_koperasi", p.id, True, f"koperasi {stored.id}: {detail}")

    def expire(
        self, permohonan_id: str, *, on: dt.date, waktu: dt.datetime | None = None
    ) -> Permohonan:
        """Mark an issued certificate as expired once ``on`` is past its last valid day."""
        with self._step("nik_kedaluwarsa", "sistem", permohonan_id, waktu) as notes:
            p = self.get(permohonan_id)
            if p.status is S.TERBIT and p.tanggal_berakhir is not None and on <= p.tanggal_berakhir:
                raise WorkflowError(
                    code=NIK_NOT_YET_EXPIRED, field="tanggal_berakhir", value=p.tanggal_berakhir
                )
            new = self._move(p, S.KEDALUWARSA, None, waktu, f"berakhir {p.tanggal_berakhir}")
            notes.append(f"berakhir {p.tanggal_berakhir}, diperiksa {on}")
        return new

    def expire_due(self, *, on: dt.date) -> list[Permohonan]:
        """Expire every issued certificate whose validity ended before ``on``."""
        return [
            self.expire(p.id, on=on)
            for p in list(self.all())
            if p.status is S.TERBIT and p.tanggal_berakhir is not None and on > p.tanggal_berakhir
        ]

    def revoke(
        self,
        permohonan_id: str,
        petugas: Petugas | str,
        *,
        alasan: str,
        on: dt.date,
        waktu: dt.datetime | None = None,
    ) -> Permohonan:
        """Revoke an issued certificate (it then fails verification with ``CERT_REVOKED``).

        Needs an officer of the receiving office; ``on`` may not lie before the
        issue date (``NIK_DATE_ORDER``).
        """
        with self._step("nik_cabut", _aktor(petugas), permohonan_id, waktu) as notes:
            p = self.get(permohonan_id)
            user = self._authorise(p, petugas)
            self._legal(p, S.DICABUT)
            assert p.sertifikat_id is not None
            cert = get_certificate(self.store, p.sertifikat_id)
            terbit = cert.sertifikat.tanggal_terbit if cert is not None else None
            if terbit is not None and on < terbit:
                raise ValidationError(
                    f"revocation date {on} lies before the issue date {terbit}",
                    code=NIK_DATE_ORDER,
                    field="tanggal_cabut",
                    value=on,
                )
            claimed = self._claim(p, S.DICABUT)
            try:
                record_revocation(self.store, p.sertifikat_id, tanggal_cabut=on, alasan=alasan)
            except BaseException:
                self._release(claimed)
                raise
            new = self._move(claimed, S.DICABUT, user.id, waktu, alasan, claimed=True)
            notes.append(f"sertifikat {p.sertifikat_id} dicabut {on}: {alasan}")
        self._write_back(
            p, user, waktu, status_nik=STATUS_NIK_BELUM, tanggal_berlaku_sertifikat=None
        )
        return new


def _aktor(petugas: Petugas | str | None) -> str:
    """Who an audit event names (a blank id is refused by the step itself)."""
    if petugas is None:
        return "(tanpa petugas)"
    text = petugas if isinstance(petugas, str) else petugas.id
    return text.strip() or "(kosong)"


def _check_certificate_id_free(store: Store, sertifikat_id: str) -> None:
    if get_certificate(store, sertifikat_id) is not None:
        raise WorkflowError(
            f"certificate {sertifikat_id} exists already (one certificate per NIK Koperasi "
            "per day: its id would name both); issue on a later day",
            code=NIK_CERTIFICATE_SAME_DAY,
            field="tanggal_terbit",
            value=sertifikat_id,
        )


def _alamat_text(k: Koperasi) -> str:
    a = k.alamat
    parts = [a.jalan, a.kelurahan_nama, a.kecamatan_nama, a.kabkota_nama]
    return ", ".join(p.strip() for p in parts if p and p.strip())
