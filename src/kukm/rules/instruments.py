"""Data-collection instruments (Kepgub DKI 1625/2021 huruf E angka 11).

"Pelaksanaan pendataan … menggunakan instrumen pendataan yang bentuk dan tata
caranya ditetapkan oleh Dinas PPKUKM": the form is the Dinas's to set. An
:class:`Instrument` is a declarative list of :class:`Field` s (name, type,
required or not, identifier check, column aliases) plus cross-field
:class:`CrossRule` s. It is compiled once into per-field closures, so parsing a
row does no reflection.

``parse_row`` reports **every** problem of a row: completeness
(``kind="lengkap"``: a required value is missing), validity (``akurat``) and
consistency between fields (``konsisten``). Warnings never reject a row.
A Dinas changes an instrument without code through a TOML/JSON file
(:func:`load_instrument`) and exports it as a Frictionless Table Schema.

>>> from kukm.rules.instruments import get_instrument
>>> umkm = get_instrument("umkm")
>>> r = umkm.parse_row({"nama_usaha": "Warung Sri", "modal_usaha": "Rp 1.500.000",
...                     "omzet_tahunan": "1,5 juta", "sumber_data": "kelurahan"}, row_number=4)
>>> r.record is None, r.sumber_data.value  # required values are missing: rejected
(True, 'kelurahan')
>>> sorted({(i.kind, i.field) for i in r.issues})[:3]
[('lengkap', 'alamat'), ('lengkap', 'jenis_kelamin'), ('lengkap', 'kbli')]
>>> r.issues[0].row, r.issues[0].code
(4, 'REQUIRED_MISSING')
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple, final

import attrs
from attrs import evolve, field, frozen

from kukm.exceptions import CODES, ConfigurationError, Issue, Severity, register_code
from kukm.ids._util import ZERO_WIDTH
from kukm.model import Alamat, JenisKelamin, Keuangan, Koperasi, Pemilik, Pengurus, SumberData, Umkm
from kukm.reference import vocab as _vocab
from kukm.reference.vocab import VOCAB_UNKNOWN
from kukm.rules import _identifiers
from kukm.rules.amounts import BLANK_CELLS, EXCEL_ERRORS, parse_date, parse_int, parse_rupiah

if TYPE_CHECKING:
    from kukm.rules._batch import BatchParse

__all__ = [
    "INSTRUMENTS",
    "CrossRule",
    "Field",
    "FieldType",
    "Instrument",
    "RowResult",
    "get_instrument",
    "load_instrument",
]

REQUIRED_MISSING = register_code(
    "REQUIRED_MISSING", "Isian wajib kosong.", "A required value is missing.", module=__name__
)
NEGATIVE_VALUE = register_code(
    "NEGATIVE_VALUE", "Nilai tidak boleh negatif.", "The value must not be negative.", module=__name__
)
ENUM_INVALID = register_code(
    "ENUM_INVALID", "Nilai tidak termasuk pilihan yang sah.", "The value is not one of the allowed choices.", module=__name__
)
EMAIL_INVALID = register_code(
    "EMAIL_INVALID", "Alamat email tidak valid.", "The e-mail address is not valid.", module=__name__
)
TOO_LONG = register_code("TEXT_TOO_LONG", "Teks terlalu panjang.", "The text is too long.", module=__name__)
TEKS_NUL = register_code(
    "TEKS_NUL",
    "Isian berisi karakter NUL (kode 0), bukan teks; periksa berkasnya (rusak atau disimpan "
    "dengan encoding lain).",
    "The value holds a NUL character (code 0), not text; check the file (damaged, or saved in "
    "another encoding).",
    module=__name__,
)
SEL_GALAT_EXCEL = register_code(
    "SEL_GALAT_EXCEL",
    "Sel berisi nilai galat Excel (#N/A, #REF!, …), bukan data: perbaiki rumusnya atau isi "
    "nilainya.",
    "The cell holds an Excel error value (#N/A, #REF!, …), not data: fix the formula or enter "
    "the value.",
    module=__name__,
)
INSTRUMENT_FILE = register_code(
    "INSTRUMENT_FILE",
    "Berkas instrumen tidak valid.",
    "The instrument file is not valid.",
    module=__name__,
)


class FieldType(enum.StrEnum):
    """The type of a form field."""

    STR = "str"
    RUPIAH = "rupiah"
    INT = "int"
    DATE = "date"
    ENUM = "enum"
    EMAIL = "email"
    IDENTIFIER = "identifier"


@final
@frozen
class Field:
    """One field of a form.

    ``target`` is the dotted attribute of the entity the value goes to
    (``pemilik.nik_penduduk``); ``None`` keeps it in ``atribut_lain`` and
    ``"-"`` keeps it out of the entity (``sumber_data``). For ``enum`` fields
    ``choices`` are the canonical values and ``synonyms`` maps other spellings
    (lower case) to them; ``strict=False`` makes an unknown value a warning
    (the value is kept), also for identifier checks. ``vocabulary`` names a
    :mod:`kukm.reference.vocab` vocabulary instead of ``choices`` (values are
    normalised to its spelling; unknown ones are ``VOCAB_UNKNOWN`` warnings).
    """

    name: str
    type: FieldType = FieldType.STR
    required: bool = False
    identifier: str | None = None
    vocabulary: str | None = None
    choices: tuple[str, ...] = ()
    synonyms: Mapping[str, str] = field(factory=dict)
    aliases: tuple[str, ...] = ()
    target: str | None = None
    minimum: int | None = None
    max_length: int | None = None
    strict: bool = True
    title: str = ""
    description: str = ""


Finding = tuple[str, str, Any, str]  # code, field, value, detail
Check = Callable[[Mapping[str, Any], dt.date], Sequence[Finding] | None]
#: ``screen(columns, today)``: indexes of the rows ``check`` might flag, given
#: each declared field as a column of typed values (a superset is fine).
Screen = Callable[[Mapping[str, Sequence[Any]], dt.date], Iterable[int]]


@final
@frozen
class CrossRule:
    """A rule over several fields; ``check`` returns findings or ``None``.

    ``check(values, today)`` receives the typed values of (at least) the
    fields it declares in ``fields`` (``None`` when missing or invalid).
    ``screen`` (optional) serves :meth:`Instrument.parse_batch`: it returns
    the indexes of the rows ``check`` might flag, so the other rows skip the
    per-row call; it must never leave out a row ``check`` flags (tests check
    kukm's own rules for this). Without it, ``check`` runs on every row.
    """

    id: str
    fields: tuple[str, ...]
    codes: tuple[str, ...]
    deskripsi: str
    description: str
    check: Check
    dasar: str = ""
    screen: Screen | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # kukm's own rules (closures) pickle by id, so instruments travel to worker processes
        from kukm.rules._instrument_defaults import BUILTIN_RULES

        if BUILTIN_RULES.get(self.id) is self:
            return (_builtin_rule, (self.id,))
        return (
            CrossRule,
            (self.id, self.fields, self.codes, self.deskripsi, self.description, self.check, self.dasar, self.screen),
        )


def _builtin_rule(rule_id: str) -> CrossRule:
    from kukm.rules._instrument_defaults import BUILTIN_RULES

    return BUILTIN_RULES[rule_id]


class RowResult(NamedTuple):
    """The outcome of one row: the typed record (``None`` on errors) and every issue.

    An immutable named tuple (cheaper than an attrs class for 10⁶ rows).
    """

    record: Umkm | Koperasi | None
    issues: list[Issue]
    sumber_data: SumberData | None = None
    row: int | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]


_RowResult = RowResult


class _Bad(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail


class _Warn(Exception):
    def __init__(self, code: str, value: Any) -> None:
        self.code = code
        self.value = value


_NO_ZERO_WIDTH: Final = dict.fromkeys(map(ord, ZERO_WIDTH))
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_ENUM_CLASSES: Final[dict[str, type[enum.StrEnum]]] = {
    "jenis_kelamin": JenisKelamin,
    "sumber_data": SumberData,
}
_SUB: Final[dict[str, type[Any]]] = {
    "pemilik": Pemilik,
    "alamat": Alamat,
    "pengurus": Pengurus,
    "keuangan": Keuangan,
}
_ENTITIES: Final[dict[str, type[Any]]] = {"umkm": Umkm, "koperasi": Koperasi}


def _make_issue(code: str, fld: str | None, value: Any, row: int | None, kind: str, detail: str = "") -> Issue:
    info = CODES[code]
    suffix = f" ({detail})" if detail else ""
    return Issue(code, fld, value, info.message_id + suffix, info.message_en + suffix, info.severity, row, kind)


def _positional_call(cls: type[Any], given: Mapping[str, str], ns: dict[str, Any], name: str) -> str:
    """Source of ``cls(...)`` with positional arguments (faster than keywords).

    Attributes not in ``given`` get their default (a fresh one from a factory).
    """
    ns[name] = cls
    args: list[str] = []
    for a in attrs.fields(cls):
        if a.name in given:
            args.append(given[a.name])
        elif isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            ns[f"{name}_{a.name}"] = a.default.factory
            args.append(f"{name}_{a.name}()")
        elif a.default is attrs.NOTHING:
            args.append("None")
        else:
            ns[f"{name}_{a.name}"] = a.default
            args.append(f"{name}_{a.name}")
    return f"{name}({', '.join(args)})"


def _enum_table(f: Field) -> dict[str, Any]:
    """Lower-case spelling → canonical value of an ``enum`` field (choices and synonyms)."""
    cls = _ENUM_CLASSES.get(f.name)
    table: dict[str, Any] = {}
    for c in f.choices:
        table[c.lower()] = cls(c) if cls else c
    for k, v in f.synonyms.items():
        table[k.lower()] = cls(v) if cls else v
    return table


def _id_check(f: Field) -> Callable[[str], str]:
    if not f.identifier:
        raise ConfigurationError(f"field {f.name!r}: identifier type needs 'identifier'", code=INSTRUMENT_FILE)
    try:
        check = _identifiers.resolve(f.identifier)
    except LookupError as exc:  # a typo in an instrument file ('nibb')
        raise ConfigurationError(
            f"field {f.name!r}: {exc} (known: {', '.join(sorted(_identifiers.known()))})",
            code=INSTRUMENT_FILE,
        ) from None
    if f.identifier in ("kode_wilayah", "kbli"):
        check = _identifiers.cached(check)
    return check


def _compile_field(f: Field) -> Callable[[str], Any]:
    """A closure turning the stripped raw text into the typed value (raises _Bad/_Warn)."""
    minimum = f.minimum
    t = f.type
    if t is FieldType.RUPIAH or t is FieldType.INT:
        parse = parse_rupiah if t is FieldType.RUPIAH else parse_int

        def conv_num(raw: str) -> Any:
            try:
                v = parse(raw)
            except ValueError as exc:
                raise _Bad(getattr(exc, "code", _identifiers.IDENTIFIER_INVALID)) from None
            if minimum is not None and v < minimum:
                raise _Bad(NEGATIVE_VALUE if minimum == 0 else ENUM_INVALID, f">= {minimum}")
            return v

        return conv_num
    if t is FieldType.DATE:

        def conv_date(raw: str) -> Any:
            try:
                return parse_date(raw)
            except ValueError as exc:
                raise _Bad(getattr(exc, "code", "DATE_FORMAT")) from None

        return conv_date
    if t is FieldType.ENUM and f.vocabulary:
        vname = f.vocabulary
        _vocab.get(vname)  # fail early on an unknown vocabulary name

        def conv_vocab(raw: str) -> Any:
            voc = _vocab.get(vname)  # looked up per call: a Dinas may replace it
            if raw in voc:
                return voc.normalise(raw)
            raise _Warn(VOCAB_UNKNOWN, raw)

        return conv_vocab
    if t is FieldType.ENUM:
        table = _enum_table(f)
        strict = f.strict

        def conv_enum(raw: str) -> Any:
            v = table.get(raw.lower())
            if v is None and not raw.isascii():  # 'L' and a character no one can see
                v = table.get(raw.translate(_NO_ZERO_WIDTH).strip().lower())
            if v is None:
                if strict:
                    raise _Bad(ENUM_INVALID, ", ".join(f.choices))
                raise _Warn(VOCAB_UNKNOWN, raw)
            return v

        return conv_enum
    if t is FieldType.EMAIL:

        def conv_email(raw: str) -> Any:
            if _EMAIL.fullmatch(raw) is None:
                raise _Bad(EMAIL_INVALID)
            return raw

        return conv_email
    if t is FieldType.IDENTIFIER:
        check = _id_check(f)
        strict_id = f.strict

        def conv_id(raw: str) -> Any:
            try:
                return check(raw)
            except ValueError as exc:
                code = _identifiers.problem_code(exc)
                if strict_id:
                    raise _Bad(code) from None
                raise _Warn(code, raw) from None

        return conv_id
    max_length = f.max_length
    if max_length is None:
        return str  # already stripped: identity (fast path)

    def conv_str(raw: str) -> Any:
        if len(raw) > max_length:
            raise _Bad(TOO_LONG, f"<= {max_length}")
        return raw

    return conv_str


class Instrument:
    """A compiled data-collection form for one entity (``umkm`` or ``koperasi``).

    Build it from fields and rules, or derive one with :meth:`derive` /
    :func:`load_instrument`. Implements the :class:`kukm.hookspecs.Instrument`
    protocol (``name``).
    """

    __slots__ = (
        "_batch",
        "_build",
        "_getters",
        "_parse",
        "_plan",
        "_rules",
        "entity",
        "fields",
        "name",
        "rules",
        "source",
        "title",
        "versi",
    )

    def __init__(
        self,
        name: str,
        entity: str,
        fields: Sequence[Field],
        rules: Sequence[CrossRule] = (),
        *,
        title: str = "",
        versi: str = "1",
    ) -> None:
        if entity not in _ENTITIES:
            raise ConfigurationError(f"unknown entity {entity!r}", code=INSTRUMENT_FILE)
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise ConfigurationError(f"instrument {name!r}: duplicate field names", code=INSTRUMENT_FILE)
        self.name = name
        self.entity = entity
        self.fields: tuple[Field, ...] = tuple(fields)
        self.rules: tuple[CrossRule, ...] = tuple(rules)
        self.title = title
        self.versi = versi
        self._plan = tuple((f.name, f.aliases, f.required, _compile_field(f)) for f in self.fields)
        self._rules = tuple(r.check for r in self.rules)
        self._check_targets()
        self._getters = tuple((f, self._compile_getter(f)) for f in self.fields)
        self.source = ""
        self._build: Callable[..., Any] | None = None
        self._parse = self._generate_parser()
        self._batch: Any = None

    def __repr__(self) -> str:
        return f"Instrument({self.name!r}, entity={self.entity!r}, fields={len(self.fields)})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by definition (the generated code is rebuilt on load).

        >>> import pickle
        >>> pickle.loads(pickle.dumps(get_instrument("umkm"))).name
        'umkm'
        """
        return (_rebuild, (self.name, self.entity, self.fields, self.rules, self.title, self.versi))

    # -- compilation -------------------------------------------------------

    def _check_targets(self) -> None:
        cls = _ENTITIES[self.entity]
        for f in self.fields:
            if f.target in (None, "-"):
                continue
            parts = f.target.split(".")
            ok = all(p.isidentifier() for p in parts) and len(parts) <= 2
            if ok and len(parts) == 2:
                ok = parts[0] in _SUB and parts[1] in attrs.fields_dict(_SUB[parts[0]])
            if ok:
                ok = parts[0] in attrs.fields_dict(cls) and parts[0] != "atribut_lain"
            if not ok:
                raise ConfigurationError(
                    f"field {f.name!r}: target {f.target!r} is not an attribute of {cls.__name__}",
                    code=INSTRUMENT_FILE,
                )

    def _generate_parser(self) -> Callable[[Mapping[str, Any], int | None, dt.date | None], RowResult]:
        """Generate straight-line Python for this instrument (no per-row loops or reflection)."""
        ns: dict[str, Any] = {
            "_mk": _make_issue, "_Bad": _Bad, "_Warn": _Warn, "_REQ": REQUIRED_MISSING,
            "_RowResult": _RowResult, "_SumberData": SumberData, "_today": dt.date.today,
            "_RULES": self._rules, "_WARNING": Severity.WARNING, "_Cls": _ENTITIES[self.entity],
        }  # fmt: skip
        lines = ["def parse(row, row_number, today):", "    get = row.get", "    issues = []"]
        ns.update(_pc=_identifiers.problem_code, _TOO_LONG=TOO_LONG, _NEG=NEGATIVE_VALUE, _ENUM=ENUM_INVALID,
                  _VOCAB=VOCAB_UNKNOWN, _pr=parse_rupiah, _pi=parse_int, _pd=parse_date,
                  _BLANKS=BLANK_CELLS, _ERRS=EXCEL_ERRORS, _GALAT=SEL_GALAT_EXCEL, _NUL=TEKS_NUL)  # fmt: skip
        for i, ((name, aliases, required, conv), f) in enumerate(zip(self._plan, self.fields, strict=True)):
            v, n = f"v{i}", repr(name)
            lines.append(f"    raw = get({n})")
            if aliases:
                lines.append("    if not raw:")
                lines.append(f"        raw = get({aliases[0]!r})")
                for a in aliases[1:]:
                    lines.append(f"        if raw is None: raw = get({a!r})")
            lines += [
                "    if raw.__class__ is str: raw = raw.strip()",
                "    elif raw is not None: raw = str(raw).strip()",
                # ="0812…": how exporters keep a long number as text in Excel (TEXT_FORMULA)
                "    if raw and raw[0] == '=' and raw[1:2] == '\"' and raw[-1] == '\"' and len(raw) > 2:",
                "        raw = raw[2:-1].strip()",
                "    if raw in _BLANKS: raw = ''",
                # an error value is reported as one, and the field then reads blank (False:
                # a required field gets no REQUIRED_MISSING besides)
                "    elif raw in _ERRS:",
                f"        issues.append(_mk(_GALAT, {n}, raw, row_number, 'akurat', ''))",
                "        raw = False",
                # a NUL is never text (no database but SQLite stores it): the field is refused
                "    elif raw and '\\x00' in raw:",
                f"        issues.append(_mk(_NUL, {n}, raw.replace('\\x00', '\\\\x00')[:200], row_number, 'akurat', ''))",
                "        raw = False",
            ]
            if f.max_length is not None and f.type is not FieldType.STR:
                # an identifier or a choice longer than its column holds (text checks its own
                # length): TEXT_TOO_LONG on the row, not a store refusing the batch
                lines += [
                    f"    elif raw and len(raw) > {f.max_length}:",
                    f"        issues.append(_mk(_TOO_LONG, {n}, raw[:200], row_number, 'akurat', '<= {f.max_length}'))",
                    "        raw = False",
                ]
            if conv is str and not required:
                lines.append(f"    {v} = raw or None")
                continue
            lines.append("    if raw:")
            lines += [("        " + x) for x in self._field_code(i, f, conv, v, n, ns)]
            lines += ["    else:", f"        {v} = None"]
            if required:
                lines.append("        if raw is not False:")
                lines.append(f"            issues.append(_mk(_REQ, {n}, raw, row_number, 'lengkap', ''))")
        index = {f.name: i for i, f in enumerate(self.fields)}
        if self._rules:
            used = {n for r in self.rules for n in r.fields}  # a rule sees the fields it declares
            pairs = ", ".join(f"{f.name!r}: v{i}" for i, f in enumerate(self.fields) if f.name in used)
            lines += [
                f"    values = {{{pairs}}}",
                "    ref = today or _today()",
                "    for check in _RULES:",
                "        found = check(values, ref)",
                "        if found:",
                "            for code, fld, value, detail in found:",
                "                issues.append(_mk(code, fld, value, row_number, 'konsisten', detail))",
            ]
        top: dict[str, str] = {}
        subs: dict[str, dict[str, str]] = {}
        extra: list[str] = []
        for i, f in enumerate(self.fields):
            if f.target == "-":
                continue
            if f.target is None:
                extra.append(f"({f.name!r}, v{i})")
            elif "." in f.target:
                a, b = f.target.split(".", 1)
                subs.setdefault(a, {})[b] = f"v{i}"
            else:
                top[f.target] = f"v{i}"
        for a, kws in sorted(subs.items()):
            call = _positional_call(_SUB[a], kws, ns, f"_S_{a}")
            if a == "keuangan":
                call = f"({call} if ({' or '.join(f'{x} is not None' for x in kws.values())}) else None)"
            top[a] = call
        if extra:
            top["atribut_lain"] = f"{{k: str(x) for k, x in ({', '.join(extra)},) if x is not None}}"
        build = _positional_call(_ENTITIES[self.entity], top, ns, "_Cls")
        lines += [
            "    record = None",
            "    if not issues or all(i.severity is _WARNING for i in issues):",
            f"        record = {build}",
        ]
        if "sumber_data" in index:
            s = f"v{index['sumber_data']}"
            lines.append(f"    sumber = {s} if {s}.__class__ is _SumberData else None")
        else:
            lines.append("    sumber = None")
        lines.append("    return _RowResult(record, issues, sumber, row_number)")
        # the same record from the typed values alone (the batch path, kukm.rules._batch)
        params = ", ".join(f"v{i}" for i in range(len(self.fields)))
        lines += ["", f"def build({params}):", f"    return {build}"]
        self.source = "\n".join(lines) + "\n"
        exec(compile(self.source, f"<kukm instrument {self.name}>", "exec"), ns)
        parse: Callable[[Mapping[str, Any], int | None, dt.date | None], RowResult] = ns["parse"]
        self._build = ns["build"]
        return parse

    @staticmethod
    def _field_code(i: int, f: Field, conv: Callable[[str], Any], v: str, n: str, ns: dict[str, Any]) -> list[str]:
        """Straight-line code turning ``raw`` (non-empty, stripped) into ``v`` or an issue."""
        bad = "issues.append(_mk({code}, " + n + ", raw, row_number, 'akurat', {detail}))"
        t = f.type
        if conv is str:
            return [f"{v} = raw"]
        if t is FieldType.STR and f.max_length is not None:
            return [
                f"if len(raw) > {f.max_length}:",
                f"    {v} = None",
                "    " + bad.format(code="_TOO_LONG", detail=repr(f"<= {f.max_length}")),
                "else:",
                f"    {v} = raw",
            ]
        if t in (FieldType.RUPIAH, FieldType.INT):
            parse = "_pr" if t is FieldType.RUPIAH else "_pi"
            out = [
                "if raw.isdigit() and raw.isascii():",
                f"    {v} = int(raw)",
                "else:",
                "    try:",
                f"        {v} = {parse}(raw)",
                "    except ValueError as e:",
                f"        {v} = None",
                "        " + bad.format(code="_pc(e)", detail="''"),
            ]
            if f.minimum is not None:
                code = "_NEG" if f.minimum == 0 else "_ENUM"
                out += [
                    f"    if {v} is not None and {v} < {int(f.minimum)}:",
                    f"        {v} = None",
                    "        " + bad.format(code=code, detail=repr(f">= {f.minimum}")),
                ]
            return out
        if t is FieldType.DATE:
            # dates repeat a lot in real files: memoise valid ones (bounded)
            ns[f"d{i}"] = {}
            return [
                f"{v} = d{i}.get(raw)",
                f"if {v} is None:",
                "    try:",
                f"        {v} = _pd(raw)",
                f"        if len(d{i}) < 50000: d{i}[raw] = {v}",
                "    except ValueError as e:",
                f"        {v} = None",
                "        " + bad.format(code="_pc(e)", detail="''"),
            ]
        if t is FieldType.ENUM and not f.vocabulary:
            ns[f"t{i}"] = _enum_table(f)
            ns["_NOZW"] = _NO_ZERO_WIDTH
            out = [
                f"{v} = t{i}.get(raw.lower())",
                f"if {v} is None and not raw.isascii():",  # a character no one can see
                f"    {v} = t{i}.get(raw.translate(_NOZW).strip().lower())",
                f"if {v} is None:",
            ]
            if f.strict:
                out.append("    " + bad.format(code="_ENUM", detail=repr(", ".join(f.choices))))
            else:
                out += [f"    {v} = raw", "    " + bad.format(code="_VOCAB", detail="''")]
            return out
        if t is FieldType.IDENTIFIER:
            ns[f"c{i}"] = _id_check(f)
            return [
                "try:",
                f"    {v} = c{i}(raw)",
                "except ValueError as e:",
                f"    {v} = {'None' if f.strict else 'raw'}",
                "    " + bad.format(code="_pc(e)", detail="''"),
            ]
        ns[f"c{i}"] = conv
        return [
            "try:",
            f"    {v} = c{i}(raw)",
            "except _Bad as b:",
            f"    {v} = None",
            "    " + bad.format(code="b.code", detail="b.detail"),
            "except _Warn as w:",
            f"    {v} = w.value",
            "    " + bad.format(code="w.code", detail="''"),
        ]

    @staticmethod
    def _compile_getter(f: Field) -> Callable[[Any], Any]:
        if f.target == "-":
            return lambda e: None
        if f.target is None:
            name = f.name
            return lambda e: e.atribut_lain.get(name)
        path = f.target.split(".")

        def get(e: Any) -> Any:
            for p in path:
                e = getattr(e, p, None)
                if e is None:
                    return None
            return e

        return get

    # -- the API the pipeline uses -------------------------------------------

    def parse_row(
        self, row: Mapping[str, Any], *, row_number: int | None = None, today: dt.date | None = None
    ) -> RowResult:
        """Parse one row (column → text) into a record and **every** issue.

        Columns are looked up by field name, then (when that is absent or
        empty) by each alias. ``today`` is
        the date "the future" starts after (default: today).
        """
        return self._parse(row, row_number, today)

    def parse_batch(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        first_row: int = 1,
        today: dt.date | None = None,
        stripped: bool = False,
    ) -> BatchParse:
        """Parse many rows at once, column by column; same results as :meth:`parse_row`.

        ``rows`` are sequences in the order of ``columns`` (as :mod:`csv`
        reads them); row ``k`` has the number ``first_row + k``. With
        ``stripped`` the caller promises every cell is text without blanks
        around it (what kukm's readers give), and the cells are not stripped
        again. Rows whose
        every value passes the fast column checks are typed column-wise; any
        other row (a missing, odd or invalid value, a cross-field finding) is
        parsed by :meth:`parse_row`, so every issue is still reported exactly
        as for one row. See :class:`kukm.rules._batch.BatchParse`.

        >>> inst = get_instrument("umkm")
        >>> b = inst.parse_batch(["nama_usaha", "modal_usaha"], [["Toko A", "Rp 1.500.000"], ["", "x"]],
        ...                      first_row=2)
        >>> sorted(i.code for i in b.result(3 - 2).issues if i.field in ("nama_usaha", "modal_usaha"))
        ['AMOUNT_FORMAT', 'REQUIRED_MISSING']
        >>> b.column("modal_usaha")[0], b.ok_rows()  # the other required fields are missing
        (1500000, [])
        """
        if self._batch is None:
            from kukm.rules._batch import BatchParser

            self._batch = BatchParser(self)
        from kukm._gc import gc_paused

        # no reference cycles are made; with the cyclic GC on, its passes would walk every
        # live object of the caller's (often large) data (benchmarks/bench_rules.py: half the time)
        with gc_paused():
            result: BatchParse = self._batch.parse(columns, rows, first_row, today, stripped)
        return result

    def validate_record(self, entity: Umkm | Koperasi, *, today: dt.date | None = None) -> list[Issue]:
        """Every issue of an already-typed entity (same checks as :meth:`parse_row`).

        >>> from kukm.model import Umkm
        >>> [i.code for i in get_instrument("umkm").validate_record(
        ...     Umkm(nama_usaha="X", modal_usaha=-1)) if i.field == "modal_usaha"]
        ['NEGATIVE_VALUE']
        """
        values: dict[str, Any] = {}
        issues: list[Issue] = []
        for f, getter in self._getters:
            if f.target == "-":
                values[f.name] = None
                continue
            v = getter(entity)
            if v is None or (isinstance(v, str) and not v.strip()):
                values[f.name] = None
                if f.required:
                    issues.append(_make_issue(REQUIRED_MISSING, f.name, v, None, "lengkap"))
                continue
            values[f.name] = v
            problem = self._check_typed(f, v)
            if problem is not None:
                issues.append(_make_issue(problem[0], f.name, v, None, "akurat", problem[1]))
        ref = today or dt.date.today()
        for check in self._rules:
            for code, fld, value, detail in check(values, ref) or ():
                issues.append(_make_issue(code, fld, value, None, "konsisten", detail))
        return issues

    @staticmethod
    def _check_typed(f: Field, v: Any) -> tuple[str, str] | None:
        t = f.type
        if t in (FieldType.RUPIAH, FieldType.INT):
            if isinstance(v, bool) or not isinstance(v, int):
                return ("INT_FORMAT", "")
            if f.minimum is not None and v < f.minimum:
                return (NEGATIVE_VALUE, f">= {f.minimum}")
        elif t is FieldType.DATE:
            if not isinstance(v, dt.date):
                return ("DATE_FORMAT", "")
        elif t is FieldType.ENUM and f.vocabulary:
            if not _vocab.check(f.vocabulary, v):
                return (VOCAB_UNKNOWN, "")
        elif t is FieldType.ENUM:
            allowed = {c.lower() for c in f.choices} | {s.lower() for s in f.synonyms}
            if str(v).lower() not in allowed:
                return (ENUM_INVALID if f.strict else VOCAB_UNKNOWN, "")
        elif t is FieldType.EMAIL:
            if _EMAIL.fullmatch(str(v)) is None:
                return (EMAIL_INVALID, "")
        elif t is FieldType.IDENTIFIER and f.identifier:
            try:
                _identifiers.resolve(f.identifier)(str(v))
            except ValueError as exc:
                return (_identifiers.problem_code(exc), "")
        elif f.max_length is not None and len(str(v)) > f.max_length:
            return (TOO_LONG, f"<= {f.max_length}")
        return None

    # -- derivation and export ----------------------------------------------------

    def derive(
        self,
        name: str,
        *,
        fields: Iterable[Mapping[str, Any]] = (),
        require: Iterable[str] = (),
        optional: Iterable[str] = (),
        remove_rules: Iterable[str] = (),
        title: str | None = None,
        versi: str | None = None,
    ) -> Instrument:
        """A new instrument: fields added or overridden (by name), requirements changed.

        >>> base = get_instrument("umkm")
        >>> mine = base.derive("umkm-dki", require=["npwp"],
        ...                    fields=[{"name": "jumlah_cabang", "type": "int", "minimum": 0}])
        >>> [f.required for f in mine.fields if f.name == "npwp"], mine.fields[-1].name
        ([True], 'jumlah_cabang')
        """
        by_name = {f.name: f for f in self.fields}
        order = [f.name for f in self.fields]
        for spec in fields:
            data = dict(spec)
            fname = data.get("name")
            if not isinstance(fname, str) or not fname:
                raise ConfigurationError("every field needs a 'name'", code=INSTRUMENT_FILE)
            if fname in by_name:
                by_name[fname] = evolve(by_name[fname], **_field_kwargs(data, partial=True))
            else:
                by_name[fname] = Field(**_field_kwargs(data, partial=False))
                order.append(fname)
        for n in require:
            by_name[n] = evolve(_known(by_name, n), required=True)
        for n in optional:
            by_name[n] = evolve(_known(by_name, n), required=False)
        drop = set(remove_rules)
        unknown = drop - {r.id for r in self.rules}
        if unknown:
            raise ConfigurationError(f"unknown rules {sorted(unknown)}", code=INSTRUMENT_FILE)
        return Instrument(
            name,
            self.entity,
            [by_name[n] for n in order],
            [r for r in self.rules if r.id not in drop],
            title=self.title if title is None else title,
            versi=self.versi if versi is None else versi,
        )

    def to_table_schema(self) -> dict[str, Any]:
        """The instrument as a Frictionless Table Schema descriptor.

        >>> s = get_instrument("umkm").to_table_schema()
        >>> [f["type"] for f in s["fields"] if f["name"] in ("modal_usaha", "tanggal_berdiri")]
        ['integer', 'date']
        """
        out: list[dict[str, Any]] = []
        for f in self.fields:
            d: dict[str, Any] = {"name": f.name}
            if f.title:
                d["title"] = f.title
            if f.description:
                d["description"] = f.description
            constraints: dict[str, Any] = {}
            if f.required:
                constraints["required"] = True
            if f.type is FieldType.RUPIAH:
                d.update(type="integer", bareNumber=False)
                d["description"] = (d.get("description", "") + " Rupiah; kukm also reads 'Rp 1.500.000', '1,5 juta'.").strip()
            elif f.type is FieldType.INT:
                d["type"] = "integer"
            elif f.type is FieldType.DATE:
                d.update(type="date", format="any")
            elif f.type is FieldType.EMAIL:
                d.update(type="string", format="email")
            else:
                d["type"] = "string"
            if f.vocabulary:
                d["x-kukm-vocabulary"] = f.vocabulary
            if f.type is FieldType.ENUM and f.strict and f.choices:
                constraints["enum"] = list(f.choices)
            if f.minimum is not None:
                constraints["minimum"] = f.minimum
            if f.max_length is not None:
                constraints["maxLength"] = f.max_length
            if constraints:
                d["constraints"] = constraints
            out.append(d)
        return {"fields": out, "missingValues": ["", " "]}


def _rebuild(
    name: str, entity: str, fields: Sequence[Field], rules: Sequence[CrossRule], title: str, versi: str
) -> Instrument:
    return Instrument(name, entity, fields, rules, title=title, versi=versi)


_FIELD_KEYS: Final = {
    "name", "type", "required", "identifier", "vocabulary", "choices", "synonyms", "aliases",
    "target", "minimum", "max_length", "strict", "title", "description",
}  # fmt: skip


#: The type each field key takes in an instrument file: a wrong one is refused, never read
#: as something else ("false" is a true string; "a,b" would be the choices 'a', ',', 'b').
_FIELD_KEY_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "name": (str,), "type": (str,), "required": (bool,), "identifier": (str,),
    "vocabulary": (str,), "choices": (list, tuple), "synonyms": (dict,), "aliases": (list, tuple),
    "target": (str,), "minimum": (int,), "max_length": (int,), "strict": (bool,), "title": (str,),
    "description": (str,),
}  # fmt: skip


