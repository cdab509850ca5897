"""Series over months: the chained employment index and the employment climate index.

**Employment index** (base month = 100). Each month's report gives every enterprise's
employment at the end of the previous month (3) and of this month (4), so each month's ratio
R_t = X_t / Y_t (:func:`monitoring.estimate.estimate`) links the end of month t - 1 to the end
of month t, on the same enterprises. The index chains the links,
I_t = 100 x R_{b+1} x ... x R_t, from the end of the base month b. Chaining keeps each link
on matched enterprises while the sample changes: at the yearly replacement (the December batch,
a new design from the month it takes effect) the *link month* uses only the enterprises present
in both months' samples; the new ones are left out of that link as non-respondents of the new
design and the others reweighted within their cell (always the ``"cell"`` adjustment in a link
month: imputing the new enterprises unchanged would pull the link towards 1). Each link has its
standard error and interval. The index has its own: the links share enterprises, so their
covariances count; the index is linearised as a product of ratios (Taylor / delta method:
I = 100 prod R_s, score I sum_s z_s / R_s with z_s the enterprise's ratio score in month s)
and its variance is the stratified one over the enterprises used in any of the months, on the
design they share. This is R's ``svycontrast`` of the months' ``svyratio`` (with
``covmat = TRUE``) on one design. Across a design change (a replacement) there is no common
design and no standard error.

**Employment climate index** (用工景气指数). The documents name the index but give no formula.
It is defined here as a diffusion index in the manner of the purchasing managers' indices (the
ISM Report On Business; the Caixin/S&P Global and NBS PMIs): the weighted share of enterprises
whose employment rose plus half the share of those unchanged, times 100,

    D = 100 x (sum w 1{rose} + 0.5 sum w 1{unchanged}) / sum w,

so that 50 means as many enterprises rose as fell, above 50 expansion, below 50 contraction.
The weights are the (non-response adjusted) design weights, so D speaks for the enterprises of
the population, each counting once whatever its size. An enterprise counts as unchanged when its
change is within ``tolerance`` x its base (0 by default: exactly unchanged). D is a domain mean
(R's ``svymean`` of 1{rose} + 0.5 1{unchanged}, times 100) with its design-based standard error.

References
----------
Institute for Supply Management. *ISM Report On Business: PMI methodology* (diffusion index:
percentage reporting higher plus half the percentage reporting the same).
S&P Global (IHS Markit). *Caixin China General Manufacturing PMI: methodology* (index = share
reporting an improvement + half the share reporting no change).
国家统计局. 中国制造业采购经理指数 (PMI) 调查制度: 扩散指数 = 正向回答的百分比 + 0.5 x 回答不变的百分比.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley (``svymean``, ``svyby``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import norm

from basis.results import Result
from monitoring.design import Design, as_design
from monitoring.domains import Domains
from monitoring.estimate import BY_ZH
from monitoring.exceptions import EstimationError
from monitoring.nonresponse import EmptyCells, Nonresponse, adjust_nonresponse
from monitoring.variance import LONELY, Lonely, domain_variance
from quotas.labels import SIZE_LABELS_ZH

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sampling.sample import Sample

__all__ = [
    "CLIMATE_COLUMNS",
    "INDEX_COLUMNS",
    "ClimateIndex",
    "EmploymentIndex",
    "climate_index",
    "employment_index",
]

INDEX_COLUMNS: tuple[str, ...] = (
    "by",
    "domain",
    "month",
    "ratio",
    "se",
    "ci_low",
    "ci_high",
    "index",
    "index_se",
    "index_ci_low",
    "index_ci_high",
    "link",
    "n",
)
"""Columns of :meth:`EmploymentIndex.to_frame`: the month's ratio end / base with its standard
error and interval, the chained index (base month = 100) with its standard error and interval
(empty across a design change), whether the month is a link month (a new design), the
enterprises used."""

CLIMATE_COLUMNS: tuple[str, ...] = (
    "by",
    "domain",
    "month",
    "index",
    "se",
    "ci_low",
    "ci_high",
    "rose",
    "unchanged",
    "fell",
    "n",
)
"""Columns of :meth:`ClimateIndex.to_frame`: the diffusion index (0-100) with its standard
error and interval, the weighted shares of enterprises whose employment rose, stayed and fell."""


@dataclass(frozen=True, eq=False, repr=False)
class EmploymentIndex(Result):
    """The chained employment index by domain and month.

    Attributes
    ----------
    table : DataFrame
        :data:`INDEX_COLUMNS`; the base month's row has index 100 and no ratio.
    base_month : pandas.Period
        The month whose end is 100.
    level : float
        The confidence level of the links' intervals.
    """

    table: pd.DataFrame
    base_month: pd.Period
    level: float

    def headline(self) -> str:
        province = self.table[self.table["by"] == "province"]
        last = province.iloc[-1]
        links = int(province["link"].sum())
        return (
            f"employment index (end of {self.base_month} = 100): {last['index']:.2f} at the end of "
            f"{last['month']}, {len(province) - 1} monthly links"
            + (f", {links} of them across a sample replacement" if links else "")
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        province = self.table[self.table["by"] == "province"]
        lines = [self.headline()]
        for row in province.itertuples(index=False):
            link = "  (link month: enterprises in both samples)" if row.link else ""
            ratio = "" if np.isnan(row.ratio) else f"ratio {row.ratio:.5f} (se {row.se:.5f})"
            se = "" if np.isnan(row.index_se) else f" (se {row.index_se:.2f})"
            lines.append(f"  {row.month}  {row.index:8.2f}{se}  {ratio}{link}")
        return "\n".join(lines)

    def to_excel(self, path: str | PathLike[str], *, overwrite: bool = True) -> None:
        """Write the index with Chinese headers (sheet 就业指数), atomically; months as text
        (``2026-03``)."""
        from basis.xlsx import write_frames

        table = _zh(self.table).rename(
            columns={
                "month": "月份",
                "ratio": "月末与上月末就业人数之比",
                "se": "标准误",
                "ci_low": "置信区间下限",
                "ci_high": "置信区间上限",
                "index": f"就业指数({self.base_month}末=100)",
                "index_se": "指数标准误",
                "index_ci_low": "指数置信区间下限",
                "index_ci_high": "指数置信区间上限",
                "link": "样本轮换衔接月",
                "n": "样本企业数",
            }
        )
        write_frames(path, {"就业指数": table}, freeze=None, overwrite=overwrite)

    def plot(self, ax: Axes | None = None, *, by: str = "province") -> Axes:
        """Draw the index of each domain of ``by`` over the months; returns the Axes."""
        return _plot(self.table, "index", by, f"就业指数({self.base_month}末=100)", 100.0, ax)


@dataclass(frozen=True, eq=False, repr=False)
class ClimateIndex(Result):
    """The employment climate (diffusion) index by domain and month.

    Attributes
    ----------
    table : DataFrame
        :data:`CLIMATE_COLUMNS`.
    tolerance : float
        Relative change within which an enterprise counts as unchanged.
    level : float
        The confidence level of the intervals.
    """

    table: pd.DataFrame
    tolerance: float
    level: float

    def headline(self) -> str:
        province = self.table[self.table["by"] == "province"]
        last = province.iloc[-1]
        return (
            f"employment climate index {last['index']:.1f} (se {last['se']:.1f}) in {last['month']}: "
            f"{last['rose']:.1%} of enterprises rose, {last['unchanged']:.1%} unchanged, {last['fell']:.1%} fell"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        lines = [self.headline(), "(50 = as many rose as fell; above 50 expansion)"]
        for (by, month), rows in self.table[self.table["by"] != "province"].groupby(
            ["by", "month"], sort=False
        ):
            shown = ", ".join(f"{r.domain} {r.index:.1f}" for r in rows.itertuples())
            lines.append(f"  {month} by {by}: {shown}")
        return "\n".join(lines)

    def to_excel(self, path: str | PathLike[str], *, overwrite: bool = True) -> None:
        """Write the index with Chinese headers (sheet 用工景气指数), atomically; months as text
        (``2026-03``)."""
        from basis.xlsx import write_frames

        table = _zh(self.table).rename(
            columns={
                "month": "月份",
                "index": "用工景气指数",
                "se": "标准误",
                "ci_low": "置信区间下限",
                "ci_high": "置信区间上限",
                "rose": "就业人数增加企业占比",
                "unchanged": "就业人数持平企业占比",
                "fell": "就业人数减少企业占比",
                "n": "样本企业数",
            }
        )
        write_frames(path, {"用工景气指数": table}, freeze=None, overwrite=overwrite)

    def plot(self, ax: Axes | None = None, *, by: str = "province") -> Axes:
        """Draw the index of each domain of ``by`` over the months (50 marked); returns the Axes."""
        return _plot(self.table, "index", by, "用工景气指数", 50.0, ax)


def employment_index(
    reports: pd.DataFrame,
    design: Design | Sample | pd.DataFrame | Mapping[object, Design | Sample | pd.DataFrame],
    *,
    by: Sequence[str | Sequence[str]] = ("city", "section", "size_class"),
    base_month: object = None,
    nonresponse: Nonresponse = "cell",
    empty_cells: EmptyCells = "collapse",
    lonely: Lonely = "adjust",
    level: float = 0.95,
) -> EmploymentIndex:
    """Chain the months' ratios end / base into an employment index (module docstring).

    Parameters
    ----------
    reports : DataFrame
        The reports of consecutive months, with a ``month`` column (a ``pandas.Period`` or text
        such as ``"2026-01"``) and the columns :func:`monitoring.estimate.estimate` needs.
    design : Design, Sample, DataFrame, or a mapping of month to one of these
        The design; a mapping gives each design from the month it takes effect (the month
        after the December replacement, for example ``{"2026-01": old, "2027-01": new}``).
    by : sequence of str or of tuples of str
        The domains besides the province.
    base_month : month, optional
        The month whose end is 100: the month before the first month of ``reports`` by
        default, or any month of ``reports``.
    nonresponse, empty_cells, lonely, level
        As in :func:`monitoring.estimate.estimate` (a link month always uses ``"cell"``).

    Returns
    -------
    EmploymentIndex

    Raises
    ------
    EstimationError
        No ``month`` column, a month missing between the first and the last (the chain needs
        every link), no design in effect for a month, a base month outside the chain.

    Examples
    --------
    One stratum of 2 enterprises taken whole, two months: January's ratio (99 + 200) / (100 +
    200) = 299/300, February's (99 + 204) / (99 + 200) = 303/299, so the index at the end of
    February is 100 x 299/300 x 303/299 = 101:

    >>> import pandas as pd
    >>> design = pd.DataFrame({"enterprise_id": ["a", "b"], "city": "广州市", "section": "C",
    ...     "size_class": "large", "state_owned": False, "weight": 1.0, "fpc": 2})
    >>> reports = pd.DataFrame({"enterprise_id": ["a", "b", "a", "b"],
    ...     "month": ["2026-01", "2026-01", "2026-02", "2026-02"],
    ...     "base_employment": [100, 200, 99, 200], "end_employment": [99, 200, 99, 204]})
    >>> result = employment_index(reports, design, by=[])
    >>> result.to_frame()[["month", "index", "link"]].round({"index": 4})
         month     index   link
    0  2025-12  100.0000  False
    1  2026-01   99.6667  False
    2  2026-02  101.0000  False
    """
    _check_level(level, lonely)
    months, per_month = _months(reports)
    designs = _designs(design, months)
    quantile = float(norm.ppf(1 - (1 - level) / 2))
    frames = []
    scores: dict[tuple[str, pd.Period], _MonthScores] = {}
    for i, month in enumerate(months):
        month_design = designs[month]
        month_reports = per_month[month]
        link = i > 0 and set(month_design.table["enterprise_id"]) != set(
            designs[months[i - 1]].table["enterprise_id"]
        )
        method = nonresponse
        if link:
            both = designs[months[i - 1]].table["enterprise_id"]
            month_reports = month_reports[month_reports["enterprise_id"].isin(both)]
            method = "cell"
        adjustment = adjust_nonresponse(month_reports, month_design, method=method, empty_cells=empty_cells)
        domains = Domains(adjustment, lonely=lonely)
        data = adjustment.data
        base = data["base_employment"].to_numpy(dtype=float)
        end = data["end_employment"].to_numpy(dtype=float)
        ids = data["enterprise_id"].to_numpy()
        for family in domains.families(by):
            ratio, variance = domains.ratio(family, end, base)
            n = domains.count(family)
            ratio = np.where(n > 0, ratio, np.nan)
            se = np.where(np.isfinite(ratio), np.sqrt(variance), np.nan)
            _, unit_scores = domains.ratio_scores(family, end, base)
            scores[family.by, month] = _MonthScores(family.values, ids, family.codes, unit_scores, ratio)
            frames.append(
                pd.DataFrame(
                    {
                        "by": family.by,
                        "domain": family.values,
                        "month": month,
                        "ratio": ratio,
                        "se": se,
                        "ci_low": ratio - quantile * se,
                        "ci_high": ratio + quantile * se,
                        "link": link,
                        "n": n.astype(np.int64),
                    }
                )
            )
    links = pd.concat(frames, ignore_index=True)
    start = months[0] - 1
    base = start if base_month is None else _period(base_month, "base_month")
    if not start <= base <= months[-1]:
        raise EstimationError(
            f"base_month {base} is outside the chain, which runs from {start} to {months[-1]}"
        )
    first = links.drop_duplicates(["by", "domain"])[["by", "domain"]].assign(
        month=start, ratio=np.nan, se=np.nan, ci_low=np.nan, ci_high=np.nan, link=False, n=0
    )
    table = pd.concat([first, links], ignore_index=True)
    table = table.sort_values(["by", "domain", "month"], kind="stable")
    # chained product; a domain without a ratio in some month has no index from then on
    factor = table["ratio"].where(table["month"] != start, 1.0)
    table["index"] = 100 * factor.groupby([table["by"], table["domain"]], sort=False).transform(
        lambda part: np.cumprod(part.to_numpy())
    )
    at_base = table.loc[table["month"] == base].set_index(["by", "domain"])["index"]
    keys = pd.MultiIndex.from_frame(table[["by", "domain"]])
    table["index"] = 100 * table["index"].to_numpy() / at_base.reindex(keys).to_numpy()
    table = _family_order(table, links)
    table["index_se"] = _index_se(table, scores, designs, months, base, lonely)
    table["index_ci_low"] = table["index"] - quantile * table["index_se"]
    table["index_ci_high"] = table["index"] + quantile * table["index_se"]
    return EmploymentIndex(table=table[list(INDEX_COLUMNS)], base_month=base, level=level)


@dataclass(frozen=True)
class _MonthScores:
    """One month and grouping: its domains, the enterprises used, their domain codes and ratio
    scores, and the domains' ratios."""

    values: list[object]
    ids: np.ndarray
    codes: np.ndarray
    scores: np.ndarray
    ratio: np.ndarray


