"""Exact integer apportionment of a total across units, with lower and upper bounds.

Divisor methods (Jefferson, Webster, Huntington-Hill, Adams, Dean) with bounds are the bounded
divisor methods of Balinski & Young: unit ``i`` receives ``clip(round_d(w_i / D), lower_i,
upper_i)`` seats for one common divisor ``D``, where ``round_d`` rounds at the method's
signposts ``d(k)`` (the quotient at which a unit moves from ``k`` to ``k + 1`` seats). This is
the same allocation as handing out seats one at a time, starting from the lower bounds, to the
unit with the highest priority ``w_i / d(a_i)`` among those below their upper bound. The search
for ``D`` is vectorised (bracketing on the divisor with numpy); the last seats, whose
priorities lie in the final bracket, are ordered explicitly.

Hamilton (largest remainders) with bounds rounds the bounded real quota (the continuous
proportional share with the bounds enforced, see :func:`bounded_quota`) down and hands the
remaining seats out by largest fractional remainder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from allocation.exceptions import AllocationError, InfeasibleAllocationError, UnknownMethodError

__all__ = ["METHODS", "Method", "apportion", "bounded_quota"]

Method = Literal["hamilton", "jefferson", "webster", "huntington-hill", "adams", "dean"]

METHODS: tuple[str, ...] = ("hamilton", "jefferson", "webster", "huntington-hill", "adams", "dean")

_ALIASES: dict[str, str] = {
    "largest-remainders": "hamilton",
    "hare": "hamilton",
    "dhondt": "jefferson",
    "d'hondt": "jefferson",
    "sainte-lague": "webster",
    "sainte-laguë": "webster",
    "hill": "huntington-hill",
    "equal-proportions": "huntington-hill",
}

# Signposts d(k): a unit with quotient q = w / D gets more than k seats iff q > d(k).
# Every signpost lies in [k, k + 1], which count_above() relies on.
_SIGNPOSTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "jefferson": lambda k: k + 1.0,
    "adams": lambda k: k * 1.0,
    "webster": lambda k: k + 0.5,
    "huntington-hill": lambda k: np.sqrt(k * (k + 1.0)),
    "dean": lambda k: k * (k + 1.0) / (k + 0.5),
}

# Final brackets holding at most this many candidate seats (or 2 n) are resolved by sorting.
_CANDIDATE_CAP = 4096


def _method_name(method: str) -> str:
    key = str(method).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in METHODS:
        raise UnknownMethodError(
            f"unknown apportionment method {method!r}; valid: {list(METHODS)} (aliases: {sorted(_ALIASES)})"
        )
    return key


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, so messages read ``-2.0``."""
    return value.item() if isinstance(value, np.generic) else value


def _labels(index: pd.Index, mask: np.ndarray, values: np.ndarray | None = None) -> str:
    """The first ten labels where ``mask`` holds, with their values if given."""
    where = np.flatnonzero(mask)
    shown = [
        f"{index[i]!r}" if values is None else f"{index[i]!r}: {_plain(values[i])!r}" for i in where[:10]
    ]
    more = f" and {len(where) - 10} more" if len(where) > 10 else ""
    return ", ".join(shown) + more


def _check_weights(weights: pd.Series, what: str = "weight") -> np.ndarray:
    if not isinstance(weights, pd.Series):
        raise AllocationError(
            f"{what}s must be a pandas Series indexed by unit, got {type(weights).__name__}"
        )
    if weights.index.has_duplicates:
        dup = weights.index[weights.index.duplicated()].unique().tolist()[:10]
        raise AllocationError(f"{what}s have duplicate labels: {dup}")
    values = pd.to_numeric(weights, errors="coerce").to_numpy(dtype=float)
    raw = weights.to_numpy()
    bad = np.isnan(values)
    if bad.any():
        raise AllocationError(
            f"{what} must be a number; missing or non-numeric at {_labels(weights.index, bad, raw)}"
        )
    bad = ~np.isfinite(values)
    if bad.any():
        raise AllocationError(f"{what} must be finite; infinite at {_labels(weights.index, bad, raw)}")
    bad = values < 0
    if bad.any():
        raise AllocationError(f"{what} must be non-negative; negative at {_labels(weights.index, bad, raw)}")
    # Shares divide by the sum: weights so large that it overflows (1e308) give no share at all.
    bad = values > np.finfo(float).max / max(len(values), 1) / 4
    if bad.any():
        raise AllocationError(
            f"{what} too large to add up (a unit or typing error?) at {_labels(weights.index, bad, raw)}"
        )
    return values


