"""basis.xlsx: what openpyxl (an independent reader of the format) reads back is what was written."""

from __future__ import annotations

import datetime
import math
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from basis.exceptions import SheetError
from basis.xlsx import STYLES, Formula, Workbook, column_letter, write_frames


def _values(path, sheet, data_only=True):
    ws = load_workbook(path, data_only=data_only)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_frame_round_trip_keeps_types_and_missing_values(tmp_path):
    frame = pd.DataFrame(
        {
            "名称": pd.Series(["甲 & 乙", "<b>", None, " lead"], dtype=object),
            "城市": pd.Categorical(["东莞市", "云浮市", None, "东莞市"]),
            "人数": [120, 0, -5, 2**40],
            "比例": [0.5, np.nan, np.inf, -1e-7],
            "可空": pd.array([1, None, 3, None], dtype="Int64"),
            "国有": [True, False, True, False],
            "编码": pd.Series(["05", "11", "43", "C"], dtype="string"),
        }
    )
    path = tmp_path / "t.xlsx"
    write_frames(path, {"表": frame})
    rows = _values(path, "表")
    assert rows[0] == list(frame.columns)
    assert rows[1] == ["甲 & 乙", "东莞市", 120, 0.5, 1, True, "05"]
    # NaN and missing values are empty cells; infinity is kept as text, not dropped.
    assert rows[2] == ["<b>", "云浮市", 0, None, None, False, "11"]
    assert rows[3] == [None, None, -5, "inf", 3, True, "43"]
    assert rows[4] == [" lead", "东莞市", 2**40, -1e-7, None, False, "C"]


def test_formula_keeps_its_text_and_cached_value(tmp_path):
    wb = Workbook()
    sheet = wb.add_sheet("配额")
    sheet.append(["门类", "配额"], style="header")
    sheet.append_frame(pd.DataFrame({"门类": ["C", "G"], "配额": [24, 36]}), header=False)
    sheet.append(["合计", Formula("=SUM(B2:B3)", 60), Formula("B4/100", 0.6), Formula('"x"&"y"', "xy")])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    assert _values(path, "配额")[3] == ["合计", 60, 0.6, "xy"]
    assert _values(path, "配额", data_only=False)[3] == ["合计", "=SUM(B2:B3)", "=B4/100", '="x"&"y"']
    with zipfile.ZipFile(path) as zf:
        assert 'fullCalcOnLoad="1"' in zf.read("xl/workbook.xml").decode()


def test_layout_styles_freeze_merge_widths(tmp_path):
    wb = Workbook()
    sheet = wb.add_sheet("说明")
    sheet.append(["标题"], style="title")
    sheet.append(["a", "b"], style=["bold", "percent"])
    sheet.append_frame(
        pd.DataFrame({"状态": ["pass", "fail"], "值": [0.25, 0.5]}),
        styles={"状态": ["pass", "fail"], "值": "percent"},
    )
    sheet.merge("A1:C1")
    sheet.freeze("B4")
    sheet.widths({1: 30, 3: 12.5})
    path = tmp_path / "s.xlsx"
    wb.save(path)
    ws = load_workbook(path)["说明"]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A2"].font.b and ws["B2"].number_format == "0.0%"
    assert ws["A3"].font.b and ws["A3"].fill.fgColor.rgb == "FFD9E1F2"
    assert ws["A4"].fill.fgColor.rgb == "FFC6EFCE" and ws["A5"].fill.fgColor.rgb == "FFFFC7CE"
    assert ws["B5"].number_format == "0.0%" and ws["B5"].value == 0.5
    assert ws.freeze_panes == "B4"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    assert ws.column_dimensions["A"].width == 30 and ws.column_dimensions["C"].width == 12.5


def test_sheet_names_checked():
    wb = Workbook()
    wb.add_sheet("东莞市")
    with pytest.raises(SheetError, match="used twice"):
        wb.add_sheet("东莞市")
    for bad in ("", "a" * 32, "a/b", "x[1]", "'q"):
        with pytest.raises(SheetError, match="sheet name"):
            wb.add_sheet(bad)
    with pytest.raises(SheetError, match="unknown style 'huge'"):
        wb.add_sheet("x").append([1], style="huge")
    with pytest.raises(SheetError, match="bad range"):
        wb.sheets[0].merge("A1:ZZZZ1")


def test_column_letters_against_excel_names():
    # Excel's own column names: 1 A, 26 Z, 27 AA, 702 ZZ, 703 AAA, 16384 XFD (the last column).
    assert [column_letter(i) for i in (1, 26, 27, 702, 703, 16384)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]
    with pytest.raises(SheetError):
        column_letter(16385)