def _check_types(data: Mapping[str, Any]) -> None:
    name = data.get("name", "?")
    for key, value in data.items():
        want = _FIELD_KEY_TYPES.get(key)
        if want is None or value is None:
            continue
        bad = not isinstance(value, want) or (bool not in want and isinstance(value, bool))
        if not bad and isinstance(value, list | tuple):
            bad = not all(isinstance(x, str) for x in value)
        if bad:
            kinds = " or ".join("list of text" if t in (list, tuple) else t.__name__ for t in want[:1])
            raise ConfigurationError(
                f"field {name!r}: {key} must be {kinds}, not {value!r}", code=INSTRUMENT_FILE
            )


def _field_kwargs(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    unknown = set(data) - _FIELD_KEYS
    if unknown:
        raise ConfigurationError(f"unknown field keys {sorted(unknown)}", code=INSTRUMENT_FILE)
    _check_types(data)
    out = dict(data)
    if partial:
        out.pop("name", None)
    try:
        if "type" in out:
            out["type"] = FieldType(out["type"])
        for k in ("choices", "aliases"):
            if k in out:
                out[k] = tuple(str(x) for x in out[k])
        if "synonyms" in out:
            out["synonyms"] = {str(a): str(b) for a, b in dict(out["synonyms"]).items()}
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"invalid field definition: {exc}", code=INSTRUMENT_FILE) from exc
    return out


