"""The monthly report's table contract: columns, types, the form's headers, reason codes.

One row per monitored enterprise and month, in the columns of the ministry's form 附表一
(监测城市就业人员变化情况表):

========================  ======  ====================================================
column                    form    meaning
========================  ======  ====================================================
``enterprise_id``                 the enterprise's key in the monitored list
``city``                          the monitoring city (full official name, ``广州市``)
``month``                         the survey month (``pandas.Period``, frequency M)
``base_employment``       (3)     employment at the end of the base period
``end_employment``        (4)     employment at the end of the survey period
``change``                (5)     (4) - (3)
``change_rate``           (6)     (5) / (3) x 100, in per cent
``closure``               (7)     decrease by closure or bankruptcy (negative)
``suspension``            (8)     decrease by suspension for rectification (negative)
``layoff``                (9)     decrease by economic layoffs (negative)
``moved_out``             (10)    decrease by moving out of the city (negative)
``other``                 (11)    other decrease (negative)
``reasons``               (12)    up to 3 reason codes ranked by importance, ``"4,6"``
``name``                  甲      enterprise name (单位名称), the form's row label
``registration_type``     (1)     registration type, 国统字〔1998〕200号 three-digit code
``industry``              (2)     industry division (大类), GB/T 4754 two-digit code
========================  ======  ====================================================

Numbers are as on the form: a decrease carries a minus sign in (5), (6) and (7)-(11); the
decrease types are filled only when employment fell, and then (5) = (7) + (8) + (9) + (10) + (11).
A blank decrease type is missing (``<NA>``), not zero. The base period is the end of December
(建档期) for the first month of the year and the end of the previous month afterwards.

``reasons`` holds the codes as text separated by commas in rank order (``"4,6,8"``), so that the
column survives CSV, Excel and Parquet unchanged; :func:`parse_reasons` and
:func:`format_reasons` convert to and from tuples of int.

References
----------
人力资源社会保障部, 关于做好失业动态监测工作有关问题的通知 (人社部发〔2009〕152号), 附表一 and
附表二; 人社部函〔2011〕308号 (reporting before the 5th). ``shared/docs/domain-rules.md``,
section 5, summarises both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from monitoring.exceptions import ReportError

__all__ = [
    "DECREASE_LABELS_EN",
    "DECREASE_LABELS_ZH",
    "DECREASE_TYPES",
    "DESCRIPTIVE_COLUMNS",
    "FORM_1_TITLE",
    "FORM_2_TITLE",
    "FORM_NUMBERS",
    "HEADERS_ZH",
    "MAX_REASONS",
    "MONITORED_COLUMNS",
    "MONITORED_HEADERS_ZH",
    "MONITORED_LIST_TITLE",
    "RATE_DECIMALS",
    "REASONS_EN",
    "REASONS_ZH",
    "REPORT_COLUMNS",
    "REPORT_DTYPES",
    "TOTAL_LABELS",
    "empty_reports",
    "form_rate",
    "format_reasons",
    "parse_reasons",
]

DECREASE_TYPES: tuple[str, ...] = ("closure", "suspension", "layoff", "moved_out", "other")
"""The decrease types (7)-(11) in the form's order."""

REPORT_COLUMNS: tuple[str, ...] = (
    "enterprise_id",
    "city",
    "month",
    "base_employment",
    "end_employment",
    "change",
    "change_rate",
    *DECREASE_TYPES,
    "reasons",
)
"""The canonical report columns of ``pipeline.md``, always first."""

DESCRIPTIVE_COLUMNS: tuple[str, ...] = ("name", "registration_type", "industry")
"""The form's descriptive columns 甲, (1) and (2), after :data:`REPORT_COLUMNS`."""

REPORT_DTYPES: dict[str, str] = {
    "enterprise_id": "string",
    "city": "string",
    "month": "period[M]",
    "base_employment": "Int64",
    "end_employment": "Int64",
    "change": "Int64",
    "change_rate": "Float64",
    **dict.fromkeys(DECREASE_TYPES, "Int64"),
    "reasons": "string",
    "name": "string",
    "registration_type": "string",
    "industry": "string",
}
"""pandas dtypes of every column (nullable: a blank cell stays missing, never becomes 0)."""