def _check_total(total: object) -> int:
    if isinstance(total, bool) or not isinstance(total, (int, np.integer, float, np.floating)):
        raise AllocationError(f"total must be a non-negative integer, got {total!r}")
    if not float(total).is_integer() or total < 0:
        raise AllocationError(f"total must be a non-negative integer, got {total!r}")
    return int(total)


def _check_bound(bound: float | pd.Series | None, index: pd.Index, name: str, default: float) -> np.ndarray:
    """A bound as a float array aligned on ``index``: integer values, ``inf`` for none."""
    if bound is None:
        return np.full(len(index), default)
    if isinstance(bound, pd.Series):
        missing = index.difference(bound.index)
        extra = bound.index.difference(index)
        if len(extra):
            raise AllocationError(f"{name} has labels that are not units: {extra.tolist()[:10]}")
        if len(missing):
            raise AllocationError(f"{name} has no value for units {missing.tolist()[:10]}")
        raw = bound.reindex(index).to_numpy()
        values = pd.to_numeric(bound.reindex(index), errors="coerce").to_numpy(dtype=float)
    else:
        if isinstance(bound, bool) or not isinstance(bound, (int, np.integer, float, np.floating)):
            raise AllocationError(f"{name} must be a number or a Series, got {bound!r}")
        raw = np.full(len(index), bound, dtype=object)
        values = np.full(len(index), float(bound))
    bad = np.isnan(values)
    if bad.any():
        raise AllocationError(f"{name} must be a number; missing at {_labels(index, bad, raw)}")
    finite = np.isfinite(values)
    bad = (finite & (values != np.floor(values))) | (values < 0) | (~finite & (values < 0))
    if np.isfinite(default):  # only an upper bound may be infinite
        bad |= ~finite
    if bad.any():
        raise AllocationError(f"{name} must be a non-negative integer; bad at {_labels(index, bad, raw)}")
    return values


def _check_feasible(index: pd.Index, w: np.ndarray, total: int, lower: np.ndarray, upper: np.ndarray) -> None:
    bad = lower > upper
    if bad.any():
        shown = ", ".join(
            f"{index[i]!r} (lower {lower[i]:.0f} > upper {upper[i]:.0f})" for i in np.flatnonzero(bad)[:10]
        )
        raise InfeasibleAllocationError(f"lower bound above upper bound for {shown}")
    low = lower.sum()
    if total < low:
        top = np.argsort(-lower, kind="stable")[:5]
        shown = ", ".join(f"{index[i]!r}: {lower[i]:.0f}" for i in top)
        raise InfeasibleAllocationError(
            f"total {total} is below the sum of the lower bounds, {low:.0f} (largest lower bounds: {shown})"
        )
    # Zero-weight units receive their lower bound and nothing more.
    cap = np.where(w > 0, upper, lower)
    high = cap.sum()
    if total > high:
        zero = w == 0
        detail = (
            f"; units with zero weight are held at their lower bound: {_labels(index, zero)}"
            if zero.any()
            else ""
        )
        raise InfeasibleAllocationError(
            f"total {total} is above the sum of the upper bounds, {high:.0f}{detail}"
        )


