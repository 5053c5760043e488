"""Done-when properties of the access policy (Kepgub A.9, F.3, I.2–3).

For any generated user, role and record: a Sudin user of one kab/kota never
reads or changes a record of another; a Lurah only their kelurahan; the
public only masked, verified data.
"""

from __future__ import annotations

import contextlib

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kukm.adapters.memory import MemoryStore
from kukm.exceptions import AccessDenied
from kukm.governance.access import User, default_policy
from kukm.governance.masking import mask_value
from kukm.governance.service import Service
from kukm.model import Alamat, Koperasi, SumberData, Umkm
from kukm.storage.base import Provenance, VerificationStatus, WriteOp, wilayah_matches
from kukm.testing import strategies as ks

ROLES = [*sorted(default_policy().roles), "tamu", ""]
LEVELS = ["provinsi", "kabkota", "kecamatan", "kelurahan"]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def users(draw: st.DrawFn, role: str | None = None) -> User:
    peran = role if role is not None else draw(st.sampled_from(ROLES))
    wilayah = draw(
        st.one_of(
            st.none(),
            st.sampled_from(LEVELS).flatmap(lambda lv: ks.kode_wilayah(level=lv)),
            ks.kode_wilayah(valid=False),
        )
    )
    own = draw(st.frozensets(st.tuples(st.sampled_from(["umkm", "koperasi"]), st.just("r1"))))
    return User("u-test", peran, wilayah, own)


@st.composite
def records(draw: st.DrawFn) -> Umkm | Koperasi:
    rec = draw(st.one_of(ks.umkm(), ks.koperasi()))
    code = draw(st.one_of(ks.kode_wilayah(level="kelurahan"), st.none()))
    return attrs.evolve(rec, alamat=attrs.evolve(rec.alamat, kode_wilayah=code))


def _store_with(record: Umkm | Koperasi, status: VerificationStatus) -> tuple[MemoryStore, str]:
    kind = "koperasi" if isinstance(record, Koperasi) else "umkm"
    store = MemoryStore()
    store.write_batch([WriteOp(kind, "r1", record, Provenance(SumberData.SUDIN), status=status)])
    return store, kind


def _aligned(user: User, record: Umkm | Koperasi, parts: int, align: bool) -> User:
    """Half the time put the user in the record's own region, so allowed paths run too."""
    code = record.alamat.kode_wilayah
    if not align or code is None:
        return user
    return attrs.evolve(user, wilayah=".".join(code.split(".")[:parts]))


def _in_scope(user: User, code: str | None, level_parts: int) -> bool:
    if user.wilayah is None or user.wilayah.count(".") + 1 != level_parts:
        return False
    return wilayah_matches(code, user.wilayah)


def _assert_masked(original: Umkm | Koperasi, seen: Umkm | Koperasi) -> None:
    cfg = default_policy().masking
    for path in cfg.fields:
        head, _, leaf = path.rpartition(".")
        o_parent = getattr(original, head, None) if head else original
        s_parent = getattr(seen, head, None) if head else seen
        if o_parent is None or not hasattr(o_parent, leaf):
            continue
        raw, shown = getattr(o_parent, leaf), getattr(s_parent, leaf)
        assert shown == mask_value(raw, path, cfg.style)
        if isinstance(raw, str) and raw.strip("* "):
            assert shown != raw, path


@SETTINGS
@given(user=users(), record=records(), status=st.sampled_from(list(VerificationStatus)))
def test_any_user_reads_only_inside_its_scope(
    user: User, record: Umkm | Koperasi, status: VerificationStatus
) -> None:
    store, kind = _store_with(record, status)
    svc = Service(store, user)
    code = record.alamat.kode_wilayah
    try:
        seen = svc.get(kind, "r1")
    except AccessDenied:
        seen = None
        assert any(not e.diizinkan for e in store.audit_log())
    if seen is None:
        return
    if user.peran == "sudin":
        assert _in_scope(user, code, 2)
    elif user.peran == "camat":
        assert _in_scope(user, code, 3)
    elif user.peran == "lurah":
        assert _in_scope(user, code, 4)
    elif user.peran == "publik":
        assert status is VerificationStatus.TERVERIFIKASI
        _assert_masked(record, seen.record)
    elif user.peran in ("koperasi", "pelaku_usaha"):
        assert (kind, "r1") in user.milik
    assert user.peran in default_policy().roles


