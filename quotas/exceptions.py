"""Exceptions raised by :mod:`quotas`.

Every error about the input (a value, a table, a rule, or rules that no quota table can meet) is
a :class:`ValueError` subclass, so ``except ValueError`` catches what the user can fix; each
message names the offending value, row, city or rule. The one exception is
:class:`QuotaSolverError`, a :class:`RuntimeError`: it means the input was valid and the
solver itself stopped (a time limit, numerical trouble), which no change of the input is known
to fix.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ClassificationError",
    "InfeasibleQuotaError",
    "QuotaInputError",
    "QuotaSolverError",
    "RuleError",
    "SizeClassWarning",
    "UnknownCityError",
    "UnknownIndustryError",
    "UnknownRegistrationTypeError",
]


class ClassificationError(ValueError):
    """A value that no official classification knows."""


class UnknownIndustryError(ClassificationError):
    """An industry code that is not a GB/T 4754 division (or class, or section)."""


class UnknownRegistrationTypeError(ClassificationError):
    """A registration type that is neither a 国统字〔1998〕200号 code nor one of its names."""


class UnknownCityError(ClassificationError):
    """A city name that matches no city, or more than one, in the alias table."""


class RuleError(ValueError):
    """A rule or rule set that is malformed (unknown parameter, limit out of range)."""


class QuotaInputError(ValueError):
    """Bad structure, targets or panel given to :func:`quotas.build_quotas`."""


class QuotaSolverError(RuntimeError):
    """The solver stopped without an answer (time limit, numerical trouble), naming the cities.

    Not a :class:`ValueError`: the input was valid (an infeasible one raises
    :class:`InfeasibleQuotaError`); retrying with another ``solver=`` may help.
    """


class InfeasibleQuotaError(ValueError):
    """No quota table meets every hard rule for some city.

    Attributes
    ----------
    conflicts : list of dict
        One entry per conflict with keys ``city``, ``rules`` (the conflicting rule ids) and
        ``detail`` (a sentence in English and the numbers involved).
    """

    def __init__(self, message: str, conflicts: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.conflicts = list(conflicts or [])


class SizeClassWarning(UserWarning):
    """Some enterprises were sized on partial information (employees only, unlisted industry)."""