def _index_se(
    table: pd.DataFrame,
    scores: dict[tuple[str, pd.Period], _MonthScores],
    designs: dict,
    months: list[pd.Period],
    base: pd.Period,
    lonely: Lonely,
) -> np.ndarray:
    """The standard error of each row's index I_t / I_b x 100 = 100 x prod R_s^(+-1).

    Taylor linearisation: the score of enterprise i is sum_s c_s z_is / R_s (c_s = +1 for
    the months after the base, -1 before it; z_is its ratio score in month s, 0 in a month it
    was not used), times the index; its variance is the stratified one over the enterprises
    used in any of the months, in the strata of the one design they share. Months on both
    sides of a design change (a replacement) have no common design: no standard error.
    """
    out = np.full(len(table), np.nan)
    month_values = table["month"].to_numpy()
    by_values = table["by"].to_numpy()
    domain_values = table["domain"].to_numpy()
    index_values = table["index"].to_numpy(dtype=float)
    for by in pd.unique(by_values):
        for t in pd.unique(month_values[by_values == by]):
            rows = np.flatnonzero((by_values == by) & (month_values == t))
            if t == base:
                out[rows] = 0.0
                continue
            span = [s for s in months if min(t, base) < s <= max(t, base)]
            design = designs[span[0]]
            if any(designs[s] is not design for s in span):
                continue
            sign = 1.0 if t > base else -1.0
            parts = []
            for s in span:
                month = scores[by, s]
                with np.errstate(divide="ignore", invalid="ignore"):
                    per_ratio = month.ratio[np.maximum(month.codes, 0)]
                    term = np.where(month.codes >= 0, sign * month.scores / per_ratio, 0.0)
                parts.append(pd.DataFrame({"id": month.ids, "code": month.codes, "term": term}))
            combined = (
                pd.concat(parts).groupby("id", sort=False).agg(code=("code", "first"), term=("term", "sum"))
            )
            values = scores[by, span[0]].values
            units = design.table.set_index("enterprise_id")
            stratum_of = design.table.groupby(
                list(design.strata), sort=True, dropna=False, observed=True
            ).ngroup()
            stratum_of.index = units.index
            fpc = design.strata_table()["fpc"].to_numpy(dtype=float)
            codes = combined["code"].to_numpy()
            variance = domain_variance(
                np.nan_to_num(combined["term"].to_numpy(dtype=float), nan=0.0, posinf=0.0, neginf=0.0),
                stratum_of.loc[combined.index].to_numpy(),
                np.maximum(codes, 0),
                fpc,
                domains=len(values),
                lonely=lonely,
            )
            position = {v: k for k, v in enumerate(values)}
            for row in rows:
                k = position.get(domain_values[row])
                if k is not None:
                    out[row] = index_values[row] * np.sqrt(variance[k])
    return out


