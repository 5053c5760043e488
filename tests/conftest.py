"""Shared test setup: hypothesis profiles, ../shared data and service switches.

* ``../shared`` (or ``KUKM_SHARED_DIR``) holds real reference data. A test
  that needs it skips when it is absent, and fails when
  ``KUKM_REQUIRE_SHARED=1`` (CI).
* PostgreSQL/MariaDB tests skip when the servers are absent, and fail when
  ``KUKM_REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI runs the same examples every time (a red run must be the change's, not the draw's);
# the "thorough" profile explores (HYPOTHESIS_PROFILE=thorough)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    env = os.environ.get("KUKM_SHARED_DIR")
    candidate = Path(env) if env else REPO.parent / "shared"
    return candidate if (candidate / "data").is_dir() else None


def require_shared(*parts: str) -> Path:
    """Path under ../shared, or skip (fail under KUKM_REQUIRE_SHARED=1)."""
    base = shared_dir()
    path = base.joinpath(*parts) if base else None
    if path is None or not path.exists():
        reason = f"../shared/{'/'.join(parts)} not found (set KUKM_SHARED_DIR)"
        if os.environ.get("KUKM_REQUIRE_SHARED") == "1":
            pytest.fail(reason + " but KUKM_REQUIRE_SHARED=1")
        pytest.skip(reason)
    return path


def service_unavailable(what: str, err: object) -> None:
    """Skip a service test, or fail it under KUKM_REQUIRE_SERVICES=1."""
    reason = f"{what} unavailable: {err}"
    if os.environ.get("KUKM_REQUIRE_SERVICES") == "1":
        pytest.fail(reason + " but KUKM_REQUIRE_SERVICES=1")
    pytest.skip(reason)


@pytest.fixture
def ods_sample_path() -> Path:
    return require_shared("data", "ods_sample", "ods_dki_sample.jsonl")


@pytest.fixture
def wilayah_dir() -> Path:
    return require_shared("data", "wilayah")


@pytest.fixture
def prefiks_path() -> Path:
    return require_shared("data", "ods_sample", "ods_prefiks_kelurahan_dki.csv")


@pytest.fixture
def default_csv_field_limit() -> Iterator[int]:
    """csv.field_size_limit at its default (131,072) for the test: the limit is the csv
    module's, process-wide, and a library used by other tests (frictionless) raises it."""
    import csv

    old = csv.field_size_limit(131_072)
    try:
        yield 131_072
    finally:
        csv.field_size_limit(old)
