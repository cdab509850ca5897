"""Check sample counts per cell against a rule set, from the numbers alone.

:func:`check_cells` re-verifies every rule of a :class:`~quotas.rules.RuleSet` on counts per
cell (city x section x size class x ownership). It serves both a quota table (are the quotas
legal?) and a proposed sample aggregated to cells (does the sample obey the rules?); it knows
nothing of how the counts were made.

Each result row has a status:

* ``"pass"``: the rule holds;
* ``"fail"``: a hard rule is broken;
* ``"warn"``: a soft rule ("原则上") is broken; the documents allow it, but it must be reported;
* ``"skipped"``: the rule could not be checked because its data were not given (the message
  says which argument is missing), or the city has no enterprises for a share to be computed.

Shares are compared with an absolute tolerance of 1e-9, so a share of exactly 0.4 meets
``manufacturing_max=0.4`` and 2/6 meets ``state_owned_max=1/3``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from basis.rows import row_name
from quotas.classify import SIZE_CLASSES, sections
from quotas.datasets import national_cities
from quotas.exceptions import QuotaInputError
from quotas.industry_groups import (
    check_groups,
    check_key_industries,
    group_matches,
    section_of_group,
    sector_of_group,
)
from quotas.labels import OWNERSHIP_GROUPS, OWNERSHIP_LABELS_ZH
from quotas.rules import RegisterShare, Rule, RuleSet, get_rules
from quotas.structure import band_share
from quotas.tiers import MINIMUM_SCHEMES, tier_minimum

__all__ = [
    "CHECK_COLUMNS",
    "OWNERSHIP_SHARE_COLUMNS",
    "PROVINCE",
    "STATUSES",
    "TOLERANCE",
    "check_cells",
    "ownership_shares",
]

CHECK_COLUMNS: tuple[str, ...] = ("city", "rule", "observed", "limit", "status", "message_zh", "message_en")
"""Columns of the result of :func:`check_cells`, in order (the pipeline's audit columns)."""

STATUSES: tuple[str, ...] = ("pass", "fail", "warn", "skipped")
"""Possible values of the ``status`` column."""

PROVINCE = "(province)"
"""The ``city`` label of the rows of province-level rules (``band_50_300_min``)."""

TOLERANCE = 1e-9
"""Absolute tolerance when a share is compared with its limit."""


def check_cells(
    cells: pd.DataFrame,
    rules: RuleSet | str,
    *,
    targets: pd.Series | None = None,
    population: pd.Series | None = None,
    municipality: pd.Series | None = None,
    key_industries: pd.DataFrame | Mapping[str, Any] | None = None,
    structure: pd.DataFrame | None = None,
    sector_targets: pd.DataFrame | None = None,
    register_ownership: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Check counts per cell against every rule of a rule set.

    Parameters
    ----------
    cells : DataFrame
        One row per cell: ``city, section, size_class, state_owned, count``. Optional columns:
        ``industry_group`` (:mod:`quotas.industry_groups`; then ``section`` may be left out;
        without it the group is the section), ``sector`` (1/2/3; without it the sector is that
        of the industry group, exact for groups and, for cells that are sections, B-E
        secondary, A primary, the rest tertiary, which misplaces divisions 05, 11 and 43) and
        ``band_50_300`` (bool, the cell's enterprises have 50-300 employees; needed by
        ``band_50_300_min``), ``ownership_group`` (:data:`quotas.labels.OWNERSHIP_GROUPS`, for
        ``ownership_mix``), ``below_min_employees`` (bool, the enterprises have fewer employees
        than ``min_employees`` asks), and ``panel`` (how many of ``count`` are kept panel enterprises:
        they are exempt from ``top_industries``, which governs the choice of new enterprises
        while the existing panel is kept). Several rows for the same cell are added up.
    rules : RuleSet or str
        A rule set or a preset name (``"mohrss-2011"``).
    targets : Series, optional
        City -> sample size. Adds a ``target`` row per city: pass when the count equals the
        target, fail below it, warn above it. Cities with a target but no cells are checked
        as empty.
    population : Series, optional
        City -> population in persons, for ``min_count`` with a tier scheme.
    municipality : Series of bool, optional
        City -> whether it is a municipality directly under the central government. Default:
        the four municipalities of :func:`quotas.datasets.national_cities` (北京市, 天津市,
        上海市, 重庆市).
    key_industries : DataFrame or mapping, optional
        The cities' key and pillar industries, ``city, division[, min_share]`` or a mapping
        city -> divisions (:func:`quotas.industry_groups.check_key_industries`), for
        ``pillar_industries`` (each has an enterprise) and ``key_industries`` (each with a
        ``min_share`` has that share); they are also allowed by ``top_industries`` whatever
        their rank. Cities not in the table have none. A division is checked on cells with
        ``industry_group``; on cells that are sections its city's row is skipped.
    structure : DataFrame, optional
        The population structure ``city, section, size_class, state_owned, enterprises,
        employment``, for ``top_industries`` (sections ranked by employment; sections tied at
        the last place all count as top; sections with no employment are never top) and
        ``proportional_mix``.
    sector_targets : DataFrame, optional
        Indexed by city with columns ``secondary`` and ``tertiary``, for ``sector_split``
        (the counts must equal them).
    register_ownership : DataFrame, optional
        The register's enterprises by ``city, ownership_group, enterprises``, for
        ``ownership_mix`` (each group's share of the sample compared with its share here;
        when the rules exclude micro enterprises, give the counts without them: the sample's
        micro cells are left out too).

    Returns
    -------
    DataFrame
        ``city, rule, observed, limit, status, message_zh, message_en``: one row per city and
        rule, in the rule set's order (then ``target``), and one row with city
        :data:`PROVINCE` per province-level rule. ``status`` is ``pass``, ``fail`` (a hard
        rule broken), ``warn`` (a soft rule broken) or ``skipped`` (the rule's data were not
        given, or the city has no enterprises for a share; the message says which argument
        is missing). ``observed`` and ``limit`` are numbers (float; NaN when not applicable):

        ==================  =================================================  ===============
        rule                observed                                           limit
        ==================  =================================================  ===============
        min_count           enterprises in the city                            the minimum
        top_industries      enterprises outside the top sections and pillars   0
        pillar_industries   key or pillar industries with no enterprise        0
        key_industries      the lowest share of a key industry with a minimum  its minimum
        manufacturing_max   share of section C                                 maximum share
        sme_min             share of small + medium                            minimum share
        micro_excluded      share of micro                                     maximum share
        state_owned_max     share of state-owned                               maximum share
        large_max           share of large                                     maximum or NaN
        proportional_mix    dissimilarity index of size x ownership shares     rule limit/NaN
        sector_split        absolute deviation from the sector targets         0
        ownership_mix       largest |sample - register| share of a group       maximum
        min_employees       new enterprises below the minimum size             0
        band_50_300_min     province share of 50-300-employee enterprises      minimum share
        target              enterprises in the city                            the target
        ==================  =================================================  ===============

        ``proportional_mix`` compares the city's shares over size class x ownership with the
        population's enterprise counts (micro left out of both when the rule set excludes
        micro): 0.5 * sum |sample share - population share| (Duncan & Duncan 1955). The
        rule is an objective; with no limit (the presets) it always passes and reports the
        index; a numeric limit turns it into a maximum.

    Raises
    ------
    QuotaInputError
        For missing columns, unknown sections or size classes, non-boolean ownership, negative
        or missing counts, or unknown key industries; the message names the value and row.

    References
    ----------
    人社部函〔2011〕308号 (the per-city rules); 人社部发〔2009〕152号; 广东省全省企业用工定点监测
    扩面组织实施方案 (2013); Duncan, O. D. & Duncan, B. (1955), A methodological analysis of
    segregation indexes, American Sociological Review 20(2), 210-217.

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas.checks import check_cells
    >>> cells = pd.DataFrame({
    ...     "city": "广州市", "section": ["C", "C", "F", "G"],
    ...     "size_class": ["large", "large", "small", "small"],
    ...     "state_owned": [True, False, False, False], "count": [10, 20, 20, 10]})
    >>> out = check_cells(cells, "mohrss-2011", population=pd.Series({"广州市": 18_676_605}))
    >>> print(out[["rule", "observed", "limit", "status"]].round(3).to_string(index=False))
                 rule  observed  limit  status
            min_count    60.000 60.000    pass
       top_industries       NaN  0.000 skipped
    pillar_industries       NaN  0.000 skipped
    manufacturing_max     0.500  0.400    warn
              sme_min     0.500  0.600    fail
       micro_excluded     0.000  0.000    pass
      state_owned_max     0.167  0.333    pass
            large_max     0.500    NaN    pass
     proportional_mix       NaN    NaN skipped
        ownership_mix       NaN  0.100 skipped
        min_employees       NaN  0.000 skipped
    """
    rule_set = get_rules(rules)
    cells_in = cells
    cells = _check_cells_frame(cells)
    key_table = None if key_industries is None else check_key_industries(key_industries)
    city_order = list(pd.unique(cells["city"]))
    if targets is not None:
        targets = _check_city_series(targets, "targets")
        city_order += [c for c in targets.index if c not in set(city_order)]
    counts = _counts_by_city(cells, city_order)
    rows: Rows = []
    province_rows: Rows = []
    context = _Context(
        cells=cells,
        counts=counts,
        rules=rule_set,
        population=population,
        municipality=municipality,
        key_industries=key_table,
        structure=structure,
        sector_targets=sector_targets,
        register_ownership=register_ownership,
        grouped="industry_group" in getattr(cells_in, "columns", ()),
    )
    per_city: dict[str, Rows] = {c: [] for c in city_order}
    for rule in rule_set:
        checker = _CHECKERS.get(rule.id)
        if rule.scope == "province":
            province_rows.append(_province_row(rule, context))
            continue
        if checker is None:
            for city in city_order:
                per_city[city].append(
                    _row(
                        city,
                        rule.id,
                        np.nan,
                        np.nan,
                        "skipped",
                        f"规则 {rule.id} 无法由计数核对",
                        f"rule {rule.id!r} cannot be checked from counts",
                    )
                )
            continue
        for city, row in zip(city_order, checker(rule, context, city_order)):
            per_city[city].append(row)
    if targets is not None:
        for city in city_order:
            per_city[city].append(_target_row(city, counts.loc[city, "n"], targets.get(city)))
    for city in city_order:
        rows.extend(per_city[city])
    rows.extend(province_rows)
    out = pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
    out["observed"] = out["observed"].astype(float)
    out["limit"] = out["limit"].astype(float)
    return out


# --------------------------------------------------------------------------- validation


def _check_cells_frame(cells: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(cells, pd.DataFrame):
        raise QuotaInputError(f"cells must be a DataFrame, got {type(cells).__name__}")
    required = ["city", "size_class", "state_owned", "count"]
    if "industry_group" not in cells.columns:
        required.insert(1, "section")
    missing = [c for c in required if c not in cells.columns]
    if missing:
        raise QuotaInputError(f"cells lacks column(s) {missing}; it has {list(cells.columns)}")
    valid_sections = set(sections()["section"])
    problems: list[str] = []
    grouped = "industry_group" in cells.columns
    if grouped:
        groups = check_groups(cells["industry_group"], "bad cells: industry_group")
        cells = cells.assign(industry_group=groups)
        derived = section_of_group(groups)
        if "section" in cells.columns:
            for idx in cells.index[(cells["section"] != derived).to_numpy()][:5]:
                problems.append(
                    f"{row_name(idx)}: industry_group {groups[idx]!r} is not in section {cells.loc[idx, 'section']!r}"
                )
        else:
            cells = cells.assign(section=derived)
    bad_city = cells["city"].isna() | (cells["city"].astype(str).str.strip() == "")
    for idx in cells.index[bad_city][:5]:
        problems.append(f"{row_name(idx)}: blank city")
    bad_sec = ~cells["section"].isin(valid_sections)
    for idx, val in cells.loc[bad_sec, "section"].head(5).items():
        problems.append(f"{row_name(idx)}: unknown section {val!r} (expected a letter A-T)")
    bad_size = ~cells["size_class"].astype(object).isin(SIZE_CLASSES)
    for idx, val in cells.loc[bad_size, "size_class"].head(5).items():
        problems.append(f"{row_name(idx)}: unknown size_class {val!r} (expected one of {list(SIZE_CLASSES)})")
    owned = cells["state_owned"]
    bad_owned = ~owned.map(lambda v: isinstance(v, (bool, np.bool_)))
    for idx, val in owned[bad_owned].head(5).items():
        problems.append(f"{row_name(idx)}: state_owned must be True or False, got {val!r}")
    count = pd.to_numeric(cells["count"], errors="coerce")
    bad_count = count.isna() | (count < 0) | ~np.isfinite(count.fillna(0))
    for idx, val in cells.loc[bad_count, "count"].head(5).items():
        problems.append(f"{row_name(idx)}: count must be a non-negative number, got {val!r}")
    if problems:
        raise QuotaInputError("bad cells: " + "; ".join(problems))
    out = cells.copy()
    if not grouped:
        out["industry_group"] = out["section"]
    out["count"] = count
    out["state_owned"] = owned.astype(bool)
    out["size_class"] = out["size_class"].astype(object)
    return out


def _check_city_series(values: pd.Series, name: str) -> pd.Series:
    if not isinstance(values, pd.Series):
        raise QuotaInputError(f"{name} must be a Series indexed by city, got {type(values).__name__}")
    num = pd.to_numeric(values, errors="coerce")
    bad = num.isna() | (num < 0)
    if bad.any():
        shown = ", ".join(f"{k!r}: {values[k]!r}" for k in num.index[bad][:10])
        raise QuotaInputError(f"{name} must be non-negative numbers; bad: {shown}")
    return num


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class _Context:
    cells: pd.DataFrame
    counts: pd.DataFrame
    rules: RuleSet
    population: pd.Series | None
    municipality: pd.Series | None
    key_industries: pd.DataFrame | None
    structure: pd.DataFrame | None
    sector_targets: pd.DataFrame | None
    register_ownership: pd.DataFrame | None = None
    grouped: bool = False


Rows = list[dict[str, Any]]
Checker = Callable[[Rule, _Context, list[str]], Rows]


def _counts_by_city(cells: pd.DataFrame, cities: list[str]) -> pd.DataFrame:
    """Enterprises per city: all, in section C, per size class and state-owned (floats)."""
    index = pd.Index(cities, name="city")
    # Cities are coded once and each count is one bincount: a groupby per column costs more
    # than the whole sum when there are a few hundred cities.
    city = index.get_indexer(cells["city"])
    counted = city >= 0
    city, count = city[counted], cells["count"].to_numpy(dtype=float)[counted]
    section = cells["section"].to_numpy(dtype=object)[counted]
    size = cells["size_class"].to_numpy(dtype=object)[counted]
    owned = cells["state_owned"].to_numpy(dtype=bool)[counted]
    masks = {"n": None, "C": section == "C", **{s: size == s for s in SIZE_CLASSES}, "state_owned": owned}
    return pd.DataFrame(
        {
            name: np.bincount(city, weights=count if mask is None else count * mask, minlength=len(index))
            for name, mask in masks.items()
        },
        index=index,
    )


@lru_cache(maxsize=1)
def _municipalities() -> frozenset[str]:
    nat = national_cities()
    return frozenset(nat.loc[nat["kind"] == "municipality", "city"])


def _row(
    city: str, rule: str, observed: float, limit: float, status: str, zh: str, en: str
) -> dict[str, Any]:
    return {
        "city": city,
        "rule": rule,
        "observed": observed,
        "limit": limit,
        "status": status,
        "message_zh": zh,
        "message_en": en,
    }


def _broken(kind: str) -> str:
    return "fail" if kind == "hard" else "warn"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _share_rule(column: str | tuple[str, ...], direction: str, zh_name: str, en_name: str) -> Checker:
    cols = (column,) if isinstance(column, str) else column

    def check(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
        out = []
        limit = rule.limit
        totals = ctx.counts["n"].to_numpy(dtype=float)
        parts = ctx.counts[list(cols)].to_numpy(dtype=float).sum(axis=1)
        for city, n, part in zip(cities, totals, parts):
            if n == 0:
                out.append(
                    _row(
                        city,
                        rule.id,
                        np.nan,
                        np.nan if limit is None else limit,
                        "skipped",
                        "该市样本为空,无法计算比例",
                        "no enterprises in the city; share undefined",
                    )
                )
                continue
            share = float(part / n)
            if limit is None:
                out.append(
                    _row(
                        city,
                        rule.id,
                        share,
                        np.nan,
                        "pass",
                        f"{zh_name}占 {_pct(share)},未设上限",
                        f"{en_name} {_pct(share)}; no limit set",
                    )
                )
                continue
            if direction == "max":
                ok = share <= limit + TOLERANCE
                zh_rel, en_rel = ("不超过", "within the maximum") if ok else ("超过上限", "above the maximum")
            else:
                ok = share >= limit - TOLERANCE
                zh_rel, en_rel = (
                    ("达到下限", "meets the minimum") if ok else ("低于下限", "below the minimum")
                )
            out.append(
                _row(
                    city,
                    rule.id,
                    share,
                    float(limit),
                    "pass" if ok else _broken(rule.kind),
                    f"{zh_name}占 {_pct(share)},{zh_rel} {_pct(limit)}",
                    f"{en_name} {_pct(share)}, {en_rel} of {_pct(limit)}",
                )
            )
        return out

    return check


def _min_count(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
    limit = rule.limit
    counts = dict(zip(ctx.counts.index, ctx.counts["n"].tolist()))  # one look-up per city, not a .loc
    if limit is None:
        return [_row(c, rule.id, counts[c], np.nan, "pass", "未设最低户数", "no minimum set") for c in cities]
    minimum: dict[str, float] = {}
    note: dict[str, tuple[str, str]] = {}
    if isinstance(limit, str):
        scheme = MINIMUM_SCHEMES[limit]
        muni = ctx.municipality
        if muni is None:
            muni = pd.Series({c: c in _municipalities() for c in cities}, dtype=bool)
        needs_population = len(scheme.tiers) > 1
        if needs_population and ctx.population is None:
            return [
                _row(
                    c,
                    rule.id,
                    counts[c],
                    np.nan,
                    "skipped",
                    f"未提供人口数据(population),无法确定 {limit} 最低户数",
                    f"population not given; the {limit} minimum depends on it",
                )
                for c in cities
            ]
        if needs_population:
            pop = pd.Series(ctx.population).reindex(cities)
            known = list(pop.index[pop.notna()])
        else:
            pop = pd.Series(0, index=cities)
            known = list(cities)
        if known:
            mins = tier_minimum(pop[known], scheme=limit, municipality=muni.reindex(known).fillna(False))
            minimum = dict(zip(known, mins[known].astype(float).tolist()))
            if needs_population:
                people = pop[known].tolist()
                note = {c: (f"人口 {_fmt(p)}", f"population {_fmt(p)}") for c, p in zip(known, people)}
    else:
        minimum = {c: float(limit) for c in cities}
    out = []
    for city in cities:
        n = counts[city]
        if city not in minimum:
            out.append(
                _row(
                    city,
                    rule.id,
                    n,
                    np.nan,
                    "skipped",
                    "人口数据中没有该市",
                    f"population has no value for {city}",
                )
            )
            continue
        m = minimum[city]
        zh_note, en_note = note.get(city, ("", ""))
        zh_note = f"({zh_note})" if zh_note else ""
        en_note = f" ({en_note})" if en_note else ""
        if n >= m:
            out.append(
                _row(
                    city,
                    rule.id,
                    n,
                    m,
                    "pass",
                    f"样本 {_fmt(n)} 户,达到最低 {_fmt(m)} 户{zh_note}",
                    f"{_fmt(n)} enterprises, at least the minimum of {_fmt(m)}{en_note}",
                )
            )
        else:
            out.append(
                _row(
                    city,
                    rule.id,
                    n,
                    m,
                    _broken(rule.kind),
                    f"样本 {_fmt(n)} 户,低于最低 {_fmt(m)} 户{zh_note}",
                    f"{_fmt(n)} enterprises, below the minimum of {_fmt(m)}{en_note}",
                )
            )
    return out


def _structure_by_city(structure: pd.DataFrame) -> pd.DataFrame:
    missing = [
        c
        for c in ("city", "section", "size_class", "state_owned", "enterprises", "employment")
        if c not in structure.columns
    ]
    if missing:
        raise QuotaInputError(f"structure lacks column(s) {missing}; it has {list(structure.columns)}")
    return structure


def _top_industries(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
    if ctx.structure is None:
        return [
            _row(
                c,
                rule.id,
                np.nan,
                0.0,
                "skipped",
                "未提供总体结构(structure),无法排列行业就业人数",
                "structure not given; sections cannot be ranked by employment",
            )
            for c in cities
        ]
    st = _structure_by_city(ctx.structure)
    emp = st.groupby(["city", "section"], observed=True)["employment"].sum()
    emp = emp[emp > 0]
    top_n = rule.limit if rule.limit is not None else len(sections())
    rank = emp.groupby(level=0, observed=True).rank(method="min", ascending=False)
    allowed = set(rank.index[rank <= top_n])
    in_structure = set(emp.index.get_level_values(0).unique())
    # The rule governs the choice of new enterprises: kept panel enterprises (a ``panel`` count
    # in the cells) stay wherever they are, as the maintenance rule keeps the existing panel.
    counts = ctx.cells["count"] - (ctx.cells["panel"] if "panel" in ctx.cells.columns else 0)
    cells = ctx.cells.assign(count=counts)
    used = cells[cells["count"] > 0].groupby(["city", "section", "industry_group"], sort=False)["count"].sum()
    keys = _keys_by_city(ctx)
    outside_mask = [
        (city, sec) not in allowed and not any(group_matches([group], k)[0] for k, _ in keys.get(city, ()))
        for city, sec, group in used.index
    ]
    outside: dict[str, list[tuple[str, float]]] = {}
    for (city, _, group), k in used[outside_mask].sort_index().items():
        outside.setdefault(city, []).append((group, float(k)))
    out = []
    for city in cities:
        if city not in in_structure:
            out.append(
                _row(
                    city,
                    rule.id,
                    np.nan,
                    0.0,
                    "skipped",
                    "总体结构中没有该市",
                    f"structure has no rows for {city}",
                )
            )
            continue
        found = outside.get(city, [])
        k = float(sum(v for _, v in found))
        if k == 0:
            out.append(
                _row(
                    city,
                    rule.id,
                    0.0,
                    0.0,
                    "pass",
                    f"所有行业均在就业人数前 {top_n} 位或支柱产业之内",
                    f"every section is in the top {top_n} by employment or a pillar",
                )
            )
        else:
            listed = ", ".join(f"{s} ({_fmt(v)})" for s, v in found)
            out.append(
                _row(
                    city,
                    rule.id,
                    k,
                    0.0,
                    _broken(rule.kind),
                    f"{_fmt(k)} 户企业所在行业不在就业人数前 {top_n} 位: {listed}",
                    f"{_fmt(k)} enterprises in sections outside the top {top_n} by employment: {listed}",
                )
            )
    return out


def _keys_by_city(ctx: _Context) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    if ctx.key_industries is not None:
        for city, code, share in ctx.key_industries.itertuples(index=False):
            out.setdefault(city, []).append((code, float(share)))
    return out


def _key_counts(ctx: _Context, city: str, codes: list[str]) -> tuple[dict[str, float], list[str]]:
    """Enterprises of the city in each key industry, and the division keys the cells cannot show
    (cells that are sections)."""
    cells = ctx.cells[ctx.cells["city"] == city]
    counts, hidden = {}, []
    for code in codes:
        if len(code) > 1 and not ctx.grouped:
            hidden.append(code)
            continue
        counts[code] = float(cells.loc[group_matches(cells["industry_group"], code), "count"].sum())
    return counts, hidden


def _no_keys(rule: Rule, cities: list[str], limit: float) -> Rows:
    return [
        _row(
            c,
            rule.id,
            np.nan,
            limit,
            "skipped",
            "未提供重点行业和支柱产业(key_industries)",
            "key and pillar industries not given (key_industries=)",
        )
        for c in cities
    ]


def _hidden_row(rule: Rule, city: str, hidden: list[str], limit: float) -> dict[str, Any]:
    listed = ", ".join(hidden)
    return _row(
        city,
        rule.id,
        np.nan,
        limit,
        "skipped",
        f"单元为门类(无 industry_group 列),无法核对行业大类 {listed}",
        f"the cells are sections (no industry_group column); division(s) {listed} cannot be checked",
    )


def _pillar_industries(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
    if ctx.key_industries is None:
        return _no_keys(rule, cities, 0.0)
    keys = _keys_by_city(ctx)
    out = []
    for city in cities:
        named = [code for code, _ in keys.get(city, ())]
        if not named:
            out.append(
                _row(
                    city,
                    rule.id,
                    0.0,
                    0.0,
                    "pass",
                    "该市未指定支柱产业",
                    "no pillar industry named for the city",
                )
            )
            continue
        counts, hidden = _key_counts(ctx, city, named)
        if hidden:
            out.append(_hidden_row(rule, city, hidden, 0.0))
            continue
        absent = [code for code in named if counts[code] == 0]
        if absent:
            out.append(
                _row(
                    city,
                    rule.id,
                    float(len(absent)),
                    0.0,
                    _broken(rule.kind),
                    f"支柱产业 {', '.join(absent)} 没有样本企业",
                    f"pillar industry(ies) {', '.join(absent)} have no enterprise",
                )
            )
        else:
            out.append(
                _row(
                    city,
                    rule.id,
                    0.0,
                    0.0,
                    "pass",
                    f"支柱产业 {', '.join(named)} 均有样本企业",
                    f"every pillar industry ({', '.join(named)}) has enterprises",
                )
            )
    return out


def _key_industries(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
    if ctx.key_industries is None:
        return _no_keys(rule, cities, np.nan)
    keys = _keys_by_city(ctx)
    out = []
    for city in cities:
        shares = {code: share for code, share in keys.get(city, ()) if not np.isnan(share)}
        n = float(ctx.counts.loc[city, "n"])
        if not shares:
            out.append(
                _row(
                    city,
                    rule.id,
                    np.nan,
                    np.nan,
                    "pass",
                    "该市未指定重点行业的最低比例",
                    "no key industry with a minimum share named for the city",
                )
            )
            continue
        counts, hidden = _key_counts(ctx, city, list(shares))
        if hidden:
            out.append(_hidden_row(rule, city, hidden, np.nan))
            continue
        if n == 0:
            out.append(
                _row(
                    city,
                    rule.id,
                    np.nan,
                    np.nan,
                    "skipped",
                    "该市样本为空,无法计算比例",
                    "no enterprises in the city; share undefined",
                )
            )
            continue
        # The key industry furthest below its minimum (or closest to it) speaks for the city.
        worst = min(shares, key=lambda code: counts[code] / n - shares[code])
        observed, limit = counts[worst] / n, shares[worst]
        short = [code for code in shares if counts[code] / n < shares[code] - TOLERANCE]
        listed = ", ".join(f"{code} {_pct(counts[code] / n)} (≥ {_pct(shares[code])})" for code in shares)
        if short:
            out.append(
                _row(
                    city,
                    rule.id,
                    observed,
                    limit,
                    _broken(rule.kind),
                    f"重点行业 {', '.join(short)} 低于最低比例: {listed}",
                    f"key industry(ies) {', '.join(short)} below their minimum share: {listed}",
                )
            )
        else:
            out.append(
                _row(
                    city,
                    rule.id,
                    observed,
                    limit,
                    "pass",
                    f"重点行业均达到最低比例: {listed}",
                    f"every key industry meets its minimum share: {listed}",
                )
            )
    return out


def _proportional_mix(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
    limit = rule.limit
    lim = np.nan if limit is None else float(limit)
    if ctx.structure is None:
        return [
            _row(
                c,
                rule.id,
                np.nan,
                lim,
                "skipped",
                "未提供总体结构(structure),无法比较规模和所有制结构",
                "structure not given; the size and ownership mix cannot be compared",
            )
            for c in cities
        ]
    st = _structure_by_city(ctx.structure)
    drop_micro = ctx.rules.limit("micro_excluded") == 0
    keys = ["size_class", "state_owned"]
    pop = st.assign(size_class=st["size_class"].astype(object), state_owned=st["state_owned"].astype(bool))
    smp = ctx.cells
    if drop_micro:
        pop = pop[pop["size_class"] != "micro"]
        smp = smp[smp["size_class"] != "micro"]
    pop_wide = pop.groupby(["city", *keys])["enterprises"].sum().unstack(keys, fill_value=0)
    smp_wide = smp.groupby(["city", *keys])["count"].sum().unstack(keys, fill_value=0)
    columns = pop_wide.columns.union(smp_wide.columns)
    pop_wide = pop_wide.reindex(columns=columns, fill_value=0).astype(float)
    smp_wide = smp_wide.reindex(columns=columns, fill_value=0).astype(float)
    scope_zh = "(不含微型)" if drop_micro else ""
    scope_en = " (micro left out)" if drop_micro else ""
    out = []
    pop_arr, smp_arr = pop_wide.to_numpy(), smp_wide.to_numpy()
    pop_row = {c: i for i, c in enumerate(pop_wide.index)}
    smp_row = {c: i for i, c in enumerate(smp_wide.index)}
    empty = np.zeros(len(columns))
    for city in cities:
        p = pop_arr[pop_row[city]] if city in pop_row else empty
        if p.sum() == 0:
            out.append(
                _row(
                    city,
                    rule.id,
                    np.nan,
                    lim,
                    "skipped",
                    "总体结构中没有该市",
                    f"structure has no rows for {city}",
                )
            )
            continue
        s = smp_arr[smp_row[city]] if city in smp_row else empty
        if s.sum() == 0:
            out.append(
                _row(
                    city,
                    rule.id,
                    np.nan,
                    lim,
                    "skipped",
                    "该市样本为空,无法计算比例",
                    "no enterprises in the city; share undefined",
                )
            )
            continue
        d = 0.5 * float(np.abs(s / s.sum() - p / p.sum()).sum())
        text_zh = f"规模×所有制结构与总体的相异指数 {d:.3f}{scope_zh}"
        text_en = f"size x ownership dissimilarity index to the population {d:.3f}{scope_en}"
        if limit is None:
            out.append(
                _row(
                    city,
                    rule.id,
                    d,
                    lim,
                    "pass",
                    text_zh + ",目标项,未设上限",
                    text_en + "; an objective, no limit",
                )
            )
        elif d <= limit + TOLERANCE:
            out.append(
                _row(
                    city,
                    rule.id,
                    d,
                    lim,
                    "pass",
                    f"{text_zh},不超过 {limit:.3f}",
                    f"{text_en}, within {limit:.3f}",
                )
            )
        else:
            out.append(
                _row(
                    city,
                    rule.id,
                    d,
                    lim,
                    _broken(rule.kind),
                    f"{text_zh},超过 {limit:.3f}",
                    f"{text_en}, above {limit:.3f}",
                )
            )
    return out


def _sector_split(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
    st = ctx.sector_targets
    if st is None:
        return [
            _row(
                c,
                rule.id,
                np.nan,
                0.0,
                "skipped",
                "未提供二、三产业目标(sector_targets)",
                "secondary / tertiary targets not given (sector_targets=)",
            )
            for c in cities
        ]
    missing = [c for c in ("secondary", "tertiary") if c not in st.columns]
    if missing:
        raise QuotaInputError(f"sector_targets lacks column(s) {missing}; it has {list(st.columns)}")
    cells = ctx.cells
    if "sector" in cells.columns:
        sector = pd.to_numeric(cells["sector"], errors="coerce")
    else:
        sector = sector_of_group(cells["industry_group"])
    by = cells.assign(_sector=sector).groupby(["city", "_sector"])["count"].sum()
    out = []
    for city in cities:
        if city not in st.index:
            out.append(
                _row(
                    city,
                    rule.id,
                    np.nan,
                    0.0,
                    "skipped",
                    "二、三产业目标中没有该市",
                    f"sector_targets has no row for {city}",
                )
            )
            continue
        sec = float(by.get((city, 2), 0.0))
        ter = float(by.get((city, 3), 0.0))
        t2, t3 = float(st.loc[city, "secondary"]), float(st.loc[city, "tertiary"])
        dev = abs(sec - t2) + abs(ter - t3)
        zh = f"二产 {_fmt(sec)} 户(目标 {_fmt(t2)}),三产 {_fmt(ter)} 户(目标 {_fmt(t3)})"
        en = f"secondary {_fmt(sec)} (target {_fmt(t2)}), tertiary {_fmt(ter)} (target {_fmt(t3)})"
        out.append(_row(city, rule.id, dev, 0.0, "pass" if dev <= TOLERANCE else _broken(rule.kind), zh, en))
    return out


def _ownership_mix(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
    limit = np.nan if rule.limit is None else float(rule.limit)
    missing = []
    if "ownership_group" not in ctx.cells.columns:
        missing.append(("样本单元没有所有制分组(ownership_group 列)", "cells have no ownership_group column"))
    if ctx.register_ownership is None:
        missing.append(
            (
                "未提供名录库的所有制结构(register_ownership)",
                "register ownership not given (register_ownership=)",
            )
        )
    if missing:
        zh, en = "; ".join(m[0] for m in missing), "; ".join(m[1] for m in missing)
        return [_row(c, rule.id, np.nan, limit, "skipped", zh, en) for c in cities]
    reg = ctx.register_ownership
    need = [c for c in ("city", "ownership_group", "enterprises") if c not in reg.columns]
    if need:
        raise QuotaInputError(f"register_ownership lacks column(s) {need}; it has {list(reg.columns)}")
    unknown = sorted(set(pd.unique(reg["ownership_group"].astype(str))) - set(OWNERSHIP_GROUPS))
    if unknown:
        raise QuotaInputError(
            f"register_ownership: unknown ownership group(s) {unknown}; valid: {list(OWNERSHIP_GROUPS)}"
        )
    cells = ctx.cells
    if ctx.rules.limit("micro_excluded") == 0:
        # As proportional_mix: micro enterprises cannot be chosen, so they are compared nowhere
        # (the register's counts are expected without them too).
        cells = cells[cells["size_class"] != "micro"]
    shares = ownership_shares(cells, reg)
    # Plain tuples per city, built in one pass: pandas look-ups per city (a few hundred cities)
    # cost far more than the arithmetic.
    by_city: dict[str, list[tuple[str, int, int, float, float, float]]] = {}
    for city, *row in zip(
        shares["city"].astype(str).tolist(),
        shares["ownership_group"].tolist(),
        shares["register"].tolist(),
        shares["sample"].tolist(),
        shares["register_share"].tolist(),
        shares["sample_share"].tolist(),
        shares["difference"].tolist(),
    ):
        by_city.setdefault(city, []).append(tuple(row))
    out = []
    for city in cities:
        part = by_city.get(city, [])
        p_total = float(sum(r[1] for r in part))
        s_total = float(sum(r[2] for r in part))
        if p_total == 0 or s_total == 0:
            what = (
                ("名录库中没有该市", f"the register has no enterprises in {city}")
                if p_total == 0
                else (
                    "该市样本为空,无法计算比例",
                    "no enterprises in the city; share undefined",
                )
            )
            out.append(_row(city, rule.id, np.nan, limit, "skipped", *what))
            continue
        groups = [r[0] for r in part]
        ps = {r[0]: r[3] for r in part}
        ss = {r[0]: r[4] for r in part}
        dev = {r[0]: abs(r[5]) for r in part}
        worst = float(max(dev.values()))
        far = [g for g in groups if np.isfinite(limit) and dev[g] > limit + TOLERANCE]
        listed_zh = ", ".join(
            f"{OWNERSHIP_LABELS_ZH[g]} {_pct(ss[g])}(名录库 {_pct(ps[g])})" for g in (far or groups)
        )
        listed_en = ", ".join(f"{g} {_pct(ss[g])} (register {_pct(ps[g])})" for g in (far or groups))
        if not np.isfinite(limit):
            status, zh, en = "pass", f"各类所有制企业: {listed_zh}", f"ownership groups: {listed_en}"
        elif far:
            status = _broken(rule.kind)
            zh = f"所有制结构偏离名录库超过 {_pct(limit)}: {listed_zh}"
            en = f"ownership groups more than {_pct(limit)} off the register's shares: {listed_en}"
        else:
            status = "pass"
            zh = f"各类所有制企业比例与名录库相差不超过 {_pct(limit)}: {listed_zh}"
            en = f"every ownership group within {_pct(limit)} of the register's share: {listed_en}"
        out.append(_row(city, rule.id, worst, limit, status, zh, en))
    return out


OWNERSHIP_SHARE_COLUMNS: tuple[str, ...] = (
    "city",
    "ownership_group",
    "ownership_zh",
    "register",
    "register_share",
    "sample",
    "sample_share",
    "difference",
)
"""Columns of :func:`ownership_shares`, in order."""


def ownership_shares(sample: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """Each city's ownership-group shares of a sample beside the register's.

    The documents ask to cover all kinds of ownership (兼顾各类所有制企业) in proportion to the
    local structure; this is the table behind the ``ownership_mix`` check, for reports.

    Parameters
    ----------
    sample : DataFrame
        ``city, ownership_group, count`` (several rows per city and group are added up), e.g.
        sample cells or one row per enterprise with ``count`` 1.
    register : DataFrame
        ``city, ownership_group, enterprises``, e.g.
        :func:`sampling.auditing.inputs.register_ownership`.

    Returns
    -------
    DataFrame
        :data:`OWNERSHIP_SHARE_COLUMNS`: per city (in order of first appearance, the sample's
        cities first) one row per ownership group present in the sample or the register, in
        the order of :data:`quotas.labels.OWNERSHIP_GROUPS`; ``register`` and ``sample`` are
        counts, their shares are of the city's total (NaN when the total is 0), and
        ``difference`` is ``sample_share - register_share``.

    References
    ----------
    人社部函〔2011〕308号 ("兼顾各类所有制企业"); 国统字〔1998〕200号 (registration types).

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas.checks import ownership_shares
    >>> sample = pd.DataFrame({"city": "珠海市", "ownership_group": ["private", "foreign"], "count": [6, 4]})
    >>> register = pd.DataFrame({"city": "珠海市", "ownership_group": ["private", "foreign", "state"],
    ...                          "enterprises": [70, 20, 10]})
    >>> ownership_shares(sample, register)[["ownership_group", "sample_share", "register_share"]].values.tolist()
    [['state', 0.0, 0.1], ['private', 0.6, 0.7], ['foreign', 0.4, 0.2]]
    """
    for name, table, column in (("sample", sample, "count"), ("register", register, "enterprises")):
        need = [c for c in ("city", "ownership_group", column) if c not in table.columns]
        if need:
            raise QuotaInputError(
                f"ownership_shares: {name} lacks column(s) {need}; it has {list(table.columns)}"
            )
        unknown = sorted(set(pd.unique(table["ownership_group"].astype(str))) - set(OWNERSHIP_GROUPS))
        if unknown:
            raise QuotaInputError(
                f"ownership_shares: {name} has unknown ownership group(s) {unknown}; valid: {list(OWNERSHIP_GROUPS)}"
            )

    # Cities (in order of first appearance) and groups as integer codes, counted with bincount.
    city_of = {
        name: table["city"].astype(str).to_numpy(dtype=object)
        for name, table in (("sample", sample), ("register", register))
    }
    cities = pd.Index(list(dict.fromkeys([*city_of["sample"], *city_of["register"]])), dtype=object)
    groups = pd.Index(OWNERSHIP_GROUPS)
    size = len(cities) * len(groups)
    present = np.zeros(size, dtype=bool)
    sums = {}
    for name, table, column in (("register", register, "enterprises"), ("sample", sample, "count")):
        flat = cities.get_indexer(city_of[name]) * len(groups) + groups.get_indexer(
            table["ownership_group"].astype(str)
        )
        present |= np.bincount(flat, minlength=size) > 0
        values = pd.to_numeric(table[column]).to_numpy(dtype=float)
        sums[name] = np.bincount(flat, weights=values, minlength=size).reshape(len(cities), len(groups))
    city, group = np.divmod(np.flatnonzero(present), len(groups))
    out = pd.DataFrame({"city": cities.to_numpy()[city], "ownership_group": groups.to_numpy()[group]})
    for column in ("register", "sample"):
        total = sums[column].sum(axis=1)[city]
        out[column] = sums[column][city, group]
        out[f"{column}_share"] = out[column] / np.where(total > 0, total, np.nan)
    out["difference"] = out["sample_share"] - out["register_share"]
    out["ownership_zh"] = out["ownership_group"].map(OWNERSHIP_LABELS_ZH)
    for column in ("register", "sample"):
        out[column] = out[column].round().astype(np.int64)
    return out[list(OWNERSHIP_SHARE_COLUMNS)].reset_index(drop=True)


def _min_employees(rule: Rule, ctx: _Context, cities: list[str]) -> Rows:
    minimum = rule.limit
    if "below_min_employees" not in ctx.cells.columns:
        return [
            _row(
                c,
                rule.id,
                np.nan,
                0.0,
                "skipped",
                "样本单元没有规模标记(below_min_employees 列)",
                "cells have no below_min_employees column (enterprises below the minimum size)",
            )
            for c in cities
        ]
    cells = ctx.cells[ctx.cells["below_min_employees"].astype(bool)]
    # Kept panel enterprises are exempt: the rule governs the choice of new units.
    new = cells["count"] - (cells["panel"] if "panel" in cells.columns else 0)
    below = new.groupby(cells["city"]).sum()
    out = []
    for city in cities:
        k = float(below.get(city, 0.0))
        if k <= 0:
            out.append(
                _row(
                    city,
                    rule.id,
                    0.0,
                    0.0,
                    "pass",
                    f"新选企业从业人员均不少于 {minimum} 人",
                    f"every new enterprise has at least {minimum} employees",
                )
            )
        else:
            out.append(
                _row(
                    city,
                    rule.id,
                    k,
                    0.0,
                    _broken(rule.kind),
                    f"{_fmt(k)} 户新选企业从业人员少于 {minimum} 人",
                    f"{_fmt(k)} new enterprises with fewer than {minimum} employees",
                )
            )
    return out


def _province_row(rule: Rule, ctx: _Context) -> dict[str, Any]:
    if rule.id != "band_50_300_min":
        return _row(
            PROVINCE,
            rule.id,
            np.nan,
            np.nan,
            "skipped",
            f"规则 {rule.id} 无法由计数核对",
            f"rule {rule.id!r} cannot be checked from counts",
        )
    minimum = rule.limit
    basis_zh = basis_en = ""
    if isinstance(minimum, RegisterShare):
        st = ctx.structure
        if st is None or "enterprises_50_300" not in st.columns:
            return _row(
                PROVINCE,
                rule.id,
                np.nan,
                np.nan,
                "skipped",
                "未提供含 enterprises_50_300 的总体结构(structure),无法计算名录库中50-300人企业的比例",
                "structure with enterprises_50_300 not given; the register's share cannot be computed",
            )
        micro = ctx.rules.limit("micro_excluded") != 0
        register = band_share(st[st["city"].isin(set(ctx.cells["city"]))], micro=micro)
        minimum = minimum.of(register)
        basis_zh = f"(名录库比例 {_pct(register)} × {rule.limit.factor:g})"
        basis_en = f" ({rule.limit.factor:g} x the register's {_pct(register)})"
    limit = np.nan if minimum is None else float(minimum)
    cells = ctx.cells
    if "band_50_300" not in cells.columns:
        return _row(
            PROVINCE,
            rule.id,
            np.nan,
            limit,
            "skipped",
            "缺少 50-300 人区间标记(band_50_300 列)",
            "cells have no band_50_300 column (50-300 employees)",
        )
    total = float(cells["count"].sum())
    if total == 0:
        return _row(PROVINCE, rule.id, np.nan, limit, "skipped", "样本为空", "no enterprises")
    share = float(cells.loc[cells["band_50_300"].astype(bool), "count"].sum() / total)
    if minimum is None:
        return _row(
            PROVINCE,
            rule.id,
            share,
            limit,
            "pass",
            f"50-300人企业占 {_pct(share)},未设下限",
            f"50-300-employee enterprises {_pct(share)}; no minimum set",
        )
    ok = share >= minimum - TOLERANCE
    return _row(
        PROVINCE,
        rule.id,
        share,
        limit,
        "pass" if ok else _broken(rule.kind),
        f"全省50-300人企业占 {_pct(share)},{'达到' if ok else '低于'}下限 {_pct(minimum)}{basis_zh}",
        f"province share of 50-300-employee enterprises {_pct(share)}, "
        f"{'meets' if ok else 'below'} the minimum of {_pct(minimum)}{basis_en}",
    )


def _target_row(city: str, n: float, target: Any) -> dict[str, Any]:
    if target is None or pd.isna(target):
        return _row(
            city, "target", n, np.nan, "skipped", "没有该市的目标数", f"targets has no value for {city}"
        )
    t = float(target)
    if n == t:
        return _row(
            city,
            "target",
            n,
            t,
            "pass",
            f"样本 {_fmt(n)} 户,等于目标数",
            f"{_fmt(n)} enterprises, equal to the target",
        )
    if n < t:
        return _row(
            city,
            "target",
            n,
            t,
            "fail",
            f"样本 {_fmt(n)} 户,少于目标 {_fmt(t)} 户",
            f"{_fmt(n)} enterprises, below the target of {_fmt(t)}",
        )
    return _row(
        city,
        "target",
        n,
        t,
        "warn",
        f"样本 {_fmt(n)} 户,多于目标 {_fmt(t)} 户",
        f"{_fmt(n)} enterprises, above the target of {_fmt(t)}",
    )


_CHECKERS: dict[str, Checker] = {
    "min_count": _min_count,
    "top_industries": _top_industries,
    "pillar_industries": _pillar_industries,
    "key_industries": _key_industries,
    "ownership_mix": _ownership_mix,
    "min_employees": _min_employees,
    "manufacturing_max": _share_rule("C", "max", "制造业", "manufacturing"),
    "sme_min": _share_rule(("medium", "small"), "min", "中小型企业", "small + medium"),
    "micro_excluded": _share_rule("micro", "max", "微型企业", "micro"),
    "state_owned_max": _share_rule("state_owned", "max", "国有企业", "state-owned"),
    "large_max": _share_rule("large", "max", "大型企业", "large"),
    "proportional_mix": _proportional_mix,
    "sector_split": _sector_split,
}
