"""Industry groups: the cell key that carries the sector and the key industries of a city.

A quota cell's industry is an *industry group*: a GB/T 4754-2011 section letter (``"C"``) or a
section letter followed by one of its two-digit divisions (``"C39"``, ``"A05"``). A division
group holds that division's enterprises; a section group holds the rest of the section. The
section of a group is its letter; its sector (三次产业) is exact:

* the divisions that 三次产业划分规定 (国家统计局, 2012) places in another sector than the
  rest of their section, 05 (A, tertiary), 11 (B, tertiary) and 43 (C, tertiary), always form
  groups of their own (:data:`SECTOR_DIVISIONS`), so that section groups are of one sector:
  A primary, B-E secondary, F-T tertiary;
* a city's key or pillar industries given as divisions (:func:`check_key_industries`) form
  groups of their own in that city (e.g. ``"C39"``, computers and electronics, beside the rest
  of manufacturing ``"C"``).

An enterprise belongs to the most specific group present for its city
(:func:`industry_group`). A table whose industry is a section only (no ``industry_group``
column) is read with the section as the group; its sectors are then those of the sections, and
divisions 05, 11 and 43 are counted with their sections.

References
----------
GB/T 4754-2011 国民经济行业分类; 国家统计局, 三次产业划分规定 (2012); 人社部函〔2011〕308号
("并包括本地支柱产业"); 广东省全省企业用工定点监测扩面组织实施方案 (2013) (重点行业).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from basis.rows import row_name, rows_shown
from quotas.cities import resolve_cities
from quotas.classify import divisions, sector_of_section
from quotas.exceptions import QuotaInputError

__all__ = [
    "KEY_INDUSTRY_COLUMNS",
    "SECTOR_DIVISIONS",
    "check_groups",
    "check_key_industries",
    "group_matches",
    "industry_group",
    "section_of_group",
    "sector_of_group",
]

KEY_INDUSTRY_COLUMNS: tuple[str, ...] = ("city", "industry_group", "min_share")
"""Columns of a checked key-industry table (:func:`check_key_industries`)."""


@cache
def _divisions() -> pd.DataFrame:
    return divisions("2011").set_index("division")


@cache
def _section_sector() -> dict[str, int]:
    """The sector of each section once its odd divisions are split off."""
    letters = sorted(set(_divisions()["section"]))
    return dict(zip(letters, sector_of_section(letters).tolist()))


@cache
def _sector_divisions() -> tuple[str, ...]:
    div = _divisions()
    base = _section_sector()
    odd = div[[int(s) != base[sec] for sec, s in zip(div["section"], div["sector"])]]
    return tuple(f"{sec}{code}" for code, sec in zip(odd.index, odd["section"]))


SECTOR_DIVISIONS: tuple[str, ...] = _sector_divisions()
"""Groups that are always split off their section because their sector differs from the rest of
it (三次产业划分规定): ``("A05", "B11", "C43")``."""


@cache
def _group_table() -> dict[str, tuple[str, int]]:
    """Every valid group code -> (section, sector)."""
    div = _divisions()
    table = {sec: (sec, sector) for sec, sector in _section_sector().items()}
    table.update(
        {f"{sec}{code}": (sec, int(s)) for code, sec, s in zip(div.index, div["section"], div["sector"])}
    )
    return table


def _as_text(values: Any) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    return series.astype(object).map(lambda v: v.strip().upper() if isinstance(v, str) else v)


def check_groups(values: Any, what: str = "industry_group") -> pd.Series:
    """Industry group codes, stripped and upper-cased, or an error naming the bad ones.

    Parameters
    ----------
    values : sequence or Series
        Codes such as ``"C"``, ``"c39"``, ``"A05"``.
    what : str
        How the values are named in the error message.

    Returns
    -------
    Series
        The codes (object dtype), same index.

    Raises
    ------
    QuotaInputError
        For a code that is neither a section letter A-T nor a section letter followed by one of
        its GB/T 4754-2011 divisions (``"C05"`` is not: division 05 is in section A).

    Examples
    --------
    >>> from quotas.industry_groups import check_groups
    >>> check_groups([" c39", "A05", "G"]).tolist()
    ['C39', 'A05', 'G']
    """
    text = _as_text(values)
    valid = _group_table()
    bad = ~text.isin(list(valid))
    if bad.any():
        shown = rows_shown(text[bad].items())
        raise QuotaInputError(
            f"{what}: unknown industry group(s) {shown}; expected a GB/T 4754-2011 section letter "
            "(A-T) or a section letter followed by one of its divisions (e.g. C39, A05)"
        )
    return text


def section_of_group(groups: Any) -> pd.Series:
    """The section letter of each (checked) industry group.

    Examples
    --------
    >>> from quotas.industry_groups import section_of_group
    >>> section_of_group(["C39", "G"]).tolist()
    ['C', 'G']
    """
    text = _as_text(groups)
    return text.str[0]


def sector_of_group(groups: Any) -> pd.Series:
    """The sector (1 primary, 2 secondary, 3 tertiary) of each (checked) industry group.

    A section group is the part of its section outside :data:`SECTOR_DIVISIONS`, so its sector
    is that of the section's other divisions.

    References
    ----------
    国家统计局, 三次产业划分规定 (2012).

    Examples
    --------
    >>> from quotas.industry_groups import sector_of_group
    >>> sector_of_group(["A", "A05", "C", "C43", "C39", "G"]).tolist()
    [1, 3, 2, 3, 2, 3]
    """
    table = _group_table()
    text = check_groups(groups)
    return text.map(lambda g: table[g][1]).astype(np.int64)


def group_matches(groups: Any, key: str) -> np.ndarray:
    """Which groups a key industry covers: a division key its group, a section key every group
    of the section.

    Examples
    --------
    >>> from quotas.industry_groups import group_matches
    >>> group_matches(["C", "C39", "C43", "G"], "C").tolist(), group_matches(["C", "C39"], "C39").tolist()
    ([True, True, True, False], [False, True])
    """
    text = _as_text(groups).to_numpy(dtype=object)
    if len(key) == 1:
        return np.array([isinstance(g, str) and g[:1] == key for g in text], dtype=bool)
    return text == key


def _key_code(value: Any) -> str | None:
    """A key industry as a group code: "39", 39, "C39" -> "C39"; "C" -> "C"."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = f"{int(value):02d}"
    if not isinstance(value, str):
        return None
    text = value.strip().upper()
    if text.isdigit() and len(text) <= 2:
        code = text.zfill(2)
        div = _divisions()
        return f"{div.loc[code, 'section']}{code}" if code in div.index else None
    return text if text in _group_table() else None


