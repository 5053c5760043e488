"""Pemeringkatan (rating) of a koperasi: indicator scores × weights → class.

Default scheme: **Permeneg KUKM 22/Per/M.KUKM/IV/2007** as amended by
**06/Per/M.KUKM/III/2008**: each indicator is scored 1–5 (sangat baik …
tidak baik) and multiplied by its weight; the total decides the class [S,
theses]: Sangat Berkualitas > 419; Berkualitas 340–419; Cukup Berkualitas
260–339; Kurang Berkualitas 180–259; Tidak Berkualitas < 180. Indicator
weights beyond a few examples were not found [N], so the caller supplies the
indicators (name, score, weight).

The successor regime (Permenkop 21/Per/M.KUKM/IX/2015 with Perdep
04/Per/Dep.1/III/2018) has **no published bands** [N]: kukm ships no numbers
for it. A Dinas or rating body plugs its own :class:`PeringkatScheme` in (any
object with ``kind="peringkat"``, ``name`` and ``nilai(indikator)``), or loads
a band table from a file with :func:`load_scheme`.

>>> v = nilai_peringkat([Indikator("penyelenggaraan_rapat", 5, 3), Indikator("rk_rapb", 4, 2)])
>>> v.skor, v.kelas
(23, 'Tidak Berkualitas')
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final, Protocol, final, runtime_checkable

from attrs import frozen

from kukm.exceptions import ConfigurationError, register_code
from kukm.rules._meta import LegalBasis, RuleInfo, register_rule

__all__ = [
    "PERMEN_22_2007",
    "BandScheme",
    "Indikator",
    "Kelas",
    "PeringkatScheme",
    "PeringkatVerdict",
    "load_scheme",
    "nilai_peringkat",
]

PERINGKAT_SCHEME = register_code(
    "PERINGKAT_SCHEME",
    "Skema pemeringkatan tidak valid.",
    "The rating scheme is not valid.",
    module=__name__,
)


@final
@frozen
class Indikator:
    """One indicator: its score (``skor_min``..``skor_max``, default 1–5) and weight."""

    nama: str
    skor: int
    bobot: int
    aspek: str | None = None


@final
@frozen
class Kelas:
    """A class: minimum total score (inclusive) and label."""

    minimum: int
    label: str


@final
@frozen
class PeringkatVerdict:
    skor: int
    kelas: str
    indikator: tuple[Indikator, ...]
    scheme: str
    dasar: LegalBasis
    batas: tuple[Kelas, ...]

    def explain(self, lang: str = "id") -> str:
        parts = " + ".join(f"{i.nama} {i.skor}×{i.bobot}" for i in self.indikator) or "-"
        head = "Skor" if lang == "id" else "Score"
        cls = "kelas" if lang == "id" else "class"
        return f"{head} {self.skor} = {parts} → {cls} {self.kelas} ({self.dasar.cite()}; keyakinan {self.dasar.keyakinan})"

    def as_dict(self) -> dict[str, object]:
        return {
            "skor": self.skor,
            "kelas": self.kelas,
            "indikator": [{"nama": i.nama, "skor": i.skor, "bobot": i.bobot, "aspek": i.aspek} for i in self.indikator],
            "scheme": self.scheme,
            "dasar_hukum": self.dasar.as_dict(),
        }


@runtime_checkable
class PeringkatScheme(Protocol):
    """A rating scheme (a :class:`kukm.hookspecs.Scheme` of kind ``peringkat``)."""

    kind: str
    name: str

    def nilai(self, indikator: Sequence[Indikator]) -> PeringkatVerdict: ...


@final
@frozen
class BandScheme:
    """Σ skor × bobot, classed by minimum totals (descending)."""

    name: str
    dasar: LegalBasis
    kelas: tuple[Kelas, ...]
    skor_min: int = 1
    skor_max: int = 5
    kind: str = "peringkat"

    def kelas_untuk(self, skor: int) -> str:
        for k in self.kelas:
            if skor >= k.minimum:
                return k.label
        return self.kelas[-1].label

    def nilai(self, indikator: Sequence[Indikator]) -> PeringkatVerdict:
        for i in indikator:
            if not self.skor_min <= i.skor <= self.skor_max:
                raise ValueError(f"{i.nama}: score {i.skor} outside {self.skor_min}..{self.skor_max}")
            if i.bobot < 0:
                raise ValueError(f"{i.nama}: negative weight")
        total = sum(i.skor * i.bobot for i in indikator)
        return PeringkatVerdict(total, self.kelas_untuk(total), tuple(indikator), self.name, self.dasar, self.kelas)


PERMEN_22_2007: Final = BandScheme(
    "permen-22-2007",
    LegalBasis(
        "Permeneg KUKM 22/Per/M.KUKM/IV/2007 jo. 06/Per/M.KUKM/III/2008",
        berlaku_mulai=dt.date(2007, 4, 1),
        keyakinan="S",
        sumber="theses on 123dok (text-id.123dok.com); mimbarhukum.com",
        catatan="bobot per indikator tidak ditemukan [N]: diberikan oleh pemakai",
    ),
    (
        Kelas(420, "Sangat Berkualitas"),
        Kelas(340, "Berkualitas"),
        Kelas(260, "Cukup Berkualitas"),
        Kelas(180, "Kurang Berkualitas"),
        Kelas(0, "Tidak Berkualitas"),
    ),
)


def nilai_peringkat(indikator: Iterable[Indikator], *, scheme: PeringkatScheme | None = None) -> PeringkatVerdict:
    """Rate by ``scheme`` (default Permen 22/2007).

    >>> nilai_peringkat([Indikator("x", 5, 84)]).kelas
    'Sangat Berkualitas'
    """
    return (scheme or PERMEN_22_2007).nilai(list(indikator))


def load_scheme(path: str | Path) -> BandScheme:
    """A band scheme from TOML/JSON: ``name``, ``regulasi``, optional ``pasal``,
    ``keyakinan``, ``sumber``, ``skor_min``/``skor_max`` and ``kelas`` = list
    of ``{minimum, label}``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
        kelas = tuple(sorted((Kelas(int(k["minimum"]), str(k["label"])) for k in data["kelas"]), key=lambda k: -k.minimum))
        if not kelas:
            raise ValueError("no classes")
        return BandScheme(
            str(data["name"]),
            LegalBasis(str(data["regulasi"]), pasal=data.get("pasal"), keyakinan=str(data.get("keyakinan", "S")),
                       sumber=str(data.get("sumber", p.name))),
            kelas,
            int(data.get("skor_min", 1)),
            int(data.get("skor_max", 5)),
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"cannot load rating scheme {p}: {exc}", code=PERINGKAT_SCHEME) from exc


register_rule(
    RuleInfo(
        id="peringkat.permen-22-2007",
        judul="Pemeringkatan koperasi (Permen 22/2007 jo. 06/2008)",
        title="Cooperative rating (Permen 22/2007 as amended by 06/2008)",
        dasar=(PERMEN_22_2007.dasar,),
        modul=__name__,
        ringkasan=(
            "Skor = Σ nilai indikator (1–5) × bobot. Skema penerus Permen 21/2015 + Perdep 04/2018: "
            "band tidak ditemukan [N], pasang skema sendiri (load_scheme)."
        ),
        tabel=(
            ("Skor total", "Kelas"),
            ("> 419", "Sangat Berkualitas"),
            ("340–419", "Berkualitas"),
            ("260–339", "Cukup Berkualitas"),
            ("180–259", "Kurang Berkualitas"),
            ("< 180", "Tidak Berkualitas"),
        ),
        dapat_diganti=True,
    )
)
