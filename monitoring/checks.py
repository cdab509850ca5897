"""Checks of a month's submission (附表一), each problem a row of a report.

:func:`check_reports` checks what the city bureaus sent against the form's rules and against the
monitored list, and returns a :class:`ReportCheck`: one row per problem (a city, an enterprise, the
rule, the value found, the status and a message in Chinese and in English), and one ``pass`` row
per city and rule that found nothing, so that the report shows what was checked.

The rules (:data:`RULES`; ``fail`` must be corrected before the data are used, ``warn`` asks for
an explanation or a look):

========================  ======  ============================================================
rule                      status  what
========================  ======  ============================================================
``missing_value``         fail    a reported row without (3), (4), (5) or (6)
``negative_employment``   fail    (3) or (4) below zero
``change_formula``        fail    (5) differs from (4) - (3)
``change_rate_formula``   fail    (6) differs from (5) / (3) x 100 beyond the form's rounding
                                  (``rate_decimals``); with (3) = 0 the rate must be blank
``decrease_sign``         fail    a decrease type (7)-(11) above zero (decreases are negative)
``decrease_without_fall`` fail    decrease types filled while employment did not fall
``decrease_sum``          fail    employment fell and (7) + ... + (11) differs from (5)
``reason_code``           fail    a reason code outside 1-11
``reason_count``          fail    more than 3 reasons
``reason_repeated``       fail    the same reason twice (they are ranked)
``reason_without_fall``   fail    reasons given while employment did not fall
``reason_missing``        warn    employment fell and no reason is given
``base_continuity``       fail    (3) differs from last month's (4) (when last month is given)
``not_reported``          fail    a monitored enterprise with no report (listed per city)
``not_on_list``           fail    a report of an enterprise not on the monitored list
``duplicate``             fail    an enterprise reported more than once
``city_mismatch``         fail    reported by another city than the list's
``name_mismatch``         warn    name differs from the list's
``registration_mismatch`` warn    registration type (1) differs from the list's
``industry_mismatch``     warn    industry (2) differs from the list's (after conversion)
``special_explanation``   warn    needs a 专项说明: a closure (7), a suspension (8), a move out
                                  of the city (10), or a layoff (9) of at least
                                  ``layoff_persons`` people or ``layoff_share`` of (3)
``late``                  fail    a city's submission after the deadline
========================  ======  ============================================================

The layoff thresholds default to those of the Labour Contract Law (劳动合同法, 2007, art. 41):
a layoff of 20 or more employees, or of fewer but at least 10% of the workforce, must be
reported to the labour administration in advance. The documents on monitoring give no number;
these are the legal definition of a layoff "affecting many people". The form has no column for
business transfers (业务转移); moves out of the city (10) are the form's closest column.

The deadline is the ``deadline_day`` of the month after the survey month: the 5th in the 2011
rules (人社部函〔2011〕308号), the 10th in 2009 (人社部发〔2009〕152号); when a public holiday
intervenes, pass the ``deadline`` itself.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from basis.results import Result
from monitoring.columns import (
    DECREASE_TYPES,
    HEADERS_ZH,
    MAX_REASONS,
    RATE_DECIMALS,
    REASONS_ZH,
    REPORT_COLUMNS,
    form_rate,
    parse_reasons,
)
from monitoring.exceptions import ReportError
from monitoring.read import read_monitored

__all__ = ["CHECK_COLUMNS", "RULES", "ReportCheck", "check_reports"]

CHECK_COLUMNS: tuple[str, ...] = (
    "city",
    "enterprise_id",
    "rule",
    "value",
    "status",
    "message_zh",
    "message_en",
)
"""The columns of a check report, always first; then ``name, source_sheet, source_row``."""

_EXTRA_COLUMNS = ("name", "source_sheet", "source_row")

RULES: dict[str, tuple[str, str, str]] = {
    "missing_value": ("fail", "必填项缺失", "required value missing"),
    "negative_employment": ("fail", "就业人数为负", "negative employment"),
    "change_formula": ("fail", "(5)≠(4)-(3)", "(5) is not (4) - (3)"),
    "change_rate_formula": ("fail", "(6)≠(5)÷(3)×100", "(6) is not (5) / (3) x 100"),
    "decrease_sign": ("fail", "减少类型应为负数", "decrease types must be negative"),
    "decrease_without_fall": ("fail", "就业未减少却填了减少类型", "decrease types without a fall"),
    "decrease_sum": ("fail", "(7)至(11)之和≠(5)", "(7) to (11) do not add up to (5)"),
    "reason_code": ("fail", "原因代码不在1-11之内", "reason code not in 1-11"),
    "reason_count": ("fail", "原因超过3项", "more than 3 reasons"),
    "reason_repeated": ("fail", "原因重复", "reason repeated"),
    "reason_without_fall": ("fail", "就业未减少却填了原因", "reasons without a fall"),
    "reason_missing": ("warn", "就业减少未填原因", "fall without a reason"),
    "base_continuity": ("fail", "建档期人数≠上月调查期人数", "base differs from last month's end"),
    "not_reported": ("fail", "监测企业未上报", "monitored enterprise not reported"),
    "not_on_list": ("fail", "非监测名单企业", "enterprise not on the monitored list"),
    "duplicate": ("fail", "重复上报", "reported more than once"),
    "city_mismatch": ("fail", "城市与名单不符", "city differs from the list"),
    "name_mismatch": ("warn", "名称与名单不符", "name differs from the list"),
    "registration_mismatch": ("warn", "企业性质与名单不符", "registration type differs from the list"),
    "industry_mismatch": ("warn", "所属行业与名单不符", "industry differs from the list"),
    "special_explanation": ("warn", "需专项说明", "needs a special explanation"),
    "late": ("fail", "逾期上报", "submitted late"),
}
"""Rule id -> (status of a problem, Chinese label, English label)."""

_STATUS_ZH = {"fail": "不通过", "warn": "提示", "pass": "通过"}
_STATUS_COLOURS = {"fail": "#f8d7da", "warn": "#fff3cd", "pass": "#ffffff"}
_ORDER = {"fail": 0, "warn": 1, "pass": 2}


@dataclass(frozen=True, eq=False, repr=False)
class ReportCheck(Result):
    """The result of :func:`check_reports`.

    Attributes
    ----------
    results : DataFrame
        :data:`CHECK_COLUMNS`, then ``name, source_sheet, source_row``: one row per problem and
        one ``pass`` row per city and rule without a problem; failures first.
    month : Period
        The survey month.
    cities : DataFrame
        Per city: ``city, listed`` (monitored enterprises), ``reported`` (of them, those that
        reported), ``not_reported``, ``rows`` (report rows received), ``not_on_list, fail, warn``.
    parameters : dict
        The thresholds and the deadline used.
    notes : tuple of str
        What was not checked, and why.

    Examples
    --------
    >>> import pandas as pd
    >>> from monitoring.checks import check_reports
    >>> listed = pd.DataFrame({"enterprise_id": ["A", "B"], "city": "韶关市", "name": ["甲", "乙"]})
    >>> reports = pd.DataFrame({"enterprise_id": ["A"], "city": "韶关市", "month": "2013-01",
    ...     "base_employment": [100], "end_employment": [95], "change": [-5], "change_rate": [-5.0],
    ...     "layoff": [-5], "reasons": ["4"]})
    >>> check = check_reports(reports, listed)
    >>> check.headline()
    '2013-01: 1 of 2 monitored enterprises reported in 1 cities: FAILED (1 fail, 0 warn)'
    >>> check.failures()[["enterprise_id", "rule", "message_en"]].values.tolist()
    [['B', 'not_reported', 'B 乙: monitored enterprise of 韶关市 sent no report']]
    """

    results: pd.DataFrame
    month: pd.Period
    cities: pd.DataFrame
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True when no check failed (warnings ask for a look, they do not fail a submission)."""
        return not (self.results["status"] == "fail").any()

    def counts(self) -> dict[str, int]:
        """Number of rows per status."""
        vc = self.results["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in ("fail", "warn", "pass")}

    def failures(self) -> pd.DataFrame:
        """The rows that failed or warn, failures first."""
        return self.results[self.results["status"] != "pass"].reset_index(drop=True)

    def headline(self) -> str:
        c = self.counts()
        listed = int(self.cities["listed"].sum())
        reported = int(self.cities["reported"].sum())
        verdict = "PASSED" if self.passed else "FAILED"
        return (
            f"{self.month}: {reported} of {listed} monitored enterprises reported in {len(self.cities)} cities: "
            f"{verdict} ({c['fail']} fail, {c['warn']} warn)"
        )

    def to_frame(self) -> pd.DataFrame:
        return self.results.copy()

    def summary(self) -> str:
        lines = [self.headline()]
        by_rule = self.failures().groupby(["status", "rule"], sort=False).size()
        for (status, rule), n in by_rule.items():
            lines.append(f"  {status} {rule} ({RULES[rule][2]}): {n}")
        missing = self.cities[self.cities["not_reported"] > 0]
        if len(missing):
            lines.append(
                "Not reported: "
                + ", ".join(f"{r.city} {r.not_reported}" for r in missing.itertuples(index=False))
            )
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        c = self.counts()
        verdict = "通过 PASSED" if self.passed else "不通过 FAILED"
        shown = self.failures()
        head = "".join(f"<th>{html.escape(h)}</th>" for h in (*CHECK_COLUMNS, "source_row"))
        body = []
        for row in shown.head(200).itertuples(index=False):
            cells = [getattr(row, col) for col in (*CHECK_COLUMNS, "source_row")]
            body.append(
                f'<tr style="background-color:{_STATUS_COLOURS[row.status]}">'
                + "".join(f"<td>{'' if pd.isna(v) else html.escape(str(v))}</td>" for v in cells)
                + "</tr>"
            )
        more = f"<p>... {len(shown) - 200} more (failures() has them all)</p>" if len(shown) > 200 else ""
        cities = self.cities.to_html(index=False)
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<div><p><b>{html.escape(str(self.month))} 审核 {verdict}</b>: {c['fail']} fail, "
            f"{c['warn']} warn, {c['pass']} pass</p><table><tr>{head}</tr>{''.join(body)}</table>{more}"
            f"{cities}<ul>{notes}</ul></div>"
        )

    def to_excel(self, path: str | PathLike[str], *, overwrite: bool = True) -> None:
        """Write the check report for the city bureaus: 审核结果 (every row, Chinese headers),
        未报企业 (the missing reports per city) and 分市汇总 (the counts per city)."""
        from basis.xlsx import write_frames

        headers = {
            "city": "城市",
            "enterprise_id": "企业代码",
            "name": "单位名称",
            "rule": "规则",
            "value": "填报值",
            "status": "结果",
            "message_zh": "说明",
            "message_en": "message",
            "source_sheet": "工作表",
            "source_row": "行号",
        }
        results = self.results.assign(status=self.results["status"].map(_STATUS_ZH))
        results = results[list(headers)].rename(columns=headers)
        missing = self.results[self.results["rule"] == "not_reported"][["city", "enterprise_id", "name"]]
        missing = missing.rename(columns={"city": "城市", "enterprise_id": "企业代码", "name": "单位名称"})
        cities = self.cities.rename(
            columns={
                "city": "城市",
                "listed": "监测企业数",
                "reported": "已报企业数",
                "not_reported": "未报数",
                "rows": "报表行数",
                "not_on_list": "非名单企业",
                "fail": "不通过",
                "warn": "提示",
            }
        )
        sheets = {"审核结果": results, "未报企业": missing, "分市汇总": cities}
        write_frames(path, sheets, freeze=None, overwrite=overwrite)


