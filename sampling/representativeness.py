"""How closely a sample's composition matches its population.

Pure functions on pandas objects: the dissimilarity index, Pearson's chi-square goodness-of-fit
test with Cohen's effect size *w*, the Rao-Scott corrected goodness-of-fit test for samples with
design weights (first order, and the second-order / Satterthwaite form of R's
``survey::svygofchisq``), the share of the population's employment a sample covers, and Kish's
effective sample size and design effect of unequal weights.

Shares are compared over categories (industry sections, sectors, size classes, ownership).
Category labels are matched by value; categories absent from one side count as zero there.
"""

from __future__ import annotations

import html
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from sampling.exceptions import AuditError

__all__ = [
    "GofTest",
    "chisquare_gof",
    "design_effect_weights",
    "dissimilarity",
    "employment_coverage",
    "kish_effective_size",
    "rao_scott_by_group",
    "rao_scott_gof",
]

Order = Literal["first", "second"]


@dataclass(frozen=True)
class GofTest:
    """Result of a goodness-of-fit test of a sample's category shares.

    Attributes
    ----------
    method : str
        ``"pearson"``, ``"rao-scott-1"`` (first order) or ``"rao-scott-2"`` (second order,
        Satterthwaite).
    statistic : float
        Pearson's X^2. For the Rao-Scott tests it is computed on the estimated totals, as
        ``survey::svygofchisq`` does, and its reference distribution is ``scale * chi2(df)``.
    scale, df : float
        The statistic divided by ``scale`` is referred to chi-square with ``df`` degrees of
        freedom (scale 1 and df k - 1 for Pearson's test).
    p_value : float
        Upper-tail probability.
    w : float
        Cohen's effect size: sqrt(sum (p_hat - p)^2 / p) over the categories, with p_hat the
        (weighted) sample shares. Cohen (1988) calls 0.1 small, 0.3 medium, 0.5 large.
    n : int
        Number of sampled units.
    categories : tuple
        The categories compared, in order.
    eigenvalues : tuple of float
        Rao-Scott generalised design effects (empty for Pearson's test).
    """

    method: str
    statistic: float
    scale: float
    df: float
    p_value: float
    w: float
    n: int
    categories: tuple[Hashable, ...]
    eigenvalues: tuple[float, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row: method, statistic, scale, df, p_value, w, n."""
        return pd.DataFrame(
            [
                {
                    "method": self.method,
                    "statistic": self.statistic,
                    "scale": self.scale,
                    "df": self.df,
                    "p_value": self.p_value,
                    "w": self.w,
                    "n": self.n,
                }
            ]
        )

    def summary(self) -> str:
        """One line of plain text."""
        return (
            f"{self.method} goodness of fit over {len(self.categories)} categories, n={self.n}: "
            f"X2={self.statistic:.4g}, scale={self.scale:.4g}, df={self.df:.4g}, "
            f"p={self.p_value:.4g}, Cohen's w={self.w:.3f}"
        )

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.summary())}</p>"


def _shares(values: pd.Series, name: str) -> pd.Series:
    if not isinstance(values, pd.Series):
        raise AuditError(f"{name} must be a pandas Series indexed by category, got {type(values).__name__}")
    num = pd.to_numeric(values, errors="coerce")
    bad = num.isna() | (num < 0) | ~np.isfinite(num.fillna(0))
    if bad.any():
        shown = ", ".join(f"{k!r}: {values[k]}" for k in num.index[bad][:10])
        raise AuditError(f"{name} must hold non-negative numbers; bad: {shown}")
    if num.index.has_duplicates:
        dup = list(num.index[num.index.duplicated()].unique())
        raise AuditError(f"{name} has duplicate categories {dup}")
    total = float(num.sum())
    if total <= 0:
        raise AuditError(f"{name} adds up to {total}; need a positive total")
    return num.astype(float) / total


def _aligned(sample: pd.Series, population: pd.Series) -> tuple[pd.Series, pd.Series]:
    s = _shares(sample, "sample")
    p = _shares(population, "population")
    idx = p.index.union(s.index, sort=False)
    return s.reindex(idx, fill_value=0.0), p.reindex(idx, fill_value=0.0)


def dissimilarity(sample: pd.Series, population: pd.Series) -> float:
    """Dissimilarity index between the sample's and the population's category shares.

    Parameters
    ----------
    sample, population : Series
        Counts (or weighted totals, or shares) indexed by category; each is normalised to
        shares. A category missing on one side counts as zero there.

    Returns
    -------
    float
        D = 0.5 * sum_j |s_j - p_j|, between 0 (same composition) and 1 (no overlap): the share
        of the sample that would have to change category to match the population.

    References
    ----------
    Duncan, O. D. & Duncan, B. (1955). A methodological analysis of segregation indexes.
    American Sociological Review, 20(2), 210-217.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import dissimilarity
    >>> dissimilarity(pd.Series({"C": 30, "F": 10}), pd.Series({"C": 500, "F": 300, "G": 200}))
    0.25
    """
    s, p = _aligned(sample, population)
    return float(0.5 * np.abs(s - p).sum())


def _cohen_w(p_hat: np.ndarray, p: np.ndarray) -> float:
    return float(np.sqrt(np.sum((p_hat - p) ** 2 / p)))


def _check_support(observed: pd.Series, p: pd.Series) -> None:
    outside = [k for k in observed.index if p.get(k, 0.0) == 0 and observed[k] > 0]
    if outside:
        raise AuditError(
            f"sample has units in categories {outside} that the population does not have; "
            "the goodness-of-fit statistic is undefined"
        )


def chisquare_gof(observed: pd.Series, expected: pd.Series) -> GofTest:
    """Pearson's chi-square goodness-of-fit test of sample counts against population shares.

    Parameters
    ----------
    observed : Series
        Sample counts indexed by category.
    expected : Series
        Population counts or shares indexed by category (normalised to shares). Categories
        with a zero population share are left out; a sampled unit in one is an error.

    Returns
    -------
    GofTest
        ``statistic`` = sum (O - n p)^2 / (n p), ``df`` = k - 1 (k categories with a positive
        population share), ``p_value`` from scipy.stats.chisquare and Cohen's ``w`` =
        sqrt(X^2 / n).

    Raises
    ------
    AuditError
        For negative or missing values, or sampled units in a category the population lacks.

    References
    ----------
    Pearson, K. (1900). On the criterion that a given system of deviations ... Philosophical
    Magazine 50, 157-175. Cohen, J. (1988). Statistical Power Analysis for the Behavioral
    Sciences, 2nd ed., chapter 7 (effect size w).

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import chisquare_gof
    >>> t = chisquare_gof(pd.Series({"C": 30, "F": 10}), pd.Series({"C": 0.5, "F": 0.5}))
    >>> t.statistic, t.df, round(t.w, 3)
    (10.0, 1.0, 0.5)
    """
    o = pd.to_numeric(observed, errors="coerce") if isinstance(observed, pd.Series) else observed
    _shares(observed, "observed")
    p = _shares(expected, "expected")
    _check_support(o, p)
    p = p[p > 0]
    counts = o.reindex(p.index, fill_value=0).astype(float)
    n = float(counts.sum())
    res = stats.chisquare(counts.to_numpy(), f_exp=n * p.to_numpy())
    return GofTest(
        method="pearson",
        statistic=float(res.statistic),
        scale=1.0,
        df=float(len(p) - 1),
        p_value=float(res.pvalue),
        w=_cohen_w(counts.to_numpy() / n, p.to_numpy()),
        n=int(round(n)),
        categories=tuple(p.index),
    )


def _total_covariance(y: np.ndarray, strata: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """With-replacement (ultimate cluster) covariance of the weighted totals of the columns of y.

    V = sum_h n_h / (n_h - 1) sum_c (z_hc - zbar_h)(z_hc - zbar_h)', z_hc the cluster totals.
    """
    k = y.shape[1]
    frame = pd.DataFrame(y)
    frame["_h"] = strata
    frame["_c"] = clusters
    z = frame.groupby(["_h", "_c"], sort=False).sum()
    cov = np.zeros((k, k))
    for h, zh in z.groupby(level="_h", sort=False):
        nh = len(zh)
        if nh < 2:
            raise AuditError(f"stratum {h!r} has a single cluster; its variance cannot be estimated")
        dev = zh.to_numpy() - zh.to_numpy().mean(axis=0)
        cov += nh / (nh - 1) * dev.T @ dev
    return cov


def rao_scott_gof(
    categories: pd.Series,
    weights: pd.Series,
    expected: pd.Series,
    *,
    strata: pd.Series | None = None,
    clusters: pd.Series | None = None,
    order: Order = "second",
) -> GofTest:
    """Rao-Scott corrected goodness-of-fit test for a sample with design weights.

    Parameters
    ----------
    categories : Series
        The category of each sampled unit.
    weights : Series
        Design weights (1 / inclusion probability), aligned with ``categories``.
    expected : Series
        Population counts or shares indexed by category (normalised to shares).
    strata, clusters : Series, optional
        Stratum and cluster (primary sampling unit) of each unit; default one stratum and
        each unit its own cluster. Clusters are numbered within strata.
    order : {"first", "second"}
        ``"second"`` (default): the Satterthwaite approximation of ``survey::svygofchisq``:
        X^2 / a ~ chi2(nu) with a = sum(lambda^2) / sum(lambda), nu = sum(lambda)^2 /
        sum(lambda^2). ``"first"``: X^2 / mean(lambda) ~ chi2(k - 1), the mean over the k - 1
        non-zero eigenvalues (Rao & Scott 1981).

    Returns
    -------
    GofTest
        X^2 = sum (T_j - N p_j)^2 / (N p_j) on the estimated totals T_j = sum w 1{category j}
        and N = sum T_j; ``eigenvalues`` lambda of the covariance of the components
        (T_j - N p_j) / sqrt(N p_j), linearised at the estimates and estimated with
        replacement, as ``survey`` does for a design without finite population correction.

    Raises
    ------
    AuditError
        For an unknown ``order`` (listing the valid ones), misaligned or negative weights, a
        sampled category absent from the population, or a stratum with one cluster.

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1981). The analysis of categorical data from complex sample
    surveys: chi-squared tests for goodness of fit and independence in two-way tables. JASA
    76(374), 221-230. Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway
    contingency tables with cell proportions estimated from survey data. Annals of Statistics
    12(1), 46-60. Lumley, T. survey: analysis of complex survey samples, ``svygofchisq``.

    Examples
    --------
    With equal weights and simple random sampling the design effects are near one:

    >>> import pandas as pd
    >>> from sampling.representativeness import rao_scott_gof
    >>> cat = pd.Series(list("AAAABBBCCD") * 5)
    >>> t = rao_scott_gof(cat, pd.Series(1.0, index=cat.index), pd.Series({"A": .4, "B": .3, "C": .2, "D": .1}))
    >>> round(t.statistic, 6), [round(v, 4) for v in t.eigenvalues[:3]]
    (0.0, [1.0204, 1.0204, 1.0204])
    """
    if order not in ("first", "second"):
        raise AuditError(f"unknown order {order!r}; valid: ['first', 'second']")
    if not isinstance(categories, pd.Series) or not isinstance(weights, pd.Series):
        raise AuditError("categories and weights must be pandas Series")
    if not categories.index.equals(weights.index):
        raise AuditError("weights must have the same index as categories")
    w = pd.to_numeric(weights, errors="coerce")
    bad = w.isna() | (w <= 0) | ~np.isfinite(w.fillna(0))
    if bad.any():
        shown = ", ".join(f"row {k!r}: {weights[k]}" for k in w.index[bad][:10])
        raise AuditError(f"weights must be positive numbers; bad: {shown}")
    p = _shares(expected, "expected")
    _check_support(categories.value_counts(), p)
    p = p[p > 0]
    y = (categories.to_numpy()[:, None] == np.asarray(p.index, dtype=object)[None, :]).astype(float)
    y *= w.to_numpy()[:, None]
    totals = y.sum(axis=0)
    if strata is None and clusters is None:
        cov_t = _unclustered_covariance(
            totals[None, :], (y**2).sum(axis=0)[None, :], np.array([len(categories)])
        )[0]
    else:
        h = np.zeros(len(categories)) if strata is None else pd.factorize(strata)[0]
        c = np.arange(len(categories)) if clusters is None else pd.factorize(clusters)[0]
        cov_t = _total_covariance(y, h, c)
    pv = p.to_numpy()
    x2, scale, df, p_value, w_eff, lam = _rao_scott(totals[None, :], cov_t[None, :, :], pv[None, :], order)
    return GofTest(
        method=f"rao-scott-{1 if order == 'first' else 2}",
        statistic=float(x2[0]),
        scale=float(scale[0]),
        df=float(df[0]),
        p_value=float(p_value[0]),
        w=float(w_eff[0]),
        n=len(categories),
        categories=tuple(p.index),
        eigenvalues=tuple(float(v) for v in lam[0]),
    )


def _unclustered_covariance(totals: np.ndarray, squares: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Covariances of the weighted totals (groups x k x k) when every unit is its own cluster
    in one stratum.

    Each row of y has one non-zero entry (its weight, in its category), so
    sum_i (y_i - ybar)(y_i - ybar)' = diag(sum w^2 by category) - T T' / n.
    """
    if (n < 2).any():
        raise AuditError("a group with fewer than two sampled units: the variance cannot be estimated")
    k = totals.shape[1]
    diag = squares[:, :, None] * np.eye(k)[None, :, :]
    outer = totals[:, :, None] * totals[:, None, :] / n[:, None, None]
    return (n / (n - 1))[:, None, None] * (diag - outer)


