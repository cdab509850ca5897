"""Enterprise registers as read from files: the canonical columns and the headers they go by.

A register (frame) has one row per enterprise with the canonical columns

``enterprise_id, name, city, industry, registration_type, employees, revenue, assets``

(revenue and assets in 万元), optionally ``in_panel``, ``status`` and ``prn``.
:func:`read_frame` reads a file or a DataFrame and gives the columns their canonical names;
:func:`sampling.prepare.validate_frame` and :func:`sampling.prepare.prepare_frame` check the
values and derive the cells; :func:`sampling.structure.structure` counts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

import pandas as pd

from basis import tables
from sampling.exceptions import FrameError

__all__ = [
    "CANONICAL_COLUMNS",
    "HEADER_ALIASES",
    "REQUIRED_COLUMNS",
    "canonical_columns",
    "read_frame",
    "read_table",
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
    "enterprise_id": (
        "统一社会信用代码",
        "社会信用代码",
        "组织机构代码",
        "企业代码",
        "单位代码",
        "enterprise_id",
        "id",
        "credit_code",
        "code",
    ),
    "name": ("企业名称", "单位名称", "单位详细名称", "name", "enterprise_name", "enterprise"),
    "city": ("所在地市", "所在城市", "地市", "城市", "所属地市", "所在市", "city"),
    "industry": (
        "所属行业",
        "行业代码",
        "国民经济行业代码",
        "行业",
        "所属行业代码",
        "industry",
        "industry_code",
    ),
    "registration_type": (
        "企业登记注册类型",
        "登记注册类型",
        "企业性质",
        "企业类型",
        "注册类型",
        "registration_type",
        "ownership",
    ),
    "employees": (
        "从业人员",
        "从业人员数",
        "用工人数",
        "建档期期末就业人数",
        "期末就业人数",
        "就业人数",
        "职工人数",
        "employees",
        "employment",
    ),
    "revenue": ("营业收入", "主营业务收入", "revenue", "turnover"),
    "assets": ("资产总额", "总资产", "assets", "total_assets"),
    "in_panel": ("是否监测企业", "已在监测", "现有监测企业", "in_panel", "panel"),
    "status": ("状态", "企业状态", "status"),
    "prn": ("永久随机数", "prn"),
}
"""Accepted headers per canonical column (matched after removing spaces, units in brackets
and letter case). Pass ``columns=`` to :func:`read_frame` for anything else."""


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
        detail = "; ".join(f"{canon}: {list(group.index)}" for canon, group in clashes.groupby(clashes))
        raise FrameError(
            f"several columns map to the same field ({detail}); pass columns= to say which is which"
        )
    return mapping


def read_table(path: str | PathLike[str], *, sheet: str | int | None = 0) -> pd.DataFrame:
    """Read a CSV, Excel (.xlsx/.xlsm) or Parquet file as text columns, as it stands.

    See :func:`basis.tables.read_table` (encodings, delimiters, and the index: each row's
    number as the user sees it, the CSV line or Excel row with the header as row 1).
    """
    return tables.read_table(path, sheet=sheet)


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
            f"accepted headers: "
            + "; ".join(f"{c}: {', '.join(HEADER_ALIASES[c][:4])}" for c in missing)
            + " (or pass columns=)"
        )
    return raw.rename(columns=mapping)
