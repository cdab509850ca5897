"""Tests for basis.tables.write_table: each format read back by an independent reader."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from basis.exceptions import OutputError
from basis.tables import write_table


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {"city": ["广州市", "韶关市"], "quota": [12, 0], "share": [0.25, 1 / 3], "state_owned": [True, False]}
    )


def test_xlsx_read_back_by_pandas_and_openpyxl(tmp_path):
    path = write_table(_table(), tmp_path / "t.xlsx", sheet="配额")
    pd.testing.assert_frame_equal(pd.read_excel(path, sheet_name="配额"), _table())
    sheet = load_workbook(path)["配额"]
    assert sheet.freeze_panes == "A2"  # the header row stays in view
    assert [type(c.value) for c in sheet[3]] == [str, int, float, bool]


def test_xlsx_with_index_and_no_overwrite(tmp_path):
    table = _table().set_index("city")
    path = write_table(table, tmp_path / "t.xlsx", index=True)
    assert pd.read_excel(path).columns.tolist() == ["city", "quota", "share", "state_owned"]
    with pytest.raises(OutputError):
        write_table(table, path, overwrite=False)
