"""The command line's inputs: table files read by their contract, cities and NAME=NUMBER options.

Every input is read by the :class:`~basis.tables.TableKind` of its table (so its rows keep the
numbers the user sees, and bad values are named with their row and column); city names are
resolved with :func:`quotas.cities.resolve_cities`, using a ``province`` column when the file
has one.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import pandas as pd

from basis.numbers import read_numbers
from basis.tables import TableKind, header_key
from empmon.outputs import UsageError

__all__ = [
    "city_index",
    "key_industries_of_quotas",
    "pairs",
    "read_input",
    "read_key_industries",
    "with_cities",
]


def read_input(kind: TableKind, path: str, what: str) -> pd.DataFrame:
    """Read an input file of ``kind``; ``what`` (an option or argument name) leads every message."""
    return kind.read(path, what=what)


def _province_column(df: pd.DataFrame) -> str | None:
    keys = {header_key(c): c for c in df.columns}
    for name in ("province", "省份", "省", "所在省份"):
        if header_key(name) in keys:
            return keys[header_key(name)]
    return None


def with_cities(df: pd.DataFrame, *, what: str = "") -> pd.DataFrame:
    """``df`` with its ``city`` column as full official names (a province column, if any, says
    which of several places a short name means)."""
    from quotas.cities import resolve_cities

    province = _province_column(df)
    names = df["city"]
    cities = resolve_cities(
        names, provinces=df[province] if province else None, source=what or df.attrs.get("source", "")
    )
    out = df.copy()
    out["city"] = cities.to_numpy()
    return out


def city_index(df: pd.DataFrame, column: str, *, what: str = "") -> pd.Series:
    """Column ``column`` of ``df`` indexed by full city names."""
    resolved = with_cities(df, what=what)
    return pd.Series(resolved[column].to_numpy(), index=pd.Index(resolved["city"], name="city"), name=column)


def pairs(values: Sequence[str] | None, option: str, *, whole: bool = False) -> dict[str, float]:
    """``NAME=NUMBER`` options (``--weight gdp=0.5``) as a dict; a bad item is a one-line error."""
    out: dict[str, float] = {}
    for item in values or []:
        key, sep, number = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {item!r}: expected NAME=NUMBER")
        numbers, problems = read_numbers(pd.Series([number]), column=option, whole=whole, blank=False)
        if len(problems):
            raise UsageError(f"{option} {item!r}: {number!r} {problems['reason'].iloc[0]}")
        if key.strip() in out:
            raise UsageError(f"{option}: {key.strip()!r} is given twice")
        out[key.strip()] = float(numbers.iloc[0])
    return out


def read_key_industries(path: str | None, option: str = "--key-industries") -> pd.DataFrame | None:
    """The cities' key industries from a file (``city, division[, min_share]``), checked by
    :func:`quotas.industry_groups.check_key_industries`; None without a file."""
    if not path:
        return None
    from quotas.contract import KEY_INDUSTRIES
    from quotas.exceptions import QuotaInputError
    from quotas.industry_groups import check_key_industries

    what = f"{option} {path}"
    try:
        return check_key_industries(with_cities(read_input(KEY_INDUSTRIES, path, option), what=what))
    except QuotaInputError as exc:
        raise UsageError(f"{what}: {exc}") from None


def key_industries_of_quotas(quotas: pd.DataFrame) -> pd.DataFrame | None:
    """The key industries a quota table was built with: its division groups other than the
    divisions always split off for their sector (05, 11, 43), per city; None when there are none.

    The register is prepared with them, so that its industry groups are the quotas' cells.
    """
    from quotas.industry_groups import SECTOR_DIVISIONS

    if "industry_group" not in quotas.columns:
        return None
    groups = quotas[["city", "industry_group"]].dropna().astype(str).drop_duplicates()
    key = groups[(groups["industry_group"].str.len() > 1) & ~groups["industry_group"].isin(SECTOR_DIVISIONS)]
    return key.reset_index(drop=True) if len(key) else None


def add_min_employees(parser: argparse.ArgumentParser) -> None:
    """The ``--min-employees N`` option of the commands that count or draw new units."""
    from sampling.eligibility import MIN_EMPLOYEES

    parser.add_argument(
        "--min-employees",
        type=_whole_number,
        default=MIN_EMPLOYEES,
        metavar="N",
        help=f"new units need at least N employees (default {MIN_EMPLOYEES}, the 2009 rules' "
        "'一定规模'; the panel is kept whatever its size; 0: no minimum)",
    )


def _whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 (no minimum) or more, got {text!r}")
    return value


def min_employees(args: argparse.Namespace) -> int | None:
    """``--min-employees`` as the libraries take it: None for 0 (no minimum)."""
    return args.min_employees or None
