"""Tests of allocation.cities (allocate_cities, CityAllocation): hand-computed cases and the Guangdong 2013 plan data.

Named test_allocate_cities.py, not test_cities.py: tests/quotas/test_cities.py has that basename.
"""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from allocation import AllocationError, CityAllocation, InfeasibleAllocationError, allocate_cities
from quotas.datasets import guangdong_2012, guangdong_2013_panel
from quotas.tiers import tier_minimum

GD_WEIGHTS = {"employed_urban_units": 0.5, "gdp": 0.5}


@pytest.fixture(scope="module")
def gd():
    return guangdong_2012()


@pytest.fixture(scope="module")
def panel():
    return guangdong_2013_panel()


def small_stats():
    return pd.DataFrame(
        {
            "employment": [60.0, 30.0, 10.0],
            "gdp": [50.0, 30.0, 20.0],
            "population": [2_000_000, 700_000, 300_000],
        },
        index=["a", "b", "c"],
    )


def test_small_case_by_hand():
    # Shares: employment .6/.3/.1, GDP .5/.3/.2 -> 50/50 blend .55/.30/.15.
    # 100 units, no bounds, Huntington-Hill: quotas 55, 30, 15 are whole numbers -> 55, 30, 15.
    res = allocate_cities(small_stats(), 100)
    assert res.allocated.tolist() == [55, 30, 15]
    assert res.to_frame()["share"].tolist() == pytest.approx([0.55, 0.30, 0.15])
    # Weights 1:0 (employment only): 60, 30, 10.
    assert allocate_cities(small_stats(), 100, weights={"employment": 1.0}).allocated.tolist() == [60, 30, 10]


def test_small_case_with_tier_minimum_existing_and_maximum():
    # mohrss-2011 minimums from population: a >= 1,000,000 -> 60; b 500,000-1,000,000 -> 45;
    # c < 500,000 -> 30. With 150 units the quotas 150 * (.55, .30, .15) = 82.5, 45, 22.5:
    # c is raised to its minimum 30, b's quota sits on its minimum 45, a takes the other 75.
    res = allocate_cities(small_stats(), 150, minimum=tier_minimum(small_stats()["population"]))
    assert res.allocated.tolist() == [75, 45, 30]
    frame = res.to_frame()
    assert frame["minimum"].tolist() == [60, 45, 30]
    assert frame["binding"].tolist() == ["", "minimum", "minimum"]
    # Existing panel b = 50 lifts b's floor above its minimum; maximum 70 caps a:
    # a 70 (maximum), b 50 (existing), c 30 (minimum) = 150.
    res = allocate_cities(
        small_stats(),
        150,
        minimum=tier_minimum(small_stats()["population"]),
        existing=pd.Series({"a": 0, "b": 50, "c": 0}),
        maximum=70,
    )
    assert res.allocated.tolist() == [70, 50, 30]
    assert res.to_frame()["binding"].tolist() == ["maximum", "existing", "minimum"]
    # mohrss-2009 with 'a' a municipality: a 90, b 30, c 30.
    stats = small_stats().assign(muni=[True, False, False])
    res = allocate_cities(
        stats,
        150,
        minimum=tier_minimum(stats["population"], scheme="mohrss-2009", municipality=stats["muni"]),
    )
    assert res.to_frame()["minimum"].tolist() == [90, 30, 30]


def test_tilt_reported_with_and_without():
    # Tilt 1.5 on b: .55, .45, .15 -> / 1.15 = .4783, .3913, .1304. Minimum 20 lifts c (13.04)
    # to 20; the other 80 go .55 : .45 -> exactly 44 and 36. Without the tilt: 80 * .55 / .85
    # = 51.76 and 28.24; Huntington-Hill signposts sqrt(51 * 52) = 51.50 and sqrt(28 * 29) =
    # 28.50 round them to 52 and 28.
    res = allocate_cities(small_stats(), 100, minimum=20, tilt={"b": 1.5})
    frame = res.to_frame()
    assert frame["allocated"].tolist() == [44, 36, 20]
    assert frame["allocated_without_tilt"].tolist() == [52, 28, 20]
    assert frame["tilt"].tolist() == [1.0, 1.5, 1.0]
    assert frame["share_without_tilt"].tolist() == pytest.approx([0.55, 0.30, 0.15])
    assert "tilt on 1 cities moved 8 units" in res.summary()


