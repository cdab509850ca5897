"""Read a proposed monitoring sample from the Excel or CSV files city bureaus send.

The files follow the monitoring enterprises' registration form (企业名称, 统一社会信用代码 /
组织机构代码, 企业性质 / 登记注册类型, 所属行业, 所在地市, 建档期期末就业人数 / 从业人员, optionally
营业收入, 资产总额, 企业规模), with titles and notes above the table, merged title cells, blank
rows, total rows, and either one sheet per city or one sheet for all.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import replace
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quotas.cities import resolve_cities
from quotas.exceptions import UnknownCityError
from sampling.exceptions import FrameError, SampleError, SampleReadWarning
from sampling.frame import HEADER_ALIASES, canonical_columns

__all__ = ["REPORTED_SIZE_HEADERS", "TOTAL_WORDS", "read_sample"]

REPORTED_SIZE_HEADERS: tuple[str, ...] = (
    "企业规模",
    "规模",
    "规模类型",
    "企业规模类型",
    "企业类型(规模)",
    "reported_size",
    "size",
)
"""Headers of the enterprise size the bureau reported; read into ``reported_size`` so that
:func:`sampling.auditing.audit` can compare it with the size the thresholds give."""

TOTAL_WORDS: tuple[str, ...] = ("合计", "总计", "小计", "共计", "total")
"""A row with a cell that is, or starts with, one of these words is a total row."""

_SCAN_ROWS = 30
_SKIPPED_COLUMNS = ["sheet", "row", "kind", "value"]

NOT_SAMPLE_SHEETS: tuple[str, ...] = ("备选", "备选企业", "剔除", "剔除企业")
"""Sheet names of reserve and removal lists (as :meth:`sampling.Sample.to_excel` writes them):
skipped, and reported, when every sheet is read; name one with ``sheet=`` to read it."""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", str(text))


def _own_headers() -> dict[str, str]:
    """Header key -> canonical name of the columns only the library's own sample has (section,
    size class, ownership, role, ...: :data:`sampling.contract.SAMPLE`), in English and Chinese."""
    from basis.tables import header_key
    from sampling.contract import SAMPLE

    return {
        header_key(h): c.name for c in SAMPLE.columns if c.name not in HEADER_ALIASES for h in c.headers()
    }


def _header_map(cells: list[Any], columns: Mapping[str, str] | None) -> dict[int, str]:
    """Column position -> canonical name for one candidate header row."""
    from basis.tables import header_key

    size_keys = {_norm(h).lower() for h in REPORTED_SIZE_HEADERS}
    own = _own_headers()
    out: dict[int, str] = {}
    rest: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if _blank(cell):
            continue
        text = str(cell).strip()
        if columns and text in columns:
            rest[i] = text
        elif header_key(text) in own:
            out[i] = own[header_key(text)]
        elif _norm(text).lower() in size_keys:
            out[i] = "reported_size"
        else:
            rest[i] = text
    by_text = canonical_columns(list(dict.fromkeys(rest.values())), columns=columns)
    out.update({i: by_text[t] for i, t in rest.items() if t in by_text})
    return out


def _find_header(raw: pd.DataFrame, columns: Mapping[str, str] | None) -> tuple[int, dict[int, str]] | None:
    """The first row among the top rows with the most recognised headers (at least two, one
    of them the enterprise id or name)."""
    best: tuple[int, dict[int, str]] | None = None
    for r in range(min(_SCAN_ROWS, len(raw))):
        try:
            mapping = _header_map(list(raw.iloc[r]), columns)
        except FrameError:
            continue
        found = set(mapping.values())
        if (
            len(found) >= 2
            and found & {"enterprise_id", "name"}
            and (best is None or len(mapping) > len(best[1]))
        ):
            best = (r, mapping)
    return best


def _own_values(out: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The library's own sample columns in their types: ``state_owned`` as bool, size classes
    and roles from their Chinese labels, numbers as numbers; a bad value is an error naming its
    row."""
    from basis.exceptions import TableError
    from basis.tables import _convert
    from quotas.labels import SIZE_LABELS_ZH
    from sampling.contract import SAMPLE
    from sampling.roles import ROLE_LABELS_ZH

    problems = []
    for column in SAMPLE.columns:
        if column.name in HEADER_ALIASES or column.name not in out.columns:
            continue
        values = pd.Series(out[column.name].to_numpy(dtype=object), index=out["source_row"].to_numpy())
        if column.name == "size_class":
            values = values.map(
                lambda v: {zh: en for en, zh in SIZE_LABELS_ZH.items()}.get(str(v).strip(), v)
            )
        elif column.name == "role":
            values = values.map(
                lambda v: {zh: en for en, zh in ROLE_LABELS_ZH.items()}.get(str(v).strip(), v)
            )
        spec = column if column.type != "text" else replace(column, blank=True)
        converted, found = _convert(values, spec)
        out[column.name] = converted.to_numpy()
        problems.append(found)
    found = [f for f in problems if len(f)]
    if found:
        table = pd.concat(found, ignore_index=True)
        raise TableError(f"{path}: {len(table)} bad value(s) in the sample's own columns", table)
    return out


