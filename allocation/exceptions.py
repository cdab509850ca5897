"""Exceptions raised by :mod:`allocation`.

Every error is a :class:`ValueError` subclass, so ``except ValueError`` still works, and its
message names the unit (city, stratum), the value and the bound involved.
"""

from __future__ import annotations

__all__ = ["AllocationError", "InfeasibleAllocationError", "UnknownMethodError"]


class AllocationError(ValueError):
    """Invalid input to an allocation function (bad weight, bound, total or label)."""


class InfeasibleAllocationError(AllocationError):
    """The bounds and the total cannot all hold (e.g. total below the sum of the minimums)."""


class UnknownMethodError(AllocationError):
    """A method name that is not one of the documented ones."""
