"""Read a month's reports in the form's layout (附表一), and the monitored list they belong to.

A city bureau's file is the form as printed: title rows (监测城市就业人员变化情况表, the month
``2013年1月``, 填报单位), a header of one or two rows (the row label 单位名称, columns (1)-(12), the
decrease types under 减少类型), often the row of column numbers (甲, 1, 2, ..., 12), the enterprise
rows, the total row (合计) and notes or the supplementary data (补充资料) below. The reader finds the
header among the first rows, recognises the columns by their Chinese headers (or by the row of
column numbers), and reads every enterprise row into the columns of :mod:`monitoring.columns`.
A province file holds one sheet per city (the sheet named after the city) or one sheet with a
city column (城市, 城市名).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from monitoring.columns import (
    DECREASE_TYPES,
    DESCRIPTIVE_COLUMNS,
    FORM_NUMBERS,
    HEADERS_ZH,
    MONITORED_COLUMNS,
    REPORT_COLUMNS,
    REPORT_DTYPES,
    TOTAL_LABELS,
    format_reasons,
    parse_reasons,
)
from monitoring.exceptions import MonitoredListError, ReportError, ReportReadError, ReportReadWarning
from monitoring.industry import convert_industry
from quotas.cities import resolve_cities
from quotas.classify import registration_types
from quotas.exceptions import UnknownCityError
from sampling.read import NOT_SAMPLE_SHEETS
from sampling.roles import MONITORED_ROLES, ROLE_LABELS_ZH

__all__ = ["HEADER_ALIASES", "SOURCE_COLUMNS", "read_monitored", "read_reports"]

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "enterprise_id": (
        "统一社会信用代码",
        "社会信用代码",
        "组织机构代码",
        "企业代码",
        "单位代码",
        "enterprise_id",
    ),
    "city": ("城市", "城市名", "监测城市", "所在城市", "所在地市", "地市", "city"),
    "month": ("月份", "调查月份", "调查期", "month"),
    "name": ("单位名称", "企业名称", "单位详细名称", "name"),
    "registration_type": ("企业性质", "登记注册类型", "企业登记注册类型", "registration_type"),
    "industry": ("企业所属行业", "所属行业", "行业", "行业代码", "industry"),
    "base_employment": (
        "建档期期末就业人数",
        "建档期就业人数",
        "基期期末就业人数",
        "上月末就业人数",
        "base_employment",
    ),
    "end_employment": ("调查期期末就业人数", "调查期就业人数", "本月末就业人数", "end_employment"),
    "change": ("就业人数变化", "就业人数增减", "增减人数", "变化人数", "增减", "变化", "change"),
    "change_rate": ("变化率", "增减率", "就业人数变化率", "变化幅度", "change_rate"),
    "closure": ("关闭破产", "closure"),
    "suspension": ("停业整顿", "suspension"),
    "layoff": ("经济性裁员", "layoff"),
    "moved_out": ("企业迁出本市", "迁出本市", "moved_out"),
    "other": ("其他", "其它", "other"),
    "reasons": ("就业人数减少主要原因", "减少主要原因", "主要原因", "reasons"),
}
"""Headers recognised for each column (compared without spaces, units and column numbers: a
header ``建档期期末就业人数（3）`` or ``变化率（%）`` is recognised)."""

SOURCE_COLUMNS: tuple[str, ...] = ("source_sheet", "source_row")
"""Where each row came from: the sheet (or file) and the row number as the user sees it (the
Excel row or the CSV line, from 1)."""

_GROUP_HEADERS = ("减少类型", "其中减少类型", "其中:减少类型", "就业人数减少类型", "其中")
_NOTE_STARTS = ("补充资料", "注", "说明", "填表", "填报", "单位负责人", "负责人", "审核", "制表", "联系电话")
_SCAN_ROWS = 30
_SKIPPED_COLUMNS = ["sheet", "row", "kind", "value"]
_FORM_NUMBER_TO_COLUMN = {v: k for k, v in FORM_NUMBERS.items()}


def _blank(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and np.isnan(value))
        or str(value).strip() == ""
    )


def _key(text: Any) -> str:
    """A header compared without spaces, full-width brackets, units and column numbers."""
    t = re.sub(r"\s+", "", str(text)).replace("（", "(").replace("）", ")").replace("：", ":")
    t = re.sub(r"\((\d+|%|人|‰)\)", "", t)
    t = re.sub(r"^\(?\d+\)?[.、]?(?=\D)", "", t) if not t.isdigit() else t
    return t.lower()


_ALIAS_KEYS: dict[str, str] = {_key(a): c for c, aliases in HEADER_ALIASES.items() for a in aliases}


def _number_key(text: Any) -> str | None:
    """The form column number of a cell of the column-number row (甲, 1, (1), 1.0), or None."""
    t = str(text).strip().replace("（", "(").replace("）", ")").strip("()")
    if t == "甲":
        return t
    if re.fullmatch(r"\d+(\.0)?", t):
        return str(int(float(t)))
    return None


def _number_row(cells: list[Any]) -> bool:
    """The row of column numbers: at least three filled cells, all of them 甲 or numbers."""
    filled = [c for c in cells if not _blank(c)]
    return len(filled) >= 3 and all(_number_key(c) is not None for c in filled)


def _read_grid(path: Path, sheet: str | int | None) -> dict[str, pd.DataFrame]:
    """Every sheet as a grid of raw cells (object), row i = the user's row i + 1."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ReportReadError(f"{path}: not readable as UTF-8 or GB18030 text")
        lines = list(csv.reader(io.StringIO(text)))
        width = max((len(line) for line in lines), default=0)
        grid = pd.DataFrame([line + [""] * (width - len(line)) for line in lines], dtype=object)
        return {path.stem: grid}
    if suffix in (".xlsx", ".xlsm"):
        try:
            sheets = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, engine="openpyxl")
        except ValueError as exc:
            raise ReportReadError(f"{path}: {exc}") from exc
        except Exception as exc:  # zip or XML errors of a file that is not a workbook
            raise ReportReadError(f"{path}: not a readable Excel workbook ({type(exc).__name__})") from exc
        if isinstance(sheets, pd.DataFrame):
            return {str(sheet): sheets}
        return {str(k): v for k, v in sheets.items()}
    raise ReportReadError(f"{path}: unsupported file type {suffix!r}; use .xlsx, .csv or .parquet")


