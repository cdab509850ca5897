"""Exceptions raised by :mod:`basis`.

:class:`TableError` (bad input) and :class:`SheetError` (a worksheet that cannot be written)
are :class:`ValueError` subclasses; :class:`OutputError` (an output that
could not be written) is an :class:`OSError`, so that a command line can tell the user's input
from the user's disk.
"""

from __future__ import annotations

import pandas as pd

from basis.rows import row_name, value_shown

__all__ = ["OutputError", "ProblemRowsError", "SheetError", "TableError"]

PROBLEM_COLUMNS: tuple[str, ...] = ("row", "column", "value", "reason")

SHOWN_PROBLEMS = 10
"""Problems listed in a message; the rest are counted ("... and N more") and kept in ``problems``."""


class OutputError(OSError):
    """An output file could not be written (its folder is missing or read-only, the disk is full)."""


class SheetError(ValueError):
    """A worksheet that cannot be written: a bad or repeated sheet name, an unknown style, a
    cell reference out of range. The message names the sheet, cell or style."""


class TableError(ValueError):
    """A table file, or a table given as a DataFrame, that cannot be read as the table it should be.

    The first line of the message names the file and what is wrong; when there are several bad
    values, the next lines list the first of them (``row``, ``column``, ``value``, ``reason``)
    and a last line ``... and N more``.

    Attributes
    ----------
    problems : DataFrame
        Every problem, one per row: ``row, column, value, reason`` (``row`` as the user sees
        it: the CSV line or the Excel row, the header being row 1). Empty for a file-level
        error (unreadable, empty, a missing column).
    """

    def __init__(self, message: str, problems: pd.DataFrame | None = None) -> None:
        self.problems = (
            pd.DataFrame(columns=list(PROBLEM_COLUMNS))
            if problems is None
            else problems.reset_index(drop=True)[list(PROBLEM_COLUMNS)]
        )
        lines = [message]
        for row in self.problems.head(SHOWN_PROBLEMS).itertuples(index=False):
            where = row_name(row.row) if pd.notna(row.row) else "table"
            lines.append(f"{where}, column {row.column!r}: {value_shown(row.value)} {row.reason}")
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"... and {len(self.problems) - SHOWN_PROBLEMS} more")
        super().__init__("\n".join(lines))


class ProblemRowsError(ValueError):
    """An input with problems in several rows, all collected before raising.

    The message is followed by the first 20 problems as a table and ``... and N more``.
    :class:`sampling.FrameError` and :class:`monitoring.ReportError` are of this kind.

    Attributes
    ----------
    problems : DataFrame
        One row per problem: ``row, column, value, reason`` (``row`` as the user sees it).
    """

    def __init__(self, message: str, problems: pd.DataFrame | None = None) -> None:
        self.problems = (
            problems.reset_index(drop=True)
            if problems is not None
            else pd.DataFrame(columns=list(PROBLEM_COLUMNS))
        )
        if len(self.problems):
            shown = self.problems.head(20).to_string(index=False)
            more = f"\n... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
            message = f"{message}\n{shown}{more}"
        super().__init__(message)
