"""The quota linear program: an integer quota per city x section x size class x ownership cell.

:func:`build_quotas` turns each city's sample size into a quota table that meets the ministry's
rules, or raises :class:`~quotas.exceptions.InfeasibleQuotaError` saying exactly why it cannot.

The model, for each city (names are ASCII: ``c007`` is the city at position 7 of the targets,
``C_medium_so`` the cell section C x medium x state-owned, ``nso`` non-state-owned):

* ``q_c007_C_medium_so`` - integer quota of the cell, between the panel enterprises already
  in the cell (``panel``) and the enterprises in it (``capacity``). Outside the city's top
  sections and pillar sections (``top_industries``) no new enterprise is taken: the quota is
  the panel there, which is kept (the documents keep the existing panel and choose *new*
  units from the top sections); the result's notes count them.
* ``y_c007_C_medium_so``, ``up1_c007_...`` ... ``up6_...``, ``dn1_...`` ... ``dn6_...`` - the
  cell's deviation from its proportional ideal, tied to the quota by the row
  ``c007_dev_C_medium_so``: ``q = floor(ideal) + y + sum(up) - sum(dn)``. ``y`` (at most 1) is the
  step to the integer above the ideal and costs ``1 - 2 x frac(ideal)``; every further unit up
  or down costs 1. Breakpoints are integers, so the linear relaxation of ``|q - ideal|`` over
  integers is exact cell by cell, and the relaxation is usually integral already.
* ``c007_target`` - the quotas sum to the city's target.
* ``c007_manufacturing_max``, ``c007_sme_min``, ``c007_micro_excluded``,
  ``c007_state_owned_max``, ``c007_large_max`` - share rules on the integer counts
  (``count <= floor(limit x target)`` or ``count >= ceil(limit x target)``); a soft rule gets a
  slack ``s_c007_<rule>`` with a penalty per enterprise above twice the target, larger than
  any gain in the deviation objective, so a soft rule is relaxed only when the hard rules leave
  no other way, and by as little as possible.
* ``c007_pillar_C`` - each pillar section gets at least one enterprise.
* ``c007_sector_secondary`` ... - the sector split (Guangdong): the quotas of a sector sum to
  its target.
* ``p00_band_50_300_min`` - the province-level share of 50-300-employee enterprises (Guangdong),
  counted as the expected number under equal-probability selection within each cell
  (quota x enterprises_50_300 / enterprises); it couples the cities of a province, which are
  then solved jointly. Without the rule, cities are solved one by one.

Objective: the sum of absolute deviations from the ideal; plus the soft-rule penalties; plus a
spreading term of at most 1e-3 per enterprise that grows with the relative deviation (segments
``up1``-``up6`` / ``dn1``-``dn6`` at 10%, 20%, 35%, 50%, 75% of the ideal), so a surplus or
deficit forced by a rule is shared among cells roughly in proportion to their ideals instead of
landing on any one cell (the absolute deviation alone is indifferent to where it goes); plus a
tie-break of at most 1e-6 per enterprise that prefers cells earlier in the canonical order
(sections A-T, sizes large to micro, non-state-owned first), so equally good tables are resolved
the same way on every run.

HiGHS solves the linear relaxation first and the integer program only when a quota comes out
fractional (in a joint province model, only for the cities with a fractional quota, the others
kept at the relaxed optimum, to a relative gap of 1e-4; the result's notes say so).

The ideal of a cell is its share of the open cells (the city's top sections and pillar
sections, without micro when micro enterprises are excluded) times the city target; with
sector targets, its share of the open cells of its sector times the sector target. A cell's
share is ``employment_weight x employment share + (1 - employment_weight) x enterprise share``.
The top sections are ranked by the city's employment in the structure, micro included;
sections tied at the last place all count and a section with no employment never does (as in
:func:`quotas.checks.check_cells`, which :meth:`QuotaTable.check` uses).
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse

from quotas.cities import resolve_cities
from quotas.classify import SIZE_CLASSES
from quotas.datasets import national_cities
from quotas.exceptions import InfeasibleQuotaError, QuotaInputError, QuotaSolverError
from quotas.infeasibility import CityFacts, deletion_filter, describe_conflict
from quotas.rules import MOHRSS_2011, RuleSet, get_rules
from quotas.structure import SECTIONS, validate_cells, validate_structure
from quotas.table import QuotaTable
from quotas.tiers import MINIMUM_SCHEMES, tier_minimum

__all__ = ["SOLVERS", "build_quotas"]

SolverName = Literal["highs", "cbc"]
SOLVERS: tuple[str, ...] = ("highs", "cbc")
"""Solver names :func:`build_quotas` accepts (or pass a PuLP solver object)."""

SECTOR_OF_SECTION: dict[str, str] = {
    s: "primary" if s == "A" else "secondary" if s in "BCDE" else "tertiary" for s in SECTIONS
}
"""Sector of a section: A primary, B-E secondary, F-T tertiary (see :func:`build_quotas`)."""

_SHARE_RULES: dict[str, str] = {
    "manufacturing_max": "<=",
    "sme_min": ">=",
    "micro_excluded": "<=",
    "state_owned_max": "<=",
    "large_max": "<=",
}
_TOL = 1e-9
_EPS = 1e-6
# Spreading term: relative deviations |q - ideal| / ideal up to 10%, 20%, 35%, 50%, 75% and
# beyond cost 1e-3 x these slopes per enterprise on top of the absolute deviation (roughly the
# derivative of a chi-square distance), so a surplus or deficit forced by a rule is shared
# among cells in proportion to their ideals instead of landing anywhere.
_SPREAD = 1e-3
_SPREAD_BOUNDS = (0.1, 0.2, 0.35, 0.5, 0.75, np.inf)
_SPREAD_SLOPES = (0.05, 0.15, 0.275, 0.425, 0.625, 1.0)
_SIZE_RANK = {s: i for i, s in enumerate(SIZE_CLASSES)}
# Order in which the deletion filter tries to drop groups: the target and capacity last, so an
# explanation in their terms is preferred when several minimal sets exist.
_GROUP_ORDER = (
    "band_50_300_min",
    "sector_split",
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
        shown = ", ".join(f"{k!r}: {series[k]!r}" for k in series.index[bad][:10])
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
    keys = ["city", "section", "size_class", "state_owned"]
    merged = panel.merge(structure[[*keys, "enterprises"]], on=keys, how="left")
    merged.index = panel.index
    missing = merged["enterprises"].isna() & (merged["panel"] > 0)
    if missing.any():
        shown = ", ".join(
            f"row {i!r}: ({r.city}, {r.section}, {r.size_class}, {'state' if r.state_owned else 'non-state'})"
            for i, r in list(merged[missing].iterrows())[:10]
        )
        raise QuotaInputError(f"existing: panel enterprises in cells the structure does not have: {shown}")
    over = merged["panel"] > merged["enterprises"].fillna(0)
    if over.any():
        shown = ", ".join(
            f"row {i!r}: panel {r.panel} > enterprises {int(r.enterprises)}"
            for i, r in list(merged[over].iterrows())[:10]
        )
        raise QuotaInputError(f"existing: more panel enterprises than enterprises in the cell: {shown}")
    return panel[[*keys, "panel"]]


def _check_pillars(
    pillars: Mapping[str, Sequence[str]] | None, targets: pd.Series
) -> dict[str, tuple[str, ...]]:
    if pillars is None:
        return {}
    if not isinstance(pillars, Mapping):
        raise QuotaInputError(
            f"pillars must be a mapping city -> list of section letters, got {type(pillars).__name__}"
        )
    names = resolve_cities(pd.Series(list(pillars.keys()), dtype=object))
    out: dict[str, tuple[str, ...]] = {}
    for raw, city in zip(pillars.keys(), names):
        if city not in targets.index:
            raise QuotaInputError(f"pillars: city {raw!r} ({city}) has no target")
        value = pillars[raw]
        letters = [value] if isinstance(value, str) else list(value)
        bad = [s for s in letters if not isinstance(s, str) or s.strip().upper() not in SECTIONS]
        if bad:
            raise QuotaInputError(f"pillars of {city}: unknown section(s) {bad}; expected letters A-T")
        out[city] = tuple(sorted({s.strip().upper() for s in letters}))
    return out


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
        where = [(i, c) for i in num.index for c in num.columns if bad.loc[i, c]]
        raise QuotaInputError(f"sector_targets must be non-negative whole numbers; bad at {where[:10]}")
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


# --------------------------------------------------------------------------- per-city data


@dataclass
class _City:
    """One city's cells (canonical order, as numpy arrays) and its constraints' parameters."""

    name: str
    code: str
    target: int
    arrays: dict[str, np.ndarray]  # section, size_class, state_owned, available, panel, top, ideal[, r50]
    share_rules: dict[str, tuple[str, float, bool]]  # id -> (sense, limit, soft)
    top_k: int | None
    pillars: tuple[str, ...]
    sector_targets: dict[str, int]
    sector_soft: bool = False
    codes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        a = self.arrays
        section, size = a["section"], a["size_class"]
        a["sector"] = np.array([SECTOR_OF_SECTION[x] for x in section], dtype=object)
        a["manufacturing_max"] = section == "C"
        a["sme_min"] = (size == "small") | (size == "medium")
        a["micro_excluded"] = size == "micro"
        a["state_owned_max"] = a["state_owned"]
        a["large_max"] = size == "large"
        self.codes = [f"{x}_{z}_{'so' if o else 'nso'}" for x, z, o in zip(section, size, a["state_owned"])]

    def facts(self) -> CityFacts:
        cells = pd.DataFrame(
            {k: self.arrays[k] for k in ("section", "size_class", "state_owned", "available", "panel", "top")}
        )
        return CityFacts(
            self.name,
            self.target,
            cells,
            share_rules={k: (s, lim) for k, (s, lim, soft) in self.share_rules.items() if not soft},
            top_k=self.top_k,
            pillars=self.pillars,
            sector_targets=self.sector_targets,
        )


def _shares(emp: np.ndarray, ent: np.ndarray, w: float) -> np.ndarray:
    """Blend of employment and enterprise shares within a set of cells (zeros if empty)."""
    tot_emp, tot_ent = emp.sum(), ent.sum()
    ent_share = ent / tot_ent if tot_ent > 0 else np.zeros_like(ent, dtype=float)
    # No employment recorded: the employment part falls back on enterprise counts.
    emp_share = emp / tot_emp if tot_emp > 0 else ent_share
    return w * emp_share + (1.0 - w) * ent_share


def _prepare_cities(
    st: pd.DataFrame,
    targets: pd.Series,
    rules: RuleSet,
    pillars: dict[str, tuple[str, ...]],
    sector_targets: pd.DataFrame | None,
    w: float,
) -> list[_City]:
    """Sort the cells canonically, mark the top sections and compute the ideals, city by city."""
    pos = {c: i for i, c in enumerate(targets.index)}
    cells = st.assign(
        _city=st["city"].map(pos),
        _sec=st["section"].map({s: i for i, s in enumerate(SECTIONS)}),
        _size=st["size_class"].map(_SIZE_RANK),
    ).sort_values(["_city", "_sec", "_size", "state_owned"], kind="mergesort")
    top_k = rules.limit("top_industries") if "top_industries" in rules else None
    if top_k is not None:
        # As in quotas.checks: sections tied at the last place all count as top, and a section
        # with no employment is never top.
        emp = cells.groupby(["city", "section"], sort=False)["employment"].sum()
        emp = emp[emp > 0]
        rank = emp.groupby(level="city", sort=False).rank(method="min", ascending=False)
        top_pairs = set(rank.index[rank <= top_k])
        top_pairs |= {(c, x) for c, secs in pillars.items() for x in secs}
        cells["top"] = [(c, x) in top_pairs for c, x in zip(cells["city"], cells["section"])]
    else:
        cells["top"] = True
    share_rules = {
        rid: (sense, float(rules[rid].limit), rules[rid].kind == "soft")
        for rid, sense in _SHARE_RULES.items()
        if rid in rules and rules[rid].limit is not None
    }
    micro_rule = share_rules.get("micro_excluded")
    open_all = cells["top"].to_numpy(dtype=bool).copy()
    if micro_rule is not None and micro_rule[1] == 0:
        open_all &= (cells["size_class"] != "micro").to_numpy()
    cells = cells.drop(columns=["_sec", "_size"])
    columns = {
        "section": cells["section"].to_numpy(dtype=object),
        "size_class": cells["size_class"].to_numpy(dtype=object),
        "state_owned": cells["state_owned"].to_numpy(dtype=bool),
        "available": cells["enterprises"].to_numpy(dtype=float),
        "employment": cells["employment"].to_numpy(dtype=float),
        "panel": cells["panel"].to_numpy(dtype=float),
        "top": cells["top"].to_numpy(dtype=bool),
    }
    if "r50" in cells.columns:
        columns["r50"] = cells["r50"].to_numpy(dtype=float)
    if "enterprises_50_300" in cells.columns:
        columns["enterprises_50_300"] = cells["enterprises_50_300"].to_numpy(dtype=float)
    sector_all = np.array([SECTOR_OF_SECTION[x] for x in columns["section"]], dtype=object)
    sector_soft = "sector_split" in rules and rules["sector_split"].kind == "soft"
    bounds = np.searchsorted(cells["_city"].to_numpy(), np.arange(len(targets) + 1))
    out = []
    for i, name in enumerate(targets.index):
        lo, hi = bounds[i], bounds[i + 1]
        n = int(targets.iloc[i])
        arrays = {k: v[lo:hi] for k, v in columns.items()}
        emp, ent, open_cells = arrays["employment"], arrays["available"], open_all[lo:hi]
        ideal = np.zeros(hi - lo)
        sec_t = {k: int(v) for k, v in sector_targets.loc[name].items()} if sector_targets is not None else {}
        if sec_t:
            sector = sector_all[lo:hi]
            parts = [(sector == x, t) for x, t in sec_t.items()]
            parts.append((~np.isin(sector, list(sec_t)), n - sum(sec_t.values())))
            for mask, t in parts:
                m = mask & open_cells
                ideal[m] = _shares(emp[m], ent[m], w) * t
        else:
            ideal[open_cells] = _shares(emp[open_cells], ent[open_cells], w) * n
        arrays["ideal"] = ideal
        out.append(
            _City(name, f"c{i:03d}", n, arrays, share_rules, top_k, pillars.get(name, ()), sec_t, sector_soft)
        )
    return out


# --------------------------------------------------------------------------- the model


@dataclass
class _Model:
    """A mixed-integer program in arrays, with a name for every column and row."""

    col_names: list[str] = field(default_factory=list)
    col_lo: list[np.ndarray] = field(default_factory=list)
    col_hi: list[np.ndarray] = field(default_factory=list)
    cost: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    coo_r: list[np.ndarray] = field(default_factory=list)
    coo_c: list[np.ndarray] = field(default_factory=list)
    coo_v: list[np.ndarray] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        return len(self.col_names)

    def add_cols(self, names: list[str], lo: Any, hi: Any, cost: Any, integer: bool) -> np.ndarray:
        start = self.n_cols
        k = len(names)
        self.col_names.extend(names)
        self.col_lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (k,)))
        self.col_hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (k,)))
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (k,)))
        self.integer.append(np.full(k, integer))
        return np.arange(start, start + k)

    def add_row(self, name: str, cols: np.ndarray, vals: Any, lo: float, hi: float) -> None:
        r = len(self.row_names)
        cols = np.asarray(cols, dtype=np.int64)
        self.row_names.append(name)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        self.coo_r.append(np.full(len(cols), r, dtype=np.int64))
        self.coo_c.append(cols)
        self.coo_v.append(np.broadcast_to(np.asarray(vals, dtype=float), (len(cols),)))

    def add_rows(
        self, names: list[str], rows_cols: np.ndarray, rows_vals: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> None:
        """Rows with the same number of entries: ``rows_cols[k]`` are the columns of row k."""
        r0 = len(self.row_names)
        k, width = rows_cols.shape
        self.row_names.extend(names)
        self.row_lo.extend(np.asarray(lo, dtype=float).tolist())
        self.row_hi.extend(np.asarray(hi, dtype=float).tolist())
        self.coo_r.append(np.repeat(np.arange(r0, r0 + k), width))
        self.coo_c.append(rows_cols.ravel())
        self.coo_v.append(rows_vals.ravel())

    def arrays(self) -> dict[str, Any]:
        cat = lambda parts, dt=float: np.concatenate(parts) if parts else np.zeros(0, dtype=dt)  # noqa: E731
        matrix = sparse.csc_matrix(
            (cat(self.coo_v), (cat(self.coo_r, np.int64), cat(self.coo_c, np.int64))),
            shape=(len(self.row_names), self.n_cols),
        )
        return {
            "lo": cat(self.col_lo),
            "hi": cat(self.col_hi),
            "cost": cat(self.cost),
            "integer": cat(self.integer, bool),
            "row_lo": np.asarray(self.row_lo, dtype=float),
            "row_hi": np.asarray(self.row_hi, dtype=float),
            "matrix": matrix,
        }


@dataclass
class _Columns:
    """Where a city's variables sit in a model."""

    q: np.ndarray
    slack: dict[str, int]


