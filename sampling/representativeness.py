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

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import chdtrc

from basis.results import Result
from basis.rows import rows_shown
from sampling.exceptions import AuditError

__all__ = [
    "GofTest",
    "chisquare_gof",
    "design_effect_weights",
    "dissimilarity",
    "employment_coverage",
    "kish_by_group",
    "kish_effective_size",
    "pearson_by_group",
    "rao_scott_by_group",
    "rao_scott_gof",
]

Order = Literal["first", "second"]


@dataclass(frozen=True, eq=False, repr=False)
class GofTest(Result):
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
    totals, standard_errors : Series or None
        The Rao-Scott tests' estimated totals by category and their design-based standard
        errors (R's ``svytotal``); None for Pearson's test.
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
    totals: pd.Series | None = field(default=None)
    standard_errors: pd.Series | None = field(default=None)

    def headline(self) -> str:
        """One line: the method, X^2, scale, df, p-value and Cohen's w."""
        return (
            f"{self.method} goodness of fit over {len(self.categories)} categories, n={self.n}: "
            f"X2={self.statistic:.4g}, scale={self.scale:.4g}, df={self.df:.4g}, "
            f"p={self.p_value:.4g}, Cohen's w={self.w:.3f}"
        )

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
        """The headline, then the estimated totals and standard errors when there are any."""
        lines = [self.headline()]
        if self.totals is not None and self.standard_errors is not None:
            lines.extend(
                f"  {cat}: total {t:,.1f} (se {se:,.1f})"
                for cat, t, se in zip(self.totals.index, self.totals, self.standard_errors)
            )
        return "\n".join(lines)


def _chi2_sf(x: ArrayLike, df: ArrayLike) -> np.ndarray:
    """P(X > x) for X ~ chi-square(df), as ``scipy.stats.chi2.sf`` gives it (1 for x <= 0, NaN
    for df <= 0 or NaN), from ``scipy.special.chdtrc``: scipy.stats takes half a second to
    import, on every run of the command line and the examples."""
    x = np.asarray(x, dtype=float)
    df = np.asarray(df, dtype=float)
    return chdtrc(np.where(df > 0, df, np.nan), np.maximum(x, 0.0))


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
        population share), ``p_value`` from chi-square with k - 1 df and Cohen's ``w`` =
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
    _shares(observed, "observed")
    p = _shares(expected, "expected")
    o = pd.to_numeric(observed, errors="coerce")
    _check_support(o, p)
    p = p[p > 0]
    counts = o.reindex(p.index, fill_value=0).astype(float)
    res = pearson_by_group(
        pd.DataFrame([counts.to_numpy()], columns=p.index), pd.DataFrame([p.to_numpy()], columns=p.index)
    )
    row = res.iloc[0]
    return GofTest(
        method="pearson",
        statistic=float(row["statistic"]),
        scale=1.0,
        df=float(row["df"]),
        p_value=float(row["p_value"]),
        w=float(row["w"]),
        n=int(round(float(row["n"]))),
        categories=tuple(p.index),
    )


Lonely = Literal["fail", "remove", "adjust"]
_LONELY: tuple[str, ...] = ("fail", "remove", "adjust")


def _check_choice(value: str, valid: tuple[str, ...], name: str) -> None:
    if value not in valid:
        raise AuditError(f"unknown {name} {value!r}; valid: {list(valid)}")


def _unit_weights(categories: pd.Series, weights: pd.Series) -> np.ndarray:
    if not isinstance(categories, pd.Series) or not isinstance(weights, pd.Series):
        raise AuditError("categories and weights must be pandas Series")
    if not categories.index.equals(weights.index):
        raise AuditError("weights must have the same index as categories")
    w = pd.to_numeric(weights, errors="coerce")
    bad = w.isna() | (w <= 0) | ~np.isfinite(w.fillna(0))
    if bad.any():
        shown = rows_shown((k, weights[k]) for k in w.index[bad])
        raise AuditError(f"weights must be positive numbers; bad: {shown}")
    return w.to_numpy(dtype=float)


