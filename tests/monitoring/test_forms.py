"""附表一 and 附表二 from a month's reports; every expected value worked by hand below."""

import openpyxl
import pandas as pd
import pytest

from monitoring.exceptions import ReportError
from monitoring.forms import FORM_2_COLUMNS, PROVINCE, city_table, summarize, write_city_forms
from monitoring.read import read_reports

REPORTS = pd.DataFrame(
    {
        "enterprise_id": ["A", "B", "C", "D", "E"],
        "city": ["韶关市", "韶关市", "韶关市", "佛山市", "佛山市"],
        "month": "2013-01",
        "name": ["甲厂", "乙厂", "丙店", "丁厂", "戊店"],
        "registration_type": ["173", "110", "173", "159", "173"],
        "industry": ["13", "13", "51", "39", "52"],  # sections C, C, F, C, F (GB/T 4754-2011)
        "base_employment": [100, 200, 40, 500, 60],
        "end_employment": [90, 203, 0, 470, 66],
        "change": [-10, 3, -40, -30, 6],
        "change_rate": [-10.0, 1.5, -100.0, -6.0, 10.0],
        "closure": [None, None, -40, None, None],
        "suspension": [None] * 5,
        "layoff": [-10, None, None, -20, None],
        "moved_out": [None] * 5,
        "other": [None, None, None, -10, None],
        "reasons": ["4", None, "8", "4,6", None],
    }
)


def test_city_table_total_row():
    t = city_table(REPORTS, city="韶关市")
    assert t["name"].tolist() == ["甲厂", "乙厂", "丙店", "合计"]
    total = t.iloc[-1]
    # (3) 100 + 200 + 40 = 340; (4) 90 + 203 + 0 = 293; (5) -10 + 3 - 40 = -47
    # (6) from the totals: -47 / 340 x 100 = -13.8235... -> -13.82 (not the sum of the rates, -108.5)
    assert [total[c] for c in ("base_employment", "end_employment", "change", "change_rate")] == [
        340,
        293,
        -47,
        -13.82,
    ]
    # (7) closure -40, (9) layoff -10, the other types 0
    assert [total[c] for c in ("closure", "suspension", "layoff", "moved_out", "other")] == [
        -40,
        0,
        -10,
        0,
        0,
    ]
    assert pd.isna(total["registration_type"]) and pd.isna(total["reasons"])


def test_city_table_needs_a_city_when_there_are_several():
    with pytest.raises(ReportError, match="reports hold 2 cities; say which with city="):
        city_table(REPORTS)
    with pytest.raises(ReportError, match="no reports of city '广州市'"):
        city_table(REPORTS, city="广州市")


def test_form_2_by_city():
    s = summarize(REPORTS)
    t = s.by_city.set_index("city")
    assert t.index.tolist() == ["佛山市", "韶关市", PROVINCE]
    assert list(s.by_city.columns) == ["city", *FORM_2_COLUMNS]
    # 佛山: D and E. base 500 + 60 = 560, end 470 + 66 = 536, change -24, rate -24 / 560 = -4.2857% -> -4.29;
    # one enterprise fell (D): layoff 1 enterprise -20, other 1 enterprise -10
    assert t.loc["佛山市", ["enterprises", "base_employment", "end_employment", "change", "change_rate", "decreased"]].tolist() == [
        2, 560, 536, -24, -4.29, 1,
    ]  # fmt: skip
    assert t.loc["佛山市", ["layoff_enterprises", "layoff", "other_enterprises", "other", "closure_enterprises"]].tolist() == [
        1, -20, 1, -10, 0,
    ]  # fmt: skip
    # 韶关: A, B, C. base 340, end 293, change -47, rate -13.82; A and C fell; closure 1 / -40, layoff 1 / -10
    assert t.loc["韶关市", ["enterprises", "change", "change_rate", "decreased", "closure_enterprises", "closure"]].tolist() == [
        3, -47, -13.82, 2, 1, -40,
    ]  # fmt: skip
    # province: 5 enterprises, base 900, end 829, change -71, rate -71 / 900 = -7.888...% -> -7.89;
    # layoffs in 2 enterprises: -10 - 20 = -30
    assert t.loc[PROVINCE, ["enterprises", "base_employment", "end_employment", "change", "change_rate"]].tolist() == [
        5, 900, 829, -71, -7.89,
    ]  # fmt: skip
    assert t.loc[PROVINCE, ["decreased", "layoff_enterprises", "layoff"]].tolist() == [3, 2, -30]


