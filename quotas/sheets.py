"""The quota sheets a city bureau reads: a city's quota grid and the province's one line per city.

Both are written on :class:`basis.xlsx.Sheet` objects, so that :meth:`quotas.QuotaTable.to_excel`
and the city workbooks (:mod:`empmon.workbook`) show the same table. Every total is a formula
with its cached value. Headers are Chinese; rule sets are named by their documents.

The eligible count (可选企业数) of a cell is what new enterprises can be chosen from: the
enterprises of the cell when its section is one the city may choose from (the top sections
by employment of ``top_industries``, and the pillar sections) and its size class is not
excluded (micro, under ``micro_excluded`` with limit 0); otherwise 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from basis.xlsx import Formula, Sheet, column_letter
from quotas.classify import divisions, sections
from quotas.industry_groups import group_matches, sector_of_group
from quotas.labels import SECTOR_LABELS_ZH, SECTOR_NAMES, SIZE_CLASSES, SIZE_LABELS_ZH

if TYPE_CHECKING:
    from quotas.rules import RuleSet
    from quotas.table import QuotaTable

__all__ = [
    "OWNERSHIP_LABELS_ZH",
    "eligible",
    "rules_title",
    "write_city_quotas",
    "write_province_summary",
]

OWNERSHIP_LABELS_ZH: dict[bool, str] = {True: "国有", False: "非国有"}
"""Chinese label of the ``state_owned`` cell key."""


def rules_title(rules: RuleSet) -> str:
    """The documents a rule set comes from, in the order its rules name them.

    Examples
    --------
    >>> from quotas.rules import Rule, RuleSet
    >>> rules = RuleSet("example", (
    ...     Rule("sme_min", "中小型企业不得低于60%", "SME >= 60%", "人社部函〔2011〕308号", limit=0.6),
    ...     Rule("sector_split", "二、三产业", "sectors", "广东省全省企业用工定点监测扩面组织实施方案(2013)"),
    ...     Rule("micro_excluded", "微型企业原则上不纳入", "no micro", "人社部函〔2011〕308号", limit=0.0),
    ... ))
    >>> rules_title(rules)
    '人社部函〔2011〕308号、广东省全省企业用工定点监测扩面组织实施方案(2013)'
    """
    return "、".join(dict.fromkeys(rule.source for rule in rules))


def eligible(quotas: QuotaTable) -> pd.Series:
    """The eligible count of each cell of ``quotas.cells`` (see the module docstring).

    Open to new enterprises, as :func:`quotas.build_quotas` decides it: a cell whose section
    ranks in the city's top ``top_industries`` by employment in the structure (ties at the
    last place included, sections without employment never), or whose industry group is one
    of the city's key industries; and not micro under ``micro_excluded`` with limit 0.

    Returns
    -------
    Series of int64
        Aligned on ``quotas.cells``.
    """
    cells = quotas.cells
    ok = np.ones(len(cells), dtype=bool)
    rules = quotas.rules
    if "micro_excluded" in rules and rules.limit("micro_excluded") == 0:
        ok &= (cells["size_class"] != "micro").to_numpy()
    top_n = rules.limit("top_industries") if "top_industries" in rules else None
    if top_n is not None and quotas.structure is not None:
        emp = quotas.structure.groupby(["city", "section"], observed=True)["employment"].sum()
        emp = emp[emp > 0]
        rank = emp.groupby(level=0, observed=True).rank(method="min", ascending=False)
        pairs = {(str(c), str(x)) for c, x in rank.index[rank <= top_n]}
        top = np.fromiter(
            ((str(c), str(x)) in pairs for c, x in zip(cells["city"], cells["section"])),
            dtype=bool,
            count=len(cells),
        )
        key = quotas.key_industries
        if key is not None and len(key):
            groups = cells["industry_group"] if "industry_group" in cells.columns else cells["section"]
            city = cells["city"].astype(str).to_numpy(dtype=object)
            for c, code in key[["city", "industry_group"]].itertuples(index=False):
                top |= (city == str(c)) & group_matches(groups, code)
        ok &= top
    return pd.Series(np.where(ok, cells["available"].to_numpy(dtype=np.int64), 0), index=cells.index)


@cache
def _group_names() -> dict[str, str]:
    """Name of a section group (its section's) and of a division group (``C39``: the division's)."""
    names = dict(zip(sections()["section"], sections()["name_zh"]))
    d = divisions()
    names.update({f"{sec}{div}": name for sec, div, name in zip(d["section"], d["division"], d["name_zh"])})
    return names


@cache
def _sectors_of(groups: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(int(x) for x in sector_of_group(pd.Series(list(groups), dtype=object))) if groups else ()


def _sizes(cells: Mapping[str, Any]) -> list[str]:
    """Size classes shown: micro only where some quota holds micro enterprises."""
    micro = bool(((np.asarray(cells["size_class"]) == "micro") & (np.asarray(cells["quota"]) > 0)).any())
    return [s for s in SIZE_CLASSES if s != "micro" or micro]


def write_city_quotas(
    sheet: Sheet,
    cells: pd.DataFrame | Mapping[str, Any],
    *,
    title: str,
    subtitle: str,
    task: Mapping[str, float] | pd.Series | None = None,
    task_label: str = "下达任务",
) -> dict[str, int]:
    """Write one city's (or county's) quota grid on ``sheet``.

    Rows: the industry groups (sections, or divisions split off them: ``industry_group``
    where the cells have it) with a quota, panel enterprises or eligible ones, grouped by sector
    (第一/第二/第三产业) with a subtotal row each, then 合计. Columns: 门类, 门类名称, size class x
    ownership, 配额合计, 其中现有监测企业, 新增 (配额 - 现有), 可选企业数 (eligible only). Below,
    each sector's quota against ``task`` (the official task: ``target`` and the sector names
    ``secondary``, ``tertiary``), with the difference.

    Parameters
    ----------
    sheet : basis.xlsx.Sheet
        An empty sheet.
    cells : DataFrame or mapping of column -> array
        The city's cells: ``section`` (or ``industry_group``), ``size_class, state_owned,
        quota, panel, eligible``.
    title, subtitle : str
        The first two lines.
    task : mapping or Series, optional
        ``target`` and sector names -> official numbers.
    task_label : str
        Header of the task column.

    Returns
    -------
    dict
        Row numbers: ``total`` (the 合计 row) and one per sector code present.
    """
    sizes = _sizes(cells)
    names = _group_names()
    # Rows are the cells' industry: the industry group where the table has one, else the section.
    group_column = "industry_group" if "industry_group" in cells else "section"
    keys = [(s, o) for s in sizes for o in (True, False)]
    slot = {key: j for j, key in enumerate(keys)}
    n_grid = len(keys)
    # Per section: the grid, then quota, panel and eligible (plain Python: a city has few cells).
    per: dict[str, list[int]] = {}
    for sec, size, owned, quota, panel, elig in zip(
        *(
            np.asarray(cells[c]).tolist()
            for c in (group_column, "size_class", "state_owned", "quota", "panel", "eligible")
        )
    ):
        acc = per.setdefault(sec, [0] * (n_grid + 3))
        j = slot.get((size, bool(owned)))
        if j is not None:
            acc[j] += int(quota)
        acc[n_grid] += int(quota)
        acc[n_grid + 1] += int(panel)
        acc[n_grid + 2] += int(elig)
    shown = sorted(sec for sec, acc in per.items() if any(acc[n_grid:]))
    c_total, c_panel = column_letter(3 + n_grid), column_letter(4 + n_grid)
    last = column_letter(3 + n_grid + 3)
    sheet.append([title], style="title")
    sheet.append([subtitle])
    sheet.append(
        ["门类", "门类名称"]
        + [SIZE_LABELS_ZH[s] if o else None for s, o in keys]
        + ["配额合计", "其中现有监测企业", "新增", "可选企业数"],
        style="header",
    )
    sheet.append([None, None] + [OWNERSHIP_LABELS_ZH[o] for _, o in keys] + [None] * 4, style="header")
    for j in range(len(sizes)):
        sheet.merge(f"{column_letter(3 + 2 * j)}3:{column_letter(4 + 2 * j)}3")
    for col in [1, 2, *range(3 + n_grid, 7 + n_grid)]:
        sheet.merge(f"{column_letter(col)}3:{column_letter(col)}4")
    sector = dict(zip(shown, _sectors_of(tuple(shown))))
    rows: dict[str, int] = {}
    quota_of: dict[str, int] = {}
    totals = np.zeros(n_grid + 4, dtype=np.int64)
    for code in sorted(set(sector.values())):
        first = sheet.row + 1
        sub = np.zeros(n_grid + 4, dtype=np.int64)
        for sec in (x for x in shown if sector[x] == code):
            values = per[sec][:n_grid]
            quota, panel, elig = per[sec][n_grid:]
            r = sheet.row + 1
            row = [
                *values,
                Formula(f"SUM(C{r}:{column_letter(2 + n_grid)}{r})", quota),
                panel,
                Formula(f"{c_total}{r}-{c_panel}{r}", quota - panel),
                elig,
            ]
            sub += np.array([*values, quota, panel, quota - panel, elig], dtype=np.int64)
            sheet.append([sec, names.get(sec, sec), *row], style=[None, None] + ["integer"] * len(row))
        end = sheet.row
        rows[SECTOR_NAMES[code]] = sheet.append(
            [f"{SECTOR_LABELS_ZH[code]}小计", None]
            + [
                Formula(f"SUM({column_letter(c)}{first}:{column_letter(c)}{end})", int(v))
                for c, v in enumerate(sub, start=3)
            ],
            style="total",
        )
        quota_of[SECTOR_NAMES[code]] = int(sub[n_grid])
        totals += sub
    subtotal_rows = list(rows.values())
    rows["total"] = sheet.append(
        ["合计", None]
        + [
            Formula("+".join(f"{column_letter(c)}{r}" for r in subtotal_rows) or "0", int(v))
            for c, v in enumerate(totals, start=3)
        ],
        style="total",
    )
    quota_of["target"] = int(totals[n_grid])
    rows["target"] = rows["total"]
    sheet.append()
    if task is not None:
        task = dict(task.items())
        sheet.append(["产业", None, "配额", task_label, "差额"], style="header")
        for name, label in (("secondary", "第二产业"), ("tertiary", "第三产业"), ("target", "合计")):
            if name not in task or pd.isna(task[name]):
                continue
            quota = quota_of.get(name, 0)
            r = sheet.row + 1
            ref = Formula(f"{c_total}{rows[name]}", quota) if name in rows else 0
            sheet.append(
                [label, None, ref, int(task[name]), Formula(f"C{r}-D{r}", quota - int(task[name]))],
                style=[None, None, "integer", "integer", "integer"],
            )
        sheet.append()
    sheet.append(
        [
            "可选企业数: 本市可选新企业的门类(就业人数前列的行业及支柱产业)中、非微型的企业数; "
            "其余门类只保留现有监测企业, 不选新企业。"
        ]
    )
    sheet.merge(f"A{sheet.row}:{last}{sheet.row}")
    sheet.freeze("C5")
    sheet.widths(
        {
            1: 6,
            2: 30,
            **{c: 8 for c in range(3, 3 + n_grid)},
            **{c: 11 for c in range(3 + n_grid, 7 + n_grid)},
        }
    )
    return rows


def write_province_summary(sheet: Sheet, quotas: QuotaTable, cities: list[str], *, title: str) -> None:
    """One row per city: 目标数, 配额合计, by size class, 国有, 非国有, 制造业, 现有监测企业, 合计 row."""
    by = quotas._by_city().loc[cities]
    heads = [
        "城市",
        "目标数",
        "配额合计",
        "大型",
        "中型",
        "小型",
        "微型",
        "国有",
        "非国有",
        "制造业",
        "现有监测企业",
    ]
    sheet.append([title], style="title")
    sheet.append(heads, style="header")
    table = pd.DataFrame(
        {
            "城市": by.index.astype(str),
            "目标数": by["target"],
            "配额合计": by["quota"],
            "大型": by["large"],
            "中型": by["medium"],
            "小型": by["small"],
            "微型": by["micro"],
            "国有": by["state_owned"],
            "非国有": by["quota"] - by["state_owned"],
            "制造业": by["manufacturing"],
            "现有监测企业": by["panel"],
        }
    )
    first, last = sheet.append_frame(table, header=False, styles={h: "integer" for h in heads[1:]})
    sheet.append(
        ["合计"]
        + [
            Formula(f"SUM({column_letter(j)}{first}:{column_letter(j)}{last})", int(table[h].sum()))
            for j, h in enumerate(heads[1:], start=2)
        ],
        style="total",
    )
    sheet.freeze("B3")
    sheet.widths({1: 18, **{j: 10 for j in range(2, len(heads) + 1)}})
