"""The end-to-end demo behind ``kukm demo`` and ``nox -s demo``.

Generates a synthetic Jakarta dataset (:mod:`kukm.synthetic`), imports it
through the streaming pipeline (faulty rows land in an errors file), classifies
UMKM by scale on the way in, issues Nomor Induk Koperasi and signed
certificates for a few cooperatives, and writes the rekapitulasi tables and
the yearly report. Everything goes into one folder, with its own SQLite
store, so the demo never touches ``./kukm.sqlite``::

    OUT/
      data/umkm.csv, data/umkm.errors.xlsx, data/koperasi.csv, data/koperasi.errors.csv
      laporan/rekap-umkm-*.{html,xlsx,csv,json}, laporan/laporan-tahunan-YYYY.{html,pdf,xlsx,json}
      sertifikat/sertifikat-*.{png,pdf}, sertifikat/kukm-demo.pub.pem
      keys/ (the demo's private signing key: never publish it)
      kukm-demo.sqlite
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from attrs import define, field

from kukm.exceptions import ConfigurationError, register_code

__all__ = ["MIN_YEAR", "SIZES", "DemoResult", "check_year", "parse_rows", "run_demo"]

#: Named dataset sizes for ``--rows``.
SIZES: Final[dict[str, int]] = {"small": 300, "medium": 3000, "large": 30000}
#: The earliest report year the demo accepts; the latest is the current year.
MIN_YEAR: Final = 2000

DEMO_TAHUN = register_code(
    "DEMO_TAHUN",
    "Tahun laporan demo di luar rentang (dari 2000 sampai tahun berjalan).",
    "The demo's report year is out of range (2000 to the current year).",
    module=__name__,
)


def check_year(year: int, *, today: dt.date | None = None) -> int:
    """The demo's report year, from :data:`MIN_YEAR` to the current year.

    The synthetic data are dated in the five years ending with it and certificates are
    issued early the next year: a future year would make the import reject its rows as
    dated in the future (or overflow the calendar), an early one is not Jakarta's data.

    >>> check_year(2025, today=dt.date(2026, 3, 1))
    2025
    >>> check_year(9999, today=dt.date(2026, 3, 1))
    Traceback (most recent call last):
        ...
    kukm.exceptions.ConfigurationError: [DEMO_TAHUN] year 9999 is out of range ...
    """
    latest = (today or dt.date.today()).year
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= latest:
        raise ConfigurationError(
            f"year {year!r} is out of range: give a report year from {MIN_YEAR} to {latest}",
            code=DEMO_TAHUN,
        )
    return year


def parse_rows(text: str | int) -> int:
    """``--rows``: a number (at least 10) or one of :data:`SIZES`; ``ValueError`` otherwise.

    >>> parse_rows("small"), parse_rows("1200")
    (300, 1200)
    >>> parse_rows("abc")
    Traceback (most recent call last):
        ...
    ValueError: 'abc' is not a number of rows nor one of small, medium, large
    """
    if isinstance(text, int):
        return text
    t = text.strip().lower()
    if t in SIZES:
        return SIZES[t]
    try:
        n = int(t.replace("_", ""))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a number of rows nor one of {', '.join(SIZES)}"
        ) from None
    if n < 10:
        raise ValueError("at least 10 rows")
    return n


@define
class DemoResult:
    """Where everything went, and what the steps did."""

    out: Path
    db_url: str
    umkm: dict[str, Any] = field(factory=dict)
    koperasi: dict[str, Any] = field(factory=dict)
    reports: list[Path] = field(factory=list)
    certificates: list[Path] = field(factory=list)
    public_key: Path | None = None
    skipped_certificates: list[tuple[str, str]] = field(factory=list)
    notes: list[str] = field(factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "db": self.db_url,
            "umkm": self.umkm,
            "koperasi": self.koperasi,
            "reports": [str(p) for p in self.reports],
            "certificates": [str(p) for p in self.certificates],
            "public_key": str(self.public_key) if self.public_key else None,
            "skipped_certificates": self.skipped_certificates,
            "notes": self.notes,
        }


def run_demo(
    out: str | Path,
    *,
    rows: int = 2000,
    seed: int = 1625,
    year: int | None = None,
    db_url: str | None = None,
    echo: Callable[[str], None] = lambda s: None,
) -> DemoResult:
    """Run the whole demo into ``out`` (see the module docstring).

    ``year`` (default: last year) must pass :func:`check_year`, else
    :class:`~kukm.exceptions.ConfigurationError` ``DEMO_TAHUN`` before anything is written;
    a blank ``db_url`` is ``DB_KOSONG`` (as ``--db ""`` of every command), also before.
    """
    from kukm.pipeline import run_file
    from kukm.plugins import open_store
    from kukm.reports import laporan_tahunan, rekap, write_report
    from kukm.synthetic import (
        KOPERASI_COLUMNS,
        UMKM_COLUMNS,
        generate_koperasi,
        generate_umkm,
        write_csv,
    )

    year = check_year(dt.date.today().year - 1 if year is None else year)
    from kukm.cli._common import refuse_blank_db

    # like every other command's --db: a blank URL is refused, not some store (or "")
    refuse_blank_db(db_url, "--db", "leave --db out for a fresh SQLite file inside the output folder")
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    if db_url is None:
        db_path = out_dir / "kukm-demo.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        db_url = f"sqlite:///{db_path.as_posix()}"
    result = DemoResult(out_dir, db_url)
    data = out_dir / "data"
    laporan = out_dir / "laporan"

    echo(f"1/5 generating {rows} UMKM rows (5% faulty) and {max(30, rows // 20)} koperasi rows")
    umkm_csv = data / "umkm.csv"
    kop_csv = data / "koperasi.csv"
    write_csv(umkm_csv, generate_umkm(rows, seed=seed, tahun_akhir=year), UMKM_COLUMNS)
    write_csv(
        kop_csv,
        generate_koperasi(max(30, rows // 20), seed=seed, tahun_akhir=year),
        KOPERASI_COLUMNS,
    )

    store = open_store(db_url)
    try:
        echo("2/5 importing (validate → classify → store); rejected rows go to the errors files")
        # koperasi data come from Dekopinwil/Dekopinda (Kepgub D.1) when a row does not say
        for kind, path, errors, source in (
            ("umkm", umkm_csv, data / "umkm.errors.xlsx", None),
            ("koperasi", kop_csv, data / "koperasi.errors.csv", "dekopin"),
        ):
            errors.unlink(missing_ok=True)
            try:
                summary = run_file(
                    path,
                    kind=kind,
                    store=store,
                    errors_path=errors,
                    petugas="demo-petugas",
                    source=source,
                )
            except Exception as exc:  # a missing instrument must not hide the rest
                result.notes.append(f"{kind} import failed: {exc}")
                echo(f"   {kind}: import failed: {exc}")
                continue
            info = summary.as_dict()
            setattr(result, kind, info)
            echo(
                f"   {kind}: input {info['input']} = accepted {info['accepted']} "
                f"+ rejected {info['rejected']} (errors file: {info['errors_file']})"
            )

        echo("3/5 rating and certificates: issuing NIK + signed certificates for a few koperasi")
        _certificates(store, out_dir, result, year, echo)

        echo("4/5 rekapitulasi tables")
        for kind, dims in (
            ("umkm", ("kab_kota", "kecamatan", "skala", "sumber_data", "status")),
            ("koperasi", ("kab_kota", "jenis", "bentuk", "skala")),
        ):
            for dim in dims:
                r = rekap(store, kind, [dim])  # type: ignore[arg-type]
                formats = (
                    ("html", "xlsx", "csv", "json")
                    if dim in ("kab_kota", "skala")
                    else ("html", "csv")
                )
                for fmt in formats:
                    result.reports.append(write_report(r, laporan / f"rekap-{kind}-{dim}.{fmt}"))
        r2 = rekap(store, "umkm", ["kab_kota", "skala"])
        result.reports.append(write_report(r2, laporan / "rekap-umkm-kab_kota-skala.xlsx"))

        echo(f"5/5 yearly report {year} to the Governor (cc the ministry)")
        lap = laporan_tahunan(store, year)
        for fmt in ("html", "pdf", "xlsx", "json"):
            result.reports.append(write_report(lap, laporan / f"laporan-tahunan-{year}.{fmt}"))
    finally:
        store.close()
    return result


def _certificates(
    store: Any, out_dir: Path, result: DemoResult, year: int, echo: Callable[[str], None]
) -> None:
    try:
        from kukm.certificate.issuance import demo_issue
    except ImportError as exc:  # pragma: no cover - certificate module not installed
        result.notes.append(f"certificates skipped: {exc}")
        return
    today = dt.date(year + 1, 1, 15)
    try:
        res = demo_issue(
            store,
            list(itertools.islice(store.iter_records("koperasi"), 30)),
            out_dir=out_dir / "sertifikat",
            key_dir=out_dir / "keys",
            today=today,
            formats=("png", "pdf"),
            limit=3,
        )
    except Exception as exc:
        result.notes.append(f"certificates failed: {exc}")
        echo(f"   certificates failed: {exc}")
        return
    result.certificates = list(res.files)
    result.public_key = res.public_key
    result.skipped_certificates = list(res.skipped)
    echo(f"   {len(res.certificates)} certificate(s), public key {res.public_key}")