def _read_raw(path: Path, sheet: str | int | None) -> dict[str, pd.DataFrame]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        from basis.tables import decode_text, delimiter

        text = decode_text(path.read_bytes(), str(path))
        # Title and note lines have fewer fields than the table: pad every line.
        lines = list(csv.reader(io.StringIO(text), delimiter=delimiter(text, suffix, lines=_SCAN_ROWS)))
        width = max((len(line) for line in lines), default=0)
        return {path.stem: pd.DataFrame([line + [""] * (width - len(line)) for line in lines], dtype=object)}
    if suffix in (".xlsx", ".xlsm"):
        try:
            sheets = pd.read_excel(
                path,
                sheet_name=sheet if sheet is not None else None,
                header=None,
                dtype=object,
                engine="openpyxl",
            )
        except ValueError as exc:
            raise SampleError(f"{path}: {exc}") from exc
        except Exception as exc:  # zip or XML errors of a file that is not a workbook
            raise SampleError(f"{path}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from exc
        if isinstance(sheets, pd.DataFrame):
            return {str(sheet): sheets}
        return {str(k): v for k, v in sheets.items()}
    if suffix == ".parquet":
        from basis.tables import read_table

        table = read_table(path)
        rows = [list(table.columns), *table.astype(object).to_numpy().tolist()]
        return {path.stem: pd.DataFrame(rows, dtype=object)}
    raise SampleError(f"{path}: unsupported file type {suffix!r}; use .xlsx, .csv or .parquet")


_COLUMN_NUMBERS = frozenset("甲乙丙丁戊己庚辛")


def _header_continuation(values: list[Any]) -> bool:
    """A row of column numbers (栏次: 甲, 乙, 1, 2, ...) or units (人, 万元) under the header."""
    filled = [_norm(v) for v in values if not _blank(v)]
    if len(filled) < 2:
        return False
    numbering = all(t in _COLUMN_NUMBERS or (t.isdigit() and int(t) <= len(values)) for t in filled)
    units = all(re.fullmatch(r"[（(]?(人|万元|元|个|户)[）)]?", t) is not None for t in filled)
    return numbering or units


def _row_kind(values: list[Any], id_pos: list[int], first: bool) -> str | None:
    filled = [v for v in values if not _blank(v)]
    if not filled:
        return "blank row"
    if first and _header_continuation(values):
        return "column number or unit row"
    for v in filled:
        text = _norm(v).lower()
        if any(text == w or text.startswith(w) for w in TOTAL_WORDS):
            return "total row"
    if len(filled) == 1 and all(_blank(values[i]) for i in id_pos):
        return "note row"
    return None


def read_sample(
    path: str | PathLike[str],
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a proposed sample in the ministry's registration layout.

    Parameters
    ----------
    path : path
        An Excel workbook (.xlsx, .xlsm), a CSV file (UTF-8 or GB18030) or a Parquet file
        (as :meth:`sampling.Sample.to_frame` writes it).
    sheet : str or int, optional
        One sheet to read; default every sheet of a workbook except reserve and removal lists
        (:data:`NOT_SAMPLE_SHEETS`). Sheets without a table (no row
        with the form's headers) are listed as skipped; a file where no sheet has one is an
        error.
    columns : mapping, optional
        ``{header: canonical}`` for headers :data:`sampling.frame.HEADER_ALIASES` does not know.

    Returns
    -------
    DataFrame
        One row per listed enterprise, with the canonical columns found (``enterprise_id,
        name, city, industry, registration_type, employees, revenue, assets``, and
        ``reported_size`` for 企业规模), any unrecognised columns under their own headers, and
        ``source_sheet`` and ``source_row`` (the row number in the sheet, from 1) for tracing a
        problem back to the file. Excel numbers stay numbers (an industry code 511 is 0511).
        Without a city column the city is the sheet's name, which must be a city.
        ``attrs["skipped"]`` lists, with ``sheet, row, kind, value``, everything not read as
        an enterprise: unrecognised columns (kept), blank rows, total rows (合计, 总计, 小计),
        note rows (a single filled cell), a column-number (栏次: 甲, 乙, 1, 2, ...) or unit row
        right under the header, and sheets without a table. ``attrs["header_rows"]``
        gives the header's row number in each sheet.

    Warns
    -----
    SampleReadWarning
        When anything was skipped or unrecognised (the counts by kind), other than the
        reserve and removal sheets.

    Raises
    ------
    SampleError
        For a missing or unreadable file, a file where no sheet has the form's headers, a sheet
        without a city column whose name is not a city, or a table without an enterprise id
        column (the message lists the headers found).
    FrameError
        When two headers map to the same field (pass ``columns=``).
    TableError
        A bad value in the library's own sample columns (``state_owned`` not yes/no, a
        ``pi`` that is not a number), each named with its row and column.

    References
    ----------
    人社部函〔2011〕308号 and its 监测企业登记表 (the registration form of monitored enterprises).

    Examples
    --------
    >>> import tempfile, os
    >>> from sampling.read import read_sample
    >>> text = "韶关市监测企业名单\\n统一社会信用代码,企业名称,所属行业,企业性质,从业人员\\nA1,甲公司,1311,173,120\\n合计,,,,120\\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "韶关.csv")
    ...     with open(p, "w", encoding="utf-8") as fh:
    ...         _ = fh.write(text)
    ...     import warnings
    ...     with warnings.catch_warnings(record=True):
    ...         warnings.simplefilter("always")
    ...         s = read_sample(p)
    >>> s[["enterprise_id", "city", "industry", "employees"]].values.tolist()
    [['A1', '韶关', '1311', '120']]
    >>> s.attrs["skipped"][["row", "kind"]].values.tolist()
    [[4, 'total row']]
    """
    from basis.exceptions import TableError
    from basis.tables import check_file

    p = Path(path)
    if not p.exists():
        raise SampleError(f"no such file: {p}")
    try:
        check_file(p)
        raw_sheets = _read_raw(p, sheet)
    except TableError as exc:
        raise SampleError(str(exc)) from None
    parts: list[pd.DataFrame] = []
    skipped: list[tuple[str, Any, str, str]] = []
    header_rows: dict[str, int] = {}
    first_rows: list[str] = []
    for name, raw in raw_sheets.items():
        if sheet is None and name.strip() in NOT_SAMPLE_SHEETS:
            skipped.append((name, None, "reserve or removed list, not the sample", ""))
            continue
        found = _find_header(raw, columns)
        if found is None:
            skipped.append((name, None, "sheet without a sample table", ""))
            first_rows.append(f"{name}: {[v for v in raw.head(3).to_numpy().ravel() if not _blank(v)][:6]}")
            continue
        r, mapping = found
        header_rows[name] = r + 1
        headers = list(raw.iloc[r])
        body = raw.iloc[r + 1 :]
        keep_cols: dict[int, str] = {}
        for i, h in enumerate(headers):
            if i in mapping:
                keep_cols[i] = mapping[i]
            elif _blank(h):
                if body.iloc[:, i].map(lambda v: not _blank(v)).any():
                    label = f"(blank header, column {i + 1})"
                    keep_cols[i] = label
                    skipped.append((name, r + 1, "unrecognised column", label))
            else:
                keep_cols[i] = str(h).strip()
                skipped.append((name, r + 1, "unrecognised column", str(h).strip()))
        id_pos = [i for i, c in mapping.items() if c in ("enterprise_id", "name")]
        rows = []
        for offset, values in enumerate(body.itertuples(index=False, name=None)):
            row_number = r + 2 + offset
            kind = _row_kind(list(values), id_pos, first=offset == 0)
            if kind is not None:
                if kind != "blank row" or any(not _blank(v) for v in values):
                    text = " ".join(str(v).strip() for v in values if not _blank(v))
                else:
                    text = ""
                skipped.append((name, row_number, kind, text))
                continue
            rows.append([values[i] for i in keep_cols] + [name, row_number])
        part = pd.DataFrame(rows, columns=[*keep_cols.values(), "source_sheet", "source_row"])
        if "enterprise_id" not in part.columns:
            raise SampleError(
                f"{p}, sheet {name!r}: no enterprise id column (统一社会信用代码 / 组织机构代码) among the "
                f"headers {[h for h in headers if not _blank(h)]}; accepted: {', '.join(HEADER_ALIASES['enterprise_id'][:5])} "
                "(or pass columns=)"
            )
        if "city" not in part.columns:
            try:
                resolve_cities([name])
            except UnknownCityError as exc:
                raise SampleError(
                    f"{p}, sheet {name!r}: no city column (所在地市) and the sheet name is not a city ({exc})"
                ) from exc
            part.insert(1, "city", name)
        parts.append(part)
    if not parts:
        raise SampleError(
            f"{p} is not a sample: no sheet has a header row with the registration form's columns "
            f"(统一社会信用代码 or 企业名称 and at least one of 所在地市, 所属行业, 企业性质, 从业人员) in its "
            f"first {_SCAN_ROWS} rows; first cells: {'; '.join(first_rows)}"
        )
    out = _own_values(pd.concat(parts, ignore_index=True), p)
    ordered = [c for c in (*HEADER_ALIASES, "reported_size") if c in out.columns]
    out = out[ordered + [c for c in out.columns if c not in ordered]]
    report = pd.DataFrame(skipped, columns=_SKIPPED_COLUMNS)
    out.attrs["skipped"] = report
    out.attrs["header_rows"] = header_rows
    # The reserve and removal sheets of the library's own workbook are listed, not warned about.
    noted = report[report["kind"] != "reserve or removed list, not the sample"]
    if len(noted):
        counts = noted["kind"].value_counts().to_dict()
        warnings.warn(
            f"{p.name}: read {len(out)} enterprises; not read as enterprises: "
            + ", ".join(f"{n} {k}(s)" for k, n in counts.items())
            + ' (listed in attrs["skipped"])',
            SampleReadWarning,
            stacklevel=2,
        )
    return out
