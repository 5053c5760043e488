"""Properties of the sync: three-way merge rules, and convergence under random faults."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kukm.adapters.ods_http import OdsHttpTransport
from kukm.integration.ods import ODS_FIELDS, from_ods
from kukm.integration.ods_io import iter_store_ods
from kukm.integration.sync import ConflictRule, RetryPolicy, _merge, sync
from kukm.model import SumberData
from kukm.plugins import open_store
from kukm.storage.base import Provenance, WriteOp
from kukm.testing.ods_server import Fault, OdsServer

FIELDS = ["Koperasi", "Alamat", "Status Grade", "Total Anggota"]
records = st.fixed_dictionaries({f: st.sampled_from(["a", "b", "c"]) for f in FIELDS})


@settings(max_examples=60)
@given(records, records, records, st.sampled_from(["local", "remote"]))
def test_merge_rules(local: dict[str, str], remote: dict[str, str], base: dict[str, str],
                     side: str) -> None:
    rule = ConflictRule.parse(side)
    merged, clashes = _merge(local, remote, base, rule)
    clashed = {c["field"] for c in clashes}
    for f in FIELDS:
        if local[f] == remote[f]:
            assert merged[f] == local[f] and f not in clashed
        elif local[f] == base[f]:
            assert merged[f] == remote[f] and f not in clashed
        elif remote[f] == base[f]:
            assert merged[f] == local[f] and f not in clashed
        else:
            assert f in clashed
            assert merged[f] == (local[f] if side == "local" else remote[f])
    assert _merge(local, remote, local, rule)[0] == remote  # only remote changed
    assert _merge(local, remote, remote, rule)[0] == local  # only local changed


@settings(max_examples=60)
@given(records, records)
def test_merge_without_base_follows_the_authority(local: dict[str, str],
                                                  remote: dict[str, str]) -> None:
    assert _merge(local, remote, None, ConflictRule())[0] == local
    assert _merge(local, remote, None, ConflictRule(default="remote"))[0] == remote


#: Other names of the FIELDS, read by from_ods as the field each stands for.
OTHER_NAMES = {"Koperasi": ["Nama Koperasi", "KOPERASI", "nama koperasi"],
               "Alamat": ["Alamat Koperasi", " alamat "], "Status Grade": ["Grade", "STATUS GRADE"],
               "Total Anggota": ["Jumlah Anggota", "total anggota"]}
spellings = st.fixed_dictionaries({f: st.sampled_from([f, *OTHER_NAMES[f]]) for f in FIELDS})


@settings(max_examples=60)
@given(records, records, records, spellings, spellings, spellings,
       st.sampled_from(["local", "remote"]))
def test_merge_is_by_field_whatever_the_names(
    local: dict[str, str], remote: dict[str, str], base: dict[str, str],
    local_names: dict[str, str], remote_names: dict[str, str], base_names: dict[str, str],
    side: str,
) -> None:
    """Each side naming the fields its own way merges as under the ministry's names."""
    rule = ConflictRule.parse(side)

    def spelt(record: dict[str, str], names: dict[str, str]) -> dict[str, str]:
        return {names[f]: v for f, v in record.items()}

    merged, clashes = _merge(spelt(local, local_names), spelt(remote, remote_names),
                             spelt(base, base_names), rule)
    assert (merged, clashes) == _merge(local, remote, base, rule)


def _rec(i: int, grade: str) -> dict[str, Any]:
    return {name: " " for name in ODS_FIELDS} | {
        "Koperasi": f"K{i}", "Nomor Induk Koperasi (NIK)": f"31730100{i:05d}", "Status Grade": grade,
    }


FAULTS = st.lists(
    st.builds(Fault, st.sampled_from(["error500", "error500_after", "drop", "duplicate"]),
              st.sampled_from([None, "GET", "POST"])),
    max_size=6,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.integers(0, 25), st.sampled_from(["A", "B", "D"]), max_size=12),
    st.dictionaries(st.integers(0, 25), st.sampled_from(["A", "C1", "D"]), max_size=12),
    FAULTS,
    st.integers(1, 6),
)
def test_sync_converges_under_random_faults(remote: dict[int, str], local: dict[int, str],
                                            faults: list[Fault], page: int) -> None:
    store = open_store("memory://")
    for i, grade in local.items():
        k = from_ods(_rec(i, grade), resolve=False).koperasi
        assert k.id is not None
        store.write_batch([WriteOp(kind="koperasi", id=k.id, record=k,
                                   provenance=Provenance(sumber=SumberData.BIDANG_KOPERASI))])
    seeded = {f"31730100{i:05d}": _rec(i, g) for i, g in remote.items()}
    with OdsServer(seeded) as server:
        server.inject(*faults)
        transport = OdsHttpTransport(server.url, client_id="dki", timeout=2.0,
                                     retry=RetryPolicy(attempts=10, sleep=lambda s: None))
        sync(store, transport, page_size=page, batch_size=page)
        local_now = {r["Nomor Induk Koperasi (NIK)"]: r for r in iter_store_ods(store)}
        assert local_now == server.records()
        assert set(local_now) == set(seeded) | {f"31730100{i:05d}" for i in local}
        for id, record in local_now.items():  # the regional (local) side won every conflict
            i = int(id[-5:])
            if i in local:
                assert record["Status Grade"] == local[i]
        again = sync(store, transport)
        assert again.transferred == 0
    store.close()
