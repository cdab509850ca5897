"""Variances of estimated totals under stratified sampling without replacement, for domains.

One function holds the arithmetic every estimate shares. An estimator is reduced to a total of
scores z_i (for a total, z_i = w_i y_i; for a ratio or a mean, the Taylor-linearised score, see
:mod:`monitoring.estimate`). Its variance is the stratified without-replacement formula

    V = sum_h (1 - n_h / N_h) n_h / (n_h - 1) sum_{i in h} (z_i - zbar_h)^2,

with n_h the enterprises of stratum h in the data and N_h those of the register. A domain's
estimator has the scores z_i 1{i in domain}: the enterprises outside the domain stay in their
stratum with a score of 0, so n_h and zbar_h are those of the whole stratum (domain estimation
over the full design, as R's ``svyby`` does; subsetting the design instead would take n_h from
the domain and understate the variance).

A stratum with one enterprise in the data (not taken whole) has no variance estimate; ``lonely``
says what to do, as R's ``options(survey.lonely.psu = ...)``:

- ``"adjust"``: its score is taken as a deviation from 0 (``(1 - 1/N_h) z_i^2``), a
  conservative choice;
- ``"average"``: it gets the average variance of the domain's other strata (the sum over the
  strata with a variance is multiplied by all strata / those strata);
- ``"remove"``: it contributes 0;
- ``"fail"``: an error naming the stratum.

A stratum taken whole (n_h = N_h) contributes 0 whatever ``lonely`` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from monitoring.exceptions import EstimationError

__all__ = ["LONELY", "Lonely", "domain_variance"]

Lonely = Literal["adjust", "average", "remove", "fail"]
LONELY: tuple[str, ...] = ("adjust", "average", "remove", "fail")

# R's onestrat() treats a stratum as taken whole below this sampling fraction complement.
_TAKE_ALL = 1e-7


def domain_variance(
    scores: np.ndarray,
    stratum: np.ndarray,
    domain: np.ndarray,
    enterprises: np.ndarray,
    *,
    domains: int,
    lonely: Lonely = "adjust",
    stratum_labels: Sequence[str] | None = None,
) -> np.ndarray:
    """The stratified variance of each domain's total of scores.

    Parameters
    ----------
    scores : ndarray of float, shape (n,)
        Each enterprise's score (already multiplied by its weight).
    stratum : ndarray of int, shape (n,)
        Each enterprise's stratum code, 0 .. H - 1.
    domain : ndarray of int, shape (n,)
        Each enterprise's domain code, 0 .. ``domains`` - 1.
    enterprises : ndarray, shape (H,)
        N_h, the stratum's number of enterprises in the register.
    domains : int
        The number of domains.
    lonely : {"adjust", "average", "remove", "fail"}
        What a stratum with one enterprise (not taken whole) contributes (module docstring).
    stratum_labels : sequence of str, optional
        The strata as the user names them, for the error of ``lonely="fail"``.

    Returns
    -------
    ndarray of float, shape (domains,)

    Examples
    --------
    Two strata of N = 10 and 4 enterprises; the first has scores 1, 2, 6 (mean 3, squares of
    deviations 4 + 1 + 9 = 14), so V = (1 - 3/10) x 3/2 x 14 = 14.7; the second is taken whole:

    >>> import numpy as np
    >>> v = domain_variance(np.array([1.0, 2, 6, 5, 5, 5, 5]), np.array([0, 0, 0, 1, 1, 1, 1]),
    ...                     np.zeros(7, int), np.array([10, 4]), domains=1)
    >>> float(round(v[0], 12))
    14.7

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley, section 5.3 (eq. 5.7).
    Särndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*.
    Springer, section 10.3 (domain estimation).
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 2.2;
    R package survey 4.1.1, ``svyrecvar`` and ``onestrat``.
    """
    if lonely not in LONELY:
        raise ValueError(f"lonely must be one of {', '.join(map(repr, LONELY))}, got {lonely!r}")
    scores = np.asarray(scores, dtype=float)
    stratum = np.asarray(stratum, dtype=np.int64)
    domain = np.asarray(domain, dtype=np.int64)
    big_n = np.asarray(enterprises, dtype=float)
    strata = len(big_n)
    n_h = np.bincount(stratum, minlength=strata).astype(float)
    f = np.where(n_h > 0, (big_n - n_h) / big_n, 0.0)
    taken_whole = f < _TAKE_ALL
    single = (n_h == 1) & ~taken_whole
    if lonely == "fail" and single.any():
        h = int(np.flatnonzero(single)[0])
        name = stratum_labels[h] if stratum_labels is not None else str(h)
        raise EstimationError(
            f"stratum {name} has one enterprise in the data (of {int(big_n[h])} in the register): "
            "its variance cannot be estimated; choose lonely='adjust', 'average' or 'remove'"
        )

    # Sums by (stratum, domain) cell; the domain's scores are 0 elsewhere in the stratum.
    key = stratum * domains + domain
    size = strata * domains
    count = np.bincount(key, minlength=size).astype(float)
    total = np.bincount(key, weights=scores, minlength=size)
    cell_stratum = np.repeat(np.arange(strata), domains)
    mean = np.divide(total, n_h[cell_stratum], out=np.zeros(size), where=n_h[cell_stratum] > 0)
    # Deviations from the stratum mean: the domain's own rows, plus the rows outside the domain
    # (score 0, deviation -mean), computed without the cancellation of sum(z^2) - n mean^2.
    centred = np.bincount(key, weights=(scores - mean[key]) ** 2, minlength=size)
    centred += (n_h[cell_stratum] - count) * mean**2
    raw = np.bincount(key, weights=scores**2, minlength=size)

    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
    scale[taken_whole] = 0.0
    if lonely == "adjust":
        squares = np.where(single[cell_stratum], raw, centred)
    else:
        squares = np.where(single[cell_stratum], 0.0, centred)
    variance = np.bincount(
        np.tile(np.arange(domains), strata), weights=scale[cell_stratum] * squares, minlength=domains
    )
    if lonely == "average":
        # R counts, per domain, the strata with an enterprise of the domain and those of them
        # that have a variance; the lonely ones get the average of the others.
        present = (count > 0).reshape(strata, domains)
        with_var = present & ~single[:, None]
        all_strata = present.sum(axis=0)
        ok = with_var.sum(axis=0)
        factor = np.divide(all_strata, ok, out=np.full(domains, np.nan), where=ok > 0)
        variance = np.where(all_strata > ok, variance * factor, variance)
    return variance
