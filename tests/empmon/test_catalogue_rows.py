"""Rows named as the user sees them, by every reader, from a file and from a DataFrame.

From a file, a bad row is named by the CSV line or the Excel row (the header being row 1, the
rows above the header of a form counted too); from a DataFrame given to the Python API, by its
index label. Each case puts one bad value at a row counted by hand in the file it writes, and
the same table as a DataFrame with an index of its own (labels 100, 101, ...).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from basis.rows import row_labels, row_name, rows_shown
from quotas.build import build_quotas
from quotas.contract import CITY_STATISTICS, QUOTA_TABLE
from quotas.exceptions import QuotaInputError
from sampling import prepare_frame, read_frame, read_sample
from sampling.exceptions import FrameError

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


def _register(bad_at: int) -> pd.DataFrame:
    """The first 12 enterprises of the example register, the one at line ``bad_at`` (header =
    line 1) with -5 employees."""
    table = pd.read_csv(DATA / "frame.csv", dtype=str, nrows=12)
    table.loc[bad_at - 2, "employees"] = "-5"
    return table


def _frame_problem_rows(source) -> list:
    with pytest.raises(FrameError) as info:
        prepare_frame(read_frame(source))
    return info.value.problems["row"].tolist()


def test_register_csv_names_the_line(tmp_path):
    path = tmp_path / "frame.csv"
    _register(9).to_csv(path, index=False)
    assert _frame_problem_rows(path) == [9]


def test_register_csv_with_a_blank_line_keeps_the_numbering(tmp_path):
    # A blank line 5: the bad value on line 10 of the file is still "row 10".
    path = tmp_path / "frame.csv"
    lines = _register(9).to_csv(index=False).splitlines()
    path.write_text("\n".join([*lines[:4], "", *lines[4:]]) + "\n", encoding="utf-8")
    assert _frame_problem_rows(path) == [10]


def test_register_xlsx_names_the_excel_row(tmp_path):
    path = tmp_path / "frame.xlsx"
    _register(9).to_excel(path, index=False)
    assert _frame_problem_rows(path) == [9]


def test_register_dataframe_names_the_index_label():
    table = _register(9)
    table.index = range(100, 100 + len(table))
    assert _frame_problem_rows(table) == [107]  # line 9 is the 8th record: label 100 + 7
    with pytest.raises(FrameError, match="also row 103"):
        table.loc[104, "enterprise_id"] = table.loc[103, "enterprise_id"]
        prepare_frame(read_frame(table))


def _statistics(bad_at: int) -> pd.DataFrame:
    table = pd.read_csv(DATA / "stats.csv", dtype=str)
    table.loc[bad_at - 2, "employment"] = "-7"
    return table


def test_table_kind_names_the_line_or_the_label(tmp_path):
    path = tmp_path / "stats.csv"
    _statistics(4).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"row 4, column 'employment': '-7' is negative"):
        CITY_STATISTICS.read(path)
    frame = _statistics(4).set_axis([10, 11, 12, 13], axis=0)
    with pytest.raises(ValueError, match=r"row 12, column 'employment': '-7' is negative"):
        CITY_STATISTICS.read(frame)


def test_quota_table_names_the_excel_row(tmp_path):
    quotas = pd.DataFrame(
        {
            "city": ["广州市", "广州市", "广州市"],
            "section": ["C", "C", "G"],
            "size_class": ["small", "medium", "small"],
            "state_owned": ["no", "no", "no"],
            "quota": ["3", "2.5", "4"],
        }
    )
    path = tmp_path / "quotas.xlsx"
    quotas.to_excel(path, index=False)
    with pytest.raises(ValueError, match=r"row 3, column 'quota': '2\.5' is not a whole number"):
        QUOTA_TABLE.read(path)


def test_city_bureau_sample_names_the_excel_row_under_its_titles(tmp_path):
    # Title on row 1, a blank row 2, the header on row 3: the second enterprise is on row 5.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "韶关"
    sheet.append(["韶关市 监测企业名单"])
    sheet.append([])
    sheet.append(["序号", "企业名称", "统一社会信用代码", "企业性质", "所属行业", "建档期期末就业人数"])
    sheet.append([1, "甲", "A1", "110", 1311, 100])
    sheet.append([2, "乙", "A2", "999", 1311, 100])
    path = tmp_path / "sample.xlsx"
    book.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = read_sample(path)
    with pytest.raises(FrameError) as info:
        prepare_frame(sample)
    assert info.value.problems[["row", "column"]].values.tolist() == [[5, "registration_type"]]


def test_build_quotas_existing_names_the_label():
    # Panel enterprises in a cell the structure does not have: named by the existing table's label.
    structure = pd.DataFrame(
        {
            "city": ["广州市"],
            "section": ["C"],
            "size_class": ["small"],
            "state_owned": [False],
            "enterprises": [40],
            "employment": [2000],
        }
    )
    existing = pd.DataFrame(
        {"city": ["广州市"], "section": ["G"], "size_class": ["small"], "state_owned": [False], "panel": [2]},
        index=[42],
    )
    with pytest.raises(QuotaInputError, match=r"row 42: \(广州市, G, small, non-state\)"):
        build_quotas(structure, {"广州市": 5}, existing=existing)


def test_the_helpers_say_rows_one_way():
    # A hand-written expectation of the one format: "row <label>", values as typed, cut at ten.
    assert row_name(7) == "row 7"
    assert rows_shown([(3, "ZZ"), (5, -5.0)]) == "row 3: 'ZZ', row 5: -5.0"
    assert rows_shown(range(20), values=False).endswith("row 9, ... and 10 more")
    two_sheets = pd.DataFrame({"source_sheet": ["韶关", "广州"], "source_row": [5, 6]})
    assert row_labels(two_sheets).tolist() == ["韶关!5", "广州!6"]
