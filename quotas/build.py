"""The entry point of the quota model: :func:`build_quotas`.

:func:`build_quotas` turns each city's sample size into a quota table that meets the ministry's
rules, or raises :class:`~quotas.exceptions.InfeasibleQuotaError` saying exactly why it cannot.

Three modules hold the quota model: this one checks the inputs, solves city by city (or province
by province when a province-level rule couples the cities), explains infeasibility with the
deletion filter of :mod:`quotas.infeasibility` and measures the soft rules relaxed;
:mod:`quotas.model` writes the integer program (its variables, rows and objective are described
there); :mod:`quotas.solvers` solves it with HiGHS or PuLP.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from basis.rows import row_name
from quotas.cities import resolve_cities
from quotas.datasets import national_cities
from quotas.exceptions import InfeasibleQuotaError, QuotaInputError, QuotaSolverError
from quotas.industry_groups import check_key_industries
from quotas.infeasibility import deletion_filter, describe_conflict
from quotas.model import Band, City, assemble, prepare_cities
from quotas.rules import MOHRSS_2011, RegisterShare, RuleSet, get_rules
from quotas.solvers import SOLVERS, SolverName, check_solver, solve
from quotas.structure import band_share, validate_cells, validate_structure
from quotas.table import QuotaTable
from quotas.tiers import MINIMUM_SCHEMES, tier_minimum

__all__ = ["SOLVERS", "build_quotas"]

_TOL = 1e-9
# Order in which the deletion filter tries to drop groups: the target and capacity last, so an
# explanation in their terms is preferred when several minimal sets exist.
_GROUP_ORDER = (
    "band_50_300_min",
    "sector_split",
    "key_industries",
    "pillar_industries",
    "top_industries",
    "panel",
    "large_max",
    "state_owned_max",
    "sme_min",
    "manufacturing_max",
    "micro_excluded",
    "capacity",
    "target",
)


# --------------------------------------------------------------------------- inputs


def _check_targets(targets: Any) -> pd.Series:
    series = getattr(targets, "allocated", targets)
    if isinstance(series, Mapping):
        series = pd.Series(dict(series))
    if not isinstance(series, pd.Series):
        raise QuotaInputError(
            f"targets must be a Series (city -> sample size) or a CityAllocation, got {type(targets).__name__}"
        )
    num = pd.to_numeric(series, errors="coerce")
    bad = num.isna() | (num < 0) | (num != np.round(num.fillna(0)))
    if bad.any():
        # .tolist() gives plain Python values: the message reads -5, not np.int64(-5).
        shown = ", ".join(f"{k!r}: {v!r}" for k, v in zip(series.index[bad][:10], series[bad][:10].tolist()))
        raise QuotaInputError(f"targets must be non-negative whole numbers; bad: {shown}")
    names = resolve_cities(pd.Series(list(series.index), dtype=object))
    dup = names.duplicated(keep=False)
    if dup.any():
        shown = ", ".join(
            f"{a!r} -> {b}" for a, b in zip(np.asarray(series.index)[dup.to_numpy()], names[dup])
        )
        raise QuotaInputError(f"targets name a city twice: {shown}")
    return pd.Series(
        num.to_numpy(dtype=np.int64), index=pd.Index(names.to_numpy(), name="city"), name="target"
    )


def _check_cities(structure: pd.DataFrame, targets: pd.Series) -> None:
    in_structure = set(structure["city"])
    no_cells = [c for c in targets.index if c not in in_structure]
    if no_cells:
        raise QuotaInputError(f"target cities with no rows in the structure: {no_cells}")
    no_target = sorted(in_structure - set(targets.index))
    if no_target:
        raise QuotaInputError(
            f"structure cities without a target: {no_target}; give them a target or leave them out of the structure"
        )


def _check_weight(employment_weight: float) -> float:
    w = float(employment_weight)
    if not 0.0 <= w <= 1.0:
        raise QuotaInputError(f"employment_weight must be between 0 and 1, got {employment_weight!r}")
    return w


def _check_existing(existing: pd.DataFrame, structure: pd.DataFrame) -> pd.DataFrame:
    panel = validate_cells(existing, {"panel": True}, "existing")
    keys = ["city", "industry_group", "size_class", "state_owned"]
    merged = panel.merge(structure[[*keys, "enterprises"]], on=keys, how="left")
    merged.index = panel.index
    missing = merged["enterprises"].isna() & (merged["panel"] > 0)
    if missing.any():
        shown = ", ".join(
            f"{row_name(i)}: ({r.city}, {r.industry_group}, {r.size_class}, {'state' if r.state_owned else 'non-state'})"
            for i, r in list(merged[missing].iterrows())[:10]
        )
        raise QuotaInputError(f"existing: panel enterprises in cells the structure does not have: {shown}")
    over = merged["panel"] > merged["enterprises"].fillna(0)
    if over.any():
        shown = ", ".join(
            f"{row_name(i)}: panel {r.panel} > enterprises {int(r.enterprises)}"
            for i, r in list(merged[over].iterrows())[:10]
        )
        raise QuotaInputError(f"existing: more panel enterprises than enterprises in the cell: {shown}")
    return panel[[*keys, "panel"]]


def _check_key_groups(key: pd.DataFrame, grouped: bool) -> None:
    divisional = key[key["industry_group"].str.len() > 1]
    if len(divisional) and not grouped:
        shown = ", ".join(f"{c} {g}" for c, g in zip(divisional["city"], divisional["industry_group"]))
        raise QuotaInputError(
            f"key industries {shown} are divisions, but the structure's cells are sections (no "
            "industry_group column); make the structure with the key industries "
            "(sampling.structure(frame, key_industries=...)) or give them as sections"
        )


def _check_sector_cells(structure: pd.DataFrame, rules: RuleSet) -> None:
    """A hard split needs cells that carry the sector: sections A, B and C hide tertiary divisions."""
    hidden = structure.loc[
        structure["section"].isin(["A", "B", "C"]) & (structure["enterprises"] > 0), "city"
    ]
    cities = list(dict.fromkeys(hidden))
    if cities:
        shown = ", ".join(cities[:10]) + (f" and {len(cities) - 10} more" if len(cities) > 10 else "")
        raise QuotaInputError(
            f"sector_split is hard in rule set {rules.name!r}, but the structure's cells are sections "
            "(no industry_group column): divisions 05, 11 and 43 are tertiary (三次产业划分规定) yet "
            f"would count with sections A, B and C, so the split cannot be exact in {shown} (cells in "
            "sections A, B or C). Build the structure from the register with industry groups "
            "(sampling.prepare_frame, then sampling.structure; on the command line, give the register "
            "rather than a structure table), or accept a split met on sections with "
            "rules.replace(sector_split={'kind': 'soft'})"
        )


def _check_sector_targets(sector_targets: pd.DataFrame, targets: pd.Series) -> pd.DataFrame:
    if not isinstance(sector_targets, pd.DataFrame):
        raise QuotaInputError(
            f"sector_targets must be a DataFrame (city x sector), got {type(sector_targets).__name__}"
        )
    cols = [c for c in sector_targets.columns]
    bad_cols = [c for c in cols if c not in ("primary", "secondary", "tertiary")]
    if bad_cols or not cols:
        raise QuotaInputError(
            f"sector_targets columns must be among ['primary', 'secondary', 'tertiary']; got {cols}"
        )
    st = sector_targets.copy()
    st.index = pd.Index(resolve_cities(pd.Series(list(st.index), dtype=object)).to_numpy(), name="city")
    missing = [c for c in targets.index if c not in st.index]
    if missing:
        raise QuotaInputError(f"sector_targets has no row for {missing}")
    st = st.loc[list(targets.index)]
    num = st.apply(pd.to_numeric, errors="coerce")
    bad = num.isna() | (num < 0) | (num != np.round(num.fillna(0)))
    if bad.to_numpy().any():
        cells = [(i, c, st.loc[i, c]) for i in num.index for c in num.columns if bad.loc[i, c]]
        shown = ", ".join(f"{i} {c}: {v.item() if hasattr(v, 'item') else v!r}" for i, c, v in cells[:10])
        raise QuotaInputError(f"sector_targets must be non-negative whole numbers; bad at {shown}")
    num = num.astype(np.int64)
    total = num.sum(axis=1)
    complete = len(num.columns) == 3
    wrong = (total != targets) if complete else (total > targets)
    if wrong.any():
        shown = ", ".join(
            f"{c}: sectors {int(total[c])} vs target {int(targets[c])}" for c in num.index[wrong][:10]
        )
        relation = "sum to" if complete else "stay within"
        raise QuotaInputError(f"sector_targets must {relation} each city's target; {shown}")
    return num


def _minimums(
    rules: RuleSet, targets: pd.Series, population: pd.Series | None
) -> tuple[pd.Series | None, pd.Series | None]:
    """(minimum per city, population per city) for the min_count rule, or (None, None)."""
    limit = rules.limit("min_count")
    if "min_count" not in rules or limit is None:
        return None, None
    nat = national_cities().set_index("city")
    if population is None:
        pop = nat["population"].reindex(targets.index)
    else:
        if not isinstance(population, pd.Series):
            raise QuotaInputError(
                f"population must be a Series indexed by city, got {type(population).__name__}"
            )
        pop = population.copy()
        pop.index = pd.Index(resolve_cities(pd.Series(list(pop.index), dtype=object)).to_numpy())
        missing = [c for c in targets.index if c not in pop.index]
        if missing:
            raise QuotaInputError(f"population has no value for {missing}")
        pop = pop.reindex(targets.index)
    if isinstance(limit, str):
        municipality = nat["kind"].reindex(targets.index).eq("municipality")
        minimum = tier_minimum(pop, scheme=limit, municipality=municipality)  # type: ignore[arg-type]
    else:
        minimum = pd.Series(int(limit), index=targets.index, name="minimum")
    return minimum.astype(np.int64), pop


# --------------------------------------------------------------------------- solving a block


@dataclass
class _Outcome:
    quotas: dict[str, np.ndarray] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _groups_of(block: list[City], band: Band | None, rules: RuleSet, sector: bool) -> list[str]:
    present = {"target", "capacity", "panel"}
    if "top_industries" in rules:
        present.add("top_industries")
    if "pillar_industries" in rules and any(c.pillars for c in block):
        present.add("pillar_industries")
    if any(c.key_soft is False and any(not np.isnan(v) for _, v in c.keys) for c in block):
        present.add("key_industries")
    if sector and not any(c.sector_soft for c in block):
        present.add("sector_split")
    for city in block:
        present.update(rid for rid, (_, _, soft) in city.share_rules.items() if not soft)
    if band is not None and not band.soft:
        present.add("band_50_300_min")
    return [g for g in _GROUP_ORDER if g in present]


def _solve_block(
    block: list[City], band: Band | None, rules: RuleSet, sector: bool, kind: str, solver: Any
) -> _Outcome:
    groups = _groups_of(block, band, rules, sector)
    model, cols, band_slack = assemble(block, frozenset(groups), band, objective=True)
    status, x = solve(model, kind, solver, [c.q for c in cols])
    out = _Outcome()
    if status == "optimal-restricted" and x is not None:
        out.notes.append(
            f"{band.name if band else block[0].name}: the joint relaxation had fractional quotas; only "
            "their cities were re-solved in integers (to a relative gap of 1e-4), the others kept at "
            "the relaxed optimum"
        )
        status = "optimal"
    if status == "optimal" and x is not None:
        for city, c in zip(block, cols):
            values = x[c.q]
            q = np.round(values).astype(np.int64)
            if np.abs(values - q).max(initial=0.0) > 1e-6:  # pragma: no cover - solver tolerance guard
                raise QuotaSolverError(f"{city.name}: the solver returned a non-integer quota")
            out.quotas[city.name] = q
        return out
    if status != "infeasible":
        raise QuotaSolverError(f"the solver stopped with status {status!r} for {[c.name for c in block]}")
    for city in block:
        out.conflicts.extend(_explain(city, rules, sector, kind, solver))
    if not out.conflicts and band is not None:
        out.conflicts.append(_explain_band(block, band, rules, sector, kind, solver))
    return out


def _explain(city: City, rules: RuleSet, sector: bool, kind: str, solver: Any) -> list[dict[str, Any]]:
    groups = _groups_of([city], None, rules, sector)

    def feasible(subset: frozenset[str]) -> bool:
        model, _, _ = assemble([city], subset, None, objective=False)
        return solve(model, kind, solver)[0] == "optimal"

    if feasible(frozenset(groups)):
        return []
    conflict = deletion_filter(groups, feasible)
    return [{"city": city.name, "rules": conflict, "detail": describe_conflict(city.facts(), conflict)}]


def _explain_band(
    block: list[City], band: Band, rules: RuleSet, sector: bool, kind: str, solver: Any
) -> dict[str, Any]:
    groups = _groups_of(block, band, rules, sector)

    def feasible(subset: frozenset[str]) -> bool:
        model, _, _ = assemble(block, subset, band, objective=False)
        return solve(model, kind, solver)[0] == "optimal"

    conflict = deletion_filter(groups, feasible)
    total = sum(c.target for c in block)
    reach = sum(float((c.arrays["r50"] * c.arrays["available"]).sum()) for c in block)
    detail = (
        f"band_50_300_min needs an expected {band.limit * total:.1f} enterprises of 50-300 employees "
        f"out of {total}; with {', '.join(c for c in conflict if c != 'band_50_300_min')} the frame "
        f"cannot reach it ({reach:.0f} such enterprises in all)"
    )
    return {"city": band.name, "rules": conflict, "detail": detail}


# --------------------------------------------------------------------------- entry point


def build_quotas(
    structure: pd.DataFrame,
    targets: pd.Series | Any,
    *,
    rules: RuleSet | str = MOHRSS_2011,
    existing: pd.DataFrame | None = None,
    key_industries: pd.DataFrame | Mapping[str, Any] | None = None,
    sector_targets: pd.DataFrame | None = None,
    population: pd.Series | None = None,
    employment_weight: float = 1.0,
    solver: SolverName | Any | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> QuotaTable:
    """Integer quotas per city x industry group x size class x ownership that meet the rules.

    Parameters
    ----------
    structure : DataFrame
        Population per cell: ``city, section, industry_group, size_class, state_owned,
        enterprises, employment`` (see :func:`quotas.structure.validate_structure`; without
        ``industry_group`` the cells are sections); optional ``enterprises_50_300`` (for
        ``band_50_300_min``) and ``panel``. :func:`sampling.structure` makes one from a
        register, with the industry groups of the key industries.
    targets : Series or CityAllocation
        Sample size per city (any city alias). Every structure city needs one.
    rules : RuleSet or str, default MOHRSS_2011
        The rules (a preset name such as ``"guangdong-2013"`` is accepted).
    existing : DataFrame, optional
        The panel: ``city, industry_group (or section), size_class, state_owned, panel`` (enterprises already
        monitored). Each cell's quota is at least its panel, so the panel is kept. Without it,
        a ``panel`` column of the structure is used, if any.
    key_industries : DataFrame or mapping, optional
        The city's key and pillar industries as GB/T 4754-2011 divisions (or sections):
        ``city, division[, min_share]``, or a mapping city -> divisions (see
        :func:`quotas.industry_groups.check_key_industries`). They are open to new enterprises
        whatever their employment rank (``top_industries``); under ``pillar_industries`` each
        gets at least one enterprise, and under ``key_industries`` one with a ``min_share``
        gets at least ``ceil(min_share x target)``. A division needs its own industry group in
        the structure (``sampling.structure(..., key_industries=)`` makes it).
    sector_targets : DataFrame, optional
        City x {secondary, tertiary} (optionally primary), e.g. from ``allocation.split`` or
        the official task table; applied under ``sector_split``. A cell's sector is that of its
        industry group (三次产业划分规定: divisions 05, 11 and 43 are tertiary), so with
        industry groups the split is exact. A hard ``sector_split`` (:data:`GUANGDONG_2013`)
        makes each sector's total equal its target; a structure of sections cannot separate
        05, 11 and 43 from sections A, B and C, so it is refused for the cities with cells
        there (:class:`QuotaInputError` naming them). A soft one penalises every enterprise
        off target like a soft share rule and lists any deviation in ``relaxed`` (``by``:
        enterprises off target, summed); on sections it counts 05, 11 and 43 with their
        sections and a note says so.
    population : Series, optional
        Population per city in persons (the tiers of ``min_count``); taken from
        :func:`quotas.datasets.national_cities` when omitted (municipalities by their kind).
    employment_weight : float, default 1.0
        Weight of employment against enterprise counts in a cell's share of its city.
    solver : {"highs", "cbc"} or pulp.LpSolver, optional
        HiGHS through highspy (default; CBC when highspy is missing), CBC through PuLP, or
        any PuLP solver object. The same named model goes to each.
    progress : callable, optional
        Called as ``progress(done, total)`` after each city (or block of cities solved together)
        is solved, for a progress display (the command line's); never prints.

    Returns
    -------
    QuotaTable
        Quotas, ideals, availability and panel per cell; soft-rule relaxations in
        ``.relaxed``; rules that could not be applied in ``.notes``.

    Raises
    ------
    InfeasibleQuotaError
        When a city's target is below its ``min_count`` minimum, or no table meets the hard
        rules; ``.conflicts`` lists each city with a minimal set of conflicting rules (found by
        a deletion filter) and a sentence with the numbers.
    QuotaInputError
        For bad structure, targets, panel, key industries, sector targets or solver name, and
        for a hard ``sector_split`` on cells of sections A, B or C.

    Notes
    -----
    The model and the names of its variables and constraints are described in
    :mod:`quotas.model`. Integer quotas sum exactly to each target (a hard constraint); among
    tables meeting the rules, the one closest to the proportional ideal in total absolute
    deviation is returned, which without binding rules is largest-remainder (Hamilton)
    rounding of the ideal. Soft rules are relaxed only when the hard rules force it.

    ``band_50_300_min`` (Guangdong) needs ``enterprises_50_300`` in the structure: it then
    couples the cities of each province, solved jointly; without that column the rule is not
    applied and a note says so.

    References
    ----------
    人社部函〔2011〕308号 (the per-city rules); 人社部发〔2009〕152号; the Guangdong 2013 plan
    全省企业用工定点监测扩面组织实施方案. Chinneck and Dravnieks (1991) for the deletion filter;
    Huangfu and Hall (2018), Parallelizing the dual revised simplex method, Math. Prog. Comp.
    10, 119-142 (HiGHS).

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas import build_quotas, MOHRSS_2011
    >>> s = pd.DataFrame({"city": "广州市", "section": ["C", "F", "G"], "size_class": "small",
    ...                   "state_owned": False, "enterprises": [80, 30, 50],
    ...                   "employment": [6000, 2000, 4000]})
    >>> qt = build_quotas(s, pd.Series({"广州": 60}), rules=MOHRSS_2011)
    >>> qt.to_frame()[["section", "ideal", "quota"]].values.tolist()
    [['C', 30.0, 24], ['F', 10.0, 13], ['G', 20.0, 23]]

    Manufacturing is capped at 40% of 60 = 24; the 6 enterprises cut go to F and G, shared by
    relative deviation in steps of 10-25% of the ideal (so 3 : 3 here rather than exactly 2 : 4).
    """
    rules = get_rules(rules)
    st = validate_structure(structure)
    tg = _check_targets(targets)
    _check_cities(st, tg)
    w = _check_weight(employment_weight)
    kind, solver_obj = check_solver(solver)
    notes: list[str] = []
    keys = ["city", "industry_group", "size_class", "state_owned"]
    if existing is not None:
        panel = _check_existing(existing, st)
        st = st.drop(columns=["panel"], errors="ignore").merge(panel, on=keys, how="left")
        st["panel"] = st["panel"].fillna(0).astype(np.int64)
        notes.append("panel: from existing")
    elif "panel" in st.columns:
        notes.append("panel: from the structure's panel column")
    else:
        st["panel"] = 0
    key = check_key_industries(key_industries, cities=tg.index)
    _check_key_groups(key, "industry_group" in structure.columns)
    if len(key) and "pillar_industries" not in rules:
        notes.append(
            "key industries widen the eligible cells; pillar_industries is not in the rule set, so none is forced"
        )
    if key["min_share"].notna().any() and "key_industries" not in rules:
        notes.append(
            "key_industries: min_share given but the rule set has no key_industries rule; not applied"
        )
    if "industry_group" not in structure.columns and sector_targets is not None and "sector_split" in rules:
        if rules["sector_split"].relaxed():
            notes.append(
                "sector_split: the structure's cells are sections, so divisions 05, 11 and 43 (tertiary) "
                "are counted with sections A, B and C; give industry_group for the exact split"
            )
        else:
            _check_sector_cells(st[st["city"].isin(tg.index)], rules)

    sector = "sector_split" in rules and sector_targets is not None
    sec_t = None
    if sector_targets is not None:
        if "sector_split" not in rules:
            raise QuotaInputError(
                f"sector_targets given but rule set {rules.name!r} has no 'sector_split' rule "
                "(use GUANGDONG_2013 or add the rule)"
            )
        sec_t = _check_sector_targets(sector_targets, tg)
    elif "sector_split" in rules:
        notes.append("sector_split: no sector_targets given; rule not applied")

    minimum, pop = _minimums(rules, tg, population)
    if minimum is not None:
        low = tg < minimum
        if low.any():
            scheme = rules.limit("min_count")
            source = MINIMUM_SCHEMES[scheme].source if isinstance(scheme, str) else "rule limit"
            conflicts = [
                {
                    "city": c,
                    "rules": ["min_count", "target"],
                    "detail": f"target {int(tg[c])} is below the minimum {int(minimum[c])} for a city "
                    f"of population {int(pop[c]):,} ({scheme}, {source})"
                    if pop is not None and isinstance(scheme, str)
                    else f"target {int(tg[c])} is below the minimum {int(minimum[c])}",
                }
                for c in tg.index[low]
            ]
            raise _infeasible(conflicts)

    band = None
    band_rule = rules.get("band_50_300_min")
    if band_rule is not None and band_rule.limit is not None:
        if "enterprises_50_300" in st.columns:
            st["r50"] = np.where(
                st["enterprises"] > 0, st["enterprises_50_300"] / st["enterprises"].clip(lower=1), 0.0
            )
            band = band_rule
        else:
            notes.append("band_50_300_min: the structure has no enterprises_50_300 column; rule not applied")

    cities = prepare_cities(st, tg, rules, key, sec_t, w)

    blocks: list[tuple[list[City], Band | None]]
    if band is not None:
        province = national_cities().set_index("city")["province"]
        provinces = list(dict.fromkeys(province[c.name] for c in cities))
        blocks = []
        for j, p in enumerate(provinces):
            block = [c for c in cities if province[c.name] == p]
            limit = band.limit
            if isinstance(limit, RegisterShare):
                micro = rules.limit("micro_excluded") != 0
                names = {c.name for c in block}
                share = band_share(st[st["city"].isin(names)], micro=micro)
                limit = limit.of(share)
                notes.append(
                    f"band_50_300_min: {p} minimum {limit:.1%} = {band.limit.factor:g} x the register's "
                    f"share {share:.1%} of 50-300-employee enterprises{'' if micro else ' (micro left out)'}"
                )
            blocks.append((block, Band(f"p{j:02d}", p, float(limit), band.kind == "soft")))
        notes.append("band_50_300_min: cities solved jointly per province")
    else:
        blocks = [([c], None) for c in cities]

    def run(item: tuple[list[City], Band | None]) -> _Outcome:
        return _solve_block(item[0], item[1], rules, sector, kind, solver_obj)

    outcomes = []
    for done, block in enumerate(blocks, start=1):
        outcomes.append(run(block))
        if progress is not None:
            progress(done, len(blocks))
    notes.extend(n for o in outcomes for n in o.notes)
    kept = {c.name: int(c.arrays["panel"][~c.arrays["top"]].sum()) for c in cities if c.top_k is not None}
    kept = {k: v for k, v in kept.items() if v}
    if kept:
        listed = ", ".join(f"{k} {v}" for k, v in kept.items())
        notes.append(
            f"top_industries: panel enterprises kept outside the top sections (no new ones there): {listed}"
        )
    conflicts = [c for o in outcomes for c in o.conflicts]
    if conflicts:
        raise _infeasible(conflicts)
    quotas = {k: v for o in outcomes for k, v in o.quotas.items()}

    def stack(key: str) -> np.ndarray:
        return np.concatenate([city.arrays[key] for city in cities])

    cells = pd.DataFrame(
        {
            "city": np.repeat(
                np.array([c.name for c in cities], dtype=object), [len(c.codes) for c in cities]
            ),
            "section": stack("section"),
            "industry_group": stack("industry_group"),
            "size_class": stack("size_class"),
            "state_owned": stack("state_owned"),
            "quota": np.concatenate([quotas[city.name] for city in cities]),
            "ideal": stack("ideal"),
            "available": stack("available").astype(np.int64),
            "panel": stack("panel").astype(np.int64),
        }
    )
    if "enterprises_50_300" in st.columns:
        cells["enterprises_50_300"] = stack("enterprises_50_300").astype(np.int64)
    solver_label = kind if kind != "pulp" else type(solver_obj).__name__
    return QuotaTable(
        cells=cells,
        targets=tg,
        rules=rules,
        relaxed=_relaxations(cells, quotas, cities, blocks, tg),
        notes=tuple(notes),
        solver=solver_label,
        structure=st.drop(columns=["r50"], errors="ignore"),
        key_industries=key,
        population=pop,
        sector_targets=sec_t if sector else None,
    )


def _infeasible(conflicts: list[dict[str, Any]]) -> InfeasibleQuotaError:
    lines = [f"{c['city']}: {c['detail']} (rules: {', '.join(c['rules'])})" for c in conflicts]
    head = (
        "no quota table meets the hard rules"
        if len(lines) == 1
        else f"no quota table meets the hard rules in {len(lines)} places"
    )
    return InfeasibleQuotaError(f"{head}:\n" + "\n".join(lines), conflicts)


def _relaxations(
    cells: pd.DataFrame,
    quotas: dict[str, np.ndarray],
    cities: list[City],
    blocks: list[tuple[list[City], Band | None]],
    targets: pd.Series,
) -> pd.DataFrame:
    """Soft rules the solution breaks, measured on the integer quotas."""
    rows = []
    for city in cities:
        q = quotas[city.name]
        n = city.target
        for rid, (sense, limit, soft) in city.share_rules.items():
            if not soft:
                continue
            count = int(q[city.arrays[rid]].sum())
            bound = math.floor(limit * n + _TOL) if sense == "<=" else math.ceil(limit * n - _TOL)
            by = count - bound if sense == "<=" else bound - count
            if by > 0:
                rows.append(
                    {
                        "city": city.name,
                        "rule": rid,
                        "limit": limit,
                        "allowed": bound,
                        "achieved": count,
                        "share": count / n if n else float("nan"),
                        "by": by,
                    }
                )
        if city.key_soft:
            for code, share in city.keys:
                if np.isnan(share):
                    continue
                count = int(q[city.key_mask(code)].sum())
                bound = math.ceil(share * n - _TOL)
                if count < bound:
                    rows.append(
                        {
                            "city": city.name,
                            "rule": f"key_industries ({code})",
                            "limit": share,
                            "allowed": bound,
                            "achieved": count,
                            "share": count / n if n else float("nan"),
                            "by": bound - count,
                        }
                    )
        if city.sector_soft:
            # Measured as quotas.checks does: enterprises off the sector targets, summed.
            off = sum(
                abs(int(q[city.arrays["sector"] == name].sum()) - t)
                for name, t in city.sector_targets.items()
            )
            if off:
                rows.append(
                    {
                        "city": city.name,
                        "rule": "sector_split",
                        "limit": 0,
                        "allowed": 0,
                        "achieved": off,
                        "share": off / n if n else float("nan"),
                        "by": off,
                    }
                )
    for block, band in blocks:
        if band is None or not band.soft:
            continue
        names = [c.name for c in block]
        sub = cells[cells["city"].isin(names)]
        ratio = np.where(
            sub["available"] > 0, sub["enterprises_50_300"] / sub["available"].clip(lower=1), 0.0
        )
        expected = float((sub["quota"] * ratio).sum())
        total = int(targets[names].sum())
        need = band.limit * total
        if need - expected > 1e-6:
            rows.append(
                {
                    "city": band.name,
                    "rule": "band_50_300_min",
                    "limit": band.limit,
                    "allowed": need,
                    "achieved": expected,
                    "share": expected / total if total else float("nan"),
                    "by": need - expected,
                }
            )
    return pd.DataFrame(rows, columns=["city", "rule", "limit", "allowed", "achieved", "share", "by"])