def _add_city(model: _Model, city: _City, groups: frozenset[str], objective: bool) -> _Columns:
    arr = city.arrays
    m = len(city.codes)
    tag = city.code
    codes = city.codes
    hi = arr["available"].copy() if "capacity" in groups else np.full(m, np.inf)
    if "top_industries" in groups and city.top_k is not None:
        # New enterprises only from the top sections; panel enterprises elsewhere are kept.
        hi[~arr["top"]] = arr["panel"][~arr["top"]] if "panel" in groups else 0.0
    lo = arr["panel"] if "panel" in groups else np.zeros(m)
    tie = _EPS * (np.arange(m) + 1) / m if objective else 0.0
    q = model.add_cols([f"q_{tag}_{c}" for c in codes], lo, hi, tie, integer=True)
    slack: dict[str, int] = {}
    n = city.target
    if objective:
        # A cell held at 0 (no enterprises, or outside the top sections) has a constant
        # deviation: it needs no deviation columns.
        free = hi > 0
        _add_deviation(model, tag, [c for c, k in zip(codes, free) if k], q[free], arr["ideal"][free])
    if "target" in groups:
        model.add_row(f"{tag}_target", q, 1.0, n, n)
    penalty = 2.0 * n + 2.0
    for rid, (sense, limit, soft) in city.share_rules.items():
        if not soft and rid not in groups:
            continue
        mask = arr[rid]
        cols, vals = q[mask], np.ones(int(mask.sum()))
        if soft:
            s = model.add_cols([f"s_{tag}_{rid}"], 0.0, np.inf, penalty if objective else 0.0, integer=False)
            slack[rid] = int(s[0])
            cols = np.r_[cols, s]
            vals = np.r_[vals, -1.0 if sense == "<=" else 1.0]
        if sense == "<=":
            model.add_row(f"{tag}_{rid}", cols, vals, -np.inf, math.floor(limit * n + _TOL))
        else:
            model.add_row(f"{tag}_{rid}", cols, vals, math.ceil(limit * n - _TOL), np.inf)
    if "pillar_industries" in groups:
        for sec in city.pillars:
            model.add_row(f"{tag}_pillar_{sec}", q[arr["section"] == sec], 1.0, 1.0, np.inf)
    if city.sector_targets and (city.sector_soft or "sector_split" in groups):
        for name, t in city.sector_targets.items():
            cols = q[arr["sector"] == name]
            vals = np.ones(len(cols))
            if city.sector_soft:
                # Soft split: enterprises over and under the sector's target, each penalised
                # like a soft share rule, so the split holds whenever the cells allow it.
                s = model.add_cols(
                    [f"s_{tag}_sector_{name}_over", f"s_{tag}_sector_{name}_under"],
                    0.0,
                    np.inf,
                    penalty if objective else 0.0,
                    integer=False,
                )
                cols, vals = np.r_[cols, s], np.r_[vals, -1.0, 1.0]
            model.add_row(f"{tag}_sector_{name}", cols, vals, t, t)
    return _Columns(q, slack)


