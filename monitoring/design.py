"""The sample's design as the estimates use it: strata, weights and each stratum's size.

The monitored enterprises are a stratified sample drawn without replacement: strata within the
quota cells (city x industry section or industry group x size class x state ownership,
:func:`sampling.cells.cell_keys`), each stratum's number of enterprises in the register (N_h,
column ``fpc`` as R's ``svydesign`` takes it) giving the finite population correction
1 - n_h / N_h. A :class:`Design` holds one row per monitored enterprise with its stratum, its
design weight and N_h: what R's ``svydesign(ids = ~1, strata = ~stratum, weights = ~weight,
fpc = ~fpc)`` is given.

It comes from a :class:`sampling.Sample` (its ``to_survey_design()``, where each cell's kept
panel is a take-all stratum and the drawn enterprises another), from that table
(``enterprise_id``, the cell keys, ``stratum``, ``fpc``, ``weight``), or from any table with
the cell keys (or other ``strata`` columns), ``weight`` and ``fpc``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from basis.results import Result
from basis.rows import rows_shown
from monitoring.exceptions import EstimationError
from sampling.cells import CELL_KEYS, cell_keys

if TYPE_CHECKING:
    from sampling.sample import Sample

__all__ = ["Design", "as_design"]


@dataclass(frozen=True, eq=False, repr=False)
class Design(Result):
    """A stratified design without replacement, one row per monitored enterprise.

    Attributes
    ----------
    table : DataFrame
        ``enterprise_id``, the cell keys (where given), the ``strata`` columns, ``weight``
        (the design weight), ``fpc`` (N_h, the stratum's enterprises in the register), then
        any other columns given (they can define domains).
    strata : tuple of str
        The columns whose combinations are the strata.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({
    ...     "enterprise_id": ["a", "b", "c"], "city": "广州市", "section": "C",
    ...     "size_class": "small", "state_owned": False, "weight": 5.0, "fpc": 15,
    ... })
    >>> design = as_design(table)
    >>> design.headline()
    '3 enterprises in 1 strata, 15 in the register (weights sum to 15)'
    >>> design.strata_table()[["n", "fpc", "correction"]].to_dict("records")
    [{'n': 3, 'fpc': 15, 'correction': 0.8}]

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley, ch. 5 (stratified random
    sampling, the finite population correction).
    """

    table: pd.DataFrame
    strata: tuple[str, ...] = CELL_KEYS

    def headline(self) -> str:
        cells = self.strata_table()
        return (
            f"{len(self.table):,} enterprises in {len(cells):,} strata, "
            f"{int(cells['fpc'].sum()):,} in the register "
            f"(weights sum to {self.table['weight'].sum():,.6g})"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def strata_table(self) -> pd.DataFrame:
        """One row per stratum: its keys, ``n`` (monitored), ``fpc`` (N_h), ``correction``
        (1 - n_h / N_h) and ``weight`` (the sum of the weights)."""
        grouped = self.table.groupby(list(self.strata), sort=True, observed=True, dropna=False)
        cells = grouped.agg(
            n=("enterprise_id", "size"), fpc=("fpc", "first"), weight=("weight", "sum")
        ).reset_index()
        cells["correction"] = 1 - cells["n"] / cells["fpc"]
        return cells[[*self.strata, "n", "fpc", "correction", "weight"]]

    def collapse_levels(self) -> list[list[str]]:
        """The groups a stratum without respondents is collapsed into, finest first: the cell,
        then (city, section, size class), (city, section), (city) - those coarser than the
        strata; with cells of industry groups (city, section, industry group, size class),
        (city, section, industry group), (city, section), (city); with other strata, their
        leading columns."""
        keys = cell_keys(self.table)
        if all(c in self.table.columns for c in keys):
            levels = [list(keys[:k]) for k in range(len(keys), 0, -1)]
            return [
                level
                for level in levels
                if set(level) < set(self.strata) or not set(self.strata) <= set(level)
            ]
        return [list(self.strata[:k]) for k in range(len(self.strata) - 1, 0, -1)]

    def summary(self) -> str:
        cells = self.strata_table()
        take_all = int((cells["n"] == cells["fpc"]).sum())
        single = int(((cells["n"] == 1) & (cells["fpc"] > 1)).sum())
        return "\n".join(
            [
                f"Design: {self.headline()}",
                f"strata: {', '.join(self.strata)}; {take_all} taken whole (fpc = n), "
                f"{single} with one enterprise of several",
            ]
        )


def as_design(design: Design | Sample | pd.DataFrame, *, strata: Sequence[str] | None = None) -> Design:
    """The design of a sample, checked: from a :class:`Design`, a :class:`sampling.Sample` or a table.

    Parameters
    ----------
    design : Design, Sample or DataFrame
        A :class:`sampling.Sample` gives its ``to_survey_design()`` (strata = each cell's kept
        panel and its drawn enterprises); a DataFrame needs ``enterprise_id``, the ``strata``
        columns, ``weight`` and ``fpc`` (N_h).
    strata : sequence of str, optional
        The columns whose combinations are the strata: by default ``stratum`` when the table
        has it (the sample's survey design), else the cell keys
        (:func:`sampling.cells.cell_keys`: with ``industry_group`` when the table has it).

    Returns
    -------
    Design

    Raises
    ------
    EstimationError
        A column is missing; an enterprise id is empty or repeated; a weight is missing, not
        positive or infinite; ``fpc`` is missing, not a whole number, differs within a
        stratum or is smaller than the stratum's monitored enterprises. The message names the
        enterprise or the stratum and the value.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"enterprise_id": ["a", "b"], "city": "广州市", "weight": [1.0, 0.0],
    ...                       "fpc": 2})
    >>> as_design(table, strata=["city"])
    Traceback (most recent call last):
    ...
    monitoring.exceptions.EstimationError: design: weight must be positive and finite: enterprise 'b' has 0.0
    """
    if isinstance(design, Design):
        return design
    if isinstance(design, pd.DataFrame):
        table = design
    elif hasattr(design, "cells") and hasattr(design, "table"):
        table = _from_sample(design)
    else:
        raise EstimationError(
            f"design must be a Design, a sampling.Sample or a DataFrame, got {type(design).__name__}"
        )
    if strata is None:
        strata = ("stratum",) if "stratum" in table.columns else cell_keys(table)
    strata = tuple(strata)
    if not strata:
        raise EstimationError("design: strata must name at least one column")
    needed = ["enterprise_id", *strata, "weight", "fpc"]
    _check_columns(table, needed)
    keys = [c for c in cell_keys(table) if c in table.columns and c not in strata]
    first = ["enterprise_id", *keys, *strata, "weight", "fpc"]
    _check_ids(table)
    table = table[[*first, *[c for c in table.columns if c not in first]]].reset_index(drop=True).copy()
    table["weight"] = _check_weights(table)
    table["fpc"] = _check_fpc(table, strata)
    return Design(table=table, strata=strata)


def _from_sample(sample: Sample) -> pd.DataFrame:
    if hasattr(sample, "to_survey_design"):
        return sample.to_survey_design()
    units = sample.to_frame("sample")
    keys = list(cell_keys(sample.cells))
    cells = sample.cells[[*keys, "population"]].rename(columns={"population": "fpc"})
    return units.merge(cells, on=keys, how="left", validate="many_to_one")


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
        raise EstimationError(
            f"design: enterprise_id is empty in {rows_shown(ids.index[empty], values=False)}"
        )
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


def _check_fpc(table: pd.DataFrame, strata: tuple[str, ...]) -> pd.Series:
    size = pd.to_numeric(table["fpc"], errors="coerce").astype(float)
    bad = ~(np.isfinite(size) & (size >= 1) & (size == np.round(size)))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise EstimationError(
            f"design: fpc (the stratum's number of enterprises in the register) must be a whole number "
            f">= 1: enterprise {table['enterprise_id'].iloc[i]!r} has {table['fpc'].iloc[i]}"
        )
    grouped = size.groupby([table[c] for c in strata], sort=False, dropna=False)
    varies = grouped.nunique() > 1
    if varies.any():
        raise EstimationError(f"design: fpc differs within stratum {_label(varies.index[varies][0])}")
    counts = grouped.agg(["size", "first"])
    over = counts["size"] > counts["first"]
    if over.any():
        key = counts.index[over][0]
        raise EstimationError(
            f"design: stratum {_label(key)} has {counts.loc[key, 'size']} monitored enterprises "
            f"but only {int(counts.loc[key, 'first'])} in the register"
        )
    return size.astype(np.int64)


def _label(key: object) -> str:
    """A stratum key as the user reads it: 广州市 / C / small / False."""
    parts = key if isinstance(key, tuple) else (key,)
    return " / ".join(str(p) for p in parts)