def _labels_of(values: pd.Series | None, index: pd.Index, name: str) -> pd.Series | None:
    if values is None:
        return None
    if not isinstance(values, pd.Series) or not values.index.equals(index):
        raise AuditError(f"{name} must be a Series with the same index as categories")
    if values.isna().any():
        raise AuditError(f"{name} is missing at {rows_shown(values.index[values.isna()], values=False)}")
    return values


def _stratum_fpc(
    fpc: pd.Series | Mapping[Hashable, float] | float | None,
    index: pd.Index,
    codes: np.ndarray,
    labels: np.ndarray,
    sampled: np.ndarray,
) -> np.ndarray:
    """Population size of each stratum (``inf`` without fpc), checked against the number of
    units (or clusters) sampled in it.

    ``fpc`` is a per-unit Series (aligned with the units, constant within a stratum, like R's
    ``fpc = ~N_h``), a mapping or Series from stratum label to size, or one number when there
    is a single stratum.
    """
    n_strata = len(labels)
    if fpc is None:
        return np.full(n_strata, np.inf)
    if isinstance(fpc, pd.Series) and fpc.index.equals(index):
        values = pd.to_numeric(fpc, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values <= 0)
        if bad.any():
            shown = rows_shown((k, fpc[k]) for k in index[bad])
            raise AuditError(f"fpc must be positive population sizes; bad: {shown}")
        out = np.full(n_strata, np.nan)
        out[codes] = values
        varies = np.flatnonzero(
            np.bincount(codes, weights=(values - out[codes]) ** 2, minlength=n_strata) > 0
        )
        if len(varies):
            raise AuditError(
                f"fpc must be the same for every unit of a stratum; it varies in stratum {labels[varies[0]]!r}"
            )
    elif isinstance(fpc, (pd.Series, Mapping)):
        table = fpc if isinstance(fpc, pd.Series) else pd.Series(dict(fpc), dtype=object)
        missing = [lab for lab in labels if lab not in table.index]
        if missing:
            raise AuditError(f"fpc has no population size for strata {missing[:10]}")
        raw = [table[lab] for lab in labels]
        out = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(out) | (out <= 0)
        if bad.any():
            shown = ", ".join(f"{labels[i]!r}: {raw[i]!r}" for i in np.flatnonzero(bad)[:10])
            raise AuditError(f"fpc must be positive population sizes; bad: {shown}")
    elif isinstance(fpc, (int, float, np.integer, np.floating)) and not isinstance(fpc, bool):
        if n_strata != 1:
            raise AuditError(f"one fpc number for {n_strata} strata; give one population size per stratum")
        out = np.array([float(fpc)])
        if not np.isfinite(out[0]) or out[0] <= 0:
            raise AuditError(f"fpc must be a positive population size, got {fpc!r}")
    else:
        raise AuditError(
            f"fpc must be a Series aligned with the units, a mapping from stratum to population size "
            f"or a number; got {type(fpc).__name__}"
        )
    short = np.flatnonzero(out < sampled - 1e-9)
    if len(short):
        i = short[0]
        raise AuditError(
            f"fpc {out[i]:g} of stratum {labels[i]!r} is below the {sampled[i]} units sampled in it "
            "(fpc is the stratum's population size)"
        )
    return out


def _stratum_scale(n_h: np.ndarray, fpc_h: np.ndarray, labels: np.ndarray, lonely: str) -> np.ndarray:
    """Factor of each stratum's sum of squares: ``(1 - n_h / N_h) n_h / (n_h - 1)``, as
    ``survey``'s ``onestrat``; a stratum with one unit follows ``lonely`` (R's
    ``survey.lonely.psu``)."""
    f = np.where(np.isinf(fpc_h), 1.0, (fpc_h - n_h) / np.where(np.isinf(fpc_h), 1.0, fpc_h))
    f = np.where(f < 1e-7, 0.0, f)  # a take-all stratum has no variance
    one = n_h == 1
    lone = one & (f > 0)
    if lone.any() and lonely == "fail":
        raise AuditError(
            f"stratum {labels[np.flatnonzero(lone)[0]]!r} has a single cluster (sampled unit) and is not take-all: "
            "its variance cannot be estimated (lonely='remove' or 'adjust', as R's survey.lonely.psu)"
        )
    return np.where(one, f, f * n_h / np.where(one, 1.0, n_h - 1.0))


