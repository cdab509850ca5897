"""empmon: design and audit the enterprise samples of China's employment monitoring.

The application layer above the libraries: the command line (:mod:`empmon.cli`), the example
pipelines (:mod:`empmon.examples`) and one import for the main API::

    from empmon import allocate_cities, build_quotas, select, audit

The layers below, each importable on its own: :mod:`basis` (result base, files, tables),
:mod:`allocation` (numbers per unit), :mod:`quotas` (classifications, ministry rules, the quota
model), :mod:`sampling` (registers, selection, audit, the national subset) and
:mod:`monitoring` (monthly reports: reading, checks, the forms' tables, estimates, indices).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# The main API, imported on first use: ``empmon`` itself stays light, so that the command line
# starts (and answers Ctrl-C) before pandas and the solvers are loaded.
_HOMES: dict[str, str] = {
    **dict.fromkeys(
        [
            "AllocationExplanation",
            "CityAllocation",
            "allocate_cities",
            "apportion",
            "explain",
            "optimal",
            "split",
        ],
        "allocation",
    ),
    **dict.fromkeys(
        ["GUANGDONG_2013", "MOHRSS_2009", "MOHRSS_2011", "QuotaTable", "RuleSet", "build_quotas", "datasets"],
        "quotas",
    ),
    "tier_minimum": "quotas.tiers",
    **dict.fromkeys(
        [
            "AuditReport",
            "NationalSubset",
            "Sample",
            "audit",
            "national_subset",
            "prepare_frame",
            "read_frame",
            "read_sample",
            "replace",
            "select",
            "structure",
            "synthetic",
        ],
        "sampling",
    ),
    **dict.fromkeys(
        [
            "Estimates",
            "ReportCheck",
            "as_design",
            "check_reports",
            "climate_index",
            "employment_index",
            "estimate",
            "read_reports",
            "summarize",
        ],
        "monitoring",
    ),
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'empmon' has no attribute {name!r}")
    value = getattr(import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__all__ = [
    "GUANGDONG_2013",
    "MOHRSS_2009",
    "MOHRSS_2011",
    "AllocationExplanation",
    "AuditReport",
    "CityAllocation",
    "Estimates",
    "NationalSubset",
    "QuotaTable",
    "ReportCheck",
    "RuleSet",
    "Sample",
    "allocate_cities",
    "apportion",
    "as_design",
    "audit",
    "build_quotas",
    "check_reports",
    "climate_index",
    "datasets",
    "employment_index",
    "estimate",
    "explain",
    "national_subset",
    "optimal",
    "prepare_frame",
    "read_frame",
    "read_reports",
    "read_sample",
    "replace",
    "select",
    "split",
    "structure",
    "summarize",
    "synthetic",
    "tier_minimum",
]
