"""Each city's work package: one workbook a city bureau can act on alone, in Chinese.

:func:`write_city_workbooks` writes, for every city of a sample, ``<folder>/<city>.xlsx`` with
the sheets

* 说明 - what the workbook is, the rules with their document numbers, the size thresholds of
  the industries present (国统字〔2011〕75号), what counts as state-owned, how reserves are used,
  the base period and the monthly deadlines, contacts to fill in, and a warning when the
  register was synthetic;
* 配额 - the quota grid (section x size class x ownership) with sector subtotals against the
  official task and the eligible count only (:mod:`quotas.sheets`);
* 规则检查 - the city's rule checks (:meth:`quotas.QuotaTable.check`), failures first;
* 新增企业名单 - the new enterprises in the ministry's list format (失业动态监测城市监测企业名单:
  序号, 城市名, 企业名称, 企业性质, 所属行业, names not codes), then the columns that locate them;
* 备选企业 - the reserves of each cell in the order they are used;
* 现有监测企业 - the existing panel by name.

When the register has a county column, each city's quotas are apportioned to its counties and
districts (各市将监测任务在县(区)进行再部署), the city workbook gets a sheet 县区任务, and every
county gets ``<folder>/<city>/<county>.xlsx`` with its own quotas and lists.

Every total is a formula with its cached value (:mod:`basis.xlsx`), so viewers that do not
recalculate show the numbers.

References
----------
人力资源社会保障部办公厅, 关于进一步做好失业动态监测工作的通知, 人社部函〔2011〕308号 (the list
format, the composition rules, the monthly deadline); 人社部发〔2009〕152号; 国家统计局,
统计上大中小微型企业划分办法, 国统字〔2011〕75号; 关于划分企业登记注册类型的规定, 国统字〔1998〕200号;
广东省全省企业用工定点监测扩面组织实施方案 (2013).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from allocation import apportion
from basis.results import Result
from basis.threads import Workers
from basis.xlsx import Formula, Sheet, Workbook, render_rows
from quotas.checks import PROVINCE
from quotas.classify import (
    DEFAULT_STATE_OWNED_CODES,
    divisions,
    registration_types,
    sections,
    size_thresholds,
)
from quotas.labels import SIZE_LABELS_ZH
from quotas.rules import DOC_2009, RuleSet
from quotas.sheets import OWNERSHIP_LABELS_ZH, eligible, rules_title, write_city_quotas
from quotas.table import QuotaTable
from sampling.exceptions import SampleError
from sampling.sample import Sample

__all__ = ["SHEETS", "CityWorkbooks", "write_city_workbooks"]

SHEETS: tuple[str, ...] = ("说明", "配额", "规则检查", "新增企业名单", "备选企业", "现有监测企业")
"""The sheets of a city workbook, in order (a county workbook has no 规则检查; a city with
counties has 县区任务 after 配额)."""

LIST_HEADERS: tuple[str, ...] = ("序号", "城市名", "企业名称", "企业性质", "所属行业")
"""The ministry's list of monitored enterprises (失业动态监测城市监测企业名单), 人社部函〔2011〕308号."""

_STATUS_ZH = {"fail": "不通过", "warn": "提示", "skipped": "未检查", "pass": "通过"}
_STATUS_ORDER = {"fail": 0, "warn": 1, "skipped": 2, "pass": 3}
_KIND_ZH = {"hard": "必须", "soft": "原则上(可放宽, 须说明)"}
_EXTRA_RULES = {
    "target": "样本数等于下达的目标数",
    "capacity": "各单元配额不超过可选企业数",
    "panel": "保留现有监测企业(各单元配额不低于现有监测企业数)",
}
_SHARE_RULES = {
    "manufacturing_max",
    "sme_min",
    "micro_excluded",
    "state_owned_max",
    "large_max",
    "band_50_300_min",
}
_UNKNOWN_COUNTY = "未注明县(区)"


@dataclass(frozen=True, eq=False, repr=False)
class CityWorkbooks(Result):
    """The workbooks written by :func:`write_city_workbooks`.

    Attributes
    ----------
    files : DataFrame
        One row per workbook: ``city, county`` (empty for a city workbook), ``path``, ``quota``,
        ``panel``, ``new``, ``reserves`` (enterprises listed).
    folder : Path
        Where they are.
    """

    files: pd.DataFrame
    folder: Path

    def headline(self) -> str:
        """One line: how many city and county workbooks, where."""
        counties = int((self.files["county"] != "").sum())
        cities = len(self.files) - counties
        extra = f" and {counties} county workbooks" if counties else ""
        return f"{cities} city workbooks{extra} in {self.folder}"

    def to_frame(self) -> pd.DataFrame:
        """The table of workbooks (``city, county, path, quota, panel, new, reserves``)."""
        return self.files.copy()