def check_key_industries(
    key_industries: pd.DataFrame | Mapping[str, Any] | None, *, cities: pd.Index | None = None
) -> pd.DataFrame:
    """A city's key and pillar industries as a checked table of industry groups.

    Parameters
    ----------
    key_industries : DataFrame or mapping, optional
        The table a user gives: ``city, division`` and optionally ``min_share`` (the key
        industry's minimum share of the city's sample; blank for none). ``division`` is a
        GB/T 4754-2011 division (``"39"``, ``39`` or ``"C39"``) or a section letter (``"C"``:
        the whole section). A mapping ``city -> division or list of divisions`` is read as the
        table without ``min_share``. Any city alias is accepted.
    cities : Index, optional
        The cities that may appear (e.g. those with a target); others are an error.

    Returns
    -------
    DataFrame
        :data:`KEY_INDUSTRY_COLUMNS`: full city names, group codes (``"C39"``, ``"C"``) and
        ``min_share`` (float, NaN for none); one row per city and group. Empty when None.

    Raises
    ------
    QuotaInputError
        For a missing column, an unknown division, a share outside [0, 1], a city outside
        ``cities``, or a city and industry named twice; the message names the row.

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas.industry_groups import check_key_industries
    >>> table = pd.DataFrame({"city": ["深圳", "佛山"], "division": ["39", "C"], "min_share": [0.1, None]})
    >>> check_key_industries(table).values.tolist()
    [['深圳市', 'C39', 0.1], ['佛山市', 'C', nan]]
    """
    if key_industries is None:
        return pd.DataFrame({"city": [], "industry_group": [], "min_share": []}).astype(
            {"city": object, "industry_group": object, "min_share": float}
        )
    if isinstance(key_industries, Mapping):
        rows = [
            (city, code)
            for city, value in key_industries.items()
            for code in ([value] if isinstance(value, (str, int, np.integer)) else list(value))
        ]
        table = pd.DataFrame(rows, columns=["city", "division"])
    elif isinstance(key_industries, pd.DataFrame):
        table = key_industries
        if "division" not in table.columns and "industry_group" in table.columns:
            # A table this function returned (for instance a QuotaTable's) is read again as it is.
            table = table.rename(columns={"industry_group": "division"})
    else:
        raise QuotaInputError(
            "key_industries must be a DataFrame (city, division[, min_share]) or a mapping "
            f"city -> divisions, got {type(key_industries).__name__}"
        )
    missing = [c for c in ("city", "division") if c not in table.columns]
    if missing:
        raise QuotaInputError(
            f"key_industries lacks column(s) {missing}; it needs city, division and optionally min_share "
            f"(has {list(table.columns)})"
        )
    codes = table["division"].map(_key_code)
    bad = codes.isna()
    if bad.any():
        shown = rows_shown(table.loc[bad, "division"].items())
        raise QuotaInputError(
            f"key_industries: unknown division(s) {shown}; expected a GB/T 4754-2011 division "
            "(two digits, e.g. 39 or C39) or a section letter A-T"
        )
    share = (
        pd.to_numeric(table["min_share"], errors="coerce")
        if "min_share" in table.columns
        else pd.Series(np.nan, index=table.index)
    )
    given = (
        table["min_share"].notna() if "min_share" in table.columns else pd.Series(False, index=table.index)
    )
    bad = (given & share.isna()) | (share < 0) | (share > 1)
    if bad.any():
        shown = rows_shown(table.loc[bad, "min_share"].items())
        raise QuotaInputError(
            f"key_industries: min_share must be a share between 0 and 1 or blank; bad: {shown}"
        )
    names = resolve_cities(table["city"].astype(object)) if len(table) else table["city"]
    if cities is not None:
        outside = ~pd.Series(names, index=table.index).isin(list(cities))
        if outside.any():
            shown = rows_shown((i, table.loc[i, "city"]) for i in table.index[outside])
            raise QuotaInputError(f"key_industries: cities without a target: {shown}")
    out = pd.DataFrame(
        {
            "city": np.asarray(names, dtype=object),
            "industry_group": codes.to_numpy(dtype=object),
            "min_share": share.to_numpy(dtype=float),
        }
    )
    dup = out.duplicated(["city", "industry_group"], keep=False)
    if dup.any():
        shown = ", ".join(
            f"{row_name(i)}: ({c}, {g})"
            for i, c, g in zip(
                table.index[dup.to_numpy()], out.loc[dup, "city"], out.loc[dup, "industry_group"]
            )
        )
        raise QuotaInputError(f"key_industries names a city's industry twice: {shown}")
    return out


