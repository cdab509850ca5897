"""Enterprise frames: reading registers, validating them and aggregating them into a structure.

A frame has one row per enterprise with the canonical columns

``enterprise_id, name, city, industry, registration_type, employees, revenue, assets``

(revenue and assets in 万元), optionally ``in_panel``, ``status`` and ``prn``.
:func:`prepare_frame` adds, on a copy, the derived columns ``section`` (A-T), ``sector``
(1/2/3), ``size_class`` (large/medium/small/micro), ``size_basis`` and ``state_owned``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from quotas import classify
from quotas.cities import resolve_cities
from quotas.exceptions import ClassificationError, SizeClassWarning
from sampling.exceptions import FrameError

__all__ = [
    "CANONICAL_COLUMNS",
    "HEADER_ALIASES",
    "INVALID_STATUSES",
    "canonical_columns",
    "panel_mask",
    "prepare_frame",
    "read_frame",
    "read_table",
    "structure",
    "validate_frame",
]

CANONICAL_COLUMNS: tuple[str, ...] = (
    "enterprise_id",
    "name",
    "city",
    "industry",
    "registration_type",
    "employees",
    "revenue",
    "assets",
)
"""The frame columns every stage relies on (``name``, ``revenue``, ``assets`` may be empty)."""

REQUIRED_COLUMNS: tuple[str, ...] = ("enterprise_id", "city", "industry", "registration_type", "employees")

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "enterprise_id": ("统一社会信用代码", "社会信用代码", "组织机构代码", "企业代码", "单位代码", "enterprise_id", "id", "credit_code", "code"),
    "name": ("企业名称", "单位名称", "单位详细名称", "name", "enterprise_name", "enterprise"),
    "city": ("所在地市", "所在城市", "地市", "城市", "所属地市", "所在市", "city"),
    "industry": ("所属行业", "行业代码", "国民经济行业代码", "行业", "所属行业代码", "industry", "industry_code"),
    "registration_type": ("企业登记注册类型", "登记注册类型", "企业性质", "企业类型", "注册类型", "registration_type", "ownership"),
    "employees": ("从业人员", "从业人员数", "用工人数", "建档期期末就业人数", "期末就业人数", "就业人数", "职工人数", "employees", "employment"),
    "revenue": ("营业收入", "主营业务收入", "revenue", "turnover"),
    "assets": ("资产总额", "总资产", "assets", "total_assets"),
    "in_panel": ("是否监测企业", "已在监测", "现有监测企业", "in_panel", "panel"),
    "status": ("状态", "企业状态", "status"),
    "prn": ("永久随机数", "prn"),
}
"""Accepted headers per canonical column (matched after removing spaces, units in brackets
and letter case). Pass ``columns=`` to :func:`read_frame` for anything else."""

INVALID_STATUSES: tuple[str, ...] = ("关闭破产", "停业整顿", "迁出本市", "不再符合条件", "其他")
"""Statuses that take an enterprise out of the panel (the monthly report's decrease types and the
maintenance rule "remove invalid units"). Anything else, including blank and ``active``, is valid."""

_TRUE = {"1", "true", "yes", "y", "是", "t"}
_FALSE = {"0", "false", "no", "n", "否", "f", ""}


def _header_key(header: Any) -> str:
    text = str(header).strip()
    text = re.sub(r"[（(][^）)]*[）)]", "", text)  # units such as （万元） or (人)
    return re.sub(r"[\s_\-]+", "", text).lower()


_ALIAS_LOOKUP: dict[str, str] = {
    _header_key(alias): canonical for canonical, aliases in HEADER_ALIASES.items() for alias in aliases
}


def canonical_columns(headers: Iterable[Any], *, columns: Mapping[str, str] | None = None) -> dict[Any, str]:
    """Map a file's headers to canonical column names.

    Parameters
    ----------
    headers : iterable
        The headers as read.
    columns : mapping, optional
        Explicit ``{header: canonical}`` entries that take precedence over :data:`HEADER_ALIASES`.

    Returns
    -------
    dict
        ``{header: canonical}`` for every recognised header; unrecognised ones are absent.

    Raises
    ------
    FrameError
        When two headers map to the same canonical column, or ``columns`` names an unknown
        canonical column.

    Examples
    --------
    >>> from sampling.frame import canonical_columns
    >>> canonical_columns(["企业名称", "从业人员（人）", "营业收入(万元)", "备注"])
    {'企业名称': 'name', '从业人员（人）': 'employees', '营业收入(万元)': 'revenue'}
    """
    headers = list(headers)
    explicit = dict(columns or {})
    known = set(HEADER_ALIASES)
    wrong = {h: c for h, c in explicit.items() if c not in known}
    if wrong:
        raise FrameError(f"columns= maps to unknown canonical name(s) {wrong}; valid: {sorted(known)}")
    mapping: dict[Any, str] = {}
    for header in headers:
        target = explicit.get(header) if header in explicit else _ALIAS_LOOKUP.get(_header_key(header))
        if target is not None:
            mapping[header] = target
    targets = pd.Series(mapping)
    clashes = targets[targets.duplicated(keep=False)] if len(targets) else targets
    if len(clashes):
        detail = "; ".join(
            f"{canon}: {list(group.index)}" for canon, group in clashes.groupby(clashes)
        )
        raise FrameError(
            f"several columns map to the same field ({detail}); pass columns= to say which is which"
        )
    return mapping


def read_table(path: str | PathLike[str], *, sheet: str | int | None = 0) -> pd.DataFrame:
    """Read a CSV, Excel (.xlsx/.xlsm) or Parquet file as text columns, as it stands.

    CSV files are read as UTF-8 (with or without BOM) and, failing that, GB18030, the encoding
    of most Chinese Excel exports.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file: {p}")
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(p, dtype=str, keep_default_na=False, encoding=encoding)
            except UnicodeDecodeError:
                continue
        raise FrameError(f"{p}: not readable as UTF-8 or GB18030 text")
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(p, sheet_name=sheet, dtype=str, keep_default_na=False)
    if suffix == ".parquet":
        return pd.read_parquet(p)
    raise FrameError(f"{p}: unsupported file type {suffix!r}; use .csv, .xlsx or .parquet")


