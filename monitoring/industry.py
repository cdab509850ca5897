"""Industry codes of the form's column (2) in any of the three editions of GB/T 4754.

The form prescribes GB/T 4754-**2002** divisions (国统字〔2003〕14号); registers and monitored lists
drawn since 2012 use the 2011 or the 2017 edition. :func:`convert_industry` takes codes (two-digit
divisions, or four-digit classes of which the division is read) or Chinese division names of one
edition and returns the divisions of the edition wanted (2011 by default, the edition
:mod:`quotas.classify` sizes and sections with).

Conversions:

* 2002 -> 2011: the correspondence in ``monitoring/data/gbt4754_2002_divisions.csv``, derived
  and documented in ``monitoring/data/SOURCES.md``. Eight 2002 divisions were split between
  several 2011 divisions (07, 37, 41, 42, 47, 60, 61, 83): they cannot be converted from the
  division alone and are an error unless ``on_split="main"`` asks for the division that took
  the main activity.
* 2011 <-> 2017: 2017 inserted division 79 土地管理业, so 2011 divisions 79-96 are 2017 divisions
  80-97 (the rule :mod:`quotas.classify` uses); 2017 division 79 has no 2011 counterpart and
  cannot be converted to 2011.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from monitoring.exceptions import IndustryConversionError
from quotas.classify import divisions

__all__ = ["EDITIONS", "SPLIT_2002", "convert_industry", "divisions_2002"]

Edition = Literal["2002", "2011", "2017"]
EDITIONS: tuple[str, ...] = ("2002", "2011", "2017")


@cache
def _table_2002() -> pd.DataFrame:
    with resources.files("monitoring").joinpath("data", "gbt4754_2002_divisions.csv").open("rb") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def divisions_2002() -> pd.DataFrame:
    """The 95 divisions of GB/T 4754-2002 with their 2011 counterparts.

    Returns
    -------
    DataFrame
        ``division, section, name_zh, division_2011, also_2011`` (``also_2011``: other 2011
        divisions that took part of the division, space-separated; blank when none).

    References
    ----------
    GB/T 4754-2002 and GB/T 4754-2011 《国民经济行业分类》; the derivation is in
    ``monitoring/data/SOURCES.md``.

    Examples
    --------
    >>> from monitoring.industry import divisions_2002
    >>> t = divisions_2002()
    >>> len(t), t.set_index("division").loc["40", "division_2011"]
    (95, '39')
    """
    return _table_2002().copy()


SPLIT_2002: tuple[str, ...] = ("07", "37", "41", "42", "47", "60", "61", "83")
"""The 2002 divisions split between several 2011 divisions (see ``SOURCES.md``)."""


def _norm_name(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


@cache
def _lookup(version: str) -> dict[str, str]:
    """Code or normalised name -> division, for one edition."""
    table = _table_2002() if version == "2002" else divisions(version)  # type: ignore[arg-type]
    out = {d: d for d in table["division"]}
    out.update({_norm_name(n): d for n, d in zip(table["name_zh"], table["division"])})
    return out


def _division(value: Any, version: str) -> str | None:
    """The edition's division of one cell, or None when it is not one."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and value == int(value)):
        text = str(int(value))
    else:
        text = str(value).strip()
    lookup = _lookup(version)
    if re.fullmatch(r"[A-Ta-t]?\d{1,4}", text):
        digits = text.lstrip("ABCDEFGHIJKLMNOPQRSTabcdefghijklmnopqrst")
        # a division is two digits, a class four; one or three digits lost a leading zero
        digits = digits.zfill(2) if len(digits) <= 2 else digits.zfill(4)
        return lookup.get(digits[:2])
    return lookup.get(_norm_name(text))


def _check_edition(name: str, value: str, allowed: tuple[str, ...]) -> str:
    value = str(value)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
    return value