def test_result_object():
    res = allocate_cities(small_stats(), 100, minimum=20)
    assert isinstance(res, CityAllocation)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.total = 5  # type: ignore[misc]
    frame = res.to_frame()
    assert list(frame.columns[:8]) == [
        "city",
        "share",
        "ideal",
        "lower",
        "upper",
        "binding",
        "allocated",
        "allocated_without_tilt",
    ]
    assert frame["ideal"].sum() == pytest.approx(100)
    # One line in a list, several in a terminal (the Result base's convention).
    assert repr(res) == f"<CityAllocation: {res.headline()}>" and "\n" not in repr(res)
    assert str(res) == res.summary() and "share =" in res.summary()
    page = res._repr_html_()
    assert "<table" in page and "huntington-hill" in page
    ax = res.plot()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [p.get_height() for p in ax.patches] == res.allocated.tolist()
    plt.close(ax.figure)


def test_guangdong_10000_with_existing_panel(gd, panel):
    res = allocate_cities(
        gd,
        10_000,
        weights=GD_WEIGHTS,
        minimum=tier_minimum(gd["population_census_2010"]),
        existing=panel,
    )
    alloc = res.allocated
    assert alloc.sum() == 10_000
    assert alloc.index.equals(gd.index)
    assert (alloc >= panel.reindex(gd.index)).all()  # the 3,000 existing enterprises stay
    assert (alloc >= 60).all()  # every Guangdong city had over 1,000,000 people in 2010
    # Guangzhou's share by hand from the shipped table: employment 326.9 / 1304.1 = .25067,
    # GDP 13551.21 / 60435.04 = .22423; half of each: .23745.
    share = res.to_frame().set_index("city")["share"]
    assert share["广州市"] == pytest.approx(0.5 * 326.9 / 1304.1 + 0.5 * 13551.21 / 60435.04)
    # No bound binds at 10,000, so each city is within one unit of its quota 10,000 * share.
    assert ((alloc - 10_000 * share).abs() < 1).all()


def test_guangdong_4000_floors_bind(gd, panel):
    res = allocate_cities(
        gd,
        4_000,
        weights=GD_WEIGHTS,
        minimum=tier_minimum(gd["population_census_2010"]),
        existing=panel,
    )
    frame = res.to_frame().set_index("city")
    assert frame["allocated"].sum() == 4_000
    bound = frame[frame["binding"] != ""]
    assert (bound["allocated"] == bound["lower"]).all()
    # 东莞's panel (300) is far above its proportional 5.1% of 4,000 (205).
    assert frame.loc["东莞市", "binding"] == "existing" and frame.loc["东莞市", "allocated"] == 300


def test_guangdong_missing_value_named(gd):
    # employed_private_individual is blank for 汕头 in the source: never a silent zero.
    with pytest.raises(AllocationError, match="'employed_private_individual'.*'汕头市': nan"):
        allocate_cities(gd, 10_000, weights={"employed_private_individual": 1.0, "gdp": 1.0})


def test_input_errors_name_the_city_or_column():
    stats = small_stats()
    with pytest.raises(AllocationError, match=r"not in stats: \['employees'\]"):
        allocate_cities(stats, 100, weights={"employees": 1.0})
    with pytest.raises(AllocationError, match=r"tilt names cities not in stats: \['d'\]"):
        allocate_cities(stats, 100, tilt={"d": 1.2})
    with pytest.raises(AllocationError, match="tilt of 'b' must be a positive number, got -1"):
        allocate_cities(stats, 100, tilt={"b": -1})
    with pytest.raises(AllocationError, match=r"existing has labels that are not units: \['z'\]"):
        allocate_cities(stats, 100, existing=pd.Series({"a": 1, "b": 1, "c": 1, "z": 1}))
    with pytest.raises(AllocationError, match=r"minimum has no value for units \['c'\]"):
        allocate_cities(stats, 100, minimum=pd.Series({"a": 1, "b": 1}))
    with pytest.raises(InfeasibleAllocationError, match="below the sum of the lower bounds, 135"):
        allocate_cities(stats, 100, minimum=tier_minimum(stats["population"]))
    with pytest.raises(InfeasibleAllocationError, match=r"'b' \(lower 50 > upper 40\)"):
        allocate_cities(stats, 100, existing=pd.Series({"a": 0, "b": 50, "c": 0}), maximum=40)
    with pytest.raises(ValueError, match="valid"):
        allocate_cities(stats, 100, method="plurality")  # type: ignore[arg-type]
    stats_neg = stats.assign(gdp=[50.0, -3.0, 20.0])
    with pytest.raises(AllocationError, match="'gdp'.*'b': -3.0"):
        allocate_cities(stats_neg, 100)
    assert np.isfinite(allocate_cities(stats, 0).to_frame()["ideal"]).all()


