"""Render the rule reference (``docs/rules-reference.md``) from the rules' own metadata.

Every rule module registers a :class:`kukm.rules._meta.RuleInfo` (regulation,
article, dates, confidence, thresholds); the instruments carry their fields
and cross-field rules. A test asserts the committed file equals
:func:`render_markdown`, so the docs cannot drift from the code. Regenerate
with ``python -m kukm.rules.reference docs/rules-reference.md``.

>>> text = render_markdown()
>>> "PP 7/2021 Pasal 35" in text and "| mikro |" in text
True
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["load_all", "render_markdown"]


def load_all() -> None:
    """Import every rule module so each registers its metadata."""
    from kukm.rules import (  # noqa: F401
        amounts,
        kepatuhan,
        kesehatan,
        koperasi,
        peringkat,
        skala_koperasi,
        skala_umkm,
    )


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(rows: tuple[tuple[str, ...], ...] | list[tuple[str, ...]]) -> list[str]:
    if not rows:
        return []
    head, *body = rows
    out = ["| " + " | ".join(_cell(c) for c in head) + " |", "|" + "---|" * len(head)]
    out.extend("| " + " | ".join(_cell(c) for c in r) + " |" for r in body)
    return [*out, ""]


def render_markdown() -> str:
    """The whole rule reference as Markdown (deterministic)."""
    load_all()
    from kukm.rules import amounts
    from kukm.rules._meta import RULES
    from kukm.rules.instruments import get_instrument

    lines = [
        "# Rule reference",
        "",
        "Generated from the rules' own metadata by `kukm.rules.reference.render_markdown()`;",
        "do not edit by hand (`python -m kukm.rules.reference docs/rules-reference.md`).",
        "Confidence: P primary text, S secondary source, D derived by kukm, N not found",
        "(then the rule is a replaceable scheme without invented numbers).",
        "",
    ]
    for rid in sorted(RULES):
        if rid.startswith("doctest."):
            continue
        r = RULES[rid]
        tag = " — **replaceable scheme**" if r.dapat_diganti else ""
        lines += [f"## {r.judul}", "", f"*{r.title}* — id `{r.id}`, module `{r.modul}`{tag}", ""]
        for b in r.dasar:
            extra = f" — {b.sumber}" if b.sumber else ""
            note = f" ({b.catatan})" if b.catatan else ""
            lines.append(f"- Dasar: {b.cite()} [{b.keyakinan}]{note}{extra}")
        lines.append("")
        if r.ringkasan:
            lines += [r.ringkasan, ""]
        lines += _table(r.tabel)
        if r.parameter:
            lines += _table([("Parameter", "Bawaan / pilihan"), *sorted(r.parameter.items())])
    lines += [
        "## Membaca jumlah rupiah dan tanggal",
        "",
        "*The one amount and date rule* — module `kukm.rules.amounts`",
        "",
        *(line.rstrip() for line in (amounts.__doc__ or "").split(">>>")[0].strip().splitlines()),
        "",
    ]
    lines += _table(
        [("Kata pengali", "× 10^n"), *((w, str(p)) for w, p in sorted(amounts.MULTIPLIERS.items(), key=lambda t: (t[1], t[0])))]
    )
    for name in ("umkm", "koperasi"):
        inst = get_instrument(name)
        lines += [f"## Instrumen `{inst.name}` ({inst.entity})", "", inst.title, ""]
        rows: list[tuple[str, ...]] = [("Kolom", "Tipe", "Wajib", "Cek", "Alias", "Tujuan")]
        for f in inst.fields:
            check = f.identifier or f.vocabulary or ("/".join(f.choices) if f.choices else "")
            if f.minimum is not None:
                check = (check + f" ≥ {f.minimum}").strip()
            rows.append(
                (f.name, f.type.value, "ya" if f.required else "", check, ", ".join(f.aliases), f.target or "atribut_lain")
            )
        lines += _table(rows)
        lines += _table(
            [("Aturan lintas kolom", "Kolom", "Kode", "Deskripsi"),
             *((r.id, ", ".join(r.fields), ", ".join(r.codes), f"{r.deskripsi} / {r.description}") for r in inst.rules)]
        )  # fmt: skip
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the reference to the given path (default ``docs/rules-reference.md``)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "docs/rules-reference.md")
    target.write_text(render_markdown(), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
