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
...                  prefix_table=PrefixTable({"31.71.01.1001": "317307001"}))
>>> kop = Koperasi(nama="Koperasi Gambir", id="kop-1",
...                alamat=Alamat(jalan="Jl. Gambir 1", kode_wilayah="31.71.01.1001"))
>>> p = wf.submit(kop, wilayah_keanggotaan=["31.71"], kanal="offline",
...               waktu=dt.datetime(2026, 1, 5, 9, 0))
>>> p.status, p.kantor.nama
(<StatusPermohonan.DIAJUKAN: 'diajukan'>, 'Suku Dinas PPKUKM Kota Administrasi Jakarta Pusat')
>>> officer = Petugas(id="p-7", nama="Petugas Tujuh", peran="sudin", wilayah="31.71")
>>> p = wf.verify(p.id, officer, catatan="berkas lengkap", waktu=dt.datetime(2026, 1, 6, 10, 0))
>>> signed = wf.issue(p.id, private_key=generate_private_key(), on=dt.date(2026, 1, 7))
>>> signed.sertifikat.nomor_induk_koperasi, str(signed.sertifikat.tanggal_berakhir)
('3173070010001', '2028-01-06')
>>> [h.ke.value for h in wf.get(p.id).riwayat]
['diajukan', 'diverifikasi', 'terbit']
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, final

from attrs import evolve, field, frozen
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kukm.certificate.payload import Sertifikat, SignedCertificate, sign_certificate
from kukm.certificate.registry import record_revocation, save_certificate
from kukm.converters import structure, unstructure
from kukm.exceptions import NotFound, WorkflowError, register_code
from kukm.model import Koperasi, Petugas
from kukm.nik.allocation import PrefixLookup, assign_nomor_induk, register_existing
from kukm.nik.eligibility import NIK_NOT_ELIGIBLE, EligibilityCheck, Kelayakan, default_eligibility
from kukm.nik.routing import Kantor, TingkatKantor, route
from kukm.storage.base import Store, wilayah_matches

__all__ = [
    "COLLECTION",
    "DEFAULT_MASA_BERLAKU_TAHUN",
    "Kanal",
    "NikWorkflow",
    "Permohonan",
    "StatusPermohonan",
    "Transisi",
    "default_classifier",
    "expiry_date",
]

COLLECTION = "permohonan_nik"
DEFAULT_MASA_BERLAKU_TAHUN = 2

NIK_TRANSITION_ILLEGAL = register_code(
    "NIK_TRANSITION_ILLEGAL",
    "Perubahan status permohonan Sertifikat NIK ini tidak diizinkan.",
    "This status change of a NIK certificate application is not allowed.",
    module=__name__,
)
NIK_OFFICER_OUT_OF_SCOPE = register_code(
    "NIK_OFFICER_OUT_OF_SCOPE",
    "Petugas tidak ditunjuk untuk wilayah kantor penerima permohonan.",
    "The officer is not appointed for the region of the receiving office.",
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
    }


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
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _petugas_id(petugas: Petugas | str) -> str:
    return petugas if isinstance(petugas, str) else petugas.id