def _rao_scott(
    totals: np.ndarray, cov_t: np.ndarray, p: np.ndarray, order: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rao-Scott statistics for groups at once: totals and p are (groups x k), cov_t is
    (groups x k x k). Categories with p = 0 (and, by the callers' checks, no sampled unit)
    contribute nothing: zero rows of the Jacobian give zero eigenvalues, which change neither
    sum(lambda) nor sum(lambda^2).

    Returns X2, scale, df, p-value, Cohen's w and the eigenvalues (descending) per group.
    """
    k = p.shape[1]
    pos = p > 0
    big_n = totals.sum(axis=1)
    expected = big_n[:, None] * p
    root = np.sqrt(np.where(pos, expected, 1.0))
    dev = np.where(pos, totals - expected, 0.0)
    x2 = (dev**2 / root**2).sum(axis=1)
    # Jacobian of z_j = (T_j - N p_j) / sqrt(N p_j), N = sum T, at the estimates.
    jac = (np.eye(k)[None, :, :] - p[:, :, None]) / root[:, :, None]
    jac -= (0.5 * dev / (big_n[:, None] * root))[:, :, None]
    jac[~pos] = 0.0
    lam = np.linalg.eigvalsh(jac @ cov_t @ np.swapaxes(jac, 1, 2))[:, ::-1]
    if order == "second":
        scale = (lam**2).sum(axis=1) / lam.sum(axis=1)
        df = lam.sum(axis=1) ** 2 / (lam**2).sum(axis=1)
    else:
        df = (pos.sum(axis=1) - 1).astype(float)
        scale = lam.sum(axis=1) / df
    share = totals / big_n[:, None]
    w_eff = np.sqrt(np.where(pos, (share - p) ** 2 / np.where(pos, p, 1.0), 0.0).sum(axis=1))
    return x2, scale, df, stats.chi2.sf(x2 / scale, df), w_eff, lam


def rao_scott_by_group(
    totals: pd.DataFrame,
    squares: pd.DataFrame,
    n: pd.Series,
    expected: pd.DataFrame,
    *,
    order: Order = "second",
) -> pd.DataFrame:
    """:func:`rao_scott_gof` for many groups at once, from sums of weights by group and category.

    Each unit is its own cluster in one stratum, as in :func:`rao_scott_gof` without strata
    or clusters; for a city-by-city audit of a large sample this needs one pass over the
    units (the two sums) and one batched eigenvalue computation.

    Parameters
    ----------
    totals, squares : DataFrame
        Groups x categories: sums of the weights and of the squared weights.
    n : Series
        Sampled units per group (at least 2).
    expected : DataFrame
        Groups x categories: population counts or shares. A group with a sampled unit in a
        category its population lacks is an error.
    order : {"first", "second"}
        As in :func:`rao_scott_gof`.

    Returns
    -------
    DataFrame
        Indexed by group: ``statistic, scale, df, p_value, w``.

    References
    ----------
    Rao & Scott (1981, 1984); see :func:`rao_scott_gof`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import rao_scott_by_group
    >>> t = pd.DataFrame({"A": [40.0], "B": [60.0]}, index=["韶关市"])
    >>> out = rao_scott_by_group(t, t * 2, pd.Series({"韶关市": 50}), pd.DataFrame({"A": [4], "B": [6]}, index=["韶关市"]))
    >>> float(out.loc["韶关市", "statistic"])
    0.0
    """
    if order not in ("first", "second"):
        raise AuditError(f"unknown order {order!r}; valid: ['first', 'second']")
    missing = [
        g for g in expected.index if g not in totals.index or g not in squares.index or g not in n.index
    ]
    if missing:
        raise AuditError(f"groups {missing} of expected have no totals, squares or n")
    cols = expected.columns.union(totals.columns)
    t = totals.reindex(index=expected.index, columns=cols, fill_value=0.0).to_numpy(dtype=float)
    q = squares.reindex(index=expected.index, columns=cols, fill_value=0.0).to_numpy(dtype=float)
    e = expected.reindex(columns=cols, fill_value=0.0).to_numpy(dtype=float)
    if (e < 0).any() or (t < 0).any() or (q < 0).any():
        raise AuditError("totals, squares and expected must be non-negative")
    p = e / e.sum(axis=1, keepdims=True)
    outside = (t > 0) & (p == 0)
    if outside.any():
        bad = {g: list(cols[row]) for g, row in zip(expected.index, outside) if row.any()}
        raise AuditError(f"sampled units in categories the population lacks: {bad}")
    sizes = n.reindex(expected.index).to_numpy(dtype=float)
    x2, scale, df, p_value, w_eff, _ = _rao_scott(t, _unclustered_covariance(t, q, sizes), p, order)
    return pd.DataFrame(
        {"statistic": x2, "scale": scale, "df": df, "p_value": p_value, "w": w_eff}, index=expected.index
    )


def employment_coverage(sample_employees: pd.Series, population_employment: pd.Series) -> pd.Series:
    """Share of the population's employment that the sampled enterprises account for.

    Parameters
    ----------
    sample_employees : Series
        Employees of the sampled enterprises, summed by group (e.g. by city).
    population_employment : Series
        Employment of the population by the same groups.

    Returns
    -------
    Series
        sample / population per group of the population (0 where nothing was sampled; NaN
        where the population employment is 0).

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import employment_coverage
    >>> employment_coverage(pd.Series({"广州市": 5_000}), pd.Series({"广州市": 100_000, "韶关市": 8_000})).tolist()
    [0.05, 0.0]
    """
    pop = pd.to_numeric(population_employment, errors="coerce").astype(float)
    smp = pd.to_numeric(sample_employees, errors="coerce").astype(float)
    extra = [k for k in smp.index if k not in pop.index]
    if extra:
        raise AuditError(f"sample groups {extra} are not in the population")
    out = smp.reindex(pop.index, fill_value=0.0) / pop.where(pop > 0)
    out.name = "coverage"
    return out


def _weights(weights: pd.Series) -> np.ndarray:
    series = pd.Series(weights)
    w = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if len(w) == 0:
        raise AuditError("weights must be a non-empty Series of positive numbers; got an empty one")
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        shown = ", ".join(f"{i!r}: {v!r}" for i, v in list(series.astype(object)[bad].items())[:5])
        raise AuditError(f"weights must be positive finite numbers; bad weight(s) {shown}")
    return w


def kish_effective_size(weights: pd.Series) -> float:
    """Kish's effective sample size of a weighted sample.

    Parameters
    ----------
    weights : Series
        Positive weights.

    Returns
    -------
    float
        n_eff = (sum w)^2 / sum w^2: the size of an equally weighted sample with the same
        precision for a mean, when only the weights vary.

    References
    ----------
    Kish, L. (1965). Survey Sampling. New York: Wiley, section 11.7.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import kish_effective_size
    >>> kish_effective_size(pd.Series([1.0, 1.0, 2.0, 4.0]))
    2.909090909090909
    """
    w = _weights(weights)
    return float(w.sum() ** 2 / np.sum(w**2))


def design_effect_weights(weights: pd.Series) -> float:
    """Kish's design effect due to unequal weights.

    Parameters
    ----------
    weights : Series
        Positive weights.

    Returns
    -------
    float
        deff_w = n sum w^2 / (sum w)^2 = 1 + CV^2 (CV with divisor n) = n / n_eff.

    References
    ----------
    Kish, L. (1965). Survey Sampling. New York: Wiley, section 11.7. Kish, L. (1992).
    Weighting for unequal P_i. Journal of Official Statistics 8(2), 183-200.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import design_effect_weights
    >>> design_effect_weights(pd.Series([1.0, 1.0, 2.0, 4.0]))
    1.375
    """
    w = _weights(weights)
    return float(len(w) * np.sum(w**2) / w.sum() ** 2)