def test_jupyter_view_has_formatted_numbers_only():
    # A bound left open is blank, a share is a percent with 2 decimals, the ideal 1 decimal:
    # no raw floats such as 0.55 or 0.172994 and no <NA> reach the reader.
    res = allocate_cities(small_stats(), 100, minimum=20, tilt={"b": 1.5})
    page = res._repr_html_()
    assert "&lt;NA&gt;" not in page and "<NA>" not in page and "nan" not in page
    # shares 0.55 * ... after the tilt: a 0.44, b 0.36 (hand: 0.55 / (0.55 + 0.45 + 0.15))
    assert "0.55" not in page and "55.00" not in page
    assert "x1.5" in page
    shown = res._shown()
    assert shown["upper"].tolist() == ["", "", ""]
    assert all(len(v.split(".")[1]) == 2 for v in shown["share %"])


def test_to_excel_writes_chinese_sheet_with_extra_columns(tmp_path):
    res = allocate_cities(small_stats(), 100, minimum=20)
    extra = pd.DataFrame({"secondary": [30, 20, 10], "tertiary": [20, 10, 10]}, index=["a", "b", "c"])
    path = tmp_path / "allocation.xlsx"
    res.to_excel(path, columns=extra)
    with pd.ExcelFile(path) as book:
        assert book.sheet_names == ["分配", "说明"]
        table = pd.read_excel(book, sheet_name="分配")
        notes = pd.read_excel(book, sheet_name="说明")
    assert table.columns[0] == "城市 city"
    assert table["分配 allocated"].tolist() == res.allocated.tolist()
    assert table["secondary"].tolist() == [30, 20, 10]
    # shares in percent: hand calculation 100 * (0.5 * 0.6 + 0.5 * 0.5) = 55
    assert table["份额% share"].iloc[0] == pytest.approx(55.0)
    assert notes.iloc[0, 0].startswith("City allocation of 100")
    with pytest.raises(AllocationError, match="not in the allocation"):
        res.to_excel(path, columns=extra.rename(index={"c": "z"}))


def test_to_excel_reads_back_as_the_frame(tmp_path):
    from openpyxl import load_workbook

    res = allocate_cities(small_stats(), 100, minimum=20, tilt=pd.Series({"b": 1.5}))
    path = tmp_path / "allocation.xlsx"
    res.to_excel(path)
    back = pd.read_excel(path, sheet_name="分配")
    headers = [
        "城市 city", "份额% share", "理想值 ideal", "下限 lower", "上限 upper", "约束 binding",
        "分配 allocated", "不倾斜 without tilt", "不倾斜份额% share without tilt", "倾斜系数 tilt",
        "最低数 minimum", "现有样本 existing",
    ]  # fmt: skip
    assert back.columns.tolist() == headers
    # to_frame's columns in order, the shares in percent (4 decimals), no binding as an empty cell
    expected = res.to_frame().set_axis(headers, axis=1)
    for col in ("份额% share", "不倾斜份额% share without tilt"):
        expected[col] = (100 * expected[col]).round(4)
    expected["约束 binding"] = expected["约束 binding"].replace("", np.nan)
    expected["上限 upper"] = expected["上限 upper"].astype(float)  # no maximum: empty cells
    pd.testing.assert_frame_equal(back, expected, check_dtype=False, rtol=1e-15)
    assert back["分配 allocated"].dtype == np.int64  # integers stay numbers
    book = load_workbook(path)
    assert book["分配"].freeze_panes == "B2" and book["说明"].freeze_panes is None
    notes = pd.read_excel(path, sheet_name="说明")["说明 notes"].tolist()
    assert notes == res.summary().splitlines()[: len(notes)] and len(notes) >= 3


def test_tilt_as_a_series():
    res = allocate_cities(small_stats(), 100, minimum=20, tilt=pd.Series({"b": 1.5}))
    assert res.allocated.tolist() == [44, 36, 20]


def test_jupyter_view_leads_with_the_cities_at_a_bound():
    # small_stats' c has share (10/100 + 20/100) / 2 = 0.15 of 100, 15 < the minimum 20: it is
    # held at the minimum (a and b, 55 and 30 of the rest, stay above), so c is listed first.
    res = allocate_cities(small_stats(), 100, minimum=20)
    bound = res.table.index[res.table["binding"] != ""].tolist()
    assert bound == ["c"]
    page = res._repr_html_()
    assert "1 cities at a bound are listed first" in page
    rows = page.split("<tbody>")[1].split("</tr>")
    assert "<td>c</td>" in rows[0] and "<td>a</td>" in rows[1]