class NikWorkflow:
    """The application workflow over a store (state persisted as documents).

    ``eligibility`` decides whether compliance allows a certificate
    (default :func:`kukm.nik.eligibility.default_eligibility`); ``classifier``
    gives skala usaha and peringkat; ``prefix_table`` maps kelurahan to NIK
    prefixes (default: the installed reference table).
    """

    def __init__(
        self,
        store: Store,
        *,
        eligibility: EligibilityCheck = default_eligibility,
        classifier: Classifier = default_classifier,
        masa_berlaku_tahun: int = DEFAULT_MASA_BERLAKU_TAHUN,
        prefix_table: PrefixLookup | None = None,
    ) -> None:
        if masa_berlaku_tahun < 1:
            raise ValueError("masa_berlaku_tahun must be at least 1")
        self.store = store
        self.eligibility = eligibility
        self.classifier = classifier
        self.masa_berlaku_tahun = masa_berlaku_tahun
        self.prefix_table = prefix_table

    # -- reads ------------------------------------------------------------------
    def get(self, permohonan_id: str) -> Permohonan:
        doc = self.store.get_document(COLLECTION, permohonan_id)
        if doc is None:
            raise NotFound(f"no NIK application {permohonan_id!r}", value=permohonan_id)
        return _structure(doc)

    def all(self) -> Iterator[Permohonan]:
        for _, doc in self.store.iter_documents(COLLECTION):
            yield _structure(doc)

    # -- moves ---------------------------------------------------------------------
    def _move(
        self,
        p: Permohonan,
        to: StatusPermohonan,
        petugas: str | None,
        waktu: dt.datetime | None,
        catatan: str | None,
        **changes: Any,
    ) -> Permohonan:
        if to not in TRANSITIONS[p.status]:
            raise WorkflowError(
                f"{p.status.value} → {to.value} is not allowed for application {p.id}",
                code=NIK_TRANSITION_ILLEGAL,
                field="status",
                value=f"{p.status.value}->{to.value}",
            )
        step = Transisi(p.status, to, petugas, waktu or _now(), catatan)
        new = evolve(p, status=to, riwayat=(*p.riwayat, step), **changes)
        self.store.put_document(COLLECTION, new.id, _unstructure(new))
        return new

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
        """File an application (state ``diajukan``), routed to its office."""
        kantor = route(wilayah_keanggotaan)
        when = waktu or _now()
        key = koperasi_key or koperasi.id or koperasi.nomor_induk_koperasi or koperasi.nama
        pid = permohonan_id or f"PNIK-{uuid.uuid4().hex[:12]}"
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
        self.store.put_document(COLLECTION, pid, _unstructure(p))
        return p

    def _check_officer(self, p: Permohonan, petugas: Petugas | str) -> None:
        if isinstance(petugas, Petugas) and petugas.wilayah is not None:
            office = p.kantor.kode_wilayah
            if office is None or not wilayah_matches(office, petugas.wilayah):
                raise WorkflowError(
                    code=NIK_OFFICER_OUT_OF_SCOPE, field="petugas", value=petugas.id
                )

    def verify(
        self,
        permohonan_id: str,
        petugas: Petugas | str,
        *,
        catatan: str | None = None,
        waktu: dt.datetime | None = None,
    ) -> Permohonan:
        """An appointed officer found the application in order (H.6 g, i)."""
        p = self.get(permohonan_id)
        self._check_officer(p, petugas)
        return self._move(p, S.DIVERIFIKASI, _petugas_id(petugas), waktu, catatan)

    def reject(
        self,
        permohonan_id: str,
        petugas: Petugas | str,
        *,
        catatan: str | None = None,
        waktu: dt.datetime | None = None,
    ) -> Permohonan:
        """The officer rejects the application (with the reason in ``catatan``)."""
        p = self.get(permohonan_id)
        self._check_officer(p, petugas)
        return self._move(p, S.DITOLAK, _petugas_id(petugas), waktu, catatan)

    def check(self, permohonan_id: str, *, on: dt.date) -> Kelayakan:
        """What the compliance check says about the application's cooperative on ``on``."""
        return self.eligibility(self.get(permohonan_id).koperasi, on)

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
    ) -> SignedCertificate:
        """Issue the certificate of a verified application (state ``terbit``).

        Allocates the Nomor Induk Koperasi if the cooperative has none; raises
        :class:`WorkflowError` (``NIK_NOT_ELIGIBLE``) when compliance does not allow it.
        """
        p = self.get(permohonan_id)
        if S.TERBIT not in TRANSITIONS[p.status]:
            self._move(p, S.TERBIT, None, waktu, None)  # raises the illegal-move error
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
        if k.nomor_induk_koperasi:
            nomor = register_existing(self.store, p.koperasi_key, k.nomor_induk_koperasi, today=on)
        else:
            nomor = assign_nomor_induk(
                self.store,
                p.koperasi_key,
                kode_kelurahan=k.alamat.kode_wilayah,
                table=self.prefix_table,
                today=on,
            )
        skala, grade = self.classifier(k, on)
        sertifikat = Sertifikat(
            nomor_induk_koperasi=nomor,
            nama=k.nama,
            alamat=_alamat_text(k),
            tanggal_terbit=on,
            tanggal_berakhir=expiry_date(on, self.masa_berlaku_tahun),
            kantor_penerbit=p.kantor.nama,
            kelompok=k.kelompok,
            jenis=k.jenis,
            skala_usaha=skala_usaha if skala_usaha is not None else skala,
            peringkat=peringkat if peringkat is not None else grade,
        )
        signed = sign_certificate(sertifikat, private_key)
        save_certificate(self.store, signed, permohonan_id=p.id)
        note = f"sertifikat {sertifikat.sertifikat_id}; {verdict.rule}"
        self._move(
            p,
            S.TERBIT,
            _petugas_id(petugas) if petugas is not None else None,
            waktu,
            note,
            koperasi=evolve(k, nomor_induk_koperasi=nomor),
            nomor_induk_koperasi=nomor,
            sertifikat_id=sertifikat.sertifikat_id,
            tanggal_berakhir=sertifikat.tanggal_berakhir,
        )
        return signed

    def expire(
        self, permohonan_id: str, *, on: dt.date, waktu: dt.datetime | None = None
    ) -> Permohonan:
        """Mark an issued certificate as expired once ``on`` is past its last valid day."""
        p = self.get(permohonan_id)
        if p.status is S.TERBIT and p.tanggal_berakhir is not None and on <= p.tanggal_berakhir:
            raise WorkflowError(
                code=NIK_NOT_YET_EXPIRED, field="tanggal_berakhir", value=p.tanggal_berakhir
            )
        return self._move(p, S.KEDALUWARSA, None, waktu, f"berakhir {p.tanggal_berakhir}")

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
        """Revoke an issued certificate (it then fails verification with ``CERT_REVOKED``)."""
        p = self.get(permohonan_id)
        if S.DICABUT not in TRANSITIONS[p.status]:
            return self._move(p, S.DICABUT, _petugas_id(petugas), waktu, alasan)
        assert p.sertifikat_id is not None
        record_revocation(self.store, p.sertifikat_id, tanggal_cabut=on, alasan=alasan)
        return self._move(p, S.DICABUT, _petugas_id(petugas), waktu, alasan)


def _alamat_text(k: Koperasi) -> str:
    a = k.alamat
    parts = [a.jalan, a.kelurahan_nama, a.kecamatan_nama, a.kabkota_nama]
    return ", ".join(p.strip() for p in parts if p and p.strip())
