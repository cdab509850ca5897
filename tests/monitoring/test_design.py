"""The design the estimates use: from a Sample, from a table, and its checks."""

from __future__ import annotations

import pandas as pd
import pytest

from monitoring.design import as_design
from monitoring.exceptions import EstimationError
from sampling import select


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": ["a", "b", "c", "d"],
            "city": "广州市",
            "section": "C",
            "size_class": ["small", "small", "small", "large"],
            "state_owned": False,
            "weight": [4.0, 4.0, 4.0, 1.0],
            "fpc": [12, 12, 12, 1],
            "name": ["甲厂", "乙厂", "丙厂", "丁厂"],
        }
    )


def test_from_a_sample_takes_the_monitored_and_the_cells_sizes():
    # 10 enterprises in one cell, quota 4, 2 reserves: the design holds the 4 monitored
    # (not the reserves), weight 10/4 each, N_h = 10 (the cell's population in the frame).
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"E{i}" for i in range(10)],
            "city": "深圳市",
            "section": "G",
            "size_class": "small",
            "state_owned": False,
            "employees": 100,
        }
    )
    quotas = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates().assign(quota=4)
    sample = select(frame, quotas, method="srs", reserves=2, random_state=3)
    design = as_design(sample)
    assert list(design.table.columns[:2]) == ["enterprise_id", "city"]
    assert {"weight", "fpc"} <= set(design.table.columns)
    assert len(design.table) == 4
    assert (design.table["weight"] == 2.5).all()
    assert (design.table["fpc"] == 10).all()
    assert set(design.table["enterprise_id"]) == set(sample.to_frame("sample")["enterprise_id"])


def test_strata_table_and_text():
    design = as_design(_table())
    cells = design.strata_table()
    # correction = 1 - n/N: small 1 - 3/12 = 0.75; large taken whole 1 - 1/1 = 0
    assert cells[["size_class", "n", "fpc", "correction", "weight"]].to_dict("records") == [
        {"size_class": "large", "n": 1, "fpc": 1, "correction": 0.0, "weight": 1.0},
        {"size_class": "small", "n": 3, "fpc": 12, "correction": 0.75, "weight": 12.0},
    ]
    assert "1 taken whole (fpc = n), 0 with one enterprise of several" in design.summary()
    assert design.to_frame()["name"].tolist() == ["甲厂", "乙厂", "丙厂", "丁厂"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.drop(columns="fpc"), "missing column\\(s\\) 'fpc'"),
        (lambda t: t.assign(enterprise_id=["a", "b", "a", "d"]), "enterprise_id repeated: 'a'"),
        (lambda t: t.assign(enterprise_id=["a", " ", "c", "d"]), "enterprise_id is empty in row 1$"),
        (lambda t: t.assign(weight=[4.0, -1.0, 4.0, 1.0]), "enterprise 'b' has -1.0"),
        (lambda t: t.assign(fpc=[12, 12, 12.5, 1]), "whole number >= 1: enterprise 'c' has 12.5"),
        (
            lambda t: t.assign(fpc=[12, 12, 13, 1]),
            "fpc differs within stratum 广州市 / C / small / False",
        ),
        (
            lambda t: t.assign(fpc=[2, 2, 2, 1]),
            "stratum 广州市 / C / small / False has 3 monitored enterprises but only 2",
        ),
    ],
)
def test_bad_designs_are_named(change, message):
    with pytest.raises(EstimationError, match=message):
        as_design(change(_table()))


def test_other_strata_and_bad_input():
    design = as_design(_table().assign(fpc=13), strata=["city"])
    assert design.strata == ("city",)
    with pytest.raises(EstimationError, match="must be a Design, a sampling.Sample or a DataFrame, got list"):
        as_design([1, 2])
    with pytest.raises(EstimationError, match="at least one column"):
        as_design(_table(), strata=[])


def test_cells_of_industry_groups_are_the_strata_and_collapse_to_the_section():
    # Issue 16: quota cells of industry groups (C39 split off C). A table with industry_group is
    # stratified by the group cells; an empty stratum collapses first into (city, section,
    # group, size class), then (city, section, group), then the section, then the city.
    table = _table().assign(industry_group=["C39", "C39", "C", "C"])
    design = as_design(table)
    assert design.strata == ("city", "section", "industry_group", "size_class", "state_owned")
    assert design.strata_table()["n"].tolist() == [1, 1, 2]  # C large, C small, C39 small
    assert design.collapse_levels() == [
        ["city", "section", "industry_group", "size_class"],
        ["city", "section", "industry_group"],
        ["city", "section"],
        ["city"],
    ]
