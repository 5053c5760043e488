"""Kepgub D.3 end to end: imported ``pihak_lain`` rows stay out of the official rekap
until a Dinas officer verifies them with ``kukm verify``; then they count."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from kukm.cli import cli
from kukm.synthetic import UMKM_COLUMNS, generate_umkm

SOURCES = ("kelurahan", "sudin", "pelaku_usaha", "pihak_lain")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_rekap_counts_pihak_lain_only_after_verification(tmp_path: Path) -> None:
    rows = [r for r in generate_umkm(80, seed=7, faulty_share=0.0)]
    for i, r in enumerate(rows):
        r.data["sumber_data"] = SOURCES[i % len(SOURCES)]
    path = tmp_path / "umkm.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(UMKM_COLUMNS))
        w.writeheader()
        for r in rows:
            w.writerow({c: r.data.get(c, "") for c in UMKM_COLUMNS})
    db = f"sqlite:///{tmp_path / 'kukm.sqlite'}"

    code, out = _run("import", str(path), "--kind", "umkm", "--db", db, "--json")
    summary = json.loads(out)
    assert summary["input"] == summary["accepted"] + summary["rejected"] == len(rows)
    assert summary["accepted"] > 0
    accepted_by_source = Counter(
        r.data["sumber_data"] for r in rows
    )  # every generated row is clean, so accepted == per-source counts below
    assert summary["accepted"] == sum(accepted_by_source.values()), out

    code, out = _run("report", "rekap", "--by", "sumber_data", "--format", "json", "--db", db)
    assert code == 0, out
    before = json.loads(out)
    assert before["total"] == len(rows) - accepted_by_source["pihak_lain"]
    assert not any(
        r.get("sumber_data") == "pihak_lain" and r.get("jumlah", 0) for r in before["rows"]
    )

    code, out = _run(
        "verify",
        "--kind",
        "umkm",
        "--all-pending",
        "--sumber",
        "pihak_lain",
        "--petugas",
        "dinas-1",
        "--json",
        "--db",
        db,
    )
    assert code == 0, out
    assert json.loads(out)["changed"] == accepted_by_source["pihak_lain"]

    code, out = _run("report", "rekap", "--by", "sumber_data", "--format", "json", "--db", db)
    after = json.loads(out)
    assert after["total"] == len(rows)
    counted = {r["sumber_data"]: r["jumlah"] for r in after["rows"]}
    assert counted.get("pihak_lain") == accepted_by_source["pihak_lain"]
