"""Tests for sampling.read.read_sample on workbooks and CSV files laid out like the bureaus' lists."""

from __future__ import annotations

import warnings

import pytest
from openpyxl import Workbook

from quotas.rules import MOHRSS_2009
from sampling.auditing import audit
from sampling.exceptions import FrameError, SampleError, SampleReadWarning
from sampling.read import read_sample

HEADER = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "企业性质",
    "所属行业",
    "建档期期末就业人数",
    "营业收入（万元）",
    "企业规模",
    "备注",
]


def write_city_sheet(ws, city: str, rows: list[list]) -> None:
    """A bureau's sheet: merged title, a filler line, a blank row, the header (row 4), data,
    a blank row, a total row and a note."""
    ws.append([f"{city}失业动态监测企业名单"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(["填报单位:", f"{city}人力资源和社会保障局", None, None, "填报日期:", "2013-12-01"])
    ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    ws.append([])
    ws.append(["合计", None, None, None, None, sum(r[5] for r in rows)])
    ws.append(["注:行业按GB/T 4754-2011填写"])


ROWS_SG = [
    [1, "甲机械厂", "91440200A1", "173", 3411, 350, 2500, "中型", ""],
    [2, "乙商贸", "91440200A2", "110", 5211, 80, 900, "中型", "老样本"],
    [3, "丙农服", "91440200A3", "173", 511, 60, 600, "小型", ""],
]
ROWS_GZ = [
    [1, "丁电子", "91440100B1", "173", 3971, 1200, 30000, "大型", ""],
]


@pytest.fixture
def workbook(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "韶关"
    write_city_sheet(ws, "韶关市", ROWS_SG)
    write_city_sheet(wb.create_sheet("广州市"), "广州市", ROWS_GZ)
    notes = wb.create_sheet("填表说明")
    notes.append(["本表由各市填报"])
    path = tmp_path / "监测企业名单.xlsx"
    wb.save(path)
    return path


def read_quietly(path, **kwargs):
    with pytest.warns(SampleReadWarning) as record:
        out = read_sample(path, **kwargs)
    return out, str(record[0].message)


def test_one_sheet_per_city(workbook):
    s, message = read_quietly(workbook)
    assert s["enterprise_id"].tolist() == ["91440200A1", "91440200A2", "91440200A3", "91440100B1"]
    assert s["city"].tolist() == ["韶关", "韶关", "韶关", "广州市"]  # from the sheet names
    assert s["employees"].tolist() == [350, 80, 60, 1200]
    # Excel numbers stay numbers: 511 is division 05 (agricultural services), not 51
    assert s["industry"].tolist() == [3411, 5211, 511, 3971]
    assert s["reported_size"].tolist() == ["中型", "中型", "小型", "大型"]
    assert s["source_row"].tolist() == [5, 6, 7, 5]
    assert s.attrs["header_rows"] == {"韶关": 4, "广州市": 4}
    assert list(s.columns[:8]) == [
        "enterprise_id",
        "name",
        "city",
        "industry",
        "registration_type",
        "employees",
        "revenue",
        "reported_size",
    ]


def test_skipped_rows_and_columns_are_reported(workbook):
    s, message = read_quietly(workbook)
    sk = s.attrs["skipped"]
    sg = sk[sk.sheet == "韶关"]
    # header row 4: 序号 and 备注 unrecognised (kept as columns); data rows 5-7; 8 blank;
    # 9 total (合计); 10 note
    assert sg.loc[sg.kind == "unrecognised column", "value"].tolist() == ["序号", "备注"]
    assert sg.loc[sg.kind == "blank row", "row"].tolist() == [8]
    assert sg.loc[sg.kind == "total row", "row"].tolist() == [9]
    assert sg.loc[sg.kind == "note row", "row"].tolist() == [10]
    assert sk.loc[sk.kind == "sheet without a sample table", "sheet"].tolist() == ["填表说明"]
    assert "序号" in s.columns and "备注" in s.columns
    assert "4 enterprises" in message and "2 total row(s)" in message


def test_one_sheet_for_all_with_a_city_column(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["广东省监测企业名单"])
    ws.append(["企业名称", "组织机构代码", "登记注册类型", "所属行业", "所在地市", "从业人员"])
    ws.append(["甲", "12345678-9", "有限责任公司", "1311", "韶关", 300])
    ws.append(["乙", "22345678-9", "国有企业", "5211", "Guangzhou", 50])
    path = tmp_path / "all.xlsx"
    wb.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = read_sample(path)  # nothing skipped: no warning
    assert s["city"].tolist() == ["韶关", "Guangzhou"]
    assert s.attrs["skipped"].empty
    assert len(read_sample(path, sheet="Sheet1")) == 2
    with pytest.raises(SampleError, match="Sheet2"):
        read_sample(path, sheet="Sheet2")


def test_csv_gb18030_with_title_line(tmp_path):
    path = tmp_path / "韶关.csv"
    text = '韶关市监测企业\n统一社会信用代码,企业名称,企业性质,所属行业,从业人员\nA1,甲,173,0511,60\n,,,,\nA2,乙,110,1311,"1,200"\n'
    path.write_bytes(text.encode("gb18030"))
    s, _ = read_quietly(path)
    assert s["industry"].tolist() == ["0511", "1311"]
    assert s["employees"].tolist() == ["60", "1,200"]
    assert s["city"].tolist() == ["韶关", "韶关"]
    assert s.attrs["skipped"][["row", "kind"]].values.tolist() == [[4, "blank row"]]


def test_not_a_sample(tmp_path):
    wb = Workbook()
    wb.active.append(["月份", "GDP", "人口"])
    wb.active.append(["1月", 100, 200])
    path = tmp_path / "统计.xlsx"
    wb.save(path)
    with pytest.raises(SampleError, match=r"统计.xlsx is not a sample: no sheet has a header row.*月份"):
        read_sample(path)
    bogus = tmp_path / "fake.xlsx"
    bogus.write_text("not a workbook")
    with pytest.raises(SampleError, match="fake.xlsx: not a readable Excel workbook"):
        read_sample(bogus)
    with pytest.raises(SampleError, match="no such file"):
        read_sample(tmp_path / "missing.xlsx")
    with pytest.raises(SampleError, match="unknown file type '.pdf'"):
        (tmp_path / "x.pdf").write_text("x")
        read_sample(tmp_path / "x.pdf")


def test_sheet_name_not_a_city(tmp_path):
    wb = Workbook()
    wb.active.title = "名单"
    wb.active.append(["企业名称", "统一社会信用代码", "所属行业", "从业人员"])
    wb.active.append(["甲", "A1", "1311", 100])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    with pytest.raises(SampleError, match="sheet '名单': no city column"):
        read_sample(path)


def test_no_id_column_and_clashing_headers(tmp_path):
    wb = Workbook()
    wb.active.title = "韶关"
    wb.active.append(["企业名称", "所属行业", "从业人员"])
    wb.active.append(["甲", "1311", 100])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    with pytest.raises(SampleError, match="no enterprise id column.*企业名称"):
        read_sample(path)
    # explicit mapping fixes it: 企业名称 is the id here
    s = read_sample(path, columns={"企业名称": "enterprise_id"})
    assert s["enterprise_id"].tolist() == ["甲"]


def test_read_then_audit(workbook):
    s, _ = read_quietly(workbook)
    report = audit(s, rules=MOHRSS_2009)
    r = report.to_frame().set_index(["city", "rule"])
    # 2009 rule: at least 30 per city -> both fail
    assert r.loc[("韶关市", "min_count"), ["observed", "status"]].tolist() == [3, "fail"]
    # sizes re-derived (国统字〔2011〕75号): 3411 (工业) 350 employees, 2500万元 -> medium (as
    # reported); 5211 retail 80 employees, 900万元 -> medium (>= 50 and >= 500); 0511
    # (agricultural services, sized as 农林牧渔 by revenue) 600万元 -> medium (>= 500), reported
    # small -> one mismatch; 3971 1200 employees 30000万元 -> medium (revenue < 40000), reported
    # large -> one mismatch in 广州市.
    assert r.loc[("韶关市", "size_consistent"), ["observed", "status"]].tolist() == [1, "fail"]
    assert "91440200A3 small->medium" in r.loc[("韶关市", "size_consistent"), "message_en"]
    assert r.loc[("广州市", "size_consistent"), ["observed", "status"]].tolist() == [1, "fail"]


def test_bad_codes_in_a_read_sample_are_named(tmp_path):
    wb = Workbook()
    wb.active.title = "韶关"
    wb.active.append(HEADER)
    wb.active.append([1, "甲", "A1", "999", 1311, 100, 500, "小型", ""])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    s, _ = read_quietly(path)
    with pytest.raises(FrameError, match="999"):
        audit(s, rules=MOHRSS_2009)


def test_column_number_row_under_the_header(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "韶关"
    ws.append(["企业名称", "统一社会信用代码", "企业性质", "所属行业", "从业人员"])
    ws.append(["甲", "乙", 1, 2, 3])  # 栏次
    ws.append(["甲公司", "A1", "173", "1311", 100])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    s, _ = read_quietly(path)
    assert s["enterprise_id"].tolist() == ["A1"]
    assert s.attrs["skipped"][["row", "kind"]].values.tolist() == [[2, "column number or unit row"]]