def test_form_2_by_section_rounds_half_away_from_zero():
    s = summarize(REPORTS)
    t = s.by_industry.set_index("industry")
    assert t.index.tolist() == ["C", "F", "合计"]
    assert t.loc["C", "industry_name"] == "制造业" and t.loc["F", "industry_name"] == "批发和零售业"
    # C: A, B, D. base 800, end 763, change -37; -37 / 800 x 100 = -4.625 exactly -> -4.63
    # (half away from zero, as by hand; banker's rounding would give -4.62)
    assert t.loc["C", ["enterprises", "base_employment", "end_employment", "change", "change_rate"]].tolist() == [
        3, 800, 763, -37, -4.63,
    ]  # fmt: skip
    # F: C and E. base 100, end 66, change -34, rate -34.00; one closure of 40
    assert t.loc["F", ["change", "change_rate", "decreased", "closure_enterprises", "closure"]].tolist() == [
        -34,
        -34.0,
        1,
        1,
        -40,
    ]
    assert t.loc["合计", "change"] == -71


def test_form_2_by_division():
    t = summarize(REPORTS, industry_level="division").by_industry.set_index("industry")
    assert t.index.tolist() == ["13", "39", "51", "52", "合计"]
    assert t.loc["13", ["enterprises", "change", "change_rate"]].tolist() == [2, -7, -2.33]  # -7 / 300


def test_largest_decreases():
    s = summarize(REPORTS)
    # by division: 51 -40 (of 40: -100.00%), 39 -30 (of 500: -6.00%), 13 -7 (of 300: -2.33%); 52 grew
    assert s.largest_decreases.values.tolist() == [
        ["51", "批发业", -40, -100.0],
        ["39", "计算机、通信和其他电子设备制造业", -30, -6.0],
        ["13", "农副食品加工业", -7, -2.33],
    ]
    assert summarize(REPORTS, largest=2).largest_decreases["industry"].tolist() == ["51", "39"]
    assert s.largest_decreases_zh().startswith("就业人数减少最多的3个行业：51 批发业 减少 40 人；")
    # by section the larger fall first: C -37, then F -34
    assert summarize(REPORTS, largest_level="section").largest_decreases["industry"].tolist() == ["C", "F"]
    assert summarize(REPORTS, largest_level="section").largest_decreases["change"].tolist() == [-37, -34]


def test_blank_change_is_end_minus_base_and_blank_types_are_zero():
    r = REPORTS.assign(change=None)
    assert summarize(r).by_city["change"].tolist() == [-24, -47, -71]


def test_refuses_what_it_cannot_sum():
    r = REPORTS.copy()
    r.loc[1, "end_employment"] = None
    with pytest.raises(ReportError, match="1 report\\(s\\) without \\(3\\) or \\(4\\) cannot be summed"):
        summarize(r)
    twice = pd.concat([REPORTS, REPORTS.iloc[[0]]])
    with pytest.raises(ReportError, match="counted twice: \\['A'\\]"):
        summarize(twice)
    with pytest.raises(ValueError, match="industry_level must be 'section' or 'division', got 'class'"):
        summarize(REPORTS, industry_level="class")


def test_summary_result():
    s = summarize(REPORTS)
    assert s.headline() == (
        "2013-01: 5 enterprises in 2 cities, employment 900 -> 829, change -71 (-7.89%); 3 with a decrease"
    )
    assert s.to_frame().equals(s.by_city)
    assert "就业人数减少最多的3个行业" in s.summary() and "全省合计" in s._repr_html_()


