"""The quota model: the integer program behind :func:`quotas.build_quotas`, as arrays.

:func:`prepare_cities` turns a validated structure into one :class:`City` per target (cells in
canonical order, their ideals and the rules' parameters); :func:`assemble` writes the program of
a block of cities as a :class:`Model` (named columns and rows, a sparse matrix) that the
solvers of :mod:`quotas.solvers` take.

The model, for each city (names are ASCII: ``c007`` is the city at position 7 of the targets,
``C39_medium_so`` the cell industry group C39 x medium x state-owned, ``nso`` non-state-owned;
a cell's industry is an industry group of :mod:`quotas.industry_groups`):

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
* ``c007_pillar_C39`` - each key or pillar industry of the city (a division group, or every
  group of a section) gets at least one enterprise (``pillar_industries``).
* ``c007_key_C39`` - a key industry with a minimum share gets at least ``ceil(min_share x
  target)`` enterprises (``key_industries``; with a slack ``s_c007_key_C39`` when soft).
* ``c007_sector_secondary`` ... - the sector split (Guangdong): the quotas of a sector sum to
  its target. A cell's sector is that of its industry group, exact when the structure has
  industry groups (divisions 05, 11 and 43 are groups of their own).
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
(sections A-T, the section group before its divisions, sizes large to micro, non-state-owned
first), so equally good tables are resolved
the same way on every run.

HiGHS solves the linear relaxation first and the integer program only when a quota comes out
fractional (in a joint province model, only for the cities with a fractional quota, the others
kept at the relaxed optimum, to a relative gap of 1e-4; the result's notes say so).

The ideal of a cell is its share of the open cells (the city's top sections and its key and
pillar industries, without micro when micro enterprises are excluded) times the city target; with
sector targets, its share of the open cells of its sector times the sector target. A cell's
share is ``employment_weight x employment share + (1 - employment_weight) x enterprise share``.
The top sections are ranked by the city's employment in the structure, micro included;
sections tied at the last place all count and a section with no employment never does (as in
:func:`quotas.checks.check_cells`, which :meth:`QuotaTable.check` uses).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from quotas.classify import SIZE_CLASSES
from quotas.industry_groups import group_matches, sector_of_group
from quotas.infeasibility import CityFacts
from quotas.labels import SECTOR_NAMES
from quotas.rules import RuleSet
from quotas.structure import SECTIONS

__all__ = ["SHARE_RULES", "Band", "City", "Columns", "Model", "assemble", "prepare_cities"]

SHARE_RULES: dict[str, str] = {
    "manufacturing_max": "<=",
    "sme_min": ">=",
    "micro_excluded": "<=",
    "state_owned_max": "<=",
    "large_max": "<=",
}
"""Share rules of the model: rule id -> sense of its row."""
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

# --------------------------------------------------------------------------- per-city data


@dataclass
class City:
    """One city's cells (canonical order, as numpy arrays) and its constraints' parameters."""

    name: str
    code: str
    target: int
    # industry_group, section, sector, size_class, state_owned, available, panel, top, ideal[, r50]
    arrays: dict[str, np.ndarray]
    share_rules: dict[str, tuple[str, float, bool]]  # id -> (sense, limit, soft)
    top_k: int | None
    keys: tuple[tuple[str, float], ...]  # key / pillar industries: (group code, min share or NaN)
    sector_targets: dict[str, int]
    sector_soft: bool = False
    key_soft: bool | None = None  # the key_industries rule: None when not in the rule set
    codes: list[str] = field(default_factory=list)

    @property
    def pillars(self) -> tuple[str, ...]:
        """The key and pillar industries' group codes."""
        return tuple(code for code, _ in self.keys)

    def key_mask(self, code: str) -> np.ndarray:
        """The cells a key industry covers."""
        return group_matches(self.arrays["industry_group"], code)

    def __post_init__(self) -> None:
        a = self.arrays
        section, size = a["section"], a["size_class"]
        a["manufacturing_max"] = section == "C"
        a["sme_min"] = (size == "small") | (size == "medium")
        a["micro_excluded"] = size == "micro"
        a["state_owned_max"] = a["state_owned"]
        a["large_max"] = size == "large"
        self.codes = [
            f"{x}_{z}_{'so' if o else 'nso'}" for x, z, o in zip(a["industry_group"], size, a["state_owned"])
        ]

    def facts(self) -> CityFacts:
        names = (
            "industry_group",
            "section",
            "sector",
            "size_class",
            "state_owned",
            "available",
            "panel",
            "top",
        )
        cells = pd.DataFrame({k: self.arrays[k] for k in names})
        return CityFacts(
            self.name,
            self.target,
            cells,
            share_rules={k: (s, lim) for k, (s, lim, soft) in self.share_rules.items() if not soft},
            top_k=self.top_k,
            pillars=self.pillars,
            key_shares={k: v for k, v in self.keys if not np.isnan(v) and self.key_soft is False},
            sector_targets=self.sector_targets,
        )


def _shares(emp: np.ndarray, ent: np.ndarray, w: float) -> np.ndarray:
    """Blend of employment and enterprise shares within a set of cells (zeros if empty)."""
    tot_emp, tot_ent = emp.sum(), ent.sum()
    ent_share = ent / tot_ent if tot_ent > 0 else np.zeros_like(ent, dtype=float)
    # No employment recorded: the employment part falls back on enterprise counts.
    emp_share = emp / tot_emp if tot_emp > 0 else ent_share
    return w * emp_share + (1.0 - w) * ent_share


