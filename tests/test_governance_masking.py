"""Masking (Kepgub I.3–4): entities and dicts agree; every style hides the value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.converters import unstructure
from kukm.exceptions import ConfigurationError
from kukm.governance.masking import (
    DEFAULT_MASKED_FIELDS,
    MaskingConfig,
    mask_dict,
    mask_record,
    mask_value,
)
from kukm.model import Koperasi, Umkm
from kukm.testing import strategies as ks

STYLES = ["sebagian", "penuh", "hapus"]


@settings(max_examples=60, deadline=None)
@given(record=st.one_of(ks.umkm(), ks.koperasi()), style=st.sampled_from(STYLES))
def test_entity_and_dict_masking_agree(record: Umkm | Koperasi, style: str) -> None:
    cfg = MaskingConfig(style=style)
    masked = mask_record(record, cfg)
    assert type(masked) is type(record)
    assert unstructure(masked) == mask_dict(unstructure(record), cfg)
    # fields outside the configuration are untouched
    assert masked.alamat == record.alamat
    assert mask_record(record, MaskingConfig(fields=())) is record


@settings(max_examples=100, deadline=None)
@given(
    value=st.text(min_size=1, max_size=30).filter(lambda t: t.strip("* ")),
    path=st.sampled_from(DEFAULT_MASKED_FIELDS),
    style=st.sampled_from(STYLES),
)
def test_every_style_hides_the_value(value: str, path: str, style: str) -> None:
    masked = mask_value(value, path, style)
    assert masked != value
    if style == "penuh":
        assert masked == "*" * len(value)
    if style == "hapus":
        assert masked is None


def test_partial_forms() -> None:
    assert mask_value("3171014708900001", "pemilik.nik_penduduk") == "317101**********"
    assert mask_value("12345", "pemilik.nik_penduduk") == "*****"
    assert mask_value("0812-3456-7890", "telepon") == "***********890"
    assert mask_value("12345", "telepon") == "*****"
    assert mask_value("a@b.id", "email") == "***@b.id"
    assert mask_value("tanpa-at", "email") == "********"
    assert mask_value("Sri A Wahyuni", "pengurus.ketua") == "S** * W******"


def test_bad_config() -> None:
    with pytest.raises(ConfigurationError):
        MaskingConfig(style="blur")
    with pytest.raises(ConfigurationError):
        MaskingConfig.from_mapping({"fields": "email"})
