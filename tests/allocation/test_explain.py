"""Tests of allocation.explain: hand-solved fits, optimality conditions, the Guangdong task table."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation import AllocationError, UnknownMethodError, allocate_cities, explain
from quotas.datasets import guangdong_2012, guangdong_2013_task


def five_units() -> pd.DataFrame:
    # Shares of x: 0.2 each; of y: 0.4, 0.15, 0.15, 0.15, 0.15.
    return pd.DataFrame(
        {"x": [20.0, 20, 20, 20, 20], "y": [40.0, 15, 15, 15, 15]}, index=["u1", "u2", "u3", "u4", "u5"]
    )


def test_both_criteria_solved_by_hand():
    # Allocation [30, 20, 20, 20, 10] of 100; v = weight of y, blend = 20 + 20v for u1 and
    # 20 - 5v for the others.
    # L1: |30 - 20 - 20v| + 3 |5v| + |10 - 20 + 5v| = |10 - 20v| + 10v + 10, which falls as
    #     20 - 10v up to v = 0.5 and rises as 30v after: minimum 15 at v = 0.5.
    # LS on shares: d/dv [(.1 - .2v)^2 + 3 (.05v)^2 + (.05v - .1)^2] = .1v - .05 = 0 at v = 0.5,
    #     where the sum of squares is 0 + 3 (.025)^2 + (.075)^2 = 0.0075.
    made = pd.Series([30, 20, 20, 20, 10], index=five_units().index)
    ls = explain(made, five_units())
    assert ls.weights.to_dict() == pytest.approx({"x": 0.5, "y": 0.5})
    assert ls.objective == pytest.approx(0.0075)
    l1 = explain(made, five_units(), criterion="seats-l1")
    assert l1.weights.to_dict() == pytest.approx({"x": 0.5, "y": 0.5}, abs=1e-9)
    assert l1.objective == pytest.approx(15.0)
    # blend at v = 0.5: u1 30, others 17.5; tilt = allocated / blend.
    assert ls.table["blend"].tolist() == pytest.approx([30, 17.5, 17.5, 17.5, 17.5])
    assert ls.table["tilt"].tolist() == pytest.approx([1, 20 / 17.5, 20 / 17.5, 20 / 17.5, 10 / 17.5])
    assert ls.table["quota_y"].tolist() == pytest.approx([40, 15, 15, 15, 15])


def test_optimum_on_a_vertex_when_the_allocation_lies_outside_the_blends():
    # x shares [.5, .5], y shares [.2, .8]; allocation [6, 4] of 10: the blend w x + (1 - w) y
    # gives unit a .2 + .3w, which reaches .6 only at w = 4/3 > 1, so the simplex optimum is
    # w = 1 (all x), with squares (.5 - .6)^2 + (.5 - .4)^2 = 0.02.
    stats = pd.DataFrame({"x": [1.0, 1.0], "y": [2.0, 8.0]}, index=["a", "b"])
    res = explain(pd.Series({"a": 6, "b": 4}), stats)
    assert res.weights.to_dict() == pytest.approx({"x": 1.0, "y": 0.0})
    assert res.objective == pytest.approx(0.02)
    assert res.table["tilt"].tolist() == pytest.approx([6 / 5, 4 / 5])


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(*(st.floats(0.1, 100) for _ in range(3)), st.integers(0, 200)), min_size=4, max_size=12
    )
)
def test_least_squares_meets_the_kkt_conditions(data):
    # Optimality of min ||S w - p||^2 on the simplex (Karush-Kuhn-Tucker): with the gradient
    # g = 2 S'(S w - p) there is a lambda with g_i = lambda where w_i > 0 and g_i >= lambda
    # where w_i = 0.
    stats = pd.DataFrame([row[:3] for row in data], columns=["m1", "m2", "m3"])
    made = pd.Series([row[3] for row in data])
    if made.sum() == 0:
        made.iloc[0] = 1
    res = explain(made, stats)
    w = res.weights.to_numpy()
    assert w.min() >= 0 and w.sum() == pytest.approx(1)
    S = (stats / stats.sum()).to_numpy()
    p = made.to_numpy() / made.sum()
    g = 2 * S.T @ (S @ w - p)
    lam = g[w > 1e-9].mean()
    assert np.allclose(g[w > 1e-9], lam, atol=1e-9)
    assert (g[w <= 1e-9] >= lam - 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(
    data=st.lists(
        st.tuples(*(st.floats(0.1, 100) for _ in range(2)), st.integers(0, 200)), min_size=3, max_size=10
    ),
    v=st.floats(0, 1),
)
def test_l1_is_no_worse_than_any_other_blend(data, v):
    stats = pd.DataFrame([row[:2] for row in data], columns=["m1", "m2"])
    made = pd.Series([row[2] for row in data])
    if made.sum() == 0:
        made.iloc[0] = 1
    res = explain(made, stats, criterion="seats-l1")
    S = (stats / stats.sum()).to_numpy()
    other = np.abs(made.to_numpy() - made.sum() * S @ np.array([v, 1 - v])).sum()
    assert res.objective <= other + 1e-6


def test_guangdong_task_table_against_the_plain_population_gdp_blend():
    # domain-rules.md section 2.4: "Compared with a plain 50/50 resident-population + GDP
    # allocation, the official task table gives more to 中山, 东莞 and 云浮 and less to 揭阳, 湛江
    # and 广州." The plan: "部分重点市 ... 适度倾斜".
    gd = guangdong_2012()
    task = guangdong_2013_task()
    stats = pd.DataFrame({"population": gd["population_census_2010"], "gdp": gd["gdp"]})
    res = explain(task["target_10000"], stats, weights={"population": 0.5, "gdp": 0.5})
    assert res.criterion == "given"
    tilt = res.table["tilt"].sort_values()
    assert set(tilt.index[-3:]) == {"中山市", "东莞市", "云浮市"}
    assert set(tilt.index[:3]) == {"揭阳市", "湛江市", "广州市"}
    assert int(res.table["allocated"].sum()) == 10_000
    assert int(res.table["blend_allocated"].sum()) == 10_000
    assert res.seats_l1 == int((res.table["allocated"] - res.table["blend_allocated"]).abs().sum())


def test_to_excel_reads_back_as_the_frame(tmp_path):
    stats = five_units()
    res = explain(allocate_cities(stats, 100, weights={"x": 0.25, "y": 0.75}, method="hamilton"), stats)
    res.to_excel(tmp_path / "explain.xlsx")
    book = pd.read_excel(tmp_path / "explain.xlsx", sheet_name=None)
    assert list(book) == ["解释", "说明"]
    pd.testing.assert_frame_equal(book["解释"], res.to_frame(), check_dtype=False, rtol=1e-15)
    assert book["解释"]["allocated"].dtype == np.int64
    notes = book["说明"]["说明 notes"].tolist()
    assert notes == res.summary().splitlines()[: len(notes)] and notes[1].startswith("blend weights")


def test_takes_a_city_allocation_and_reports(tmp_path):
    stats = five_units()
    alloc = allocate_cities(stats, 100, weights={"x": 0.25, "y": 0.75}, method="hamilton")
    res = explain(alloc, stats)
    # Hamilton of 100 x (.25 x + .75 y) = [35, 16.25 x 4]: 35, 17, 16, 16, 16 (largest remainders
    # tie; the first wins), close to the weights that made it.
    assert res.weights["y"] == pytest.approx(0.75, abs=0.05)
    assert "fits" in repr(res) and "\n" not in repr(res)
    assert "blend weights" in res.summary()
    page = res._repr_html_()
    assert "<table" in page and "nan" not in page
    res.to_excel(tmp_path / "explain.xlsx")
    with pd.ExcelFile(tmp_path / "explain.xlsx") as book:
        assert book.sheet_names == ["解释", "说明"]
    frame = res.to_frame()
    assert list(frame.columns[:6]) == ["city", "allocated", "blend", "blend_allocated", "difference", "tilt"]
    ax = res.plot()
    assert len(ax.patches) == 5
    plt.close(ax.figure)


def test_bad_input_is_named():
    stats = five_units()
    made = pd.Series([30, 20, 20, 20, 10], index=stats.index)
    with pytest.raises(UnknownMethodError, match="shares-ls, seats-l1"):
        explain(made, stats, criterion="ls")  # type: ignore[arg-type]
    with pytest.raises(AllocationError, match="whole numbers.*'u2': 2.5"):
        explain(made.astype(float).replace(20.0, 2.5), stats)
    with pytest.raises(AllocationError, match="no row for units.*'u9'"):
        explain(made.rename(index={"u5": "u9"}), stats)
    with pytest.raises(AllocationError, match="measures not in stats"):
        explain(made, stats, measures=["x", "gdp"])
    bad = stats.copy()
    bad.loc["u3", "y"] = np.nan
    with pytest.raises(AllocationError, match="'y'.*'u3'"):
        explain(made, bad)
    with pytest.raises(AllocationError, match="weight of 'x'"):
        explain(made, stats, weights={"x": -1, "y": 1})