def _fmt(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "空"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def _check_share(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"layoff_share must be a share in (0, 1], got {value!r}")
    return float(value)


def _as_reports(reports: pd.DataFrame, what: str) -> pd.DataFrame:
    if not isinstance(reports, pd.DataFrame):
        raise ReportError(
            f"{what} must be a DataFrame of reports (read_reports), got {type(reports).__name__}"
        )
    needed = {"enterprise_id", "city", "month", "base_employment", "end_employment"}
    missing = sorted(needed - set(reports.columns))
    if missing:
        raise ReportError(f"{what} lack the column(s) {missing}; read the file with monitoring.read_reports")
    out = reports.copy()
    for column in REPORT_COLUMNS:
        if column not in out.columns:
            out[column] = pd.NA
    for column in ("name", "registration_type", "industry", "source_sheet", "source_row"):
        if column not in out.columns:
            out[column] = pd.NA
    for column in ("base_employment", "end_employment", "change", *DECREASE_TYPES):
        out[column] = pd.to_numeric(out[column], errors="raise").astype("Int64")
    out["change_rate"] = pd.to_numeric(out["change_rate"]).astype("Float64")
    try:
        out["month"] = out["month"].astype("period[M]")
    except (ValueError, TypeError):
        out["month"] = pd.PeriodIndex(out["month"].astype(str), freq="M")
    out["enterprise_id"] = out["enterprise_id"].astype("string")
    out["city"] = out["city"].astype("string")
    return out.reset_index(drop=True)


class _Rows:
    """Collects the problem rows of every rule."""

    def __init__(self, reports: pd.DataFrame) -> None:
        self.reports = reports
        self.parts: list[pd.DataFrame] = []
        self.ran: set[str] = set()

    def add(
        self, rule: str, mask: Any, value: Any, zh: Any, en: Any, table: pd.DataFrame | None = None
    ) -> None:
        """Rows of ``table`` (the reports by default) where ``mask`` holds, with their value and
        messages (Series aligned on the table, or scalars)."""
        self.ran.add(rule)
        source = self.reports if table is None else table
        mask = pd.Series(mask, index=source.index).fillna(False).astype(bool)
        if not mask.any():
            return
        rows = source.loc[mask]

        def pick(v: Any) -> Any:
            return v.loc[mask].astype(str).to_numpy() if isinstance(v, pd.Series) else v

        label = rows["enterprise_id"].fillna("").astype(str) + " " + rows["name"].fillna("").astype(str)
        label = label.str.strip().to_numpy()
        self.parts.append(
            pd.DataFrame(
                {
                    "city": rows["city"].astype(object).to_numpy(),
                    "enterprise_id": rows["enterprise_id"].astype(object).to_numpy(),
                    "rule": rule,
                    "value": pick(value),
                    "status": RULES[rule][0],
                    "message_zh": [
                        f"{lab}：{m}" for lab, m in zip(label, np.broadcast_to(pick(zh), len(rows)))
                    ],
                    "message_en": [
                        f"{lab}: {m}" for lab, m in zip(label, np.broadcast_to(pick(en), len(rows)))
                    ],
                    "name": rows["name"].astype(object).to_numpy(),
                    "source_sheet": rows["source_sheet"].astype(object).to_numpy(),
                    "source_row": rows["source_row"].astype(object).to_numpy(),
                }
            )
        )


def check_reports(
    reports: pd.DataFrame,
    monitored: Any,
    *,
    previous: pd.DataFrame | None = None,
    submitted: Mapping[str, Any] | pd.Series | None = None,
    deadline_day: int = 5,
    deadline: Any = None,
    rate_decimals: int = RATE_DECIMALS,
    layoff_persons: int = 20,
    layoff_share: float = 0.10,
) -> ReportCheck:
    """Check a month's reports against the form's rules and the monitored list.

    Parameters
    ----------
    reports : DataFrame
        The month's reports (:func:`monitoring.read.read_reports`; one month).
    monitored : DataFrame, Sample or path
        The monitored list (anything :func:`monitoring.read.read_monitored` takes).
    previous : DataFrame, optional
        Last month's reports: this month's (3) must equal last month's (4).
    submitted : mapping or Series, optional
        City -> the date its reports arrived. Without it lateness is not checked.
    deadline_day : int
        Day of the month after the survey month by which reports are due (5: 2011 rules; 10:
        2009 rules).
    deadline : date-like, optional
        The deadline itself (when a public holiday moves it); overrides ``deadline_day``.
    rate_decimals : int
        Decimals of the change rate (6) on the form; a rate is accepted when it is within half a
        unit of its last place of (5) / (3) x 100.
    layoff_persons, layoff_share : int, float
        A layoff (9) of at least this many people, or this share of (3), needs a special
        explanation (defaults: 劳动合同法 art. 41, 20 people or 10%).

    Returns
    -------
    ReportCheck

    Raises
    ------
    ReportError
        Reports of several months, or ``previous`` not of the month before; reports without the
        canonical columns.
    ValueError
        A threshold or decimals out of range.

    References
    ----------
    人社部发〔2009〕152号, 附表一 and its notes; 人社部函〔2011〕308号 (reporting before the 5th,
    special explanations); 中华人民共和国劳动合同法 (2007), 第四十一条 (economic layoffs).

    Examples
    --------
    >>> import pandas as pd
    >>> from monitoring.checks import check_reports
    >>> listed = pd.DataFrame({"enterprise_id": ["A"], "city": "韶关市", "name": ["甲"]})
    >>> reports = pd.DataFrame({"enterprise_id": ["A"], "city": "韶关市", "month": "2013-01",
    ...     "base_employment": [100], "end_employment": [90], "change": [-8], "change_rate": [-8.0],
    ...     "layoff": [-8], "reasons": ["4"]})
    >>> check_reports(reports, listed).failures()[["rule", "value"]].values.tolist()
    [['change_formula', '-8']]
    """
    rate_decimals = _check_int("rate_decimals", rate_decimals, 0)
    layoff_persons = _check_int("layoff_persons", layoff_persons, 1)
    layoff_share = _check_share(layoff_share)
    deadline_day = _check_int("deadline_day", deadline_day, 1)
    if deadline_day > 28:
        raise ValueError(f"deadline_day must be at most 28 (every month has it), got {deadline_day}")
    data = _as_reports(reports, "reports")
    months = data["month"].dropna().unique()
    if len(months) != 1:
        raise ReportError(f"reports must be of one month; found {sorted(str(m) for m in months) or 'none'}")
    month = pd.Period(months[0], freq="M")
    listed = monitored if _is_list(monitored) else read_monitored(monitored)
    listed = listed.astype({"enterprise_id": "string", "city": "string"}).reset_index(drop=True)
    if "name" not in listed.columns:
        listed["name"] = pd.NA
    rows = _Rows(data)
    notes: list[str] = []
    _form_rules(rows, data, rate_decimals)
    _list_rules(rows, data, listed)
    if previous is not None:
        _continuity(rows, data, _as_reports(previous, "previous"), month)
    else:
        notes.append("last month's reports not given: (3) = last month's (4) not checked")
    _special(rows, data, layoff_persons, layoff_share)
    due = (
        pd.Timestamp(deadline)
        if deadline is not None
        else (month + 1).to_timestamp() + pd.Timedelta(days=deadline_day - 1)
    )
    late = _late(rows, data, listed, submitted, due)
    if submitted is None:
        notes.append("submission dates not given: lateness not checked")
    results = _assemble(rows, data, listed, late)
    cities = _per_city(results, data, listed)
    parameters = {
        "rate_decimals": rate_decimals,
        "layoff_persons": layoff_persons,
        "layoff_share": layoff_share,
        "deadline": due.date().isoformat(),
    }
    return ReportCheck(results=results, month=month, cities=cities, parameters=parameters, notes=tuple(notes))


def _is_list(monitored: Any) -> bool:
    return isinstance(monitored, pd.DataFrame) and {"enterprise_id", "city"} <= set(monitored.columns)


def _listed(flags: pd.DataFrame, labels: Mapping[str, Any], sep: str) -> pd.Series:
    """Per row, the labels of its True columns joined by ``sep`` ("" where none). A label is a
    text, or a Series of texts giving each row its own. Built column by column over the flagged
    rows: a month's reports have tens of thousands of rows, and a Python call per row costs
    seconds."""
    out = np.full(len(flags), "", dtype=object)
    for column in flags.columns:
        rows = np.flatnonzero(flags[column].to_numpy(dtype=bool))
        label = labels[column]
        text = label.to_numpy(dtype=object)[rows] if isinstance(label, pd.Series) else label
        before = out[rows]
        out[rows] = np.where(before == "", text, before + sep + text)
    return pd.Series(out, index=flags.index, dtype=object)


def _form_rules(rows: _Rows, d: pd.DataFrame, decimals: int) -> None:
    base, end, change, rate = d["base_employment"], d["end_employment"], d["change"], d["change_rate"]
    required = {"base_employment": base, "end_employment": end, "change": change, "change_rate": rate}
    blank = pd.DataFrame({c: v.isna() for c, v in required.items()})
    # a rate is blank, not missing, when (3) is 0
    blank["change_rate"] &= base.ne(0).fillna(True)
    which = _listed(blank, {c: HEADERS_ZH[c] for c in blank.columns}, ",")
    which_en = _listed(blank, {c: c for c in blank.columns}, ", ")
    rows.add("missing_value", blank.any(axis=1), which, "未填 " + which, "not filled: " + which_en)
    negative = base.lt(0) | end.lt(0)
    value = base.astype(str) + "/" + end.astype(str)
    rows.add("negative_employment", negative, value, "(3)/(4) 为负：" + value, "(3)/(4) negative: " + value)
    expected = end - base
    bad = change.ne(expected)
    rows.add(
        "change_formula",
        bad,
        change,
        "(5) 填报 " + change.astype(str) + "，(4)-(3) = " + expected.astype(str),
        "(5) reported " + change.astype(str) + ", (4) - (3) = " + expected.astype(str),
    )
    exact = (change.astype("Float64") / base.astype("Float64") * 100).where(base.ne(0))
    tolerance = 0.5 * 10.0**-decimals + 1e-9
    off = (rate - exact).abs().gt(tolerance) & change.notna()
    shown = pd.Series(form_rate(change, base, decimals=decimals), index=d.index)
    rows.add(
        "change_rate_formula",
        off,
        rate,
        "(6) 填报 " + rate.astype(str) + "，(5)÷(3)×100 = " + shown.map(lambda x: f"{x:.{decimals}f}"),
        "(6) reported "
        + rate.astype(str)
        + ", (5) / (3) x 100 = "
        + shown.map(lambda x: f"{x:.{decimals}f}"),
    )
    zero_base_rate = base.eq(0) & rate.notna()
    rows.add(
        "change_rate_formula",
        zero_base_rate,
        rate,
        "(3) 为 0，变化率应为空，填报 " + rate.astype(str),
        "(3) is 0 so the rate is undefined, reported " + rate.astype(str),
    )
    types = d[list(DECREASE_TYPES)]
    positive = types.gt(0).fillna(False)
    listed_pos = _listed(positive, {t: HEADERS_ZH[t] for t in DECREASE_TYPES}, ",")
    rows.add(
        "decrease_sign",
        positive.any(axis=1),
        listed_pos,
        listed_pos + " 为正数，减少应填负数",
        listed_pos + " positive; decreases carry a minus sign",
    )
    filled = types.ne(0).fillna(False) & types.notna()
    no_fall = change.ge(0).fillna(False)
    total = types.fillna(0).sum(axis=1).astype("Int64")
    rows.add(
        "decrease_without_fall",
        filled.any(axis=1) & no_fall,
        total,
        "就业人数未减少（(5) = " + change.astype(str) + "），减少类型合计 " + total.astype(str),
        "employment did not fall ((5) = "
        + change.astype(str)
        + ") but decrease types add to "
        + total.astype(str),
    )
    fell = change.lt(0).fillna(False)
    rows.add(
        "decrease_sum",
        fell & total.ne(change),
        total,
        "(7)至(11)之和 " + total.astype(str) + "，(5) = " + change.astype(str),
        "(7) to (11) add to " + total.astype(str) + ", (5) = " + change.astype(str),
    )
    # plain lists: Series.map would turn tuples of codes into arrays
    codes = [parse_reasons(v) for v in d["reasons"].astype(object)]
    text = d["reasons"].astype(str)
    unknown = pd.Series([",".join(str(c) for c in cs if c not in REASONS_ZH) for cs in codes], index=d.index)
    count = pd.Series([len(cs) for cs in codes], index=d.index)
    rows.add(
        "reason_code",
        unknown.ne(""),
        text,
        "原因代码 " + unknown + " 不在1-11之内",
        "reason code(s) " + unknown + " not among 1-11",
    )
    rows.add(
        "reason_count",
        count.gt(MAX_REASONS),
        text,
        "填了 " + count.astype(str) + " 项原因，最多3项",
        count.astype(str) + " reasons given, at most 3",
    )
    rows.add(
        "reason_repeated",
        pd.Series([len(set(cs)) < len(cs) for cs in codes], index=d.index),
        text,
        "原因 " + text + " 有重复",
        "reasons " + text + " repeat a code",
    )
    has = count.gt(0)
    rows.add(
        "reason_without_fall",
        has & no_fall,
        text,
        "就业人数未减少却填了原因 " + text,
        "reasons " + text + " given while employment did not fall",
    )
    rows.add(
        "reason_missing",
        fell & ~has,
        change,
        "就业人数减少但未填主要原因",
        "employment fell but no reason is given",
    )


def _list_rules(rows: _Rows, d: pd.DataFrame, listed: pd.DataFrame) -> None:
    on_list = d["enterprise_id"].isin(listed["enterprise_id"]).fillna(False)
    rows.add(
        "not_on_list",
        ~on_list,
        d["name"].fillna(d["enterprise_id"]).astype(str),
        "不在监测企业名单中",
        "not on the monitored list",
    )
    twice = d["enterprise_id"].duplicated(keep=False).fillna(False) & d["enterprise_id"].notna()
    counts = d.groupby("enterprise_id")["enterprise_id"].transform("size")
    rows.add(
        "duplicate",
        twice,
        counts,
        "同一企业上报 " + counts.astype(str) + " 次",
        "reported " + counts.astype(str) + " times",
    )
    reported = set(d["enterprise_id"].dropna())
    missing = listed[~listed["enterprise_id"].isin(reported)].copy()
    for column in ("source_sheet", "source_row"):
        missing[column] = pd.NA
    rows.add(
        "not_reported",
        pd.Series(True, index=missing.index),
        missing["city"],
        missing["city"] + " 监测企业未上报",
        "monitored enterprise of " + missing["city"] + " sent no report",
        table=missing,
    )
    ref = listed.drop_duplicates("enterprise_id").set_index("enterprise_id")
    for column, rule in (
        ("city", "city_mismatch"),
        ("name", "name_mismatch"),
        ("registration_type", "registration_mismatch"),
        ("industry", "industry_mismatch"),
    ):
        rows.ran.add(rule)
        if column not in ref.columns or column not in d.columns:
            continue
        theirs = d["enterprise_id"].map(ref[column]).astype("string")
        ours = d[column].astype("string")
        if column == "name":
            theirs = theirs.str.replace(r"\s+", "", regex=True)
            ours = ours.str.replace(r"\s+", "", regex=True)
        differs = on_list & ours.notna() & theirs.notna() & ours.ne(theirs).fillna(False)
        zh = HEADERS_ZH.get(column, "城市")
        rows.add(
            rule,
            differs,
            ours,
            f"{zh} 填报 " + ours.astype(str) + "，名单为 " + theirs.astype(str),
            f"{column} reported " + ours.astype(str) + ", the list has " + theirs.astype(str),
        )


def _continuity(rows: _Rows, d: pd.DataFrame, prev: pd.DataFrame, month: pd.Period) -> None:
    months = prev["month"].dropna().unique()
    if len(months) != 1 or pd.Period(months[0], freq="M") != month - 1:
        raise ReportError(
            f"previous must be the reports of {month - 1}; found {sorted(str(m) for m in months) or 'none'}"
        )
    last = prev.dropna(subset=["enterprise_id"]).drop_duplicates("enterprise_id", keep=False)
    end = d["enterprise_id"].map(last.set_index("enterprise_id")["end_employment"]).astype("Int64")
    bad = end.notna() & d["base_employment"].ne(end).fillna(False)
    rows.add(
        "base_continuity",
        bad,
        d["base_employment"],
        "(3) 填报 " + d["base_employment"].astype(str) + "，上月(4)为 " + end.astype(str),
        "(3) reported " + d["base_employment"].astype(str) + ", last month's (4) was " + end.astype(str),
    )


def _special(rows: _Rows, d: pd.DataFrame, persons: int, share: float) -> None:
    layoff = d["layoff"].fillna(0).abs()
    big_layoff = layoff.ge(persons) | (
        layoff.gt(0) & layoff.ge(share * d["base_employment"].astype("Float64"))
    )
    triggers = pd.DataFrame(
        {
            "closure": d["closure"].lt(0).fillna(False),
            "suspension": d["suspension"].lt(0).fillna(False),
            "moved_out": d["moved_out"].lt(0).fillna(False),
            "layoff": big_layoff.fillna(False),
        }
    )
    shown = {t: pd.Series([f"{t}={v}" for v in d[t].tolist()], index=d.index) for t in triggers.columns}
    value = _listed(triggers, shown, ",")
    zh = _listed(triggers, {t: HEADERS_ZH[t] for t in triggers.columns}, "、")
    rows.add(
        "special_explanation",
        triggers.any(axis=1),
        value,
        zh + "，需报送专项说明",
        value + ": needs a special explanation (专项说明)",
    )


def _late(
    rows: _Rows, d: pd.DataFrame, listed: pd.DataFrame, submitted: Any, due: pd.Timestamp
) -> pd.DataFrame | None:
    if submitted is None:
        return None
    rows.ran.add("late")
    dates = pd.Series(submitted)
    cities = sorted(set(d["city"].dropna()) | set(listed["city"].dropna()))
    out = []
    for city in cities:
        when = dates.get(city)
        if when is None:
            continue
        when = pd.Timestamp(when)
        if when.normalize() > due:
            days = (when.normalize() - due).days
            out.append(
                {
                    "city": city,
                    "enterprise_id": pd.NA,
                    "rule": "late",
                    "value": when.date().isoformat(),
                    "status": "fail",
                    "message_zh": f"{city}：{when.date()} 上报，截止日期 {due.date()}，逾期 {days} 天",
                    "message_en": f"{city}: submitted {when.date()}, due {due.date()}, {days} day(s) late",
                }
            )
    return pd.DataFrame(out) if out else None


def _assemble(rows: _Rows, d: pd.DataFrame, listed: pd.DataFrame, late: pd.DataFrame | None) -> pd.DataFrame:
    parts = [p for p in rows.parts]
    if late is not None:
        parts.append(late)
    problems = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=[*CHECK_COLUMNS, *_EXTRA_COLUMNS])
    )
    cities = sorted(set(d["city"].dropna().astype(str)) | set(listed["city"].dropna().astype(str)))
    seen = set(zip(problems["city"].astype(str), problems["rule"]))
    checked = d.groupby("city").size()
    passes = [
        {
            "city": city,
            "enterprise_id": pd.NA,
            "rule": rule,
            "value": str(int(checked.get(city, 0))),
            "status": "pass",
            "message_zh": f"{city}：{RULES[rule][1]} 检查通过",
            "message_en": f"{city}: {RULES[rule][2]}: none",
        }
        for city in cities
        for rule in RULES
        if rule in rows.ran and (city, rule) not in seen
    ]
    out = pd.concat([problems, pd.DataFrame(passes)], ignore_index=True) if passes else problems
    for column in _EXTRA_COLUMNS:
        if column not in out.columns:
            out[column] = pd.NA
    rule_order = {r: i for i, r in enumerate(RULES)}
    out = out.assign(_s=out["status"].map(_ORDER), _r=out["rule"].map(rule_order))
    out = out.sort_values(["_s", "city", "_r", "source_row"], kind="stable", na_position="last")
    out = out.drop(columns=["_s", "_r"])[[*CHECK_COLUMNS, *_EXTRA_COLUMNS]].reset_index(drop=True)
    return out.astype(
        {"city": "string", "enterprise_id": "string", "rule": "string", "value": "string", "status": "string"}
    )