def _solve_scale(w: np.ndarray, total: float, lower: np.ndarray, upper: np.ndarray) -> float:
    """The scale ``mu`` with ``sum(clip(w * mu, lower, upper)) == total`` (feasible input).

    Newton's method on the piecewise linear, non-decreasing left side, safeguarded by a
    bracket; it is exact once the iterate reaches the right linear piece.
    """
    lo, hi = 0.0, np.inf
    wsum = w.sum()
    mu = total / wsum if wsum > 0 else 0.0
    tol = 1e-12 * max(total, 1.0)
    for _ in range(200):
        x = w * mu
        f = np.clip(x, lower, upper).sum()
        if abs(f - total) <= tol:
            return mu
        if f < total:
            lo = mu
        else:
            hi = mu
        # On the current linear piece f = fixed + mu * slope, slope the weight of free units.
        slope = w @ ((x > lower) & (x < upper))
        step = mu + (total - f) / slope if slope > 0 else np.nan
        if lo < step < hi:
            mu = step
        elif np.isfinite(hi):
            mu = (lo + hi) / 2
        else:
            mu = max(2 * mu, np.max(np.divide(lower + 1, w, out=np.zeros_like(w), where=w > 0)))
    return mu


def bounded_quota(
    weights: pd.Series,
    total: float,
    *,
    lower: float | pd.Series | None = None,
    upper: float | pd.Series | None = None,
) -> pd.Series:
    """Real-valued proportional shares of ``total`` with bounds enforced.

    Each unit gets ``clip(weights * mu, lower, upper)`` for the one scale ``mu`` that makes
    the shares add to ``total``; without bounds this is the plain quota
    ``total * weights / weights.sum()``. It is the continuous allocation that the integer
    methods of :func:`apportion` round.

    Parameters
    ----------
    weights : Series
        Non-negative, finite weights indexed by unit.
    total : float
        The total to share out.
    lower, upper : int or Series, optional
        Bounds per unit (integers); default 0 and no upper bound.

    Returns
    -------
    Series of float
        Same index and order as ``weights``, summing to ``total``.

    References
    ----------
    Balinski, M. L. and Young, H. P. (2001). *Fair Representation*, 2nd ed., Brookings
    Institution Press, chapter 4 (quotas with bounds).

    Examples
    --------
    >>> import pandas as pd
    >>> from allocation import bounded_quota
    >>> bounded_quota(pd.Series({"a": 8.0, "b": 1.0, "c": 1.0}), 10, lower=2).tolist()
    [6.0, 2.0, 2.0]
    """
    w = _check_weights(weights)
    lo = _check_bound(lower, weights.index, "lower", 0.0)
    hi = _check_bound(upper, weights.index, "upper", np.inf)
    if not np.isfinite(total) or total < 0:
        raise AllocationError(f"total must be a non-negative number, got {total!r}")
    _check_feasible(weights.index, w, total, lo, hi)
    mu = _solve_scale(w, float(total), lo, hi)
    return pd.Series(np.clip(w * mu, lo, hi), index=weights.index, name="quota")