def _check_inputs(sample: Sample, quotas: QuotaTable, cities: Sequence[str] | None) -> list[str]:
    if not isinstance(sample, Sample):
        raise SampleError(f"sample must be a sampling.Sample, got {type(sample).__name__}")
    if not isinstance(quotas, QuotaTable):
        raise SampleError(f"quotas must be a quotas.QuotaTable, got {type(quotas).__name__}")
    known = list(quotas.targets.index)
    chosen = known if cities is None else list(cities)
    unknown = [c for c in chosen if c not in set(known)]
    if unknown:
        raise SampleError(
            f"cities {unknown} are not in the quota table; it has {known[:10]}{'...' if len(known) > 10 else ''}"
        )
    return chosen


def _check_task(task: pd.DataFrame | None, cities: list[str]) -> pd.DataFrame | None:
    if task is None:
        return None
    missing = [c for c in ("target", "secondary", "tertiary") if c not in task.columns]
    if missing:
        raise SampleError(f"task lacks column(s) {missing}; it has {list(task.columns)}")
    absent = [c for c in cities if c not in task.index]
    if absent:
        raise SampleError(f"task has no row for the cities {absent}")
    return task


def _check_checks(checks: pd.DataFrame) -> pd.DataFrame:
    missing = [
        c for c in ("city", "rule", "observed", "limit", "status", "message_zh") if c not in checks.columns
    ]
    if missing:
        raise SampleError(
            f"checks lack column(s) {missing} of QuotaTable.check(); they have {list(checks.columns)}"
        )
    return checks


def _check_subfolders(subfolders: Mapping[str, str] | None) -> None:
    for city, name in (subfolders or {}).items():
        if not isinstance(name, str) or name in ("", ".", "..") or any(c in name for c in '/\\:*?"<>|'):
            raise SampleError(f"subfolder of {city} must be a plain folder name, got {name!r}")


def _named(sample: Sample) -> pd.DataFrame:
    """The sample with names instead of codes, sorted by city, cell and order within it."""
    t = sample.table
    div = divisions().set_index("division")["name_zh"]
    types = registration_types().set_index("code")["name_zh"]
    all_sections = sections()
    city = pd.Categorical(t["city"].astype(str))
    section = pd.Categorical(t["section"].astype(str), categories=list(all_sections["section"]))
    size = pd.Categorical(t["size_class"].astype(str), categories=list(SIZE_LABELS_ZH))
    owned = t["state_owned"].to_numpy(dtype=bool)
    rank = t["reserve_rank"] if "reserve_rank" in t else pd.Series(pd.NA, index=t.index, dtype="Int64")
    group = pd.Categorical(t["industry_group"].astype(str)) if "industry_group" in t else None
    order = np.lexsort(
        (
            rank.fillna(0).to_numpy(dtype=np.int64),
            owned,
            size.codes,
            np.zeros(len(t), dtype=np.int8) if group is None else group.codes,
            section.codes,
            city.codes,
        )
    )
    out = pd.DataFrame(
        {
            "city": city,
            "enterprise_id": t["enterprise_id"].astype(str).array,
            "role": t["role"].to_numpy(dtype=object),
            "section": section,
            "size_class": size,
            "state_owned": owned,
            "name": t["name"].astype(str).array if "name" in t else None,
            "registration_type": _lookup(t.get("registration_type"), types, len(t)),
            "industry": _lookup(t.get("industry"), div, len(t), digits=2),
            "industry_code": t["industry"].to_numpy(dtype=object) if "industry" in t else None,
            "section_name": section.rename_categories(list(all_sections["name_zh"])),
            "size_zh": size.rename_categories([SIZE_LABELS_ZH[s] for s in size.categories]),
            "ownership_zh": pd.Categorical.from_codes(
                owned.astype(np.int8), categories=[OWNERSHIP_LABELS_ZH[False], OWNERSHIP_LABELS_ZH[True]]
            ),
            "employees": t["employees"].to_numpy() if "employees" in t else np.nan,
            "reserve_rank": rank.to_numpy(),
        }
    )
    if group is not None:
        out.insert(4, "industry_group", group)
    return out.iloc[order].reset_index(drop=True)


