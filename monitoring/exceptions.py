"""Exceptions raised by :mod:`monitoring`. All errors are :class:`ValueError` subclasses.

Each message names what the user can find in the input: the file and row (the Excel row or the
CSV line as shown, header = line 1), the column (by its header on the form), the city or the
enterprise, and the value.
"""

from __future__ import annotations

from basis.exceptions import ProblemRowsError

__all__ = [
    "EstimationError",
    "IndustryConversionError",
    "MonitoredListError",
    "ReportError",
    "ReportReadError",
    "ReportReadWarning",
]


class ReportError(ProblemRowsError):
    """A month's reports (附表一 rows) that cannot be used: a missing column, a value that is
    not a number, a reason code that cannot be parsed, an unknown city.

    Attributes
    ----------
    problems : DataFrame
        One row per problem: ``row, column, value, reason`` (``row`` as the user sees it).
    """


class ReportReadError(ReportError):
    """A report file whose layout is not the form's: no header row, an unknown format."""


class MonitoredListError(ReportError):
    """A monitored list (失业动态监测城市监测企业名单) that cannot be used."""


class IndustryConversionError(ReportError):
    """An industry code that cannot be converted to the wanted GB/T 4754 edition (unknown, or a
    GB/T 4754-2002 division split between several divisions of the later edition)."""


class ReportReadWarning(UserWarning):
    """Rows or columns of a report file that were recognised and left out (title rows, the
    column-number row, the total row, blank rows, unrecognised columns); they are listed in the
    result's ``attrs["skipped"]``."""


class EstimationError(ValueError):
    """A design or a month's reports that estimates cannot be made from: a design without its
    strata, weights or cell sizes, an enterprise reported that is not in the design, a cell or a
    city where no enterprise responded (when its weight cannot be carried by a neighbour), a
    stratum with one responding enterprise when ``lonely="fail"``. The message names the
    enterprise, the cell or the city."""