FORM_NUMBERS: dict[str, str] = {
    "name": "甲",
    "registration_type": "1",
    "industry": "2",
    "base_employment": "3",
    "end_employment": "4",
    "change": "5",
    "change_rate": "6",
    "closure": "7",
    "suspension": "8",
    "layoff": "9",
    "moved_out": "10",
    "other": "11",
    "reasons": "12",
}
"""Column numbers of 附表一 (the row of numbers printed under the headers: 甲, 1, 2, ..., 12)."""

HEADERS_ZH: dict[str, str] = {
    "name": "单位名称",
    "registration_type": "企业性质",
    "industry": "企业所属行业",
    "base_employment": "建档期期末就业人数",
    "end_employment": "调查期期末就业人数",
    "change": "就业人数变化",
    "change_rate": "变化率（%）",
    "closure": "关闭破产",
    "suspension": "停业整顿",
    "layoff": "经济性裁员",
    "moved_out": "企业迁出本市",
    "other": "其他",
    "reasons": "就业人数减少主要原因",
}
"""The form's column headers. (1)-(4) and (7)-(12) and the row label are the form's words
(``domain-rules.md`` section 5); the form defines (5) and (6) by their formulas, and these two
headers are the wording used in writing them; the reader also accepts the usual variants."""

DECREASE_LABELS_ZH: dict[str, str] = {t: HEADERS_ZH[t] for t in DECREASE_TYPES}
"""Chinese names of the decrease types (the headers of (7)-(11), under 减少类型)."""

DECREASE_LABELS_EN: dict[str, str] = {
    "closure": "closure or bankruptcy",
    "suspension": "suspension for rectification",
    "layoff": "economic layoffs",
    "moved_out": "moved out of the city",
    "other": "other",
}

REASONS_ZH: dict[int, str] = {
    1: "产业结构调整",
    2: "重大技术改革",
    3: "节能减排、淘汰落后产能",
    4: "订单不足",
    5: "原材料涨价",
    6: "工资、社保等用工成本上升",
    7: "招工难",
    8: "资金困难",
    9: "税收政策变化（包括出口退税）",
    10: "季节性因素",
    11: "其他",
}
"""The 11 reason codes of column (12) (就业人数减少主要原因) with their Chinese text. The project's
reference (``domain-rules.md`` section 5) gives the codes' meanings in English; these Chinese
texts are the usual wording of the form's footnote and were not checked against a scan of it."""

REASONS_EN: dict[int, str] = {
    1: "industrial restructuring",
    2: "major technical innovation",
    3: "energy saving, phasing out backward capacity",
    4: "too few orders",
    5: "raw material prices",
    6: "rising labour costs (wages, social insurance)",
    7: "labour shortage",
    8: "funding difficulties",
    9: "tax policy change (incl. export rebates)",
    10: "seasonal",
    11: "other",
}

MAX_REASONS = 3
"""At most three reasons, ranked by importance."""

RATE_DECIMALS = 2
"""Decimals of the change rate (6) as written in the tables: per cent to two decimals, rounded
half away from zero (the way Excel's ROUND and a hand calculation round)."""

TOTAL_LABELS: tuple[str, ...] = ("合计", "总计", "全市合计", "全省合计", "总 计", "合 计", "小计")
"""Row labels of a total row (recognised and left out when reading, recomputed when writing)."""

FORM_1_TITLE = "监测城市就业人员变化情况表"
"""Title of 附表一 (one table per monitoring city)."""

FORM_2_TITLE = "监测城市企业就业人员分类型变化情况省级汇总表"
"""Title of 附表二 (the province's summary by city and by industry)."""

MONITORED_LIST_TITLE = "失业动态监测城市监测企业名单"
"""Title of the ministry's list of monitored enterprises."""

MONITORED_COLUMNS: tuple[str, ...] = ("enterprise_id", "city", "name", "registration_type", "industry")
"""The monitored list: one row per monitored enterprise."""

