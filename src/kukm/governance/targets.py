"""Quantity and quality targets per unit and achievement (Kepgub DKI 1625/2021 huruf I.5).

"Dinas PPKUKM melalui Sekretaris Dinas mengoordinasikan ... dalam rangka
mewujudkan target capaian data Koperasi dan UKM dari sisi kuantitas maupun
kualitas" (I.5). The decree sets no numbers [N]: targets are data, a TOML
file of ``[[target]]`` tables::

    [[target]]
    unit = "31.71"      # a group of the quality report (kab/kota code, sumber_data value, …)
    kind = "umkm"       # optional
    by = "kab_kota"     # optional: only for reports grouped this way
    jumlah = 1000       # quantity: number of records
    lengkap = 0.9       # quality: shares between 0 and 1
    valid = 0.95
    terkini = 0.8
    konsisten = 0.95

>>> a = Achievement("31.71", "jumlah", 1000, 850)
>>> round(a.capaian, 2), a.tercapai
(0.85, False)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from attrs import frozen

from kukm.exceptions import ConfigurationError

__all__ = ["DIMENSIONS", "Achievement", "Target", "load_targets"]

#: The quality dimensions of F.1 measured by :mod:`kukm.governance.quality`.
DIMENSIONS: Final[tuple[str, ...]] = ("lengkap", "valid", "terkini", "konsisten")


@frozen
class Target:
    """Quantity (``jumlah``) and quality (shares) targets of one unit (I.5)."""

    unit: str
    kind: str | None = None
    by: str | None = None
    jumlah: int | None = None
    lengkap: float | None = None
    valid: float | None = None
    terkini: float | None = None
    konsisten: float | None = None


@frozen
class Achievement:
    """Actual against target for one unit and metric (I.5)."""

    unit: str
    metric: str
    target: float
    actual: float

    @property
    def capaian(self) -> float:
        """Achievement ratio (actual / target); 1.0 or more means reached."""
        return self.actual / self.target if self.target else 1.0

    @property
    def tercapai(self) -> bool:
        return self.actual >= self.target

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "metric": self.metric,
            "target": self.target,
            "actual": self.actual,
            "capaian": round(self.capaian, 4),
            "tercapai": self.tercapai,
        }


def load_targets(source: str | Path | Mapping[str, Any]) -> list[Target]:
    """Targets per unit (I.5) from a TOML file (``[[target]]`` tables) or a mapping.

    >>> load_targets({"target": [{"unit": "31.71", "jumlah": 10, "valid": 0.9}]})[0].valid
    0.9
    """
    if isinstance(source, Mapping):
        data: Mapping[str, Any] = source
    else:
        try:
            data = tomllib.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"cannot read targets {source}: {exc}") from exc
    unknown_top = set(data) - {"target"}
    if unknown_top:  # [[targets]] for [[target]] applied no target at all, with exit 0
        raise ConfigurationError(
            f"unknown keys {sorted(unknown_top)} in the targets (write [[target]] tables)"
        )
    rows = data.get("target", [])
    if not isinstance(rows, list):
        raise ConfigurationError("the targets are [[target]] tables")
    out: list[Target] = []
    for row in rows:
        if not isinstance(row, Mapping) or "unit" not in row:
            raise ConfigurationError("every [[target]] needs a unit")
        unknown = set(row) - {"unit", "kind", "by", "jumlah", *DIMENSIONS}
        if unknown:
            raise ConfigurationError(f"unknown target keys {sorted(unknown)}")
        for metric in DIMENSIONS:
            v = row.get(metric)
            if v is not None and not (isinstance(v, int | float) and 0 <= v <= 1):
                raise ConfigurationError(f"target {metric} must be a share between 0 and 1")
        jumlah = row.get("jumlah")
        if jumlah is not None and (not isinstance(jumlah, int) or jumlah < 0):
            raise ConfigurationError("target jumlah must be a whole number >= 0")
        out.append(
            Target(
                str(row["unit"]),
                row.get("kind"),
                row.get("by"),
                jumlah,
                *(None if row.get(m) is None else float(row[m]) for m in DIMENSIONS),
            )
        )
    return out
