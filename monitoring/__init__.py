"""Monthly reports of the monitored enterprises: reading, checks, the forms' summary tables.

A month's reports are the rows of the ministry's form 附表一 (one per monitored enterprise:
employment at the base and at the end of the month, the change, the decrease by type and its
reasons). :mod:`monitoring.columns` fixes their columns, types and the form's Chinese headers;
:mod:`monitoring.read` reads the form's files and the monitored list (:mod:`monitoring.industry`
converts the industry codes of GB/T 4754-2002, 2011 and 2017); :mod:`monitoring.checks` checks a
submission; :mod:`monitoring.forms` builds the forms' tables 附表一 and 附表二 and writes them to
Excel; :mod:`monitoring.synthetic` draws a synthetic month for examples and tests;
:mod:`monitoring.exceptions` holds the package's errors.

Estimates with design-based standard errors: :func:`estimate` (a month's employment, its
change and the share of enterprises that fell, for the province and its domains) on the
sample's :class:`Design` (:func:`as_design`), after the non-response adjustment of
:func:`adjust_nonresponse`; over months, the chained :func:`employment_index` and the
employment climate index :func:`climate_index` (用工景气指数, a diffusion index).
"""

from __future__ import annotations

from monitoring import columns, synthetic
from monitoring.checks import ReportCheck, check_reports
from monitoring.columns import (
    DECREASE_TYPES,
    REASONS_EN,
    REASONS_ZH,
    REPORT_COLUMNS,
    REPORT_DTYPES,
    empty_reports,
    format_reasons,
    parse_reasons,
)
from monitoring.design import Design, as_design
from monitoring.estimate import Estimates, estimate
from monitoring.exceptions import (
    EstimationError,
    IndustryConversionError,
    MonitoredListError,
    ReportError,
    ReportReadError,
    ReportReadWarning,
)
from monitoring.forms import MonthSummary, city_table, summarize, write_city_forms
from monitoring.industry import convert_industry
from monitoring.nonresponse import Adjustment, adjust_nonresponse
from monitoring.read import read_monitored, read_reports
from monitoring.series import ClimateIndex, EmploymentIndex, climate_index, employment_index

__all__ = [
    "DECREASE_TYPES",
    "REASONS_EN",
    "REASONS_ZH",
    "REPORT_COLUMNS",
    "REPORT_DTYPES",
    "Adjustment",
    "ClimateIndex",
    "Design",
    "EmploymentIndex",
    "EstimationError",
    "Estimates",
    "IndustryConversionError",
    "MonitoredListError",
    "MonthSummary",
    "ReportCheck",
    "ReportError",
    "ReportReadError",
    "ReportReadWarning",
    "adjust_nonresponse",
    "as_design",
    "check_reports",
    "city_table",
    "climate_index",
    "columns",
    "convert_industry",
    "employment_index",
    "empty_reports",
    "estimate",
    "format_reasons",
    "parse_reasons",
    "read_monitored",
    "read_reports",
    "summarize",
    "synthetic",
    "write_city_forms",
]