def _count_above(q: np.ndarray, signpost: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Number of signposts strictly below each quotient: the unbounded seat count."""
    m = np.maximum(np.ceil(q) - 1.0, 0.0)
    return m + (signpost(m) < q)


def _seats_at(
    w: np.ndarray,
    divisor: float,
    lower: np.ndarray,
    upper: np.ndarray,
    signpost: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    with np.errstate(over="ignore"):
        q = w / divisor
    return np.clip(_count_above(q, signpost), lower, upper)


def _divisor_method(
    w: np.ndarray,
    total: int,
    lower: np.ndarray,
    upper: np.ndarray,
    signpost: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    upper = np.where(w > 0, upper, lower)
    if signpost(np.zeros(1))[0] == 0:
        # d(0) = 0: a first seat has infinite priority, so those seats go before all others
        # (ties among them: larger weight, then earlier position).
        first = (lower == 0) & (upper >= 1)
        spare = total - int(lower.sum())
        if spare <= first.sum():
            order = np.lexsort((np.arange(len(w)), -w, ~first))
            seats = lower.copy()
            seats[order[:spare]] += 1
            return seats
        lower = np.where(first, 1.0, lower)
    if total == lower.sum():
        return lower.copy()
    # Start from the divisor of the bounded continuous quota and bracket the exact one:
    # seats(hi) <= total <= seats(lo), lo < hi.
    mu = _solve_scale(w, float(total), lower, upper)
    guess = 1.0 / mu if mu > 0 else 1.0
    seats = _seats_at(w, guess, lower, upper, signpost)
    s = seats.sum()
    if s == total:
        return seats
    free_weight = max(w[(seats > lower) & (seats < upper)].sum(), w.max())
    width = max(abs(s - total) + 2.0, 2.0) * guess * guess / free_weight
    if s < total:
        hi, s_hi, seats_hi = guess, s, seats
        lo = guess
        while True:
            lo = max(lo - width, lo / 2)
            seats_lo = _seats_at(w, lo, lower, upper, signpost)
            if seats_lo.sum() >= total:
                break
            width *= 2
        s_lo = seats_lo.sum()
    else:
        lo, s_lo, seats_lo = guess, s, seats
        hi = guess
        while True:
            hi += width
            seats_hi = _seats_at(w, hi, lower, upper, signpost)
            if seats_hi.sum() <= total:
                break
            width *= 2
        s_hi = seats_hi.sum()
    # Shrink the bracket until few seats are in doubt. At one divisor each unit passes at
    # most one signpost, so a bracket around a single divisor holds at most n seats.
    cap = max(_CANDIDATE_CAP, 2 * len(w))
    step = 0
    while s_lo - s_hi > cap and hi - lo > 4 * np.spacing(hi):
        # Interpolate on the count, kept away from the ends of the bracket; every other step
        # bisects, so a jump (many units tied at one divisor) is still closed in quickly.
        step += 1
        t = 0.5 if step % 2 == 0 else min(max((s_lo - total) / (s_lo - s_hi), 0.1), 0.9)
        mid = lo + t * (hi - lo)
        seats_mid = _seats_at(w, mid, lower, upper, signpost)
        s_mid = seats_mid.sum()
        if s_mid == total:
            return seats_mid
        if s_mid > total:
            lo, s_lo, seats_lo = mid, s_mid, seats_mid
        else:
            hi, s_hi, seats_hi = mid, s_mid, seats_mid
    if s_hi == total:
        return seats_hi
    if s_lo == total:
        return seats_lo
    # The seats between the two ends, ranked by priority w / d(k); ties: larger weight,
    # then earlier position.
    extra = (seats_lo - seats_hi).astype(np.int64)
    unit = np.repeat(np.arange(len(w)), extra)
    start = np.repeat(np.cumsum(extra) - extra, extra)
    k = seats_hi[unit] + (np.arange(len(unit)) - start)
    d = signpost(k)
    with np.errstate(divide="ignore"):
        priority = np.where(d > 0, w[unit] / np.where(d > 0, d, 1.0), np.inf)
    order = np.lexsort((unit, -w[unit], -priority))
    chosen = unit[order[: total - int(s_hi)]]
    return seats_hi + np.bincount(chosen, minlength=len(w))


def _hamilton(w: np.ndarray, total: int, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    upper = np.where(w > 0, upper, lower)
    mu = _solve_scale(w, float(total), lower, upper)
    quota = np.clip(w * mu, lower, upper)
    seats = np.clip(np.floor(quota), lower, upper)
    # The floors add to at most total: the quotas add to total within 1e-12 * total.
    left = total - int(seats.sum())
    if left == 0:
        return seats
    # Largest remainder first; ties: larger weight, then earlier position. Only the units at
    # or above the left-th largest remainder need ordering.
    remainder = np.where(seats < upper, quota - seats, -np.inf)
    cut = np.partition(remainder, len(w) - left)[len(w) - left]
    near = np.flatnonzero(remainder >= cut)
    order = near[np.lexsort((near, -w[near], -remainder[near]))]
    seats[order[:left]] += 1
    return seats


def apportion(
    weights: pd.Series,
    total: int,
    *,
    method: Method = "huntington-hill",
    lower: int | pd.Series | None = None,
    upper: int | pd.Series | None = None,
) -> pd.Series:
    """Apportion an integer total among units in proportion to their weights.

    Parameters
    ----------
    weights : Series
        Non-negative, finite weights (populations, shares) indexed by unit. Any labels
        (strings, integers, tuples) work; duplicates are an error.
    total : int
        Number of seats to hand out; the result sums to it exactly.
    method : {"hamilton", "jefferson", "webster", "huntington-hill", "adams", "dean"}
        ``"hamilton"`` (largest remainders; alias ``"largest-remainders"``), and the divisor
        methods with signposts ``d(k)`` between ``k`` and ``k + 1`` seats: ``"jefferson"``
        ``k + 1`` (alias ``"dhondt"``), ``"webster"`` ``k + 1/2`` (alias
        ``"sainte-lague"``), ``"huntington-hill"`` ``sqrt(k (k + 1))`` (aliases ``"hill"``,
        ``"equal-proportions"``), ``"adams"`` ``k``, ``"dean"`` ``k (k + 1) / (k + 1/2)``.
        Huntington-Hill, Adams and Dean have ``d(0) = 0``: every unit with a positive weight
        gets a seat before any unit gets its second (if the total allows).
    lower, upper : int or Series, optional
        Bounds per unit, met exactly: a scalar for all units or a Series with one integer per
        unit. Default: 0 and no upper bound.

    Returns
    -------
    Series of int64
        Seats per unit, same index and order as ``weights``.

    Raises
    ------
    AllocationError
        A weight that is missing, negative or infinite (the message names the unit), a bad
        bound or total.
    InfeasibleAllocationError
        ``total`` below the sum of the lower bounds or above the sum of the upper bounds, or a
        unit whose lower bound exceeds its upper bound.
    UnknownMethodError
        An unknown method name.

    Notes
    -----
    Divisor methods with bounds (Balinski & Young): each unit gets
    ``clip(round_d(w / D), lower, upper)`` seats for one common divisor ``D``; equivalently,
    seats go one at a time from the lower bounds to the highest priority ``w / d(a)`` among
    units below their upper bound. The result is house monotone. Hamilton with bounds rounds
    down the bounded real quota (:func:`bounded_quota`) and gives the remaining seats to the
    largest remainders; it stays within the bounded quota (floor or ceiling).

    Zero weights get exactly their lower bound. Ties (equal priorities, or equal remainders
    for Hamilton) are broken deterministically: the larger weight first, then the unit that
    comes first in ``weights``. Priorities are compared in double precision.

    References
    ----------
    Balinski, M. L. and Young, H. P. (2001). *Fair Representation: Meeting the Ideal of One
    Man, One Vote*, 2nd ed., Brookings Institution Press (divisor methods, bounds, the quota
    rule and house monotonicity).
    Huntington, E. V. (1928). The apportionment of representatives in Congress. *Transactions
    of the American Mathematical Society* 30(1), 85-110.
    Pukelsheim, F. (2017). *Proportional Representation: Apportionment Methods and Their
    Applications*, 2nd ed., Springer (chapters 3-6, signposts).

    Examples
    --------
    >>> import pandas as pd
    >>> from allocation import apportion
    >>> w = pd.Series({"a": 6, "b": 6, "c": 2})
    >>> apportion(w, 10, method="hamilton").tolist()
    [4, 4, 2]
    >>> apportion(w, 11, method="hamilton").tolist()  # the Alabama paradox: c loses a seat
    [5, 5, 1]
    >>> apportion(w, 11, method="webster", lower=2).tolist()
    [5, 4, 2]
    """
    name = _method_name(method)
    w = _check_weights(weights)
    h = _check_total(total)
    lo = _check_bound(lower, weights.index, "lower", 0.0)
    hi = _check_bound(upper, weights.index, "upper", np.inf)
    _check_feasible(weights.index, w, h, lo, hi)
    if len(w) == 0:
        return pd.Series([], index=weights.index, dtype=np.int64, name=weights.name)
    if name == "hamilton":
        seats = _hamilton(w, h, lo, hi)
    else:
        seats = _divisor_method(w, h, lo, hi, _SIGNPOSTS[name])
    return pd.Series(seats.astype(np.int64), index=weights.index, name=weights.name)
