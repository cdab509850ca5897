"""basis.xlsx: what openpyxl (an independent reader of the format) reads back is what was written."""

from __future__ import annotations

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
