"""Reference statistics shipped with the package.

Each loader reads a CSV from ``quotas/data`` with :mod:`importlib.resources`; the source of
every file is in ``quotas/data/SOURCES.md``. The loaders return fresh DataFrames, so callers
may modify them freely.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = [
    "guangdong_2012",
    "guangdong_2013_panel",
    "guangdong_2013_task",
    "monitoring_cities_2009",
    "national_cities",
]


def _read(name: str, **kwargs: object) -> pd.DataFrame:
    with resources.files("quotas").joinpath("data", name).open("rb") as fh:
        return pd.read_csv(fh, **kwargs)  # type: ignore[arg-type]


def national_cities() -> pd.DataFrame:
    """Prefecture-level units of mainland China with 2020 population and GDP.

    Returns
    -------
    DataFrame
        337 rows (333 prefecture-level units and the 4 municipalities) with columns
        ``province, city, city_en, kind, adcode, population, gdp``. ``population`` is the 2020
        census resident population in persons; ``gdp`` is 2020 GDP in 亿元 and is **missing
        (NaN) for 41 units** (autonomous prefectures, 地区, 盟 and 三沙市) that the City
        Statistical Yearbook does not cover. Never treat those as zero.

    References
    ----------
    Seventh National Population Census (2020) city bulletins, digitised in ``leiii/census``;
    China City Statistical Yearbook 2021 via ``chenfei2008c/china-local-debt-atlas``.
    See ``quotas/data/SOURCES.md``.

    Examples
    --------
    >>> from quotas.datasets import national_cities
    >>> df = national_cities()
    >>> len(df), int(df["gdp"].isna().sum())
    (337, 41)
    """
    return _read("national_cities.csv", dtype={"adcode": str, "city_en": str})


def guangdong_2012() -> pd.DataFrame:
    """Statistics of 2012 for Guangdong's 21 prefecture-level cities.

    Returns
    -------
    DataFrame
        Indexed by the full official city name (``广州市``), with ``city_short`` (the short
        name printed in the 2013 plan), ``city_code`` and the numeric columns of
        ``guangdong_2012_cities.csv``: GDP and its three sectors (亿元), urban-unit employment
        and its secondary / tertiary parts (万人), urban private and individual employment
        (万人; **missing for 汕头** in the source), census populations 2010 and 2020
        (persons) and registered population (万人).

    Notes
    -----
    The 2013 plan allocates by total employed persons (从业人员), which no column here
    measures: urban-unit employment leaves out most private-sector workers (东莞 25.3 万 in
    urban units against 8.2 million residents). Say which measure an allocation used.

    References
    ----------
    CSMAR China Regional Economy city tables (2012) and the 2010/2020 census bulletins; see
    ``quotas/data/SOURCES.md``.

    Examples
    --------
    >>> from quotas.datasets import guangdong_2012
    >>> gd = guangdong_2012()
    >>> float(gd.loc["广州市", "gdp"])
    13551.21
    >>> round(float(gd["gdp"].sum()), 2)
    60435.04
    """
    df = _read("guangdong_2012_cities.csv", dtype={"city_code": str})
    names = national_cities().set_index("adcode")["city"]
    full = df["city_code"].map(names)
    missing = df.loc[full.isna(), "city_code"].tolist()
    if missing:  # pragma: no cover - guards the shipped data
        raise RuntimeError(f"city codes not in the national table: {missing}")
    df = df.rename(columns={"city": "city_short"})
    df.index = pd.Index(full, name="city")
    return df


def guangdong_2013_panel() -> pd.Series:
    """The existing 3,000-enterprise Guangdong monitoring panel per city (before 2013).

    Returns
    -------
    Series
        ``panel_enterprises`` indexed by the full city name, 21 cities summing to 3,000.

    References
    ----------
    Annex 1 (全省10000家企业用工定点监测任务测算表), column "3000家监测企业", of the Guangdong
    2013 plan 全省企业用工定点监测扩面组织实施方案.

    Examples
    --------
    >>> from quotas.datasets import guangdong_2013_panel
    >>> panel = guangdong_2013_panel()
    >>> int(panel.sum()), int(panel["广州市"])
    (3000, 450)
    """
    df = _read("guangdong_2013_panel_3000.csv")
    short_to_full = guangdong_2012().reset_index().set_index("city_short")["city"]
    full = df["city_short"].map(short_to_full)
    if full.isna().any():  # pragma: no cover - guards the shipped data
        raise RuntimeError(
            f"panel cities not in guangdong_2012: {df.loc[full.isna(), 'city_short'].tolist()}"
        )
    return pd.Series(
        df["panel_enterprises"].to_numpy(), index=pd.Index(full, name="city"), name="panel_enterprises"
    )


def guangdong_2013_task() -> pd.DataFrame:
    """The official task table of the Guangdong 2013 plan: each city's task and its split.

    Returns
    -------
    DataFrame
        Indexed by the full official city name (``广州市``), 21 rows in the annex's order, with
        ``city_short`` (the name as printed), ``panel_3000`` (the existing panel),
        ``target_10000`` (the city's task in the 10,000-enterprise panel), ``secondary`` and
        ``tertiary`` (its split between secondary and tertiary industry). The columns sum to
        3,000 / 10,000 / 5,311 / 4,689 and ``secondary + tertiary == target_10000`` in every row.

    Notes
    -----
    This is what the province gave each city: the plan's judgement on top of its allocation
    rule (employment and GDP shares, the moderate tilt). Compare a computed allocation with it
    (:func:`allocation.explain` finds the blend and the tilts that reproduce it); it is not the
    output of any formula.

    References
    ----------
    广东省 全省企业用工定点监测扩面组织实施方案 (2013), annex 1 全省10000家企业用工定点监测任务测算表.
    See ``quotas/data/SOURCES.md``.

    Examples
    --------
    >>> from quotas.datasets import guangdong_2013_task
    >>> task = guangdong_2013_task()
    >>> task.loc["云浮市", ["target_10000", "secondary", "tertiary"]].tolist()
    [182, 99, 83]
    >>> int(task["target_10000"].sum())
    10000
    """
    df = _read("guangdong_2013_task_table.csv").rename(columns={"city": "city_short"})
    short_to_full = guangdong_2012().reset_index().set_index("city_short")["city"]
    full = df["city_short"].map(short_to_full)
    if full.isna().any():  # pragma: no cover - guards the shipped data
        raise RuntimeError(
            f"task table cities not in guangdong_2012: {df.loc[full.isna(), 'city_short'].tolist()}"
        )
    df.index = pd.Index(full, name="city")
    return df


def monitoring_cities_2009() -> pd.DataFrame:
    """National unemployment dynamic monitoring cities of 2009 (98 rows).

    Returns
    -------
    DataFrame
        ``province, city, municipality, pilot_province``; ``municipality`` and
        ``pilot_province`` are booleans. The row 省直 under 青海 is the province's directly
        administered enterprises, not a city.

    References
    ----------
    人社部发〔2009〕152号, annex 1 (关于做好失业动态监测工作有关问题的通知).

    Examples
    --------
    >>> from quotas.datasets import monitoring_cities_2009
    >>> m = monitoring_cities_2009()
    >>> len(m), int(m["municipality"].sum())
    (98, 4)
    """
    df = _read("monitoring_cities_2009.csv")
    df["municipality"] = df["municipality"].astype(bool)
    df["pilot_province"] = df["pilot_province"].astype(bool)
    return df
