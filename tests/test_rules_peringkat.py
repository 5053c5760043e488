"""Rating (Permen 22/2007 jo. 06/2008) and pluggable successor schemes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kukm.exceptions import ConfigurationError
from kukm.rules.peringkat import (
    PERMEN_22_2007,
    Indikator,
    PeringkatScheme,
    load_scheme,
    nilai_peringkat,
)


@pytest.mark.parametrize(
    ("score", "label"),
    [(420, "Sangat Berkualitas"), (419, "Berkualitas"), (340, "Berkualitas"), (339, "Cukup Berkualitas"),
     (260, "Cukup Berkualitas"), (259, "Kurang Berkualitas"), (180, "Kurang Berkualitas"),
     (179, "Tidak Berkualitas"), (0, "Tidak Berkualitas")],
)  # fmt: skip
def test_band_edges(score: int, label: str) -> None:
    assert PERMEN_22_2007.kelas_untuk(score) == label


def test_scores_outside_1_to_5_rejected() -> None:
    with pytest.raises(ValueError):
        nilai_peringkat([Indikator("x", 6, 1)])


def test_successor_scheme_from_file(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_text('name = "lembaga-x"\nregulasi = "Perdep 04/2018 (Dinas)"\nkeyakinan = "P"\n'
                 '[[kelas]]\nminimum = 80\nlabel = "A"\n[[kelas]]\nminimum = 0\nlabel = "B"\n', encoding="utf-8")  # fmt: skip
    s = load_scheme(p)
    assert isinstance(s, PeringkatScheme)
    v = nilai_peringkat([Indikator("x", 5, 16)], scheme=s)
    assert (v.skor, v.kelas, v.scheme) == (80, "A", "lembaga-x")
    p.write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigurationError):
        load_scheme(p)


indicators = st.lists(
    st.builds(Indikator, st.text(min_size=1, max_size=5), st.integers(1, 5), st.integers(0, 10)), max_size=30
)


@given(indicators)
def test_class_agrees_with_score_and_explains(ind: list[Indikator]) -> None:
    v = nilai_peringkat(ind)
    assert v.skor == sum(i.skor * i.bobot for i in ind)
    expected = next(k.label for k in PERMEN_22_2007.kelas if v.skor >= k.minimum)
    assert v.kelas == expected
    assert v.kelas in v.explain("id") and str(v.skor) in v.explain("en")