def _lookup(codes: pd.Series | None, names: pd.Series, n: int, digits: int | None = None) -> pd.Categorical:
    """Names of codes (the code itself where the table has no name, never a blank)."""
    if codes is None:
        return pd.Categorical([None] * n)
    values = pd.Categorical(codes.astype(object).to_numpy())
    text = [str(v).strip() for v in values.categories]
    named = [names.get(t[:digits] if digits else t, t) for t in text]
    unique = list(dict.fromkeys(named))
    position = {x: i for i, x in enumerate(unique)}
    # The last entry maps a missing code (-1) to a missing name.
    remap = np.array([position[x] for x in named] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(remap[values.codes], categories=unique)


def _register_counties(register: pd.DataFrame | None, column: str) -> pd.Series | None:
    if register is None or column not in register.columns:
        return None
    if "enterprise_id" not in register.columns:
        raise SampleError(f"register has a {column!r} column but no enterprise_id to match the sample on")
    counties = register[column].astype(object).where(register[column].notna(), _UNKNOWN_COUNTY)
    return pd.Series(counties.astype(str).to_numpy(), index=register["enterprise_id"].astype(str).to_numpy())


def write_city_workbooks(
    sample: Sample,
    quotas: QuotaTable,
    folder: str | os.PathLike[str],
    *,
    register: pd.DataFrame | None = None,
    task: pd.DataFrame | None = None,
    synthetic: bool = False,
    base_period: str = "每年12月末",
    cities: Sequence[str] | None = None,
    county_column: str = "county",
    subfolders: Mapping[str, str] | None = None,
    checks: pd.DataFrame | None = None,
    workers: int | None = None,
) -> CityWorkbooks:
    """Write one workbook per city (and per county) for the city bureaus.

    Parameters
    ----------
    sample : Sample
        The drawn sample (:func:`sampling.select`): panel, new enterprises and reserves.
    quotas : QuotaTable
        The quotas it was drawn for (:func:`quotas.build_quotas`).
    folder : path
        Output folder (created); each city's workbook is ``<folder>/<city>.xlsx``.
    register : DataFrame, optional
        The enterprise register (``enterprise_id`` and a ``county_column``): with it, each city's
        quotas are apportioned to its counties and every county gets its workbook.
    task : DataFrame, optional
        The official task per city (index: full city names; columns ``target, secondary,
        tertiary``), e.g. :func:`quotas.datasets.guangdong_2013_task`. Without it the quota
        sheet compares with the table's own targets (``quotas.targets`` and
        ``quotas.sector_targets``).
    synthetic : bool
        The register was synthetic: every 说明 sheet says so first.
    base_period : str
        The base period (建档期) the enterprises report against first, e.g. ``"2013年12月末"``.
    cities : sequence of str, optional
        Only these cities (full names); all of the quota table by default.
    county_column : str
        The register's county column.
    subfolders : mapping of city -> str, optional
        A subfolder of ``folder`` for a city's workbook (``<folder>/<subfolder>/<city>.xlsx``),
        e.g. its province, so that a national office hands each province its cities' packages;
        cities not in it stay in ``folder``.
    checks : DataFrame, optional
        The quota table's rule checks as :meth:`quotas.QuotaTable.check` returns them, when
        they were worked out already (e.g. in another process while the sample was drawn);
        by default they are worked out here.
    workers : int, optional
        Threads that save the workbooks beside the writing of the next ones (default
        :func:`basis.threads.default_workers`; 1: none).

    Returns
    -------
    CityWorkbooks

    Raises
    ------
    SampleError
        A city not in the quota table, a task without a city or column, a register with
        counties but no ``enterprise_id``, a subfolder that is not a plain folder name.

    Notes
    -----
    County quotas: in each cell of the quota table (industry group x size class x ownership,
    the group a section or a division split off it, e.g. C39, when the quota table and the
    register have ``industry_group``; else section x size class x ownership), the city's quota is
    apportioned among the counties with :func:`allocation.apportion` (Hamilton, largest
    remainders) in proportion to each county's eligible enterprises, no county below its
    panel enterprises in the cell nor above its enterprises there. The county's lists are the
    enterprises of the city's sample located in it; the sample is drawn city-wide, so a
    county's list can differ from its quota by the chance of the draw (the 县区任务 sheet
    shows both).

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from quotas import MOHRSS_2011, build_quotas
    >>> from sampling import select
    >>> frame = pd.DataFrame({"enterprise_id": [f"E{i:02d}" for i in range(40)], "name": [f"企业{i}" for i in range(40)],
    ...     "city": "珠海市", "section": ["C", "G"] * 20, "size_class": "small", "state_owned": False,
    ...     "industry": ["13", "51"] * 20, "registration_type": "173", "employees": 50})
    >>> s = frame.groupby(["city", "section", "size_class", "state_owned"], as_index=False).size()
    >>> s = s.rename(columns={"size": "enterprises"}).assign(employment=1000)
    >>> q = build_quotas(s, pd.Series({"珠海市": 10}), rules=MOHRSS_2011.replace(min_count=0))
    >>> books = write_city_workbooks(select(frame, q, method="srs", reserves=1, random_state=1), q, tempfile.mkdtemp())
    >>> books.files[["city", "quota", "new", "reserves"]].values.tolist()
    [['珠海市', 10, 10, 2]]
    """
    chosen = _check_inputs(sample, quotas, cities)
    task = _check_task(task, chosen)
    _check_subfolders(subfolders)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cells = quotas.cells.assign(eligible=eligible(quotas))
    cells["city"] = cells["city"].astype(str)
    check_sheets = _Checks(quotas.check() if checks is None else _check_checks(checks), quotas.rules)
    named = _named(sample)
    # Reserves serve only in their own cell: those of cells without a quota are not listed (the
    # 说明 sheet counts them).
    keys = ["city", "section", "size_class", "state_owned"]
    with_quota = pd.MultiIndex.from_frame(
        cells.loc[cells["quota"] > 0, keys].astype({"section": str, "size_class": str})
    )
    in_quota_cell = pd.MultiIndex.from_arrays(
        [named[k].astype(str) if k != "state_owned" else named[k] for k in keys]
    ).isin(with_quota)
    idle = (named["role"].to_numpy() == "reserve") & ~in_quota_cell
    idle_reserves = pd.Series(idle).groupby(named["city"].astype(str).to_numpy()).sum()
    named = named[~idle].reset_index(drop=True)
    county_of = _register_counties(register, county_column)
    if county_of is not None:
        named["county"] = county_of.reindex(named["enterprise_id"]).fillna(_UNKNOWN_COUNTY).to_numpy()
    context = _Context(quotas, synthetic, base_period, idle_reserves)
    # The cells of each city as a table are needed only to apportion them to counties.
    by_city_cells = {c: g for c, g in cells.groupby("city", sort=False)} if county_of is not None else {}
    # The quota grids read plain arrays: a city's cells as numpy columns, taken once.
    grid_keys = ["section", "size_class", "state_owned", "quota", "panel", "eligible"]
    grid_keys += ["industry_group"] if "industry_group" in cells.columns else []
    columns = {c: cells[c].to_numpy() for c in grid_keys}
    grid_cells = {
        c: {k: v[idx] for k, v in columns.items()}
        for c, idx in cells.groupby("city", sort=False).indices.items()
    }
    facts = _Facts.of_cities(named)
    # The people of each city as a table are needed only to cut them by county.
    by_city_sample = {c: g for c, g in named.groupby("city", sort=False)} if county_of is not None else {}
    empty = named.iloc[:0]
    lists = _Lists(named)
    rows = []
    # Saving (deflate, file writes) runs on threads beside the next city's sheets.
    with Workers(workers) as pool:
        saving = []
        for city in chosen:
            grid = grid_cells.get(city, {k: v[:0] for k, v in columns.items()})
            people = by_city_sample.get(city, empty)
            known = facts.get(city, _Facts.EMPTY)
            city_task = _task_of(quotas, task, city)
            counties = None
            if county_of is not None:
                city_cells = by_city_cells.get(city, cells.iloc[:0])
                counties = _county_quotas(city_cells, register, county_column, city, cells_open=city_cells)
            wb = Workbook()
            _write_notes(wb.add_sheet("说明"), context, city, None, grid, known, counties is not None)
            write_city_quotas(
                wb.add_sheet("配额"),
                grid,
                title=f"{city} 企业用工定点监测样本配额表",
                subtitle=f"依据: {rules_title(quotas.rules)}; 目标 {int(quotas.targets[city]):,} 户",
                task=city_task,
                task_label="下达任务" if task is not None else "目标",
            )
            if counties is not None:
                _write_county_table(wb.add_sheet("县区任务"), city, counties, people)
            check_sheets.write(wb.add_sheet("规则检查"), city)
            lists.write(wb, city)
            home = folder / subfolders[city] if subfolders and city in subfolders else folder
            home.mkdir(exist_ok=True)
            path = home / f"{city}.xlsx"
            saving.append(pool.submit(wb.save, path))
            rows.append(_file_row(city, "", path, grid, known))
            if counties is not None:
                (home / city).mkdir(exist_ok=True)
                for county, county_cells in counties.groupby("county", sort=True):
                    here = people[people["county"] == county]
                    here_facts = _Facts.of(here)
                    cwb = Workbook()
                    _write_notes(
                        cwb.add_sheet("说明"), context, city, str(county), county_cells, here_facts, False
                    )
                    write_city_quotas(
                        cwb.add_sheet("配额"),
                        county_cells,
                        title=f"{city}{county} 企业用工定点监测样本配额表",
                        subtitle=f"依据: {rules_title(quotas.rules)}; 由{city}任务按可选企业数分到县(区)",
                        task=None,
                    )
                    _write_county_lists(cwb, here)
                    cpath = home / city / f"{county}.xlsx"
                    saving.append(pool.submit(cwb.save, cpath))
                    rows.append(_file_row(city, str(county), cpath, county_cells, here_facts))
        for future in saving:
            future.result()
    files = pd.DataFrame(rows, columns=["city", "county", "path", "quota", "panel", "new", "reserves"])
    return CityWorkbooks(files, folder)


def _file_row(city: str, county: str, path: Path, cells: Mapping[str, Any], facts: _Facts) -> dict:
    roles = facts.roles
    return {
        "city": city,
        "county": county,
        "path": path,
        "quota": int(np.asarray(cells["quota"]).sum()),
        "panel": int(roles.get("panel", 0)),
        "new": int(roles.get("new", 0)),
        "reserves": int(roles.get("reserve", 0)),
    }


def _task_of(quotas: QuotaTable, task: pd.DataFrame | None, city: str) -> dict[str, float]:
    if task is not None:
        return task.loc[city, ["target", "secondary", "tertiary"]].to_dict()
    own = {"target": quotas.targets[city]}
    if quotas.sector_targets is not None and city in quotas.sector_targets.index:
        own.update(quotas.sector_targets.loc[city].to_dict())
    return own


@dataclass(frozen=True)
class _Context:
    quotas: QuotaTable
    synthetic: bool
    base_period: str
    idle_reserves: pd.Series


@dataclass(frozen=True)
class _Facts:
    """What the notes and the list of workbooks say about the people of a city or county:
    enterprises per role, the sections and the industry divisions present."""

    roles: dict[str, int]
    sections: frozenset[str]
    divisions: frozenset[str]

    EMPTY: ClassVar[_Facts]

    @staticmethod
    def of(people: pd.DataFrame) -> _Facts:
        return _Facts.of_cities(people.assign(city="")).get("", _Facts.EMPTY)

    @staticmethod
    def of_cities(named: pd.DataFrame) -> dict[str, _Facts]:
        """Every city's facts from the whole named sample at once (one pass, not one per city)."""
        city = named["city"].astype(str).to_numpy()
        roles = (
            pd.Series(1, index=pd.MultiIndex.from_arrays([city, named["role"].to_numpy()]))
            .groupby(level=[0, 1])
            .sum()
        )
        secs = pd.DataFrame({"c": city, "s": named["section"].astype(str).to_numpy()}).drop_duplicates()
        codes = named["industry_code"].to_numpy(dtype=object)
        text = np.array([c[:2] if isinstance(c, str) else "" for c in codes], dtype=object)
        divs = pd.DataFrame({"c": city, "d": text}).drop_duplicates()
        divs = divs[divs["d"] != ""]
        by_role: dict[str, dict[str, int]] = {}
        for (c, role), n in roles.items():
            by_role.setdefault(c, {})[role] = int(n)
        sec_of = secs.groupby("c")["s"].agg(frozenset).to_dict()
        div_of = divs.groupby("c")["d"].agg(frozenset).to_dict()
        return {
            c: _Facts(r, sec_of.get(c, frozenset()), div_of.get(c, frozenset())) for c, r in by_role.items()
        }


_Facts.EMPTY = _Facts({}, frozenset(), frozenset())


@cache
def _section_of_division() -> dict[str, str]:
    return dict(zip(divisions()["division"], divisions()["section"]))


@cache
def _state_owned_line() -> str:
    types = registration_types().set_index("code")["name_zh"]
    state = "、".join(f"{types.get(c, c)}({c})" for c in sorted(DEFAULT_STATE_OWNED_CODES))
    return f"国有: {state}; 其余登记注册类型(集体、股份合作、联营、有限责任、股份有限、私营、港澳台和外商投资等)为非国有。"


@cache
def _thresholds() -> list[tuple]:
    return list(size_thresholds().itertuples(index=False))


def _thresholds_present(facts: _Facts, cells: Mapping[str, Any]) -> list[tuple]:
    """Rows of the size-threshold table for the industry groups present in the city."""
    quota = np.asarray(cells["quota"]) > 0
    secs = set(np.asarray(cells["section"])[quota].astype(str)) | facts.sections
    divs = facts.divisions
    section_of = _section_of_division()

    def present(token: str) -> bool:
        # A scope token is a section letter, a division (2 digits) or a class (4 digits).
        if len(token) == 1:
            return token in secs
        div = token[:2]
        return div in divs if divs else section_of.get(div) in secs

    return [row for row in _thresholds() if any(present(tok) for tok in row.scope.split())]


def _write_notes(
    sheet: Sheet,
    ctx: _Context,
    city: str,
    county: str | None,
    cells: Mapping[str, Any],
    facts: _Facts,
    has_counties: bool,
) -> None:
    rules = ctx.quotas.rules
    where = f"{city}{county or ''}"
    sheet.append([f"{where} 企业用工定点监测工作包"], style="title")
    if ctx.synthetic:
        sheet.append(
            [
                "注意: 本工作簿的企业名录是合成数据(sampling.synthetic.make_frame), 只演示方法, 名单中的企业并不存在。"
            ],
            style="fail",
        )
    sheet.append([f"依据: {rules_title(rules)}"])
    roles = facts.roles
    idle = int(ctx.idle_reserves.get(city, 0)) if county is None else 0
    sheet.append(
        [
            f"样本: 配额 {int(np.asarray(cells['quota']).sum()):,} 户 = 现有监测企业 {int(roles.get('panel', 0)):,} 户 + "
            f"新增 {int(roles.get('new', 0)):,} 户; 备选企业 {int(roles.get('reserve', 0)):,} 户"
            + (f"(另有 {idle:,} 户备选企业所在单元没有配额, 不列出)" if idle else "")
        ]
    )
    sheet.append()
    sheet.append(["一、本工作簿各表"], style="bold")
    parts = [
        (
            "配额",
            "各门类、规模、所有制的样本配额; 二、三产业小计与下达任务对照; 可选企业数不含微型企业和不可选的门类",
        ),
        *([("县区任务", "本市任务在各县(区)的分配和各县(区)名单中的企业数")] if has_counties else []),
        *([("规则检查", "本市配额对各项规则的检查, 不通过和提示在前")] if county is None else []),
        (
            "新增企业名单",
            "需新增监测的企业, 按部里的失业动态监测城市监测企业名单格式(序号、城市名、企业名称、企业性质、所属行业)",
        ),
        ("备选企业", "各单元的备选企业, 按使用顺序排列"),
        ("现有监测企业", "保留的现有监测企业"),
    ]
    for name, text in parts:
        sheet.append([name, text])
    sheet.append()
    sheet.append(["二、样本构成规则"], style="bold")
    sheet.append(["规则", "依据", "性质"], style="header")
    for rule in rules:
        sheet.append([rule.description_zh, rule.source, _KIND_ZH[rule.kind]], style=["wrap", None, None])
    sheet.append()
    sheet.append(["三、企业规模划分(国统字〔2011〕75号, 本市涉及的行业)"], style="bold")
    sheet.append(["行业", "指标", "单位", "大型(≥)", "中型(≥)", "小型(≥)"], style="header")
    indicator = {"employees": "从业人员", "revenue": "营业收入", "assets": "资产总额"}
    for row in _thresholds_present(facts, cells):
        sheet.append(
            [
                row.group,
                indicator.get(row.indicator, row.indicator),
                row.unit,
                row.large,
                row.medium,
                row.small,
            ],
            style=[None, None, None, "integer", "integer", "integer"],
        )
    sheet.append(
        [
            "大、中、小型须同时满足所列两项指标的下限, 微型只需满足一项; 微型企业原则上不纳入监测(人社部函〔2011〕308号)。"
        ]
    )
    sheet.append()
    sheet.append(["四、国有企业的范围(国统字〔1998〕200号企业登记注册类型)"], style="bold")
    sheet.append([_state_owned_line()])
    sheet.append(["国有企业原则上不超过本市样本的1/3。"])
    sheet.append()
    sheet.append(["五、备选企业的使用"], style="bold")
    for line in (
        "新增或现有监测企业关闭破产、迁出本市或不再符合监测条件时, 由同一单元(同一门类或单列的行业大类、规模、所有制)的备选企业按备选顺序1、2、……依次递补;",
        "不跨单元递补; 单元内备选企业用完时报省里处理。",
        "停业整顿、裁员等是月报的减员类型, 本身不是更换企业的理由。",
        "更换、剔除、补充样本须在部里统一安排下进行, 各地不自行更换(人社部函〔2011〕308号)。",
    ):
        sheet.append([line])
    sheet.append()
    sheet.append(["六、时间要求"], style="bold")
    deadline = 10 if rules_title(rules) == DOC_2009 else 5  # 2009: before the 10th; 2011: the 5th
    for line in (
        f"基期(建档期): {ctx.base_period}的就业人数; 以后每月以上月末为基期。",
        f"每月{deadline}日前报送汇总数据和分析报告(遇节假日提前)。",
        "关闭破产、停业整顿、业务转移和大量裁员等情况须附专项说明。",
    ):
        sheet.append([line])
    sheet.append()
    sheet.append(["七、联系人(请填写)"], style="bold")
    for label in ("填报单位", "联系人", "联系电话", "电子邮箱", "填报日期"):
        sheet.append([label, None])
    sheet.widths({1: 60, 2: 40, 3: 16, 4: 10, 5: 10, 6: 10})


def _check_table(checks: pd.DataFrame, rules: RuleSet) -> tuple[pd.DataFrame, dict[str, object]]:
    """The rule-check rows in Chinese, failures first within each city, and their styles."""
    order = checks["status"].map(_STATUS_ORDER).fillna(9).to_numpy()
    city_order = pd.factorize(checks["city"])[0]
    checks = checks.iloc[np.lexsort((order, city_order))]
    share = checks["rule"].isin(_SHARE_RULES).to_numpy()
    rule_ids = checks["rule"].astype(str).to_numpy()
    text = {r: rules[r].description_zh if r in rules else _EXTRA_RULES.get(r, r) for r in set(rule_ids)}
    source = {r: rules[r].source if r in rules else "" for r in set(rule_ids)}
    kind = {r: _KIND_ZH[rules[r].kind] if r in rules else _KIND_ZH["hard"] for r in set(rule_ids)}
    city = checks["city"].astype(str).to_numpy()
    observed = checks["observed"].to_numpy(dtype=float)
    table = pd.DataFrame(
        {
            "结果": checks["status"].map(_STATUS_ZH).fillna(checks["status"]).to_numpy(),
            "范围": np.where(city == PROVINCE, "全省", city),
            "规则": [text[r] for r in rule_ids],
            "依据": [source[r] for r in rule_ids],
            "性质": [kind[r] for r in rule_ids],
            "观测值": observed,
            "限值": pd.to_numeric(checks["limit"], errors="coerce").to_numpy(dtype=float),
            "说明": checks["message_zh"].to_numpy(),
        }
    )
    whole = ~share & np.isclose(np.nan_to_num(observed) % 1, 0)
    styles = {
        "结果": checks["status"].where(checks["status"].isin(list(_STATUS_ZH)), "default").to_numpy(),
        "规则": "wrap",
        "观测值": np.where(share, "percent", np.where(whole, "integer", "decimal")),
        "限值": np.where(share, "percent", "integer"),
        "说明": "wrap",
    }
    return table.assign(_city=city), styles


class _Checks:
    """Each city's rule checks (then the province-wide ones), rendered once and cut by city."""

    first_row = 4  # title, documents, header

    def __init__(self, checks: pd.DataFrame, rules: RuleSet) -> None:
        self.rules = rules
        city_rows = checks[checks["city"] != PROVINCE]
        table, styles = _check_table(city_rows, rules)
        city = table.pop("_city").to_numpy()
        seq = pd.Series(city).groupby(city, sort=False).cumcount().to_numpy()
        self.columns = list(table.columns)
        self.rendered = render_rows(table, seq + self.first_row, styles=styles) if len(table) else None
        starts = np.flatnonzero(np.r_[True, city[1:] != city[:-1]]) if len(city) else np.array([], dtype=int)
        stops = np.r_[starts[1:], len(city)]
        self.bounds = {str(city[i]): (int(i), int(j)) for i, j in zip(starts, stops)}
        self.province, self.province_styles = _check_table(checks[checks["city"] == PROVINCE], rules)
        self.province = self.province.drop(columns="_city")

    def write(self, sheet: Sheet, city: str) -> None:
        sheet.append([f"{city} 样本配额规则检查"], style="title")
        sheet.append([f"依据: {rules_title(self.rules)}"])
        sheet.append(self.columns, style="header")
        start, stop = self.bounds.get(city, (0, 0))
        if stop > start:
            sheet.append_rendered(self.rendered.slice(start, stop - start), self.first_row)
        if len(self.province):
            sheet.append_frame(self.province, header=False, styles=self.province_styles)
        sheet.freeze("A4")
        sheet.widths({1: 8, 2: 8, 3: 40, 4: 24, 5: 12, 6: 10, 7: 10, 8: 50})


_LIST_SHEETS: tuple[tuple[str, str], ...] = (
    ("新增企业名单", "new"),
    ("备选企业", "reserve"),
    ("现有监测企业", "panel"),
)


def _list_table(part: pd.DataFrame, role: str) -> pd.DataFrame:
    """One list sheet's table: the ministry's five columns first (the reserves' cell and order
    before them), then the columns that locate each enterprise."""
    seq = part.groupby("city", sort=False).cumcount().to_numpy() + 1
    table = pd.DataFrame(
        {
            "序号": seq,
            "城市名": part["city"].array,
            "企业名称": part["name"].array,
            "企业性质": part["registration_type"].array,
            "所属行业": part["industry"].array,
        }
    )
    cell = {"门类": part["section"].array}
    if "industry_group" in part.columns:
        # A division split off its section (C39) is a cell of its own: reserves replace within it.
        cell["行业组"] = part["industry_group"].array
    cell |= {"规模": part["size_zh"].array, "所有制": part["ownership_zh"].array}
    if role == "reserve":
        for k, (name, values) in enumerate([*cell.items(), ("备选顺序", part["reserve_rank"].to_numpy())]):
            table.insert(1 + k, name, values)
    else:
        for name, values in cell.items():
            table[name] = values
    table["门类名称"] = part["section_name"].array
    table["从业人员"] = part["employees"].to_numpy()
    table["统一社会信用代码"] = part["enterprise_id"].array
    if "county" in part.columns:
        table["县(区)"] = part["county"].array
    return table


class _Lists:
    """The three list sheets of every city, rendered once and cut by city."""

    def __init__(self, named: pd.DataFrame) -> None:
        self.tables: dict[str, pd.DataFrame] = {}
        self.headers: dict[str, list[str]] = {}
        self.rendered: dict[str, object] = {}
        self.bounds: dict[str, dict[str, tuple[int, int]]] = {}
        for _, role in _LIST_SHEETS:
            part = named[named["role"].to_numpy() == role]
            table = _list_table(part, role)
            self.tables[role] = table
            self.headers[role] = [str(c) for c in table.columns]
            # Row 1 is the header: enterprise k of a city goes to row k + 1 of its sheet.
            self.rendered[role] = render_rows(
                table, table["序号"].to_numpy() + 1, styles={"从业人员": "integer"}
            )
            city = part["city"].to_numpy()
            starts = (
                np.flatnonzero(np.r_[True, city[1:] != city[:-1]]) if len(city) else np.array([], dtype=int)
            )
            stops = np.r_[starts[1:], len(city)]
            self.bounds[role] = {str(city[i]): (int(i), int(j)) for i, j in zip(starts, stops)}

    def write(self, wb: Workbook, city: str) -> None:
        for sheet_name, role in _LIST_SHEETS:
            table = self.tables[role]
            sheet = wb.add_sheet(sheet_name)
            sheet.append(self.headers[role], style="header")
            start, stop = self.bounds[role].get(city, (0, 0))
            if stop > start:
                sheet.append_rendered(self.rendered[role].slice(start, stop - start), 2)
            _list_layout(sheet, table)


def _list_layout(sheet: Sheet, table: pd.DataFrame) -> None:
    sheet.freeze("A2")
    wide = {"企业名称": 30, "企业性质": 16, "所属行业": 30, "门类名称": 24, "统一社会信用代码": 22}
    sheet.widths({table.columns.get_loc(c) + 1: w for c, w in wide.items()})


def _write_county_lists(wb: Workbook, people: pd.DataFrame) -> None:
    for sheet_name, role in _LIST_SHEETS:
        table = _list_table(people[people["role"].to_numpy() == role], role)
        sheet = wb.add_sheet(sheet_name)
        sheet.append_frame(table, styles={"从业人员": "integer"})
        _list_layout(sheet, table)


def _county_quotas(
    cells: pd.DataFrame, register: pd.DataFrame, column: str, city: str, *, cells_open: pd.DataFrame
) -> pd.DataFrame:
    """The city's cell quotas apportioned to its counties (see write_city_workbooks' Notes).

    The cells are the quota table's: industry groups (``industry_group``, a section or a
    division split off it) where the table and the register have them, else sections.
    """
    group = _county_group_column(cells, register)
    keys = [group, "size_class", "state_owned"]
    reg = register[register["city"].astype(str) == city]
    county = reg[column].astype(object).where(reg[column].notna(), _UNKNOWN_COUNTY).astype(str)
    frame = pd.DataFrame(
        {
            "county": county.to_numpy(),
            group: reg[group].astype(str).to_numpy(),
            "size_class": reg["size_class"].astype(str).to_numpy(),
            "state_owned": reg["state_owned"].astype(bool).to_numpy(),
            "panel": reg["in_panel"].astype(bool).to_numpy() if "in_panel" in reg else False,
        }
    )
    counts = frame.groupby(["county", *keys], observed=True).agg(
        available=("panel", "size"), panel=("panel", "sum")
    )
    counties = sorted(set(frame["county"]))
    out = []
    for cell in cells.itertuples(index=False):
        key = (str(getattr(cell, group)), cell.size_class, bool(cell.state_owned))
        idx = pd.MultiIndex.from_tuples([(c, *key) for c in counties], names=["county", *keys])
        here = counts.reindex(idx, fill_value=0)
        available = here["available"].to_numpy(dtype=np.int64)
        panel = here["panel"].to_numpy(dtype=np.int64)
        open_cell = cell.available > 0 and cell.eligible == cell.available
        weights = pd.Series((available if open_cell else panel).astype(float), index=counties)
        quota = int(cell.quota)
        if quota <= panel.sum() or weights.sum() == 0:
            seats = np.minimum(panel, quota) if quota < panel.sum() else panel
            if seats.sum() < quota:
                seats = panel.copy()
                seats[int(np.argmax(available))] += quota - panel.sum()
        else:
            upper = (
                pd.Series(np.maximum(available, panel), index=counties) if available.sum() >= quota else None
            )
            seats = apportion(
                weights, quota, method="hamilton", lower=pd.Series(panel, index=counties), upper=upper
            ).to_numpy()
        for c, q, a, p in zip(counties, seats, available, panel):
            row = {"county": c, "section": cell.section}
            if group == "industry_group":
                row["industry_group"] = str(cell.industry_group)
            row.update(
                {
                    "size_class": cell.size_class,
                    "state_owned": bool(cell.state_owned),
                    "quota": int(q),
                    "panel": int(p),
                    "available": int(a),
                    "eligible": int(a) if open_cell else 0,
                }
            )
            out.append(row)
    names = ["county", "section", *(["industry_group"] if group == "industry_group" else [])]
    return pd.DataFrame(out, columns=[*names, *keys[1:], "quota", "panel", "available", "eligible"])


def _county_group_column(cells: pd.DataFrame, register: pd.DataFrame) -> str:
    """``industry_group`` when the quota cells split a division off its section, else ``section``."""
    if "industry_group" not in cells.columns:
        return "section"
    if "industry_group" in register.columns:
        return "industry_group"
    split = cells["industry_group"].astype(str).to_numpy() != cells["section"].astype(str).to_numpy()
    if split.any():
        shown = sorted(set(cells.loc[split, "industry_group"].astype(str)))[:5]
        raise SampleError(
            f"the quota cells have industry groups split off their sections ({', '.join(shown)}) but the "
            "register has no industry_group column to apportion them to counties (sampling.prepare_frame adds it)"
        )
    return "section"


def _write_county_table(sheet: Sheet, city: str, counties: pd.DataFrame, people: pd.DataFrame) -> None:
    by = counties.groupby("county", sort=True)[["quota", "panel", "eligible"]].sum()
    listed = people[people["role"].isin(["panel", "new"])].groupby("county").size()
    by["listed"] = listed.reindex(by.index, fill_value=0)
    sheet.append([f"{city} 各县(区)监测任务"], style="title")
    sheet.append(
        [
            "各单元配额按县(区)可选企业数分配(最大余数法, 不低于该县(区)现有监测企业数); 名单中企业数为本市样本中位于该县(区)的企业。"
        ]
    )
    table = pd.DataFrame(
        {
            "县(区)": by.index.astype(str),
            "配额": by["quota"].to_numpy(),
            "其中现有监测企业": by["panel"].to_numpy(),
            "名单中企业数": by["listed"].to_numpy(),
            "可选企业数": by["eligible"].to_numpy(),
        }
    )
    first, last = sheet.append_frame(table, styles={c: "integer" for c in table.columns[1:]})
    sheet.append(
        ["合计"]
        + [
            Formula(f"SUM({col}{first}:{col}{last})", int(table[name].sum()))
            for col, name in zip("BCDE", table.columns[1:])
        ],
        style="total",
    )
    sheet.freeze("B4")
    sheet.widths({1: 20, 2: 10, 3: 16, 4: 14, 5: 12})
