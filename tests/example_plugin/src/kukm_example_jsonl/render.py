"""Plain-text renderers: any kukm report and a Koperasi certificate, as UTF-8 bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kukm.reports.render import as_dokumen


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _table(
    kolom: Sequence[str], baris: Sequence[Sequence[object]], total: Sequence[object] | None
) -> list[str]:
    """Aligned columns: numeric ones to the right, text to the left; the total row last."""
    numeric = [
        any(isinstance(row[i], int | float) for row in baris)
        and all(row[i] is None or isinstance(row[i], int | float) for row in baris)
        for i in range(len(kolom))
    ]
    cells = [list(kolom)] + [[_cell(v) for v in row] for row in [*baris, *([total] if total else [])]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(kolom))]
    return [
        "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(row, widths, numeric, strict=True)
        ).rstrip()
        for row in cells
    ]


class TextReportRenderer:
    """Renders a kukm report as aligned plain text: its title, then each table.

    The contract of a ``report`` renderer is the one kukm's own renderers follow
    (:mod:`kukm.adapters.reports`): ``obj`` is a :class:`kukm.reports.Dokumen` or any
    report object with ``to_dokumen()`` – :class:`~kukm.reports.Rekap` (``kukm report
    rekap``), :class:`~kukm.reports.Perbandingan`, :class:`~kukm.reports.LaporanTahunan`.

    >>> from kukm.adapters.memory import MemoryStore
    >>> from kukm.model import Alamat, SumberData, Umkm
    >>> from kukm.reports import rekap
    >>> from kukm.storage.base import Provenance, WriteOp
    >>> s = MemoryStore()
    >>> _ = s.write_batch([WriteOp("umkm", f"u{i}", Umkm(nama_usaha="U",
    ...     alamat=Alamat(kode_wilayah="31.71.01.1001")), Provenance(SumberData.SUDIN),
    ...     atribut={"skala": skala}) for i, skala in enumerate(["mikro", "mikro", "kecil"])])
    >>> print(TextReportRenderer().render(rekap(s, "umkm", ["skala"])).decode(), end="")
    Rekapitulasi UMKM menurut Skala usaha
    Dinas PPKUKM Provinsi DKI Jakarta
    Dibuat: ... UTC
    <BLANKLINE>
    Kode skala usaha  Skala usaha        Jumlah  Persen
    mikro             Usaha Mikro             2    66.7
    kecil             Usaha Kecil             1    33.3
    menengah          Usaha Menengah          0     0.0
    besar             Usaha Besar             0     0.0
                      (tidak diketahui)       0     0.0
    Jumlah                                    3   100.0
    Cakupan: hanya data terverifikasi.
    """

    name = "example-txt-report"
    target = "report"
    format = "txt"

    def render(self, obj: Any, **options: Any) -> bytes:
        doc = as_dokumen(obj)  # TypeError for anything that is not a report, like kukm's own
        lines = [str(options.get("title") or doc.judul)]
        if doc.subjudul:
            lines.append(doc.subjudul)
        lines += [f"{k}: {v}" for k, v in doc.meta]
        for bagian in doc.bagian:
            t = bagian.tabel
            lines.append("")
            if bagian.judul != doc.judul:
                lines.append(bagian.judul)
            lines += bagian.teks
            if t is None:
                continue
            if t.judul not in (doc.judul, bagian.judul):
                lines.append(t.judul)
            lines += _table(t.kolom, t.baris, t.total)
            if t.catatan:
                lines.append(t.catatan)
        return ("\n".join(lines) + "\n").encode("utf-8")


class TextCertificateRenderer:
    """Renders a certificate as a plain-text registration note.

    kukm gives a ``certificate`` renderer a
    :class:`kukm.certificate.payload.SignedCertificate` (what ``write_certificate``
    and ``render_certificate`` pass); this example also takes a ``Koperasi`` or a
    stored version of one.

    >>> from kukm.model import Koperasi
    >>> text = TextCertificateRenderer().render(
    ...     Koperasi(nama="Koperasi Maju", nomor_induk_koperasi="3171100020001"))
    >>> print(text.decode(), end="")
    SURAT KETERANGAN NOMOR INDUK KOPERASI
    Nama koperasi        : Koperasi Maju
    Nomor Induk Koperasi : 3171100020001
    Badan hukum          : -
    Wilayah              : -
    >>> import datetime as dt
    >>> from kukm.certificate.keys import generate_private_key
    >>> from kukm.certificate.payload import Sertifikat, sign_certificate
    >>> s = Sertifikat("3173070010001", "Koperasi Maju", "Jl. A", dt.date(2026, 1, 7),
    ...                dt.date(2028, 1, 6), "Dinas PPKUKM")
    >>> text = TextCertificateRenderer().render(sign_certificate(s, generate_private_key()))
    >>> print(text.decode(), end="")
    SERTIFIKAT NOMOR INDUK KOPERASI
    Nama koperasi        : Koperasi Maju
    Nomor Induk Koperasi : 3173070010001
    Alamat               : Jl. A
    Berlaku              : 2026-01-07 s.d. 2028-01-06
    Penerbit             : Dinas PPKUKM
    """

    name = "example-txt-certificate"
    target = "certificate"
    format = "txt"

    def render(self, obj: Any, **options: Any) -> bytes:
        sertifikat = getattr(obj, "sertifikat", None)  # a SignedCertificate (kukm's contract)
        if sertifikat is not None:
            title = "SERTIFIKAT NOMOR INDUK KOPERASI"
            fields: Mapping[str, Any] = {
                "Nama koperasi": sertifikat.nama,
                "Nomor Induk Koperasi": sertifikat.nomor_induk_koperasi,
                "Alamat": sertifikat.alamat,
                "Berlaku": f"{sertifikat.tanggal_terbit} s.d. {sertifikat.tanggal_berakhir}",
                "Penerbit": sertifikat.kantor_penerbit,
            }
        else:
            record = getattr(obj, "record", obj)  # a StoredRecord or the Koperasi itself
            title = "SURAT KETERANGAN NOMOR INDUK KOPERASI"
            fields = {
                "Nama koperasi": record.nama,
                "Nomor Induk Koperasi": record.nomor_induk_koperasi,
                "Badan hukum": record.nomor_badan_hukum,
                "Wilayah": record.alamat.kode_wilayah,
            }
        width = max(len(k) for k in fields)
        lines = [title]
        lines += [f"{k.ljust(width)} : {v if v else '-'}" for k, v in fields.items()]
        return ("\n".join(lines) + "\n").encode("utf-8")
