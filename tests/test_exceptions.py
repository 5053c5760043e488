"""The error tree and the problem-code registry."""

from __future__ import annotations

import pytest

from kukm import exceptions as exc
from kukm.docgen import render_error_codes


def test_validation_errors_are_value_errors() -> None:
    for cls in (exc.InvalidFormat, exc.InvalidLength, exc.InvalidChecksum, exc.InvalidComponent):
        assert issubclass(cls, exc.ValidationError)
        assert issubclass(cls, ValueError)
        assert issubclass(cls, exc.KukmError)
    assert issubclass(exc.InvalidLength, exc.InvalidFormat)


def test_branches_are_separate() -> None:
    assert not issubclass(exc.StorageError, exc.ValidationError)
    assert not issubclass(exc.PluginError, exc.StorageError)
    assert issubclass(exc.SequenceExhausted, exc.StorageError)


def test_every_exception_has_bilingual_message() -> None:
    stack: list[type[exc.KukmError]] = [exc.KukmError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        assert cls.code and cls.code.upper() == cls.code
        assert cls.message_id and cls.message


def test_register_code_rejects_conflicting_redefinition() -> None:
    exc.register_code("TEST_ONLY_CODE", "Satu.", "One.")
    exc.register_code("TEST_ONLY_CODE", "Satu.", "One.")  # same text: fine
    with pytest.raises(ValueError):
        exc.register_code("TEST_ONLY_CODE", "Dua.", "Two.")


def test_issue_from_code_carries_both_languages_and_row() -> None:
    exc.register_code("TEST_ISSUE_CODE", "Salah.", "Wrong.", exc.Severity.WARNING)
    i = exc.issue("TEST_ISSUE_CODE", "nib", "123", row=7)
    assert (i.code, i.field, i.value, i.row) == ("TEST_ISSUE_CODE", "nib", "123", 7)
    assert i.message_id == "Salah." and i.message_en == "Wrong."
    assert i.severity is exc.Severity.WARNING
    assert i.with_row(9).row == 9
    with pytest.raises(KeyError):
        exc.issue("NO_SUCH_CODE", "x")


def test_error_codes_doc_is_current() -> None:
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "error-codes.md"
    assert doc.read_text(encoding="utf-8") == render_error_codes(), (
        "docs/error-codes.md is stale: run `python -m kukm.docgen docs`"
    )
