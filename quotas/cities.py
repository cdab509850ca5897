"""City names: one explicit alias table from any accepted spelling to the official full name.

The canonical key of a city is its full official name as in
:func:`quotas.datasets.national_cities` (``广州市``, ``延边朝鲜族自治州``, ``阿拉善盟``).
Accepted aliases, all listed in :func:`city_aliases`:

* the full name itself;
* the name without its suffix 市 / 地区 / 盟 (``广州``, ``阿里``, ``兴安``);
* for autonomous prefectures, the place name before the ethnic names, alone and with 州
  (``延边``, ``延边州``), and the customary abbreviations (博州, 巴州, 克州);
* pinyin for Guangdong's cities and the municipalities (``Guangzhou``, case-insensitive);
* old names of renamed units (山南地区 -> 山南市);
* ``"<province> <name>"`` forms are not needed: every alias above is unique or reported as
  ambiguous.

A name that matches no city, or an alias shared by several, raises
:class:`~quotas.exceptions.UnknownCityError` naming it: the library never guesses.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from quotas.datasets import national_cities
from quotas.exceptions import UnknownCityError

__all__ = ["city_aliases", "resolve_cities"]

_ETHNIC = (
    "朝鲜族",
    "土家族",
    "苗族",
    "布依族",
    "侗族",
    "彝族",
    "哈尼族",
    "壮族",
    "傣族",
    "白族",
    "景颇族",
    "傈僳族",
    "藏族",
    "羌族",
    "回族",
    "蒙古族",
    "蒙古",
    "哈萨克",
    "柯尔克孜",
)


def _key(name: str) -> str:
    text = re.sub(r"\s+", "", str(name)).lower()
    return re.sub(r"(city|shi)$", "", text) if text.isascii() else text


def _derived_aliases(city: str, kind: str) -> list[str]:
    out = [city]
    if kind == "autonomous_prefecture":
        cut = min((city.find(e) for e in _ETHNIC if city.find(e) > 0), default=-1)
        if cut > 0:
            out += [city[:cut], city[:cut] + "州"]
    else:
        for suffix in ("地区", "盟", "市"):
            if city.endswith(suffix) and len(city) > len(suffix) + 1:
                out.append(city[: -len(suffix)])
                break
    return out


@cache
def _alias_table() -> pd.DataFrame:
    nat = national_cities()
    rows = [
        {
            "alias": alias,
            "city": city,
            "province": prov,
            "note": "full name" if alias == city else "short name",
        }
        for city, kind, prov in nat[["city", "kind", "province"]].itertuples(index=False)
        for alias in _derived_aliases(city, kind)
    ]
    with resources.files("quotas").joinpath("data", "city_aliases.csv").open("rb") as fh:
        extra = pd.read_csv(fh, dtype=str)
    province = dict(zip(nat["city"], nat["province"]))
    extra["province"] = extra["city"].map(province)
    table = pd.concat([pd.DataFrame(rows), extra], ignore_index=True)
    table["key"] = table["alias"].map(_key)
    return table.drop_duplicates(["key", "city"]).reset_index(drop=True)


@lru_cache(maxsize=64)
def _alias_groups(within: tuple[str, ...] | None) -> dict[str, list[str]]:
    """Alias key -> the full names it may mean (one name, or several when ambiguous)."""
    table = _alias_table()
    if within is not None:
        table = table[table["city"].isin(set(within))]
    return {key: sorted(set(group)) for key, group in table.groupby("key")["city"]}


def city_aliases() -> pd.DataFrame:
    """The alias table: ``alias, city, province, note`` (one row per accepted spelling).

    Examples
    --------
    >>> from quotas.cities import city_aliases
    >>> t = city_aliases()
    >>> sorted(t.loc[t.city == "广州市", "alias"])
    ['Guangzhou', '广州', '广州市']
    """
    return _alias_table()[["alias", "city", "province", "note"]].copy()


def resolve_cities(names: Any, *, within: Any = None) -> pd.Series:
    """Map city names in any accepted spelling to their full official names.

    Parameters
    ----------
    names : sequence or Series
        City names (广州, 广州市, Guangzhou, 延边州, ...).
    within : sequence of str, optional
        Restrict the match to these full names (e.g. the cities of one province); a name that
        resolves outside them is an error.

    Returns
    -------
    Series of str
        Full official names, aligned on the input.

    Raises
    ------
    UnknownCityError
        For any name that matches no city or several; the message names each value and its row.

    Examples
    --------
    >>> from quotas.cities import resolve_cities
    >>> resolve_cities(["广州", "广州市", "Guangzhou", "延边州"]).tolist()
    ['广州市', '广州市', '广州市', '延边朝鲜族自治州']
    """
    values = names if isinstance(names, pd.Series) else pd.Series(list(names))
    groups = _alias_groups(None if within is None else tuple(sorted(set(within))))
    mapping: dict[Any, str] = {}
    problems: list[str] = []
    for raw in pd.unique(values.astype(object)):
        if raw is None or (isinstance(raw, float) and pd.isna(raw)) or str(raw).strip() == "":
            problems.append(f"{raw!r} (blank)")
            continue
        found = groups.get(_key(raw))
        if found is None:
            problems.append(f"{raw!r} matches no city" + (" in the given set" if within is not None else ""))
        elif len(found) > 1:
            problems.append(f"{raw!r} is ambiguous: {', '.join(found)}")
        else:
            mapping[raw] = found[0]
    if problems:
        bad_values = [p for p in problems]
        rows = values[~values.astype(object).isin(list(mapping))]
        where = ", ".join(f"row {i!r}" for i in list(rows.index)[:10])
        raise UnknownCityError(f"unknown city name(s): {'; '.join(bad_values[:10])} (at {where})")
    return pd.Series(values.astype(object).map(mapping).to_numpy(), index=values.index, name="city")