def _covariances(
    cat: np.ndarray,
    w: np.ndarray,
    k: int,
    group: np.ndarray,
    n_groups: int,
    stratum: np.ndarray,
    labels: np.ndarray,
    fpc_h: np.ndarray,
    lonely: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimated totals (groups x k) and their covariances (groups x k x k) for stratified
    sampling of single units without replacement (R's ``svydesign(ids = ~1, strata, fpc)``).

    Every unit adds ``w`` to its category: ``z_i = w_i e_{c(i)}``. The deviations from each
    stratum's mean are formed first and then multiplied (two passes), so a stratum whose units
    all share a category and a weight has no variance to the last digit, rather than the
    rounding of ``sum w^2 - (sum w)^2 / n``. A lonely unit with ``lonely="adjust"`` is not
    centred (``survey`` 4.1: ``f z z'``). Strata are nested in groups.
    """
    n_strata = len(labels)
    s1 = np.bincount(stratum * k + cat, weights=w, minlength=n_strata * k).reshape(n_strata, k)
    n_h = np.bincount(stratum, minlength=n_strata).astype(float)
    scale = _stratum_scale(n_h, fpc_h, labels, lonely)
    if lonely == "remove":
        scale = np.where(n_h == 1, 0.0, scale)
    mean = s1 * np.where(n_h > 1, 1.0 / np.maximum(n_h, 1.0), 0.0)[:, None]
    dev = -mean[stratum]
    dev[np.arange(len(cat)), cat] += w
    dev *= np.sqrt(scale)[stratum][:, None]
    totals = np.zeros((n_groups, k))
    np.add.at(totals, group, np.eye(k)[cat] * w[:, None])
    cov = np.zeros((n_groups, k, k))
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
    for g in range(n_groups):
        rows = dev[order[bounds[g] : bounds[g + 1]]]
        cov[g] = rows.T @ rows
    return totals, cov


def _clustered_covariance(
    y: np.ndarray,
    stratum: np.ndarray,
    cluster: np.ndarray,
    labels: np.ndarray,
    fpc_h: np.ndarray,
    lonely: str,
) -> np.ndarray:
    """Covariance of the weighted totals of the columns of y for a one-stage cluster design:
    ``sum_h (1 - m_h / M_h) m_h / (m_h - 1) sum_c (z_hc - zbar_h)(z_hc - zbar_h)'``, z_hc the
    cluster totals, m_h the clusters sampled in stratum h and M_h (fpc) those in the population."""
    k = y.shape[1]
    frame = pd.DataFrame(y)
    frame["_h"] = stratum
    frame["_c"] = cluster
    z = frame.groupby(["_h", "_c"], sort=True).sum()
    h_of = z.index.get_level_values("_h").to_numpy()
    m_h = np.bincount(h_of, minlength=len(labels)).astype(float)
    scale = _stratum_scale(m_h, fpc_h, labels, lonely)
    if lonely == "remove":
        scale = np.where(m_h == 1, 0.0, scale)
    values = z.to_numpy()
    cov = np.zeros((k, k))
    for h in np.flatnonzero(scale > 0):
        zh = values[h_of == h]
        dev = zh - zh.mean(axis=0) if m_h[h] > 1 else zh
        cov += scale[h] * dev.T @ dev
    return cov


def _design(
    categories: pd.Series,
    strata: pd.Series | None,
    clusters: pd.Series | None,
    fpc: pd.Series | Mapping[Hashable, float] | float | None,
    groups: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Stratum code of each unit, stratum labels, their fpc, and cluster codes (None for units).

    Without strata each group is one stratum; a stratum label found in two groups is an error
    (strata are nested in the groups)."""
    index = categories.index
    strata = _labels_of(strata, index, "strata")
    clusters = _labels_of(clusters, index, "clusters")
    if strata is None:
        stratum, uniques = pd.factorize(groups)
        labels = np.asarray(uniques, dtype=object)
    else:
        stratum, uniques = pd.factorize(strata)
        labels = np.asarray(uniques, dtype=object)
        group_of = np.full(len(labels), -1)
        group_of[stratum] = groups
        mixed = np.flatnonzero(
            np.bincount(stratum, weights=(groups != group_of[stratum]), minlength=len(labels))
        )
        if len(mixed):
            raise AuditError(
                f"stratum {labels[mixed[0]]!r} lies in more than one group; strata must be nested"
            )
    if clusters is None:
        sampled = np.bincount(stratum, minlength=len(labels))
        cluster = None
    else:
        cluster = pd.factorize(pd.Series(list(zip(stratum, clusters.to_numpy()))))[0]
        first = np.unique(cluster, return_index=True)[1]
        sampled = np.bincount(stratum[first], minlength=len(labels))
    fpc_h = _stratum_fpc(fpc, index, stratum, labels, sampled)
    return stratum, labels, fpc_h, cluster


def rao_scott_gof(
    categories: pd.Series,
    weights: pd.Series,
    expected: pd.Series,
    *,
    strata: pd.Series | None = None,
    clusters: pd.Series | None = None,
    fpc: pd.Series | Mapping[Hashable, float] | float | None = None,
    lonely: Lonely = "fail",
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
    fpc : Series, mapping or number, optional
        Finite population correction, as R's ``svydesign(fpc = ~N_h)``: the population size
        of each stratum (of clusters, when ``clusters`` are given), either a Series aligned
        with the units (the same value for every unit of a stratum) or a mapping / Series
        from stratum label to size (a number for one stratum). A stratum sampled whole
        (``n_h = N_h``, a take-all cell) contributes no variance. Default: none (sampling
        with replacement). Unlike R, values at most 1 are not read as sampling fractions.
    lonely : {"fail", "remove", "adjust"}
        A stratum with a single sampled unit that is not take-all, as R's
        ``options(survey.lonely.psu = ...)``: ``"fail"`` (default, R's default) raises,
        ``"remove"`` gives it no variance, ``"adjust"`` uses its total uncentred,
        ``(1 - 1 / N_h) z z'`` (conservative for totals).
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
        (T_j - N p_j) / sqrt(N p_j), linearised at the estimates; ``totals`` and
        ``standard_errors``: T_j and their design-based standard errors (R's ``svytotal``).

    Raises
    ------
    AuditError
        For an unknown ``order`` or ``lonely`` (listing the valid ones), misaligned or
        negative weights, a sampled category absent from the population, an fpc below the
        units sampled in its stratum or varying within one, or a lonely unit with
        ``lonely="fail"``.

    Notes
    -----
    The variance is the one-stage (ultimate cluster) estimator of ``survey``:
    ``V(T) = sum_h (1 - m_h / M_h) m_h / (m_h - 1) sum_c (z_hc - zbar_h)(z_hc - zbar_h)'``
    with z_hc the weighted cluster totals, m_h the clusters sampled in stratum h and M_h its
    fpc (M_h infinite without fpc). With fpc and SRSWOR in strata (weights N_h / n_h) it is the
    textbook unbiased variance of the stratified estimator (Cochran 1977, 5.9).

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1981). The analysis of categorical data from complex sample
    surveys: chi-squared tests for goodness of fit and independence in two-way tables. JASA
    76(374), 221-230. Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway
    contingency tables with cell proportions estimated from survey data. Annals of Statistics
    12(1), 46-60. Lumley, T. survey: analysis of complex survey samples, ``svygofchisq``,
    ``svytotal``. Cochran, W. G. (1977). Sampling Techniques, 3rd ed., Wiley.

    Examples
    --------
    With equal weights and simple random sampling the design effects are near one:

    >>> import pandas as pd
    >>> from sampling.representativeness import rao_scott_gof
    >>> cat = pd.Series(list("AAAABBBCCD") * 5)
    >>> t = rao_scott_gof(cat, pd.Series(1.0, index=cat.index), pd.Series({"A": .4, "B": .3, "C": .2, "D": .1}))
    >>> round(t.statistic, 6), [round(v, 4) for v in t.eigenvalues[:3]]
    (0.0, [1.0204, 1.0204, 1.0204])

    Two strata, the second sampled whole (take-all: no variance):

    >>> cat = pd.Series(list("ABAB") + list("AB"))
    >>> t = rao_scott_gof(cat, pd.Series([5.0] * 4 + [1.0] * 2), pd.Series({"A": 1, "B": 1}),
    ...                   strata=pd.Series([1] * 4 + [2] * 2), fpc={1: 20, 2: 2})
    >>> t.totals.tolist(), t.standard_errors.round(4).tolist()
    ([11.0, 11.0], [5.164, 5.164])
    """
    _check_choice(order, ("first", "second"), "order")
    _check_choice(lonely, _LONELY, "lonely")
    w = _unit_weights(categories, weights)
    p = _shares(expected, "expected")
    _check_support(categories.value_counts(), p)
    p = p[p > 0]
    cat = pd.Index(p.index).get_indexer(categories.to_numpy())
    groups = np.zeros(len(categories), dtype=np.int64)
    stratum, labels, fpc_h, cluster = _design(categories, strata, clusters, fpc, groups)
    k = len(p)
    if cluster is None:
        totals, cov = _covariances(cat, w, k, groups, 1, stratum, labels, fpc_h, lonely)
    else:
        y = np.zeros((len(cat), k))
        y[np.arange(len(cat)), cat] = w
        totals, cov = (
            y.sum(axis=0)[None, :],
            _clustered_covariance(y, stratum, cluster, labels, fpc_h, lonely)[None],
        )
    x2, scale, df, p_value, w_eff, lam = _rao_scott(
        totals, cov, p.to_numpy()[None, :], order, np.array([len(categories)])
    )
    cats = pd.Index(p.index, name="category")
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
        totals=pd.Series(totals[0], index=cats, name="total"),
        standard_errors=pd.Series(np.sqrt(np.maximum(np.diagonal(cov[0]), 0.0)), index=cats, name="se"),
    )


def _rao_scott(
    totals: np.ndarray, cov_t: np.ndarray, p: np.ndarray, order: str, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rao-Scott statistics for groups at once: totals and p are (groups x k), cov_t is
    (groups x k x k). Categories with p = 0 (and, by the callers' checks, no sampled unit)
    contribute nothing: zero rows of the Jacobian give zero eigenvalues, which change neither
    sum(lambda) nor sum(lambda^2).

    Returns X2, scale, df, p-value, Cohen's w and the eigenvalues (descending) per group; with
    no variance at all (every eigenvalue 0) scale, df and the p-value are NaN, as in R.
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
    # The design effects are of the order of the mean weight N / n; what is 1e-10 of it is
    # rounding (a cell variable under a design stratified by cells has no variance at all).
    lam = np.where(np.abs(lam) <= 1e-10 * (big_n / np.maximum(n, 1))[:, None], 0.0, lam)
    with np.errstate(divide="ignore", invalid="ignore"):
        if order == "second":
            scale = (lam**2).sum(axis=1) / lam.sum(axis=1)
            df = lam.sum(axis=1) ** 2 / (lam**2).sum(axis=1)
        else:
            df = (pos.sum(axis=1) - 1).astype(float)
            scale = lam.sum(axis=1) / df
        p_value = _chi2_sf(x2 / scale, df)
    share = totals / big_n[:, None]
    w_eff = np.sqrt(np.where(pos, (share - p) ** 2 / np.where(pos, p, 1.0), 0.0).sum(axis=1))
    return x2, scale, df, p_value, w_eff, lam


def rao_scott_by_group(
    categories: pd.Series,
    weights: pd.Series,
    expected: pd.DataFrame,
    *,
    groups: pd.Series,
    strata: pd.Series | None = None,
    fpc: pd.Series | Mapping[Hashable, float] | None = None,
    lonely: Lonely = "fail",
    order: Order = "second",
) -> pd.DataFrame:
    """:func:`rao_scott_gof` in every group (e.g. city) at once, with the design's strata.

    Each unit is its own primary sampling unit; the strata (e.g. the quota cells) are nested
    in the groups. One pass over the units gives the sums of the weights and of their squares
    by stratum and category, and one batched eigenvalue computation gives every group's test.

    Parameters
    ----------
    categories, weights : Series
        The category and design weight of each unit (same index).
    expected : DataFrame
        Groups x categories: population counts or shares. A group with a sampled unit in a
        category its population lacks is an error; units of groups not in ``expected`` are
        left out.
    groups : Series
        The group of each unit.
    strata, fpc, lonely, order
        As in :func:`rao_scott_gof` (default: each group one stratum, no fpc).

    Returns
    -------
    DataFrame
        Indexed by the groups of ``expected``: ``n, statistic, scale, df, p_value, w``.

    References
    ----------
    Rao & Scott (1981, 1984); see :func:`rao_scott_gof`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import rao_scott_by_group
    >>> cat = pd.Series(list("AABBAB"))
    >>> out = rao_scott_by_group(cat, pd.Series(2.0, index=cat.index), pd.DataFrame({"A": [1], "B": [1]}, index=["韶关市"]),
    ...                          groups=pd.Series("韶关市", index=cat.index))
    >>> float(out.loc["韶关市", "statistic"]), int(out.loc["韶关市", "n"])
    (0.0, 6)
    """
    _check_choice(order, ("first", "second"), "order")
    _check_choice(lonely, _LONELY, "lonely")
    w_all = _unit_weights(categories, weights)
    groups = _labels_of(groups, categories.index, "groups")
    if not isinstance(expected, pd.DataFrame):
        raise AuditError(
            f"expected must be a DataFrame of groups x categories, got {type(expected).__name__}"
        )
    keep = groups.isin(expected.index).to_numpy()
    cats = categories[keep]
    cols = expected.columns.union(pd.Index(pd.unique(cats)), sort=False)
    e = (
        expected.reindex(columns=cols, fill_value=0.0)
        .apply(pd.to_numeric, errors="coerce")
        .to_numpy(dtype=float)
    )
    if np.isnan(e).any() or (e < 0).any():
        raise AuditError("expected must hold non-negative numbers")
    p = e / e.sum(axis=1, keepdims=True)
    g = expected.index.get_indexer(groups[keep].to_numpy())
    cat = cols.get_indexer(cats.to_numpy())
    outside = p[g, cat] == 0
    if outside.any():
        bad: dict[Hashable, list[Hashable]] = {}
        for gi, ci in zip(g[outside], cat[outside]):
            bad.setdefault(expected.index[gi], []).append(cols[ci])
        raise AuditError(
            f"sampled units in categories the population lacks: { {k: sorted(set(v), key=str) for k, v in bad.items()} }"
        )
    sub_strata = None if strata is None else strata[keep]
    sub_fpc = fpc[keep] if isinstance(fpc, pd.Series) and fpc.index.equals(categories.index) else fpc
    stratum, labels, fpc_h, _ = _design(cats, sub_strata, None, sub_fpc, g)
    n = np.bincount(g, minlength=len(expected))
    totals, cov = _covariances(cat, w_all[keep], len(cols), g, len(expected), stratum, labels, fpc_h, lonely)
    x2, scale, df, p_value, w_eff, _ = _rao_scott(totals, cov, p, order, n)
    return pd.DataFrame(
        {"n": n, "statistic": x2, "scale": scale, "df": df, "p_value": p_value, "w": w_eff},
        index=expected.index,
    )


def pearson_by_group(counts: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """:func:`chisquare_gof` in every group at once.

    Parameters
    ----------
    counts : DataFrame
        Groups x categories: sample counts.
    expected : DataFrame
        Groups x categories: population counts or shares (normalised by row). Categories with
        a zero share are left out of a group's test; sampled units in one are an error.

    Returns
    -------
    DataFrame
        Indexed by the groups of ``expected``: ``n, statistic, df, p_value, w`` with X^2 =
        n sum (s - p)^2 / p, df = k - 1 and Cohen's w = sqrt(X^2 / n).

    References
    ----------
    Pearson (1900); Cohen (1988); see :func:`chisquare_gof`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import pearson_by_group
    >>> out = pearson_by_group(pd.DataFrame({"C": [30], "F": [10]}, index=["g"]), pd.DataFrame({"C": [1], "F": [1]}, index=["g"]))
    >>> out.loc["g", ["statistic", "df", "w"]].tolist()
    [10.0, 1.0, 0.5]
    """
    cols = expected.columns.union(counts.columns, sort=False)
    o = counts.reindex(index=expected.index, columns=cols, fill_value=0).to_numpy(dtype=float)
    e = expected.reindex(columns=cols, fill_value=0).to_numpy(dtype=float)
    if (o < 0).any() or (e < 0).any() or np.isnan(o).any() or np.isnan(e).any():
        raise AuditError("counts and expected must hold non-negative numbers")
    p = e / e.sum(axis=1, keepdims=True)
    pos = p > 0
    outside = (o > 0) & ~pos
    if outside.any():
        bad = {g: list(cols[row]) for g, row in zip(expected.index, outside) if row.any()}
        raise AuditError(f"sampled units in categories the population lacks: {bad}")
    n = o.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = o / n[:, None]
        w2 = np.where(pos, (share - p) ** 2 / np.where(pos, p, 1.0), 0.0).sum(axis=1)
    x2 = n * w2
    df = (pos.sum(axis=1) - 1).astype(float)
    return pd.DataFrame(
        {"n": n, "statistic": x2, "df": df, "p_value": _chi2_sf(x2, df), "w": np.sqrt(w2)},
        index=expected.index,
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
    return float(_kish(len(w), w.sum(), np.sum(w**2))[0])


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
    return float(_kish(len(w), w.sum(), np.sum(w**2))[1])


def _kish(n: ArrayLike, total: ArrayLike, squares: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Kish's n_eff = (sum w)^2 / sum w^2 and deff_w = n / n_eff from the three sums."""
    n_eff = np.asarray(total, dtype=float) ** 2 / np.asarray(squares, dtype=float)
    return n_eff, np.asarray(n, dtype=float) / n_eff


def kish_by_group(weights: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Kish's effective size and design effect of unequal weights in every group.

    Parameters
    ----------
    weights : Series
        Positive weights.
    groups : Series
        The group of each weight (same index).

    Returns
    -------
    DataFrame
        Indexed by group in order of appearance: ``n, kish_n_eff, deff_w``
        (:func:`kish_effective_size` and :func:`design_effect_weights` of each group).

    References
    ----------
    Kish, L. (1965). Survey Sampling. New York: Wiley, section 11.7.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.representativeness import kish_by_group
    >>> kish_by_group(pd.Series([1.0, 1.0, 2.0, 4.0, 3.0]), pd.Series(["a"] * 4 + ["b"])).round(4).to_dict("index")
    {'a': {'n': 4, 'kish_n_eff': 2.9091, 'deff_w': 1.375}, 'b': {'n': 1, 'kish_n_eff': 1.0, 'deff_w': 1.0}}
    """
    w = _weights(weights)
    if not isinstance(groups, pd.Series) or not groups.index.equals(pd.Series(weights).index):
        raise AuditError("groups must be a Series with the same index as weights")
    code, labels = pd.factorize(groups)
    sums = [np.bincount(code, weights=v, minlength=len(labels)) for v in (np.ones_like(w), w, w**2)]
    n_eff, deff = _kish(*sums)
    return pd.DataFrame({"n": sums[0].astype(np.int64), "kish_n_eff": n_eff, "deff_w": deff}, index=labels)
