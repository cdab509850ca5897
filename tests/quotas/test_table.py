"""QuotaTable (quotas.table): views, checks, text and the Excel file for city bureaus."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from quotas import MOHRSS_2011, QuotaTable, build_quotas
from quotas.exceptions import QuotaInputError

RULES = MOHRSS_2011.replace(min_count=0)


@pytest.fixture(scope="module")
def table() -> QuotaTable:
    # Two cities. 广州: C small 6000 / F medium 2000 (state-owned) / G small 4000 employees,
    # target 60: ideals 30 / 10 / 20, manufacturing capped at 24.
    # 珠海: G small and micro; micro excluded, so all 30 go to G small.
    rows = [
        ("广州市", "C", "small", False, 80, 6000, 0),
        ("广州市", "F", "medium", True, 30, 2000, 2),
        ("广州市", "G", "small", False, 50, 4000, 0),
        ("珠海市", "G", "small", False, 40, 900, 0),
        ("珠海市", "G", "micro", False, 400, 1200, 0),
    ]
    s = pd.DataFrame(
        rows, columns=["city", "section", "size_class", "state_owned", "enterprises", "employment", "panel"]
    )
    return build_quotas(s, pd.Series({"广州": 60, "珠海": 30}), rules=RULES)


def test_to_frame_columns_and_totals(table: QuotaTable) -> None:
    f = table.to_frame()
    assert list(f.columns[:9]) == [
        "city",
        "section",
        "industry_group",
        "size_class",
        "state_owned",
        "quota",
        "ideal",
        "available",
        "panel",
    ]
    assert f.groupby("city")["quota"].sum().to_dict() == {"广州市": 60, "珠海市": 30}
    assert f.loc[(f.city == "广州市") & (f.section == "C"), "quota"].item() == 24
    assert f.loc[(f.city == "珠海市") & (f.size_class == "micro"), "quota"].item() == 0
    assert "panel: from the structure's panel column" in table.notes


def test_pivot(table: QuotaTable) -> None:
    p = table.pivot("珠海市")
    assert p.to_dict("index") == {"G": {"small": 30, "micro": 0}}
    total = table.pivot()
    assert int(total.to_numpy().sum()) == 90
    with pytest.raises(KeyError, match="深圳市"):
        table.pivot("深圳市")


def test_check_passes_every_rule_and_adds_capacity_and_panel(table: QuotaTable) -> None:
    report = table.check()
    assert list(report.columns) == ["city", "rule", "observed", "limit", "status", "message_zh", "message_en"]
    assert set(report["status"]) <= {"pass", "skipped"}
    rules = set(report["rule"])
    assert {"manufacturing_max", "sme_min", "target", "capacity", "panel", "top_industries"} <= rules
    row = report[(report.city == "广州市") & (report.rule == "manufacturing_max")].iloc[0]
    assert row["observed"] == pytest.approx(0.4) and row["status"] == "pass"


def test_check_detects_a_tampered_quota(table: QuotaTable) -> None:
    # check() reads the numbers only: break the capacity of one cell by hand.
    cells = table.to_frame()
    cells.loc[(cells.city == "珠海市") & (cells.size_class == "small"), "quota"] = 45
    tampered = QuotaTable(cells, table.targets, table.rules, table.relaxed, structure=table.structure)
    report = tampered.check().set_index(["city", "rule"])
    assert report.loc[("珠海市", "capacity"), "status"] == "fail"
    assert report.loc[("珠海市", "target"), "status"] == "warn"


def test_summary_and_html(table: QuotaTable) -> None:
    text = table.summary()
    assert text.startswith("QuotaTable: 2 cities, 90 enterprises, rules 'mohrss-2011 (modified)'")
    assert "soft rules relaxed: none" in text
    assert str(table) == text
    assert repr(table) == f"<QuotaTable: {table.headline()}>" and "\n" not in repr(table)
    html = table._repr_html_()
    assert "<table>" in html and "广州市" in html and "制造业" in html


def test_excel(table: QuotaTable, tmp_path) -> None:
    path = tmp_path / "quotas.xlsx"
    table.to_excel(path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["全省汇总", "广州市", "珠海市"]
    summary = wb["全省汇总"]
    assert "人社部函〔2011〕308号" in summary["A1"].value  # the rule set named by its document
    assert [c.value for c in summary[2]][:4] == ["城市", "目标数", "配额合计", "大型"]
    assert summary["A3"].value == "广州市" and summary["C3"].value == 60
    assert summary.cell(row=summary.max_row, column=1).value == "合计"
    assert summary.freeze_panes == "B3"
    gz = wb["广州市"]
    assert gz.freeze_panes == "C5"
    # Columns: 门类, 门类名称, 大型/中型/小型 x 国有/非国有 (3-8; no micro quota, so no 微型),
    # 配额合计 (9), 其中现有监测企业 (10), 新增 (11), 可选企业数 (12).
    assert [gz.cell(row=3, column=j).value for j in (1, 2, 3, 5, 7, 9, 12)] == [
        "门类",
        "门类名称",
        "大型",
        "中型",
        "小型",
        "配额合计",
        "可选企业数",
    ]
    assert [gz.cell(row=4, column=j).value for j in (3, 4)] == ["国有", "非国有"]
    assert gz["A5"].value == "C" and gz["B5"].value == "制造业"
    # C small non-state: 40% of 60 = 24 (the manufacturing cap); C is the only secondary section.
    assert gz["H5"].value == 24 and gz["I5"].value == "=SUM(C5:H5)" and gz["L5"].value == 80
    assert gz["A6"].value == "第二产业小计" and gz["I6"].value == "=SUM(I5:I5)"
    assert [gz[f"A{r}"].value for r in (7, 8, 9, 10)] == ["F", "G", "第三产业小计", "合计"]
    assert gz["I10"].value == "=I6+I9"
    values = load_workbook(path, data_only=True)
    gz_v, zh_v = values["广州市"], values["珠海市"]
    # Cached values: 24 secondary + 36 tertiary = the target 60; eligible 80 + 30 + 50 = 160.
    assert [gz_v[f"I{r}"].value for r in (6, 9, 10)] == [24, 36, 60]
    assert gz_v["L10"].value == 160
    # 珠海: only G; its 400 micro enterprises are not eligible (micro excluded), 40 small are.
    assert [zh_v[f"A{r}"].value for r in (5, 6, 7)] == ["G", "第三产业小计", "合计"]
    assert zh_v["H5"].value == 30 and zh_v["L5"].value == 40 and zh_v["L7"].value == 40
    block = [[c.value for c in row][:5] for row in gz_v.iter_rows(min_row=12, max_row=13)]
    assert block == [["产业", None, "配额", "目标", "差额"], ["合计", None, 60, 60, 0]]


def test_excel_one_city_has_no_province_sheet(table: QuotaTable, tmp_path) -> None:
    path = tmp_path / "one.xlsx"
    table.to_excel(path, cities=["珠海市"])
    assert load_workbook(path).sheetnames == ["珠海市"]
    with pytest.raises(QuotaInputError, match="深圳市"):
        table.to_excel(path, cities=["深圳市"])
