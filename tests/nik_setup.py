"""The setting the NIK workflow's race and crash tests share: a Sudin Jakarta Selatan officer,
one Jakarta Selatan cooperative with a badan hukum number, and a workflow whose prefix table
gives its kelurahan the BPS prefix of Jakarta Selatan (3171) and its kecamatan."""

from __future__ import annotations

import datetime as dt

from kukm.governance import Service, User
from kukm.model import Alamat, Koperasi
from kukm.nik.allocation import PrefixTable
from kukm.nik.application import NikWorkflow
from kukm.nik.eligibility import Kelayakan
from kukm.plugins import open_store
from kukm.storage.base import Store

T0 = dt.datetime(2026, 3, 1, 9, 0)
PREFIX = "317106002"
OFFICER = "sudin-jaksel"
JAKSEL = Koperasi(
    nama="Koperasi Selatan",
    id="kop-s",
    nomor_badan_hukum="1/BH/XII.4/2001",
    alamat=Alamat(jalan="Jl. Kemang 1", kode_wilayah="31.74.07.1001"),
)


def always_eligible(koperasi: Koperasi, on: dt.date) -> Kelayakan:
    return Kelayakan(True)


def store_with_officer(url: str = "memory://") -> Store:
    """The store at ``url`` with :data:`OFFICER` granted the Sudin role for 31.74."""
    store = open_store(url)
    Service(store, User("admin-1", "administrator")).grant(User(OFFICER, "sudin", "31.74"))
    return store


def workflow(store: Store) -> NikWorkflow:
    return NikWorkflow(
        store, prefix_table=PrefixTable({"31.74.07.1001": PREFIX}), eligibility=always_eligible
    )
