"""The national subset of a provincial sample (两网合并): who also reports to the ministry.

Guangdong 2013: "在10000家企业中，重点选择部分企业(约1000家，目前已开展641家)开展月度失业动态监测工作"
- of the 10,000 monitored enterprises, about 1,000 (641 already) also report monthly to the
national unemployment dynamic monitoring, which runs in the national monitoring cities under the
ministry's rules (人社部函〔2011〕308号). :func:`national_subset` marks them:

1. the enterprises already reporting nationally are kept (they count toward the target);
2. the target is shared among the monitoring cities in proportion to each city's part of the
   sample, each city at least the ministry's minimum (and its existing national enterprises), at
   most what the sample has there (:func:`allocation.apportion` with bounds);
3. within a city the enterprises to add are shared among the quota cells (city, section or
   industry group, size class, ownership: :func:`sampling.cells.cell_keys`) in proportion to the sample's enterprises in each cell, a cell's existing
   national enterprises as its floor, so the subset keeps the sample's composition; where that
   split would break a share rule of the national programme (manufacturing at most 40%,
   state-owned at most 1/3, small + medium at least 60%, no micro: the limits of ``rules``),
   the split closest to it that keeps them is taken instead (fewest enterprises moved between
   cells, an integer program solved by HiGHS); within a cell the enterprises with the smallest
   permanent random numbers are taken (the selection's own order, so the choice is
   reproducible and coordinated with the draw);
4. the subset is audited per city under the national rules (default
   :data:`quotas.rules.MOHRSS_2011`) through :func:`sampling.audit`.

Where the numbers cannot all hold (a target below what the minimums and the existing
enterprises need, a city whose sample is below its minimum, a target above the sample), the
closest subset is built and :attr:`NationalSubset.problems` says which and by how much; so
does a share rule that the existing enterprises and the sample's cells leave no way to keep.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from allocation.apportion import apportion
from basis.results import Result
from quotas.cities import resolve_cities
from quotas.rules import MOHRSS_2011, RuleSet, get_rules
from quotas.tiers import tier_minimum
from sampling.auditing import AuditReport, audit
from sampling.cells import CELL_KEYS as KEYS
from sampling.cells import cell_keys
from sampling.exceptions import SampleError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["NATIONAL_COLUMN", "NationalSubset", "national_subset"]

NATIONAL_COLUMN = "national"
"""The flag column: True for an enterprise that also reports to the national monitoring."""

CITY_COLUMNS = ["city", "minimum", "available", "existing", "target", "added", "national", "shortfall"]


@dataclass(frozen=True, eq=False, repr=False)
class NationalSubset(Result):
    """The enterprises of a sample that also report to the national monitoring.

    Attributes
    ----------
    table : DataFrame
        The sample's monitored enterprises (roles panel and new) with ``national`` (bool) and
        ``national_role`` (``"existing"``, ``"added"`` or ``""``).
    cities : DataFrame
        One row per monitoring city: ``city, minimum, available`` (the sample's enterprises
        there), ``existing``, ``target``, ``added``, ``national`` (existing + added) and
        ``shortfall`` (how far ``national`` is below ``minimum``).
    target : int
        The target asked for.
    report : AuditReport
        The national rules checked on the subset, per city.
    problems : tuple of str
        Each number that could not hold, and by how much.
    """

    table: pd.DataFrame
    cities: pd.DataFrame
    target: int
    report: AuditReport
    problems: tuple[str, ...]

    @property
    def n_national(self) -> int:
        """Enterprises in the subset."""
        return int(self.table[NATIONAL_COLUMN].sum())

    def headline(self) -> str:
        """One line: size against the target, cities, existing and added, the audit."""
        c = self.cities
        return (
            f"{self.n_national:,} national enterprises (target {self.target:,}) in {len(c)} cities: "
            f"{int(c['existing'].sum()):,} existing + {int(c['added'].sum()):,} added; audit "
            f"{'passed' if self.report.passed else 'FAILED'}"
            + (f"; {len(self.problems)} numbers cannot hold" if self.problems else "")
        )

    def to_frame(self) -> pd.DataFrame:
        """The subset's enterprises: the sample's columns with ``national`` and ``national_role``."""
        return self.table[self.table[NATIONAL_COLUMN]].reset_index(drop=True)

    def summary(self) -> str:
        """The headline, what cannot hold, the per-city table and the audit's failures."""
        lines = [f"National subset (两网合并): {self.headline()}"]
        lines += [f"cannot hold: {p}" for p in self.problems]
        lines.append(self.cities.to_string(index=False))
        flagged = self.report.to_frame().query("status in ['fail', 'warn']")
        for row in flagged.itertuples(index=False):
            lines.append(f"  {row.status} {row.city} {row.rule}: {row.observed:g} (limit {row.limit})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        problems = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        head = f"<p><b>{html.escape(self.headline())}</b></p>"
        return (
            "<div>"
            + head
            + (f"<p>Cannot hold:</p><ul>{problems}</ul>" if problems else "")
            + self.cities.to_html(index=False)
            + self.report._repr_html_()
            + "</div>"
        )

    def flag(self, sample: Any) -> Any:
        """The sample (a ``Sample`` or a DataFrame) with the ``national`` column added.

        Rows not in the subset (other enterprises, reserves, removed) get False.
        """
        ids = set(self.to_frame()["enterprise_id"])
        if isinstance(sample, pd.DataFrame):
            return sample.assign(**{NATIONAL_COLUMN: sample["enterprise_id"].isin(ids).to_numpy()})
        from dataclasses import replace as dc_replace

        table = sample.table.assign(**{NATIONAL_COLUMN: sample.table["enterprise_id"].isin(ids).to_numpy()})
        return dc_replace(sample, table=table)

    def to_excel(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> None:
        """Sheets 国家监测企业 (the subset), 分市 (per city, with what cannot hold) and 审核 (audit)."""
        from basis.xlsx import Workbook

        book = Workbook()
        book.add_sheet("国家监测企业").append_frame(self.to_frame())
        cities = book.add_sheet("分市")
        cities.append_frame(self.cities)
        cities.append()  # a blank row, then the notes under the table
        cities.append_frame(pd.DataFrame({"说明 notes": [self.headline(), *self.problems]}))
        book.add_sheet("审核").append_frame(self.report.to_frame())
        book.save(path, overwrite=overwrite)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Existing and added national enterprises per city, with the minimum marked.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure if omitted.

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        from quotas.plotting import cjk_font

        c = self.cities
        with cjk_font():
            if ax is None:
                _, ax = plt.subplots(figsize=(max(4.0, 0.8 * len(c)), 4.0))
            x = np.arange(len(c))
            ax.bar(x, c["existing"], color="tab:gray", label="已在国家监测")
            ax.bar(x, c["added"], bottom=c["existing"], color="tab:blue", label="新增")
            ax.scatter(x, c["minimum"], color="tab:red", marker="_", s=300, zorder=3, label="最低数")
            ax.set_xticks(x, [str(v) for v in c["city"]])
            ax.set_ylabel("企业数(户)")
            ax.set_title(f"国家监测企业(两网合并): {self.n_national:,} 户, 目标 {self.target:,} 户")
            ax.legend()
        return ax


def _monitored(sample: Any) -> pd.DataFrame:
    if hasattr(sample, "cells") and hasattr(sample, "to_frame") and not isinstance(sample, pd.DataFrame):
        sample = sample.to_frame()
    if not isinstance(sample, pd.DataFrame):
        raise SampleError(f"sample must be a Sample or a DataFrame, got {type(sample).__name__}")
    missing = [c for c in ("enterprise_id", *KEYS, "prn") if c not in sample.columns]
    if missing:
        raise SampleError(
            f"sample lacks columns {missing}: the subset is chosen by cell and permanent random number "
            "(use the Sample of sampling.select)"
        )
    table = sample
    if "role" in table.columns:
        table = table[table["role"].isin(["panel", "new"])]
    table = table.reset_index(drop=True).copy()
    if table["enterprise_id"].duplicated().any():
        raise SampleError(
            f"enterprises listed twice: {table.loc[table['enterprise_id'].duplicated(), 'enterprise_id'].tolist()[:10]}"
        )
    prn = pd.to_numeric(table["prn"], errors="coerce")
    if prn.isna().any():
        raise SampleError(
            f"prn missing or not a number for {table.loc[prn.isna(), 'enterprise_id'].tolist()[:10]}"
        )
    table["prn"] = prn.to_numpy(dtype=np.float64)
    return table


def _existing(table: pd.DataFrame, existing: str | Iterable[Any] | None) -> np.ndarray:
    if existing is None:
        return np.zeros(len(table), dtype=bool)
    if isinstance(existing, str):
        if existing not in table.columns:
            raise SampleError(
                f"existing names column {existing!r}, which the sample lacks; give the ids of the "
                "enterprises already reporting nationally, or None"
            )
        values = table[existing]
        if values.isna().any() or not values.isin([True, False, 0, 1]).all():
            bad = table.loc[values.isna() | ~values.isin([True, False, 0, 1]), "enterprise_id"].tolist()
            raise SampleError(f"column {existing!r} must be True/False; not for {bad[:10]}")
        return values.astype(bool).to_numpy()
    ids = pd.Index(list(existing)).astype(str)
    unknown = ids.difference(pd.Index(table["enterprise_id"].astype(str)))
    if len(unknown):
        raise SampleError(
            f"{len(unknown)} existing national enterprises are not monitored in the sample: {unknown.tolist()[:10]}"
        )
    return table["enterprise_id"].astype(str).isin(ids).to_numpy()


def _minimum(
    minimum: int | pd.Series | str,
    cities: pd.Index,
    city_population: pd.Series | None,
    municipality: pd.Series | None,
) -> pd.Series:
    if isinstance(minimum, str):
        if city_population is None:
            raise SampleError(f"minimum {minimum!r} is by population tier: give city_population")
        pop = city_population.copy()
        pop.index = resolve_cities(pd.Series(pop.index)).to_numpy()
        missing = cities.difference(pop.index)
        if len(missing):
            raise SampleError(f"city_population has no value for monitoring cities {missing.tolist()}")
        return tier_minimum(pop[cities], scheme=minimum, municipality=municipality)  # type: ignore[arg-type]
    if isinstance(minimum, pd.Series):
        out = minimum.copy()
        out.index = resolve_cities(pd.Series(out.index)).to_numpy()
        missing = cities.difference(out.index)
        if len(missing):
            raise SampleError(f"minimum has no value for monitoring cities {missing.tolist()}")
        return out[cities].astype(np.int64)
    if isinstance(minimum, bool) or not isinstance(minimum, (int, np.integer)) or minimum < 0:
        raise SampleError(
            f"minimum must be a tier scheme name, a whole number >= 0 or a Series, got {minimum!r}"
        )
    return pd.Series(int(minimum), index=cities, dtype=np.int64)


def _city_targets(available: pd.Series, lower: pd.Series, total: int, problems: list[str]) -> pd.Series:
    """The target shared among cities by their part of the sample, within [lower, available]."""
    low = np.minimum(lower, available)
    if total < low.sum():
        problems.append(
            f"target {total:,} (after the existing enterprises outside the monitoring cities) is "
            f"below what the minimums and existing enterprises need, {int(low.sum()):,}: "
            f"{int(low.sum()) - total:,} over the target"
        )
        return low.astype(np.int64)
    if total > available.sum():
        problems.append(
            f"target {total:,} is above the {int(available.sum()):,} sample enterprises of the "
            f"monitoring cities: {total - int(available.sum()):,} short"
        )
        return available.astype(np.int64)
    return apportion(available.astype(float), total, lower=low, upper=available)


# Composition rules of the national programme a subset's cells can honour: rule id, the cells
# it counts, and whether its limit is a maximum or a minimum share.
_SHARE_RULES: tuple[tuple[str, str, str], ...] = (
    ("manufacturing_max", "section C (制造业)", "max"),
    ("state_owned_max", "state-owned (国有)", "max"),
    ("sme_min", "small + medium (中小型)", "min"),
    ("micro_excluded", "micro (微型)", "max"),
)


def _rule_cells(cells: pd.DataFrame, rule_id: str) -> np.ndarray:
    if rule_id == "manufacturing_max":
        return (cells["section"] == "C").to_numpy()
    if rule_id == "state_owned_max":
        return cells["state_owned"].astype(str).isin(["True", "1", "true"]).to_numpy()
    if rule_id == "sme_min":
        return cells["size_class"].isin(["small", "medium"]).to_numpy()
    return (cells["size_class"] == "micro").to_numpy()


def _share_limits(cells: pd.DataFrame, rules: RuleSet, n: int) -> list[tuple[str, str, str, np.ndarray, int]]:
    """(rule id, what, max/min, cells counted, bound in enterprises) of the rules that apply."""
    out = []
    for rule_id, what, kind in _SHARE_RULES:
        rule = rules.get(rule_id)
        if rule is None or not isinstance(rule.limit, (int, float)):
            continue
        bound = n * float(rule.limit)
        limit = int(np.floor(bound + 1e-9)) if kind == "max" else int(np.ceil(bound - 1e-9))
        out.append((rule_id, what, kind, _rule_cells(cells, rule_id), limit))
    return out


def _split_cells(
    proportional: np.ndarray,
    floor: np.ndarray,
    counts: np.ndarray,
    limits: list[tuple[str, str, str, np.ndarray, int]],
) -> tuple[np.ndarray, list[tuple[str, str, str, int, int]]]:
    """The proportional split where it keeps the share rules; otherwise the split closest to it
    (fewest enterprises moved between cells) that keeps them, a rule that cannot hold exceeded
    by as few enterprises as the floors allow. Returns the split and the rules still broken."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    def broken(x: np.ndarray) -> list[tuple[str, str, str, int, int]]:
        out = []
        for rule_id, what, kind, mask, limit in limits:
            got = int(x[mask].sum())
            if (kind == "max" and got > limit) or (kind == "min" and got < limit):
                out.append((rule_id, what, kind, got, limit))
        return out

    if not broken(proportional):
        return proportional, []
    m, r = len(counts), len(limits)
    # variables: x (m), over p (m), under q (m), slack s (r); x - p + q = proportional
    n_var = 3 * m + r
    cost = np.concatenate([np.zeros(m), np.ones(2 * m), np.full(r, 1000.0)])
    rows, lo, hi = [], [], []
    eye = np.eye(m)
    for i in range(m):
        row = np.zeros(n_var)
        row[:m], row[m : 2 * m], row[2 * m : 3 * m] = eye[i], -eye[i], eye[i]
        rows.append(row)
        lo.append(proportional[i])
        hi.append(proportional[i])
    total = np.zeros(n_var)
    total[:m] = 1
    rows.append(total)
    lo.append(proportional.sum())
    hi.append(proportional.sum())
    for k, (_, _, kind, mask, limit) in enumerate(limits):
        row = np.zeros(n_var)
        row[:m] = mask
        if kind == "max":
            row[3 * m + k] = -1
            rows.append(row)
            lo.append(-np.inf)
            hi.append(limit)
        else:
            row[3 * m + k] = 1
            rows.append(row)
            lo.append(limit)
            hi.append(np.inf)
    lower = np.concatenate([floor, np.zeros(2 * m + r)])
    upper = np.concatenate([counts, np.full(2 * m + r, np.inf)])
    integrality = np.concatenate([np.ones(m), np.zeros(2 * m + r)])
    res = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lo, hi),
        bounds=Bounds(lower, upper),
        integrality=integrality,
    )
    if res.status != 0:  # pragma: no cover - the proportional split is always feasible
        return proportional, broken(proportional)
    x = np.rint(res.x[:m]).astype(np.int64)
    return x, broken(x)


def _choose_in_city(
    rows: pd.DataFrame, is_existing: np.ndarray, n: int, rules: RuleSet
) -> tuple[np.ndarray, list[tuple[str, str, str, int, int]]]:
    """Positions (in ``rows``) of the enterprises added, and the share rules the split breaks.

    Cells in proportion to the sample (the existing enterprises as floors), moved as little
    as the share rules require; within a cell the smallest PRNs first.
    """
    keys = list(cell_keys(rows))  # the sample's quota cells: industry groups when it has them
    cell = pd.MultiIndex.from_frame(rows[keys].astype(str))
    codes, uniques = pd.factorize(cell)
    counts = pd.Series(np.bincount(codes, minlength=len(uniques)).astype(float))
    floor = pd.Series(np.bincount(codes[is_existing], minlength=len(uniques)))
    proportional = apportion(counts, n, lower=floor, upper=counts.astype(np.int64)).to_numpy()
    cells = pd.DataFrame(list(uniques), columns=keys)
    limits = _share_limits(cells, rules, n)
    split, broken = _split_cells(proportional, floor.to_numpy(), counts.to_numpy(np.int64), limits)
    per_cell = split - floor.to_numpy()
    candidates = np.flatnonzero(~is_existing)
    order = candidates[np.lexsort((rows["prn"].to_numpy()[candidates], codes[candidates]))]
    cell_of = codes[order]
    rank = np.arange(len(order)) - np.searchsorted(cell_of, cell_of)
    return order[rank < per_cell[cell_of]], broken


def national_subset(
    sample: Any,
    *,
    cities: Sequence[str],
    target: int = 1000,
    existing: str | Iterable[Any] | None = NATIONAL_COLUMN,
    minimum: int | pd.Series | Literal["mohrss-2011", "mohrss-2009"] = "mohrss-2011",
    city_population: pd.Series | None = None,
    municipality: pd.Series | None = None,
    rules: RuleSet | str = MOHRSS_2011,
    register: pd.DataFrame | None = None,
    basis: Literal["enterprises", "employment"] = "enterprises",
) -> NationalSubset:
    """Mark the enterprises of a sample that also report to the national monitoring (两网合并).

    Parameters
    ----------
    sample : Sample or DataFrame
        The provincial sample (:func:`sampling.select`'s result); only roles panel and new are
        candidates. Needs ``enterprise_id``, the cell columns and ``prn``.
    cities : sequence of str
        The national monitoring cities (e.g. Guangdong's in the 2009 list: 广州, 深圳, 佛山;
        pilot provinces may add 3 more). Names as the user writes them.
    target : int, default 1000
        The size of the subset, existing enterprises included.
    existing : str, iterable of ids or None, default "national"
        The enterprises already reporting nationally: a True/False column of the sample, or
        their ids. They are all kept (also outside ``cities``, where they count toward the
        target and are reported).
    minimum : "mohrss-2011", "mohrss-2009", int or Series
        The ministry's minimum per monitoring city: by population tier (2011: 60 at 1,000,000
        residents or more, 45, 30; municipality 300; 2009: 30, municipality 90), a number, or
        one per city.
    city_population : Series, optional
        City -> residents, for the tiers.
    municipality : Series of bool, optional
        Which cities are municipalities (for the tiers).
    rules : RuleSet or str, default MOHRSS_2011
        The rules the subset is chosen under (its share limits: manufacturing_max,
        state_owned_max, sme_min, micro_excluded) and audited against, per city.
    register : DataFrame, optional
        The register (or structure table) for the audit's population checks (top industries,
        proportional mix, representativeness); only the monitoring cities are used.
    basis : {"enterprises", "employment"}
        Passed to :func:`sampling.audit`.

    Returns
    -------
    NationalSubset

    Raises
    ------
    SampleError
        A sample without cells or PRNs, existing ids not monitored in the sample, a city not in
        the sample, a missing population or minimum for a monitoring city, a bad target.

    Notes
    -----
    Numbers that cannot all hold are not errors: the closest subset is built (all existing
    kept; each city at least its minimum where its sample allows; the target otherwise) and
    :attr:`NationalSubset.problems` lists each shortfall or excess.

    References
    ----------
    广东省 全省企业用工定点监测扩面组织实施方案 (2013): 两网合并, "在10000家企业中，重点选择部分企业
    (约1000家，目前已开展641家)开展月度失业动态监测工作". 人社部函〔2011〕308号 (composition rules and
    minimums per monitoring city); 人社部发〔2009〕152号 (monitoring cities). Ohlsson, E. (1995).
    Coordination of samples using permanent random numbers. In *Business Survey Methods*, Wiley,
    153-169 (subsamples taken in PRN order).

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.national import national_subset
    >>> s = pd.DataFrame({
    ...     "enterprise_id": [f"E{i}" for i in range(8)], "city": "广州市", "section": "G",
    ...     "size_class": ["small"] * 4 + ["medium"] * 4, "state_owned": False,
    ...     "prn": [0.9, 0.1, 0.5, 0.3, 0.8, 0.2, 0.6, 0.4],
    ...     "national": [True] + [False] * 7,
    ... })
    >>> sub = national_subset(s, cities=["广州"], target=4, minimum=2, rules="mohrss-2009")
    >>> sub.to_frame()["enterprise_id"].tolist()
    ['E0', 'E1', 'E5', 'E7']
    >>> sub.cities[["city", "existing", "added", "national"]].values.tolist()
    [['广州市', 1, 3, 4]]
    """
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or target < 1:
        raise SampleError(f"target must be a whole number >= 1, got {target!r}")
    table = _monitored(sample)
    table["city"] = resolve_cities(table["city"]).to_numpy()
    is_existing = _existing(table, existing)
    monitoring = pd.Index(resolve_cities(pd.Series(list(cities))).to_numpy()).unique()
    absent = monitoring.difference(pd.Index(table["city"].unique()))
    if len(absent):
        raise SampleError(f"monitoring cities with no enterprise in the sample: {absent.tolist()}")
    mins = _minimum(minimum, monitoring, city_population, municipality)
    problems: list[str] = []

    in_cities = table["city"].isin(monitoring).to_numpy()
    outside = int((is_existing & ~in_cities).sum())
    if outside:
        problems.append(
            f"{outside} existing national enterprises are outside the monitoring cities; kept and counted"
        )
    available = table.loc[in_cities].groupby("city").size().reindex(monitoring).astype(np.int64)
    existing_n = pd.Series(is_existing[in_cities], index=table.loc[in_cities, "city"]).groupby(level=0).sum()
    existing_n = existing_n.reindex(monitoring).fillna(0).astype(np.int64)
    for city in monitoring:
        if available[city] < mins[city]:
            problems.append(
                f"{city}: minimum {int(mins[city])} but only {int(available[city])} enterprises in the sample: "
                f"{int(mins[city] - available[city])} short"
            )
    lower = np.maximum(mins, existing_n)
    targets = _city_targets(available, lower, max(target - outside, 0), problems)

    rule_set = get_rules(rules)
    role = np.where(is_existing, "existing", "")
    for city in monitoring:
        rows = np.flatnonzero(table["city"].to_numpy() == city)
        n = int(targets[city])
        if n > existing_n[city]:
            chosen, broken = _choose_in_city(table.iloc[rows], is_existing[rows], n, rule_set)
            role[rows[chosen]] = "added"
            for rule_id, what, kind, got, limit in broken:
                problems.append(
                    f"{city}: {rule_id} cannot hold in the subset: {what} {got} of {n} against "
                    f"{'at most' if kind == 'max' else 'at least'} {limit} "
                    f"({abs(got - limit)} {'over' if kind == 'max' else 'short'}; the existing "
                    "national enterprises and the sample's cells leave no other way)"
                )
    table[NATIONAL_COLUMN] = role != ""
    table["national_role"] = role
    added = pd.Series(role == "added", index=table["city"]).groupby(level=0).sum().reindex(monitoring)
    per_city = pd.DataFrame(
        {
            "city": monitoring,
            "minimum": mins.to_numpy(dtype=np.int64),
            "available": available.to_numpy(),
            "existing": existing_n.to_numpy(),
            "target": targets.to_numpy(dtype=np.int64),
            "added": added.fillna(0).to_numpy(dtype=np.int64),
        }
    )
    per_city["national"] = per_city["existing"] + per_city["added"]
    per_city["shortfall"] = np.maximum(per_city["minimum"] - per_city["national"], 0)
    total = int(table[NATIONAL_COLUMN].sum())
    if total != target and not any(p.startswith("target") for p in problems):
        problems.append(f"target {target:,} not reached: {total:,} ({total - target:+,})")

    subset = table[table[NATIONAL_COLUMN] & in_cities]
    if subset.empty:
        raise SampleError(
            f"the subset has no enterprise in the monitoring cities (target {target}, "
            f"{outside} existing elsewhere, minimum 0): nothing to audit"
        )
    in_register = None
    if register is not None:
        in_register = register[resolve_cities(register["city"]).isin(monitoring).to_numpy()]
    report = audit(
        subset,
        rules=rules,
        register=in_register,
        city_population=city_population,
        municipality=municipality,
        basis=basis,
    )
    return NationalSubset(
        table=table,
        cities=per_city[CITY_COLUMNS],
        target=int(target),
        report=report,
        problems=tuple(problems),
    )
