"""Monthly reports of the monitored enterprises: reading, checks, the forms' summary tables.

A month's reports are the rows of the ministry's form 附表一 (one per monitored enterprise:
employment at the base and at the end of the month, the change, the decrease by type and its
reasons). :mod:`monitoring.columns` fixes their columns, types and the form's Chinese headers;
:mod:`monitoring.exceptions` holds the package's errors.
"""

from __future__ import annotations

from monitoring import columns
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
from monitoring.exceptions import (
    IndustryConversionError,
    MonitoredListError,
    ReportError,
    ReportReadError,
    ReportReadWarning,
)

__all__ = [
    "DECREASE_TYPES",
    "REASONS_EN",
    "REASONS_ZH",
    "REPORT_COLUMNS",
    "REPORT_DTYPES",
    "IndustryConversionError",
    "MonitoredListError",
    "ReportError",
    "ReportReadError",
    "ReportReadWarning",
    "columns",
    "empty_reports",
    "format_reasons",
    "parse_reasons",
]
