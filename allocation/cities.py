"""Allocation of a sample total across cities: weighted shares, minimums, existing panels, tilt.

A city's share is the weighted sum of its shares of the column totals of ``stats`` (e.g. half
its share of employment and half its share of GDP); an optional tilt multiplies chosen cities'
shares before renormalising. The integer allocation is :func:`allocation.apportion` with
lower bound ``max(minimum, existing)`` and upper bound ``maximum``.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from allocation.apportion import (
    Method,
    _check_bound,
    _check_feasible,
    _check_total,
    _method_name,
    _solve_scale,
    apportion,
)
from allocation.exceptions import AllocationError
from allocation.measures import check_measures
from basis.results import Result

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CityAllocation", "allocate_cities"]

DEFAULT_WEIGHTS: dict[str, float] = {"employment": 0.5, "gdp": 0.5}

FRAME_COLUMNS = [
    "city",
    "share",
    "ideal",
    "lower",
    "upper",
    "binding",
    "allocated",
    "allocated_without_tilt",
    "share_without_tilt",
    "tilt",
    "minimum",
    "existing",
]


@dataclass(frozen=True, eq=False, repr=False)
class CityAllocation(Result):
    """The allocation of a total across cities, with the inputs that shaped it.

    Attributes
    ----------
    total : int
        The total allocated.
    method : str
        The apportionment method (see :func:`allocation.apportion`).
    weights : dict
        Column of ``stats`` -> weight in the share.
    allocated : Series of int64
        Allocation per city (with the tilt, if any), summing to ``total``.
    table : DataFrame
        One row per city with the columns of :meth:`to_frame` (index: city).

    Examples
    --------
    >>> import pandas as pd
    >>> from allocation import allocate_cities
    >>> stats = pd.DataFrame({"employment": [60.0, 30.0, 10.0]}, index=["a", "b", "c"])
    >>> res = allocate_cities(stats, 100, weights={"employment": 1.0}, minimum=15)
    >>> res
    <CityAllocation: 100 by huntington-hill over 3 cities (largest a 57, smallest c 15); binding: minimum 1>
    """

    total: int
    method: str
    weights: dict[str, float]
    allocated: pd.Series
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per city.

        Columns: ``city``; ``share`` (the city's share after the tilt, summing to 1);
        ``ideal`` (the real-valued quota of the total, with the bounds enforced);
        ``lower`` (``max(minimum, existing)``), ``upper`` (``<NA>``: none); ``binding``
        (``"minimum"``, ``"existing"`` or ``"maximum"`` when that bound holds the city's ideal
        away from its proportional share, else ``""``); ``allocated``;
        ``allocated_without_tilt`` and ``share_without_tilt`` (the same allocation with no
        tilt); ``tilt`` (multiplier, 1 where none); ``minimum``; ``existing``.
        """
        return self.table.reset_index(names="city")[FRAME_COLUMNS]

    def headline(self) -> str:
        """One line: total, method, cities, the largest and smallest, the binding bounds."""
        a = self.allocated
        line = f"{self.total:,} by {self.method} over {len(a)} cities"
        if len(a):
            line += f" (largest {a.idxmax()} {int(a.max()):,}, smallest {a.idxmin()} {int(a.min()):,})"
        bound = self.table["binding"][self.table["binding"] != ""]
        if len(bound):
            line += "; binding: " + ", ".join(f"{k} {v}" for k, v in bound.value_counts().items())
        return line

    def _header(self) -> list[str]:
        t = self.table
        weights = ", ".join(f"{k} {v:g}" for k, v in self.weights.items())
        lines = [
            f"City allocation of {self.total:,} by {self.method} over {len(t)} cities",
            f"share = weighted share of column totals: {weights}",
        ]
        bound = t["binding"][t["binding"] != ""]
        if len(bound):
            counts = bound.value_counts()
            lines.append("binding: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        tilted = t["tilt"][t["tilt"] != 1]
        if len(tilted):
            moved = int((t["allocated"] - t["allocated_without_tilt"]).abs().sum()) // 2
            lines.append(f"tilt on {len(tilted)} cities moved {moved:,} units")
        return lines

    def _shown(self) -> pd.DataFrame:
        """The table with formatted numbers (percent shares, one decimal, blanks for none)."""
        t = self.table

        def tilt(x: float) -> str:
            return "" if x == 1 else f"x{x:.3g}"

        return pd.DataFrame(
            {
                "share %": [f"{100 * x:.2f}" for x in t["share"]],
                "ideal": [f"{x:,.1f}" for x in t["ideal"]],
                "lower": [f"{int(x):,}" for x in t["lower"]],
                "upper": ["" if pd.isna(x) else f"{int(x):,}" for x in t["upper"]],
                "binding": t["binding"].to_numpy(),
                "allocated": [f"{int(x):,}" for x in t["allocated"]],
                "no tilt": [f"{int(x):,}" for x in t["allocated_without_tilt"]],
                "tilt": [tilt(x) for x in t["tilt"]],
            },
            index=t.index,
        )

    def summary(self) -> str:
        """Plain-text summary: totals, weights, binding bounds and the table."""
        return "\n".join([*self._header(), self._shown().to_string()])

    def _repr_html_(self) -> str:
        lines = self._header()
        # What needs a look leads: the cities held at a bound (minimum, maximum, panel) first.
        bound = (self.table["binding"] != "").to_numpy()
        shown = self._shown()
        if bound.any():
            lines.append(f"{int(bound.sum())} cities at a bound are listed first")
            shown = pd.concat([shown[bound], shown[~bound]])
        caption = "<br>".join(html.escape(line) for line in lines)
        return (
            f"<div><p>{caption}</p>{shown.reset_index(names='city').to_html(index=False, escape=True)}</div>"
        )

    def to_excel(
        self,
        path: str | os.PathLike[str],
        *,
        columns: pd.DataFrame | None = None,
        overwrite: bool = True,
    ) -> None:
        """Write the allocation to an xlsx workbook, atomically.

        Sheet 分配 (allocation) has one row per city: :meth:`to_frame`'s columns under Chinese
        and English headers, the shares in percent; sheet 说明 (notes) the summary lines.

        Parameters
        ----------
        path : str or PathLike
            The workbook to write.
        columns : DataFrame, optional
            More columns per city (indexed by city, e.g. the secondary / tertiary targets),
            added after the allocation's.
        overwrite : bool
            If False, an existing ``path`` is an error.
        """
        from basis.xlsx import Workbook

        table = self.to_frame().set_index("city")
        for col in ("share", "share_without_tilt"):
            table[col] = (100 * table[col]).round(4)
        table = table.rename(columns=_EXCEL_HEADERS)
        if columns is not None:
            unknown = columns.index.difference(table.index)
            if len(unknown):
                raise AllocationError(f"columns has cities not in the allocation: {unknown.tolist()[:10]}")
            table = table.join(columns)
        book = Workbook()
        sheet = book.add_sheet("分配")
        sheet.append_frame(table.reset_index(names="城市 city"))
        sheet.freeze("B2")
        book.add_sheet("说明").append_frame(pd.DataFrame({"说明 notes": self._header()}))
        book.save(path, overwrite=overwrite)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bar chart of the allocation per city with the ideal (real quota) marked.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure if omitted.

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(max(6.0, 0.4 * len(self.table)), 4.0))
        t = self.table
        x = np.arange(len(t))
        ax.bar(x, t["allocated"], color="tab:blue", label="allocated")
        ax.scatter(x, t["ideal"], color="tab:red", marker="_", s=200, zorder=3, label="ideal")
        ax.set_xticks(x, [str(c) for c in t.index], rotation=90)
        ax.set_ylabel("allocated")
        ax.set_title(f"{self.total:,} by {self.method}")
        ax.legend()
        return ax


