"""Estimates of a month's employment and its change, with design-based standard errors.

For the province and each domain (a city, an industry section, a size class, or any column of
the design or the reports), with w_i the non-response adjusted weights
(:mod:`monitoring.nonresponse`), y_i the base employment (3) and x_i the end employment (4):

=================== ====================================== =====================================
measure             estimator                               linearised score z_i (in the domain)
=================== ====================================== =====================================
``base_employment`` Y = sum w_i y_i                         w_i y_i
``end_employment``  X = sum w_i x_i                         w_i x_i
``change``          X - Y                                   w_i (x_i - y_i)
``ratio``           R = X / Y                               w_i (x_i - R y_i) / Y
``change_rate``     100 (R - 1), in per cent                100 w_i (x_i - R y_i) / Y
``fell_share``      P = sum w_i 1{x_i < y_i} / sum w_i      w_i (1{x_i < y_i} - P) / sum w_i
=================== ====================================== =====================================

Each variance is the stratified without-replacement variance of the total of the scores
(:func:`monitoring.variance.domain_variance`): strata = the design's cells, finite population
correction 1 - n_h / N_h, scores 0 outside the domain (domain estimation over the full design).
The ratio and the share are linearised (Taylor series, first order; Wolter 2007, ch. 6); the
numbers are R survey's ``svytotal``, ``svyratio`` and ``svymean`` under ``svyby``, the 95%
interval R's ``confint`` (normal quantile). A closure is an enterprise whose end employment is
0: it stays in, as a job loss.

References
----------
Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley, sections 5.3 and 6.11.
Särndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*.
Springer, sections 5.6 (Taylor linearisation) and 10.3 (domains).
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed. Springer, ch. 6.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley; R package survey
4.1.1 (``svydesign``, ``svytotal``, ``svyratio``, ``svymean``, ``svyby``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import norm

from basis.results import Result
from monitoring.columns import HEADERS_ZH
from monitoring.design import Design
from monitoring.domains import Domains
from monitoring.exceptions import EstimationError
from monitoring.nonresponse import Adjustment, EmptyCells, Nonresponse, adjust_nonresponse
from monitoring.variance import LONELY, Lonely
from quotas.labels import SIZE_LABELS_ZH

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sampling.sample import Sample

__all__ = ["BY_ZH", "ESTIMATE_COLUMNS", "MEASURES", "MEASURE_ZH", "Estimates", "estimate"]

MEASURES: tuple[str, ...] = (
    "base_employment",
    "end_employment",
    "change",
    "ratio",
    "change_rate",
    "fell_share",
)
"""The measures estimated for each domain (module docstring)."""

MEASURE_ZH: dict[str, str] = {
    **{m: HEADERS_ZH[m] for m in ("base_employment", "end_employment", "change")},
    "ratio": "调查期与建档期就业人数之比",
    "change_rate": HEADERS_ZH["change_rate"],
    "fell_share": "就业人数减少企业占比",
}
"""The measures' Chinese names (the form's headers where the form has the measure)."""

BY_ZH: dict[str, str] = {
    "province": "全省",
    "city": "城市",
    "section": "行业门类",
    "size_class": "企业规模",
    "state_owned": "是否国有",
}

ESTIMATE_COLUMNS: tuple[str, ...] = (
    "by",
    "domain",
    "measure",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "cv",
    "n",
)
"""The columns of :meth:`Estimates.to_frame`: the grouping (``province`` or a column name),
its value (``all`` for the province), the measure, the estimate, its standard error, the
interval, the coefficient of variation se / |estimate| and the number of enterprises used."""

# How each measure is shown in text and HTML (totals in whole persons).
_FORMATS = {"ratio": "{:.4f}", "change_rate": "{:+.2f}", "fell_share": "{:.1%}"}

_HEADERS_ZH = {
    "by": "分组",
    "domain": "组别",
    "measure": "指标",
    "estimate": "估计值",
    "se": "标准误",
    "ci_low": "置信区间下限",
    "ci_high": "置信区间上限",
    "cv": "变异系数",
    "n": "样本企业数",
}


@dataclass(frozen=True, eq=False, repr=False)
class Estimates(Result):
    """A month's estimates for the province and its domains.

    Attributes
    ----------
    table : DataFrame
        :data:`ESTIMATE_COLUMNS`, one row per grouping, domain and measure.
    adjustment : Adjustment
        The respondents and their adjusted weights (:func:`monitoring.nonresponse.adjust_nonresponse`).
    month : str or None
        The reports' month, when they have a ``month`` column.
    level : float
        The confidence level of the intervals.
    lonely : str
        The rule for strata with one enterprise (:mod:`monitoring.variance`).
    """

    table: pd.DataFrame
    adjustment: Adjustment
    month: str | None
    level: float
    lonely: str

    def headline(self) -> str:
        def get(measure: str) -> pd.Series:
            return self.get("province", "all", measure)

        end, rate, fell = get("end_employment"), get("change_rate"), get("fell_share")
        return (
            f"{self.month + ': ' if self.month else ''}end employment {end['estimate']:,.0f} "
            f"(se {end['se']:,.0f}), change {rate['estimate']:+.2f}% (se {rate['se']:.2f}), "
            f"{fell['estimate']:.1%} of enterprises fell; {self.adjustment.headline()}"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def get(self, by: str, domain: object, measure: str) -> pd.Series:
        """One row of the table: the estimate of ``measure`` in ``domain`` of grouping ``by``."""
        t = self.table
        row = t[(t["by"] == by) & (t["domain"] == domain) & (t["measure"] == measure)]
        if row.empty:
            raise KeyError(f"no estimate of {measure!r} for {by} = {domain!r}")
        return row.iloc[0]

    def wide(self, measure: str = "change_rate") -> pd.DataFrame:
        """One measure, one row per grouping and domain: ``by, domain, estimate, se, ci_low, ci_high, cv, n``."""
        if measure not in MEASURES:
            raise ValueError(f"measure must be one of {', '.join(map(repr, MEASURES))}, got {measure!r}")
        rows = self.table[self.table["measure"] == measure]
        return rows.drop(columns="measure").reset_index(drop=True)

    def _repr_html_(self) -> str:
        """The summary, then one row per domain: each measure as estimate (se), formatted."""

        def shown(row: pd.Series) -> str:
            if np.isnan(row["estimate"]):
                return ""
            fmt = _FORMATS.get(row["measure"], "{:,.0f}")
            return f"{fmt.format(row['estimate'])} ({fmt.format(row['se']).lstrip('+')})"

        table = self.table.assign(text=self.table.apply(shown, axis=1))
        wide = table.pivot_table(
            index=["by", "domain"], columns="measure", values="text", aggfunc="first", sort=False
        )
        wide = wide[list(MEASURES)].reset_index()
        wide["n"] = table.drop_duplicates(["by", "domain"])["n"].to_numpy()
        text = html.escape(self.summary().split("\n", 1)[0] + "\n" + self.adjustment.summary()).replace(
            "\n", "<br>"
        )
        return f"<div><p>{text}</p>{wide.to_html(index=False, na_rep='')}</div>"

    def plot(self, ax: Axes | None = None, *, measure: str = "change_rate", by: str = "city") -> Axes:
        """Draw ``measure`` for each domain of ``by`` with its interval (the province as a line).

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        from quotas.plotting import cjk_font

        rows = self.wide(measure)
        families = [b for b in rows["by"].unique() if b != "province"]
        if by not in families:
            raise ValueError(f"by must be one of {', '.join(map(repr, families))}, got {by!r}")
        part = rows[rows["by"] == by].iloc[::-1]
        province = rows[rows["by"] == "province"].iloc[0]
        with cjk_font():
            if ax is None:
                _, ax = plt.subplots(figsize=(7, 0.35 * len(part) + 1.5))
            position = np.arange(len(part))
            ax.errorbar(
                part["estimate"],
                position,
                xerr=[part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]],
                fmt="o",
                capsize=3,
            )
            ax.axvline(province["estimate"], color="grey", linestyle="--", linewidth=0.8, label="全省")
            ax.set_yticks(position, [_domain_zh(by, d) for d in part["domain"]])
            name = MEASURE_ZH.get(measure, measure)
            ax.set_xlabel(f"{name}({self.level:.0%} 置信区间)")
            ax.set_title(f"各{BY_ZH.get(by, by)}{name}{' ' + self.month if self.month else ''}")
            ax.legend(fontsize="small")
        return ax

    def summary(self) -> str:
        lines = [
            f"Employment estimates{' for ' + self.month if self.month else ''} ({self.level:.0%} intervals)"
        ]
        lines.append(self.adjustment.summary())
        province = self.table[self.table["by"] == "province"]
        for row in province.itertuples(index=False):
            f = _FORMATS.get(row.measure, "{:,.0f}").format
            lines.append(
                f"  {row.measure:<16} {f(row.estimate):>14}  se {f(row.se).lstrip('+'):>10}  "
                f"[{f(row.ci_low)}, {f(row.ci_high)}]"
            )
        rates = self.table[(self.table["by"] != "province") & (self.table["measure"] == "change_rate")]
        for by, rows in rates.groupby("by", sort=False):
            shown = ", ".join(f"{r.domain} {r.estimate:+.2f}% ({r.se:.2f})" for r in rows.itertuples())
            lines.append(f"change rate by {by}: {shown}")
        return "\n".join(lines)

    def to_excel(self, path: str | PathLike[str], *, overwrite: bool = True) -> None:
        """Write the estimates with Chinese headers (sheets 估计结果, 无回答调整, 说明), atomically."""
        from basis.xlsx import write_frames

        table = self.table.copy()
        table["by"] = table["by"].map(lambda b: BY_ZH.get(b, b))
        table["domain"] = table["domain"].map(lambda d: "全省" if d == "all" else SIZE_LABELS_ZH.get(d, d))
        table["measure"] = table["measure"].map(MEASURE_ZH)
        table = table.rename(columns=_HEADERS_ZH)
        cells = self.adjustment.cells.rename(
            columns={
                "city": "城市",
                "section": "行业门类",
                "size_class": "企业规模",
                "state_owned": "是否国有",
                "n": "监测企业数",
                "respondents": "报送企业数",
                "fpc": "名录企业数",
                "factor": "权数调整系数",
                "collapsed_into": "并入组",
            }
        )
        notes = pd.DataFrame(
            {
                "说明": [
                    f"月份: {self.month or ''}",
                    f"置信水平: {self.level:.0%} (正态分位数)",
                    "抽样设计: 按监测配额单元分层的不放回抽样, 含有限总体校正; 比率与占比用泰勒线性化;"
                    " 分组估计在全样本设计上进行 (与R survey包的svyby相同)",
                    f"无回答调整: {_METHOD_ZH[self.adjustment.method]}",
                    f"单一样本层: {self.lonely}",
                    "关闭破产企业计为调查期就业人数0 (减员), 不作无回答处理",
                ]
            }
        )
        sheets = {"估计结果": table, "无回答调整": cells, "说明": notes}
        write_frames(path, sheets, freeze=None, overwrite=overwrite)


