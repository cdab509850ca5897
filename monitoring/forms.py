"""The forms' tables: 附表一 per city with its total row, 附表二 by city and by industry.

* :func:`city_table` is a city's 附表一: its enterprise rows and the total row 合计, the sum of
  the rows for (3), (4), (5) and (7)-(11); the total's rate (6) is (5) / (3) x 100 of the
  totals, never a sum of rates.
* :func:`summarize` gives the province's 附表二 (监测城市企业就业人员分类型变化情况省级汇总表) by city
  and by industry: enterprises, employment at the base and at the end, the change and its rate,
  the enterprises with a decrease, and for each decrease type the enterprises and the decrease;
  and the supplementary line naming the five industries whose employment fell most.
* :func:`write_city_forms` writes 附表一 of every city (one sheet each) to Excel in the form's
  layout: title, month and city rows, the two-row header with 减少类型 over (7)-(11), the row of
  column numbers, the enterprise rows and the total row, as :func:`monitoring.read.read_reports`
  reads it back.

Rates are per cent rounded to :data:`monitoring.columns.RATE_DECIMALS` decimals, half away from
zero, as a hand calculation rounds (:func:`monitoring.columns.form_rate`); a rate with a base of
0 is blank.

References
----------
人社部发〔2009〕152号, 附表一 and 附表二; ``shared/docs/domain-rules.md``, section 5.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Literal

import numpy as np
import pandas as pd

from basis.results import Result
from monitoring.columns import (
    DECREASE_LABELS_ZH,
    DECREASE_TYPES,
    FORM_1_TITLE,
    FORM_2_TITLE,
    FORM_NUMBERS,
    HEADERS_ZH,
    form_rate,
)
from monitoring.exceptions import ReportError
from quotas.classify import divisions, section_of, sections

__all__ = [
    "CITY_TABLE_COLUMNS",
    "FORM_2_COLUMNS",
    "FORM_2_HEADERS_ZH",
    "PROVINCE",
    "MonthSummary",
    "city_table",
    "summarize",
    "write_city_forms",
]

PROVINCE = "全省合计"
"""Label of the province's total row in 附表二."""

CITY_TABLE_COLUMNS: tuple[str, ...] = (
    "name",
    "registration_type",
    "industry",
    "base_employment",
    "end_employment",
    "change",
    "change_rate",
    *DECREASE_TYPES,
    "reasons",
)
"""附表一's columns in the form's order: 甲, (1)-(12)."""

FORM_2_COLUMNS: tuple[str, ...] = (
    "enterprises",
    "base_employment",
    "end_employment",
    "change",
    "change_rate",
    "decreased",
    *(f"{t}{suffix}" for t in DECREASE_TYPES for suffix in ("_enterprises", "")),
)
"""附表二's columns after the row label: counts of enterprises, employment and, per decrease
type, ``<type>_enterprises`` (enterprises with that decrease) and ``<type>`` (the decrease)."""

FORM_2_HEADERS_ZH: dict[str, str] = {
    "enterprises": "监测企业数",
    "base_employment": HEADERS_ZH["base_employment"],
    "end_employment": HEADERS_ZH["end_employment"],
    "change": HEADERS_ZH["change"],
    "change_rate": HEADERS_ZH["change_rate"],
    "decreased": "就业人数减少企业数",
    **{f"{t}_enterprises": "企业数" for t in DECREASE_TYPES},
    **{t: "减少人数" for t in DECREASE_TYPES},
}
"""附表二's headers; the decrease types' pairs sit under the type's name (关闭破产, ...)."""


def _rate(change: Any, base: Any) -> np.ndarray:
    return form_rate(change, base)


