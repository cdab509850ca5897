"""Yes/no values as people type them in registers and tables: the one parser of the library.

A flag column (``in_panel``, ``state_owned``) may come as booleans, as 0/1 numbers, or as text
written in English or Chinese (``True``, ``yes``, ``是``; ``False``, ``no``, ``否``), in any
letter case and with surrounding spaces, and as text after a round trip through CSV or Excel
(``"False"``). Each distinct value is parsed once, so a column of millions of rows costs a
factorisation, not millions of string operations.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "parse_yes_no"]

TRUE_WORDS: frozenset[str] = frozenset({"1", "1.0", "true", "t", "yes", "y", "是"})
"""Text read as yes (compared after stripping spaces and folding letter case)."""

FALSE_WORDS: frozenset[str] = frozenset({"0", "0.0", "false", "f", "no", "n", "否"})
"""Text read as no (compared after stripping spaces and folding letter case)."""


def _one(value: Any, blank: bool | None) -> bool | None:
    """True/False for one value; None when it is not a yes/no value."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return blank
    if isinstance(value, numbers.Number):
        return bool(value) if value in (0, 1) else None
    text = str(value).strip().casefold()
    if text == "":
        return blank
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def parse_yes_no(values: pd.Series, *, blank: bool | None = False) -> tuple[np.ndarray, np.ndarray]:
    """Read a column of yes/no values.

    Parameters
    ----------
    values : Series
        Booleans, 0/1 numbers or text (see :data:`TRUE_WORDS` and :data:`FALSE_WORDS`).
    blank : bool or None, default False
        What a missing or empty value means; None makes it a bad value.

    Returns
    -------
    flags : ndarray of bool
        The parsed values (False where bad).
    bad : ndarray of bool
        Rows whose value is not a yes/no value; the caller names them in its own error.

    Examples
    --------
    >>> import pandas as pd
    >>> from basis.booleans import parse_yes_no
    >>> flags, bad = parse_yes_no(pd.Series(["是", " False", "YES", 1, "", "maybe"]))
    >>> flags.tolist(), bad.tolist()
    ([True, False, True, True, False, False], [False, False, False, False, False, True])
    """
    if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        return values.to_numpy(dtype=bool), np.zeros(len(values), dtype=bool)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [_one(v, blank) for v in uniques] + [blank]  # the last entry: code -1, missing
    table_flags = np.array([p is True for p in parsed])
    table_bad = np.array([p is None for p in parsed])
    return table_flags[codes], table_bad[codes]
