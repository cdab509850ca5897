"""The sample's design as the estimates use it: strata, weights and each stratum's size.

The monitored enterprises are a stratified sample: the strata are the quota cells (city x
industry section x size class x state ownership, :data:`sampling.cells.CELL_KEYS`), drawn without
replacement, so each stratum's number of enterprises in the register (``enterprises``, N_h)
gives the finite population correction 1 - n_h / N_h. A :class:`Design` holds one row per
monitored enterprise with its stratum, its design weight and N_h: what R's
``svydesign(ids = ~1, strata = ~stratum, weights = ~weight, fpc = ~enterprises)`` is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from basis.results import Result
from monitoring.exceptions import EstimationError
from sampling.cells import CELL_KEYS as KEYS

if TYPE_CHECKING:
    from sampling.sample import Sample

__all__ = ["DESIGN_COLUMNS", "Design", "as_design"]

DESIGN_COLUMNS: tuple[str, ...] = ("enterprise_id", *KEYS, "weight", "enterprises")
"""The columns of :attr:`Design.table`, first: the id, the cell keys (the strata), the design
weight and the stratum's number of enterprises in the register (N_h)."""


@dataclass(frozen=True, eq=False, repr=False)
class Design(Result):
    """A stratified design without replacement, one row per monitored enterprise.

    Attributes
    ----------
    table : DataFrame
        :data:`DESIGN_COLUMNS`, then any other columns given (they can define domains).
    strata : tuple of str
        The columns whose combinations are the strata (the cell keys by default).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "enterprise_id": ["a", "b", "c"], "city": "广州市", "section": "C",
    ...     "size_class": "small", "state_owned": False, "weight": 5.0, "enterprises": 15,
    ... })
    >>> design = as_design(table)
    >>> design.headline()
    '3 enterprises in 1 strata, 15 in the register (weights sum to 15)'
    >>> design.strata_table()[["n", "enterprises", "fpc"]].to_dict("records")
    [{'n': 3, 'enterprises': 15, 'fpc': 0.8}]

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley, ch. 5 (stratified random
    sampling, the finite population correction).
    """

    table: pd.DataFrame
    strata: tuple[str, ...] = KEYS

    def headline(self) -> str:
        cells = self.strata_table()
        return (
            f"{len(self.table):,} enterprises in {len(cells):,} strata, "
            f"{int(cells['enterprises'].sum()):,} in the register "
            f"(weights sum to {self.table['weight'].sum():,.6g})"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def strata_table(self) -> pd.DataFrame:
        """One row per stratum: its keys, ``n`` (monitored), ``enterprises`` (N_h), ``fpc``
        (1 - n_h / N_h) and ``weight`` (the sum of the weights)."""
        grouped = self.table.groupby(list(self.strata), sort=True, observed=True, dropna=False)
        cells = grouped.agg(
            n=("enterprise_id", "size"), enterprises=("enterprises", "first"), weight=("weight", "sum")
        ).reset_index()
        cells["fpc"] = 1 - cells["n"] / cells["enterprises"]
        return cells[[*self.strata, "n", "enterprises", "fpc", "weight"]]

    def summary(self) -> str:
        cells = self.strata_table()
        take_all = int((cells["n"] == cells["enterprises"]).sum())
        single = int((cells["n"] == 1).sum())
        return "\n".join(
            [
                f"Design: {self.headline()}",
                f"strata: {', '.join(self.strata)}; {take_all} taken whole (fpc 0), "
                f"{single} with one enterprise",
            ]
        )


def as_design(design: Design | Sample | pd.DataFrame, *, strata: Sequence[str] = KEYS) -> Design:
    """The design of a sample, checked: from a :class:`Design`, a :class:`sampling.Sample` or a table.

    Parameters
    ----------
    design : Design, Sample or DataFrame
        A :class:`sampling.Sample` gives its monitored enterprises (roles ``panel`` and
        ``new``) with their cell, ``weight`` and the cell's number of enterprises in the frame
        (``Sample.cells["population"]``). A DataFrame needs :data:`DESIGN_COLUMNS` (with the
        ``strata`` columns in place of the cell keys when other strata are given).
    strata : sequence of str
        The columns whose combinations are the strata; the quota cells by default.

    Returns
    -------
    Design

    Raises
    ------
    EstimationError
        A column is missing; an enterprise id is empty or repeated; a weight is missing, not
        positive or infinite; ``enterprises`` is missing, not a whole number, differs within a
        stratum or is smaller than the stratum's monitored enterprises. The message names the
        enterprise or the stratum and the value.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"enterprise_id": ["a", "b"], "city": "广州市", "weight": [1.0, 0.0],
    ...                       "enterprises": 2})
    >>> as_design(table, strata=["city"])
    Traceback (most recent call last):
    ...
    monitoring.exceptions.EstimationError: design: weight must be positive and finite: enterprise 'b' has 0.0
    """
    if isinstance(design, Design):
        return design
    strata = tuple(strata)
    if not strata:
        raise EstimationError("design: strata must name at least one column")
    if isinstance(design, pd.DataFrame):
        table = design
    elif hasattr(design, "cells") and hasattr(design, "table"):
        table = _from_sample(design)
    else:
        raise EstimationError(
            f"design must be a Design, a sampling.Sample or a DataFrame, got {type(design).__name__}"
        )
    needed = ["enterprise_id", *strata, "weight", "enterprises"]
    _check_columns(table, needed)
    others = [c for c in table.columns if c not in needed]
    table = table[[*needed, *others]].reset_index(drop=True).copy()
    _check_ids(table)
    table["weight"] = _check_weights(table)
    table["enterprises"] = _check_enterprises(table, strata)
    return Design(table=table, strata=strata)


def _from_sample(sample: Sample) -> pd.DataFrame:
    units = sample.to_frame("sample")
    cells = sample.cells[[*KEYS, "population"]].rename(columns={"population": "enterprises"})
    return units.merge(cells, on=list(KEYS), how="left", validate="many_to_one")


def _check_columns(table: pd.DataFrame, needed: Sequence[str]) -> None:
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise EstimationError(
            f"design: missing column(s) {', '.join(map(repr, missing))}; a design needs {', '.join(needed)}"
        )


def _check_ids(table: pd.DataFrame) -> None:
    ids = table["enterprise_id"]
    empty = ids.isna() | (ids.astype(str).str.strip() == "")
    if empty.any():
        raise EstimationError(f"design: enterprise_id is empty in row(s) {_rows(empty)} (header = row 1)")
    repeated = ids[ids.duplicated()].unique()
    if len(repeated):
        shown = ", ".join(map(repr, repeated[:10]))
        raise EstimationError(f"design: enterprise_id repeated: {shown}")


def _check_weights(table: pd.DataFrame) -> pd.Series:
    weight = pd.to_numeric(table["weight"], errors="coerce").astype(float)
    bad = ~(np.isfinite(weight) & (weight > 0))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise EstimationError(
            f"design: weight must be positive and finite: enterprise "
            f"{table['enterprise_id'].iloc[i]!r} has {table['weight'].iloc[i]}"
        )
    return weight


def _check_enterprises(table: pd.DataFrame, strata: tuple[str, ...]) -> pd.Series:
    size = pd.to_numeric(table["enterprises"], errors="coerce").astype(float)
    bad = ~(np.isfinite(size) & (size >= 1) & (size == np.round(size)))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise EstimationError(
            f"design: enterprises (the stratum's number in the register) must be a whole number "
            f">= 1: enterprise {table['enterprise_id'].iloc[i]!r} has {table['enterprises'].iloc[i]}"
        )
    grouped = size.groupby([table[c] for c in strata], sort=False, dropna=False)
    varies = grouped.nunique() > 1
    if varies.any():
        raise EstimationError(f"design: enterprises differs within stratum {_label(varies.index[varies][0])}")
    counts = grouped.agg(["size", "first"])
    over = counts["size"] > counts["first"]
    if over.any():
        key = counts.index[over][0]
        raise EstimationError(
            f"design: stratum {_label(key)} has {counts.loc[key, 'size']} monitored enterprises "
            f"but only {int(counts.loc[key, 'first'])} in the register"
        )
    return size.astype(np.int64)


def _rows(mask: pd.Series) -> str:
    rows = np.flatnonzero(mask.to_numpy()) + 2
    return ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")


def _label(key: object) -> str:
    """A stratum key as the user reads it: 广州市 / C / small / False."""
    parts = key if isinstance(key, tuple) else (key,)
    return " / ".join(str(p) for p in parts)
