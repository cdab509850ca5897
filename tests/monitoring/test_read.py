"""Reading a month's reports in the form's layout (附表一) and the monitored list.

The files are built here cell by cell as a city bureau lays out the form: title rows, a two-row
header with 减少类型 merged over (7)-(11), the row of column numbers, the total row and the
supplementary data below."""

import warnings

import openpyxl
import pandas as pd
import pytest

from monitoring.columns import REPORT_COLUMNS, REPORT_DTYPES
from monitoring.exceptions import MonitoredListError, ReportError, ReportReadError, ReportReadWarning
from monitoring.read import read_monitored, read_reports

HEADER_1 = [
    "单位名称", "企业性质", "企业所属行业", "建档期期末就业人数", "调查期期末就业人数", "就业人数变化",
    "变化率（%）", "减少类型", None, None, None, None, "就业人数减少主要原因",
]  # fmt: skip
HEADER_2 = [None] * 7 + ["关闭破产", "停业整顿", "经济性裁员", "企业迁出本市", "其他", None]
NUMBERS = ["甲", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
ROWS = [
    ["韶关甲厂", "私营有限责任公司", "13", 100, 90, -10, -10.0, None, None, -10, None, None, "4、6"],
    ["韶关乙厂", 110, 34, 50, 55, 5, 10.0, None, None, None, None, None, None],
    ["韶关丙厂", "173", "5111", 20, 0, -20, -100.0, -20, None, None, None, None, 8],
]
TOTAL = ["合计", None, None, 170, 145, -25, -14.71, -20, None, -10, None, None, None]


def form_sheet(ws, rows, *, title_city="韶关市", month="2013年2月"):
    ws.append(["监测城市就业人员变化情况表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=13)
    ws.append(
        [f"填报单位：{title_city}人力资源和社会保障局", None, None, None, None, None, None, None, None, month]
    )
    ws.append(HEADER_1)
    ws.merge_cells(start_row=3, start_column=8, end_row=3, end_column=12)
    for col in (1, 2, 3, 4, 5, 6, 7, 13):
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for col, value in enumerate(HEADER_2, start=1):
        if value is not None:
            ws.cell(row=4, column=col, value=value)
    ws.append(NUMBERS)
    for row in rows:
        ws.append(row)
    ws.append(TOTAL)
    ws.append([])
    ws.append(["补充资料：", "登记失业人数", 1200])
    ws.append(["单位负责人：", None, "填表人：张三"])


def test_city_workbook_in_the_forms_layout(tmp_path):
    book = openpyxl.Workbook()
    form_sheet(book.active, ROWS)
    path = tmp_path / "韶关2月.xlsx"
    book.save(path)
    r = read_reports(path)
    assert list(r.columns[: len(REPORT_COLUMNS)]) == list(REPORT_COLUMNS)
    assert {c: str(r[c].dtype) for c in REPORT_DTYPES} == REPORT_DTYPES
    # month from the title 2013年2月, city from 填报单位 (the sheet's name 'Sheet' is no city)
    assert r["month"].astype(str).unique().tolist() == ["2013-02"]
    assert r["city"].unique().tolist() == ["韶关市"]
    assert r[["name", "base_employment", "end_employment", "change", "change_rate"]].values.tolist() == [
        ["韶关甲厂", 100, 90, -10, -10.0],
        ["韶关乙厂", 50, 55, 5, 10.0],
        ["韶关丙厂", 20, 0, -20, -100.0],
    ]
    assert r["layoff"].tolist()[0] == -10 and r["closure"].tolist()[2] == -20
    assert r["closure"].isna().tolist() == [True, True, False]  # blank stays missing
    assert r["reasons"].tolist()[0] == "4,6" and r["reasons"].tolist()[2] == "8" and pd.isna(r["reasons"][1])
    # 私营有限责任公司 is 173 (国统字〔1998〕200号); a 2011 class 5111 is in division 51
    assert r["registration_type"].tolist() == ["173", "110", "173"]
    assert r["industry"].tolist() == ["13", "34", "51"]
    assert r["source_row"].tolist() == [6, 7, 8]
    skipped = r.attrs["skipped"]
    assert skipped[["row", "kind"]].values.tolist() == [
        [1, "title row"],
        [2, "title row"],
        [5, "column number row"],
        [9, "total row"],
        [10, "blank row"],
        [11, "note row"],
        [12, "note row"],
    ]


def test_header_numbers_in_the_headers_and_csv_in_gb18030(tmp_path):
    header = [f"{h}（{n}）" if h and n != "" else h for h, n in zip(HEADER_1, ["", *range(1, 13)])]
    header[7:12] = ["关闭破产", "停业整顿", "经济性裁员", "企业迁出本市", "其他"]
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in ROWS]
    path = tmp_path / "shaoguan.csv"
    path.write_bytes("\n".join(lines).encode("gb18030"))
    r = read_reports(path, month="2013-02", city="韶关")
    assert r["city"].unique().tolist() == ["韶关市"]
    assert r["change"].tolist() == [-10, 5, -20]
    assert r["source_row"].tolist() == [2, 3, 4]  # header = line 1


def test_columns_recognised_by_the_number_row(tmp_path):
    # headers worded differently from the form's; the row of numbers says which is which
    rows = [
        [
            "单位名称",
            "性质",
            "行业",
            "期初人数",
            "期末人数",
            "增减数",
            "增减幅度",
            "闭",
            "停",
            "裁",
            "迁",
            "它",
            "因",
        ]
    ]
    rows.append(NUMBERS)
    rows.extend(ROWS)
    path = tmp_path / "other.csv"
    path.write_text(
        "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows), encoding="utf-8"
    )
    r = read_reports(path, month="2013-02", city="韶关")
    assert r[["base_employment", "end_employment", "change", "layoff"]].values.tolist()[0] == [
        100,
        90,
        -10,
        -10,
    ]


def test_province_workbook_one_sheet_per_city(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "韶关"
    form_sheet(book.active, ROWS)
    ws = book.create_sheet("佛山市")
    form_sheet(
        ws,
        [["佛山甲厂", "173", "39", 400, 380, -20, -5.0, None, None, None, None, -20, "11"]],
        title_city="佛山",
    )
    book.create_sheet("说明").append(["本表为示例"])
    path = tmp_path / "广东2月.xlsx"
    book.save(path)
    with pytest.warns(ReportReadWarning, match="sheet without the form '说明'"):
        r = read_reports(path)
    assert r.groupby("city").size().to_dict() == {"佛山市": 1, "韶关市": 3}
    assert r["source_sheet"].tolist() == ["韶关", "韶关", "韶关", "佛山市"]


def test_parquet_and_dataframe_with_canonical_or_chinese_headers(tmp_path):
    frame = pd.DataFrame(
        ROWS,
        columns=[*HEADER_1[:7], "关闭破产", "停业整顿", "经济性裁员", "企业迁出本市", "其他", HEADER_1[12]],
    )
    frame["城市"] = "韶关"
    frame["月份"] = "2013年2月"
    path = tmp_path / "reports.parquet"
    frame.astype(str).replace({"None": None, "nan": None}).to_parquet(path)
    r = read_reports(path)
    assert r["change"].tolist() == [-10, 5, -20] and r["source_row"].tolist() == [2, 3, 4]
    again = read_reports(r)  # the canonical table reads as itself
    pd.testing.assert_frame_equal(again[list(REPORT_COLUMNS)], r[list(REPORT_COLUMNS)])


def test_ids_matched_through_the_monitored_list():
    listed = read_monitored(
        pd.DataFrame(
            {
                "序号": [1, 2],
                "城市名": ["韶关", "韶关"],
                "企业名称": ["韶关甲厂", "韶关 乙厂"],
                "企业性质": ["173", "110"],
                "所属行业": ["13", "34"],
            }
        )
    )
    frame = pd.DataFrame(
        ROWS,
        columns=[*HEADER_1[:7], "关闭破产", "停业整顿", "经济性裁员", "企业迁出本市", "其他", HEADER_1[12]],
    )
    r = read_reports(frame, month="2013-02", city="韶关市", monitored=listed)
    assert r["enterprise_id"].tolist()[:2] == ["韶关市/韶关甲厂", "韶关市/韶关乙厂"]
    assert pd.isna(r["enterprise_id"][2])  # 韶关丙厂 is not on the list


def test_cells_that_cannot_be_read_are_all_listed(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][3] = "一百"
    rows[1][1] = "个体户"
    rows[2][12] = "订单不足"
    lines = [
        ",".join(h or "" for h in HEADER_1[:7])
        + ",关闭破产,停业整顿,经济性裁员,企业迁出本市,其他,就业人数减少主要原因"
    ]
    lines += [",".join("" if v is None else str(v) for v in row) for row in rows]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ReportError) as err:
        read_reports(path, month="2013-02", city="韶关")
    assert err.value.problems[["row", "column", "value"]].values.tolist() == [
        ["2", "建档期期末就业人数", "一百"],
        ["4", "就业人数减少主要原因", "订单不足"],
        ["3", "企业性质", "个体户"],
    ]
    assert "3 cell(s) cannot be read" in str(err.value)


def test_no_month_no_city_no_form(tmp_path):
    frame = pd.DataFrame(
        ROWS[:1],
        columns=[*HEADER_1[:7], "关闭破产", "停业整顿", "经济性裁员", "企业迁出本市", "其他", HEADER_1[12]],
    )
    with pytest.raises(ReportError, match="the survey month is not in the file .* pass month='2013-01'"):
        read_reports(frame, city="韶关")
    with pytest.raises(ReportError, match="the city is not in the file"):
        read_reports(frame, month="2013-02")
    with pytest.raises(ReportError, match="month must be a month such as '2013-01', got '二月'"):
        read_reports(frame, month="二月")
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ReportReadError, match="no sheet has the form's header"):
        read_reports(path)
    with pytest.raises(ReportReadError, match="no such file"):
        read_reports(tmp_path / "missing.xlsx")


def test_2002_industry_codes_on_the_form():
    frame = pd.DataFrame(
        {
            "单位名称": ["甲", "乙"],
            "企业所属行业": ["40", "37"],
            "建档期期末就业人数": [1, 1],
            "调查期期末就业人数": [1, 1],
        }
    )
    with pytest.raises(ReportError, match="交通运输设备制造业 was split"):
        read_reports(frame, month="2013-02", city="韶关", industry_version="2002")
    r = read_reports(frame, month="2013-02", city="韶关", industry_version="2002", on_split="main")
    assert r["industry"].tolist() == ["39", "36"]


def test_monitored_list_file_in_the_ministrys_format(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["失业动态监测城市监测企业名单"])
    ws.append(["序号", "城市名", "企业名称", "企业性质", "所属行业"])
    ws.append([1, "韶关", "韶关甲厂", "私营有限责任公司", "13"])
    ws.append([2, "佛山", "佛山甲厂", "173", "39"])
    path = tmp_path / "名单.xlsx"
    book.save(path)
    listed = read_monitored(path)
    assert listed.values.tolist() == [
        ["韶关市/韶关甲厂", "韶关市", "韶关甲厂", "173", "13"],
        ["佛山市/佛山甲厂", "佛山市", "佛山甲厂", "173", "39"],
    ]


def test_monitored_list_errors():
    with pytest.raises(MonitoredListError, match="needs a city column"):
        read_monitored(pd.DataFrame({"企业名称": ["甲"]}))
    twice = pd.DataFrame({"城市名": ["韶关", "韶关"], "企业名称": ["甲", "甲"]})
    with pytest.raises(MonitoredListError, match="2 rows list an enterprise twice"):
        read_monitored(twice)


def test_monitored_list_from_a_sample():
    from sampling import select

    frame = pd.DataFrame(
        {
            "enterprise_id": [f"E{i}" for i in range(6)],
            "name": [f"企业{i}" for i in range(6)],
            "city": "韶关市",
            "section": "C",
            "size_class": "small",
            "state_owned": False,
            "industry": "13",
            "registration_type": "173",
            "employees": 100,
        }
    )
    cells = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates().assign(quota=3)
    sample = select(frame, cells, method="srs", reserves=1, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        listed = read_monitored(sample)
    assert len(listed) == 3 and set(listed["enterprise_id"]) <= set(frame["enterprise_id"])
    assert {"pi", "weight", "section", "size_class"} <= set(listed.columns)
    assert listed["weight"].tolist() == [2.0, 2.0, 2.0]  # 6 enterprises, 3 drawn by SRS: 1 / (3/6)


def test_monitored_list_from_a_samples_files(tmp_path):
    from sampling import select

    frame = pd.DataFrame(
        {
            "enterprise_id": [f"E{i}" for i in range(6)],
            "name": [f"企业{i}" for i in range(6)],
            "city": "韶关市",
            "section": "C",
            "size_class": "small",
            "state_owned": False,
            "industry": "13",
            "registration_type": "173",
            "employees": 100,
        }
    )
    cells = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates().assign(quota=3)
    sample = select(frame, cells, method="srs", reserves=2, random_state=1)
    monitored = sorted(sample.to_frame("sample")["enterprise_id"])
    sample.to_excel(tmp_path / "sample.xlsx")  # sheets 样本, 备选, 剔除
    assert sorted(read_monitored(tmp_path / "sample.xlsx")["enterprise_id"]) == monitored
    sample.to_frame().to_csv(tmp_path / "sample.csv", index=False)  # reserves in the role column
    assert sorted(read_monitored(tmp_path / "sample.csv")["enterprise_id"]) == monitored


def test_monitored_list_problems_name_the_excel_row(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["失业动态监测城市监测企业名单"])
    ws.append(["序号", "城市名", "企业名称", "企业性质", "所属行业"])
    ws.append([1, "韶关", "韶关甲厂", "173", "13"])
    ws.append([])
    ws.append([2, "韶关", "韶关乙厂", "个体户", "13"])
    book.save(tmp_path / "名单.xlsx")
    with pytest.raises(MonitoredListError) as err:
        read_monitored(tmp_path / "名单.xlsx")
    assert err.value.problems[["row", "value"]].values.tolist() == [[5, "个体户"]]
