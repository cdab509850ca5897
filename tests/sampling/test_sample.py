"""Tests for sampling.sample.Sample (the selection result)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from sampling import Sample, replace, select
from sampling.cells import CELL_KEYS as KEYS
from sampling.sample import SAMPLE_COLUMNS


@pytest.fixture
def sample() -> Sample:
    n = 12
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"91440101MA{i:08d}" for i in range(n)],
            "name": [f"广州某某制造有限公司{i}" for i in range(n)],
            "city": "广州市",
            "industry": "C13",
            "registration_type": ["110"] + ["173"] * (n - 1),
            "employees": np.arange(1, n + 1) * 25,
            "section": "C",
            "size_class": "medium",
            "state_owned": [True] + [False] * (n - 1),
            "in_panel": [False, True] + [False] * (n - 2),
            "prn": (np.arange(n) + 0.5) / n,
        }
    )
    quotas = frame[list(KEYS)].drop_duplicates().assign(quota=[1, 3])
    s = select(frame, quotas, method="srs", reserves=2)
    return replace(s, frame, invalid={"91440101MA00000002": "关闭破产"})


def test_to_frame_columns_and_roles(sample):
    t = sample.to_frame()
    assert tuple(t.columns[: len(SAMPLE_COLUMNS)]) == SAMPLE_COLUMNS
    assert {"reserve_rank", "replaces", "name", "industry", "registration_type", "employees"} <= set(
        t.columns
    )
    # state-owned cell: quota 1 -> E00; other cell: panel E01, new E02 (removed) -> E03, E04
    assert t.set_index("enterprise_id")["role"].to_dict() == {
        "91440101MA00000000": "new",
        "91440101MA00000001": "panel",
        "91440101MA00000003": "new",
        "91440101MA00000004": "new",
        "91440101MA00000005": "reserve",
        "91440101MA00000002": "removed",
    }
    monitored = sample.to_frame("sample")
    assert set(monitored["role"]) == {"panel", "new"} and len(monitored) == 4
    with pytest.raises(ValueError, match="role must be 'all' or 'sample'"):
        sample.to_frame("reserve")
    # to_frame gives a copy
    t.loc[0, "role"] = "x"
    assert "x" not in set(sample.to_frame()["role"])


def test_frozen(sample):
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample.method = "pareto"  # type: ignore[misc]


def test_summary_and_repr(sample):
    text = sample.summary()
    assert "4 enterprises = 1 panel + 3 new" in text
    assert "quota total 4 in 2 cells" in text
    assert "reserves: 1; removed: 1" in text
    assert "frame column 'prn'" in text
    assert repr(sample) == text
    html = sample._repr_html_()
    assert "<table" in html and "panel" in html and "91440101MA00000001" in html


def test_cells(sample):
    cells = sample.cells.set_index("state_owned")
    assert cells.loc[False, ["quota", "population", "panel", "new", "reserves", "removed"]].tolist() == [
        3,
        10,
        1,
        2,
        1,
        1,
    ]
    assert not cells["overshoot"].any()


def test_to_excel_headers(sample, tmp_path):
    path = tmp_path / "sample.xlsx"
    sample.to_excel(path)
    book = load_workbook(path)
    assert book.sheetnames == ["样本", "备选", "剔除"]
    rows = list(book["样本"].values)
    assert rows[0][:6] == ("企业名称", "统一社会信用代码", "企业性质", "所属行业", "所在地市", "从业人员")
    body = {r[1]: r for r in rows[1:]}
    assert len(body) == 4
    first = body["91440101MA00000000"]
    assert first[:6] == ("广州某某制造有限公司0", "91440101MA00000000", "国有企业", "C13", "广州市", 25)
    header = rows[0]
    assert first[header.index("划型规模")] == "中型" and first[header.index("国有")] == "是"
    assert body["91440101MA00000001"][header.index("样本类型")] == "原样本"
    reserve = list(book["备选"].values)
    assert reserve[1][1] == "91440101MA00000005" and reserve[1][2] == "私营有限责任公司"
    removed = list(book["剔除"].values)
    assert removed[1][removed[0].index("剔除原因")] == "关闭破产"
