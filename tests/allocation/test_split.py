"""Tests of allocation.split: published biproportional examples, hand cases, invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from allocation import AllocationError, InfeasibleAllocationError, split

SIGNPOSTS = {
    "webster": lambda k: k + 0.5,
    "jefferson": lambda k: k + 1.0,
    "huntington-hill": lambda k: math.sqrt(k * (k + 1)),
}


def has_divisors(w, x, signpost):
    """The defining property, checked with an LP: log row divisors r_i and column multipliers
    g_j with d(x_ij - 1) <= w_ij e^(g_j - r_i) <= d(x_ij) on every positive cell (zero cells
    get zero)."""
    w, x = np.asarray(w, float), np.asarray(x)
    rr, cc = w.shape
    a_ub, b_ub = [], []
    for i in range(rr):
        for j in range(cc):
            if w[i, j] == 0:
                if x[i, j] != 0:
                    return False
                continue
            row = np.zeros(rr + cc)
            row[rr + j], row[i] = 1.0, -1.0
            if x[i, j] >= 1 and signpost(x[i, j] - 1) > 0:  # g - r >= log d(x-1) - log w
                a_ub.append(-row)
                b_ub.append(-(math.log(signpost(x[i, j] - 1)) - math.log(w[i, j])) + 1e-9)
            a_ub.append(row)  # g - r <= log d(x) - log w
            b_ub.append(
                math.log(signpost(x[i, j])) - math.log(w[i, j]) + 1e-9 if signpost(x[i, j]) > 0 else -50
            )
    res = linprog(
        np.zeros(rr + cc), A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=[(None, None)] * (rr + cc)
    )
    return res.status == 0


def test_wikipedia_en_example():
    # en.wikipedia.org "Biproportional apportionment", section "Specific example" (also a test
    # case of the R package proporz): votes of parties (rows) in districts (columns), 20 seats,
    # Sainte-Laguë rounding; district seats 7, 5, 8 and party seats 5, 11, 4 give
    #   P1: 1 0 4 / P2: 4 4 3 / P3: 2 1 1.
    votes = pd.DataFrame(
        [[123, 45, 815], [912, 714, 414], [312, 255, 215]],
        index=["P1", "P2", "P3"],
        columns=["D1", "D2", "D3"],
    )
    seats = split(
        pd.Series([5, 11, 4], index=votes.index),
        votes,
        column_totals=pd.Series([7, 5, 8], index=votes.columns),
        method="webster",
    )
    assert seats.to_numpy().tolist() == [[1, 0, 4], [4, 4, 3], [2, 1, 1]]


def test_wikipedia_de_example():
    # de.wikipedia.org "Doppeltproportionales Zuteilungsverfahren": lists 1-3 (rows) in
    # constituencies A, B, C, list seats 4, 5, 6 and constituency seats 4, 5, 6, standard
    # rounding: list 1: 1 2 1 / list 2: 1 2 2 / list 3: 2 1 3.
    votes = pd.DataFrame(
        [[51, 98, 45], [60, 100, 120], [63, 102, 144]], index=[1, 2, 3], columns=["A", "B", "C"]
    )
    seats = split(
        pd.Series([4, 5, 6], index=votes.index),
        votes,
        column_totals=pd.Series([4, 5, 6], index=votes.columns),
        method="sainte-lague",
    )
    assert seats.to_numpy().tolist() == [[1, 2, 1], [1, 2, 2], [2, 1, 3]]


def test_row_split_by_hand():
    # Row a, 10 units at .62 / .38: Huntington-Hill rounds 6.2 (signpost sqrt(42) = 6.48) to 6
    # and 3.8 (sqrt(12) = 3.46) to 4. Row b, 5 units at .3 / .7: first units to both (d(0) = 0),
    # then priorities .7/sqrt(2) = .495 (t), .7/sqrt(6) = .286 (t), .3/sqrt(2) = .212 (s): 2, 3.
    targets = pd.Series({"a": 10, "b": 5})
    shares = pd.DataFrame({"secondary": [0.62, 0.3], "tertiary": [0.38, 0.7]}, index=["a", "b"])
    out = split(targets, shares)
    assert out.to_dict("list") == {"secondary": [6, 2], "tertiary": [4, 3]}
    assert out.dtypes.eq(np.int64).all()
    # Column totals 7 / 8 force one unit from b's secondary to tertiary; the result has
    # divisors (checked by LP), as a biproportional apportionment must.
    both = split(targets, shares, column_totals=pd.Series({"secondary": 7, "tertiary": 8}))
    assert both.sum(axis=1).tolist() == [10, 5] and both.sum().tolist() == [7, 8]
    assert has_divisors(shares, both, SIGNPOSTS["huntington-hill"])


def test_rows_follow_target_order_and_zero_rows():
    targets = pd.Series({"b": 0, "a": 3})
    shares = pd.DataFrame({"x": [1.0, 0.0], "y": [2.0, 0.0]}, index=["a", "b"])
    out = split(targets, shares, method="webster")
    assert out.index.tolist() == ["b", "a"]
    assert out.loc["a"].tolist() == [1, 2] and out.loc["b"].tolist() == [0, 0]


def test_errors_name_rows_and_columns():
    shares = pd.DataFrame({"x": [1.0, 1.0, 0.0], "y": [0.0, 1.0, 1.0]}, index=["a", "b", "c"])
    targets = pd.Series({"a": 5, "b": 2, "c": 1})
    with pytest.raises(InfeasibleAllocationError, match=r"column totals add to 7 but the row targets to 8"):
        split(targets, shares, column_totals=pd.Series({"x": 3, "y": 4}), method="webster")
    # Row a can only use x, so x needs at least 5; with x = 4 the flow check names a and x.
    with pytest.raises(
        InfeasibleAllocationError, match=r"rows \['a'\] need 5 in total but the only columns.*\['x'\], take 4"
    ):
        split(targets, shares, column_totals=pd.Series({"x": 4, "y": 4}), method="webster")
    with pytest.raises(AllocationError, match=r"only in targets: \['d'\]"):
        split(pd.Series({"a": 1, "b": 1, "c": 1, "d": 1}), shares)
    with pytest.raises(AllocationError, match=r"\('b', 'y'\): nan"):
        split(targets, shares.assign(y=[0.0, np.nan, 1.0]))
    with pytest.raises(AllocationError, match=r"positive target but no positive share: \['c'\]"):
        split(targets, shares.assign(y=[0.0, 1.0, 0.0]))
    with pytest.raises(AllocationError, match=r"targets must be non-negative integers; bad: 'a': 2.5"):
        split(pd.Series({"a": 2.5, "b": 1, "c": 1}), shares)
    with pytest.raises(AllocationError, match="not 'hamilton'"):
        split(targets, shares, column_totals=pd.Series({"x": 4, "y": 4}), method="hamilton")


@st.composite
def tables(draw):
    r = draw(st.integers(1, 8))  # more than 4 rows takes the vectorised row fit
    c = draw(st.integers(1, 4))
    w = np.array(draw(st.lists(st.integers(0, 1000), min_size=r * c, max_size=r * c)), float).reshape(r, c)
    w[w.sum(axis=1) == 0, 0] = 1.0
    # Margins from a random integer matrix on the support, so a solution exists.
    seed = np.array(draw(st.lists(st.integers(0, 9), min_size=r * c, max_size=r * c))).reshape(r, c) * (w > 0)
    return w, seed


@settings(max_examples=80, deadline=None)
@given(tables(), st.sampled_from(["webster", "jefferson", "huntington-hill"]))
def test_biproportional_margins_and_divisors(table, method):
    w, seed = table
    if method == "huntington-hill":  # d(0) = 0: every positive cell needs a unit
        seed = seed + (w > 0)
    rows, cols = seed.sum(axis=1), seed.sum(axis=0)
    shares = pd.DataFrame(
        w, index=[f"r{i}" for i in range(w.shape[0])], columns=[f"c{j}" for j in range(w.shape[1])]
    )
    out = split(
        pd.Series(rows, index=shares.index),
        shares,
        column_totals=pd.Series(cols, index=shares.columns),
        method=method,
    )
    assert out.sum(axis=1).tolist() == rows.tolist()
    assert out.sum().tolist() == cols.tolist()
    assert (out.to_numpy()[w == 0] == 0).all()
    assert has_divisors(w, out.to_numpy(), SIGNPOSTS[method])


def test_guangdong_sector_split_holds_province_totals():
    # The Guangdong 2013 task table splits the 10,000 into 5,311 secondary and 4,689 tertiary
    # (shared/docs/domain-rules.md). Split an allocation of 10,000 by each city's sector shares
    # of GDP and urban-unit employment, holding those province totals.
    from allocation import allocate_cities
    from quotas.datasets import guangdong_2012, guangdong_2013_panel

    gd = guangdong_2012()
    cities = allocate_cities(
        gd, 10_000, weights={"employed_urban_units": 0.5, "gdp": 0.5}, existing=guangdong_2013_panel()
    )
    gdp2 = gd["gdp_secondary"] / (gd["gdp_secondary"] + gd["gdp_tertiary"])
    emp2 = gd["employed_urban_units_secondary"] / (
        gd["employed_urban_units_secondary"] + gd["employed_urban_units_tertiary"]
    )
    shares = pd.DataFrame({"secondary": (gdp2 + emp2) / 2, "tertiary": 1 - (gdp2 + emp2) / 2})
    out = split(cities.allocated, shares, column_totals=pd.Series({"secondary": 5311, "tertiary": 4689}))
    assert (out.sum(axis=1) == cities.allocated).all()
    assert out.sum().tolist() == [5311, 4689]
    assert has_divisors(shares, out, SIGNPOSTS["huntington-hill"])


@settings(max_examples=60, deadline=None)
@given(tables())
def test_row_split_sums(table):
    w, seed = table
    shares = pd.DataFrame(w)
    out = split(pd.Series(seed.sum(axis=1)), shares)
    assert out.sum(axis=1).tolist() == seed.sum(axis=1).tolist()