def climate_index(
    reports: pd.DataFrame,
    design: Design | Sample | pd.DataFrame | Mapping[object, Design | Sample | pd.DataFrame],
    *,
    by: Sequence[str | Sequence[str]] = ("city", "section", "size_class"),
    tolerance: float = 0.0,
    nonresponse: Nonresponse = "cell",
    empty_cells: EmptyCells = "collapse",
    lonely: Lonely = "adjust",
    level: float = 0.95,
) -> ClimateIndex:
    """The employment climate index (用工景气指数), a diffusion index, by domain and month.

    Parameters
    ----------
    reports : DataFrame
        One or more months' reports (a ``month`` column when several).
    design : Design, Sample, DataFrame, or a mapping of month to one of these
        As in :func:`employment_index`.
    by : sequence of str or of tuples of str
        The domains besides the province (region, industry, size by default).
    tolerance : float
        An enterprise whose change is within ``tolerance`` x its base counts as unchanged
        (0: only an exactly unchanged employment).
    nonresponse, empty_cells, lonely, level
        As in :func:`monitoring.estimate.estimate`.

    Returns
    -------
    ClimateIndex

    Examples
    --------
    Four enterprises of one cell (taken whole), weights 1, 1, 2, 4: the first rose, the
    second is unchanged, the third and fourth fell; by hand D = 100 x (1 + 0.5 x 1) / 8 = 18.75:

    >>> import pandas as pd
    >>> design = pd.DataFrame({"enterprise_id": list("abcd"), "city": "广州市", "section": "C",
    ...     "size_class": "small", "state_owned": False, "weight": [1.0, 1, 2, 4], "fpc": 4})
    >>> reports = pd.DataFrame({"enterprise_id": list("abcd"), "base_employment": [10, 10, 10, 10],
    ...                         "end_employment": [11, 10, 9, 8]})
    >>> float(climate_index(reports, design, by=[]).to_frame()["index"].iloc[0])
    18.75
    """
    _check_level(level, lonely)
    if not (np.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a number >= 0, got {tolerance!r}")
    if "month" not in reports.columns:
        reports = reports.assign(month=pd.NA)
    months, per_month = _months(reports, gaps=False)
    designs = _designs(design, months)
    quantile = float(norm.ppf(1 - (1 - level) / 2))
    frames = []
    for month in months:
        adjustment = adjust_nonresponse(
            per_month[month], designs[month], method=nonresponse, empty_cells=empty_cells
        )
        domains = Domains(adjustment, lonely=lonely)
        data = adjustment.data
        base = data["base_employment"].to_numpy(dtype=float)
        change = data["end_employment"].to_numpy(dtype=float) - base
        same = np.abs(change) <= tolerance * base
        rose = (change > 0) & ~same
        fell = (change < 0) & ~same
        diffusion = 100 * (rose + 0.5 * same)
        for family in domains.families(by):
            index, variance = domains.mean(family, diffusion)
            n = domains.count(family)
            index = np.where(n > 0, index, np.nan)
            se = np.where(n > 0, np.sqrt(variance), np.nan)
            frames.append(
                pd.DataFrame(
                    {
                        "by": family.by,
                        "domain": family.values,
                        "month": month,
                        "index": index,
                        "se": se,
                        "ci_low": index - quantile * se,
                        "ci_high": index + quantile * se,
                        "rose": np.where(n > 0, domains.mean(family, rose.astype(float))[0], np.nan),
                        "unchanged": np.where(n > 0, domains.mean(family, same.astype(float))[0], np.nan),
                        "fell": np.where(n > 0, domains.mean(family, fell.astype(float))[0], np.nan),
                        "n": n.astype(np.int64),
                    }
                )
            )
    table = pd.concat(frames, ignore_index=True)
    return ClimateIndex(
        table=table[list(CLIMATE_COLUMNS)].reset_index(drop=True), tolerance=tolerance, level=level
    )


def _check_level(level: float, lonely: str) -> None:
    if lonely not in LONELY:
        raise ValueError(f"lonely must be one of {', '.join(map(repr, LONELY))}, got {lonely!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")


def _period(value: object, name: str) -> pd.Period:
    try:
        return pd.Period(str(value), freq="M")
    except (ValueError, TypeError) as exc:
        raise EstimationError(f"{name}: {value!r} is not a month (write it as 2026-03)") from exc


def _months(reports: pd.DataFrame, *, gaps: bool = True) -> tuple[list, dict]:
    """The months of the reports in order (Periods, or [None] for undated reports of one month)."""
    if not isinstance(reports, pd.DataFrame) or "month" not in reports.columns:
        raise EstimationError("reports: a 'month' column is needed to tell the months apart")
    if reports["month"].isna().all():
        return [None], {None: reports}
    if reports["month"].isna().any():
        i = int(np.flatnonzero(reports["month"].isna().to_numpy())[0])
        raise EstimationError(f"reports: month is blank for enterprise {reports['enterprise_id'].iloc[i]!r}")
    periods = pd.Series([_period(m, "month") for m in reports["month"]], index=reports.index)
    months = sorted(periods.unique())
    if gaps:
        missing = [str(m) for m in pd.period_range(months[0], months[-1], freq="M") if m not in set(months)]
        if missing:
            raise EstimationError(
                f"reports: no reports for {', '.join(missing)}; the index chains every month from "
                f"{months[0]} to {months[-1]}"
            )
    return months, {m: reports[periods == m] for m in months}


def _designs(design: object, months: list) -> dict:
    """The design in effect for each month (the latest one taking effect on or before it)."""
    if not isinstance(design, Mapping):
        one = as_design(design)
        return dict.fromkeys(months, one)
    starts = sorted((_period(k, "design month"), as_design(v)) for k, v in design.items())
    out = {}
    for month in months:
        if month is None:
            raise EstimationError("reports without a month column need one design, not a mapping")
        effective = [d for start, d in starts if start <= month]
        if not effective:
            raise EstimationError(
                f"no design in effect for {month}: the first takes effect in {starts[0][0]}"
            )
        out[month] = effective[-1]
    return out


def _family_order(table: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """The province first, then the groupings in the order asked; months in order."""
    order = {b: i for i, b in enumerate(links["by"].unique())}
    return (
        table.assign(_f=table["by"].map(order))
        .sort_values(["_f", "domain", "month"], kind="stable")
        .drop(columns="_f")
        .reset_index(drop=True)
    )


def _zh(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out["by"] = out["by"].map(lambda b: BY_ZH.get(b, b))
    out["domain"] = out["domain"].map(lambda d: "全省" if d == "all" else SIZE_LABELS_ZH.get(d, d))
    out["month"] = out["month"].astype(str)
    return out.rename(columns={"by": "分组", "domain": "组别"})


def _plot(table: pd.DataFrame, column: str, by: str, title: str, reference: float, ax: Axes | None) -> Axes:
    import matplotlib.pyplot as plt

    from quotas.plotting import cjk_font

    rows = table[table["by"] == by]
    if rows.empty:
        raise ValueError(f"by must be one of {', '.join(map(repr, table['by'].unique()))}, got {by!r}")
    with cjk_font():
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4))
        for domain, part in rows.groupby("domain", sort=False):
            label = "全省" if domain == "all" else SIZE_LABELS_ZH.get(str(domain), str(domain))
            ax.plot(part["month"].astype(str), part[column], marker="o", label=label)
        ax.axhline(reference, color="grey", linewidth=0.8, linestyle="--")
        ax.set_title(title)
        ax.set_xlabel("月份")
        if rows["domain"].nunique() > 1:
            ax.legend(fontsize="small")
    return ax