def prepare_cities(
    st: pd.DataFrame,
    targets: pd.Series,
    rules: RuleSet,
    key_industries: pd.DataFrame,
    sector_targets: pd.DataFrame | None,
    w: float,
) -> list[City]:
    """Sort the cells canonically, mark the open cells and compute the ideals, city by city.

    ``st`` is a validated structure with a ``panel`` column; ``key_industries`` a table checked
    by :func:`quotas.industry_groups.check_key_industries`.
    """
    pos = {c: i for i, c in enumerate(targets.index)}
    group = st["industry_group"].astype(object)
    cells = st.assign(
        _city=st["city"].map(pos),
        _sec=st["section"].map({s: i for i, s in enumerate(SECTIONS)}),
        # The section's own group first, then its divisions in code order.
        _group=group.str.slice(1),
        _size=st["size_class"].map(_SIZE_RANK),
    ).sort_values(["_city", "_sec", "_group", "_size", "state_owned"], kind="mergesort")
    top_k = rules.limit("top_industries") if "top_industries" in rules else None
    keys_by_city: dict[str, list[tuple[str, float]]] = {}
    for city, code, share in key_industries[["city", "industry_group", "min_share"]].itertuples(index=False):
        keys_by_city.setdefault(city, []).append((code, float(share)))
    if top_k is not None:
        # As in quotas.checks: sections tied at the last place all count as top, and a section
        # with no employment is never top. Key and pillar industries are open whatever their rank.
        emp = cells.groupby(["city", "section"], sort=False)["employment"].sum()
        emp = emp[emp > 0]
        rank = emp.groupby(level="city", sort=False).rank(method="min", ascending=False)
        top_pairs = set(rank.index[rank <= top_k])
        top = np.fromiter(
            ((c, x) in top_pairs for c, x in zip(cells["city"], cells["section"])),
            dtype=bool,
            count=len(cells),
        )
        city_of = cells["city"].to_numpy(dtype=object)
        for city, keys in keys_by_city.items():
            here = city_of == city
            for code, _ in keys:
                top |= here & group_matches(cells["industry_group"], code)
        cells["top"] = top
    else:
        cells["top"] = True
    share_rules = {
        rid: (sense, float(rules[rid].limit), rules[rid].kind == "soft")
        for rid, sense in SHARE_RULES.items()
        if rid in rules and rules[rid].limit is not None
    }
    micro_rule = share_rules.get("micro_excluded")
    open_all = cells["top"].to_numpy(dtype=bool).copy()
    if micro_rule is not None and micro_rule[1] == 0:
        open_all &= (cells["size_class"] != "micro").to_numpy()
    cells = cells.drop(columns=["_sec", "_group", "_size"])
    columns = {
        "industry_group": cells["industry_group"].to_numpy(dtype=object),
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
    # the sectors once for every city (per city, the group lookups cost more than the model)
    sector_all = sector_of_group(cells["industry_group"]).map(SECTOR_NAMES).to_numpy(dtype=object)
    columns["sector"] = sector_all
    sector_soft = "sector_split" in rules and rules["sector_split"].kind == "soft"
    key_soft = rules["key_industries"].kind == "soft" if "key_industries" in rules else None
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
            City(
                name,
                f"c{i:03d}",
                n,
                arrays,
                share_rules,
                top_k,
                tuple(keys_by_city.get(name, ())),
                sec_t,
                sector_soft,
                key_soft,
            )
        )
    return out


# --------------------------------------------------------------------------- the model


@dataclass
class Model:
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
class Columns:
    """Where a city's variables sit in a model."""

    q: np.ndarray
    slack: dict[str, int]


def add_city(model: Model, city: City, groups: frozenset[str], objective: bool) -> Columns:
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
        add_deviation(model, tag, [c for c, k in zip(codes, free) if k], q[free], arr["ideal"][free])
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
        for code in city.pillars:
            model.add_row(f"{tag}_pillar_{code}", q[city.key_mask(code)], 1.0, 1.0, np.inf)
    if city.key_soft is not None and (city.key_soft or "key_industries" in groups):
        for code, share in city.keys:
            if np.isnan(share):
                continue
            cols = q[city.key_mask(code)]
            vals = np.ones(len(cols))
            if city.key_soft:
                s = model.add_cols(
                    [f"s_{tag}_key_{code}"], 0.0, np.inf, penalty if objective else 0.0, integer=False
                )
                slack[f"key_{code}"] = int(s[0])
                cols, vals = np.r_[cols, s], np.r_[vals, 1.0]
            model.add_row(f"{tag}_key_{code}", cols, vals, math.ceil(share * n - _TOL), np.inf)
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
    return Columns(q, slack)


def add_deviation(model: Model, tag: str, codes: list[str], q: np.ndarray, ideal: np.ndarray) -> None:
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
class Band:
    """The province-level 50-300 rule over a block of cities."""

    code: str
    name: str
    limit: float
    soft: bool


def assemble(
    block: list[City], groups: frozenset[str], band: Band | None, objective: bool
) -> tuple[Model, list[Columns], int | None]:
    model = Model()
    cols = [add_city(model, city, groups, objective) for city in block]
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