@SETTINGS
@given(
    user=users(role="sudin"),
    record=records(),
    target=ks.kode_wilayah(level="kelurahan"),
    align=st.booleans(),
)
def test_sudin_never_changes_another_kab_kota(
    user: User, record: Umkm | Koperasi, target: str, align: bool
) -> None:
    user = _aligned(user, record, 2, align)
    store, kind = _store_with(record, VerificationStatus.TERVERIFIKASI)
    svc = Service(store, user)
    moved = attrs.evolve(record, alamat=attrs.evolve(record.alamat, kode_wilayah=target))
    before = store.history(kind, "r1")
    try:
        svc.submit([WriteOp(kind, "r1", moved, Provenance(SumberData.SUDIN))])
    except AccessDenied:
        assert store.history(kind, "r1") == before
        return
    # allowed only when both the old and the new region lie in the Sudin's kab/kota
    assert _in_scope(user, record.alamat.kode_wilayah, 2)
    assert _in_scope(user, target, 2)


@SETTINGS
@given(
    user=users(role="lurah"),
    record=records(),
    status=st.sampled_from(list(VerificationStatus)),
    align=st.booleans(),
)
def test_lurah_only_their_kelurahan(
    user: User, record: Umkm | Koperasi, status: VerificationStatus, align: bool
) -> None:
    user = _aligned(user, record, 4, align)
    store, kind = _store_with(record, status)
    svc = Service(store, user)
    listed = []
    with contextlib.suppress(AccessDenied):
        listed = list(svc.iter_records(kind))
    for s in listed:
        assert _in_scope(user, s.record.alamat.kode_wilayah, 4)
    if align and record.alamat.kode_wilayah and user.wilayah.count(".") == 3:
        assert [s.id for s in listed] == ["r1"]
    for action in (svc.verify, svc.reject):
        with pytest.raises(AccessDenied):
            action(kind, "r1")


@settings(SETTINGS, max_examples=25)
@given(
    recs=st.lists(records(), min_size=1, max_size=4),
    statuses=st.lists(st.sampled_from(list(VerificationStatus)), min_size=6, max_size=6),
)
def test_public_sees_only_masked_verified_data(
    recs: list[Umkm | Koperasi], statuses: list[VerificationStatus]
) -> None:
    store = MemoryStore()
    originals = {}
    for i, (rec, status) in enumerate(zip(recs, statuses, strict=False)):
        kind = "koperasi" if isinstance(rec, Koperasi) else "umkm"
        store.write_batch(
            [WriteOp(kind, f"r{i}", rec, Provenance(SumberData.PIHAK_LAIN), status=status)]
        )
        originals[(kind, f"r{i}")] = (rec, status)
    public = Service(store, User.public())
    for kind in ("umkm", "koperasi"):
        for s in public.iter_records(kind):
            rec, status = originals[(kind, s.id)]
            assert s.status is VerificationStatus.TERVERIFIKASI is status
            _assert_masked(rec, s.record)
        assert public.count(kind) == sum(
            1
            for (k, _), (_, st_) in originals.items()
            if k == kind and st_ is VerificationStatus.TERVERIFIKASI
        )
        for (k, rid), (rec, _status) in originals.items():
            if k != kind:
                continue
            try:
                versions = public.history(kind, rid)  # type: ignore[arg-type]
            except AccessDenied as exc:
                assert exc.code == "ACCESS_NOT_PUBLISHED"
                continue
            for v in versions:
                assert v.status is VerificationStatus.TERVERIFIKASI
                _assert_masked(rec, v.record)
        # asking for pending data gives nothing, never the pending records
        assert public.count(kind, status=[VerificationStatus.MENUNGGU]) == 0


def test_public_cannot_write_or_verify() -> None:
    store = MemoryStore()
    svc = Service(store, User.public())
    rec = Umkm(nama_usaha="X", alamat=Alamat(kode_wilayah="31.71.01.1001"))
    with pytest.raises(AccessDenied) as err:
        svc.submit([WriteOp("umkm", "x", rec, Provenance(SumberData.PELAKU_USAHA))])
    assert err.value.code == "ACCESS_ACTION_DENIED"
    assert store.count("umkm") == 0