_EXCEL_HEADERS = {
    "share": "份额% share",
    "ideal": "理想值 ideal",
    "lower": "下限 lower",
    "upper": "上限 upper",
    "binding": "约束 binding",
    "allocated": "分配 allocated",
    "allocated_without_tilt": "不倾斜 without tilt",
    "share_without_tilt": "不倾斜份额% share without tilt",
    "tilt": "倾斜系数 tilt",
    "minimum": "最低数 minimum",
    "existing": "现有样本 existing",
}


def _check_columns(stats: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    missing = [c for c in weights if c not in stats.columns]
    if missing:
        raise AllocationError(f"weights name columns not in stats: {missing}; columns: {list(stats.columns)}")
    for col, wt in weights.items():
        if (
            isinstance(wt, bool)
            or not isinstance(wt, (int, float, np.integer, np.floating))
            or not np.isfinite(wt)
            or wt < 0
        ):
            raise AllocationError(f"weight of column {col!r} must be a non-negative number, got {wt!r}")
    if not sum(weights.values()) > 0:
        raise AllocationError(f"weights must not all be zero: {dict(weights)}")
    return check_measures(stats, list(weights), what="column", unit="city")


def _check_tilt(tilt: Mapping[object, float] | pd.Series | None, index: pd.Index) -> pd.Series:
    out = pd.Series(1.0, index=index, name="tilt")
    if tilt is None:
        return out
    if isinstance(tilt, pd.Series):
        tilt = dict(tilt.items())
    unknown = [c for c in tilt if c not in index]
    if unknown:
        raise AllocationError(f"tilt names cities not in stats: {unknown}")
    for city, mult in tilt.items():
        if (
            isinstance(mult, bool)
            or not isinstance(mult, (int, float, np.integer, np.floating))
            or not np.isfinite(mult)
            or mult <= 0
        ):
            raise AllocationError(f"tilt of {city!r} must be a positive number, got {mult!r}")
        out[city] = float(mult)
    return out


def _binding(
    w: np.ndarray, mu: float, minimum: np.ndarray, existing: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    free = w * mu
    lower = np.maximum(minimum, existing)
    out = np.full(len(w), "", dtype=object)
    out[free < lower] = np.where(existing[free < lower] > minimum[free < lower], "existing", "minimum")
    out[free > upper] = "maximum"
    return out


def allocate_cities(
    stats: pd.DataFrame,
    total: int,
    *,
    weights: Mapping[str, float] | None = None,
    minimum: int | pd.Series | None = None,
    maximum: int | pd.Series | None = None,
    tilt: Mapping[object, float] | pd.Series | None = None,
    existing: pd.Series | None = None,
    method: Method = "huntington-hill",
) -> CityAllocation:
    """Allocate a sample total across cities by weighted shares, with floors and a tilt.

    Parameters
    ----------
    stats : DataFrame
        One row per city (index: city label) with the numeric columns named in ``weights``.
        A missing value in a used column is an error naming the city and the column.
    total : int
        Total to allocate; the result sums to it exactly.
    weights : mapping of column -> weight, optional
        Each city's share is ``sum_c weight_c * stats[c] / stats[c].sum()``, divided by the sum
        of the weights. Default ``{"employment": 0.5, "gdp": 0.5}``.
    minimum : int or Series, optional
        Lower bound per city: one number for every city, or a Series with one per city (for
        the ministry's population tiers, :func:`quotas.tiers.tier_minimum`).
    maximum : int or Series, optional
        Upper bound per city.
    tilt : mapping or Series of city -> multiplier, optional
        Multiplies the named cities' shares (others 1), after which the shares are
        renormalised. The result also reports the allocation without the tilt.
    existing : Series, optional
        The current panel per city (one value per city): no city gets fewer.
    method : str
        Apportionment method of :func:`allocation.apportion`.

    Returns
    -------
    CityAllocation

    Raises
    ------
    AllocationError
        Missing columns or values, unknown city labels in ``tilt``, ``existing``, ``minimum``
        or ``maximum``, bad weights.
    InfeasibleAllocationError
        ``total`` below the sum of the lower bounds or above the sum of the maximums, or a city
        whose existing panel or minimum exceeds its maximum.

    Notes
    -----
    The lower bound of a city is ``max(minimum, existing)``; the allocation is the bounded
    divisor method (or Hamilton) of :func:`allocation.apportion` on the shares, so the bounds
    are met exactly and the other cities share the rest in proportion. ``ideal`` in the
    result is the real-valued bounded quota the integer allocation rounds.

    References
    ----------
    Balinski, M. L. and Young, H. P. (2001). *Fair Representation*, 2nd ed., Brookings
    Institution Press (divisor methods with bounds).

    Examples
    --------
    >>> import pandas as pd
    >>> from allocation import allocate_cities
    >>> stats = pd.DataFrame(
    ...     {"employment": [60.0, 30.0, 10.0], "gdp": [50.0, 30.0, 20.0]}, index=["a", "b", "c"]
    ... )
    >>> res = allocate_cities(stats, 100, minimum=20, tilt={"b": 1.5})
    >>> res.allocated.tolist()
    [44, 36, 20]
    >>> res.to_frame()["allocated_without_tilt"].tolist()
    [52, 28, 20]
    """
    if not isinstance(stats, pd.DataFrame):
        raise AllocationError(f"stats must be a DataFrame indexed by city, got {type(stats).__name__}")
    if stats.index.has_duplicates:
        raise AllocationError(
            f"stats has duplicate cities: {stats.index[stats.index.duplicated()].unique().tolist()[:10]}"
        )
    name = _method_name(method)
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    data = _check_columns(stats, weights)
    index = stats.index
    share0 = sum(wt * data[c] / data[c].sum() for c, wt in weights.items()) / sum(weights.values())
    multiplier = _check_tilt(tilt, index)
    tilted = share0 * multiplier
    share = tilted / tilted.sum()

    mins = _check_bound(minimum, index, "minimum", 0.0)
    floor = _check_bound(existing, index, "existing", 0.0)
    upper = _check_bound(maximum, index, "maximum", np.inf)
    lower = np.maximum(mins, floor)
    total = _check_total(total)
    _check_feasible(index, share.to_numpy(), total, lower, upper)

    lo = pd.Series(lower, index=index)
    up = None if maximum is None else pd.Series(upper, index=index)
    allocated = apportion(share, total, method=name, lower=lo, upper=up).rename("allocated")
    plain = apportion(share0, total, method=name, lower=lo, upper=up)
    w = share.to_numpy()
    mu = _solve_scale(w, float(total), lower, np.where(w > 0, upper, lower))
    table = pd.DataFrame(
        {
            "share": share,
            "ideal": np.clip(w * mu, lower, upper),
            "lower": lower.astype(np.int64),
            "upper": pd.array([None if np.isinf(u) else int(u) for u in upper], dtype="Int64"),
            "binding": _binding(w, mu, mins, floor, upper),
            "allocated": allocated,
            "allocated_without_tilt": plain,
            "share_without_tilt": share0,
            "tilt": multiplier,
            "minimum": mins.astype(np.int64),
            "existing": floor.astype(np.int64),
        },
        index=index,
    )
    return CityAllocation(total=total, method=name, weights=weights, allocated=allocated, table=table)
