"""Optimal integer allocation of a stratified sample: exact Neyman (Wright) and Bethel-Chromy.

:func:`optimal` minimises the variance of the stratified estimator of a total,
``sum_h N_h^2 S_h^2 / n_h`` (minus a constant), over integers. Its marginal gain from the
``(k + 1)``-th unit in stratum ``h`` is ``A_h^2 / (k (k + 1))`` with ``A_h = N_h S_h``, so the
priority order of the units is that of the Huntington-Hill method on the weights ``A_h``
(Wright 2012), and the bounded divisor search of :mod:`allocation.apportion` gives the exact
optimum for 100,000 strata in milliseconds.

:func:`bethel` finds the cheapest allocation meeting target coefficients of variation for
several variables at once (Bethel 1989), by Chromy's iteration on the weights of the variance
constraints, and rounds up so the targets still hold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocation.apportion import _check_bound, _check_total, _check_weights, _labels, apportion
from allocation.exceptions import AllocationError, InfeasibleAllocationError

__all__ = ["bethel", "optimal"]


def _strata(N: pd.Series, S: pd.Series | pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    n_pop = _check_weights(N, "stratum size")
    if isinstance(S, pd.DataFrame):
        if not S.index.equals(N.index):
            raise AllocationError(
                f"S must have the strata of N in the same order; only in N: "
                f"{N.index.difference(S.index).tolist()[:10]}, only in S: {S.index.difference(N.index).tolist()[:10]}"
            )
        sd = np.column_stack([_check_weights(S[c], f"standard deviation of {c!r}") for c in S.columns])
    else:
        if not isinstance(S, pd.Series) or not S.index.equals(N.index):
            only_n = N.index.difference(S.index).tolist()[:10] if isinstance(S, pd.Series) else []
            only_s = S.index.difference(N.index).tolist()[:10] if isinstance(S, pd.Series) else []
            raise AllocationError(
                f"S must be a Series with the strata of N in the same order; only in N: {only_n}, only in S: {only_s}"
            )
        sd = _check_weights(S, "standard deviation")
    return n_pop, sd


def _cost(cost: pd.Series | None, index: pd.Index) -> np.ndarray:
    if cost is None:
        return np.ones(len(index))
    if not isinstance(cost, pd.Series) or not cost.index.equals(index):
        raise AllocationError("cost must be a Series with the strata of N in the same order")
    c = _check_weights(cost, "cost")
    if (c == 0).any():
        raise AllocationError(f"cost must be positive; zero at {_labels(index, c == 0)}")
    return c


def _box(
    n_pop: np.ndarray,
    index: pd.Index,
    lower: int | pd.Series | None,
    upper: int | pd.Series | None,
    default_lower: float,
) -> tuple[np.ndarray, np.ndarray]:
    lo = _check_bound(lower, index, "lower", default_lower)
    up = np.minimum(_check_bound(upper, index, "upper", np.inf), n_pop)
    bad = lo > up
    if bad.any():
        shown = ", ".join(
            f"{index[i]!r} (lower {lo[i]:.0f} > min(upper, N) {up[i]:.0f})" for i in np.flatnonzero(bad)[:10]
        )
        raise InfeasibleAllocationError(f"lower bound above the upper bound or stratum size for {shown}")
    return lo, up


def optimal(
    N: pd.Series,
    S: pd.Series,
    n: int,
    *,
    cost: pd.Series | None = None,
    lower: int | pd.Series | None = None,
    upper: int | pd.Series | None = None,
) -> pd.Series:
    """Exact integer optimum allocation (Neyman / optimum allocation with costs).

    Minimises ``V(n) = sum_h N_h^2 S_h^2 / n_h`` (the variance of the stratified estimator of
    the total under simple random sampling in strata, up to the constant
    ``sum_h N_h S_h^2``) over integers ``lower_h <= n_h <= min(upper_h, N_h)``, subject to
    ``sum_h n_h = n`` or, with ``cost``, ``sum_h cost_h n_h <= n``.

    Parameters
    ----------
    N : Series
        Stratum sizes, indexed by stratum.
    S : Series
        Standard deviations of the study variable per stratum (same index).
    n : int
        Total sample size; with ``cost``, the budget.
    cost : Series, optional
        Positive cost per sampled unit per stratum.
    lower, upper : int or Series, optional
        Bounds per stratum. Default lower 1 (a stratum with no sample has no estimate; pass 2
        to estimate variances), upper ``N`` (an upper bound above ``N`` is capped at ``N``).

    Returns
    -------
    Series of int64
        Sample size per stratum.

    Notes
    -----
    Proof sketch (Wright 2012, 2017). ``V`` is separable and each term is convex in
    ``n_h``: adding the ``(k + 1)``-th unit to stratum ``h`` lowers ``V`` by
    ``A_h^2 / (k (k + 1))``, ``A_h = N_h S_h``, which decreases in ``k``. Starting from the
    lower bounds and adding units one at a time to the stratum with the largest reduction
    (among strata below their upper bound) is therefore optimal after every step: any
    allocation with the same total consists of the lower bounds plus the same number of
    marginal units, and the greedy picks the largest marginal reductions available, which
    by convexity are prefixes within each stratum (the classical argument for separable
    convex resource allocation, Fox 1966). The reduction order is the order of the
    priorities ``A_h / sqrt(k (k + 1))``: Huntington-Hill's, so the result is
    ``apportion(N * S, n, method="huntington-hill", lower=lower, upper=min(upper, N))``,
    computed by the vectorised bounded divisor search (exact for 100,000 strata).
    Ties are broken as in :func:`allocation.apportion`. A stratum with ``S_h = 0`` adds no
    variance: it keeps its lower bound while the other strata can take the total, and takes
    what they cannot once they are all at ``min(upper_h, N_h)`` (shared among such strata in
    proportion to ``N_h``, by Huntington-Hill; any split is optimal).

    A total of costs within floating-point rounding of the budget counts as within it (the
    cost of the lower bounds 0.1 + 0.2 fits a budget of 0.3).

    With costs the problem is a nonlinear knapsack. The greedy order is then the reduction
    per unit cost, ``A_h / sqrt(c_h k (k + 1))``, and the result is the longest prefix of
    that order within the budget. It is exactly optimal among all allocations that cost no
    more than it does (its continuous relaxation, with ``V`` linearly interpolated between
    integers, is solved by the same prefix); the unspent budget is less than the cost of
    the next unit in the order.

    References
    ----------
    Wright, T. (2012). The equivalence of Neyman optimum allocation for sampling and equal
    proportions for apportioning the U.S. House of Representatives. *The American
    Statistician* 66(4), 217-224.
    Wright, T. (2017). Exact optimal sample allocation: more efficient than Neyman.
    *Statistics & Probability Letters* 129, 50-57.
    Fox, B. (1966). Discrete optimization via marginal analysis. *Management Science* 13(3),
    210-216.
    Neyman, J. (1934). On the two different aspects of the representative method. *Journal of
    the Royal Statistical Society* 97(4), 558-606.

    Examples
    --------
    >>> import pandas as pd
    >>> from allocation import optimal
    >>> N = pd.Series([3000, 4000, 5000, 2000], index=["h1", "h2", "h3", "h4"])
    >>> S = pd.Series([48, 79, 76, 16], index=N.index)
    >>> optimal(N, S, 190).tolist()
    [31, 69, 83, 7]
    >>> optimal(N, S, 190, upper=pd.Series([100, 90, 70, 80], index=N.index)).tolist()
    [35, 77, 70, 8]

    A stratum without variance takes what the others cannot:

    >>> optimal(pd.Series([10, 10], index=["a", "b"]), pd.Series([1.0, 0.0], index=["a", "b"]), 15).tolist()
    [10, 5]
    """
    n_pop, sd = _strata(N, S)
    c = _cost(cost, N.index)
    lo, up = _box(n_pop, N.index, lower, upper, 1.0)
    a = pd.Series(n_pop * sd, index=N.index)
    up_s = pd.Series(up, index=N.index)
    lo_s = pd.Series(lo, index=N.index)
    if cost is None:
        return _fixed_total(a, n, lo_s, up_s, N)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer, float, np.floating)) or not n >= 0:
        raise AllocationError(f"budget must be a non-negative number, got {n!r}")
    if not np.isfinite(n):
        raise AllocationError(f"budget must be finite, got {n!r}")
    floor_cost = float(c @ lo)
    if not _within_budget(floor_cost, n):
        raise InfeasibleAllocationError(f"budget {n} is below the cost of the lower bounds, {floor_cost:g}")
    per_cost = a / np.sqrt(c)
    cap = np.where(a.to_numpy() > 0, up, lo)
    # The greedy sequence is Huntington-Hill on A / sqrt(c); it is house monotone, so its
    # cost grows with its length: bisect for the longest prefix within the budget.
    lo_t, hi_t = int(lo.sum()), int(cap.sum())
    best = lo_s.astype(np.int64)
    while lo_t < hi_t:
        mid = (lo_t + hi_t + 1) // 2
        trial = apportion(per_cost, mid, method="huntington-hill", lower=lo_s, upper=up_s)
        if _within_budget(float(c @ trial.to_numpy()), n):
            lo_t, best = mid, trial
        else:
            hi_t = mid - 1
    return pd.Series(best.to_numpy(dtype=np.int64), index=N.index, name="n")


def _within_budget(spent: float, budget: float) -> bool:
    """``spent <= budget`` up to the rounding of a sum of costs: 0.1 + 0.2 is 0.30000000000000004
    in binary floating point and must fit a budget of 0.3."""
    return spent <= budget + 64 * np.finfo(float).eps * max(abs(budget), abs(spent))


def _fixed_total(a: pd.Series, n: int, lo: pd.Series, up: pd.Series, N: pd.Series) -> pd.Series:
    """The optimum for ``sum n_h = n``: Huntington-Hill on ``A_h`` while the strata with
    ``A_h > 0`` can take the units; what they cannot take goes to the strata with ``A_h = 0``."""
    zero = a.to_numpy() == 0
    total = _check_total(n)
    room = float(up[~zero].sum() + lo[zero].sum())
    if not zero.any() or total <= room:
        return apportion(a, total, method="huntington-hill", lower=lo, upper=up).rename("n")
    if total > up.sum():
        raise InfeasibleAllocationError(
            f"total {total} is above the sum of the upper bounds (at most N per stratum), {up.sum():.0f}"
        )
    # Every stratum with A_h > 0 is full; the zero-variance strata share the rest. Any split
    # of it is optimal (they add no variance); proportional to N_h (Huntington-Hill) is the
    # one taken, so a split is never arbitrary.
    out = up.copy()
    out[zero] = apportion(
        N[zero].astype(float),
        total - int(up[~zero].sum()),
        method="huntington-hill",
        lower=lo[zero],
        upper=up[zero],
    ).to_numpy()
    return out.astype(np.int64).rename("n")


def _single_constraint(p: np.ndarray, c: np.ndarray, lo: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Cheapest ``n`` in the box with ``sum(p / n) <= 1``: ``n = clip(k sqrt(p / c))``."""
    base = np.sqrt(p / c)
    pos = p > 0

    def load(k: float) -> float:
        x = np.clip(k * base, lo, up)
        return float(np.sum(p[pos] / x[pos]))

    lo_k, hi_k = 0.0, 1.0
    while load(hi_k) > 1:
        hi_k *= 2
        if hi_k > 1e300:
            break
    for _ in range(200):
        mid = (lo_k + hi_k) / 2
        if load(mid) > 1:
            lo_k = mid
        else:
            hi_k = mid
        if hi_k - lo_k <= 1e-13 * hi_k:
            break
    return np.clip(hi_k * base, lo, up)