def _add_deviation(model: _Model, tag: str, codes: list[str], q: np.ndarray, ideal: np.ndarray) -> None:
    """|q - ideal| over integers, plus the spreading term, as a sum of bounded segments.

    ``q = f + y + sum(up_k) - sum(dn_k)`` with ``f = floor(ideal)``: ``y`` in [0, 1] costs
    ``1 - 2 frac`` (the step from f to f + 1, the cost at f being the constant ``frac``), each
    further unit up or down costs 1 plus ``_SPREAD x`` a slope that grows with the relative
    deviation. Breakpoints are integers, so the linear relaxation is exact cell by cell.
    """
    m = len(codes)
    f = np.floor(ideal + _TOL)
    frac = np.clip(ideal - f, 0.0, 1.0)
    # The step to f + 1 moves 1 - frac away from the ideal: it shares the first spreading slope.
    y_cost = 1.0 - 2.0 * frac + _SPREAD * _SPREAD_SLOPES[0] * (1.0 - frac)
    y = model.add_cols([f"y_{tag}_{c}" for c in codes], 0.0, 1.0, y_cost, integer=False)
    ups, downs = [], []
    room_down = f.copy()
    lower = 0.0
    for k, (upper, slope) in enumerate(zip(_SPREAD_BOUNDS, _SPREAD_SLOPES), start=1):
        length = (
            np.maximum(1.0, np.round((upper - lower) * ideal)) if np.isfinite(upper) else np.full(m, np.inf)
        )
        lower = upper
        cost = 1.0 + _SPREAD * slope
        ups.append(model.add_cols([f"up{k}_{tag}_{c}" for c in codes], 0.0, length, cost, integer=False))
        down = np.minimum(length, room_down)
        room_down = room_down - down
        downs.append(model.add_cols([f"dn{k}_{tag}_{c}" for c in codes], 0.0, down, cost, integer=False))
    cols = np.column_stack([q, y, *ups, *downs])
    vals = np.column_stack([np.ones(m), -np.ones(m), *[-np.ones(m)] * len(ups), *[np.ones(m)] * len(downs)])
    model.add_rows([f"{tag}_dev_{c}" for c in codes], cols, vals, f, f)


