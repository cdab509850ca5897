"""Tests for sampling.frame: reading registers and naming their columns."""

from __future__ import annotations

import pandas as pd
import pytest

from sampling.exceptions import FrameError
from sampling.frame import canonical_columns, read_frame


def test_headers_map_with_units_and_spaces():
    mapping = canonical_columns(["企业名称 ", "从业人员(人)", "营业收入（万元）", "Enterprise_ID"])
    assert mapping == {
        "企业名称 ": "name",
        "从业人员(人)": "employees",
        "营业收入（万元）": "revenue",
        "Enterprise_ID": "enterprise_id",
    }


def test_read_frame_keeps_unknown_columns_and_does_not_mutate(tmp_path, raw_register):
    raw = raw_register
    before = raw.copy()
    frame = read_frame(raw)
    assert "备注" in frame.columns  # not dropped
    pd.testing.assert_frame_equal(raw, before)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_read_frame_from_files(tmp_path, suffix, raw_register):
    path = tmp_path / f"frame{suffix}"
    raw = raw_register
    if suffix == ".csv":
        raw.to_csv(path, index=False, encoding="gb18030")  # a typical Chinese Excel export
    elif suffix == ".xlsx":
        raw.to_excel(path, index=False)
    else:
        raw.to_parquet(path)
    frame = read_frame(path)
    assert frame["enterprise_id"].tolist() == raw["统一社会信用代码"].tolist()
    assert frame["city"].tolist() == ["广州", "广州市", "Guangzhou", "深圳"]


def test_missing_required_column_lists_headers(raw_register):
    with pytest.raises(FrameError, match=r"required column\(s\) \['employees'\].*企业名称"):
        read_frame(raw_register.drop(columns=["从业人员（人）"]))


def test_explicit_column_mapping(raw_register):
    raw = raw_register.rename(columns={"从业人员（人）": "年末人数"})
    frame = read_frame(raw, columns={"年末人数": "employees"})
    assert "employees" in frame.columns