def _header_map(cells: list[Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if _blank(cell):
            continue
        column = _ALIAS_KEYS.get(_key(cell))
        if column is not None and column not in out.values():
            out[i] = column
    return out


def _find_header(grid: pd.DataFrame) -> tuple[int, int, dict[int, str]] | None:
    """(first header row, first row after the header, position -> column), or None."""
    best: tuple[int, dict[int, str]] | None = None
    for r in range(min(_SCAN_ROWS, len(grid))):
        mapping = _header_map(list(grid.iloc[r]))
        numbered = r + 1 < len(grid) and _number_row(list(grid.iloc[r + 1]))
        if (len(mapping) >= 3 or numbered) and set(mapping.values()) & {"name", "enterprise_id"}:
            if best is None or len(mapping) > len(best[1]):
                best = (r, mapping)
    if best is None:
        return None
    r, mapping = best
    end = r + 1
    # a second header row: the decrease types under 减少类型, in columns the first row left blank
    if end < len(grid):
        below = {i: c for i, c in _header_map(list(grid.iloc[end])).items() if i not in mapping}
        below = {i: c for i, c in below.items() if c not in mapping.values()}
        if below:
            mapping = {**mapping, **below}
            end += 1
    # the row of column numbers (甲, 1, 2, ..., 12) fills in columns whose header is unusual
    if end < len(grid) and _number_row(list(grid.iloc[end])):
        numbers = {i: _number_key(c) for i, c in enumerate(grid.iloc[end]) if not _blank(c)}
        if numbers:
            for i, number in numbers.items():
                column = _FORM_NUMBER_TO_COLUMN.get(number)  # type: ignore[arg-type]
                if i not in mapping and column is not None and column not in mapping.values():
                    mapping[i] = column
            end += 1
    return r, end, mapping


_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_CITY_LABEL = re.compile(r"(?:填报单位|监测城市|城市|地市)\s*[:：]\s*(\S+)")


def _city_in(text: str) -> str | None:
    found = _CITY_LABEL.search(text)
    if not found:
        return None
    words = found.group(1)
    for end in range(len(words), 1, -1):
        try:
            return str(resolve_cities([words[:end]]).iloc[0])
        except UnknownCityError:
            continue
    return None


def _title_facts(grid: pd.DataFrame, header: int) -> tuple[pd.Period | None, str | None]:
    month: pd.Period | None = None
    city: str | None = None
    for r in range(header):
        for cell in grid.iloc[r]:
            if _blank(cell):
                continue
            text = str(cell)
            found = _MONTH.search(text)
            if found and month is None:
                month = pd.Period(year=int(found.group(1)), month=int(found.group(2)), freq="M")
            city = city or _city_in(text)
    return month, city


def _row_kind(cells: list[Any], name_pos: int | None, first: bool) -> str | None:
    filled = [c for c in cells if not _blank(c)]
    if not filled:
        return "blank row"
    if first and _number_row(cells):
        return "column number row"
    label = (
        re.sub(r"\s+", "", str(cells[name_pos]))
        if name_pos is not None and not _blank(cells[name_pos])
        else ""
    )
    first_text = re.sub(r"\s+", "", str(filled[0]))
    if any(label == t.replace(" ", "") or first_text.startswith(t.replace(" ", "")) for t in TOTAL_LABELS):
        return "total row"
    if any(first_text.startswith(w) for w in _NOTE_STARTS):
        return "note row"
    return None


def _grid_rows(grid: pd.DataFrame, sheet: str, skipped: list[tuple[Any, ...]]) -> pd.DataFrame | None:
    found = _find_header(grid)
    if found is None:
        return None
    header, start, mapping = found
    month, city = _title_facts(grid, header)
    for r in range(header):
        text = " ".join(str(c).strip() for c in grid.iloc[r] if not _blank(c))
        skipped.append((sheet, r + 1, "title row" if text else "blank row", text))
    for i, cell in enumerate(grid.iloc[header]):
        key = _key(cell)
        if i not in mapping and not _blank(cell) and key not in {_key(g) for g in _GROUP_HEADERS}:
            skipped.append((sheet, header + 1, "unrecognised column", str(cell).strip()))
    for r in range(header + 1, start):
        cells = [c for c in grid.iloc[r] if not _blank(c)]
        if cells and all(_number_key(c) is not None for c in cells):
            skipped.append((sheet, r + 1, "column number row", " ".join(str(c).strip() for c in cells)))
    name_pos = next((i for i, c in mapping.items() if c == "name"), None)
    rows = []
    notes = False
    # The data rows as plain lists, taken once: a pandas row look-up each costs more than the row's checks.
    values = grid.iloc[start:].to_numpy(dtype=object).tolist()
    for r, cells in enumerate(values, start=start):
        kind = (
            "note row"
            if notes and any(not _blank(c) for c in cells)
            else _row_kind(cells, name_pos, r == start)
        )
        if kind is not None:
            notes = notes or kind == "note row"
            text = " ".join(str(c).strip() for c in cells if not _blank(c))
            skipped.append((sheet, r + 1, kind, text))
            continue
        rows.append([cells[i] for i in mapping] + [sheet, r + 1])
    part = pd.DataFrame(rows, columns=[*mapping.values(), *SOURCE_COLUMNS], dtype=object)
    part.attrs["title"] = {"month": month, "city": city}
    return part


def _tabular(table: pd.DataFrame, sheet: str, rows: Any) -> pd.DataFrame:
    """A table whose first row is the header (Parquet, a DataFrame): headers recognised."""
    mapping: dict[str, str] = {}
    for header in table.columns:
        column = _ALIAS_KEYS.get(_key(header))
        if column is not None and column not in mapping.values():
            mapping[str(header)] = column
    part = table.rename(columns={str(h): c for h, c in mapping.items()})[list(mapping.values())].astype(
        object
    )
    part = part.reset_index(drop=True)
    # a table read before keeps the rows it came from
    carried = all(c in table.columns for c in SOURCE_COLUMNS)
    part["source_sheet"] = table["source_sheet"].to_numpy() if carried else sheet
    part["source_row"] = table["source_row"].to_numpy() if carried else list(rows)
    part.attrs["title"] = {"month": None, "city": None}
    part.attrs["unrecognised"] = [
        str(h) for h in table.columns if str(h) not in mapping and h not in SOURCE_COLUMNS
    ]
    return part


def _numbers(
    values: pd.Series, column: str, rows: pd.Series, problems: list[dict[str, Any]], *, whole: bool
) -> pd.Series:
    out: list[Any] = []
    for value, row in zip(values, rows):
        if _blank(value):
            out.append(pd.NA)
            continue
        if isinstance(value, (bool, np.bool_)):
            number = None
        elif isinstance(value, (int, float, np.integer, np.floating)):
            number = float(value)
        else:
            text = str(value).strip().replace(",", "").replace("，", "").replace("－", "-").replace("−", "-")
            text = text.removesuffix("%").strip()
            try:
                number = float(text)
            except ValueError:
                number = None
        if number is None or not np.isfinite(number) or (whole and number != round(number)):
            problems.append(
                {
                    "row": row,
                    "column": HEADERS_ZH.get(column, column),
                    "value": value,
                    "reason": "not a whole number" if whole else "not a number",
                }
            )
            out.append(pd.NA)
            continue
        out.append(int(round(number)) if whole else number)
    return pd.Series(out, index=values.index, dtype="Int64" if whole else "Float64")


def _registration_codes(values: pd.Series, rows: pd.Series, problems: list[dict[str, Any]]) -> pd.Series:
    table = registration_types()
    lookup = {**dict(zip(table["code"], table["code"])), **dict(zip(table["name_zh"], table["code"]))}
    out: list[Any] = []
    for value, row in zip(values, rows):
        if _blank(value):
            out.append(pd.NA)
            continue
        text = (
            str(int(value))
            if isinstance(value, (int, float, np.integer, np.floating))
            else str(value).strip()
        )
        code = lookup.get(text)
        if code is None:
            problems.append(
                {
                    "row": row,
                    "column": HEADERS_ZH["registration_type"],
                    "value": value,
                    "reason": "not a registration type of 国统字〔1998〕200号 (code such as 173 or name such as 国有企业)",
                }
            )
        out.append(code if code is not None else pd.NA)
    return pd.Series(out, index=values.index, dtype="string")


def _row_label(sheet: Any, row: Any, several: bool) -> str:
    return f"{sheet}!{row}" if several else str(row)


def _canonical(
    part: pd.DataFrame,
    *,
    month: pd.Period | None,
    city: str | None,
    sheet_city: str | None,
    monitored: pd.DataFrame | None,
    industry_version: str,
    on_split: str,
    label: str,
    several: bool,
) -> pd.DataFrame:
    problems: list[dict[str, Any]] = []
    rows = pd.Series(
        [_row_label(s, r, several) for s, r in zip(part["source_sheet"], part["source_row"])],
        index=part.index,
    )
    out = pd.DataFrame(index=part.index)
    title = part.attrs.get("title", {})
    # month: the argument, else a month column, else the title
    if month is not None:
        out["month"] = pd.Series([month] * len(part), index=part.index, dtype="period[M]")
    elif "month" in part.columns:
        months = []
        for value, row in zip(part["month"], rows):
            try:
                months.append(pd.Period(str(value).strip().replace("年", "-").replace("月", ""), freq="M"))
            except (ValueError, TypeError):
                problems.append(
                    {"row": row, "column": "月份", "value": value, "reason": "not a month such as 2013-01"}
                )
                months.append(pd.NaT)
        out["month"] = pd.Series(months, index=part.index, dtype="period[M]")
    elif title.get("month") is not None:
        out["month"] = pd.Series([title["month"]] * len(part), index=part.index, dtype="period[M]")
    else:
        raise ReportError(
            f"{label}: the survey month is not in the file (no 月份 column and no title such as "
            "2013年1月 above the header); pass month='2013-01'"
        )
    # city: the argument, else a city column, else the sheet's name or the title
    if city is not None:
        out["city"] = city
    elif "city" in part.columns:
        try:
            out["city"] = resolve_cities(part["city"].astype(object)).to_numpy()
        except UnknownCityError as exc:
            raise ReportError(f"{label}: {exc}") from None
    elif sheet_city is not None or title.get("city") is not None:
        out["city"] = sheet_city or title["city"]
    else:
        raise ReportError(
            f"{label}: the city is not in the file (no 城市 column, the sheet's name is not a city and "
            "no title 填报单位：XX市); pass city='广州市'"
        )
    out["city"] = out["city"].astype("string")
    for column in ("base_employment", "end_employment", "change", *DECREASE_TYPES):
        if column in part.columns:
            out[column] = _numbers(part[column], column, rows, problems, whole=True)
        else:
            out[column] = pd.Series(pd.NA, index=part.index, dtype="Int64")
    if "change_rate" in part.columns:
        out["change_rate"] = _numbers(part["change_rate"], "change_rate", rows, problems, whole=False)
    else:
        out["change_rate"] = pd.Series(pd.NA, index=part.index, dtype="Float64")
    reasons = []
    for value, row in zip(part["reasons"] if "reasons" in part.columns else [None] * len(part), rows):
        try:
            reasons.append(format_reasons(parse_reasons(value)))
        except ReportError as exc:
            problems.append({"row": row, "column": HEADERS_ZH["reasons"], "value": value, "reason": str(exc)})
            reasons.append(None)
    out["reasons"] = pd.Series(reasons, index=part.index, dtype="string")
    out["name"] = (
        part["name"].map(lambda v: pd.NA if _blank(v) else str(v).strip()).astype("string")
        if "name" in part.columns
        else pd.Series(pd.NA, index=part.index, dtype="string")
    )
    if "registration_type" in part.columns:
        out["registration_type"] = _registration_codes(part["registration_type"], rows, problems)
    else:
        out["registration_type"] = pd.Series(pd.NA, index=part.index, dtype="string")
    if "industry" in part.columns:
        try:
            out["industry"] = convert_industry(
                pd.Series(part["industry"].to_numpy(), index=rows.to_numpy()),
                version=industry_version,  # type: ignore[arg-type]
                on_split=on_split,  # type: ignore[arg-type]
                column=HEADERS_ZH["industry"],
            ).to_numpy()
        except ReportError as exc:
            problems.extend(exc.problems.to_dict("records"))
            out["industry"] = pd.Series(pd.NA, index=part.index, dtype="string")
    else:
        out["industry"] = pd.Series(pd.NA, index=part.index, dtype="string")
    if problems:
        raise ReportError(f"{label}: {len(problems)} cell(s) cannot be read", pd.DataFrame(problems))
    out["enterprise_id"] = _ids(part, out, monitored)
    out["source_sheet"] = part["source_sheet"].astype("string")
    out["source_row"] = part["source_row"].astype("Int64")
    return out[[*REPORT_COLUMNS, *DESCRIPTIVE_COLUMNS, *SOURCE_COLUMNS]].astype(REPORT_DTYPES)


def _name_key(name: Any) -> str:
    return re.sub(r"\s+", "", str(name)).replace("（", "(").replace("）", ")")


def _ids(part: pd.DataFrame, out: pd.DataFrame, monitored: pd.DataFrame | None) -> pd.Series:
    """The id column of the file; else the monitored list's id of the same name in the same
    city; else missing (the checks name such rows as not on the list)."""
    if "enterprise_id" in part.columns:
        ids = part["enterprise_id"].map(lambda v: pd.NA if _blank(v) else str(v).strip())
        return ids.astype("string")
    if monitored is None:
        return pd.Series(pd.NA, index=part.index, dtype="string")
    lookup = {
        (c, _name_key(n)): i
        for c, n, i in zip(monitored["city"], monitored["name"], monitored["enterprise_id"])
        if not _blank(n)
    }
    keys = zip(out["city"], out["name"])
    return pd.Series(
        [lookup.get((c, _name_key(n)), pd.NA) for c, n in keys], index=part.index, dtype="string"
    )


def _sheet_city(name: str) -> str | None:
    try:
        return str(resolve_cities([name]).iloc[0])
    except UnknownCityError:
        return None


def read_reports(
    source: str | PathLike[str] | pd.DataFrame,
    *,
    month: str | pd.Period | None = None,
    city: str | None = None,
    monitored: pd.DataFrame | None = None,
    industry_version: Literal["2002", "2011", "2017"] = "2011",
    on_split: Literal["error", "main"] = "error",
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a month's reports (附表一) of one city or of the province.

    Parameters
    ----------
    source : path or DataFrame
        An Excel workbook (.xlsx: one sheet per city, or one sheet), a CSV file (UTF-8 or
        GB18030) in the form's layout, a Parquet file, or a DataFrame, with the form's Chinese
        headers or the canonical column names.
    month : str or Period, optional
        The survey month (``"2013-01"``). Default: a 月份 column, else the title (``2013年1月``).
    city : str, optional
        The city of a one-city file (any alias: ``广州``). Default: a city column (城市, 城市名),
        else the sheet's name when it is a city, else a title row ``填报单位：广州市...``.
    monitored : DataFrame, optional
        The monitored list (:func:`read_monitored`). When the file has no id column (the form
        has none), each row's ``enterprise_id`` is the listed enterprise of the same name in the
        same city; rows whose name is not on the list keep a missing id.
    industry_version : {"2002", "2011", "2017"}
        GB/T 4754 edition of column (2). The form prescribes 2002; lists drawn since 2012 use
        2011. Codes are converted to 2011 divisions (:func:`monitoring.industry.convert_industry`).
    on_split : {"error", "main"}
        For 2002 divisions split between several 2011 divisions (see ``convert_industry``).
    sheet : str or int, optional
        One sheet of a workbook; default every sheet with the form's header.

    Returns
    -------
    DataFrame
        One row per enterprise row of the file: :data:`monitoring.columns.REPORT_COLUMNS`, then
        ``name, registration_type, industry`` and ``source_sheet, source_row`` (the row as the
        user sees it), with :data:`monitoring.columns.REPORT_DTYPES`. Blank cells stay missing.
        ``attrs["skipped"]`` lists (``sheet, row, kind, value``) every row and column not read:
        title rows, the column-number row, total rows (合计), notes and supplementary data below
        the table, blank rows, unrecognised columns, sheets without the form.

    Warns
    -----
    ReportReadWarning
        For unrecognised columns and sheets without the form (the form's own title, total and
        note rows are expected and only listed).

    Raises
    ------
    ReportReadError
        No sheet has the form's header (单位名称 and two more of its columns) in its first 30
        rows; an unreadable file.
    ReportError
        Cells that cannot be read (a number that is not one, reason codes that are not codes,
        an unknown registration type or industry code), all listed with row, column, value and
        reason; an unknown city; no month or city to be found.

    References
    ----------
    人社部发〔2009〕152号, 附表一 (监测城市就业人员变化情况表).

    Examples
    --------
    >>> import tempfile, os
    >>> from monitoring.read import read_reports
    >>> text = (
    ...     "监测城市就业人员变化情况表\\n2013年1月,,,,,,,,,,,,\\n"
    ...     "单位名称,企业性质,企业所属行业,建档期期末就业人数,调查期期末就业人数,就业人数变化,变化率（%）,"
    ...     "关闭破产,停业整顿,经济性裁员,企业迁出本市,其他,就业人数减少主要原因\\n"
    ...     "甲,1,2,3,4,5,6,7,8,9,10,11,12\\n"
    ...     "甲公司,173,13,100,90,-10,-10.00,,,-10,,,\\"4,6\\"\\n"
    ...     "合计,,,100,90,-10,-10.00,,,-10,,,\\n"
    ... )
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "韶关.csv")
    ...     with open(p, "w", encoding="utf-8") as fh:
    ...         _ = fh.write(text)
    ...     r = read_reports(p)
    >>> r[["city", "month", "base_employment", "change", "layoff", "reasons", "source_row"]].values.tolist()
    [['韶关市', Period('2013-01', 'M'), 100, -10, -10, '4,6', 5]]
    >>> r.attrs["skipped"]["kind"].tolist()
    ['title row', 'title row', 'column number row', 'total row']
    """
    month_value = _check_month(month)
    city_value = _check_city(city)
    skipped: list[tuple[Any, ...]] = []
    parts: list[tuple[pd.DataFrame, str | None]] = []
    if isinstance(source, pd.DataFrame):
        label = "reports"
        parts.append((_tabular(source, "DataFrame", source.index), None))
    else:
        path = Path(source)
        label = str(path)
        if not path.exists():
            raise ReportReadError(f"no such file: {path}")
        if path.suffix.lower() == ".parquet":
            table = pd.read_parquet(path)
            parts.append((_tabular(table, path.stem, range(2, len(table) + 2)), _sheet_city(path.stem)))
        else:
            first_cells = []
            for name, grid in _read_grid(path, sheet).items():
                part = _grid_rows(grid, name, skipped)
                if part is None:
                    skipped.append((name, None, "sheet without the form", ""))
                    first_cells.append(
                        f"{name}: {[v for v in grid.head(3).to_numpy().ravel() if not _blank(v)][:6]}"
                    )
                    continue
                parts.append((part, _sheet_city(name)))
            if not parts:
                raise ReportReadError(
                    f"{path}: no sheet has the form's header (单位名称 and two more of its columns such as "
                    f"建档期期末就业人数, 调查期期末就业人数) in its first {_SCAN_ROWS} rows; first cells: "
                    + "; ".join(first_cells)
                )
    several = len(parts) > 1
    tables = []
    for part, sheet_city in parts:
        for header in part.attrs.get("unrecognised", []):
            skipped.append(
                (part["source_sheet"].iloc[0] if len(part) else label, 1, "unrecognised column", header)
            )
        tables.append(
            _canonical(
                part,
                month=month_value,
                city=city_value,
                sheet_city=sheet_city,
                monitored=monitored,
                industry_version=industry_version,
                on_split=on_split,
                label=label,
                several=several,
            )
        )
    out = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0].reset_index(drop=True)
    report = pd.DataFrame(skipped, columns=_SKIPPED_COLUMNS)
    out.attrs["skipped"] = report
    unexpected = report[report["kind"].isin(["unrecognised column", "sheet without the form"])]
    if len(unexpected):
        warnings.warn(
            f"{label}: not read: "
            + "; ".join(
                f"{k} {v!r}" if v else f"{k} {s!r}"
                for s, k, v in unexpected[["sheet", "kind", "value"]].itertuples(index=False)
            )
            + ' (listed in attrs["skipped"])',
            ReportReadWarning,
            stacklevel=2,
        )
    return out


def _check_month(month: Any) -> pd.Period | None:
    if month is None:
        return None
    try:
        return pd.Period(month, freq="M")
    except (ValueError, TypeError):
        raise ReportError(f"month must be a month such as '2013-01', got {month!r}") from None


def _check_city(city: Any) -> str | None:
    if city is None:
        return None
    try:
        return str(resolve_cities([city]).iloc[0])
    except UnknownCityError as exc:
        raise ReportError(f"city: {exc}") from None


_DESIGN_COLUMNS = ("section", "size_class", "state_owned", "role", "pi", "weight")


def read_monitored(
    source: Any,
    *,
    industry_version: Literal["2002", "2011", "2017"] = "2011",
    on_split: Literal["error", "main"] = "error",
) -> pd.DataFrame:
    """The monitored list a month's reports belong to.

    Parameters
    ----------
    source : Sample, DataFrame or path
        A :class:`sampling.Sample` (its enterprises of roles panel and new), a DataFrame with the
        list's columns, or a file (.xlsx, .csv, .parquet) in the ministry's format
        (失业动态监测城市监测企业名单: 序号, 城市名, 企业名称, 企业性质, 所属行业; an id column such as
        统一社会信用代码 is used when present).
    industry_version : {"2002", "2011", "2017"}
        Edition of the industry codes (converted to 2011 divisions).
    on_split : {"error", "main"}
        For 2002 divisions split between several 2011 divisions.

    Returns
    -------
    DataFrame
        :data:`monitoring.columns.MONITORED_COLUMNS` (``enterprise_id, city, name,
        registration_type, industry``), then the design columns of a sample where present
        (``section, size_class, state_owned, role, pi, weight``). A list without ids gets
        ``enterprise_id`` = ``city/name`` (the reports are matched to it by name).

    Raises
    ------
    MonitoredListError
        No header with 企业名称 (or an id) and 城市名 / 城市; an enterprise listed twice (same id,
        or same name in the same city); cells that cannot be read.

    Examples
    --------
    >>> import pandas as pd
    >>> from monitoring.read import read_monitored
    >>> listed = pd.DataFrame({"序号": [1, 2], "城市名": ["韶关", "韶关"], "企业名称": ["甲公司", "乙公司"],
    ...                        "企业性质": ["私营有限责任公司", "110"], "所属行业": ["13", "51"]})
    >>> read_monitored(listed).values.tolist()
    [['韶关市/甲公司', '韶关市', '甲公司', '173', '13'], ['韶关市/乙公司', '韶关市', '乙公司', '110', '51']]
    """
    if hasattr(source, "to_frame") and hasattr(source, "cells"):
        table = source.to_frame("sample")
        label = "sample"
    elif isinstance(source, pd.DataFrame):
        table = source
        label = "monitored list"
    else:
        path = Path(source)
        label = str(path)
        if not path.exists():
            raise MonitoredListError(f"no such file: {path}")
        if path.suffix.lower() == ".parquet":
            table = pd.read_parquet(path)
        else:
            tables = []
            for name, grid in _read_grid(path, None).items():
                if name.strip() in NOT_SAMPLE_SHEETS:
                    continue
                for r in range(min(_SCAN_ROWS, len(grid))):
                    found = _header_map(list(grid.iloc[r]))
                    if "city" in found.values() and set(found.values()) & {"name", "enterprise_id"}:
                        body = grid.iloc[r + 1 :]
                        filled = [not all(_blank(c) for c in row) for row in body.itertuples(index=False)]
                        part = pd.DataFrame(body[filled].to_numpy(), columns=[str(c) for c in grid.iloc[r]])
                        # the rows as the user sees them (the grid's row i is the file's row i + 1)
                        part["source_row"] = [i + 1 for i in range(r + 1, len(grid)) if filled[i - r - 1]]
                        tables.append(part)
                        break
            if not tables:
                raise MonitoredListError(
                    f"{path}: no sheet has a header with 城市名 and 企业名称 (or 统一社会信用代码) in its first "
                    f"{_SCAN_ROWS} rows"
                )
            table = pd.concat(tables, ignore_index=True)
    mapping: dict[str, str] = {}
    for header in table.columns:
        column = _ALIAS_KEYS.get(_key(header))
        if column in MONITORED_COLUMNS and column not in mapping.values():
            mapping[str(header)] = column
    found = set(mapping.values())
    if "city" not in found or not found & {"name", "enterprise_id"}:
        raise MonitoredListError(
            f"{label}: needs a city column (城市名) and 企业名称 or an id; columns are {list(table.columns)}"
        )
    out = table.rename(columns=mapping)
    rows = (
        out["source_row"].astype(object)
        if "source_row" in out.columns
        else pd.Series(range(2, len(out) + 2), index=out.index)
    )
    role = next((c for c in ("role", "样本类型") if c in out.columns), None)
    if role is not None:
        # a sample's file: its reserves and removed enterprises are not monitored
        keep = out[role].isin([*MONITORED_ROLES, *(ROLE_LABELS_ZH[r] for r in MONITORED_ROLES)])
        out, rows = out[keep], rows[keep]
        if "role" not in out.columns:
            out = out.assign(role=out[role])
    try:
        city = resolve_cities(out["city"].astype(object))
    except UnknownCityError as exc:
        raise MonitoredListError(f"{label}: {exc}") from None
    result = pd.DataFrame({"city": city.astype("string").to_numpy()}, index=out.index)
    result["name"] = (
        out["name"].map(lambda v: pd.NA if _blank(v) else str(v).strip()).astype("string")
        if "name" in out.columns
        else pd.Series(pd.NA, index=out.index, dtype="string")
    )
    if "enterprise_id" in out.columns:
        result.insert(
            0, "enterprise_id", out["enterprise_id"].map(lambda v: pd.NA if _blank(v) else str(v).strip())
        )
    else:
        result.insert(0, "enterprise_id", result["city"] + "/" + result["name"].map(_name_key))
    result["enterprise_id"] = result["enterprise_id"].astype("string")
    problems: list[dict[str, Any]] = []
    if "registration_type" in out.columns:
        result["registration_type"] = _registration_codes(out["registration_type"], rows, problems)
    else:
        result["registration_type"] = pd.Series(pd.NA, index=out.index, dtype="string")
    if "industry" in out.columns:
        try:
            result["industry"] = convert_industry(
                pd.Series(out["industry"].to_numpy(), index=rows.to_numpy()),
                version=industry_version,
                on_split=on_split,
                column="所属行业",
            ).to_numpy()
        except ReportError as exc:
            problems.extend(exc.problems.to_dict("records"))
    else:
        result["industry"] = pd.Series(pd.NA, index=out.index, dtype="string")
    if problems:
        raise MonitoredListError(f"{label}: {len(problems)} cell(s) cannot be read", pd.DataFrame(problems))
    result["industry"] = result["industry"].astype("string")
    twice = result["enterprise_id"].duplicated(keep=False) & result["enterprise_id"].notna()
    if twice.any():
        listed = pd.DataFrame(
            {
                "row": rows[twice].to_numpy(),
                "column": "enterprise_id",
                "value": result.loc[twice, "enterprise_id"].to_numpy(),
                "reason": "listed more than once",
            }
        )
        raise MonitoredListError(f"{label}: {int(twice.sum())} rows list an enterprise twice", listed)
    for column in _DESIGN_COLUMNS:
        if column in out.columns:
            result[column] = out[column].to_numpy()
    return result.reset_index(drop=True)
