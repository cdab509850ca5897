"""The Guangdong example carried on through one synthetic month of reports.

:func:`month_step` takes the example's sample and does what the province does each month: the
cities' reports (附表一, here drawn by :func:`monitoring.synthetic.make_month` and written as each
city would send them), reading them back, the checks of the submission, the province's summary
(附表二) and the estimates with their standard errors, and writes the department's files with a
short report in Chinese. :func:`empmon.examples.guangdong_2013` calls it as its last step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from basis.files import atomic_path
from monitoring.checks import ReportCheck, check_reports
from monitoring.design import as_design
from monitoring.estimate import Estimates, estimate
from monitoring.forms import MonthSummary, summarize, write_city_forms
from monitoring.read import read_monitored, read_reports
from monitoring.synthetic import SYNTHETIC_NOTE, make_month
from quotas.plotting import cjk_font
from sampling.sample import Sample

__all__ = ["MonthExample", "month_step", "report_zh"]


@dataclass(frozen=True)
class MonthExample:
    """What the month's step produced.

    Attributes
    ----------
    reports : DataFrame
        The reports as read back from the cities' files.
    check : ReportCheck
    summary : MonthSummary
        附表二, from the reports the checks leave usable.
    estimates : Estimates
    files : list of Path
    notes : list of str
    """

    reports: pd.DataFrame
    check: ReportCheck
    summary: MonthSummary
    estimates: Estimates
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def usable_reports(reports: pd.DataFrame, monitored: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The reports that can be summed and estimated from: on the monitored list, one per
    enterprise (the first). Returns them and a note per kind of report set aside."""
    on_list = reports["enterprise_id"].isin(monitored["enterprise_id"]).fillna(False)
    again = reports["enterprise_id"].duplicated() & on_list
    notes = []
    if (~on_list).any():
        n = int((~on_list).sum())
        notes.append(
            f"名单外企业的报表 {n} 份未纳入汇总和估计（{n} report(s) of enterprises not on the list set aside）"
        )
    if again.any():
        n = int(again.sum())
        notes.append(
            f"重复上报的报表 {n} 份未纳入，各保留第一份（{n} repeated report(s) set aside, the first kept）"
        )
    return reports[on_list & ~again].reset_index(drop=True), notes


def report_zh(check: ReportCheck, summary: MonthSummary, estimates: Estimates) -> str:
    """The month's results in Chinese for the department: checks, 附表二's totals, estimates."""
    c = check.counts()
    cities = check.cities
    t = summary.by_city.iloc[-1]
    lines = [
        f"{summary.month.year}年{summary.month.month}月 企业用工定点监测月报（{SYNTHETIC_NOTE}）",
        "",
        "一、报表审核",
        f"应报企业 {int(cities['listed'].sum()):,} 家，实报 {int(cities['reported'].sum()):,} 家，"
        f"未报 {int(cities['not_reported'].sum()):,} 家；不通过 {c['fail']} 项，提示 {c['warn']} 项。",
    ]
    late = check.results[check.results["rule"] == "late"]
    for row in late[late["status"] == "fail"].itertuples(index=False):
        lines.append(f"  {row.message_zh}")
    lines += [
        "",
        "二、汇总（附表二）",
        f"监测企业 {int(t['enterprises']):,} 家，建档期期末就业人数 {int(t['base_employment']):,} 人，"
        f"调查期期末就业人数 {int(t['end_employment']):,} 人，变化 {int(t['change']):+,} 人"
        f"（{t['change_rate']:+.2f}%）；就业人数减少的企业 {int(t['decreased']):,} 家。",
        summary.largest_decreases_zh(),
        "",
        f"三、全省估计（按配额单元分层，{estimates.level:.0%}置信区间）",
    ]
    names = {
        "base_employment": ("建档期期末就业人数", "人", 0),
        "end_employment": ("调查期期末就业人数", "人", 0),
        "change": ("就业人数变化", "人", 0),
        "change_rate": ("就业人数变化率", "%", 2),
        "fell_share": ("就业人数减少企业占比", "%", 2),
    }
    for measure, (label, unit, digits) in names.items():
        row = estimates.get("province", "all", measure)
        scale = 100 if measure == "fell_share" else 1
        value, se = row["estimate"] * scale, row["se"] * scale
        low, high = row["ci_low"] * scale, row["ci_high"] * scale
        lines.append(
            f"  {label}：{value:,.{digits}f}{unit}（标准误 {se:,.{digits}f}，区间 {low:,.{digits}f} 至 {high:,.{digits}f}）"
        )
    rates = estimates.table[(estimates.table["by"] == "city") & (estimates.table["measure"] == "change_rate")]
    if len(rates):
        lines.append("  各市就业人数变化率（标准误）：")
        lines.extend(
            f"    {r.domain} {r.estimate:+.2f}%（{r.se:.2f}）" for r in rates.itertuples(index=False)
        )
    return "\n".join(lines)


