"""Update cycle (Kepgub E.10): overdue records, worklists per officer and region."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import ConfigurationError
from kukm.governance.access import User, load_policy
from kukm.governance.pemutakhiran import NO_OFFICER, NO_REGION, pemutakhiran
from kukm.governance.service import Service
from kukm.model import Alamat, SumberData, Umkm
from kukm.storage.base import Provenance, VerificationStatus, WriteOp

AS_OF = dt.date(2026, 11, 28)


def _op(rid: str, days_old: int, kel: str | None, petugas: str | None, **kw: object) -> WriteOp:
    rec = Umkm(nama_usaha=f"Usaha {rid}", alamat=Alamat(kode_wilayah=kel))
    return WriteOp(
        "umkm",
        rid,
        rec,
        Provenance(SumberData.KELURAHAN, petugas),
        valid_from=AS_OF - dt.timedelta(days=days_old),
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def store() -> MemoryStore:
    s = MemoryStore()
    s.write_batch(
        [
            _op("a", 365, "31.71.01.1001", "l1"),  # exactly one year: on time
            _op("b", 366, "31.71.01.1001", "l1"),
            _op("c", 800, "31.71.02.1001", "l2"),
            _op("d", 400, "31.72.01.1001", None),
            _op("e", 500, None, "l1"),
            _op("f", 10, "31.72.01.1001", "l2"),
            _op("g", 900, "31.71.01.1001", "l1", status=VerificationStatus.DITOLAK),
        ]
    )
    return s


def test_boundary_and_worklists(store: MemoryStore) -> None:
    report = Service(store, User("d", "dinas")).pemutakhiran("umkm", as_of=AS_OF)
    assert [t.id for t in report.items] == ["b", "c", "d", "e"]  # rejected g left out
    assert report.checked == 6
    assert {k: [t.id for t in v] for k, v in report.by_petugas().items()} == {
        NO_OFFICER: ["d"],
        "l1": ["b", "e"],
        "l2": ["c"],
    }
    assert {k: [t.id for t in v] for k, v in report.by_wilayah("kab_kota").items()} == {
        NO_REGION: ["e"],
        "31.71": ["b", "c"],
        "31.72": ["d"],
    }
    assert sorted(report.by_wilayah("kelurahan")) == [
        NO_REGION,
        "31.71.01.1001",
        "31.71.02.1001",
        "31.72.01.1001",
    ]
    doc = report.as_dict("kecamatan")
    assert doc["overdue"] == 4 and doc["items"][0]["code"] == "PEMUTAKHIRAN_OVERDUE"
    with pytest.raises(ConfigurationError):
        report.by_wilayah("rt")


def test_scoped_worklist_and_configurable_age(store: MemoryStore) -> None:
    sudin = Service(store, User("s", "sudin", "31.72")).pemutakhiran("umkm", as_of=AS_OF)
    assert [t.id for t in sudin.items] == ["d"]
    short = Service(store, User("d", "dinas")).pemutakhiran("umkm", as_of=AS_OF, max_age_days=5)
    assert [t.id for t in short.items] == ["a", "b", "c", "d", "e", "f"]
    policy = load_policy(
        {
            "pemutakhiran": {"max_age_days": 600},
            "roles": {"dinas": {"scope": "provinsi", "actions": ["report"]}},
        }
    )
    via_policy = Service(store, User("d", "dinas"), policy=policy).pemutakhiran("umkm", as_of=AS_OF)
    assert [t.id for t in via_policy.items] == ["c"]
    recorded = pemutakhiran(store.iter_records("umkm"), as_of=AS_OF, basis="recorded_at")
    assert recorded.items == ()  # everything was recorded just now


@settings(max_examples=60, deadline=None)
@given(
    ages=st.lists(st.integers(min_value=-30, max_value=3000), min_size=1, max_size=15),
    limit=st.integers(1, 2000),
)
def test_overdue_iff_older_than_limit(ages: list[int], limit: int) -> None:
    store = MemoryStore()
    store.write_batch([_op(f"r{i:02d}", age, "31.71.01.1001", "l") for i, age in enumerate(ages)])
    report = pemutakhiran(store.iter_records("umkm"), as_of=AS_OF, max_age_days=limit)
    assert [t.id for t in report.items] == [
        f"r{i:02d}" for i, age in enumerate(ages) if age > limit
    ]
    assert all(t.umur_hari > limit for t in report.items)
