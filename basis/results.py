"""The one base class of every result object: the same face in a terminal, Jupyter and Excel.

A result is a frozen dataclass that subclasses :class:`Result` (declared with
``@dataclass(frozen=True, eq=False, repr=False)`` so that the dataclass does not write its own
``__repr__``) and implements :meth:`Result.to_frame` and :meth:`Result.headline`. It then has:

- ``repr(result)``: one line, ``<ClassName: headline>``, so a list of results or a default
  argument shown by ``help()`` stays readable;
- ``str(result)`` and ``print(result)``: :meth:`summary`, several lines for a terminal;
- ``_repr_html_``: the HTML view Jupyter shows (by default the summary and the table);
- ``to_excel(path)``: the table written atomically (subclasses that a city bureau reads write
  Chinese sheets of their own).

Plots follow one convention: ``plot(ax=None)`` draws on ``ax`` (a new figure when None) and
returns the matplotlib ``Axes`` it drew on, as pandas does.
"""

from __future__ import annotations

import html
import os

import pandas as pd

__all__ = ["Result"]


class Result:
    """Base class of the library's result objects (see the module docstring)."""

    def headline(self) -> str:
        """One line saying what the result is (used by ``repr``)."""
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:
        """The result as a DataFrame, the pipeline's columns first."""
        raise NotImplementedError

    def summary(self) -> str:
        """Several lines of plain text for a terminal; by default the headline."""
        return self.headline()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.headline()}>"

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        text = html.escape(self.summary()).replace("\n", "<br>")
        table = self.to_frame()
        shown = table.head(50).to_html(index=False, na_rep="", float_format=lambda x: f"{x:,.4g}")
        more = (
            f"<p>... {len(table) - 50:,} more rows (to_frame() has them all)</p>" if len(table) > 50 else ""
        )
        return f"<div><p>{text}</p>{shown}{more}</div>"

    def to_excel(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> None:
        """Write :meth:`to_frame` to the sheet ``Sheet1`` of an xlsx workbook, atomically
        (:func:`basis.xlsx.write_frames`: numbers, booleans and dates keep their types)."""
        from basis.xlsx import write_frames

        write_frames(path, {"Sheet1": self.to_frame()}, freeze=None, overwrite=overwrite)