def convert_industry(
    industry: Any,
    *,
    version: Edition,
    to: Literal["2011", "2017"] = "2011",
    on_split: Literal["error", "main"] = "error",
    column: str = "industry",
) -> pd.Series:
    """Convert industry codes or names of one GB/T 4754 edition to divisions of another.

    Parameters
    ----------
    industry : scalar, sequence or Series
        Two-digit divisions (``"13"``, ``13``), four-digit classes (``"1311"``: its division is
        used), section-prefixed codes (``"C13"``), or the edition's Chinese division names
        (``"通用设备制造业"``). Blanks stay missing.
    version : {"2002", "2011", "2017"}
        The edition of ``industry``. The form prescribes 2002; say which one a file uses:
        the codes of the three editions overlap, so the edition cannot be told from the codes.
    to : {"2011", "2017"}
        The edition wanted.
    on_split : {"error", "main"}
        What to do with a 2002 division that was split between several 2011 divisions
        (:data:`SPLIT_2002`): an error naming it, or the division that took its main activity.
    column : str
        The column name used in error messages.

    Returns
    -------
    Series of str
        Two-digit division codes of edition ``to`` (``<NA>`` for blanks), on the input's index
        (``row`` values of a table read by :mod:`monitoring.read` are the rows the user sees).

    Raises
    ------
    IndustryConversionError
        Listing every value that is not a division of ``version`` or cannot be converted, with
        its row and the reason.

    References
    ----------
    GB/T 4754-2002, GB/T 4754-2011, GB/T 4754-2017 《国民经济行业分类》; ``monitoring/data/SOURCES.md``.

    Examples
    --------
    >>> from monitoring.industry import convert_industry
    >>> convert_industry(["40", "3011", "交通运输设备制造业", "86"], version="2002", on_split="main").tolist()
    ['39', '29', '36', '93']
    >>> convert_industry(["39", "80"], version="2011", to="2017").tolist()
    ['39', '81']
    """
    version = _check_edition("version", version, EDITIONS)
    to = _check_edition("to", to, ("2011", "2017"))  # type: ignore[assignment]
    on_split = _check_edition("on_split", on_split, ("error", "main"))  # type: ignore[assignment]
    if isinstance(industry, pd.Series):
        values = industry
    elif isinstance(industry, (str, int, float, np.integer, np.floating)) or industry is None:
        values = pd.Series([industry])
    else:
        values = pd.Series(list(industry))
    blank = values.isna() | values.astype("string").str.strip().eq("").fillna(True)
    distinct = pd.unique(values[~blank].astype(object))
    mapping: dict[Any, str] = {}
    problems: list[tuple[Any, str]] = []
    table = _table_2002().set_index("division")
    for value in distinct:
        division = _division(value, version)
        if division is None:
            problems.append((value, f"not a GB/T 4754-{version} division code or name"))
            continue
        if version == "2002":
            if division in SPLIT_2002 and on_split == "error":
                row = table.loc[division]
                problems.append(
                    (
                        value,
                        f"GB/T 4754-2002 division {division} {row['name_zh']} was split between 2011 divisions "
                        f"{row['division_2011']} and {row['also_2011']}: give the 2011 code "
                        "(or on_split='main' for the main one)",
                    )
                )
                continue
            division = str(table.loc[division, "division_2011"])
            version_now = "2011"
        else:
            version_now = version
        if version_now == "2017" and to == "2011":
            number = int(division)
            if number == 79:
                problems.append(
                    (value, "GB/T 4754-2017 division 79 土地管理业 has no GB/T 4754-2011 counterpart")
                )
                continue
            division = f"{number - 1:02d}" if number > 79 else division
        elif version_now == "2011" and to == "2017":
            number = int(division)
            division = f"{number + 1:02d}" if number >= 79 else division
        mapping[value] = division
    if problems:
        bad = dict(problems)
        rows = values[~blank & values.astype(object).isin(list(bad))]
        listed = pd.DataFrame(
            {
                "row": rows.index,
                "column": column,
                "value": rows.to_numpy(dtype=object),
                "reason": [bad[v] for v in rows],
            }
        )
        raise IndustryConversionError(
            f"{column}: {len(bad)} industry value(s) cannot be converted to GB/T 4754-{to}", listed
        )
    out = values.astype(object).where(blank, values.astype(object).map(mapping))
    return pd.Series(out.where(~blank, None), index=values.index, name=values.name, dtype="string")