def test_form_2_workbook(tmp_path):
    path = tmp_path / "附表二.xlsx"
    summarize(REPORTS).to_excel(path, note="合成数据")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["附表二（按城市）", "附表二（按行业）"]
    ws = book["附表二（按城市）"]
    assert ws["A1"].value == "监测城市企业就业人员分类型变化情况省级汇总表"
    assert ws["A2"].value == "2013年1月" and ws["A3"].value == "合成数据"
    assert [ws.cell(row=4, column=c).value for c in range(1, 9)] == [
        "城市", "监测企业数", "建档期期末就业人数", "调查期期末就业人数", "就业人数变化", "变化率（%）",
        "就业人数减少企业数", "关闭破产",
    ]  # fmt: skip
    assert [ws.cell(row=5, column=c).value for c in (8, 9, 16, 17)] == [
        "企业数",
        "减少人数",
        "企业数",
        "减少人数",
    ]
    assert [ws.cell(row=8, column=c).value for c in range(1, 7)] == [PROVINCE, 5, 900, 829, -71, -7.89]
    industry = book["附表二（按行业）"]
    assert industry["A6"].value == "C 制造业"
    assert industry.cell(row=industry.max_row, column=1).value.startswith(
        "补充资料：就业人数减少最多的3个行业"
    )


def test_city_forms_read_back(tmp_path):
    path = tmp_path / "附表一.xlsx"
    write_city_forms(REPORTS, path, note="合成数据，非真实企业")
    assert openpyxl.load_workbook(path).sheetnames == ["佛山市", "韶关市"]
    back = read_reports(path)
    assert back.attrs["skipped"].query("kind == 'total row'")["sheet"].tolist() == ["佛山市", "韶关市"]
    columns = [
        "city",
        "name",
        "base_employment",
        "end_employment",
        "change",
        "change_rate",
        "closure",
        "layoff",
        "reasons",
    ]
    expected = REPORTS.sort_values("city", kind="stable")[columns].reset_index(drop=True)
    got = back[columns]
    assert (
        got.astype(object).where(got.notna(), None).values.tolist()
        == expected.astype(object).where(expected.notna(), None).values.tolist()
    )


def test_city_forms_with_ids(tmp_path):
    path = tmp_path / "附表一.xlsx"
    write_city_forms(REPORTS, path, with_ids=True)
    ws = openpyxl.load_workbook(path)["韶关市"]
    assert ws.cell(row=3, column=14).value == "统一社会信用代码"
    back = read_reports(path)
    assert back["enterprise_id"].tolist() == ["D", "E", "A", "B", "C"]


def test_plot_stacks_the_decrease_types():
    import matplotlib.pyplot as plt

    ax = summarize(REPORTS).plot()
    # 佛山 (drawn last, on top): layoff -20 then other -10 stacked from 0; 韶关: closure -40, layoff -10
    widths = sorted(round(p.get_width()) for p in ax.patches if p.get_width() != 0)
    assert widths == [-40, -20, -10, -10]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["韶关市", "佛山市"]
    plt.close(ax.figure)
    ax = summarize(REPORTS).plot(by="industry")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["F 批发和零售业", "C 制造业"]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="by must be 'city' or 'industry', got 'month'"):
        summarize(REPORTS).plot(by="month")


def test_city_form_layout(tmp_path):
    # 附表一 as printed: the title across 甲 and (1)-(12), 减少类型 over the five decrease
    # columns (7)-(11) with their names below, the other headers over both header rows, the
    # column numbers under them, the rate (6) with two decimals, the total's label in bold.
    path = tmp_path / "附表一.xlsx"
    write_city_forms(REPORTS, path, note="合成数据")
    ws = openpyxl.load_workbook(path)["韶关市"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:M1", "H4:L4", "A4:A5", "G4:G5", "M4:M5"} <= merged
    assert ws["A1"].font.b and ws["A1"].font.sz == 14 and ws["A1"].alignment.horizontal == "center"
    assert ws["H4"].value == "减少类型" and ws["H4"].font.b and ws["H4"].alignment.horizontal == "center"
    assert [ws.cell(row=6, column=c).value for c in (1, 2, 8, 13)] == ["甲", 1, 7, 12]
    total = ws.max_row
    assert ws.cell(row=total, column=1).value == "合计" and ws.cell(row=total, column=1).font.b
    assert ws.cell(row=7, column=7).number_format == "0.00"
    assert not ws.cell(row=7, column=1).font.b
