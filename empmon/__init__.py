"""empmon: design and audit the enterprise samples of China's employment monitoring.

The application layer above the libraries: the command line (:mod:`empmon.cli`), the example
pipelines (:mod:`empmon.examples`) and one import for the main API::

    from empmon import allocate_cities, build_quotas, select, audit

The layers below, each importable on its own: :mod:`allocation` (numbers per unit),
:mod:`quotas` (classifications, ministry rules, the quota model), :mod:`sampling` (registers,
selection, audit).
"""

from __future__ import annotations

from allocation import (
    AllocationExplanation,
    CityAllocation,
    allocate_cities,
    apportion,
    explain,
    optimal,
    split,
)
from quotas import GUANGDONG_2013, MOHRSS_2009, MOHRSS_2011, QuotaTable, RuleSet, build_quotas, datasets
from quotas.tiers import tier_minimum
from sampling import (
    AuditReport,
    Sample,
    audit,
    prepare_frame,
    read_frame,
    read_sample,
    replace,
    select,
    structure,
    synthetic,
)

__all__ = [
    "GUANGDONG_2013",
    "MOHRSS_2009",
    "MOHRSS_2011",
    "AllocationExplanation",
    "AuditReport",
    "CityAllocation",
    "QuotaTable",
    "RuleSet",
    "Sample",
    "allocate_cities",
    "apportion",
    "audit",
    "build_quotas",
    "datasets",
    "explain",
    "optimal",
    "prepare_frame",
    "read_frame",
    "read_sample",
    "replace",
    "select",
    "split",
    "structure",
    "synthetic",
    "tier_minimum",
]