MONITORED_HEADERS_ZH: dict[str, str] = {
    "number": "序号",
    "city": "城市名",
    "name": "企业名称",
    "registration_type": "企业性质",
    "industry": "所属行业",
}
"""Headers of the ministry's monitored list (序号 is the row number; the list has no id)."""


def empty_reports() -> pd.DataFrame:
    """An empty report table with every column of the contract and its dtype.

    Examples
    --------
    >>> from monitoring.columns import empty_reports
    >>> t = empty_reports()
    >>> list(t.columns[:4]), str(t["month"].dtype), str(t["change"].dtype)
    (['enterprise_id', 'city', 'month', 'base_employment'], 'period[M]', 'Int64')
    """
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in REPORT_DTYPES.items()})


_SEPARATORS = re.compile(r"[\s,，、;；/]+")


def parse_reasons(value: Any) -> tuple[int, ...]:
    """The reason codes of one cell of column (12), in rank order.

    Accepts ``"4,6,8"``, ``"4、6、8"``, ``"4，6"``, ``"4 6"``, ``"(4)(6)"``, a number
    (``4`` or ``4.0``), a list of numbers, and blanks (no reason). Codes are not checked against
    the list of 11 here (the checks report those); only text that is not codes is an error.

    Raises
    ------
    ReportError
        A cell that is not a list of whole numbers (``"4;x"``, ``"4.5"``), naming the value.

    Examples
    --------
    >>> from monitoring.columns import parse_reasons
    >>> parse_reasons("4、6、8"), parse_reasons(4.0), parse_reasons(None), parse_reasons("(1)(11)")
    ((4, 6, 8), (4,), (), (1, 11))
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ()
    if isinstance(value, (bool, np.bool_)):
        raise ReportError(f"reason codes: {value!r} is not a reason code")
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    if isinstance(value, (float, np.floating)):
        if value != int(value):
            raise ReportError(f"reason codes: {value!r} is not a whole number")
        return (int(value),)
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(code for item in value for code in parse_reasons(item))
    text = str(value).strip().replace("（", "(").replace("）", ")")
    text = re.sub(r"\)\s*\(", ",", text).strip("()")
    if not text:
        return ()
    parts = [p for p in _SEPARATORS.split(text) if p]
    codes = []
    for part in parts:
        if re.fullmatch(r"\d+(\.0+)?", part) is None:
            raise ReportError(f"reason codes: {value!r} is not a list of codes such as 4,6,8 (at {part!r})")
        codes.append(int(float(part)))
    return tuple(codes)


def format_reasons(codes: Iterable[int]) -> str | None:
    """The canonical text of reason codes: ``"4,6,8"``; None for no reason.

    Examples
    --------
    >>> from monitoring.columns import format_reasons
    >>> format_reasons([4, 6, 8]), format_reasons([])
    ('4,6,8', None)
    """
    codes = [int(c) for c in codes]
    return ",".join(str(c) for c in codes) if codes else None


def form_rate(change: Any, base: Any, *, decimals: int = RATE_DECIMALS) -> np.ndarray:
    """The change rate (6) = (5) / (3) x 100 as the form writes it: per cent rounded to
    ``decimals`` half away from zero; NaN where (3) is 0 (the rate is undefined, left blank).

    Examples
    --------
    >>> from monitoring.columns import form_rate
    >>> form_rate([-37, 1, 5, -7], [800, 3, 0, 300]).tolist()
    [-4.63, 33.33, nan, -2.33]
    """
    change = pd.array(np.atleast_1d(np.asarray(change, dtype=object)), dtype="Float64").to_numpy(
        dtype=float, na_value=np.nan
    )
    base = pd.array(np.atleast_1d(np.asarray(base, dtype=object)), dtype="Float64").to_numpy(
        dtype=float, na_value=np.nan
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(base != 0, change / base * 100, np.nan)
    scale = 10.0**decimals
    # the nudge keeps exact halves stored just below (12.345 as 12.34499...) rounding away from zero
    return np.sign(exact) * np.floor(np.abs(exact) * scale + 0.5 + 1e-9) / scale