_METHOD_ZH = {
    "cell": "在配额单元内按报送企业放大权数; 无企业报送的单元并入同城市同行业(再同城市)的单元",
    "unchanged": "未报送企业按就业人数不变插补",
}


def estimate(
    reports: pd.DataFrame,
    design: Design | Sample | pd.DataFrame,
    *,
    by: Sequence[str | Sequence[str]] = ("city", "section", "size_class"),
    nonresponse: Nonresponse = "cell",
    empty_cells: EmptyCells = "collapse",
    lonely: Lonely = "adjust",
    level: float = 0.95,
) -> Estimates:
    """Estimate a month's employment, its change and the share of enterprises that fell.

    Parameters
    ----------
    reports : DataFrame
        One month's reports (附表一 rows): ``enterprise_id, base_employment, end_employment``,
        optionally ``month``, ``change`` and the form's other columns.
    design : Design, Sample or DataFrame
        The monitored enterprises' design (:func:`monitoring.design.as_design`).
    by : sequence of str or of tuples of str
        The domains besides the province: each a column of the design or the reports, or a
        tuple of columns for crossed domains (``("city", "size_class")``).
    nonresponse : {"cell", "unchanged"}
        The non-response adjustment (:mod:`monitoring.nonresponse`).
    empty_cells : {"collapse", "error"}
        With ``nonresponse="cell"``, a cell where nobody responded.
    lonely : {"adjust", "average", "remove", "fail"}
        A stratum with one enterprise in the data (:mod:`monitoring.variance`); ``"adjust"``
        is R's ``options(survey.lonely.psu = "adjust")``.
    level : float
        The confidence level of the intervals, in (0, 1).

    Returns
    -------
    Estimates

    Raises
    ------
    EstimationError
        Reports of several months, a ``by`` column that does not exist, and the errors of
        :func:`monitoring.nonresponse.adjust_nonresponse`.

    Examples
    --------
    Two cells, 4 of 20 and all 2 of 2 (taken whole) monitored; hand calculation of the change
    rate: X / Y = (5 (90 + 110 + 100 + 95) + 60 + 40) / (5 (100 + 100 + 100 + 100) + 50 + 50)
    = 2075 / 2100:

    >>> import pandas as pd
    >>> design = pd.DataFrame({"enterprise_id": list("abcdef"), "city": "广州市", "section": "C",
    ...     "size_class": ["small"] * 4 + ["large"] * 2, "state_owned": False,
    ...     "weight": [5.0] * 4 + [1.0] * 2, "fpc": [20] * 4 + [2] * 2})
    >>> reports = pd.DataFrame({"enterprise_id": list("abcdef"),
    ...     "base_employment": [100, 100, 100, 100, 50, 50],
    ...     "end_employment": [90, 110, 100, 95, 60, 40]})
    >>> result = estimate(reports, design, by=["size_class"])
    >>> row = result.get("province", "all", "ratio")
    >>> bool(abs(row["estimate"] - 2075 / 2100) < 1e-12)
    True

    The share that fell: a, d and f, with weights 5 + 5 + 1 of 5 x 4 + 1 x 2 = 22:

    >>> result.wide("fell_share")[["by", "domain", "estimate", "n"]]
               by domain  estimate  n
    0    province    all       0.5  6
    1  size_class  large       0.5  2
    2  size_class  small       0.5  4
    """
    if lonely not in LONELY:
        raise ValueError(f"lonely must be one of {', '.join(map(repr, LONELY))}, got {lonely!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    month = _month(reports)
    adjustment = adjust_nonresponse(reports, design, method=nonresponse, empty_cells=empty_cells)
    table = domain_estimates(adjustment, by=by, lonely=lonely, level=level)
    return Estimates(table=table, adjustment=adjustment, month=month, level=level, lonely=lonely)


def domain_estimates(
    adjustment: Adjustment,
    *,
    by: Sequence[str | Sequence[str]] = ("city", "section", "size_class"),
    lonely: Lonely = "adjust",
    level: float = 0.95,
) -> pd.DataFrame:
    """The table of :func:`estimate` from an :class:`~monitoring.nonresponse.Adjustment`
    (:data:`ESTIMATE_COLUMNS`); for reusing one adjustment with other domains."""
    domains = Domains(adjustment, lonely=lonely)
    quantile = float(norm.ppf(1 - (1 - level) / 2))
    data = adjustment.data
    base = data["base_employment"].to_numpy(dtype=float)
    end = data["end_employment"].to_numpy(dtype=float)
    frames = []
    for family in domains.families(by):
        ratio, ratio_var = domains.ratio(family, end, base)
        base_total, base_var = domains.total(family, base)
        end_total, end_var = domains.total(family, end)
        change, change_var = domains.total(family, end - base)
        results = {
            "base_employment": (base_total, base_var),
            "end_employment": (end_total, end_var),
            "change": (change, change_var),
            "ratio": (ratio, ratio_var),
            "change_rate": (100 * (ratio - 1), 100**2 * ratio_var),
            "fell_share": domains.mean(family, (end < base).astype(float)),
        }
        n = domains.count(family)
        for measure, (est, var) in results.items():
            frames.append(_rows(family.by, family.values, measure, est, var, n, quantile))
    table = pd.concat(frames, ignore_index=True)
    # one block per domain, the measures in their order
    domain_order = table.groupby(["by", "measure"], sort=False).cumcount()
    family_order = table["by"].map({b: i for i, b in enumerate(table["by"].unique())})
    measure_order = table["measure"].map({m: i for i, m in enumerate(MEASURES)})
    order = np.lexsort((measure_order, domain_order, family_order))
    return table.iloc[order].reset_index(drop=True)[list(ESTIMATE_COLUMNS)]


def _rows(
    by: str,
    values: list[object],
    measure: str,
    est: np.ndarray,
    var: np.ndarray,
    n: np.ndarray,
    quantile: float,
) -> pd.DataFrame:
    """Rows of the estimates table; a domain without enterprises has no estimate."""
    empty = n == 0
    est = np.where(empty, np.nan, est)
    se = np.where(empty | ~np.isfinite(est), np.nan, np.sqrt(var))
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(est != 0, se / np.abs(est), np.nan)
    return pd.DataFrame(
        {
            "by": by,
            "domain": values,
            "measure": measure,
            "estimate": est,
            "se": se,
            "ci_low": est - quantile * se,
            "ci_high": est + quantile * se,
            "cv": cv,
            "n": n.astype(np.int64),
        }
    )


def _month(reports: pd.DataFrame) -> str | None:
    if not isinstance(reports, pd.DataFrame) or "month" not in reports.columns:
        return None
    months = reports["month"].dropna().astype(str).unique()
    if len(months) > 1:
        raise EstimationError(
            f"reports of {len(months)} months ({', '.join(sorted(months)[:5])}): estimate one month "
            "at a time, or use monitoring.series for several"
        )
    return str(months[0]) if len(months) else None


def _domain_zh(by: str, domain: object) -> str:
    """A domain as a bureau reads it: size classes and ownership in Chinese, names and codes as they are."""
    if by == "size_class":
        return SIZE_LABELS_ZH.get(str(domain), str(domain))
    if by == "state_owned":
        return "国有" if str(domain) == "True" else "非国有"
    return str(domain)
