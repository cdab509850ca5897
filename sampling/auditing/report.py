"""The audit's result: :class:`AuditReport`, its plain-text, Jupyter, Excel and plot views.

What needs attention comes first everywhere: failures, then warnings, then checks that could
not be made; the passes are counted, not listed, except in the full table
(:meth:`AuditReport.to_frame`) and the city sheets of the workbook. What a city bureau reads
(the workbook, the Jupyter view, the plot) is in Chinese; the English messages stay in
``to_frame()`` and the plain-text summary for logs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from basis.results import Result
from quotas.checks import CHECK_COLUMNS, PROVINCE
from quotas.labels import SECTOR_LABELS_ZH, SIZE_LABELS_ZH
from quotas.rules import RuleSet
from quotas.sheets import OWNERSHIP_LABELS_ZH
from sampling.auditing.labels import DIMENSION_ZH, KIND_ZH, STATUS_COLOURS, STATUS_ZH, rule_zh
from sampling.auditing.represent import DIMENSIONS
from sampling.exceptions import AuditError

__all__ = ["RESULT_COLUMNS", "AuditReport", "main_table"]

RESULT_COLUMNS: tuple[str, ...] = (*CHECK_COLUMNS, "kind", "rule_zh")
"""The columns of :attr:`AuditReport.results`: the pipeline's audit columns, then ``kind``
(hard / soft) and ``rule_zh`` (the check's Chinese name)."""

_ATTENTION = {"fail": 0, "warn": 1, "skipped": 2, "pass": 3}
# Plot labels within the shipped font subset (tools/subset_cjk_font.py's captions).


@dataclass(frozen=True, eq=False, repr=False)
class AuditReport(Result):
    """The result of :func:`sampling.audit`.

    Attributes
    ----------
    results : DataFrame
        One row per city and check: :data:`RESULT_COLUMNS` (``city, rule, observed, limit,
        status, message_zh, message_en, kind, rule_zh``).
    representativeness : DataFrame
        One row per city (and :data:`quotas.checks.PROVINCE` for the whole sample) and
        dimension: ``city, dimension, method, n, dissimilarity, w, statistic, scale, df,
        p_value, status``.
    shares : DataFrame
        ``city, dimension, category, sample_share, population_share`` (weighted sample shares
        when weights were given; the population is the register).
    coverage : DataFrame
        ``city, sample_employment, population_employment, coverage`` (empty without employees
        or a register).
    weights : DataFrame
        ``city, n, kish_n_eff, deff_w`` (empty without weights).
    rules : RuleSet
        The rule set checked.
    n_enterprises : int
        Enterprises audited (the roles panel and new).
    notes : tuple of str
        What the audit did not check or left out, and the approximations it made.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.auditing import audit
    >>> s = pd.DataFrame({"enterprise_id": ["A1", "A2", "A2"], "city": "韶关", "section": "G",
    ...                   "size_class": "small", "state_owned": False})
    >>> report = audit(s, rules="mohrss-2009")
    >>> report.passed
    False
    >>> report
    <AuditReport: Audit of 3 enterprises in 1 cities against 'mohrss-2009': FAILED (2 fail, 0 warn, 2 skipped, 1 pass)>
    >>> report.to_frame().query("status == 'fail'")[["rule", "rule_zh", "observed", "limit"]].values.tolist()
    [['min_count', '监测企业数量下限', 3.0, 30.0], ['duplicates', '企业重复列报', 1.0, 0.0]]
    """

    results: pd.DataFrame
    representativeness: pd.DataFrame
    shares: pd.DataFrame
    coverage: pd.DataFrame
    weights: pd.DataFrame
    rules: RuleSet
    n_enterprises: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when no check failed (warnings and skipped checks do not fail a sample)."""
        return not (self.results["status"] == "fail").any()

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`results`: the pipeline's audit columns first."""
        return self.results.copy()

    def counts(self) -> dict[str, int]:
        """Number of rows per status."""
        vc = self.results["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in ("pass", "fail", "warn", "skipped")}

    def attention(self) -> pd.DataFrame:
        """The rows that did not pass: failures first, then warnings, then skipped checks."""
        rows = self.results[self.results["status"] != "pass"]
        return rows.sort_values("status", key=lambda s: s.map(_ATTENTION), kind="stable")

    def headline(self) -> str:
        """The verdict in one line, with the number of rows per status."""
        c = self.counts()
        cities = self.results.loc[self.results["city"] != PROVINCE, "city"].nunique()
        verdict = "PASSED" if self.passed else "FAILED"
        return (
            f"Audit of {self.n_enterprises} enterprises in {cities} cities against {self.rules.name!r}: "
            f"{verdict} ({c['fail']} fail, {c['warn']} warn, {c['skipped']} skipped, {c['pass']} pass)"
        )

    def summary(self) -> str:
        """Plain text: the verdict, then every row that did not pass, then the notes."""
        lines = [self.headline()]
        problems = self.attention()
        if len(problems):
            lines.append(_text_table(problems))
        if len(self.coverage):
            cov = self.coverage
            lines.append(
                "Employment covered: "
                + ", ".join(
                    f"{r.city} {100 * r.coverage:.1f}%" for r in cov.itertuples() if pd.notna(r.coverage)
                )
            )
        if len(self.weights):
            lines.append(
                "Weights (Kish): "
                + ", ".join(
                    f"{r.city} n_eff {r.kish_n_eff:.1f}, deff {r.deff_w:.2f}"
                    for r in self.weights.itertuples()
                )
            )
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        c = self.counts()
        verdict = "通过 PASSED" if self.passed else "不通过 FAILED"
        colour = STATUS_COLOURS["pass" if self.passed else "fail"]
        counts = "，".join(f"{STATUS_ZH[s]} {c[s]:,}" for s in ("fail", "warn", "skipped", "pass"))
        parts = [
            f'<div><p style="background-color:{colour};padding:4px"><b>审核 {html.escape(self._rules_name())}：'
            f"{verdict}</b>（{self.n_enterprises:,} 户企业；{counts}）</p>"
        ]
        # Failures and warnings lead, one row each (the first _HTML_ROWS of them: a national audit
        # has over a thousand); skipped checks and passes are collapsed into counts per check.
        everything = self.attention()
        problems = everything[everything["status"] != "skipped"]
        if len(problems):
            head = "".join(
                f"<th>{h}</th>" for h in ("结果", "城市", "检查项", "观测值", "限值", "说明", "类型")
            )
            body = []
            for row in problems.head(_HTML_ROWS).itertuples(index=False):
                cells = [
                    STATUS_ZH.get(row.status, row.status),
                    row.city,
                    row.rule_zh,
                    _num(row.observed),
                    _num(row.limit),
                    row.message_zh,
                    KIND_ZH.get(row.kind, row.kind),
                ]
                body.append(
                    f'<tr style="background-color:{STATUS_COLOURS.get(row.status, "#ffffff")}">'
                    + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells)
                    + "</tr>"
                )
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
            if len(problems) > _HTML_ROWS:
                parts.append(
                    f"<p>另有 {len(problems) - _HTML_ROWS:,} 行不通过或提示未列出"
                    "（全部在 attention() 和 to_excel 中）</p>"
                )
        for status in ("skipped", "pass"):
            rows = self.results[self.results["status"] == status]
            if len(rows):
                per_rule = rows.groupby("rule_zh", sort=False).size()
                text = "；".join(f"{html.escape(str(r))} {n:,} 个城市" for r, n in per_rule.items())
                parts.append(
                    f'<p style="background-color:{STATUS_COLOURS[status]}">{STATUS_ZH[status]}：{text}</p>'
                )
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        return "".join(parts) + "</div>"

    def _rules_name(self) -> str:
        return getattr(self.rules, "document", "") or self.rules.name

    def to_excel(self, path: str | PathLike[str], *, overwrite: bool = True) -> None:
        """Write a workbook for the city bureaus, atomically, in Chinese.

        Sheets: 汇总 (cities x checks, coloured by status, with the verdict and the notes), one
        sheet per city with its rows, and 代表性 (the representativeness table).
        """
        from basis.xlsx import Workbook, render_rows

        # basis.xlsx: a national audit has 300+ city sheets; their rows are rendered at once and
        # cut by city.
        fills = {"pass", "warn", "fail", "skipped"}
        pivot = self.results.pivot_table(
            index="city", columns="rule", values="status", aggfunc="first", sort=False
        )
        pivot = pivot.reindex(columns=list(pd.unique(self.results["rule"])))
        used: set[str] = set()
        wb = Workbook()
        ws = wb.add_sheet(_sheet_name("汇总", used))
        ws.append(["城市", *(rule_zh(r) for r in pivot.columns)], style="header")
        summary = pd.DataFrame({"城市": pivot.index.astype(str)})
        styles: dict[str, list[str | None]] = {}
        for j, rule in enumerate(pivot.columns):
            statuses = pivot[rule].to_numpy(dtype=object)
            column = f"c{j}"
            summary[column] = [STATUS_ZH.get(v, "") if isinstance(v, str) else "" for v in statuses]
            styles[column] = [v if v in fills else None for v in statuses]
        ws.append_frame(summary, header=False, styles=styles)
        ws.append()
        ws.append([f"审核结论：{'通过' if self.passed else '不通过'}（{self._rules_name()}）"])
        for note in self.notes:
            ws.append([note])
        ws.freeze("B2")
        res = self.results
        order = np.argsort(pd.factorize(res["city"])[0], kind="stable")
        res = res.iloc[order]
        limit = pd.to_numeric(res["limit"], errors="coerce")
        table = pd.DataFrame(
            {
                "城市": res["city"].astype(str).to_numpy(),
                "检查项": res["rule_zh"].to_numpy(),
                "规则代码": res["rule"].to_numpy(),
                "观测值": pd.to_numeric(res["observed"], errors="coerce").to_numpy(),
                "限值": (
                    limit if limit.notna().sum() == res["limit"].notna().sum() else res["limit"]
                ).to_numpy(),
                "结果": res["status"].map(STATUS_ZH).fillna(res["status"]).to_numpy(),
                "说明": res["message_zh"].to_numpy(),
                "类型": res["kind"].map(KIND_ZH).fillna(res["kind"]).to_numpy(),
            }
        )
        city = table["城市"].to_numpy()
        seq = pd.Series(city).groupby(city, sort=False).cumcount().to_numpy()
        status = res["status"].to_numpy(dtype=object)
        rendered = render_rows(
            table, seq + 2, styles={"结果": [v if v in fills else None for v in status]}, where="audit rows"
        )
        starts = np.flatnonzero(np.r_[True, city[1:] != city[:-1]]) if len(city) else np.array([], dtype=int)
        for start, stop in zip(starts, np.r_[starts[1:], len(city)]):
            sheet = wb.add_sheet(_sheet_name(str(city[start]), used))
            sheet.append(list(table.columns), style="header")
            sheet.append_rendered(rendered.slice(int(start), int(stop - start)), 2)
            sheet.freeze("A2")
        if len(self.representativeness):
            sheet = wb.add_sheet(_sheet_name("代表性", used))
            rep = self.representativeness
            sheet.append_frame(
                pd.DataFrame(
                    {
                        "城市": rep["city"].astype(str).to_numpy(),
                        "维度": rep["dimension"].map(DIMENSION_ZH).fillna(rep["dimension"]).to_numpy(),
                        "检验方法": rep["method"].to_numpy(),
                        "企业数": rep["n"].astype("Int64").to_numpy(),
                        "相异指数": rep["dissimilarity"].to_numpy(dtype=float),
                        "效应量w": rep["w"].to_numpy(dtype=float),
                        "统计量": rep["statistic"].to_numpy(dtype=float),
                        "尺度": rep["scale"].to_numpy(dtype=float),
                        "自由度": rep["df"].to_numpy(dtype=float),
                        "p值": rep["p_value"].to_numpy(dtype=float),
                        "结果": rep["status"].map(STATUS_ZH).fillna(rep["status"]).to_numpy(),
                    }
                )
            )
        wb.save(path, overwrite=overwrite)

    def plot(self, ax: Any = None, *, dimension: str | None = None) -> Any:
        """Draw the checks or the shares; return the matplotlib Axes.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure when None).
        dimension : {"section", "sector", "size_class", "state_owned"}, optional
            None (default): a cities x checks map of the statuses (green pass, yellow warn,
            red fail, grey skipped). A dimension: the whole sample's shares over it against
            the register's.

        Everything a bureau reads is Chinese (the checks by their names in
        :data:`sampling.auditing.labels.RULE_ZH`, statuses as in the workbook), drawn in the font
        subset shipped with the package (:func:`quotas.plotting.cjk_font`).
        """
        from matplotlib.colors import ListedColormap
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch

        from quotas.plotting import cjk_font

        if dimension is not None and dimension not in DIMENSIONS:
            raise AuditError(f"unknown dimension {dimension!r}; valid: {list(DIMENSIONS)}")
        with cjk_font():
            if ax is None:
                height = 4 + 0.25 * self.results["city"].nunique() if dimension is None else 4
                ax = Figure(figsize=(10, min(height, 30)), layout="constrained").add_subplot()
            if dimension is None:
                order = ["pass", "warn", "fail", "skipped"]
                pivot = self.results.pivot_table(
                    index="city", columns="rule", values="status", aggfunc="first", sort=False
                )
                pivot = pivot.reindex(columns=list(pd.unique(self.results["rule"])))
                codes = pivot.apply(lambda col: col.map({s: i for i, s in enumerate(order)})).to_numpy(
                    dtype=float
                )
                cmap = ListedColormap([STATUS_COLOURS[s] for s in order])
                ax.imshow(np.ma.masked_invalid(codes), cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto")
                ax.set_xticks(
                    range(pivot.shape[1]), [rule_zh(r) for r in pivot.columns], rotation=60, ha="right"
                )
                ax.set_yticks(range(pivot.shape[0]), list(pivot.index))
                ax.set_xlabel("检查项")
                ax.set_ylabel("城市")
                ax.set_title("样本核对结果")
                ax.legend(
                    handles=[Patch(color=STATUS_COLOURS[s], label=STATUS_ZH[s]) for s in order],
                    loc="upper left",
                    bbox_to_anchor=(1.01, 1),
                )
            else:
                shares = self.shares[
                    (self.shares["city"] == PROVINCE) & (self.shares["dimension"] == dimension)
                ]
                x = np.arange(len(shares))
                ax.bar(x - 0.2, shares["sample_share"], width=0.4, label="样本")
                ax.bar(x + 0.2, shares["population_share"], width=0.4, label="总体")
                ax.set_xticks(x, [_category_zh(dimension, v) for v in shares["category"]])
                ax.set_ylabel("份额")
                ax.set_title(f"{DIMENSION_ZH[dimension]}的份额: 样本与总体")
                ax.legend()
        return ax


def _category_zh(dimension: str, value: Any) -> str:
    """A category of a composition as a bureau reads it (sections keep their letter codes)."""
    if dimension == "size_class":
        return SIZE_LABELS_ZH.get(str(value), str(value))
    if dimension == "state_owned":
        return OWNERSHIP_LABELS_ZH[str(value) == "True"]
    if dimension == "sector":
        return SECTOR_LABELS_ZH.get(int(value), str(value)) if str(value).isdigit() else str(value)
    return str(value)


def main_table(report: AuditReport) -> str:
    """Every row of a report as a plain-text table (for the command line), then the verdict.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.auditing import audit, main_table
    >>> s = pd.DataFrame({"enterprise_id": [f"E{i}" for i in range(30)], "city": "韶关",
    ...                   "industry": "4411", "registration_type": "173", "employees": 100, "revenue": 5000.0})
    >>> print(main_table(audit(s, rules="mohrss-2009")).splitlines()[-1])
    PASSED: 0 fail, 0 warn
    """
    c = report.counts()
    verdict = "PASSED" if report.passed else "FAILED"
    return _text_table(report.results) + f"\n{verdict}: {c['fail']} fail, {c['warn']} warn"


_HTML_ROWS = 200
"""Rows of failures and warnings the Jupyter view lists before it counts the rest."""


def _num(v: Any) -> str:
    """A number as a bureau reads it: integers with separators, fractions to 3 decimals."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (int, np.integer)) or float(v).is_integer():
        return f"{float(v):,.0f}"
    return f"{v:.3f}" if abs(v) < 10 else f"{v:,.1f}"


def _cell(v: Any) -> Any:
    """A value for an Excel cell: None for missing, Python numbers for numpy ones."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _text_table(rows: pd.DataFrame) -> str:
    shown = pd.DataFrame(
        {
            "city": rows["city"],
            "rule": rows["rule"],
            "status": rows["status"],
            "observed": rows["observed"].map(_num),
            "limit": rows["limit"].map(_num),
            "message": rows["message_en"],
        }
    )
    return shown.to_string(index=False)


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "sheet"
    base, k = clean, 2
    while clean in used:
        suffix = f" ({k})"
        clean = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(clean)
    return clean