def industry_group(
    section: pd.Series,
    division: pd.Series,
    city: pd.Series | None = None,
    *,
    key_industries: pd.DataFrame | None = None,
) -> pd.Series:
    """The most specific industry group of each enterprise.

    Parameters
    ----------
    section : Series
        Section letters (A-T) of the enterprises.
    division : Series
        Their GB/T 4754-2011 two-digit divisions (text), same index.
    city : Series, optional
        Their full city names; needed with ``key_industries``.
    key_industries : DataFrame, optional
        A table checked by :func:`check_key_industries`; its division groups become the groups
        of their enterprises in their city.

    Returns
    -------
    Series
        Group codes: ``section + division`` for divisions in :data:`SECTOR_DIVISIONS` and for
        the city's key divisions, otherwise the section letter.

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas.industry_groups import check_key_industries, industry_group
    >>> key = check_key_industries({"深圳市": ["39"]})
    >>> industry_group(pd.Series(["C", "C", "C", "A"]), pd.Series(["39", "39", "43", "05"]),
    ...                pd.Series(["深圳市", "广州市", "深圳市", "广州市"]), key_industries=key).tolist()
    ['C39', 'C', 'C43', 'A05']
    """
    sec = section.astype(object).to_numpy(dtype=object)
    div = division.astype(object).to_numpy(dtype=object)
    combined = np.array([f"{s}{d}" for s, d in zip(sec, div)], dtype=object)
    out = np.where(np.isin(combined, SECTOR_DIVISIONS), combined, sec)
    if key_industries is not None and len(key_industries):
        divisional = key_industries[key_industries["industry_group"].str.len() > 1]
        if len(divisional):
            if city is None:
                raise QuotaInputError("industry_group: key_industries need the enterprises' city")
            wanted = set(zip(divisional["city"], divisional["industry_group"]))
            cities = city.astype(object).to_numpy(dtype=object)
            hit = np.fromiter(
                ((c, g) in wanted for c, g in zip(cities, combined)), dtype=bool, count=len(combined)
            )
            out = np.where(hit, combined, out)
    return pd.Series(out, index=section.index, name="industry_group", dtype=object)