def month_step(
    sample: Sample,
    out: str | PathLike[str],
    *,
    month: str = "2013-01",
    random_state: int = 2013,
    echo: Callable[[str], Any] = print,
) -> MonthExample:
    """Carry the example's sample through one synthetic month.

    Parameters
    ----------
    sample : Sample
        The monitored enterprises (with their ``employees``, the base of the first month).
    out : path
        The example's output folder; the month's files go to ``out/month_<month>/``.
    month : str
        The survey month.
    random_state : int
        Seed of the synthetic month.
    echo : callable
        Where progress lines go.

    Returns
    -------
    MonthExample

    Files written: ``附表一_<month>.xlsx`` (the cities' reports, a sheet per city, with the
    enterprises' ids), ``submitted.csv`` (when each city's reports arrived), ``design.csv``
    (the design the estimates use), ``审核结果_<month>.xlsx``, ``附表二_<month>.xlsx`` with its
    picture ``附表二_<month>.png``, ``估计_<month>.xlsx`` and ``月报_<month>.txt`` (the results in Chinese).
    """
    folder = Path(out) / f"month_{month}"
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    notes = [SYNTHETIC_NOTE]

    def keep(path: Path) -> Path:
        files.append(path)
        return path

    echo(
        f"      month {month}: synthetic reports of the {len(sample.to_frame('sample')):,} monitored enterprises"
    )
    drawn = make_month(sample, month=month, random_state=random_state)
    forms = keep(folder / f"附表一_{month}.xlsx")
    write_city_forms(drawn, forms, note=SYNTHETIC_NOTE, with_ids=True)
    submitted = drawn.attrs["submitted"].rename_axis("city").rename("submitted").reset_index()
    with atomic_path(keep(folder / "submitted.csv")) as tmp:
        submitted.to_csv(tmp, index=False, encoding="utf-8-sig")
    listed = read_monitored(sample)
    reports = read_reports(forms, monitored=listed)
    check = check_reports(reports, listed, submitted=drawn.attrs["submitted"])
    check.to_excel(keep(folder / f"审核结果_{month}.xlsx"))
    echo(f"      {check.headline()}")
    usable, set_aside = usable_reports(reports, listed)
    notes.extend(set_aside)
    summary = summarize(usable)
    summary.to_excel(keep(folder / f"附表二_{month}.xlsx"), note=SYNTHETIC_NOTE)
    with cjk_font():  # the labels are drawn when the figure is saved
        ax = summary.plot()
        with atomic_path(keep(folder / f"附表二_{month}.png")) as tmp:
            ax.figure.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(ax.figure)
    echo(f"      {summary.headline()}")
    design = as_design(sample)
    with atomic_path(keep(folder / "design.csv")) as tmp:
        design.to_frame().to_csv(tmp, index=False, encoding="utf-8-sig")
    estimates = estimate(usable, design, by=("city", "section", "size_class"))
    estimates.to_excel(keep(folder / f"估计_{month}.xlsx"))
    echo(f"      {estimates.headline()}")
    text = report_zh(check, summary, estimates)
    with atomic_path(keep(folder / f"月报_{month}.txt")) as tmp:
        tmp.write_text(text + "\n\n" + "\n".join(f"说明：{n}" for n in notes) + "\n", encoding="utf-8")
    return MonthExample(reports, check, summary, estimates, files, notes)
