"""Classifications, ministry rules and quota tables for enterprise employment monitoring."""

from __future__ import annotations

from quotas import classify, datasets, rules
from quotas.build import build_quotas
from quotas.checks import check_cells
from quotas.cities import city_aliases, resolve_cities
from quotas.exceptions import (
    ClassificationError,
    InfeasibleQuotaError,
    QuotaInputError,
    QuotaSolverError,
    RuleError,
    SizeClassWarning,
    UnknownCityError,
    UnknownIndustryError,
    UnknownRegistrationTypeError,
)
from quotas.industry_groups import check_key_industries
from quotas.rules import GUANGDONG_2013, MOHRSS_2009, MOHRSS_2011, RegisterShare, Rule, RuleSet
from quotas.structure import validate_structure
from quotas.table import QuotaTable

__all__ = [
    "GUANGDONG_2013",
    "MOHRSS_2009",
    "MOHRSS_2011",
    "ClassificationError",
    "InfeasibleQuotaError",
    "QuotaInputError",
    "QuotaSolverError",
    "QuotaTable",
    "RegisterShare",
    "Rule",
    "RuleError",
    "RuleSet",
    "SizeClassWarning",
    "UnknownCityError",
    "UnknownIndustryError",
    "UnknownRegistrationTypeError",
    "build_quotas",
    "check_cells",
    "check_key_industries",
    "city_aliases",
    "classify",
    "datasets",
    "resolve_cities",
    "rules",
    "validate_structure",
]