def _per_city(results: pd.DataFrame, d: pd.DataFrame, listed: pd.DataFrame) -> pd.DataFrame:
    cities = sorted(set(d["city"].dropna().astype(str)) | set(listed["city"].dropna().astype(str)))
    problems = results[results["status"] != "pass"]
    # Whether each listed enterprise reported, matched once for all cities (a match per city
    # converts the month's ids again for each).
    reported = listed["enterprise_id"].isin(d["enterprise_id"].dropna()).to_numpy(dtype=bool)
    listed_city = listed["city"].astype(object).to_numpy()
    count = problems.groupby(["city", "status"]).size()
    by_rule = problems.groupby(["city", "rule"]).size()
    return pd.DataFrame(
        {
            "city": cities,
            "listed": [int((listed_city == c).sum()) for c in cities],
            "reported": [int(reported[listed_city == c].sum()) for c in cities],
            "not_reported": [int(by_rule.get((c, "not_reported"), 0)) for c in cities],
            "rows": [int((d["city"] == c).sum()) for c in cities],
            "not_on_list": [int(by_rule.get((c, "not_on_list"), 0)) for c in cities],
            "fail": [int(count.get((c, "fail"), 0)) for c in cities],
            "warn": [int(count.get((c, "warn"), 0)) for c in cities],
        }
    )
