"""The result of :func:`quotas.build_quotas`: a quota per city x industry group x size class x ownership."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from basis.results import Result
from quotas.checks import check_cells
from quotas.classify import SIZE_CLASSES
from quotas.exceptions import QuotaInputError
from quotas.rules import RuleSet

__all__ = ["QUOTA_COLUMNS", "QuotaTable"]

QUOTA_COLUMNS: tuple[str, ...] = (
    "city",
    "section",
    "industry_group",
    "size_class",
    "state_owned",
    "quota",
    "ideal",
    "available",
    "panel",
)
"""The pipeline's quota-table columns, in order (``docs/pipeline.md``)."""


@dataclass(frozen=True, eq=False, repr=False)
class QuotaTable(Result):
    """Integer quotas per cell that meet a rule set, with what was relaxed and why.

    ``repr`` is one line (:meth:`headline`); ``print`` shows :meth:`summary`; Jupyter shows
    the relaxed soft rules and notes first, then one row per city.

    Attributes
    ----------
    cells : DataFrame
        One row per city and cell: :data:`QUOTA_COLUMNS` (``ideal`` is the proportional
        ideal, ``available`` the enterprises in the cell, ``panel`` those already monitored),
        plus ``enterprises_50_300`` when the structure had it.
    targets : Series
        Sample size per city (full names).
    rules : RuleSet
        The rules the table was built under.
    relaxed : DataFrame
        Soft rules the table breaks: ``city, rule, limit, allowed, achieved, share, by``
        (``allowed`` and ``achieved`` are enterprise counts, ``by`` how many enterprises past
        the limit; for ``band_50_300_min`` expected counts, ``city`` the province).
    notes : tuple of str
        Rules that could not be applied (missing data) and where the panel came from.
    solver : str
        The solver used.
    structure : DataFrame, optional
        The validated population structure (for :meth:`check`).
    key_industries : DataFrame, optional
        The key and pillar industries the table was built with: ``city, industry_group,
        min_share`` (:func:`quotas.industry_groups.check_key_industries`).
    population : Series, optional
        City -> population used for ``min_count``.
    sector_targets : DataFrame, optional
        The sector targets applied under ``sector_split``.
    """

    cells: pd.DataFrame
    targets: pd.Series
    rules: RuleSet
    relaxed: pd.DataFrame
    notes: tuple[str, ...] = ()
    solver: str = "highs"
    structure: pd.DataFrame | None = None
    key_industries: pd.DataFrame | None = None
    population: pd.Series | None = None
    sector_targets: pd.DataFrame | None = None

    # ------------------------------------------------------------------ views

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``city, section, industry_group, size_class, state_owned, quota, ideal,
        available, panel``.

        Examples
        --------
        >>> import pandas as pd
        >>> from quotas import build_quotas
        >>> s = pd.DataFrame({"city": "珠海市", "section": ["C", "G"], "size_class": "small",
        ...                   "state_owned": False, "enterprises": [50, 50], "employment": [100, 100]})
        >>> build_quotas(s, pd.Series({"珠海市": 60})).to_frame()[["section", "quota", "ideal"]].values.tolist()
        [['C', 24, 30.0], ['G', 36, 30.0]]
        """
        return self.cells.copy()

    @property
    def quota(self) -> pd.Series:
        """Total quota per city."""
        return self.cells.groupby("city", sort=False)["quota"].sum().reindex(self.targets.index)

    def pivot(self, city: str | None = None) -> pd.DataFrame:
        """Quotas as section x size class (ownership added up), for one city or all.

        Parameters
        ----------
        city : str, optional
            Full city name; all cities added up when omitted.

        Returns
        -------
        DataFrame
            Index: sections (A-T) present; columns: size classes present, large to micro.

        Examples
        --------
        >>> import pandas as pd
        >>> from quotas import build_quotas
        >>> s = pd.DataFrame({"city": "珠海市", "section": ["C", "G", "G"],
        ...                   "size_class": ["small", "small", "medium"], "state_owned": False,
        ...                   "enterprises": [50, 50, 20], "employment": [100, 50, 50]})
        >>> build_quotas(s, pd.Series({"珠海市": 60})).pivot("珠海市").to_dict("index")
        {'C': {'medium': 0, 'small': 24}, 'G': {'medium': 18, 'small': 18}}
        """
        cells = self.cells
        if city is not None:
            if city not in set(cells["city"]):
                raise KeyError(f"no city {city!r} in the quota table; it has {list(self.targets.index)}")
            cells = cells[cells["city"] == city]
        table = cells.pivot_table(
            index="section", columns="size_class", values="quota", aggfunc="sum", fill_value=0
        )
        order = [s for s in SIZE_CLASSES if s in table.columns]
        return table[order].astype(np.int64)

    # ------------------------------------------------------------------ checks

    def check(self) -> pd.DataFrame:
        """Re-verify every rule from the quota numbers alone, independently of the solver.

        Returns
        -------
        DataFrame
            ``city, rule, observed, limit, status, message_zh, message_en``: the rows of
            :func:`quotas.checks.check_cells` on the quotas (with the targets, population,
            key industries, structure and sector targets the table was built with), then per city a
            ``capacity`` row (cells whose quota exceeds the enterprises available; limit 0)
            and a ``panel`` row (cells whose quota is below their panel; limit 0).
            Kept panel enterprises are exempt from ``top_industries``.
            ``band_50_300_min`` counts the expected 50-300-employee enterprises of each cell
            (quota x enterprises_50_300 / enterprises).

        Examples
        --------
        >>> import pandas as pd
        >>> from quotas import build_quotas
        >>> s = pd.DataFrame({"city": "珠海市", "section": ["C", "G"], "size_class": "small",
        ...                   "state_owned": False, "enterprises": [50, 50], "employment": [100, 100]})
        >>> report = build_quotas(s, pd.Series({"珠海市": 60})).check()
        >>> report.loc[report["rule"] == "manufacturing_max", ["observed", "limit", "status"]].values.tolist()
        [[0.4, 0.4, 'pass']]
        """
        # ``panel``: kept panel enterprises, exempt from top_industries (it governs new ones).
        cells = self.cells.rename(columns={"quota": "count"})
        cells["panel"] = np.minimum(cells["panel"], cells["count"])
        keys = ["city", "section", "industry_group", "size_class", "state_owned", "count", "panel"]
        context = {
            "targets": self.targets,
            "population": self.population,
            "key_industries": self.key_industries,
            "structure": self.structure,
            "sector_targets": self.sector_targets,
        }
        report = check_cells(cells[keys], self.rules, **context)
        if "band_50_300_min" in self.rules and "enterprises_50_300" in cells.columns:
            # Expected counts: the band row alone, so the city rows keep exact integer counts.
            ratio = np.where(
                cells["available"] > 0, cells["enterprises_50_300"] / cells["available"].clip(lower=1), 0.0
            )
            inside = cells[keys].assign(count=cells["count"] * ratio, panel=0, band_50_300=True)
            outside = cells[keys].assign(count=cells["count"] * (1.0 - ratio), panel=0, band_50_300=False)
            split = check_cells(pd.concat([inside, outside], ignore_index=True), self.rules, **context)
            band = (report["rule"] == "band_50_300_min").to_numpy()
            report.loc[band] = split.loc[(split["rule"] == "band_50_300_min").to_numpy()].to_numpy()
        extra = []
        # The offending cells cut by city once (a loop over every city's cells is slow at 337).
        c = self.cells
        over_by = dict(tuple(c[(c["quota"] > c["available"]).to_numpy()].groupby("city", sort=False)))
        under_by = dict(tuple(c[(c["quota"] < c["panel"]).to_numpy()].groupby("city", sort=False)))
        none = c.iloc[:0]
        for city in pd.unique(c["city"]):
            over = over_by.get(city, none)
            under = under_by.get(city, none)
            extra.append(
                _data_row(
                    city,
                    "capacity",
                    over,
                    "配额超过可选企业数",
                    "quota above the enterprises available",
                    "所有单元配额不超过可选企业数",
                    "every quota within the enterprises available",
                )
            )
            extra.append(
                _data_row(
                    city,
                    "panel",
                    under,
                    "配额低于现有监测企业数",
                    "quota below the panel enterprises",
                    "所有单元保留现有监测企业",
                    "every cell keeps its panel enterprises",
                )
            )
        return pd.concat([report, pd.DataFrame(extra, columns=report.columns)], ignore_index=True)

    # ------------------------------------------------------------------ text

    def _by_city(self) -> pd.DataFrame:
        c = self.cells
        group = c.groupby("city", sort=False)
        out = pd.DataFrame({"target": self.targets})
        out["quota"] = group["quota"].sum()
        out["manufacturing"] = c[c["section"] == "C"].groupby("city")["quota"].sum()
        for size in SIZE_CLASSES:
            out[size] = c[c["size_class"] == size].groupby("city")["quota"].sum()
        out["state_owned"] = c[c["state_owned"]].groupby("city")["quota"].sum()
        out["panel"] = group["panel"].sum()
        out["deviation"] = (c["quota"] - c["ideal"]).abs().groupby(c["city"]).sum()
        return out.fillna(0).astype({k: np.int64 for k in out.columns if k != "deviation"})

    def headline(self) -> str:
        """One line: cities, enterprises, rules, solver and soft rules relaxed.

        Examples
        --------
        >>> import pandas as pd
        >>> from quotas import build_quotas
        >>> s = pd.DataFrame({"city": "珠海市", "section": ["C", "G"], "size_class": "small",
        ...                   "state_owned": False, "enterprises": [50, 50], "employment": [100, 100]})
        >>> build_quotas(s, pd.Series({"珠海市": 60}))
        <QuotaTable: 1 cities, 60 enterprises, rules 'mohrss-2011', solver highs, no soft rule relaxed>
        """
        relaxed = f"{len(self.relaxed)} soft rule(s) relaxed" if len(self.relaxed) else "no soft rule relaxed"
        return (
            f"{len(self.targets)} cities, {int(self.cells['quota'].sum()):,} enterprises, "
            f"rules {self.rules.name!r}, solver {self.solver}, {relaxed}"
        )

    def summary(self) -> str:
        """Plain-text summary: totals, relaxed soft rules, notes and one line per city.

        Examples
        --------
        >>> import pandas as pd
        >>> from quotas import build_quotas
        >>> s = pd.DataFrame({"city": "珠海市", "section": ["C", "G"], "size_class": "small",
        ...                   "state_owned": False, "enterprises": [50, 50], "employment": [100, 100]})
        >>> print(build_quotas(s, pd.Series({"珠海市": 60})).summary().splitlines()[0])
        QuotaTable: 1 cities, 60 enterprises, rules 'mohrss-2011', solver highs
        """
        by = self._by_city()
        lines = [
            f"QuotaTable: {len(by)} cities, {int(by['quota'].sum()):,} enterprises, rules {self.rules.name!r}, solver {self.solver}",
            f"sum of |quota - ideal|: {by['deviation'].sum():.2f}",
        ]
        if len(self.relaxed):
            lines.append(f"soft rules relaxed ({len(self.relaxed)}):")
            for r in self.relaxed.itertuples(index=False):
                lines.append(
                    f"  {r.city} {r.rule}: {_num(r.achieved)} against {_num(r.allowed)} allowed (by {_num(r.by)})"
                )
        else:
            lines.append("soft rules relaxed: none")
        for note in self.notes:
            lines.append(f"note: {note}")
        head = f"{'city':<10} {'target':>7} {'quota':>6} {'manuf':>6} {'large':>6} {'medium':>6} {'small':>6} {'micro':>6} {'state':>6} {'panel':>6}"
        lines.append(head)
        cols = [
            "target",
            "quota",
            "manufacturing",
            "large",
            "medium",
            "small",
            "micro",
            "state_owned",
            "panel",
        ]
        for city, values in zip(by.index, by[cols].to_numpy(dtype=np.int64)):
            widths = (7, 6, 6, 6, 6, 6, 6, 6, 6)
            lines.append(f"{city:<10} " + " ".join(f"{int(v):>{w}}" for v, w in zip(values, widths)))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        by = self._by_city().drop(columns=["deviation"])
        heads = ["城市", "目标", "配额", "制造业", "大型", "中型", "小型", "微型", "国有", "现有"]
        rows = "".join(
            "<tr><td>"
            + html.escape(str(city))
            + "</td>"
            + "".join(f"<td>{int(v)}</td>" for v in r.to_numpy())
            + "</tr>"
            for city, r in by.iterrows()
        )
        relaxed = ""
        if len(self.relaxed):
            items = "".join(
                f"<li>{html.escape(str(r.city))} {html.escape(r.rule)}: {_num(r.achieved)} / {_num(r.allowed)}</li>"
                for r in self.relaxed.itertuples(index=False)
            )
            relaxed = f"<p>Soft rules relaxed:</p><ul>{items}</ul>"
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<p><b>QuotaTable</b> {len(by)} cities, {int(by['quota'].sum()):,} enterprises, "
            f"rules {html.escape(self.rules.name)}, solver {html.escape(self.solver)}</p>{relaxed}"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "<table><thead><tr>"
            + "".join(f"<th>{h}</th>" for h in heads)
            + f"</tr></thead><tbody>{rows}</tbody></table>"
        )

    # ------------------------------------------------------------------ Excel

    def to_excel(
        self, path: str | PathLike[str], *, cities: Sequence[str] | None = None, overwrite: bool = True
    ) -> None:
        """Write the quotas for city bureaus: one sheet per city, and a province sheet (全省汇总)
        when there are several cities.

        全省汇总 has one row per city (目标数, 配额合计, by size, 国有 / 非国有, 制造业,
        现有监测企业) and a 合计 row. Each city sheet is :func:`quotas.sheets.write_city_quotas`:
        one row per section grouped by sector with subtotals, columns size class x ownership,
        配额合计, 其中现有监测企业, 新增, 可选企业数 (eligible only: no micro enterprises, only
        sections new enterprises may come from), then each sector's quota against the targets
        the table was built with. Totals are formulas with cached values; the title names the
        rule set by its documents. The file is written atomically.

        Parameters
        ----------
        path : str or path-like
            The .xlsx file to write.
        cities : sequence of str, optional
            Only these cities (full names); all by default.
        overwrite : bool
            If False, an existing ``path`` is an error.

        Raises
        ------
        QuotaInputError
            For a city the table does not have (the message names it).
        """
        from basis.xlsx import Workbook
        from quotas.sheets import eligible, rules_title, write_city_quotas, write_province_summary

        chosen = list(self.targets.index) if cities is None else list(cities)
        unknown = [c for c in chosen if c not in self.targets.index]
        if unknown:
            raise QuotaInputError(
                f"cities {unknown} are not in the quota table; it has {list(self.targets.index)}"
            )
        documents = rules_title(self.rules)
        wb = Workbook()
        if len(chosen) > 1:
            write_province_summary(
                wb.add_sheet("全省汇总"),
                self,
                chosen,
                title=f"企业用工定点监测样本配额汇总(依据: {documents})",
            )
        cells = self.cells.assign(eligible=eligible(self))
        for city, sub in cells.groupby("city", sort=False):
            if city not in chosen:
                continue
            task = {"target": self.targets[city]}
            if self.sector_targets is not None and city in self.sector_targets.index:
                task.update(self.sector_targets.loc[city].to_dict())
            write_city_quotas(
                wb.add_sheet(str(city)[:31]),
                sub,
                title=f"{city} 企业用工定点监测样本配额表",
                subtitle=f"依据: {documents}; 目标 {int(self.targets[city]):,} 户",
                task=pd.Series(task),
                task_label="目标",
            )
        wb.save(path, overwrite=overwrite)


def _data_row(
    city: str, rule: str, bad: pd.DataFrame, zh_bad: str, en_bad: str, zh_ok: str, en_ok: str
) -> dict[str, Any]:
    if len(bad):
        where = ", ".join(
            f"{r.industry_group}/{r.size_class}/{'state' if r.state_owned else 'non-state'}"
            for r in bad.head(5).itertuples()
        )
        return {
            "city": city,
            "rule": rule,
            "observed": float(len(bad)),
            "limit": 0.0,
            "status": "fail",
            "message_zh": f"{len(bad)} 个单元{zh_bad}: {where}",
            "message_en": f"{len(bad)} cell(s) with {en_bad}: {where}",
        }
    return {
        "city": city,
        "rule": rule,
        "observed": 0.0,
        "limit": 0.0,
        "status": "pass",
        "message_zh": zh_ok,
        "message_en": en_ok,
    }


def _num(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"
