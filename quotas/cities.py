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

from basis.rows import rows_shown
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


_PROVINCE_SUFFIX = {
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
}


@cache
def _other_places() -> dict[str, list[str]]:
    """Alias key -> places that are not cities but share the name: provinces (吉林省, 海南省)
    and districts (北京市朝阳区), described for a message."""
    nat = national_cities()
    out: dict[str, list[str]] = {}
    municipalities = set(nat.loc[nat["kind"] == "municipality", "province"])
    for province in sorted(set(nat["province"]) - municipalities):
        full = _PROVINCE_SUFFIX.get(province, province + "省")
        for name in (province, full):
            out.setdefault(_key(name), []).append(f"{full} (a province)")
    with resources.files("quotas").joinpath("data", "place_homonyms.csv").open("rb") as fh:
        homonyms = pd.read_csv(fh, dtype=str)
    for name, place, kind in homonyms[["name", "place", "kind"]].itertuples(index=False):
        out.setdefault(_key(name), []).append(f"{place} (a {kind})")
    return out


@cache
def _province_of() -> dict[str, str]:
    nat = national_cities()
    return dict(zip(nat["city"], nat["province"]))


def _closest(raw: str, groups: dict[str, list[str]]) -> str:
    """' (closest: ...)' naming the cities whose spellings are nearest to ``raw``, or ''."""
    import difflib

    keys = difflib.get_close_matches(_key(raw), list(groups), n=6, cutoff=0.5)
    names = list(dict.fromkeys(c for k in keys for c in groups[k]))[:3]
    return f"; closest: {', '.join(names)}" if names else ""


def _province_key(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value))
    for full in (*_PROVINCE_SUFFIX.values(), "省", "市"):
        if text.endswith(full) and len(text) > len(full):
            text = text[: -len(full)] if full in ("省", "市") else text
    for short, full in _PROVINCE_SUFFIX.items():
        if text == full:
            return short
    return text


def resolve_cities(names: Any, *, within: Any = None, provinces: Any = None, source: str = "") -> pd.Series:
    """Map city names in any accepted spelling to their full official names.

    Parameters
    ----------
    names : sequence or Series
        City names (广州, 广州市, Guangzhou, 延边州, ...). The index of a Series is taken as the
        row numbers in messages (as :func:`basis.tables.read_table` numbers them).
    within : sequence of str, optional
        Restrict the match to these full names (e.g. the cities of one province); a name that
        resolves outside them is an error.
    provinces : sequence or Series, optional
        The province of each name (吉林, 吉林省), aligned with ``names``: it says which place a
        short name shared by several means (吉林 in 吉林省 is 吉林市; 朝阳 in 辽宁 is 朝阳市).
    source : str, optional
        The file or option the names come from, put before the message.

    Returns
    -------
    Series of str
        Full official names, aligned on the input.

    Raises
    ------
    UnknownCityError
        For any name that matches no city (the message suggests the closest spellings) or
        several places: two cities (``Taizhou``: 台州市, 泰州市), or a city and a province or a
        district of the same name (``吉林``: 吉林市 and 吉林省; ``朝阳``: 朝阳市 and 北京市朝阳区;
        ``海南``: 海南藏族自治州 and 海南省). The message lists the candidates and how to say
        which (the full name, or a province column), and the rows.

    Examples
    --------
    >>> from quotas.cities import resolve_cities
    >>> resolve_cities(["广州", "广州市", "Guangzhou", "延边州"]).tolist()
    ['广州市', '广州市', '广州市', '延边朝鲜族自治州']
    >>> resolve_cities(["吉林", "朝阳"], provinces=["吉林省", "辽宁"]).tolist()
    ['吉林市', '朝阳市']
    >>> resolve_cities(["Taizhou"])
    Traceback (most recent call last):
    ...
    quotas.exceptions.UnknownCityError: unknown city name(s): 'Taizhou' is ambiguous: 台州市 (浙江), 泰州市 (江苏); write the full name or add a province column (at row 0)
    """
    values = names if isinstance(names, pd.Series) else pd.Series(list(names))
    if provinces is not None:
        province_values = provinces if isinstance(provinces, pd.Series) else pd.Series(list(provinces))
        if len(province_values) != len(values):
            raise UnknownCityError(f"provinces has {len(province_values)} values for {len(values)} names")
        pairs = list(zip(values.astype(object), province_values.astype(object).map(_province_key)))
    else:
        pairs = [(v, None) for v in values.astype(object)]
    province_of = _province_of()
    groups = _alias_groups(None if within is None else tuple(sorted(set(within))))
    others = _other_places()
    mapping: dict[tuple[Any, Any], str] = {}
    problems: dict[str, list[Any]] = {}
    bad: dict[tuple[Any, Any], str] = {}
    for key in dict.fromkeys(pairs):
        raw, province = key
        if raw is None or (isinstance(raw, float) and pd.isna(raw)) or str(raw).strip() == "":
            bad[key] = "(blank)"
            continue
        found = groups.get(_key(raw))
        homonyms = [] if found is None else others.get(_key(raw), [])
        if found is not None and province is not None:
            found = [c for c in found if province_of.get(c) == province] or found
            homonyms = []
        if found is None:
            bad[key] = f"{raw!r} matches no city" + (
                " in the given set" if within is not None else _closest(str(raw), groups)
            )
        elif len(found) + len(homonyms) > 1:
            candidates = [f"{c} ({province_of.get(c, '')})" for c in found] + homonyms
            bad[key] = (
                f"{raw!r} is ambiguous: {', '.join(candidates)}; write the full name or add a province column"
            )
        else:
            mapping[key] = found[0]
    if bad:
        for position, key in enumerate(pairs):
            if key in bad:
                problems.setdefault(bad[key], []).append(values.index[position])
    if problems:
        shown = list(problems)[:10]
        rows = [r for p in shown for r in problems[p]]
        where = rows_shown(rows, values=False)
        more = f"; and {len(problems) - 10} more names" if len(problems) > 10 else ""
        prefix = f"{source}: " if source else ""
        raise UnknownCityError(f"{prefix}unknown city name(s): {'; '.join(shown)}{more} (at {where})")
    return pd.Series([mapping[k] for k in pairs], index=values.index, name="city", dtype=object)