def _check_reports(reports: pd.DataFrame, *, summing: bool = True) -> pd.DataFrame:
    """The reports with every column the forms need; when ``summing``, rows without (3) or (4)
    and repeated enterprises are errors (a submission is written as it is)."""
    if not isinstance(reports, pd.DataFrame):
        raise ReportError(
            f"reports must be a DataFrame (monitoring.read_reports), got {type(reports).__name__}"
        )
    needed = ["city", "month", "base_employment", "end_employment"]
    missing = [c for c in needed if c not in reports.columns]
    if missing:
        raise ReportError(f"reports lack the column(s) {missing}")
    out = reports.copy()
    for column in ("change", *DECREASE_TYPES):
        if column not in out.columns:
            out[column] = pd.NA
    for column in ("enterprise_id", "name", "registration_type", "industry", "reasons", "change_rate"):
        if column not in out.columns:
            out[column] = pd.NA
    numbers = ["base_employment", "end_employment", "change", *DECREASE_TYPES]
    out[numbers] = out[numbers].apply(pd.to_numeric).astype("Int64")
    blank = out["base_employment"].isna() | out["end_employment"].isna()
    if summing and blank.any():
        where = out.get("source_row", pd.Series(out.index, index=out.index))
        listed = pd.DataFrame(
            {
                "row": where[blank].to_numpy(),
                "column": "建档期/调查期期末就业人数",
                "value": out.loc[blank, "name"].astype(object).to_numpy(),
                "reason": "(3) or (4) blank: correct the report before summing",
            }
        )
        raise ReportError(f"{int(blank.sum())} report(s) without (3) or (4) cannot be summed", listed)
    ids = out["enterprise_id"]
    twice = ids.notna() & ids.duplicated(keep=False)
    if summing and twice.any():
        raise ReportError(
            f"enterprise(s) reported more than once would be counted twice: {sorted(set(ids[twice]))[:10]} "
            "(check_reports lists them; keep one report each)"
        )
    months = out["month"].astype(str).unique()
    if len(months) != 1:
        raise ReportError(f"reports must be of one month; found {sorted(months)}")
    out["change"] = out["change"].fillna(out["end_employment"] - out["base_employment"])
    return out


def city_table(reports: pd.DataFrame, *, city: str | None = None) -> pd.DataFrame:
    """A city's 附表一: its enterprise rows in the form's order and the total row 合计.

    Parameters
    ----------
    reports : DataFrame
        Reports of one month (:func:`monitoring.read.read_reports`).
    city : str, optional
        The city (full name); required when ``reports`` hold several cities.

    Returns
    -------
    DataFrame
        :data:`CITY_TABLE_COLUMNS`, one row per enterprise then the total row (``name`` 合计):
        (3), (4), (5) and (7)-(11) summed (a decrease type with no entry totals 0), (6) the
        rate of the totals, (1), (2) and (12) blank.

    Examples
    --------
    >>> import pandas as pd
    >>> from monitoring.forms import city_table
    >>> r = pd.DataFrame({"city": "韶关市", "month": "2013-01", "name": ["甲", "乙"],
    ...                   "base_employment": [100, 200], "end_employment": [90, 203],
    ...                   "change": [-10, 3], "change_rate": [-10.0, 1.5], "layoff": [-10, None]})
    >>> t = city_table(r)
    >>> t[["name", "base_employment", "change", "change_rate", "layoff"]].values.tolist()[-1]
    ['合计', 300, -7, -2.33, -10]
    """
    return _city_table(_check_reports(reports), city)


def _city_table(data: pd.DataFrame, city: str | None) -> pd.DataFrame:
    cities = data["city"].dropna().unique()
    if city is None:
        if len(cities) != 1:
            raise ReportError(f"reports hold {len(cities)} cities; say which with city=")
        city = str(cities[0])
    rows = data[data["city"] == city]
    if rows.empty:
        raise ReportError(f"no reports of city {city!r}; the cities are {sorted(map(str, cities))}")
    table = rows[list(CITY_TABLE_COLUMNS)].reset_index(drop=True)
    total: dict[str, Any] = dict.fromkeys(CITY_TABLE_COLUMNS, pd.NA)
    total["name"] = "合计"
    for column in ("base_employment", "end_employment", "change", *DECREASE_TYPES):
        total[column] = int(rows[column].fillna(0).sum())
    total["change_rate"] = float(_rate(total["change"], total["base_employment"])[0])
    out = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    return out.astype(
        {
            **{c: "Int64" for c in ("base_employment", "end_employment", "change", *DECREASE_TYPES)},
            "change_rate": "Float64",
        }
    )


