"""Rows named in messages: the one way every package says which rows of a table are wrong.

A table read from a file (:func:`basis.tables.read_table` and the readers built on it) has as
its index each row's number as the user sees it: the CSV line or the Excel row, the header
being row 1. A DataFrame given to the Python API keeps its own index. Either way a row is
named by its index label, ``row 9``, so that a message points at the line of the file, or at
the label the caller can pass to ``df.loc``. Readers of forms with titles above the table
(a city bureau's sample, a month's reports) carry the rows in ``source_row`` (and
``source_sheet``) columns instead: :func:`row_labels` names those rows by them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import pandas as pd

__all__ = ["SHOWN_ROWS", "row_labels", "row_name", "rows_shown", "value_shown"]

SHOWN_ROWS = 10
"""Rows listed in a one-line message; the rest are counted ("... and N more")."""


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (``np.int64(7)`` is shown as ``7``)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (TypeError, ValueError):  # an array, not a scalar
            return value
    return value


def row_name(label: Hashable) -> str:
    """``"row <label>"`` for one row's index label.

    Examples
    --------
    >>> import numpy as np
    >>> row_name(9), row_name(np.int64(7)), row_name("广州市")
    ('row 9', 'row 7', 'row 广州市')
    """
    return f"row {_plain(label)}"


def value_shown(value: Any) -> str:
    """A cell's value as the user typed it: text quoted, numbers plain, missing as ``(blank)``.

    Examples
    --------
    >>> import numpy as np
    >>> value_shown("ZZ"), value_shown(np.float64(-5.0)), value_shown(None), value_shown(np.nan)
    ("'ZZ'", '-5.0', '(blank)', '(blank)')
    """
    value = _plain(value)
    if value is None or (isinstance(value, float) and value != value):
        return "(blank)"
    return repr(value) if isinstance(value, str) else str(value)


def rows_shown(rows: Iterable[tuple[Hashable, Any]] | Iterable[Hashable], *, values: bool = True) -> str:
    """The first :data:`SHOWN_ROWS` rows, ``row 9: 'ZZ', row 11: -5``, and how many more.

    Parameters
    ----------
    rows : iterable
        ``(label, value)`` pairs (e.g. ``series[bad].items()``), or labels alone with
        ``values=False``. A value that is already text describing the row (``"(广州市, C, 小型)"``)
        is quoted like any text; pass ``values=False`` and labels to name the rows only.
    values : bool, default True
        Whether ``rows`` holds ``(label, value)`` pairs.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["13", "ZZ", "", "QQ"], index=[2, 3, 4, 5])
    >>> rows_shown(s[s.isin(["ZZ", "QQ"])].items())
    "row 3: 'ZZ', row 5: 'QQ'"
    >>> rows_shown(range(2, 15), values=False)
    'row 2, row 3, row 4, row 5, row 6, row 7, row 8, row 9, row 10, row 11, ... and 3 more'
    """
    shown: list[str] = []
    more = 0
    for item in rows:
        if len(shown) == SHOWN_ROWS:
            more += 1
            continue
        if values:
            label, value = item  # type: ignore[misc]
            shown.append(f"{row_name(label)}: {value_shown(value)}")
        else:
            shown.append(row_name(item))  # type: ignore[arg-type]
    return ", ".join(shown) + (f", ... and {more} more" if more else "")


def row_labels(table: pd.DataFrame) -> pd.Index:
    """The labels naming the rows of ``table`` in messages.

    A table with a ``source_row`` column (a form read with its titles) is named by it, as
    ``sheet!row`` when a ``source_sheet`` column holds more than one sheet; any other table by
    its index. Falls back to the index when the labels would not be unique.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [1, 2], "source_sheet": ["韶关", "广州"], "source_row": [5, 5]})
    >>> row_labels(t).tolist(), row_labels(t.drop(columns="source_sheet").iloc[:1]).tolist()
    (['韶关!5', '广州!5'], [5])
    >>> row_labels(pd.DataFrame({"x": [1]}, index=[7])).tolist()
    [7]
    """
    if "source_row" not in table.columns:
        return table.index
    rows = table["source_row"]
    if "source_sheet" in table.columns and table["source_sheet"].nunique(dropna=False) > 1:
        labels = pd.Index([f"{sheet}!{_plain(row)}" for sheet, row in zip(table["source_sheet"], rows)])
    else:
        labels = pd.Index([_plain(row) for row in rows])
    return labels if labels.is_unique and labels.notna().all() else table.index