@dataclass
class _Band:
    """The province-level 50-300 rule over a block of cities."""

    code: str
    name: str
    limit: float
    soft: bool


def _assemble(
    block: list[_City], groups: frozenset[str], band: _Band | None, objective: bool
) -> tuple[_Model, list[_Columns], int | None]:
    model = _Model()
    cols = [_add_city(model, city, groups, objective) for city in block]
    band_slack = None
    if band is not None and (band.soft or "band_50_300_min" in groups):
        total = sum(c.target for c in block)
        q = np.concatenate([c.q for c in cols])
        r = np.concatenate([c.arrays["r50"] for c in block])
        if band.soft:
            s = model.add_cols(
                [f"s_{band.code}_band_50_300_min"],
                0.0,
                np.inf,
                (2.0 * total + 2.0) if objective else 0.0,
                integer=False,
            )
            band_slack = int(s[0])
            q, r = np.r_[q, s], np.r_[r, 1.0]
        model.add_row(f"{band.code}_band_50_300_min", q, r, band.limit * total, np.inf)
    return model, cols, band_slack


# --------------------------------------------------------------------------- solvers


def _highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:  # pragma: no cover - highspy is a dependency
        return False
    return True


def _check_solver(solver: Any) -> tuple[str, Any]:
    if solver is None:
        return ("highs", None) if _highs_available() else ("cbc", None)
    if isinstance(solver, str):
        key = solver.strip().lower()
        if key not in SOLVERS:
            raise QuotaInputError(
                f"unknown solver {solver!r}; valid: {list(SOLVERS)} or a PuLP solver object"
            )
        if key == "highs" and not _highs_available():  # pragma: no cover
            raise QuotaInputError("solver 'highs' needs the highspy package; use solver='cbc'")
        return key, None
    import pulp

    if not isinstance(solver, pulp.LpSolver):
        raise QuotaInputError(
            f"solver must be one of {list(SOLVERS)} or a PuLP solver object, got {solver!r}"
        )
    return "pulp", solver


