"""Exceptions raised by :mod:`sampling`. All are :class:`ValueError` subclasses."""

from __future__ import annotations

from basis.exceptions import ProblemRowsError

__all__ = [
    "AuditError",
    "CreditCodeWarning",
    "FrameError",
    "SampleError",
    "SampleReadWarning",
    "SelectionError",
    "UnauthorisedReplacementWarning",
]


class FrameError(ProblemRowsError):
    """An enterprise frame (or a proposed sample) with problems.

    Every problem is collected before raising, so one run lists them all.

    Attributes
    ----------
    problems : DataFrame
        One row per problem: ``row, column, value, reason``.
    """


class SelectionError(ValueError):
    """Quotas and frame that cannot be reconciled (unknown cell, quota above the cell size)."""


class SampleError(ValueError):
    """A sample that cannot be read or replaced (unknown enterprise, missing reason)."""


class AuditError(ValueError):
    """Bad input to :func:`sampling.auditing.audit` or the representativeness measures."""


class SampleReadWarning(UserWarning):
    """:func:`sampling.read.read_sample` met columns or rows it did not use (unrecognised
    columns, blank rows, total rows); they are listed in the result's ``attrs["skipped"]``."""


class CreditCodeWarning(UserWarning):
    """Register ids that look like a 统一社会信用代码 (18 letters and digits) but fail its check
    character (GB 32100-2015): probably mistyped, so the enterprise may be listed twice under
    two spellings or not be found next year."""


class UnauthorisedReplacementWarning(UserWarning):
    """A replacement batch run without an authorisation, which the documents do not allow
    (更换企业样本必须在部里统一安排下进行, 人社部函〔2011〕308号)."""