def test_styles_listed():
    assert {"header", "total", "pass", "fail", "warn", "percent"} <= set(STYLES)


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            text, st.integers(-(2**53), 2**53), st.floats(allow_nan=True, allow_infinity=False), st.booleans()
        ),
        min_size=0,
        max_size=15,
    )
)
def test_any_table_reads_back(tmp_path_factory, rows):
    frame = pd.DataFrame(rows, columns=["t", "i", "f", "b"])
    frame["i"] = frame["i"].astype(np.int64)
    frame["f"] = frame["f"].astype(float)
    frame["b"] = frame["b"].astype(bool)
    path = tmp_path_factory.mktemp("h") / "h.xlsx"
    write_frames(path, {"s": frame})
    back = _values(path, "s")[1:]
    assert len(back) == len(frame)
    # Characters XML 1.0 forbids are removed; openpyxl reads an empty text as an empty cell.
    forbidden = {chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF]}
    for got, (t, i, f, b) in zip(back, rows):
        kept = "".join(ch for ch in t if ch not in forbidden)
        assert (got[0] or "") == kept
        assert got[1] == i
        assert (got[2] is None) if math.isnan(f) else got[2] == f
        assert got[3] is b


def test_dates_are_excel_dates_read_back_by_openpyxl(tmp_path):
    # Excel's serials (ECMA-376 Part 1, 18.17.4.1, 1900 date system): days since 30 December
    # 1899 from 1 March 1900, so 2026-03-01 is 46082 (=DATE(2026,3,1) in Excel; openpyxl, read
    # independently, gives the date back); before 1 March 1900 Excel has no date: ISO text.
    frame = pd.DataFrame(
        {
            "日期": pd.to_datetime(["2026-03-01", None, "1899-05-01"]),
            "时间": pd.to_datetime(["2026-03-01 12:30", "2026-03-02 00:00", None]).tz_localize(
                "Asia/Shanghai"
            ),
            "对象": pd.Series(
                [datetime.date(2026, 1, 5), pd.Timestamp("2026-01-01 08:00"), None], dtype=object
            ),
            "月份": pd.period_range("2026-01", periods=3, freq="M"),
        }
    )
    path = tmp_path / "d.xlsx"
    write_frames(path, {"日期": frame})
    ws = load_workbook(path)["日期"]
    assert [c.value for c in ws["A"]] == ["日期", datetime.datetime(2026, 3, 1), None, "1899-05-01T00:00:00"]
    assert ws["A2"].number_format == "yyyy-mm-dd"
    # the wall-clock time of a time zone; a column with a time of day is shown with it
    assert [c.value for c in ws["B"]][1:] == [
        datetime.datetime(2026, 3, 1, 12, 30),
        datetime.datetime(2026, 3, 2),
        None,
    ]
    assert ws["B3"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert [c.value for c in ws["C"]][1:] == [
        datetime.datetime(2026, 1, 5),
        datetime.datetime(2026, 1, 1, 8),
        None,
    ]
    assert [ws["C2"].number_format, ws["C3"].number_format] == ["yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"]
    assert [c.value for c in ws["D"]][1:] == ["2026-01", "2026-02", "2026-03"]  # periods as text
    with zipfile.ZipFile(path) as zf:
        assert '<c r="A2" s="14"><v>46082' in zf.read("xl/worksheets/sheet1.xml").decode()


def test_dates_in_single_rows_take_a_given_style(tmp_path):
    wb = Workbook()
    sheet = wb.add_sheet("s")
    sheet.append([datetime.date(2026, 1, 2), np.datetime64("2026-02-03T04:05"), np.datetime64("NaT")])
    sheet.append([datetime.date(2026, 1, 2)], style="integer")
    path = tmp_path / "r.xlsx"
    wb.save(path)
    ws = load_workbook(path)["s"]
    assert [ws["A1"].value, ws["B1"].value, ws["C1"].value] == [
        datetime.datetime(2026, 1, 2),
        datetime.datetime(2026, 2, 3, 4, 5),
        None,
    ]
    assert ws["B1"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["A2"].value == 46024 and ws["A2"].number_format == "#,##0"  # 2026-01-02 is serial 46024


def test_mixed_object_columns_keep_each_cells_type_and_empty_text_is_empty(tmp_path):
    frame = pd.DataFrame(
        {
            "限值": pd.Series([30, "1/3", None, 0.4], dtype=object),
            "整数": pd.Series([1, None, 2**40, 3], dtype=object),
            "大数": pd.Series([2**70, None, 1, 2], dtype=object),  # beyond 64 bits: cell by cell
            "是否": pd.Series([True, None, False, True], dtype=object),
            "约束": ["", "minimum", "", "maximum"],
        }
    )
    path = tmp_path / "m.xlsx"
    write_frames(path, {"m": frame})
    rows = _values(path, "m")[1:]
    assert rows == [
        [30, 1, 2**70, True, None],
        ["1/3", None, None, None, "minimum"],
        [None, 2**40, 1, False, None],
        [0.4, 3, 2, True, "maximum"],
    ]
    assert all(type(v) is int for v in (rows[0][0], rows[0][1], rows[2][1]))
