"""Plain-text renderers: a tabulation report and a Koperasi certificate, as UTF-8 bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class TextReportRenderer:
    """Renders ``Store.tabulate`` output (``[(group, count), ...]``) as an aligned text table.

    >>> r = TextReportRenderer()
    >>> print(r.render([(("31.71", "mikro"), 3), (("31.72", None), 12)],
    ...                columns=["kab_kota", "skala"], title="UMKM").decode())
    UMKM
    kab_kota  skala  jumlah
    31.71     mikro       3
    31.72     -          12
    total                15
    """

    name = "example-txt-report"
    target = "report"
    format = "txt"

    def render(self, obj: Any, **options: Any) -> bytes:
        rows: Sequence[tuple[Sequence[str | None], int]] = list(obj)
        width = len(rows[0][0]) if rows else 0
        columns: list[str] = list(options.get("columns") or [f"k{i + 1}" for i in range(width)])
        table = [[*columns, "jumlah"]]
        table += [[("-" if v is None else str(v)) for v in group] + [str(n)] for group, n in rows]
        total = str(sum(n for _, n in rows))
        table.append(["total", *([""] * (len(columns) - 1)), total] if columns else [total])
        widths = [max(len(r[i]) for r in table) for i in range(len(columns) + 1)]
        lines = [options["title"]] if options.get("title") else []
        for row in table:
            cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=False)]
            lines.append("  ".join([*cells, row[-1].rjust(widths[-1])]).rstrip())
        return ("\n".join(lines) + "\n").encode("utf-8")


class TextCertificateRenderer:
    """Renders a Koperasi (or a stored version of one) as a plain-text registration note.

    >>> from kukm.model import Koperasi
    >>> text = TextCertificateRenderer().render(
    ...     Koperasi(nama="Koperasi Maju", nomor_induk_koperasi="3171100020001"))
    >>> print(text.decode())
    SURAT KETERANGAN NOMOR INDUK KOPERASI
    Nama koperasi        : Koperasi Maju
    Nomor Induk Koperasi : 3171100020001
    Badan hukum          : -
    Wilayah              : -
    """

    name = "example-txt-certificate"
    target = "certificate"
    format = "txt"

    def render(self, obj: Any, **options: Any) -> bytes:
        record = getattr(obj, "record", obj)  # a StoredRecord or the Koperasi itself
        fields: Mapping[str, Any] = {
            "Nama koperasi": record.nama,
            "Nomor Induk Koperasi": record.nomor_induk_koperasi,
            "Badan hukum": record.nomor_badan_hukum,
            "Wilayah": record.alamat.kode_wilayah,
        }
        width = max(len(k) for k in fields)
        lines = ["SURAT KETERANGAN NOMOR INDUK KOPERASI"]
        lines += [f"{k.ljust(width)} : {v if v else '-'}" for k, v in fields.items()]
        return ("\n".join(lines) + "\n").encode("utf-8")
