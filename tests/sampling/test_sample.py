"""Tests for sampling.sample.Sample (the selection result)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from sampling import Sample, replace, select
from sampling.cells import CELL_KEYS as KEYS
from sampling.exceptions import SampleError
from sampling.sample import DESIGN_COLUMNS, SAMPLE_COLUMNS


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
    return replace(s, frame, invalid={"91440101MA00000002": "关闭破产"}, authorised_by="人社部统一安排")


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
    assert str(sample) == text
    assert repr(sample) == f"<Sample: {text.splitlines()[0]}>"
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


# --------------------------------------------------------------------------- design export


R_DESIGN_CSV = Path(__file__).parent / "r" / "sample_design.csv"


def test_survey_design_by_hand(design_sample, design_register):
    d = design_sample.to_survey_design()
    strata = d.groupby("stratum", sort=False).agg(
        n=("fpc", "size"), fpc=("fpc", "first"), w=("weight", "first")
    )
    # 广州 C: 3 panel (take-all, fpc 3), 7 new of the 37 others: w = 37 / 7; 广州 G: 6 of 25;
    # 韶关 C: 8 of 8 (pi 1, fpc 8 = n: no variance); 韶关 G state: 1 panel, 4 of the other 29.
    assert strata.to_dict("index") == {
        "广州市/C/small/non-state/panel": {"n": 3, "fpc": 3, "w": 1.0},
        "广州市/C/small/non-state/drawn": {"n": 7, "fpc": 37, "w": pytest.approx(37 / 7)},
        "广州市/G/medium/non-state/drawn": {"n": 6, "fpc": 25, "w": pytest.approx(25 / 6)},
        "韶关市/C/small/non-state/drawn": {"n": 8, "fpc": 8, "w": 1.0},
        "韶关市/G/small/state/panel": {"n": 1, "fpc": 1, "w": 1.0},
        "韶关市/G/small/state/drawn": {"n": 4, "fpc": 29, "w": pytest.approx(29 / 4)},
    }
    assert tuple(d.columns[: len(DESIGN_COLUMNS)]) == DESIGN_COLUMNS
    np.testing.assert_allclose(d["pi"] * d["weight"], 1.0)
    # A register recounted: the same counts from a structure table give the same design.
    structure = pd.DataFrame(
        [
            ("广州市", "C", "small", False, 40),
            ("广州市", "G", "medium", False, 25),
            ("韶关市", "C", "small", False, 8),
            ("韶关市", "G", "small", True, 30),
        ],
        columns=[*KEYS, "enterprises"],
    )
    pd.testing.assert_frame_equal(design_sample.to_survey_design(register=structure), d)
    # and the register itself, counted by sampling.structure
    pd.testing.assert_frame_equal(design_sample.to_survey_design(register=design_register), d)
    with pytest.raises(
        SampleError,
        match="cell 广州市/C/small/non-state: 9 enterprises in the register, but 3 panel and 7 drawn",
    ):
        design_sample.to_survey_design(register=structure.assign(enterprises=[9, 25, 8, 30]))
    with pytest.raises(SampleError, match="cell 广州市/G/medium/non-state has drawn enterprises but no size"):
        design_sample.to_survey_design(register=structure.drop(index=1))


def test_design_export_is_the_file_r_reads(design_sample, tmp_path):
    # The file tests/sampling/r/make_design_refs.R reads is what the library writes today.
    path = tmp_path / "design.csv"
    design_sample.write_survey_design(path)
    assert path.read_text(encoding="utf-8") == R_DESIGN_CSV.read_text(encoding="utf-8")


def test_r_reads_the_design_export(design_sample):
    # Pasted from `Rscript tests/sampling/r/make_design_refs.R` (survey 4.1.1), which reads
    # sample_design.csv (the export, checked above to be what the library writes) with
    # svydesign(ids = ~1, strata = ~stratum, fpc = ~fpc, weights = ~weight).
    from sampling.representativeness import rao_scott_gof

    d = design_sample.to_survey_design()
    band = pd.Series(
        np.select([d["employees"] < 100, d["employees"] < 300], ["b1", "b2"], "b3"), index=d.index
    )
    p = pd.Series({"b1": 0.3, "b2": 0.4, "b3": 0.3})
    test = rao_scott_gof(band, d["weight"], p, strata=d["stratum"], fpc=d["fpc"])
    np.testing.assert_allclose(
        test.totals.to_numpy(), [29.952380952380953, 41.726190476190474, 31.321428571428573], rtol=1e-12
    )
    np.testing.assert_allclose(
        test.standard_errors.to_numpy(),
        [9.811430697691387, 10.570228642753698, 10.335260134162871],
        rtol=1e-10,
    )
    assert test.statistic == pytest.approx(0.041528841849576809, rel=1e-10)
    assert test.scale == pytest.approx(4.6609805217670051, rel=1e-10)
    assert test.df == pytest.approx(1.9918796917328485, rel=1e-10)
    assert test.p_value == pytest.approx(0.9954483722987526, rel=1e-10)
    np.testing.assert_allclose(test.eigenvalues[:2], [4.9384472841578511, 4.3456651607122243], rtol=1e-10)
    # Labels need not be sorted here (R's svygofchisq needs them sorted; see the R script):
    # the same bands named lt100, 100to299, ge300 give the same test.
    renamed = band.map({"b1": "lt100", "b2": "100to299", "b3": "ge300"})
    p_renamed = pd.Series({"lt100": 0.3, "100to299": 0.4, "ge300": 0.3})
    other = rao_scott_gof(renamed, d["weight"], p_renamed, strata=d["stratum"], fpc=d["fpc"])
    np.testing.assert_allclose(other.eigenvalues, test.eigenvalues, rtol=1e-12, atol=1e-12)
    # R's svytotal(~employees) = 20858.857142857141: the weights' Horvitz-Thompson total
    assert (d["weight"] * d["employees"]).sum() == pytest.approx(20858.857142857141, rel=1e-14)
