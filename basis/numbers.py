"""Numbers as people write them in tables, read one way everywhere and never changed silently.

A column of a table file arrives as text (or as numbers from Excel or Parquet).
:func:`read_numbers` turns it into floats and reports, row by row, every value it will not
accept, instead of rounding, truncating or overflowing it:

* thousands separators are read (``12,950.06`` is 12950.06, ``1,200`` is 1200) only where
  they group digits by three; any other comma (``12,5``, a decimal comma) is an error;
* full-width digits and signs (``１２０``) are read as their ASCII forms (Unicode NFKC);
* a blank cell is missing (an error when ``blank`` is False);
* ``whole=True`` (a count of enterprises, a sample size) refuses fractions (``12.7``);
* a value above ``maximum`` (an implausible size) or not finite (``inf``, ``1e400``) is an
  error, so that nothing later overflows a 64-bit integer (``1e23``) or a float sum (``1e308``).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from basis.exceptions import PROBLEM_COLUMNS

__all__ = ["LARGEST_COUNT", "LARGEST_EMPLOYEES", "LARGEST_NUMBER", "read_numbers"]

LARGEST_EMPLOYEES = 2_000_000
"""More employees than any enterprise has (the largest Chinese employers have about 1.5 million)."""

LARGEST_COUNT = 10_000_000
"""More than any count of enterprises in a sample, a quota or a target can be."""

LARGEST_NUMBER = 1e15
"""Above any city statistic in any unit (China's GDP is about 1.3e14 yuan); a larger value is a
typing or unit error, and values this size keep sums and products of weights finite."""

_PLAIN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def _number(text: str) -> tuple[float, str | None]:
    """(value, None) or (nan, reason) for one non-blank cell's text."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        return np.nan, "is not a number (a comma that does not separate thousands)"
    if not _PLAIN.fullmatch(cleaned):
        if cleaned.lower().lstrip("+-") in ("inf", "infinity", "nan"):
            return np.nan, "is not a finite number"
        return np.nan, "is not a number"
    value = float(cleaned)
    if not np.isfinite(value):
        return np.nan, "is too large to be a number"
    return value, None


def read_numbers(
    values: pd.Series,
    *,
    column: str,
    whole: bool = False,
    minimum: float | None = 0,
    maximum: float = LARGEST_NUMBER,
    blank: bool = True,
) -> tuple[pd.Series, pd.DataFrame]:
    """Read a column of numbers written as text (or given as numbers) and list what is wrong.

    Parameters
    ----------
    values : Series
        The column as read; its index holds the row numbers used in the problems.
    column : str
        The column's name, for the problems.
    whole : bool, default False
        Counts: a value with a fraction is a problem (never rounded).
    minimum : float or None, default 0
        Smallest accepted value (None: no bound).
    maximum : float, default :data:`LARGEST_NUMBER`
        Largest accepted value: an implausible size, or one that would overflow.
    blank : bool, default True
        Whether a blank cell is accepted (it is NaN in the result).

    Returns
    -------
    numbers : Series of float
        Aligned with ``values``; NaN where blank or bad.
    problems : DataFrame
        ``row, column, value, reason``, one row per bad value (empty when all are good).

    Examples
    --------
    >>> import pandas as pd
    >>> from basis.numbers import read_numbers
    >>> numbers, problems = read_numbers(pd.Series(["12,950.06", "１２０", "1,2"]), column="gdp")
    >>> numbers.tolist()[:2], problems["reason"].tolist()
    ([12950.06, 120.0], ['is not a number (a comma that does not separate thousands)'])
    >>> counts = pd.Series(["12.7", "1e23", "", "-5"], index=[2, 3, 4, 5])
    >>> _, problems = read_numbers(counts, column="quota", whole=True, maximum=1e7)
    >>> problems[["row", "value", "reason"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [[2, '12.7', 'is not a whole number'],
     [3, '1e23', 'is above 10,000,000, the largest plausible value'],
     [5, '-5', 'is negative']]
    """
    reasons = np.full(len(values), None, dtype=object)
    if pd.api.types.is_bool_dtype(values.dtype):
        out = np.full(len(values), np.nan)
        reasons[:] = "is a yes/no value, not a number"
    elif pd.api.types.is_numeric_dtype(values.dtype):
        out = values.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(out)
        reasons[~missing & ~np.isfinite(out)] = "is not a finite number"
        out = np.where(np.isfinite(out), out, np.nan)
    else:
        # Plain numbers in one vectorised pass; only the cells it cannot read are looked at
        # one by one (thousands separators, full-width digits, words).
        out = np.array(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan))
        out[~np.isfinite(out)] = np.nan
        text = values.to_numpy(dtype=object)
        cache: dict[str, tuple[float, str | None]] = {}
        for i in np.flatnonzero(np.isnan(out)):
            cell = text[i]
            if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
                continue
            if isinstance(cell, (bool, np.bool_)):
                reasons[i] = "is a yes/no value, not a number"
                continue
            if isinstance(cell, (int, float, np.integer, np.floating)):
                value = float(cell)
                if np.isfinite(value):
                    out[i] = value
                else:
                    reasons[i] = "is not a finite number"
                continue
            key = str(cell)
            if not key.strip():
                continue
            if key not in cache:
                cache[key] = _number(key)
            out[i], reasons[i] = cache[key]
    missing = np.isnan(out) & (reasons == None)  # noqa: E711 (elementwise on an object array)
    if not blank:
        reasons[missing] = "is blank"
    good = ~np.isnan(out)
    if whole:
        reasons[good & (out != np.floor(out))] = "is not a whole number"
    if minimum is not None:
        low = good & (out < minimum) & (reasons == None)  # noqa: E711
        reasons[low] = "is negative" if minimum == 0 else f"is below {minimum:,g}"
    high = good & (out > maximum) & (reasons == None)  # noqa: E711
    reasons[high] = f"is above {maximum:,.0f}, the largest plausible value"
    bad = reasons != None  # noqa: E711
    numbers = pd.Series(np.where(bad, np.nan, out), index=values.index, name=values.name)
    problems = pd.DataFrame(
        {
            "row": values.index[bad],
            "column": column,
            "value": values.to_numpy(dtype=object)[bad],
            "reason": reasons[bad],
        },
        columns=list(PROBLEM_COLUMNS),
    )
    return numbers, problems
