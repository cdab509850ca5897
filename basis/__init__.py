"""What every layer of empmon stands on: the result base class and safe file writing.

This package knows nothing of sampling or of China. :class:`basis.results.Result` gives every
result object of the library the same face (a one-line ``repr``, ``str`` = :meth:`summary`, an
HTML view in Jupyter, ``to_frame()`` and ``to_excel(path)``); :mod:`basis.files` writes outputs
atomically (a temporary file in the target folder, then a rename), so an interrupted write leaves
the old file or the complete new one. :mod:`basis.booleans` reads yes/no values,
:mod:`basis.threads` runs passes over row slices on threads (``workers=``) and
:mod:`basis.arrow` reads Arrow text columns.
"""

from __future__ import annotations

from basis.exceptions import OutputError, TableError
from basis.files import atomic_path
from basis.results import Result
from basis.tables import Column, TableKind, read_table, write_table

__all__ = [
    "Column",
    "OutputError",
    "Result",
    "TableError",
    "TableKind",
    "atomic_path",
    "read_table",
    "write_table",
]
