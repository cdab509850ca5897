"""quotas.sheets: eligible counts and the quota grid on industry groups, checked by hand."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from basis.xlsx import Workbook
from quotas import MOHRSS_2011, QuotaTable
from quotas.sheets import eligible, write_city_quotas


def _table() -> QuotaTable:
    # 珠海: G has the most employment (top 1 under top_industries=1); C does not rank, but its
    # division 39 (C39) is a key industry. Cells: G small 50, C39 small 20, C small 30, G micro 400.
    cells = pd.DataFrame(
        {
            "city": "珠海市",
            "section": ["G", "C", "C", "G"],
            "industry_group": ["G", "C39", "C", "G"],
            "size_class": ["small", "small", "small", "micro"],
            "state_owned": False,
            "quota": [6, 4, 0, 0],
            "ideal": 0.0,
            "available": [50, 20, 30, 400],
            "panel": [1, 0, 0, 0],
        }
    )
    structure = cells[["city", "section", "industry_group", "size_class", "state_owned"]].assign(
        enterprises=cells["available"], employment=[5000, 800, 900, 1200]
    )
    key = pd.DataFrame({"city": ["珠海市"], "industry_group": ["C39"], "min_share": [float("nan")]})
    rules = MOHRSS_2011.replace(top_industries=1)
    return QuotaTable(
        cells, pd.Series({"珠海市": 10}), rules, pd.DataFrame(), structure=structure, key_industries=key
    )


def test_eligible_top_sections_and_key_industries_without_micro():
    # G ranks first (6,200 employees against C's 1,700): G small's 50 are eligible, G micro's 400
    # are not (micro excluded); C is outside the top 1, but C39 is a key industry: 20 eligible;
    # the rest of C (30) is not.
    assert eligible(_table()).tolist() == [50, 20, 0, 0]


def test_grid_rows_are_industry_groups_with_their_names(tmp_path):
    table = _table()
    wb = Workbook()
    cells = table.cells.assign(eligible=eligible(table))
    rows = write_city_quotas(wb.add_sheet("珠海市"), cells, title="t", subtitle="s")
    path = tmp_path / "g.xlsx"
    wb.save(path)
    ws = load_workbook(path, data_only=True)["珠海市"]
    got = [[c.value for c in r][:2] for r in ws.iter_rows(min_row=5, max_row=rows["total"])]
    # C (0 quota, 0 eligible, no panel) is not shown; C39 is secondary, G tertiary. Names of
    # GB/T 4754-2011: division 39 and section G.
    assert got == [
        ["C39", "计算机、通信和其他电子设备制造业"],
        ["第二产业小计", None],
        ["G", "交通运输、仓储和邮政业"],
        ["第三产业小计", None],
        ["合计", None],
    ]
    total = [c.value for c in ws[rows["total"]]]
    # The last four columns: 配额合计 6 + 4, 现有 1, 新增 10 - 1, 可选 50 + 20.
    assert total[-4:] == [10, 1, 9, 70]
