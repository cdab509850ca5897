"""Integer allocation of a sample across units (cities, strata).

This package knows nothing of China: it takes numbers indexed by any labels. The Chinese
reference statistics and the ministry's minimum tiers are in :mod:`quotas.datasets` and
:mod:`quotas.tiers`.
"""

from __future__ import annotations

from allocation.apportion import apportion, bounded_quota
from allocation.cities import CityAllocation, allocate_cities
from allocation.exceptions import AllocationError, InfeasibleAllocationError, UnknownMethodError
from allocation.explain import AllocationExplanation, explain
from allocation.optimal import bethel, optimal
from allocation.split import split

__all__ = [
    "AllocationError",
    "AllocationExplanation",
    "CityAllocation",
    "InfeasibleAllocationError",
    "UnknownMethodError",
    "allocate_cities",
    "apportion",
    "bethel",
    "bounded_quota",
    "explain",
    "optimal",
    "split",
]