def _form_2(
    groups: pd.core.groupby.DataFrameGroupBy, data: pd.DataFrame, label: str, total: str
) -> pd.DataFrame:
    def aggregate(frame: pd.DataFrame) -> dict[str, Any]:
        row: dict[str, Any] = {
            "enterprises": len(frame),
            "base_employment": int(frame["base_employment"].sum()),
            "end_employment": int(frame["end_employment"].sum()),
            "change": int(frame["change"].sum()),
            "decreased": int((frame["change"] < 0).sum()),
        }
        for t in DECREASE_TYPES:
            row[f"{t}_enterprises"] = int((frame[t].fillna(0) < 0).sum())
            row[t] = int(frame[t].fillna(0).sum())
        return row

    rows = [{label: key, **aggregate(frame)} for key, frame in groups]
    rows.append({label: total, **aggregate(data)})
    out = pd.DataFrame(rows)
    out["change_rate"] = _rate(out["change"], out["base_employment"])
    return out[[label, *FORM_2_COLUMNS]]


@dataclass(frozen=True, eq=False, repr=False)
class MonthSummary(Result):
    """The province's summary of a month (附表二), from :func:`summarize`.

    Attributes
    ----------
    month : Period
    by_city : DataFrame
        ``city`` then :data:`FORM_2_COLUMNS`; one row per city, the last the province's total
        (:data:`PROVINCE`).
    by_industry : DataFrame
        ``industry, industry_name`` then :data:`FORM_2_COLUMNS`; one row per industry (section
        or division, ``industry_level``), the last the total.
    largest_decreases : DataFrame
        The industries (divisions by default) whose employment fell most: ``industry,
        industry_name, change, change_rate``, at most ``n`` rows, largest fall first.
    industry_level : str
    notes : tuple of str
    """

    month: pd.Period
    by_city: pd.DataFrame
    by_industry: pd.DataFrame
    largest_decreases: pd.DataFrame
    industry_level: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def _total(self) -> pd.Series:
        return self.by_city.iloc[-1]

    def headline(self) -> str:
        t = self._total()
        rate = "" if pd.isna(t["change_rate"]) else f" ({t['change_rate']:+.2f}%)"
        return (
            f"{self.month}: {int(t['enterprises']):,} enterprises in {len(self.by_city) - 1} cities, employment "
            f"{int(t['base_employment']):,} -> {int(t['end_employment']):,}, change {int(t['change']):+,}{rate}; "
            f"{int(t['decreased']):,} with a decrease"
        )

    def to_frame(self) -> pd.DataFrame:
        """附表二 by city (the province's total last)."""
        return self.by_city.copy()

    def largest_decreases_zh(self) -> str:
        """The supplementary line of 附表二: the industries with the largest decrease."""
        if self.largest_decreases.empty:
            return "就业人数减少最多的行业：无（各行业就业人数均未减少）"
        parts = [
            f"{r.industry} {r.industry_name} 减少 {-int(r.change):,} 人"
            for r in self.largest_decreases.itertuples(index=False)
        ]
        return f"就业人数减少最多的{len(parts)}个行业：" + "；".join(parts)

    def plot(self, ax: Any = None, *, by: Literal["city", "industry"] = "city") -> Any:
        """The decrease by type (附表二's (7)-(11) columns) for each city or industry, stacked to the
        left of zero, with the net change (5) as a dot.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        from quotas.plotting import cjk_font

        if by not in ("city", "industry"):
            raise ValueError(f"by must be 'city' or 'industry', got {by!r}")
        table = (self.by_city if by == "city" else self.by_industry).iloc[:-1].iloc[::-1]
        labels = (
            table["city"]
            if by == "city"
            else table["industry"].astype(str) + " " + table["industry_name"].fillna("")
        )
        with cjk_font():
            if ax is None:
                _, ax = plt.subplots(figsize=(8, 0.35 * len(table) + 1.5))
            position = np.arange(len(table))
            left = np.zeros(len(table))
            for t in DECREASE_TYPES:
                values = table[t].to_numpy(dtype=float)
                ax.barh(position, values, left=left, label=DECREASE_LABELS_ZH[t])
                left += values
            ax.plot(
                table["change"].to_numpy(dtype=float),
                position,
                "ko",
                markersize=4,
                label=HEADERS_ZH["change"],
            )
            ax.axvline(0, color="grey", linewidth=0.8)
            ax.set_yticks(position, [str(v) for v in labels])
            ax.set_xlabel("人")
            ax.set_title(f"{self.month.year}年{self.month.month}月 就业人数减少类型与变化")
            ax.legend(fontsize="small", loc="lower left")
        return ax

    def summary(self) -> str:
        lines = [self.headline()]
        shown = self.by_city[
            ["city", "enterprises", "base_employment", "end_employment", "change", "change_rate"]
        ]
        lines.append(shown.to_string(index=False))
        lines.append(self.largest_decreases_zh())
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        def table(frame: pd.DataFrame) -> str:
            return frame.to_html(index=False, na_rep="", float_format=lambda x: f"{x:,.2f}")

        return (
            f"<div><p><b>{html.escape(FORM_2_TITLE)}</b> {html.escape(str(self.month))}</p>"
            f"<p>{html.escape(self.headline())}</p>{table(self.by_city)}<p>{html.escape(self.largest_decreases_zh())}</p>"
            f"{table(self.by_industry)}</div>"
        )

    def to_excel(self, path: str | PathLike[str], *, overwrite: bool = True, note: str | None = None) -> None:
        """Write 附表二 with the form's headers: one sheet by city, one by industry (with the
        supplementary line of the five largest decreases), atomically.

        Parameters
        ----------
        note : str, optional
            A line written under the title (for example that the data are synthetic).
        """
        from basis.xlsx import Workbook  # the library's xlsx writer

        book = Workbook()
        _write_form_2(
            book.add_sheet("附表二（按城市）"), self.by_city, "city", "城市", self.month, note, None
        )
        labelled = self.by_industry.assign(
            industry=lambda t: (t["industry"].astype(str) + " " + t["industry_name"].fillna("")).str.strip()
        ).drop(columns="industry_name")
        _write_form_2(
            book.add_sheet("附表二（按行业）"),
            labelled,
            "industry",
            "行业",
            self.month,
            note,
            self.largest_decreases_zh(),
        )
        book.save(path, overwrite=overwrite)


def _form_rows(sheet: Any, table: pd.DataFrame, decimal_column: str) -> None:
    """The form's data rows after its header, the last one (the total) with its label in bold;
    ``decimal_column`` shown with two decimals."""
    label = [None] * (len(table) - 1) + ["bold"] if len(table) else []
    sheet.append_frame(table, header=False, styles={table.columns[0]: label, decimal_column: "decimal"})


def _write_form_2(
    ws: Any,
    table: pd.DataFrame,
    label: str,
    label_zh: str,
    month: pd.Period,
    note: str | None,
    footer: str | None,
) -> None:
    from basis.xlsx import column_letter

    width = 1 + len(FORM_2_COLUMNS)
    ws.append([FORM_2_TITLE], style="title_centre")
    ws.merge(f"A1:{column_letter(width)}1")
    ws.append([f"{month.year}年{month.month}月"])
    if note:
        ws.append([note])
    first = [label_zh, *(FORM_2_HEADERS_ZH[c] for c in FORM_2_COLUMNS[:6])]
    for t in DECREASE_TYPES:
        first += [DECREASE_LABELS_ZH[t], None]
    top = ws.append(first, style="bold_centre")
    ws.append([None] * 7 + [FORM_2_HEADERS_ZH[c] for c in FORM_2_COLUMNS[6:]], style="bold_centre")
    for col in range(1, 8):
        ws.merge(f"{column_letter(col)}{top}:{column_letter(col)}{top + 1}")
    for k in range(len(DECREASE_TYPES)):
        ws.merge(f"{column_letter(8 + 2 * k)}{top}:{column_letter(9 + 2 * k)}{top}")
    _form_rows(ws, table[[label, *FORM_2_COLUMNS]], FORM_2_COLUMNS[4])
    if footer:
        ws.append([])
        ws.append([f"补充资料：{footer}"])
    ws.widths({1: 28, **dict.fromkeys(range(2, width + 1), 12)})


def _industry_labels(codes: pd.Series, level: str) -> pd.Series:
    if level == "section":
        names = sections().set_index("section")["name_zh"]
    else:
        names = divisions("2011").set_index("division")["name_zh"]
    return codes.map(names)


def summarize(
    reports: pd.DataFrame,
    *,
    industry_level: Literal["section", "division"] = "section",
    largest: int = 5,
    largest_level: Literal["section", "division"] = "division",
) -> MonthSummary:
    """The province's summary of a month: 附表二 by city and by industry, and the industries
    whose employment fell most.

    Parameters
    ----------
    reports : DataFrame
        One month's reports (:func:`monitoring.read.read_reports`), after the checks: every
        row needs (3) and (4), and an enterprise may appear once only. A blank (5) is taken as
        (4) - (3); blank decrease types count as 0.
    industry_level : {"section", "division"}
        Rows by industry: the 20 sections (门类) or the divisions (大类) of GB/T 4754-2011.
    largest : int
        How many industries the supplementary line names (the form: 5).
    largest_level : {"section", "division"}
        The level of those industries (the form's column (2) is the division).

    Returns
    -------
    MonthSummary

    Raises
    ------
    ReportError
        Reports of several months, rows without (3) or (4), an enterprise reported twice.

    References
    ----------
    人社部发〔2009〕152号, 附表二 (监测城市企业就业人员分类型变化情况省级汇总表).

    Examples
    --------
    >>> import pandas as pd
    >>> from monitoring.forms import summarize
    >>> r = pd.DataFrame({"enterprise_id": ["A", "B", "C"], "city": ["韶关市", "韶关市", "佛山市"],
    ...                   "month": "2013-01", "industry": ["13", "13", "39"],
    ...                   "base_employment": [100, 200, 50], "end_employment": [90, 203, 50],
    ...                   "layoff": [-10, None, None]})
    >>> s = summarize(r)
    >>> s.by_city[["city", "enterprises", "change", "change_rate", "decreased", "layoff"]].values.tolist()
    [['佛山市', 1, 0, 0.0, 0, 0], ['韶关市', 2, -7, -2.33, 1, -10], ['全省合计', 3, -7, -2.0, 1, -10]]
    >>> s.largest_decreases_zh()
    '就业人数减少最多的1个行业：13 农副食品加工业 减少 7 人'
    """
    for name, value in (("industry_level", industry_level), ("largest_level", largest_level)):
        if value not in ("section", "division"):
            raise ValueError(f"{name} must be 'section' or 'division', got {value!r}")
    if isinstance(largest, bool) or not isinstance(largest, (int, np.integer)) or largest < 1:
        raise ValueError(f"largest must be a whole number >= 1, got {largest!r}")
    data = _check_reports(reports)
    month = pd.Period(str(data["month"].iloc[0]), freq="M")
    notes: list[str] = []
    by_city = _form_2(data.groupby("city", sort=True), data, "city", PROVINCE)
    no_industry = data["industry"].isna()
    if no_industry.any():
        notes.append(f"{int(no_industry.sum())} report(s) without an industry are in the totals only")
    coded = data[~no_industry].copy()
    coded["division"] = coded["industry"].astype(str)
    coded["section"] = section_of(coded["division"]).to_numpy() if len(coded) else []
    by_industry = _form_2(coded.groupby(industry_level, sort=True), data, "industry", "合计")
    by_industry.insert(1, "industry_name", _industry_labels(by_industry["industry"], industry_level))
    by_industry.loc[by_industry.index[-1], "industry_name"] = pd.NA
    change = coded.groupby(largest_level)[["change", "base_employment"]].sum()
    fell = change[change["change"] < 0].sort_values(["change"], kind="stable").head(largest)
    largest_table = pd.DataFrame(
        {
            "industry": fell.index.astype(str),
            "industry_name": _industry_labels(pd.Series(fell.index.astype(str)), largest_level).to_numpy(),
            "change": fell["change"].astype(int).to_numpy(),
            "change_rate": _rate(fell["change"], fell["base_employment"]),
        }
    )
    return MonthSummary(
        month=month,
        by_city=by_city,
        by_industry=by_industry,
        largest_decreases=largest_table,
        industry_level=industry_level,
        notes=tuple(notes),
    )


def write_city_forms(
    reports: pd.DataFrame,
    path: str | PathLike[str],
    *,
    overwrite: bool = True,
    note: str | None = None,
    with_ids: bool = False,
) -> None:
    """Write every city's 附表一 to one workbook, a sheet per city, in the form's layout.

    Parameters
    ----------
    reports : DataFrame
        One month's reports.
    path : path
        The .xlsx file (written atomically).
    note : str, optional
        A line under the title (for example that the data are synthetic).
    with_ids : bool
        Add the enterprise's id after (12) under the header 统一社会信用代码 (the form has no id
        column; many provinces add one so that reports are matched by id, not by name).

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from monitoring.forms import write_city_forms
    >>> from monitoring.read import read_reports
    >>> r = pd.DataFrame({"city": "韶关市", "month": "2013-01", "name": ["甲"], "registration_type": ["173"],
    ...                   "industry": ["13"], "base_employment": [100], "end_employment": [90],
    ...                   "change": [-10], "change_rate": [-10.0], "layoff": [-10], "reasons": ["4"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_city_forms(r, os.path.join(d, "f.xlsx"))
    ...     back = read_reports(os.path.join(d, "f.xlsx"))
    >>> back[["city", "month", "name", "change", "layoff", "reasons"]].values.tolist()
    [['韶关市', Period('2013-01', 'M'), '甲', -10, -10, '4']]
    """
    from basis.xlsx import Workbook, column_letter  # the library's xlsx writer

    data = _check_reports(reports, summing=False)
    month = pd.Period(str(data["month"].iloc[0]), freq="M")
    book = Workbook()
    last = 14 if with_ids else 13
    for city in sorted(data["city"].dropna().astype(str).unique()):
        ws = book.add_sheet(city)
        table = _city_table(data, city)
        if with_ids:
            ids = data.loc[data["city"] == city, "enterprise_id"].astype(object).tolist()
            table["enterprise_id"] = [*ids, None]
        ws.append([FORM_1_TITLE], style="title_centre")
        ws.merge("A1:M1")
        ws.append([f"填报单位：{city}人力资源和社会保障局", *[None] * 8, f"{month.year}年{month.month}月"])
        if note:
            ws.append([note])
        first = [HEADERS_ZH[c] for c in CITY_TABLE_COLUMNS]
        first[7:12] = ["减少类型", None, None, None, None]
        top = ws.append(first + (["统一社会信用代码"] if with_ids else []), style="bold_centre")
        ws.append(
            [None] * 7 + [HEADERS_ZH[t] for t in DECREASE_TYPES] + [None] * (last - 12), style="bold_centre"
        )
        ws.merge(f"H{top}:L{top}")
        for col in (1, 2, 3, 4, 5, 6, 7, 13, *((14,) if with_ids else ())):
            ws.merge(f"{column_letter(col)}{top}:{column_letter(col)}{top + 1}")
        numbers = [FORM_NUMBERS[c] if c == "name" else int(FORM_NUMBERS[c]) for c in CITY_TABLE_COLUMNS]
        ws.append(numbers + [None] * (last - 13), style="bold_centre")
        _form_rows(ws, table, "change_rate")
        ws.widths({1: 30, **dict.fromkeys(range(2, 14), 12)})
    book.save(path, overwrite=overwrite)