def read_frame(
    path_or_df: str | PathLike[str] | pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | int | None = 0,
) -> pd.DataFrame:
    """Read an enterprise register and give its columns their canonical names.

    Parameters
    ----------
    path_or_df : path or DataFrame
        A CSV, Excel (.xlsx) or Parquet file, or a DataFrame (not modified).
    columns : mapping, optional
        ``{header: canonical}`` for headers :data:`HEADER_ALIASES` does not know.
    sheet : str or int, default 0
        Excel sheet to read.

    Returns
    -------
    DataFrame
        A new frame whose recognised columns carry canonical names (see
        :data:`CANONICAL_COLUMNS`); other columns are kept under their own names. Values are not
        yet checked: call :func:`validate_frame` or :func:`prepare_frame`.

    Raises
    ------
    FrameError
        When a required column (enterprise_id, city, industry, registration_type, employees)
        cannot be found; the message lists the headers that were seen.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.frame import read_frame
    >>> raw = pd.DataFrame({"统一社会信用代码": ["A1"], "企业名称": ["甲公司"], "所在地市": ["广州"],
    ...                     "所属行业": ["13"], "企业性质": ["173"], "从业人员": ["120"]})
    >>> list(read_frame(raw).columns)
    ['enterprise_id', 'name', 'city', 'industry', 'registration_type', 'employees']
    """
    if isinstance(path_or_df, pd.DataFrame):
        raw = path_or_df.copy()
    else:
        raw = read_table(path_or_df, sheet=sheet)
    mapping = canonical_columns(raw.columns, columns=columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        raise FrameError(
            f"required column(s) {missing} not found among the headers {list(raw.columns)}; "
            f"accepted headers: " + "; ".join(f"{c}: {', '.join(HEADER_ALIASES[c][:4])}" for c in missing)
            + " (or pass columns=)"
        )
    return raw.rename(columns=mapping)


def _problem_rows(mask: pd.Series | np.ndarray, df: pd.DataFrame, column: str, reason: str) -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return pd.DataFrame(columns=["row", "column", "value", "reason"])
    return pd.DataFrame(
        {"row": df.index[mask], "column": column, "value": df[column].to_numpy()[mask], "reason": reason}
    )


def _bad_by_unique(values: pd.Series, check: Any) -> tuple[np.ndarray, dict[Any, str]]:
    """Run ``check`` on each distinct value; return (bad-row mask, {value: error text})."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    errors: dict[Any, str] = {}
    bad_u = np.zeros(len(uniques), dtype=bool)
    try:
        check(list(uniques))
        good = True
    except ClassificationError:
        good = False
    for i, value in enumerate([] if good else uniques):
        try:
            check([value])
        except ClassificationError as exc:
            bad_u[i] = True
            text = re.sub(r"^unknown city name\(s\): |\s*\(at row .*\)$", "", str(exc))
            errors[value] = text.split(";")[0]
    mask = (codes < 0) | bad_u[np.maximum(codes, 0)]
    return mask, errors


def _to_number(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    text = series.astype(str).str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text.replace({"": np.nan, "nan": np.nan, "None": np.nan}), errors="coerce")


def validate_frame(
    df: pd.DataFrame,
    *,
    cities: Iterable[str] | None = None,
    industry_version: Literal["2011", "2017"] = "2011",
) -> pd.DataFrame:
    """Check a frame with canonical columns and return a clean copy.

    Every problem is collected first; then one :class:`~sampling.exceptions.FrameError` lists
    them all (its ``.problems`` DataFrame has ``row, column, value, reason``).

    Parameters
    ----------
    df : DataFrame
        A frame with canonical column names (see :func:`read_frame`). Not modified.
    cities : iterable of str, optional
        The full names of the cities the frame may contain (e.g. one province's); a city that
        resolves outside them is a problem.
    industry_version : {"2011", "2017"}
        GB/T 4754 edition of the industry codes.

    Returns
    -------
    DataFrame
        A copy with: ``enterprise_id`` as text; ``city`` as the full official name
        (``广州`` -> ``广州市``); ``industry`` as text; ``registration_type`` as the three-digit
        code; ``employees`` as int64; ``revenue`` and ``assets`` as float (NaN where blank);
        ``in_panel`` as bool and ``status`` as text where present.

    Raises
    ------
    FrameError
        Duplicate ids; missing, non-numeric or negative employees; negative or non-numeric
        revenue/assets; unknown industry or registration codes; unknown or ambiguous cities;
        unreadable ``in_panel`` values.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.frame import validate_frame
    >>> df = pd.DataFrame({"enterprise_id": ["1", "2"], "city": ["广州", "Shenzhen"],
    ...                    "industry": ["13", "51"], "registration_type": ["国有企业", "173"],
    ...                    "employees": ["300", "25"]})
    >>> out = validate_frame(df)
    >>> out["city"].tolist(), out["registration_type"].tolist()
    (['广州市', '深圳市'], ['110', '173'])
    """
    _check_columns(df)
    out = df.copy()
    for col in ("name", "revenue", "assets"):
        if col not in out.columns:
            out[col] = np.nan if col != "name" else ""
    problems: list[pd.DataFrame] = []

    ids = out["enterprise_id"]
    id_text = (ids if pd.api.types.is_string_dtype(ids) else ids.astype(str)).str.strip()
    blank_id = ids.isna() | (id_text == "")
    problems.append(_problem_rows(blank_id, out, "enterprise_id", "missing enterprise id"))
    dup = id_text.duplicated(keep=False) & ~blank_id
    problems.append(_problem_rows(dup, out, "enterprise_id", "duplicate enterprise id"))

    emp = _to_number(out["employees"])
    problems.append(_problem_rows(emp.isna(), out, "employees", "missing or not a number"))
    problems.append(_problem_rows(emp < 0, out, "employees", "negative"))
    problems.append(_problem_rows((emp % 1 != 0) & emp.notna(), out, "employees", "not a whole number"))
    numbers = {}
    for col in ("revenue", "assets"):
        raw = out[col]
        num = _to_number(raw)
        if pd.api.types.is_numeric_dtype(raw):
            unreadable = pd.Series(False, index=raw.index)
        else:
            unreadable = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        problems.append(_problem_rows(unreadable, out, col, "not a number"))
        problems.append(_problem_rows(num < 0, out, col, "negative"))
        numbers[col] = num

    ind_bad, ind_err = _bad_by_unique(out["industry"], lambda v: classify.section_of(v, version=industry_version))
    problems.append(_problem_rows(ind_bad, out, "industry", f"unknown GB/T 4754-{industry_version} industry code"))
    reg_bad, _ = _bad_by_unique(out["registration_type"], classify.is_state_owned)
    problems.append(_problem_rows(reg_bad, out, "registration_type", "unknown registration type (国统字〔1998〕200号)"))

    allowed = list(cities) if cities is not None else None
    city_bad, city_err = _bad_by_unique(out["city"], lambda v: resolve_cities(v, within=allowed))
    if city_bad.any():
        reasons = out["city"].map(lambda v: city_err.get(v, "blank city")).to_numpy()
        problems.append(
            pd.DataFrame(
                {"row": out.index[city_bad], "column": "city", "value": out["city"].to_numpy()[city_bad], "reason": reasons[city_bad]}
            )
        )

    panel = None
    if "in_panel" in out.columns:
        panel, panel_bad = _to_bool(out["in_panel"])
        problems.append(_problem_rows(panel_bad, out, "in_panel", "not a yes/no value"))

    found = [p for p in problems if len(p)]
    if found:
        table = pd.concat(found, ignore_index=True)
        raise FrameError(
            f"the frame has {len(table)} problem(s) in {table['row'].nunique()} row(s)", table
        )

    out["enterprise_id"] = id_text
    out["city"] = _by_distinct(out["city"], lambda u: resolve_cities(u).tolist())
    out["industry"] = _by_distinct(out["industry"], lambda u: [_industry_text(v) for v in u])
    out["registration_type"] = _by_distinct(
        out["registration_type"], lambda u: classify._registration_codes(pd.Series(u, dtype=object)).tolist()
    )
    out["employees"] = emp.astype(np.int64)
    out["revenue"] = numbers["revenue"]
    out["assets"] = numbers["assets"]
    if panel is not None:
        out["in_panel"] = panel
    if "status" in out.columns:
        out["status"] = _by_distinct(out["status"].astype(object).fillna(""), lambda u: [str(v).strip() for v in u])
    return out


def _by_distinct(values: pd.Series, convert: Any) -> pd.Categorical:
    """Convert each distinct value once and return a categorical (cheap on millions of rows)."""
    codes, uniques = pd.factorize(values)
    converted = pd.Series(convert(list(uniques)), dtype=object)
    categories, inverse = np.unique(converted.to_numpy(dtype=str), return_inverse=True)
    return pd.Categorical.from_codes(inverse[codes], categories=categories)


def _industry_text(value: Any) -> str:
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and float(value).is_integer()):
        text = str(int(value))
        return text.zfill(2) if len(text) <= 2 else text.zfill(4)
    return str(value).strip().upper()


def _to_bool(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=bool), np.zeros(len(values), dtype=bool)
    text = values.fillna("").astype(str).str.strip().str.lower()
    is_true = text.isin(_TRUE).to_numpy()
    is_false = text.isin(_FALSE).to_numpy()
    return is_true, ~(is_true | is_false)


def _check_columns(df: pd.DataFrame) -> None:
    if not isinstance(df, pd.DataFrame):
        raise FrameError(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise FrameError(
            f"the frame lacks required column(s) {missing}; it has {list(df.columns)} "
            "(use read_frame to map Chinese headers)"
        )


def prepare_frame(
    df: pd.DataFrame,
    *,
    cities: Iterable[str] | None = None,
    industry_version: Literal["2011", "2017"] = "2011",
    state_owned_codes: Iterable[str | int] = classify.DEFAULT_STATE_OWNED_CODES,
) -> pd.DataFrame:
    """Validate a frame and add the derived columns used by quotas, selection and audit.

    Parameters
    ----------
    df : DataFrame
        Canonical columns (see :func:`read_frame`). Not modified.
    cities, industry_version
        As in :func:`validate_frame`.
    state_owned_codes : iterable
        Registration types counted as state-owned (default 110, 141, 151).

    Returns
    -------
    DataFrame
        The validated copy plus ``section``, ``sector``, ``size_class`` (categorical large /
        medium / small / micro), ``size_basis`` (see :func:`quotas.classify.size_class`) and
        ``state_owned`` (bool). A :class:`~quotas.exceptions.SizeClassWarning` is issued when
        some sizes rest on partial information.

    References
    ----------
    GB/T 4754-2011; 三次产业划分规定 (2012); 国统字〔2011〕75号; 国统字〔1998〕200号.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.frame import prepare_frame
    >>> df = pd.DataFrame({"enterprise_id": ["1"], "city": ["广州"], "industry": ["1311"],
    ...                    "registration_type": ["110"], "employees": [300], "revenue": [2000.0]})
    >>> row = prepare_frame(df).iloc[0]
    >>> row["section"], int(row["sector"]), row["size_class"], bool(row["state_owned"])
    ('C', 2, 'medium', True)
    """
    out = validate_frame(df, cities=cities, industry_version=industry_version)
    # Derived text columns are categoricals: cheap to build and to group on millions of rows.
    out["section"] = _by_distinct(out["industry"], lambda u: classify.section_of(u, version=industry_version).tolist())
    out["sector"] = classify.sector_of(out["industry"], version=industry_version).to_numpy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SizeClassWarning)
        sizes = classify.size_class(
            out["industry"], out["employees"], out["revenue"], out["assets"], version=industry_version
        )
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=2)
    out["size_class"] = sizes["size_class"].array
    out["size_basis"] = sizes["size_basis"].array
    out["state_owned"] = classify.is_state_owned(out["registration_type"], codes=state_owned_codes).to_numpy()
    return out


_DERIVED = ("section", "size_class", "state_owned")


def structure(frame: pd.DataFrame, *, band: tuple[int, int] = (50, 300)) -> pd.DataFrame:
    """Aggregate a prepared frame into the population structure that :func:`quotas.build_quotas` takes.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`prepare_frame` (needs city, section, size_class, state_owned,
        employees; ``in_panel`` and ``status`` are used when present).
    band : (int, int), default (50, 300)
        Employee band counted in ``enterprises_50_300`` (the Guangdong plan's "50-300人" SMEs),
        inclusive at both ends.

    Returns
    -------
    DataFrame
        One row per non-empty cell, sorted: ``city, section, size_class, state_owned,
        enterprises, employment``, then ``enterprises_50_300`` and ``panel`` (valid panel
        enterprises in the cell; 0 without an ``in_panel`` column).

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.frame import prepare_frame, structure
    >>> df = pd.DataFrame({"enterprise_id": ["1", "2", "3"], "city": ["广州"] * 3,
    ...                    "industry": ["13", "13", "51"], "registration_type": ["173"] * 3,
    ...                    "employees": [60, 80, 30], "revenue": [500.0, 900.0, 6000.0]})
    >>> structure(prepare_frame(df))[["section", "size_class", "enterprises", "employment"]].values.tolist()
    [['C', 'small', 2, 140], ['F', 'medium', 1, 30]]
    """
    missing = [c for c in ("city", *_DERIVED, "employees") if c not in frame.columns]
    if missing:
        raise FrameError(f"structure() needs a prepared frame; missing column(s) {missing} (call prepare_frame first)")
    emp = frame["employees"].to_numpy(dtype=np.int64)
    lo, hi = band
    # Count on integer codes (one bincount per measure) rather than grouping by text columns:
    # ten million rows take a second instead of tens of seconds.
    keys = []
    for column in ("city", "section", "size_class", "state_owned"):
        codes, uniques = pd.factorize(frame[column], sort=True)
        if (codes < 0).any():
            raise FrameError(f"structure(): column {column!r} has missing values (call prepare_frame first)")
        keys.append((codes.astype(np.int64), np.asarray(uniques)))
    sizes = [len(u) for _, u in keys]
    flat = np.ravel_multi_index([c for c, _ in keys], sizes)
    cell, flat_inverse = np.unique(flat, return_inverse=True)
    n_cells = len(cell)
    measures = {
        "enterprises": np.bincount(flat_inverse, minlength=n_cells),
        "employment": np.bincount(flat_inverse, weights=emp, minlength=n_cells).round().astype(np.int64),
        "enterprises_50_300": np.bincount(flat_inverse, weights=(emp >= lo) & (emp <= hi), minlength=n_cells).astype(np.int64),
        "panel": np.bincount(flat_inverse, weights=panel_mask(frame), minlength=n_cells).astype(np.int64),
    }
    parts = np.unravel_index(cell, sizes)
    out = pd.DataFrame(
        {
            column: uniques[part]
            for column, (_, uniques), part in zip(("city", "section", "size_class", "state_owned"), keys, parts)
        }
    )
    out["state_owned"] = out["state_owned"].astype(bool)
    for name, values in measures.items():
        out[name] = values.astype(np.int64)
    order = pd.Categorical(out["size_class"], categories=list(classify.SIZE_CLASSES)).codes
    out = (
        out.assign(_size=order)
        .sort_values(["city", "section", "_size", "state_owned"], kind="mergesort")
        .drop(columns="_size")
        .reset_index(drop=True)
    )
    out["size_class"] = out["size_class"].astype(str)
    out["city"] = out["city"].astype(str)
    out["section"] = out["section"].astype(str)
    return out


def panel_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows that are valid panel enterprises: ``in_panel`` true and ``status`` not invalid."""
    if "in_panel" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    panel = np.array(frame["in_panel"], dtype=bool)
    if "status" in frame.columns:
        panel &= ~frame["status"].isin(INVALID_STATUSES).to_numpy()
    return panel
