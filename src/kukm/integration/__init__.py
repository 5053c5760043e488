"""Integration with the ministry's ODS and the PKT/Jakpreneur app (Kepgub DKI 1625/2021 huruf G).

* :mod:`kukm.integration.ods` – ODS JSON record ↔ :class:`kukm.model.Koperasi` (lossless);
* :mod:`kukm.integration.ods_io` – streaming JSON-lines/CSV readers and writers, store import/export;
* :mod:`kukm.integration.diff` – local register against an ODS snapshot, changes since a sync;
* :mod:`kukm.integration.sync` – the sync protocol, cursor and conflict rule;
* :mod:`kukm.integration.pkt` – PKT/Jakpreneur export and member-list import.
"""
