"""Which blend of the measures explains a given allocation, and how far each unit is tilted from it.

An allocation handed over as a table (a province's official task table, a colleague's Excel
sheet) rarely says how it was made. :func:`explain` finds the blend of the candidate measures
(e.g. employment and GDP) whose proportional allocation fits it best, with the weights on the
simplex (non-negative, summing to 1), and reports per unit the *implied tilt*: what the unit
was given divided by what the blend alone gives it. A tilt above 1 is a unit given more than
its blend share, below 1 less.

Two fitting criteria:

``"shares-ls"`` (default)
    Least squares on shares: minimise ``sum_c (a_c / T - sum_k w_k s_ck)^2`` over the simplex,
    where ``a_c`` is the allocation, ``T`` its total and ``s_ck`` unit c's share of measure k.
    Solved exactly by enumerating the supports of ``w`` (the optimum of a convex quadratic
    over the simplex is the equality-constrained least-squares solution on its support, the
    active-set argument of Lawson and Hanson 1974, ch. 23); up to 12 measures.
``"seats-l1"``
    Least absolute deviations in units: minimise ``sum_c |a_c - T sum_k w_k s_ck|``, a linear
    program (Charnes, Cooper and Ferguson 1955; Barrodale and Roberts 1973) solved by HiGHS.
    Less pulled by one unit with a large tilt.
"""

from __future__ import annotations

import html
import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import pandas as pd

from allocation.apportion import Method, _method_name, _plain, apportion
from allocation.exceptions import AllocationError, UnknownMethodError
from allocation.measures import check_measures
from basis.results import Result

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CRITERIA", "AllocationExplanation", "Criterion", "explain"]

Criterion = Literal["shares-ls", "seats-l1"]
CRITERIA: tuple[str, ...] = get_args(Criterion)

MAX_MEASURES = 12
"""The support enumeration of ``"shares-ls"`` visits 2^k - 1 supports."""