@cache
def _absorb_highs_banner() -> None:
    """HiGHS prints a copyright banner on stdout when a process makes its first instance, before
    any option can silence it; make that first instance with stdout pointed at the null device."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _solve_highs(model: _Model, blocks: list[np.ndarray] | None = None) -> tuple[str, np.ndarray | None]:
    """Solve with HiGHS: the linear relaxation first, the MIP only if a quota is fractional.

    The deviation columns make the relaxation exact cell by cell, so it is usually integral;
    an integral optimum of the relaxation is an optimum of the integer program. In a joint
    model (``blocks``: the quota columns of each city), only the cities with a fractional quota
    are re-solved as integers, the others kept at their relaxed optimum (status
    ``"optimal-restricted"``): the full joint MIP is too slow to prove optimal.
    """
    import highspy

    a = model.arrays()
    _absorb_highs_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    h.setOptionValue("time_limit", 60.0)
    lp = highspy.HighsLp()
    lp.num_col_ = model.n_cols
    lp.num_row_ = len(model.row_names)
    lp.col_cost_ = a["cost"]
    lp.col_lower_ = a["lo"]
    lp.col_upper_ = a["hi"]
    lp.row_lower_ = a["row_lo"]
    lp.row_upper_ = a["row_hi"]
    mat = a["matrix"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mat.indptr
    lp.a_matrix_.index_ = mat.indices
    lp.a_matrix_.value_ = mat.data
    lp.col_names_ = model.col_names
    lp.row_names_ = model.row_names
    h.passModel(lp)
    # These small LPs solve several times faster without presolve.
    h.setOptionValue("presolve", "off")
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kModelEmpty:
        return "optimal", np.zeros(0)
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", None
    if status != highspy.HighsModelStatus.kOptimal:
        return h.modelStatusToString(status), None
    x = np.asarray(h.getSolution().col_value, dtype=float)
    integer = np.flatnonzero(a["integer"])
    if np.abs(x[integer] - np.round(x[integer])).max(initial=0.0) <= 1e-9:
        return "optimal", x
    label = "optimal"
    if blocks is not None and len(blocks) > 1:
        fractional = [np.abs(x[b] - np.round(x[b])).max(initial=0.0) > 1e-9 for b in blocks]
        for cols, frac in zip(blocks, fractional):
            if not frac:
                for j in cols:
                    h.changeColBounds(int(j), float(np.round(x[j])), float(np.round(x[j])))
        integer = np.concatenate([b for b, frac in zip(blocks, fractional) if frac])
        label = "optimal-restricted"
        # The band row's fractional coefficients make a knapsack: proving the last 1e-4 of
        # the objective takes minutes, for differences far below one enterprise.
        h.setOptionValue("mip_rel_gap", 1e-4)
    for j in integer:
        h.changeColIntegrality(int(j), highspy.HighsVarType.kInteger)
    h.setOptionValue("presolve", "choose")
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return label, np.asarray(h.getSolution().col_value, dtype=float)
    if status == highspy.HighsModelStatus.kInfeasible and label == "optimal":
        return "infeasible", None
    return h.modelStatusToString(status), None


def _to_pulp(model: _Model, name: str) -> tuple[Any, list[Any]]:
    import pulp

    a = model.arrays()
    prob = pulp.LpProblem(name, pulp.LpMinimize)
    # PuLP 3 attaches variables to the problem (prob.add_variable); older PuLP builds them alone.
    make = getattr(prob, "add_variable", pulp.LpVariable)
    variables = [
        make(
            nm,
            None if not np.isfinite(lo) else float(lo),
            None if not np.isfinite(hi) else float(hi),
            cat=pulp.LpInteger if integer else pulp.LpContinuous,
        )
        for nm, lo, hi, integer in zip(model.col_names, a["lo"], a["hi"], a["integer"])
    ]
    prob += pulp.lpSum(c * v for c, v in zip(a["cost"], variables) if c != 0.0)
    csr = a["matrix"].tocsr()
    for r, nm in enumerate(model.row_names):
        start, end = csr.indptr[r], csr.indptr[r + 1]
        expr = pulp.lpSum(csr.data[k] * variables[csr.indices[k]] for k in range(start, end))
        lo, hi = a["row_lo"][r], a["row_hi"][r]
        if lo == hi:
            prob += expr == lo, nm
        elif np.isfinite(lo):
            prob += expr >= lo, nm
        else:
            prob += expr <= hi, nm
    return prob, variables


def _solve_pulp(model: _Model, solver: Any) -> tuple[str, np.ndarray | None]:
    import pulp

    prob, variables = _to_pulp(model, "quotas")
    status = prob.solve(solver)
    label = pulp.LpStatus[status]
    if label == "Optimal":
        return "optimal", np.array([v.varValue or 0.0 for v in variables], dtype=float)
    if label == "Infeasible":
        return "infeasible", None
    return label, None


def _solve(
    model: _Model, kind: str, solver: Any, blocks: list[np.ndarray] | None = None
) -> tuple[str, np.ndarray | None]:
    if kind == "highs":
        return _solve_highs(model, blocks)
    if kind == "cbc":
        import pulp

        if pulp.COIN_CMD(msg=False).available():
            cbc = pulp.COIN_CMD(msg=False, timeLimit=120)
        else:
            # The CBC binary bundled with PuLP: deprecated in PuLP 3 (removed in 4.0) but, without
            # a system CBC, the only one there is.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                cbc = pulp.PULP_CBC_CMD(msg=False, timeLimit=120)
        return _solve_pulp(model, cbc)
    return _solve_pulp(model, solver)


# --------------------------------------------------------------------------- solving a block


@dataclass
class _Outcome:
    quotas: dict[str, np.ndarray] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _groups_of(block: list[_City], band: _Band | None, rules: RuleSet, sector: bool) -> list[str]:
    present = {"target", "capacity", "panel"}
    if "top_industries" in rules:
        present.add("top_industries")
    if "pillar_industries" in rules and any(c.pillars for c in block):
        present.add("pillar_industries")
    if sector and not any(c.sector_soft for c in block):
        present.add("sector_split")
    for city in block:
        present.update(rid for rid, (_, _, soft) in city.share_rules.items() if not soft)
    if band is not None and not band.soft:
        present.add("band_50_300_min")
    return [g for g in _GROUP_ORDER if g in present]


def _solve_block(
    block: list[_City], band: _Band | None, rules: RuleSet, sector: bool, kind: str, solver: Any
) -> _Outcome:
    groups = _groups_of(block, band, rules, sector)
    model, cols, band_slack = _assemble(block, frozenset(groups), band, objective=True)
    status, x = _solve(model, kind, solver, [c.q for c in cols])
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


def _explain(city: _City, rules: RuleSet, sector: bool, kind: str, solver: Any) -> list[dict[str, Any]]:
    groups = _groups_of([city], None, rules, sector)

    def feasible(subset: frozenset[str]) -> bool:
        model, _, _ = _assemble([city], subset, None, objective=False)
        return _solve(model, kind, solver)[0] == "optimal"

    if feasible(frozenset(groups)):
        return []
    conflict = deletion_filter(groups, feasible)
    return [{"city": city.name, "rules": conflict, "detail": describe_conflict(city.facts(), conflict)}]


def _explain_band(
    block: list[_City], band: _Band, rules: RuleSet, sector: bool, kind: str, solver: Any
) -> dict[str, Any]:
    groups = _groups_of(block, band, rules, sector)

    def feasible(subset: frozenset[str]) -> bool:
        model, _, _ = _assemble(block, subset, band, objective=False)
        return _solve(model, kind, solver)[0] == "optimal"

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
    pillars: Mapping[str, Sequence[str]] | None = None,
    sector_targets: pd.DataFrame | None = None,
    population: pd.Series | None = None,
    employment_weight: float = 1.0,
    solver: SolverName | Any | None = None,
) -> QuotaTable:
    """Integer quotas per city x section x size class x ownership that meet the ministry's rules.

    Parameters
    ----------
    structure : DataFrame
        Population per cell: ``city, section, size_class, state_owned, enterprises,
        employment`` (see :func:`quotas.structure.validate_structure`); optional
        ``enterprises_50_300`` (for ``band_50_300_min``) and ``panel``.
    targets : Series or CityAllocation
        Sample size per city (any city alias). Every structure city needs one.
    rules : RuleSet or str, default MOHRSS_2011
        The rules (a preset name such as ``"guangdong-2013"`` is accepted).
    existing : DataFrame, optional
        The panel: ``city, section, size_class, state_owned, panel`` (enterprises already
        monitored). Each cell's quota is at least its panel, so the panel is kept. Without it,
        a ``panel`` column of the structure is used, if any.
    pillars : mapping, optional
        City -> pillar section letters. Pillar sections may receive a quota besides the
        city's top sections, and under ``pillar_industries`` each gets at least one.
    sector_targets : DataFrame, optional
        City x {secondary, tertiary} (optionally primary), e.g. from ``allocation.split``;
        applied under ``sector_split``. A cell's sector is that of its section: A primary,
        B-E secondary, F-T tertiary. 三次产业划分规定 counts divisions 05, 11 and 43 as
        tertiary, but a section-level structure cannot separate them. A hard
        ``sector_split`` makes each sector's total equal its target; a soft one (the
        ``GUANGDONG_2013`` preset) penalises every enterprise off target like a soft share rule
        and lists any deviation in ``relaxed`` (``by``: enterprises off target, summed).
    population : Series, optional
        Population per city for ``min_count``; taken from
        :func:`quotas.datasets.national_cities` when omitted (municipalities by their kind).
    employment_weight : float, default 1.0
        Weight of employment against enterprise counts in a cell's share of its city.
    solver : {"highs", "cbc"} or pulp.LpSolver, optional
        HiGHS through highspy (default; CBC when highspy is missing), CBC through PuLP, or
        any PuLP solver object. The same named model goes to each.

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
        For bad structure, targets, panel, pillars, sector targets or solver name.

    Notes
    -----
    The model and the names of its variables and constraints are described in
    :mod:`quotas.build`. Integer quotas sum exactly to each target (a hard constraint); among
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
    kind, solver_obj = _check_solver(solver)
    notes: list[str] = []
    keys = ["city", "section", "size_class", "state_owned"]
    if existing is not None:
        panel = _check_existing(existing, st)
        st = st.drop(columns=["panel"], errors="ignore").merge(panel, on=keys, how="left")
        st["panel"] = st["panel"].fillna(0).astype(np.int64)
        notes.append("panel: from existing")
    elif "panel" in st.columns:
        notes.append("panel: from the structure's panel column")
    else:
        st["panel"] = 0
    pil = _check_pillars(pillars, tg)
    if "pillar_industries" not in rules and pil:
        notes.append(
            "pillars widen the eligible sections; pillar_industries is not in the rule set, so none is forced"
        )

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

    cities = _prepare_cities(st, tg, rules, pil, sec_t, w)

    blocks: list[tuple[list[_City], _Band | None]]
    if band is not None:
        province = national_cities().set_index("city")["province"]
        provinces = list(dict.fromkeys(province[c.name] for c in cities))
        blocks = [
            (
                [c for c in cities if province[c.name] == p],
                _Band(f"p{j:02d}", p, float(band.limit), band.kind == "soft"),
            )
            for j, p in enumerate(provinces)
        ]
        notes.append("band_50_300_min: cities solved jointly per province")
    else:
        blocks = [([c], None) for c in cities]

    def run(item: tuple[list[_City], _Band | None]) -> _Outcome:
        return _solve_block(item[0], item[1], rules, sector, kind, solver_obj)

    outcomes = [run(b) for b in blocks]
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
        pillars=pil,
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
    cities: list[_City],
    blocks: list[tuple[list[_City], _Band | None]],
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