def _loads(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Relative load ``sum_h a[h, j] / x_h`` of each constraint (strata with a = 0 add 0)."""
    return np.sum(np.divide(a, x[:, None], out=np.zeros_like(a), where=a > 0), axis=0)


def _bethel_continuous(
    a: np.ndarray, c: np.ndarray, lo: np.ndarray, up: np.ndarray, tol: float = 1e-10, max_iter: int = 5000
) -> np.ndarray:
    """Chromy's algorithm for min ``c @ n`` s.t. ``sum_h a[h, j] / n_h <= 1`` for every j.

    ``alpha`` weighs the constraints; for fixed ``alpha`` the problem has the single
    constraint ``sum_h (a @ alpha)_h / n_h <= 1``; ``alpha_j`` is then multiplied by the square
    of constraint ``j``'s load and renormalised until every load is at most 1.
    """
    m = a.shape[1]
    alpha = np.full(m, 1.0 / m)
    x = _single_constraint(a @ alpha, c, lo, up)
    for _ in range(max_iter):
        g = _loads(a, x)
        if g.max() <= 1 + tol and np.all((g >= 1 - 1e-7) | (alpha <= 1e-12)):
            break
        alpha = alpha * g**2
        alpha /= alpha.sum()
        x = _single_constraint(a @ alpha, c, lo, up)
    return x


def bethel(
    N: pd.Series,
    S: pd.DataFrame,
    cv: float | pd.Series,
    *,
    means: pd.DataFrame,
    cost: pd.Series | None = None,
    lower: int | pd.Series | None = None,
    upper: int | pd.Series | None = None,
) -> pd.Series:
    """Cheapest integer allocation meeting target CVs for several variables (Bethel-Chromy).

    Minimises ``sum_h cost_h n_h`` subject to, for every variable ``j``,
    ``CV_j(n) = sqrt(sum_h N_h^2 S_hj^2 (1/n_h - 1/N_h)) / Y_j <= cv_j``, with
    ``Y_j = sum_h N_h means_hj`` the population total, and ``lower <= n <= min(upper, N)``.

    Parameters
    ----------
    N : Series
        Stratum sizes, indexed by stratum.
    S : DataFrame
        Standard deviation of each variable (columns) in each stratum (rows, same index as N).
    cv : float or Series
        Target coefficient of variation of the estimated total, one for all variables or one
        per column of ``S``.
    means : DataFrame
        Mean of each variable in each stratum (same shape as ``S``), for the totals ``Y_j``.
    cost : Series, optional
        Cost per sampled unit per stratum (default 1: minimise the sample size).
    lower, upper : int or Series, optional
        Bounds per stratum; default lower 1 (pass 2 to estimate variances), upper ``N``.

    Returns
    -------
    Series of int64
        Sample size per stratum; every CV target holds.

    Raises
    ------
    InfeasibleAllocationError
        When even the upper bounds (at most ``N``) miss a target; the message names the
        variable and the best CV reachable.

    Notes
    -----
    The continuous problem is convex. Chromy's algorithm solves it by weighting the
    constraints with ``alpha`` (for fixed weights the solution is
    ``n_h = clip(k sqrt(sum_j alpha_j a_hj / c_h))``, the bounded optimum allocation for one
    combined variance constraint) and updating ``alpha_j`` in proportion to
    ``alpha_j g_j^2``, where ``g_j`` is constraint ``j``'s relative load, until every load is
    at most 1 and each constraint with positive weight is tight (Bethel 1989 proves
    convergence). The integer result rounds the continuous optimum up, which keeps every CV
    target (variances fall as ``n_h`` grows) and costs at most ``sum_h cost_h`` more than
    the continuous optimum.

    References
    ----------
    Bethel, J. (1989). Sample allocation in multivariate surveys. *Survey Methodology* 15(1),
    47-57.
    Chromy, J. R. (1987). Design optimization with multiple objectives. *Proceedings of the
    Survey Research Methods Section*, American Statistical Association, 194-199.

    Examples
    --------
    >>> import pandas as pd
    >>> from allocation import bethel
    >>> N = pd.Series([3000, 4000, 5000, 2000], index=["h1", "h2", "h3", "h4"])
    >>> S = pd.DataFrame({"y": [48, 79, 76, 16]}, index=N.index)
    >>> means = pd.DataFrame({"y": [100, 100, 100, 100]}, index=N.index)
    >>> bethel(N, S, 0.05, means=means).tolist()
    [26, 56, 67, 6]
    """
    n_pop, sd = _strata(N, S)
    if (
        not isinstance(means, pd.DataFrame)
        or not means.index.equals(N.index)
        or list(means.columns) != list(S.columns)
    ):
        raise AllocationError("means must be a DataFrame with the index of N and the columns of S")
    mu = np.column_stack(
        [pd.to_numeric(means[col], errors="coerce").to_numpy(dtype=float) for col in S.columns]
    )
    bad = ~np.isfinite(mu)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise AllocationError(
            f"means must be finite numbers; bad at stratum {N.index[row]!r}, variable {S.columns[col]!r}"
        )
    if isinstance(cv, pd.Series):
        if set(cv.index) != set(S.columns):
            raise AllocationError(
                f"cv must have one target per column of S {list(S.columns)}; got {list(cv.index)}"
            )
        target = cv.reindex(S.columns).to_numpy(dtype=float)
    else:
        target = np.full(len(S.columns), float(cv))
    if not np.all(np.isfinite(target) & (target > 0)):
        raise AllocationError(f"cv targets must be positive numbers, got {target.tolist()}")
    c = _cost(cost, N.index)
    lo, up = _box(n_pop, N.index, lower, upper, 1.0)
    totals = n_pop @ mu
    if np.any(totals == 0):
        zero = [S.columns[j] for j in np.flatnonzero(totals == 0)]
        raise AllocationError(f"population total is zero for {zero}: a CV is undefined")
    # Constraint j: sum_h N^2 S^2 / n_h <= (cv Y)^2 + sum_h N S^2, scaled to load <= 1.
    budget = (target * totals) ** 2 + n_pop @ sd**2
    a = (n_pop[:, None] * sd) ** 2 / budget
    best = _loads(a, up)
    if np.any(best > 1 + 1e-12):
        j = int(np.argmax(best))
        var = best[j] * budget[j] - n_pop @ sd[:, j] ** 2
        reach = np.sqrt(max(var, 0.0)) / abs(totals[j])
        raise InfeasibleAllocationError(
            f"target cv {target[j]:g} for {S.columns[j]!r} cannot be met within the upper bounds; "
            f"the best reachable is {reach:.4g}"
        )
    x = _bethel_continuous(a, c, lo, up)
    n_int = np.minimum(np.ceil(x - 1e-9), up)
    # Rounding down by float noise could break a target: top up where a load exceeds 1.
    while np.any(_loads(a, n_int) > 1 + 1e-12):
        j = int(np.argmax(_loads(a, n_int)))
        gain = np.where(n_int < up, a[:, j] / (n_int * (n_int + 1)) / c, -np.inf)
        n_int[int(np.argmax(gain))] += 1
    return pd.Series(n_int.astype(np.int64), index=N.index, name="n")