def _known(by_name: Mapping[str, Field], n: str) -> Field:
    try:
        return by_name[n]
    except KeyError:
        raise ConfigurationError(f"no field {n!r} in the instrument", code=INSTRUMENT_FILE) from None


def load_instrument(path: str | Path, *, base: Instrument | None = None) -> Instrument:
    """Load an instrument from a TOML or JSON file (no code needed).

    Keys: ``name`` (required), ``extends`` (``umkm``/``koperasi``, default
    from ``base``), ``title``, ``versi``, ``require`` and ``optional`` (field
    names), ``remove_rules`` (rule ids), and ``fields``: a list of field
    tables; one whose ``name`` exists overrides only the keys it gives, a new
    one is added (stored in ``atribut_lain`` unless it names a ``target``).
    See ``docs/instruments.md``.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import tomllib

            data = tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read instrument {p}: {exc}", code=INSTRUMENT_FILE) from exc
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ConfigurationError(f"{p}: an instrument needs a 'name'", code=INSTRUMENT_FILE)
    known = {"name", "extends", "title", "versi", "require", "optional", "remove_rules", "fields"}
    extra = set(data) - known
    if extra:
        raise ConfigurationError(f"{p}: unknown keys {sorted(extra)}", code=INSTRUMENT_FILE)
    parent = base
    if "extends" in data:
        parent = get_instrument(str(data["extends"]))
    if parent is None:
        raise ConfigurationError(f"{p}: say which instrument it 'extends'", code=INSTRUMENT_FILE)
    fields = data.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        raise ConfigurationError(f"{p}: 'fields' must be a list of tables", code=INSTRUMENT_FILE)
    for key in ("require", "optional", "remove_rules"):
        names = data.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ConfigurationError(
                f"{p}: {key!r} must be a list of names, not {names!r}", code=INSTRUMENT_FILE
            )
    return parent.derive(
        data["name"],
        fields=fields,
        require=list(data.get("require", [])),
        optional=list(data.get("optional", [])),
        remove_rules=list(data.get("remove_rules", [])),
        title=data.get("title"),
        versi=str(data["versi"]) if "versi" in data else None,
    )


INSTRUMENTS: Final[dict[str, Instrument]] = {}


def get_instrument(name: str) -> Instrument:
    """A built-in instrument (``umkm``, ``koperasi``) or one a plugin registered.

    >>> get_instrument("koperasi").entity
    'koperasi'
    """
    if not INSTRUMENTS:
        from kukm.rules import _instrument_defaults

        INSTRUMENTS.update(_instrument_defaults.defaults())
    found = INSTRUMENTS.get(name)
    if found is not None:
        return found
    from kukm.plugins import get_plugins

    inst = get_plugins().instruments().get(name)
    if isinstance(inst, Instrument):
        return inst
    raise ConfigurationError(f"no instrument named {name!r}", code=INSTRUMENT_FILE)
