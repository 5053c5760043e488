"""Governance of pendataan (Kepgub DKI Jakarta 1625/2021 huruf D, E, F, I).

* :mod:`~kukm.governance.access` – roles, region scopes, the policy file (A.9, F.3, I.2);
* :mod:`~kukm.governance.service` – :class:`Service`, the layer every read/write goes through;
* :mod:`~kukm.governance.masking` – personal data masked in public outputs (I.3–4);
* :mod:`~kukm.governance.provenance` – sources, submissions, field-level provenance (D, E.1, E.7–8);
* :mod:`~kukm.governance.pemutakhiran` – yearly update cycle (E.10);
* :mod:`~kukm.governance.quality` – completeness, validity, timeliness, consistency (F.1, I.5);
* :mod:`~kukm.governance.duplicates` – duplicate candidates, reviewed and undoable merges.

>>> from kukm.governance import Service, User, default_policy
>>> default_policy().decide(User("s", "sudin", "31.71"), "verify", any_record=True).allowed
False
"""

from kukm.governance.access import (
    Decision,
    Policy,
    RoleRule,
    User,
    default_policy,
    load_policy,
)
from kukm.governance.duplicates import (
    DuplicateCandidate,
    MergeRecord,
    Reason,
    find_duplicates,
    merge,
    undo_merge,
)
from kukm.governance.masking import MaskingConfig, mask_dict, mask_record
from kukm.governance.pemutakhiran import PemutakhiranReport, Tunggakan, pemutakhiran
from kukm.governance.provenance import (
    FieldSource,
    Submission,
    field_provenance,
    verification_trail,
)
from kukm.governance.quality import QualityReport, Target, assess, load_targets
from kukm.governance.service import Service, lookup_user

__all__ = [
    "Decision",
    "DuplicateCandidate",
    "FieldSource",
    "MaskingConfig",
    "MergeRecord",
    "PemutakhiranReport",
    "Policy",
    "QualityReport",
    "Reason",
    "RoleRule",
    "Service",
    "Submission",
    "Target",
    "Tunggakan",
    "User",
    "assess",
    "default_policy",
    "field_provenance",
    "find_duplicates",
    "load_policy",
    "load_targets",
    "lookup_user",
    "mask_dict",
    "mask_record",
    "merge",
    "pemutakhiran",
    "undo_merge",
    "verification_trail",
]
