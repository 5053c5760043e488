"""Nomor Induk Koperasi: issuing numbers, the certificate application workflow, priority service.

Kepgub DKI Jakarta 1625/2021 huruf A.10 and H:

* :mod:`kukm.nik.allocation` – new numbers (region prefix + running number from the store);
* :mod:`kukm.nik.routing` – which office receives an application (H.6 b–c);
* :mod:`kukm.nik.application` – the workflow diajukan → diverifikasi/ditolak → terbit →
  kedaluwarsa/dicabut (H.6);
* :mod:`kukm.nik.eligibility` – the injectable compliance check;
* :mod:`kukm.nik.priority` – priority service for certified cooperatives (H.7).

The number itself (layout, validation) is :mod:`kukm.ids.nomor_induk_koperasi`;
the certificate and its QR code are :mod:`kukm.certificate`.
"""

from __future__ import annotations

from kukm.nik.allocation import (
    PrefixLookup,
    PrefixTable,
    allocate_nomor_induk,
    assign_nomor_induk,
    default_prefix_table,
    nomor_induk_of,
    region_prefix,
    register_existing,
)
from kukm.nik.application import (
    DEFAULT_MASA_BERLAKU_TAHUN,
    Kanal,
    NikWorkflow,
    Penerbitan,
    Permohonan,
    StatusPermohonan,
    Transisi,
    expiry_date,
)
from kukm.nik.eligibility import Alasan, EligibilityCheck, Kelayakan, default_eligibility
from kukm.nik.priority import PriorityVerdict, priority_service
from kukm.nik.routing import Kantor, TingkatKantor, route

__all__ = [
    "DEFAULT_MASA_BERLAKU_TAHUN",
    "Alasan",
    "EligibilityCheck",
    "Kanal",
    "Kantor",
    "Kelayakan",
    "NikWorkflow",
    "Penerbitan",
    "Permohonan",
    "PrefixLookup",
    "PrefixTable",
    "PriorityVerdict",
    "StatusPermohonan",
    "TingkatKantor",
    "Transisi",
    "allocate_nomor_induk",
    "assign_nomor_induk",
    "default_eligibility",
    "default_prefix_table",
    "expiry_date",
    "nomor_induk_of",
    "priority_service",
    "region_prefix",
    "register_existing",
    "route",
]
