"""The worked examples: Guangdong 2013 end to end, and the national monitoring cities.

Each function runs the whole pipeline (allocate -> split -> quotas -> select -> audit), prints
what it does step by step, writes every output a provincial department hands on, and returns a
:class:`ExampleResult`. ``examples/guangdong_2013.py``, ``examples/national.py`` and
``empmon example`` call them.

The enterprise registers behind the real samples are confidential, so both examples draw a
synthetic register with :func:`sampling.synthetic.make_frame` and say so.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from allocation.apportion import apportion
from allocation.cities import CityAllocation, allocate_cities
from allocation.explain import AllocationExplanation, explain
from allocation.split import split
from basis.beside import run_beside
from basis.files import atomic_path
from basis.results import Result
from empmon.figures import allocation_by_province, allocation_zh, audit_by_province, explanation_zh
from empmon.workbook import write_city_workbooks
from quotas import datasets
from quotas.build import build_quotas
from quotas.checks import ownership_shares
from quotas.classify import ownership_group, sector_of_section
from quotas.industry_groups import check_key_industries, group_matches, sector_of_group
from quotas.labels import SECTOR_NAMES
from quotas.plotting import cjk_font
from quotas.rules import GUANGDONG_2013, MOHRSS_2011
from quotas.table import QuotaTable
from quotas.tiers import tier_minimum
from sampling.auditing import AuditReport, audit
from sampling.auditing.inputs import register_ownership
from sampling.national import NationalSubset, national_subset
from sampling.prepare import prepare_frame
from sampling.sample import Sample
from sampling.select import select
from sampling.structure import structure
from sampling.synthetic import make_frame

__all__ = [
    "EMPLOYMENT_MEASURES",
    "EXAMPLE_COLUMNS",
    "ExampleResult",
    "guangdong_2013",
    "guangdong_key_industries",
    "guangdong_national_cities",
    "guangdong_register",
    "monitoring_work_tilt",
    "national",
]

EmploymentMeasure = Literal["population", "urban-units", "urban-units+private"]

EMPLOYMENT_MEASURES: dict[str, str] = {
    "population": "resident population, 2010 census (proxy for total employed persons)",
    "urban-units": "employment in urban units 城镇单位从业人员, 2012",
    "urban-units+private": "urban units + urban private and individual workers 城镇私营和个体从业人员, 2012",
}
"""The employment measures of the Guangdong example (the plan's 从业人员 is none of them)."""

GUANGDONG_NATIONAL_EXISTING = 641
"""Enterprises of the panel already in the national monitoring (the plan: 目前已开展641家)."""

GUANGDONG_SECTOR_TOTALS = pd.Series({"secondary": 5311, "tertiary": 4689})
"""Province totals of the official task table (annex 1 of the Guangdong 2013 plan)."""

KEY_INDUSTRY_SHARE = 0.10
"""The example's minimum share of each key industry in its city's sample (one in ten)."""

SYNTHETIC_NOTE = (
    "The enterprise register is SYNTHETIC (sampling.synthetic.make_frame): the real 名录库 is "
    "confidential. Quotas, sample and audit show the method, not real enterprises."
)


EXAMPLE_COLUMNS: tuple[str, ...] = (
    "city",
    "allocated",
    "target",
    "quota",
    "panel",
    "new",
    "reserve",
    "fail",
    "warn",
)
"""Columns of :meth:`ExampleResult.to_frame`, in order."""


@dataclass(frozen=True, eq=False, repr=False)
class ExampleResult(Result):
    """Everything an example produced.

    ``repr`` is one line (:meth:`headline`), ``print`` the example's summary, and
    :meth:`to_frame` one row per city through the pipeline (allocation, target, quotas, sample,
    audit).

    Attributes
    ----------
    allocation : CityAllocation
    sector_targets : DataFrame
        City x {secondary, tertiary}.
    quotas : QuotaTable
    sample : Sample
    report : AuditReport
    files : list of Path
        Every file written.
    seconds : float
        Wall time of the whole run.
    notes : list of str
        Choices the example made that a reader must know (measure used, imputations).
    targets : Series or None
        The city targets the quotas were built on (the official task in the Guangdong
        example); None where they are the allocation's.
    comparison : DataFrame or None
        Guangdong: per city the official task and split beside the computed allocation (with
        and without the tilt) and the differences.
    explanation : AllocationExplanation or None
        Guangdong: :func:`allocation.explain` of the official task.
    national : NationalSubset or None
        Guangdong: the national subset (两网合并), audited under the 2011 rules.
    title : str
        The example's name, e.g. ``"Guangdong 2013"``.
    """

    allocation: CityAllocation
    sector_targets: pd.DataFrame
    quotas: QuotaTable
    sample: Sample
    report: AuditReport
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    targets: pd.Series | None = None
    comparison: pd.DataFrame | None = None
    explanation: AllocationExplanation | None = None
    national: NationalSubset | None = None
    title: str = "example"

    def headline(self) -> str:
        """The run in one line: cities, sample and the audit's verdict."""
        table = self.to_frame()
        c = self.report.counts()
        return (
            f"{self.title}: {int(table['quota'].sum()):,} enterprises in {len(table)} cities "
            f"({int(table['panel'].sum()):,} panel kept, {int(table['new'].sum()):,} new), audit "
            f"{'PASSED' if self.report.passed else 'FAILED'} ({c['fail']} fail, {c['warn']} warn); "
            f"{len(self.files)} files"
        )

    def summary(self) -> str:
        """What the example printed at its end: allocation, quotas, sample, audit, notes."""
        return _summary(self, self.title)

    def to_frame(self) -> pd.DataFrame:
        """One row per city: :data:`EXAMPLE_COLUMNS`.

        ``allocated`` is the computed allocation, ``target`` what the quotas were built on (the
        official task in the Guangdong example), ``quota`` the quotas' sum, ``panel``, ``new``
        and ``reserve`` the sample's enterprises by role, ``fail`` and ``warn`` the city's
        audit rows with that status.
        """
        allocated = self.allocation.allocated
        cities = pd.Index(allocated.index, name="city")
        roles = self.sample.to_frame().groupby(["city", "role"]).size().unstack(fill_value=0)
        statuses = self.report.to_frame().groupby(["city", "status"]).size().unstack(fill_value=0)
        out = pd.DataFrame(
            {
                "allocated": allocated.to_numpy(dtype=np.int64),
                "target": (allocated if self.targets is None else self.targets).reindex(cities),
                "quota": self.quotas.to_frame().groupby("city")["quota"].sum().reindex(cities),
            },
            index=cities,
        )
        for name, table in (
            ("panel", roles),
            ("new", roles),
            ("reserve", roles),
            ("fail", statuses),
            ("warn", statuses),
        ):
            out[name] = table[name].reindex(cities) if name in table.columns else 0
        return out.fillna(0).astype(np.int64).reset_index()[list(EXAMPLE_COLUMNS)]


class _Steps:
    """Numbered progress lines with timings."""

    def __init__(self, total: int, echo: Callable[[str], Any]) -> None:
        self.total, self.echo, self.n = total, echo, 0
        self.start = self.last = time.perf_counter()

    def __call__(self, text: str) -> None:
        now = time.perf_counter()
        if self.n:
            self.echo(f"      done in {now - self.last:.1f} s")
        self.n += 1
        self.last = now
        self.echo(f"[{self.n}/{self.total}] {text}")

    def finish(self) -> float:
        now = time.perf_counter()
        self.echo(f"      done in {now - self.last:.1f} s")
        return now - self.start


def _employment(gd: pd.DataFrame, measure: str, notes: list[str]) -> pd.Series:
    if measure not in EMPLOYMENT_MEASURES:
        raise ValueError(f"unknown employment measure {measure!r}; valid: {list(EMPLOYMENT_MEASURES)}")
    if measure == "population":
        return gd["population_census_2010"].astype(float)
    units = gd["employed_urban_units"].astype(float)
    if measure == "urban-units":
        return units
    private = gd["employed_private_individual"]
    missing = private.index[private.isna()].tolist()
    if missing:
        notes.append(
            f"{', '.join(missing)}: urban private/individual employment is missing in the source; "
            "urban-unit employment alone is used there"
        )
    return units + private.fillna(0.0)


def _sector_shares(gd: pd.DataFrame) -> pd.DataFrame:
    """Each city's secondary / tertiary shares: the mean of its GDP and employment shares."""
    gdp = gd["gdp_secondary"] / (gd["gdp_secondary"] + gd["gdp_tertiary"])
    emp = gd["employed_urban_units_secondary"] / (
        gd["employed_urban_units_secondary"] + gd["employed_urban_units_tertiary"]
    )
    secondary = 0.5 * gdp + 0.5 * emp
    return pd.DataFrame({"secondary": secondary, "tertiary": 1.0 - secondary})


def guangdong_key_industries(min_share: float = KEY_INDUSTRY_SHARE) -> pd.DataFrame:
    """The Guangdong example's key industries (重点行业): a documented choice of the example.

    The plan lets some cities emphasise their key industries (重点行业) and the 2011 rules ask
    to include the local pillar industries ("并包括本地支柱产业"), but neither names them. The
    example takes, for three cities, the manufacturing division their statistics yearbooks
    present as a pillar industry (支柱产业): computers, communication and other
    electronic equipment (GB/T 4754-2011 division 39, 计算机、通信和其他电子设备制造业) in
    深圳 and 东莞, and electrical machinery and equipment (division 38, 电气机械和器材制造业,
    household appliances) in 佛山. Each gets at least ``min_share`` of its city's sample
    (the ``key_industries`` rule of :data:`quotas.rules.GUANGDONG_2013`); the share is the
    example's choice too (:data:`KEY_INDUSTRY_SHARE`, one in ten), not the plan's.

    Parameters
    ----------
    min_share : float, default 0.10
        Minimum share of each key industry in its city's sample.

    Returns
    -------
    DataFrame
        ``city, division, min_share``, as :func:`sampling.prepare_frame`,
        :func:`quotas.build_quotas` and :func:`sampling.audit` take it.

    References
    ----------
    Shenzhen, Dongguan and Foshan Statistical Yearbooks (2013): industrial output by division;
    人社部函〔2011〕308号; 广东省全省企业用工定点监测扩面组织实施方案 (2013).

    Examples
    --------
    >>> from empmon.examples import guangdong_key_industries
    >>> guangdong_key_industries().values.tolist()
    [['深圳市', '39', 0.1], ['东莞市', '39', 0.1], ['佛山市', '38', 0.1]]
    """
    return pd.DataFrame(
        {
            "city": ["深圳市", "东莞市", "佛山市"],
            "division": ["39", "39", "38"],
            "min_share": float(min_share),
        }
    )


def guangdong_register(
    frame_size: int = 300_000,
    *,
    key_industries: pd.DataFrame | Mapping[str, Any] | None = None,
    panel: pd.Series | None = None,
    national_existing: int = GUANGDONG_NATIONAL_EXISTING,
    national_cities: Sequence[str] | None = None,
    random_state: int | np.random.Generator | None = 2013,
) -> pd.DataFrame:
    """A prepared synthetic Guangdong register in the plan's scope, with the existing panel marked.

    The Guangdong plan monitors secondary and tertiary industry (its task table splits every
    city's target between them), so primary-sector enterprises are left out of the register.
    The existing panel (``panel[city]`` enterprises per city, by default the 3,000 of the plan)
    is drawn among each city's non-micro enterprises in its top 10 sections by employment,
    larger enterprises more likely (weighted sampling without replacement, Efraimidis and
    Spirakis 2006): it was chosen under the same rules.

    The plan says 641 of the panel already report to the national monitoring (两网合并) but
    not which: the synthetic register marks ``national`` on ``national_existing`` panel
    enterprises of the national monitoring cities, apportioned by the cities' panels
    (Huntington-Hill; 广州 450, 深圳 300, 佛山 200 give 304, 202, 135) and drawn at random
    within each city. A stand-in for the real list, said so in the example's notes.

    Parameters
    ----------
    frame_size : int
        Enterprises drawn before primary-sector ones are left out.
    key_industries : DataFrame or mapping, optional
        The cities' key industries (e.g. :func:`guangdong_key_industries`), passed to
        :func:`sampling.prepare_frame`: their divisions become industry groups of their own in
        their city (the ``industry_group`` column; divisions 05, 11 and 43 always are).
    panel : Series, optional
        Existing panel per city (full names); default
        :func:`quotas.datasets.guangdong_2013_panel`.
    national_existing : int, default 641
        Panel enterprises already in the national monitoring.
    national_cities : sequence of str, optional
        The national monitoring cities; default Guangdong's in the 2009 list (广州, 深圳, 佛山).
    random_state : int or Generator

    Returns
    -------
    DataFrame
        Output of :func:`sampling.prepare_frame` with ``in_panel`` and ``national`` set.

    Examples
    --------
    >>> from empmon.examples import guangdong_register
    >>> frame = guangdong_register(60_000, random_state=1)
    >>> int(frame["in_panel"].sum()), bool((frame["sector"] == 1).any())
    (3000, False)
    >>> frame.loc[frame["national"], "city"].astype(str).value_counts().to_dict()
    {'广州市': 304, '深圳市': 202, '佛山市': 135}
    """
    rng = np.random.default_rng(random_state)
    panel = datasets.guangdong_2013_panel() if panel is None else panel
    frame = prepare_frame(make_frame(frame_size, random_state=rng), key_industries=key_industries)
    frame = frame.loc[frame["sector"] != 1].reset_index(drop=True)
    emp = frame.groupby(["city", "section"], observed=True)["employees"].sum()
    top = emp.groupby(level="city", observed=True).rank(method="first", ascending=False) <= 10
    in_top = pd.MultiIndex.from_arrays([frame["city"], frame["section"]]).isin(top.index[top])
    eligible = np.flatnonzero(in_top & (frame["size_class"] != "micro").to_numpy())
    city_codes = pd.Categorical(frame["city"].to_numpy()[eligible], categories=list(panel.index)).codes
    key = rng.exponential(size=len(eligible)) / np.maximum(frame["employees"].to_numpy()[eligible], 1)
    order = np.lexsort((key, city_codes))
    sorted_city = city_codes[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_city, sorted_city)
    want = panel.to_numpy()
    available = np.bincount(sorted_city[sorted_city >= 0], minlength=len(panel))
    if (available < want).any():
        short = [f"{c}: {a} < {w}" for c, a, w in zip(panel.index, available, want) if a < w]
        raise ValueError(f"frame_size {frame_size:,} is too small for the panel ({'; '.join(short)})")
    chosen = eligible[order[(sorted_city >= 0) & (rank < want[np.maximum(sorted_city, 0)])]]
    in_panel = np.zeros(len(frame), dtype=bool)
    in_panel[chosen] = True
    frame["in_panel"] = in_panel
    cities = list(guangdong_national_cities() if national_cities is None else national_cities)
    per_city = apportion(panel[cities].astype(float), national_existing, upper=panel[cities])
    national = np.zeros(len(frame), dtype=bool)
    for city, n in per_city.items():
        members = np.flatnonzero(in_panel & (frame["city"] == city).to_numpy())
        national[rng.choice(members, size=int(n), replace=False)] = True
    frame["national"] = national
    return frame


def guangdong_national_cities() -> list[str]:
    """Guangdong's national monitoring cities in the 2009 list (人社部发〔2009〕152号): 广州, 深圳, 佛山.

    Examples
    --------
    >>> from empmon.examples import guangdong_national_cities
    >>> guangdong_national_cities()
    ['广州市', '深圳市', '佛山市']
    """
    listed = datasets.monitoring_cities_2009()
    return listed.loc[listed["province"] == "广东省", "city"].tolist()


def monitoring_work_tilt(panel: pd.Series, share: pd.Series, *, strength: float = 0.5) -> pd.Series:
    """The example's moderate tilt: cities whose existing panel runs ahead of their share.

    The plan tilts "according to the local economy and how the existing monitoring work has
    gone" (根据当地经济状况以及现有企业用工定点监测工作开展情况) without a formula. The example's
    documented choice: the local economy is already in the allocation (GDP is half of the
    blend); the monitoring work is measured by the existing panel against the city's
    proportional share, ``m = (panel / panel.sum()) / share``, and a city with ``m > 1`` (it
    monitors more than its share already) has its share multiplied by ``m ** strength``; the
    others keep theirs (the plan increases some cities' tasks, it does not cut any).

    Parameters
    ----------
    panel : Series
        Existing panel per city.
    share : Series
        The city's share under the allocation's blend (summing to 1).
    strength : float, default 0.5
        The exponent: 0 is no tilt, 1 moves a city all the way to its panel's share; the
        square root (0.5) halves the gap on the log scale, a "moderate" tilt.

    Returns
    -------
    Series
        Multiplier per city (>= 1).

    Examples
    --------
    >>> import pandas as pd
    >>> from empmon.examples import monitoring_work_tilt
    >>> panel = pd.Series({"a": 40, "b": 60})
    >>> share = pd.Series({"a": 0.1, "b": 0.9})  # a monitors 4 times its share: sqrt(4) = 2
    >>> monitoring_work_tilt(panel, share).tolist()
    [2.0, 1.0]
    """
    if not (isinstance(strength, (int, float)) and 0 <= strength <= 1):
        raise ValueError(f"strength must be a number between 0 and 1, got {strength!r}")
    ratio = (panel / panel.sum()) / share.reindex(panel.index)
    if ratio.isna().any() or np.isinf(ratio).any():
        raise ValueError(f"no positive share for {ratio.index[ratio.isna() | np.isinf(ratio)].tolist()}")
    return np.maximum(ratio, 1.0).pow(strength).rename("tilt")


def guangdong_2013(
    out: str | PathLike[str] = "output",
    *,
    employment: EmploymentMeasure = "population",
    frame_size: int = 300_000,
    targets: Literal["official", "computed"] = "official",
    tilt_strength: float = 0.5,
    national_target: int = 1000,
    national_cities: Sequence[str] | None = None,
    key_industries: pd.DataFrame | Mapping[str, Any] | None = None,
    method: Literal["srs", "systematic", "pareto", "poisson"] = "pareto",
    reserves: int = 2,
    random_state: int = 2013,
    echo: Callable[[str], Any] = print,
) -> ExampleResult:
    """Reproduce the Guangdong 2013 expansion from 3,000 to 10,000 monitored enterprises.

    The quotas follow the official task table (annex 1 of the plan: each city's task and its
    secondary / tertiary split, what the province gave each city); the plan's allocation rule
    is computed beside it (employment and GDP shares, the ministry's minimums, the existing
    panel as floors, the moderate tilt of :func:`monitoring_work_tilt`), with and without the
    tilt, and the differences per city are reported; :func:`allocation.explain` shows which
    blend of employment and GDP the official table follows and its tilts.

    Parameters
    ----------
    out : path, default "output"
        Folder for the outputs (created).
    employment : {"population", "urban-units", "urban-units+private"}
        The employment measure of the computed allocation (see :data:`EMPLOYMENT_MEASURES`).
        The plan means total employed persons, which no shipped column measures; resident
        population is the documented default proxy.
    frame_size : int, default 300,000
        Enterprises in the synthetic register.
    targets : {"official", "computed"}
        What the quotas are built on: the official task and split (default) or the computed
        allocation and a computed split.
    tilt_strength : float, default 0.5
        The exponent of :func:`monitoring_work_tilt` (0: no tilt).
    national_target : int, default 1000
        Size of the national subset (两网合并), the 641 existing included.
    national_cities : sequence of str, optional
        The national monitoring cities; default Guangdong's in the 2009 list (广州, 深圳, 佛山).
    key_industries : DataFrame or mapping, optional
        The cities' key industries with their minimum shares; default the example's choice,
        :func:`guangdong_key_industries` (深圳 and 东莞 C39, 佛山 C38, 10% each). An empty
        mapping ``{}`` gives none.
    method, reserves, random_state
        Passed to :func:`sampling.select`.
    echo : callable
        Where progress lines go (``print`` by default).

    Returns
    -------
    ExampleResult

    Notes
    -----
    The quota cells are industry groups (:mod:`quotas.industry_groups`): sections, with
    divisions 05, 11 and 43 (tertiary though in sections A, B and C) and each city's key
    divisions split off. So each city's secondary / tertiary quotas equal annex 1 exactly
    (``sector_split`` is hard in :data:`quotas.rules.GUANGDONG_2013`), and the key industries
    get their minimum share; ``sector_split.csv`` and the notes say so.

    References
    ----------
    广东省 全省企业用工定点监测扩面组织实施方案 (2013), annex 1; 人社部函〔2011〕308号;
    人社部发〔2009〕152号.
    """
    if targets not in ("official", "computed"):
        raise ValueError(f"unknown targets {targets!r}; valid: ['official', 'computed']")
    notes: list[str] = []
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    step = _Steps(10, echo)

    step("Load Guangdong's 2012 city statistics, the existing 3,000-enterprise panel and the official task")
    gd = datasets.guangdong_2012()
    task = datasets.guangdong_2013_task()
    panel = task["panel_3000"].rename("panel_enterprises")
    stats = pd.DataFrame(
        {
            "employment": _employment(gd, employment, notes),
            "gdp": gd["gdp"],
            "population": gd["population_census_2010"],
        }
    )
    notes.insert(0, f"employment measure: {employment} = {EMPLOYMENT_MEASURES[employment]}")
    echo(f"      employment measure: {employment} ({EMPLOYMENT_MEASURES[employment]})")

    step("Explain the official task table: the blend of employment and GDP it follows, and its tilts")
    explanation = explain(task["target_10000"], stats[["employment", "gdp"]])
    plain = explain(
        task["target_10000"], stats[["employment", "gdp"]], weights={"employment": 0.5, "gdp": 0.5}
    )
    echo(f"      {explanation.headline()}")
    notes.append(f"official task explained: {explanation.headline()}")
    notes.append(f"official task against the plain 50/50 blend: {plain.headline()}")

    step("Compute the plan's allocation beside it (employment 0.5 + GDP 0.5, minimums, panel floors, tilt)")
    weights = {"employment": 0.5, "gdp": 0.5}
    share = sum(w * stats[c] / stats[c].sum() for c, w in weights.items())
    tilt = monitoring_work_tilt(panel, share, strength=tilt_strength)
    alloc = allocate_cities(
        stats,
        10_000,
        weights=weights,
        minimum=tier_minimum(stats["population"], scheme="mohrss-2011"),
        existing=panel,
        tilt=tilt,
    )
    comparison = _comparison(task, alloc)
    l1 = int(comparison["difference"].abs().sum())
    l1_plain = int(comparison["difference_without_tilt"].abs().sum())
    tilted = tilt[tilt > 1].sort_values(ascending=False)
    notes.append(
        f"tilt (monitoring work: existing panel / proportional share, ** {tilt_strength}) on "
        f"{len(tilted)} cities: " + ", ".join(f"{c} x{v:.2f}" for c, v in tilted.items())
    )
    notes.append(
        f"computed allocation vs the official task: {l1:,} units apart (L1) with the tilt, "
        f"{l1_plain:,} without"
    )
    echo(f"      {notes[-1]}")

    step(
        "Targets for the quotas: " + ("the official task and split" if targets == "official" else "computed")
    )
    if targets == "official":
        city_targets = task["target_10000"].rename("target")
        sector_targets = task[["secondary", "tertiary"]].copy()
    else:
        city_targets = alloc.allocated.rename("target")
        sector_targets = split(alloc.allocated, _sector_shares(gd), column_totals=GUANGDONG_SECTOR_TOTALS)
    echo(
        f"      {len(city_targets)} cities, {int(city_targets.sum()):,} enterprises; secondary "
        f"{int(sector_targets['secondary'].sum()):,} / tertiary {int(sector_targets['tertiary'].sum()):,}"
    )

    step(
        f"Draw a synthetic Guangdong register of {frame_size:,} enterprises and aggregate its structure "
        "(industry groups with the key industries)"
    )
    echo(f"      {SYNTHETIC_NOTE}")
    key = guangdong_key_industries() if key_industries is None else check_key_industries(key_industries)
    monitoring = list(guangdong_national_cities() if national_cities is None else national_cities)
    frame = guangdong_register(
        frame_size,
        key_industries=key,
        panel=panel,
        national_cities=monitoring,
        random_state=random_state,
    )
    echo(
        f"      {len(frame):,} enterprises in secondary and tertiary industry (the plan's scope); "
        f"{int(frame['in_panel'].sum()):,} existing panel enterprises marked, "
        f"{int(frame['national'].sum()):,} of them already national"
    )
    notes.append(
        f"the {int(frame['national'].sum())} enterprises already in the national monitoring are not named "
        "in the plan: the synthetic panel marks that many panel enterprises of "
        + ", ".join(monitoring)
        + " (apportioned by their panels, at random within a city)"
    )
    population = structure(frame)

    step(
        "Build quota tables under GUANGDONG_2013 (city x industry group x size x ownership, integer LP; "
        "the secondary / tertiary split hard)"
    )
    quotas = build_quotas(
        population,
        city_targets,
        rules=GUANGDONG_2013,
        key_industries=key,
        sector_targets=sector_targets,
        population=stats["population"],
    )
    split_table = _sector_split(quotas, sector_targets)
    met = int(
        (
            (split_table["quota_secondary"] == split_table["target_secondary"])
            & (split_table["quota_tertiary"] == split_table["target_tertiary"])
        ).sum()
    )
    notes.append(
        f"secondary / tertiary split met exactly in {met} of {len(split_table)} cities (sector_split "
        "hard, on industry-group cells where divisions 05, 11 and 43 are tertiary): quotas "
        f"{int(split_table['quota_secondary'].sum()):,} / {int(split_table['quota_tertiary'].sum()):,}, "
        "per city in sector_split.csv"
    )
    echo(f"      {notes[-1]}")
    notes.append(_key_industry_note(quotas, key, city_targets))
    echo(f"      {notes[-1]}")

    step(
        f"Select the new enterprises ({method}, permanent random numbers) keeping the panel, {reserves} reserves per cell"
    )
    sample = select(frame, quotas, method=method, reserves=reserves, random_state=random_state)

    step(f"Mark the national subset (两网合并): about {national_target:,} in {', '.join(monitoring)}")
    national = national_subset(
        sample,
        cities=monitoring,
        target=national_target,
        existing=frame.loc[frame["national"], "enterprise_id"],
        minimum="mohrss-2011",
        city_population=stats["population"],
        rules=MOHRSS_2011,
        register=frame,
        basis="employment",
    )
    sample = national.flag(sample)
    echo(f"      {national.headline()}")
    notes.extend(f"national subset: cannot hold: {p}" for p in national.problems)

    step("Audit the whole sample against GUANGDONG_2013 and the register")
    report = audit(
        sample,
        rules=GUANGDONG_2013,
        register=frame,
        targets=city_targets,
        key_industries=key,
        sector_targets=sector_targets,
        city_population=stats["population"],
        basis="employment",
    )
    ownership = _ownership(sample, frame, micro=GUANGDONG_2013.limit("micro_excluded") != 0)
    far = ownership.loc[ownership["difference"].abs() > GUANGDONG_2013.limit("ownership_mix") + 1e-9]
    notes.append(
        "ownership groups (1998 registration types) are reported per city, sample against register, in "
        f"ownership.csv and audited (ownership_mix, soft, within {GUANGDONG_2013.limit('ownership_mix'):.0%}); "
        "the quota cells keep state-owned vs not, so the other groups are not controlled and follow the "
        f"register only as far as the draw within the cells brings them: {len(far)} group(s) in "
        f"{far['city'].nunique()} cities are further off"
    )
    echo(f"      {notes[-1]}")
    step("Carry the sample through one synthetic month of reports: checks, 附表二, estimates")
    from empmon.monthly import month_step  # monitoring and pyplot: imported when the month runs

    month = month_step(sample, out, random_state=random_state, echo=echo)
    seconds = step.finish()
    notes.append(
        "representativeness warnings against the register's employment mix follow from the rules "
        "themselves (manufacturing <= 40%, no micro, top 10 sections, the kept panel) and from the "
        "synthetic register's sector mix differing from the official split"
    )
    files = _write_outputs(
        out, alloc, sector_targets, quotas, sample, report, notes, comparison=comparison, targets=city_targets
    )
    files += _write_guangdong_extras(out, explanation, national)
    split_table = _sector_split(quotas, sector_targets, sample, frame)
    files += [
        _write(out / "ownership.csv", lambda tmp: ownership.to_csv(tmp, index=False, encoding="utf-8-sig")),
        _write(out / "sector_split.csv", lambda tmp: split_table.to_csv(tmp, encoding="utf-8-sig")),
        _write(out / "register_synthetic.parquet", lambda tmp: frame.to_parquet(tmp, index=False)),
    ]
    files += month.files
    result = ExampleResult(
        alloc,
        sector_targets,
        quotas,
        sample,
        report,
        files,
        seconds,
        notes,
        targets=city_targets,
        comparison=comparison,
        explanation=explanation,
        national=national,
        title="Guangdong 2013",
    )
    echo(result.summary())
    return result


def _comparison(task: pd.DataFrame, alloc: CityAllocation) -> pd.DataFrame:
    """Official task and split beside the computed allocation, per city, with the differences."""
    table = alloc.table
    out = pd.DataFrame(
        {
            "official": task["target_10000"],
            "official_secondary": task["secondary"],
            "official_tertiary": task["tertiary"],
            "panel": task["panel_3000"],
            "computed": table["allocated"],
            "computed_without_tilt": table["allocated_without_tilt"],
            "tilt": table["tilt"],
        }
    )
    out["difference"] = out["computed"] - out["official"]
    out["difference_without_tilt"] = out["computed_without_tilt"] - out["official"]
    out.index.name = "city"
    return out


def _sector_split(
    quotas: QuotaTable,
    sector_targets: pd.DataFrame,
    sample: Sample | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each city's secondary and tertiary targets beside its quotas (by the cells' industry
    groups) and, given the sample and its register, the monitored enterprises (by their own
    industry, 三次产业划分规定)."""
    cells = quotas.to_frame()
    sector = sector_of_group(cells["industry_group"]).map(SECTOR_NAMES)
    by_quota = cells.groupby(["city", sector.rename("sector")], sort=False)["quota"].sum().unstack()
    out = pd.DataFrame(index=sector_targets.index)
    out.index.name = "city"
    columns = {"target": sector_targets, "quota": by_quota}
    if sample is not None and frame is not None:
        monitored = sample.to_frame("sample")
        sectors = pd.Series(frame["sector"].to_numpy(), index=frame["enterprise_id"].to_numpy())
        own = monitored["enterprise_id"].map(sectors).map(SECTOR_NAMES)
        columns["sample"] = (
            monitored.groupby([monitored["city"].astype(str), own.rename("sector")]).size().unstack()
        )
    for name in ("secondary", "tertiary"):
        for kind, table in columns.items():
            values = table[name] if name in table.columns else pd.Series(dtype=float)
            out[f"{kind}_{name}"] = values.reindex(out.index).fillna(0).astype(np.int64)
    return out


def _key_industry_note(quotas: QuotaTable, key: pd.DataFrame, targets: pd.Series) -> str:
    """The key industries and the quotas they got, against their minimum shares."""
    if key.empty:
        return "key industries: none given"
    cells = quotas.to_frame()
    parts = []
    for city, group, share in quotas.key_industries[["city", "industry_group", "min_share"]].itertuples(
        index=False
    ):
        got = int(
            cells.loc[(cells["city"] == city) & group_matches(cells["industry_group"], group), "quota"].sum()
        )
        minimum = (
            "" if np.isnan(share) else f", at least {share:.0%} = {math.ceil(share * targets[city] - 1e-9)}"
        )
        parts.append(f"{city} {group} {got} of {int(targets[city])}{minimum}")
    return (
        "key industries (the example's choice: each city's pillar industry in its statistics yearbook; "
        "guangdong_key_industries): " + "; ".join(parts)
    )


def _ownership(sample: Sample, frame: pd.DataFrame, *, micro: bool) -> pd.DataFrame:
    """Each city's ownership-group shares of the monitored enterprises beside the register's
    (micro left out of both when the rules exclude them, as the audit's ``ownership_mix``)."""
    monitored = sample.to_frame("sample")
    if not micro:
        monitored = monitored[monitored["size_class"].astype(str) != "micro"]
    counts = pd.DataFrame(
        {
            "city": monitored["city"].astype(str).to_numpy(),
            "ownership_group": ownership_group(monitored["registration_type"]).to_numpy(),
            "count": 1,
        }
    )
    return ownership_shares(counts, register_ownership(frame, micro=micro))


def _write_guangdong_extras(
    out: Path, explanation: AllocationExplanation, national: NationalSubset
) -> list[Path]:
    import matplotlib.pyplot as plt

    files = [out / "explain_official.xlsx", out / "explain_official.png", out / "national.xlsx"]
    explanation.to_excel(files[0])
    with cjk_font():
        ax = explanation_zh(explanation.plot(), weights=explanation.weights)
        _write(files[1], lambda tmp: ax.figure.savefig(tmp, dpi=110, bbox_inches="tight"))
        plt.close(ax.figure)
    national.to_excel(files[2])
    return files


def _impute_gdp(nat: pd.DataFrame, how: str, notes: list[str]) -> pd.Series:
    """GDP with the 41 gaps filled by the province's GDP per person among its filled units."""
    gdp = nat.set_index("city")["gdp"]
    missing = gdp.index[gdp.isna()]
    if how == "population-only":
        notes.append(f"GDP left out: {len(missing)} units have no 2020 GDP; weights are population only")
        return gdp
    filled = nat.dropna(subset=["gdp"])
    per_person = filled.groupby("province")["gdp"].sum() / filled.groupby("province")["population"].sum()
    pop = nat.set_index("city")["population"]
    prov = nat.set_index("city")["province"]
    imputed = pop[missing] * prov[missing].map(per_person)
    if imputed.isna().any():
        raise ValueError(f"no filled unit to impute GDP from for {imputed.index[imputed.isna()].tolist()}")
    notes.append(
        f"GDP imputed for {len(missing)} units as population x the province's GDP per person "
        f"among its filled units: " + ", ".join(f"{c} {v:,.0f}" for c, v in imputed.round(0).items())
    )
    return gdp.fillna(imputed)


def national(
    out: str | PathLike[str] = "output/national",
    *,
    total: int = 50_000,
    frame_size: int = 2_000_000,
    gdp: Literal["impute", "population-only"] = "impute",
    method: Literal["srs", "systematic", "pareto", "poisson"] = "pareto",
    reserves: int = 1,
    random_state: int = 2011,
    write: bool = True,
    echo: Callable[[str], Any] = print,
) -> ExampleResult:
    """The pipeline for every prefecture-level unit with the MOHRSS 2011 rules.

    What a national office hands on (in ``out``): the allocation, the quota table, the sample
    and its reserves as csv (UTF-8 with a byte-order mark: the ministry's systems read them and
    Excel opens them), the audit (csv, xlsx, text), two figures by province (:func:`empmon.figures.allocation_by_province`, :func:`~empmon.figures.audit_by_province`:
    a bar or a row per unit would be unreadable at 337 units), and every unit's work package
    (:func:`empmon.workbook.write_city_workbooks`) in a folder per province,
    ``cities/<province>/<unit>.xlsx``, with ``cities/工作包清单.xlsx`` listing them: the ministry
    sends each provincial department its units' packages, as the 2011 notice went through
    the provinces. Two workbooks of the Guangdong example are not written, as at 337 units they
    repeat the packages: the one-sheet-per-unit quota workbook (the packages' 配额 sheets;
    ``quotas.csv`` has them all) and the sample's (the packages' lists; ``sample.csv``).
    Two writer processes, started with the run, draw the figures and write the packages beside
    the pipeline's last steps, so a second core writes while the first audits.

    Parameters
    ----------
    out : path
        Folder for the outputs.
    total : int, default 50,000
        The national sample.
    frame_size : int, default 2,000,000
        Enterprises in the synthetic national register.
    gdp : {"impute", "population-only"}
        The shipped table has no 2020 GDP for 41 units (autonomous prefectures, 地区, 盟, 三沙).
        ``"impute"`` fills them with population x the province's GDP per person among its
        filled units and lists them; ``"population-only"`` allocates by population alone.
    method, reserves, random_state
        Passed to :func:`sampling.select`.
    write : bool, default True
        False: run the pipeline only and write nothing (``out`` is not created).
    echo : callable
        Where progress lines go.

    Returns
    -------
    ExampleResult

    References
    ----------
    人社部函〔2011〕308号; 人社部发〔2009〕152号 (all prefecture-level cities since 2012).
    """
    if gdp not in ("impute", "population-only"):
        raise ValueError(f"unknown gdp handling {gdp!r}; valid: ['impute', 'population-only']")
    # Two writer processes start now, while the process is small (a fork copies little, and
    # the pipeline's later writes to its memory copy nothing): one draws the figures, the other
    # writes units' packages, and both share the packages while the sample is audited.
    with ExitStack() as stack:
        if write:
            figures, packages = (stack.enter_context(_writer()) for _ in range(2))
        notes: list[str] = []
        out = Path(out)
        if write:
            out.mkdir(parents=True, exist_ok=True)
        step = _Steps(7, echo)

        step("Load the 337 prefecture-level units (2020 census population, 2020 GDP)")
        nat = datasets.national_cities()
        province = nat.set_index("city")["province"]
        stats = pd.DataFrame({"population": nat.set_index("city")["population"].astype(float)})
        stats["gdp"] = _impute_gdp(nat, gdp, notes)
        echo(f"      {notes[-1][:160]}{'...' if len(notes[-1]) > 160 else ''}")
        weights = {"population": 0.5, "gdp": 0.5} if gdp == "impute" else {"population": 1.0}
        municipality = nat.set_index("city")["kind"].eq("municipality")

        step(f"Draw a synthetic national register of {frame_size:,} enterprises and aggregate its structure")
        echo(f"      {SYNTHETIC_NOTE}")
        frame = prepare_frame(make_frame(frame_size, cities="national", random_state=random_state))
        population = structure(frame)
        # A unit can host no more monitored enterprises than its register has outside micro; one
        # whose register cannot reach its tier minimum is left out and named, never filled silently.
        capacity = (
            population.loc[population["size_class"] != "micro"]
            .groupby("city")["enterprises"]
            .sum()
            .reindex(stats.index)
            .fillna(0)
            .astype(int)
        )
        minimum = tier_minimum(stats["population"], scheme="mohrss-2011", municipality=municipality)
        short = capacity.index[capacity < minimum]
        if len(short):
            notes.append(
                "left out, register below the tier minimum: "
                + ", ".join(f"{c} ({capacity[c]} non-micro enterprises, minimum {minimum[c]})" for c in short)
            )
            echo(f"      {notes[-1]}")
        kept = stats.index.difference(short, sort=False)

        step(
            f"Allocate {total:,} across {len(kept)} units ({', '.join(f'{k} {v}' for k, v in weights.items())}; MOHRSS 2011 minimums)"
        )
        alloc = allocate_cities(
            stats.loc[kept, list(weights)],
            total,
            weights=weights,
            minimum=minimum[kept],
            maximum=capacity[kept],
        )
        # Drawn by the figures' writer while the quotas are built.
        figure = figures.submit(_national_allocation_figure, out, alloc, province) if write else None
        population = population[population["city"].isin(kept)]
        frame = frame[frame["city"].isin(kept)]

        step("Split each unit's target between secondary and tertiary industry by its register's employment")
        by_sector = (
            population.loc[population["section"] != "A"]
            .assign(sector=lambda d: sector_of_section(d["section"]).map(SECTOR_NAMES))
            .pivot_table(index="city", columns="sector", values="employment", aggfunc="sum", fill_value=0)
        )
        sector_targets = split(alloc.allocated, by_sector.reindex(alloc.allocated.index).fillna(0.0))

        step("Build quota tables under MOHRSS_2011 for every unit")
        quotas = build_quotas(population, alloc.allocated, rules=MOHRSS_2011, population=stats["population"])
        # The packages' rule checks are worked out while the sample is drawn.
        checks = figures.submit(_quota_checks, quotas) if write else None

        step(f"Select ({method}, permanent random numbers), {reserves} reserve per cell")
        sample = select(frame, quotas, method=method, reserves=reserves, random_state=random_state)
        # Every unit's work package, and the sample's tables, are written while the sample is audited.
        if write:
            # The packages in two parts of whole provinces, one per writer; the figures' writer,
            # which draws the audit's figure once the audit is done, takes the smaller, so that it
            # is free about then.
            parts = _split_units(sample, quotas.targets.index, province, 0.66)
            checked = checks.result()
            books = [
                pool.submit(
                    _national_work_packages,
                    out / "cities",
                    _part(sample, part),
                    quotas,
                    province,
                    part,
                    checked,
                )
                for pool, part in zip((packages, figures), parts)
            ]

        step("Audit against MOHRSS_2011 and the register")
        report = audit(
            sample,
            rules=MOHRSS_2011,
            register=frame,
            targets=alloc.allocated,
            city_population=stats["population"],
            municipality=municipality,
            basis="employment",
        )
        seconds = step.finish()
        files: list[Path] = []
        if write:
            audit_figure = figures.submit(_national_audit_figure, out, report, province)
            # This process writes the tables while the writers finish the packages and the figure.
            files = _write_tables(out, alloc, sector_targets, quotas, None, report, notes)
            files += _write_sample_tables(out, sample)
            written = pd.concat([b.result() for b in books]).set_index("city").loc[list(quotas.targets.index)]
            files += [figure.result(), *written["path"], audit_figure.result()]
            files.append(_write_listing(out / "cities", written.reset_index()))
        result = ExampleResult(
            alloc,
            sector_targets,
            quotas,
            sample,
            report,
            files,
            seconds,
            notes,
            title="National monitoring cities",
        )
        echo(result.summary())
        return result


def _writer() -> ProcessPoolExecutor:
    """A process for the national example's figures or its packages, started at once."""
    # fork where there is one: the worker starts at once, with the modules already imported.
    fork = "fork" in multiprocessing.get_all_start_methods()
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork" if fork else None))
    pool.submit(int)  # the first task starts the process
    return pool


def _national_allocation_figure(out: Path, alloc: CityAllocation, province: pd.Series) -> Path:
    path = out / "allocation.png"
    _save(allocation_by_province(alloc, province), path)
    return path


def _national_audit_figure(out: Path, report: AuditReport, province: pd.Series) -> Path:
    path = out / "audit.png"
    _save(audit_by_province(report, province), path)
    return path


def _save(ax: Any, path: Path) -> None:
    with atomic_path(path) as tmp:
        ax.figure.savefig(tmp, dpi=110)


def _national_work_packages(
    folder: Path,
    sample: Sample,
    quotas: QuotaTable,
    province: pd.Series,
    cities: list[str],
    checks: pd.DataFrame,
) -> pd.DataFrame:
    """These units' workbooks, each in its province's folder; the table of what was written."""
    subfolders = {c: str(province[c]) for c in cities}
    books = write_city_workbooks(
        sample, quotas, folder, synthetic=True, subfolders=subfolders, cities=cities, checks=checks, workers=1
    )
    return books.files.assign(province=books.files["city"].map(subfolders))


def _write_listing(folder: Path, table: pd.DataFrame) -> Path:
    """工作包清单.xlsx: every package, its province and its numbers."""
    from basis.xlsx import write_frames

    listing = pd.DataFrame(
        {
            "省份": table["province"].to_numpy(),
            "地市": table["city"].to_numpy(),
            "文件": [str(p.relative_to(folder)) for p in table["path"]],
            "配额": table["quota"].to_numpy(),
            "现有监测企业": table["panel"].to_numpy(),
            "新增企业": table["new"].to_numpy(),
            "备选企业": table["reserves"].to_numpy(),
        }
    )
    index = folder / "工作包清单.xlsx"
    write_frames(index, {"工作包清单": listing}, widths={1: 16, 2: 20, 3: 36})
    return index


def _split_units(
    sample: Sample, units: pd.Index, province: pd.Series, share: float
) -> tuple[list[str], list[str]]:
    """The units in two parts of whole provinces, the first with about ``share`` of the sample's
    enterprises (the packages' work grows with them), each in the quota table's order."""
    rows = sample.table["city"].astype(str).value_counts().reindex(units, fill_value=0)
    by_province = rows.groupby(province.reindex(units).to_numpy(), sort=False).sum()
    first = set(by_province.index[by_province.cumsum() <= share * by_province.sum()])
    of = province.reindex(units).to_numpy()
    return [c for c, p in zip(units, of) if p in first], [c for c, p in zip(units, of) if p not in first]


def _part(sample: Sample, cities: list[str]) -> Sample:
    """The sample's rows and cells of these cities (what a worker needs, not the whole)."""
    keep = sample.table["city"].astype(str).isin(cities).to_numpy()
    cells = sample.cells["city"].astype(str).isin(cities).to_numpy()
    return replace(sample, table=sample.table[keep], cells=sample.cells[cells])


def _quota_checks(quotas: QuotaTable) -> pd.DataFrame:
    return quotas.check()


def _write_outputs(
    out: Path,
    alloc: CityAllocation,
    sector_targets: pd.DataFrame,
    quotas: QuotaTable,
    sample: Sample,
    report: AuditReport,
    notes: list[str],
    *,
    comparison: pd.DataFrame | None = None,
    targets: pd.Series | None = None,
) -> list[Path]:
    """A province's outputs: the tables, the quota workbook, each city's work package, the figures."""
    # The two figures are drawn in a forked process beside the tables (basis.beside): matplotlib
    # holds the GIL, so this is what puts the second core to work.
    figures = run_beside(_write_figures, out, alloc, report)
    try:
        files = _write_tables(
            out, alloc, sector_targets, quotas, sample, report, notes, comparison=comparison, targets=targets
        )
        files.append(out / "quotas_province.xlsx")
        quotas.to_excel(files[-1])
        task = None if targets is None else pd.DataFrame({"target": targets}).join(sector_targets)
        books = write_city_workbooks(sample, quotas, out / "cities", task=task, synthetic=True)
        files.extend(books.files["path"])
    finally:
        figures.join()
    return [*files, out / "allocation.png", out / "audit.png"]


def _write_tables(
    out: Path,
    alloc: CityAllocation,
    sector_targets: pd.DataFrame,
    quotas: QuotaTable,
    sample: Sample | None,
    report: AuditReport,
    notes: list[str],
    *,
    comparison: pd.DataFrame | None = None,
    targets: pd.Series | None = None,
) -> list[Path]:
    """The allocation, quotas, sample (unless None) and audit as tables (csv and xlsx), the
    audit's text, the notes."""
    files: list[Path] = []

    def keep(path: Path, write: Callable[[Path], object] | None = None) -> Path:
        files.append(path if write is None else _write(path, write))
        return path

    if comparison is None:
        extra = sector_targets.add_prefix("target_")
    else:
        # The quotas follow the targets (the official task); the allocation is the computed one.
        keep(out / "comparison.csv", lambda tmp: comparison.to_csv(tmp, encoding="utf-8-sig"))
        extra = comparison[["official", "official_secondary", "official_tertiary", "difference"]]
        extra = extra.rename(columns={"difference": "computed_minus_official"})
        used = pd.DataFrame({"target": targets}).join(sector_targets.add_prefix("target_"))
        keep(out / "targets.csv", lambda tmp: used.to_csv(tmp, encoding="utf-8-sig"))
    table = alloc.to_frame().set_index("city").join(extra)
    keep(out / "allocation.csv", lambda tmp: table.to_csv(tmp, encoding="utf-8-sig"))
    alloc.to_excel(keep(out / "allocation.xlsx"), columns=extra)
    keep(out / "quotas.csv", lambda tmp: quotas.to_frame().to_csv(tmp, index=False, encoding="utf-8-sig"))
    if sample is not None:
        files += _write_sample_tables(out, sample)
        sample.to_excel(keep(out / "sample.xlsx"))
    keep(out / "audit.csv", lambda tmp: report.to_frame().to_csv(tmp, index=False, encoding="utf-8-sig"))
    report.to_excel(keep(out / "audit.xlsx"))
    keep(out / "audit.txt", lambda tmp: tmp.write_text(report.summary() + "\n", encoding="utf-8"))
    text = "\n".join([SYNTHETIC_NOTE, *notes]) + "\n"
    keep(out / "NOTES.txt", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return files


def _write(path: Path, write: Callable[[Path], object]) -> Path:
    """``write(tmp)`` into a temporary file beside ``path``, renamed into place (basis.files)."""
    with atomic_path(path) as tmp:
        write(tmp)
    return path


def _write_sample_tables(out: Path, sample: Sample) -> list[Path]:
    """The sample (panel and new) and the reserves as csv."""
    frame = sample.to_frame()
    paths = [out / "sample.csv", out / "reserves.csv"]
    for path, part in zip(paths, (frame[frame["role"] != "reserve"], frame[frame["role"] == "reserve"])):
        _write(path, lambda tmp, part=part: part.to_csv(tmp, index=False, encoding="utf-8-sig"))
    return paths


def _write_figures(out: Path, alloc: CityAllocation, report: AuditReport) -> None:
    import matplotlib.pyplot as plt

    with cjk_font():
        ax = allocation_zh(alloc.plot(), total=int(alloc.allocated.sum()))
        with atomic_path(out / "allocation.png") as tmp:
            ax.figure.savefig(tmp, dpi=110, bbox_inches="tight")
        plt.close(ax.figure)
    ax = report.plot()
    with atomic_path(out / "audit.png") as tmp:
        ax.figure.savefig(tmp, dpi=110, bbox_inches="tight")


def _flagged(report: AuditReport) -> pd.Series:
    """How many cities fail, warn or skip each check (the lines worth reading first)."""
    table = report.to_frame()
    flagged = table[table["status"] != "pass"]
    order = {"fail": 0, "warn": 1, "skipped": 2}
    counts = flagged.groupby(["rule", "status"]).size()
    return counts.iloc[
        sorted(range(len(counts)), key=lambda i: (order.get(counts.index[i][1], 3), counts.index[i][0]))
    ]


def _comparison_lines(result: ExampleResult) -> list[str]:
    c = result.comparison
    if c is None:
        return []
    shown = c.assign(tilt=c["tilt"].round(2))[
        ["official", "official_secondary", "official_tertiary", "computed", "computed_without_tilt", "tilt"]
    ].assign(difference=c["difference"], without_tilt=c["difference_without_tilt"])
    lines = [
        "quotas on the official task (annex 1); computed allocation beside it, per city:",
        *("  " + line for line in shown.to_string().splitlines()),
        f"  L1 official vs computed: {int(c['difference'].abs().sum()):,} with the tilt, "
        f"{int(c['difference_without_tilt'].abs().sum()):,} without",
    ]
    if result.explanation is not None:
        lines.append(f"explain(official): {result.explanation.headline()}")
    return lines


def _national_lines(result: ExampleResult) -> list[str]:
    n = result.national
    if n is None:
        return []
    flagged = n.report.to_frame().query("status in ['fail', 'warn']")
    return [
        f"national subset (两网合并): {n.headline()}",
        *(f"  cannot hold: {p}" for p in n.problems),
        *(
            f"  {r.status} {r.city} {r.rule}: {r.observed:.3g} (limit {r.limit})"
            for r in flagged.itertuples(index=False)
        ),
    ]


def _summary(result: ExampleResult, title: str) -> str:
    alloc, quotas, sample, report = result.allocation, result.quotas, result.sample, result.report
    table = alloc.to_frame()
    if "city" in table.columns:
        table = table.set_index("city")
    binding = table["binding"].replace("", np.nan).dropna()
    roles = sample.to_frame()["role"].value_counts()
    counts = report.counts if isinstance(report.counts, dict) else report.counts()
    lines = [
        "",
        f"== {title}: summary ==",
        f"{'computed allocation' if result.comparison is not None else 'allocated'} "
        f"{int(alloc.allocated.sum()):,} enterprises over {len(alloc.allocated)} cities "
        f"(largest {alloc.allocated.idxmax()} {int(alloc.allocated.max())}, smallest "
        f"{alloc.allocated.idxmin()} {int(alloc.allocated.min())})",
        *_comparison_lines(result),
        f"binding constraints: {len(binding)} cities at a bound"
        + (
            f" ({', '.join(f'{c}: {b}' for c, b in binding.head(8).items())}{' ...' if len(binding) > 8 else ''})"
            if len(binding)
            else ""
        ),
        "sector targets: " + ", ".join(f"{k} {int(v):,}" for k, v in result.sector_targets.sum().items()),
        f"quotas: {int(quotas.to_frame()['quota'].sum()):,} in {int((quotas.to_frame()['quota'] > 0).sum()):,} cells; "
        f"soft rules relaxed: {len(quotas.relaxed)}"
        + (
            ""
            if quotas.relaxed.empty
            else " (" + ", ".join(f"{r.city}: {r.rule}" for r in quotas.relaxed.head(6).itertuples()) + ")"
        ),
        f"sample: {int(roles.get('panel', 0)):,} panel kept + {int(roles.get('new', 0)):,} new; "
        f"{int(roles.get('reserve', 0)):,} reserves",
        f"audit: {'PASSED' if report.passed else 'FAILED'} ({', '.join(f'{k} {v}' for k, v in counts.items())})",
        *(f"  {status} {rule}: {n} cities" for (rule, status), n in _flagged(report).items()),
        *_national_lines(result),
        *(f"note: {n}" for n in result.notes),
        f"pipeline ran in {result.seconds:.1f} s; wrote {len(result.files)} files to {result.files[0].parent if result.files else '-'}",
    ]
    return "\n".join(lines)