@dataclass(frozen=True, eq=False, repr=False)
class AllocationExplanation(Result):
    """The blend of measures that fits an allocation best, and each unit's implied tilt.

    Attributes
    ----------
    weights : Series
        Measure -> weight of the blend (non-negative, summing to 1).
    criterion : str
        ``"shares-ls"`` or ``"seats-l1"`` (see :func:`explain`); ``"given"`` when the weights
        were given rather than fitted.
    table : DataFrame
        One row per unit (index: unit) with the columns of :meth:`to_frame`.
    total : int
        The allocation's total.
    objective : float
        The criterion at the optimum: the sum of squared share differences (shares-ls, also
        reported for given weights) or the sum of absolute differences in units (seats-l1).
    seats_l1 : int
        Units that differ between the allocation and the blend's own integer allocation
        (``sum |a_c - b_c|`` with ``b`` the blend apportioned to the same total by ``method``).
    method : str
        The apportionment method behind ``blend_allocated``.
    """

    weights: pd.Series
    criterion: str
    table: pd.DataFrame
    total: int
    objective: float
    seats_l1: int
    method: str

    def headline(self) -> str:
        """One line: the blend and how far the allocation is from it."""
        blend = " + ".join(f"{w:.2f} {k}" for k, w in self.weights.items() if w > 0)
        t = self.table["tilt"]
        return (
            f"{self.total:,} over {len(self.table)} units fits {blend} ({self.criterion}); "
            f"{self.seats_l1:,} units (L1) from that blend; tilt {t.min():.2f} ({t.idxmin()}) "
            f"to {t.max():.2f} ({t.idxmax()})"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per unit.

        Columns: ``city`` (the unit); ``allocated``; ``blend`` (the blend's real-valued quota,
        ``T sum_k w_k s_ck``); ``blend_allocated`` (the blend apportioned to integers by
        ``method``); ``difference`` (``allocated - blend_allocated``); ``tilt``
        (``allocated / blend``, NaN where the blend gives 0); ``share`` and ``blend_share``;
        then ``quota_<measure>`` for each measure, the quota that measure alone would give.
        """
        return self.table.reset_index(names="city")

    def _shown(self) -> pd.DataFrame:
        t = self.table
        return pd.DataFrame(
            {
                "allocated": [f"{int(x):,}" for x in t["allocated"]],
                "blend": [f"{x:,.1f}" for x in t["blend"]],
                "blend (integer)": [f"{int(x):,}" for x in t["blend_allocated"]],
                "difference": [f"{int(x):+,}" for x in t["difference"]],
                "tilt": ["" if pd.isna(x) else f"{x:.3f}" for x in t["tilt"]],
                **{
                    c.removeprefix("quota_") + " alone": [f"{x:,.1f}" for x in t[c]]
                    for c in t.columns
                    if c.startswith("quota_")
                },
            },
            index=t.index,
        )

    def _lines(self) -> list[str]:
        fitted = "given" if self.criterion == "given" else f"fitted by {self.criterion}"
        lines = [
            f"Allocation of {self.total:,} over {len(self.table)} units explained by a blend of "
            f"{len(self.weights)} measures ({fitted})",
            "blend weights: " + ", ".join(f"{k} {w:.3f}" for k, w in self.weights.items()),
            f"criterion at the optimum: {self.objective:.6g}; "
            f"{self.seats_l1:,} units differ from the blend's own {self.method} allocation (L1)",
        ]
        order = self.table["tilt"].dropna().sort_values()
        if len(order):
            lines.append(
                "given less than the blend: "
                + ", ".join(f"{c} {v:.2f}" for c, v in order.head(3).items() if v < 1)
            )
            lines.append(
                "given more than the blend: "
                + ", ".join(f"{c} {v:.2f}" for c, v in order.iloc[::-1].head(3).items() if v > 1)
            )
        return lines

    def summary(self) -> str:
        """Plain text: the blend, the fit, the most and least tilted units, the table."""
        return "\n".join([*self._lines(), self._shown().to_string()])

    def _repr_html_(self) -> str:
        caption = "<br>".join(html.escape(line) for line in self._lines())
        return f"<div><p>{caption}</p>{self._shown().reset_index(names='city').to_html(index=False)}</div>"

    def to_excel(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> None:
        """Write the table (sheet 解释) and the blend and fit (sheet 说明), atomically."""
        from basis.xlsx import write_frames

        sheets = {"解释": self.to_frame(), "说明": pd.DataFrame({"说明 notes": self._lines()})}
        write_frames(path, sheets, freeze=None, overwrite=overwrite)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The implied tilt per unit as bars around 1, sorted (below 1: given less than the blend).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure if omitted.

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        t = self.table["tilt"].dropna().sort_values()
        if ax is None:
            _, ax = plt.subplots(figsize=(max(6.0, 0.4 * len(t)), 4.0))
        x = np.arange(len(t))
        colors = np.where(t.to_numpy() >= 1, "tab:blue", "tab:orange")
        ax.bar(x, t.to_numpy() - 1.0, bottom=1.0, color=colors)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xticks(x, [str(c) for c in t.index], rotation=90)
        ax.set_ylabel("allocated / blend")
        blend = " + ".join(f"{w:.2f} {k}" for k, w in self.weights.items() if w > 0)
        ax.set_title(f"Implied tilt against {blend}")
        return ax


def _check_allocation(allocation: object) -> pd.Series:
    if hasattr(allocation, "allocated") and isinstance(allocation.allocated, pd.Series):
        allocation = allocation.allocated
    if not isinstance(allocation, pd.Series):
        raise AllocationError(
            f"allocation must be a Series (unit -> allocated) or a CityAllocation, got {type(allocation).__name__}"
        )
    if allocation.index.has_duplicates:
        raise AllocationError(
            f"allocation lists units twice: {allocation.index[allocation.index.duplicated()].unique().tolist()[:10]}"
        )
    values = pd.to_numeric(allocation, errors="coerce")
    bad = values.isna() | (values < 0) | (values != np.floor(values.fillna(0)))
    if bad.any():
        shown = ", ".join(f"{k!r}: {_plain(allocation[k])!r}" for k in allocation.index[bad][:10])
        raise AllocationError(f"allocation must be whole numbers >= 0; bad: {shown}")
    if values.sum() == 0:
        raise AllocationError("allocation sums to zero: nothing to explain")
    return values.astype(np.int64)


def _check_stats(stats: object, index: pd.Index, measures: Sequence[str] | None) -> pd.DataFrame:
    if not isinstance(stats, pd.DataFrame):
        raise AllocationError(f"stats must be a DataFrame indexed by unit, got {type(stats).__name__}")
    missing = index.difference(stats.index)
    if len(missing):
        raise AllocationError(f"stats has no row for units of the allocation: {missing.tolist()[:10]}")
    extra = stats.index.difference(index)
    if len(extra):
        raise AllocationError(f"stats has units the allocation lacks: {extra.tolist()[:10]}")
    if measures is None:
        measures = [c for c in stats.columns if pd.api.types.is_numeric_dtype(stats[c])]
    else:
        measures = list(measures)
        unknown = [c for c in measures if c not in stats.columns]
        if unknown:
            raise AllocationError(f"measures not in stats: {unknown}; columns: {list(stats.columns)}")
    if not measures:
        raise AllocationError("stats has no numeric column to explain the allocation by")
    if len(measures) > MAX_MEASURES:
        raise AllocationError(f"at most {MAX_MEASURES} measures, got {len(measures)}: {measures}")
    return check_measures(stats.loc[index], measures, what="measure", unit="unit")


def _check_criterion(criterion: object) -> str:
    if criterion not in CRITERIA:
        raise UnknownMethodError(f"unknown criterion {criterion!r}; valid: {', '.join(CRITERIA)}")
    return str(criterion)


def _check_given(weights: Mapping[str, float], measures: list[str]) -> np.ndarray:
    unknown = [k for k in weights if k not in measures]
    if unknown:
        raise AllocationError(f"weights name measures not in stats: {unknown}; measures: {measures}")
    w = np.zeros(len(measures))
    for k, v in weights.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not v >= 0:
            raise AllocationError(f"weight of {k!r} must be a non-negative number, got {v!r}")
        w[measures.index(k)] = float(v)
    if not np.isfinite(w).all() or w.sum() <= 0:
        raise AllocationError(f"weights must be finite and not all zero: {dict(weights)}")
    return w / w.sum()


def _simplex_least_squares(S: np.ndarray, p: np.ndarray) -> np.ndarray:
    """argmin ||S w - p||^2 over w >= 0, sum w = 1, by enumerating supports."""
    k = S.shape[1]
    best, best_w = np.inf, None
    for size in range(1, k + 1):
        for support in itertools.combinations(range(k), size):
            A = S[:, support]
            # KKT of min ||A v - p||^2 s.t. 1'v = 1: [2A'A 1; 1' 0][v; lam] = [2A'p; 1].
            kkt = np.zeros((size + 1, size + 1))
            kkt[:size, :size] = 2 * A.T @ A
            kkt[:size, size] = kkt[size, :size] = 1.0
            rhs = np.concatenate([2 * A.T @ p, [1.0]])
            v = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:size]
            if (v < -1e-12).any() or abs(v.sum() - 1) > 1e-9:
                continue
            v = np.clip(v, 0, None)
            v /= v.sum()
            value = float(np.sum((A @ v - p) ** 2))
            if value < best - 1e-15:
                best, best_w = value, np.zeros(k)
                best_w[list(support)] = v
    if best_w is None:  # pragma: no cover - every single measure is a feasible support
        raise AllocationError("no blend of the measures could be fitted")
    return best_w


def _simplex_l1(S: np.ndarray, a: np.ndarray, total: int) -> np.ndarray:
    """argmin sum |a - T S w| over the simplex, as an LP in (w, e+, e-)."""
    from scipy.optimize import linprog

    n, k = S.shape
    c = np.concatenate([np.zeros(k), np.ones(2 * n)])
    A_eq = np.zeros((n + 1, k + 2 * n))
    A_eq[:n, :k] = total * S
    A_eq[:n, k : k + n] = np.eye(n)
    A_eq[:n, k + n :] = -np.eye(n)
    A_eq[n, :k] = 1.0
    b_eq = np.concatenate([a, [1.0]])
    res = linprog(c, A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * (k + 2 * n), method="highs")
    if res.status != 0:  # pragma: no cover - the LP is always feasible and bounded
        raise AllocationError(f"the L1 fit failed: {res.message}")
    w = np.clip(res.x[:k], 0, None)
    return w / w.sum()


def explain(
    allocation: pd.Series | object,
    stats: pd.DataFrame,
    *,
    measures: Sequence[str] | None = None,
    criterion: Criterion = "shares-ls",
    weights: Mapping[str, float] | None = None,
    method: Method = "huntington-hill",
) -> AllocationExplanation:
    """Find the blend of measures that fits an allocation best and each unit's implied tilt.

    Parameters
    ----------
    allocation : Series or CityAllocation
        Unit -> allocated count (whole numbers), e.g. a province's task table.
    stats : DataFrame
        One row per unit of ``allocation`` (index: unit) with the candidate measures.
    measures : sequence of str, optional
        The columns to blend; default every numeric column (at most 12).
    criterion : {"shares-ls", "seats-l1"}
        The fitting criterion (see the module docstring): least squares on shares (default)
        or least absolute deviations in units. Both keep the weights on the simplex.
    weights : mapping of measure -> weight, optional
        Give the blend instead of fitting it (normalised to sum to 1): the tilts are then
        against that blend, e.g. the plan's 50/50.
    method : str
        Apportionment method for ``blend_allocated``, the blend's own integer allocation that
        ``seats_l1`` and ``difference`` compare with.

    Returns
    -------
    AllocationExplanation

    Raises
    ------
    AllocationError
        An allocation that is not whole numbers >= 0, units in one input and not the other,
        missing or negative measures, more than 12 measures, bad given weights.
    UnknownMethodError
        An unknown criterion or apportionment method.

    Notes
    -----
    The blend's quota of unit c is ``T sum_k w_k s_ck`` with ``s_ck`` its share of measure k;
    the implied tilt is ``a_c`` divided by it. Bounds the allocation may have honoured
    (minimums, an existing panel) are not modelled: a unit held up by a floor shows as tilted
    upwards, which is what it is relative to the blend.

    References
    ----------
    Lawson, C. L. and Hanson, R. J. (1974). *Solving Least Squares Problems*. Prentice-Hall,
    ch. 23 (least squares with linear inequality constraints, active sets).
    Charnes, A., Cooper, W. W. and Ferguson, R. O. (1955). Optimal estimation of executive
    compensation by linear programming. *Management Science* 1(2), 138-151 (L1 fitting as an LP).
    Barrodale, I. and Roberts, F. D. K. (1973). An improved algorithm for discrete l1 linear
    approximation. *SIAM Journal on Numerical Analysis* 10(5), 839-848.

    Examples
    --------
    An allocation made as 0.3 x measure x + 0.7 x measure y is recovered exactly:

    >>> import pandas as pd
    >>> from allocation import explain
    >>> stats = pd.DataFrame({"x": [50.0, 30.0, 20.0], "y": [20.0, 30.0, 50.0]}, index=["a", "b", "c"])
    >>> made = pd.Series({"a": 29, "b": 30, "c": 41})  # 100 x (0.3 x + 0.7 y): 29, 30, 41
    >>> res = explain(made, stats)
    >>> res.weights.round(3).to_dict()
    {'x': 0.3, 'y': 0.7}
    >>> res.table["tilt"].round(3).tolist()
    [1.0, 1.0, 1.0]
    """
    a = _check_allocation(allocation)
    criterion_name = _check_criterion(criterion)
    name = _method_name(method)
    data = _check_stats(stats, a.index, measures)
    cols = list(data.columns)
    S = (data / data.sum()).to_numpy(dtype=np.float64)
    total = int(a.sum())
    p = a.to_numpy(dtype=np.float64) / total
    if weights is not None:
        w = _check_given(weights, cols)
        criterion_name = "given"
    elif criterion_name == "shares-ls":
        w = _simplex_least_squares(S, p)
    else:
        w = _simplex_l1(S, a.to_numpy(dtype=np.float64), total)
    blend_share = S @ w
    blend = total * blend_share
    if criterion_name == "seats-l1":
        objective = float(np.abs(a.to_numpy() - blend).sum())
    else:
        objective = float(np.sum((blend_share - p) ** 2))
    blend_allocated = apportion(pd.Series(blend_share, index=a.index), total, method=name)
    with np.errstate(divide="ignore", invalid="ignore"):
        tilt = np.where(blend > 0, a.to_numpy() / blend, np.nan)
    table = pd.DataFrame(
        {
            "allocated": a,
            "blend": blend,
            "blend_allocated": blend_allocated.astype(np.int64),
            "difference": (a - blend_allocated).astype(np.int64),
            "tilt": tilt,
            "share": p,
            "blend_share": blend_share,
            **{f"quota_{c}": total * S[:, i] for i, c in enumerate(cols)},
        },
        index=a.index,
    )
    return AllocationExplanation(
        weights=pd.Series(w, index=cols, name="weight"),
        criterion=criterion_name,
        table=table,
        total=total,
        objective=objective,
        seats_l1=int(table["difference"].abs().sum()),
        method=name,
    )
