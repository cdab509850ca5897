"""Inclusion probabilities proportional to size, with certainty units.

``pi_k = n * a_k / sum(a)``; units whose ``pi_k`` reaches 1 are taken with certainty
(``pi_k = 1``) and the others are rescaled to the remaining sample size, repeatedly, until no
new unit reaches 1 - the algorithm of R's ``sampling::inclusionprobabilities``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sampling.exceptions import SelectionError

__all__ = ["inclusion_probabilities"]


def grouped_inclusion(sizes: np.ndarray, groups: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Inclusion probabilities for many strata at once, without a loop over strata.

    Parameters
    ----------
    sizes : ndarray of float
        Non-negative size of each unit.
    groups : ndarray of int
        Stratum code of each unit, in ``[0, len(n))``.
    n : ndarray of int
        Sample size per stratum; at most the number of units with positive size in it.

    Each pass finds the units whose probability reaches 1 at the current per-stratum scale
    ``(n - certain) / (total size - certain size)``; the scale only grows, so the passes stop
    when no new unit reaches 1 (in practice after a few passes).
    """
    n = np.asarray(n, dtype=np.float64)
    groups = np.asarray(groups)
    total = np.bincount(groups, weights=sizes, minlength=len(n))
    taken = np.zeros(len(n))
    taken_size = np.zeros(len(n))
    certain = np.zeros(len(sizes), dtype=bool)
    while True:
        rest = total - taken_size
        scale = np.divide(n - taken, rest, out=np.zeros(len(n)), where=(rest > 0) & (n > taken))
        new = sizes * scale[groups] >= 1.0
        new &= ~certain
        rows = np.flatnonzero(new)
        if not len(rows):
            break
        certain[rows] = True
        taken += np.bincount(groups[rows], minlength=len(n))
        taken_size += np.bincount(groups[rows], weights=sizes[rows], minlength=len(n))
    pi = sizes * scale[groups]
    pi[certain] = 1.0
    return pi


def _check_sizes(sizes: Any) -> pd.Series:
    series = sizes if isinstance(sizes, pd.Series) else pd.Series(np.asarray(sizes))
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() | (values < 0) | ~np.isfinite(values.astype(float))
    if bad.any():
        shown = ", ".join(f"{i!r}: {series[i]!r}" for i in series.index[bad][:10])
        raise SelectionError(f"sizes must be finite numbers >= 0; bad values at {shown}")
    return values.astype(np.float64)


def _check_n(n: Any, positive: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise SelectionError(f"n must be a non-negative integer, got {n!r}")
    if n > positive:
        raise SelectionError(f"n = {n} exceeds the {positive} units with positive size")
    return int(n)


def inclusion_probabilities(sizes: pd.Series | Any, n: int) -> pd.Series:
    """First-order inclusion probabilities proportional to size, summing to ``n``.

    Parameters
    ----------
    sizes : Series or array-like
        Size measure of each unit (employees, revenue...), finite and >= 0. Units of size 0
        get probability 0.
    n : int
        Sample size, at most the number of units with positive size.

    Returns
    -------
    Series
        ``pi``, on the index of ``sizes``, with ``sum(pi) == n`` up to rounding. Units whose
        proportional probability would reach 1 get exactly 1 (certainty units) and the rest are
        rescaled, repeatedly, exactly as R's ``sampling::inclusionprobabilities(a, n)``.

    Raises
    ------
    SelectionError
        On negative or missing sizes (R shifts negatives to zero with a warning; this library
        refuses), or an ``n`` above the number of units with positive size.

    Examples
    --------
    >>> from sampling import inclusion_probabilities
    >>> inclusion_probabilities([1, 2, 3, 4, 40], 2).round(6).tolist()
    [0.1, 0.2, 0.3, 0.4, 1.0]

    The largest unit is a certainty unit; the other four share the remaining ``n - 1 = 1``
    in proportion 1 : 2 : 3 : 4 (same as R ``inclusionprobabilities(c(1,2,3,4,40), 2)``).

    References
    ----------
    Tillé, Y. and Matei, A. (2023). sampling: Survey Sampling. R package, function
    ``inclusionprobabilities``.

    Tillé, Y. (2006). Sampling Algorithms. Springer, section 2.10.
    """
    values = _check_sizes(sizes)
    n = _check_n(n, int((values > 0).sum()))
    pi = grouped_inclusion(
        values.to_numpy(), np.zeros(len(values), dtype=np.int64), np.array([n], dtype=np.int64)
    )
    index = sizes.index if isinstance(sizes, pd.Series) else None
    return pd.Series(pi, index=index, name="pi")
