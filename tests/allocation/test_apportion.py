"""Tests of allocation.apportion against published results, hand calculations and invariants."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation import (
    AllocationError,
    InfeasibleAllocationError,
    UnknownMethodError,
    apportion,
    bounded_quota,
)

DATA = Path(__file__).parent / "data"
DIVISOR_METHODS = ["jefferson", "webster", "huntington-hill", "adams", "dean"]
ALL_METHODS = ["hamilton", *DIVISOR_METHODS]


def test_us_house_2020_reproduced_by_huntington_hill():
    # Census Bureau, 2020 Census Apportionment Results, Table 1 (see data/README.md): the
    # method of equal proportions with every state at least one seat gives these 435 seats.
    us = pd.read_csv(DATA / "us_apportionment_2020.csv", index_col="state")
    seats = apportion(us["apportionment_population"], 435, method="huntington-hill", lower=1)
    pd.testing.assert_series_equal(seats, us["seats"], check_names=False)
    assert seats.index.equals(us.index)
    assert seats["California"] == 52 and seats["Montana"] == 2


def test_us_house_2020_seat_436_would_go_to_new_york():
    # Census Bureau note on the 2020 apportionment: New York was next in line for seat 436
    # (it missed seat 435 by 89 people); Minnesota took seat 435.
    us = pd.read_csv(DATA / "us_apportionment_2020.csv", index_col="state")
    pop = us["apportionment_population"]
    diff = apportion(pop, 436, lower=1) - apportion(pop, 435, lower=1)
    assert diff[diff != 0].to_dict() == {"New York": 1}
    assert (apportion(pop, 434, lower=1) - us["seats"]).to_dict()["Minnesota"] == -1


def test_alabama_paradox_hamilton():
    # The Alabama paradox (Balinski & Young, Fair Representation, ch. 5): under Hamilton a
    # larger house can take a seat away from a state. Hand calculation, weights 6, 6, 2 (sum 14):
    #   h = 10: quotas 60/14 = 4.286, 4.286, 20/14 = 1.429; floors 4, 4, 1 (9 seats);
    #           the one left goes to the largest remainder, c (.429 > .286): 4, 4, 2.
    #   h = 11: quotas 66/14 = 4.714, 4.714, 22/14 = 1.571; floors 4, 4, 1 (9 seats);
    #           two left go to a and b (.714 > .571): 5, 5, 1.  c drops from 2 to 1.
    w = pd.Series({"a": 6, "b": 6, "c": 2})
    assert apportion(w, 10, method="hamilton").tolist() == [4, 4, 2]
    assert apportion(w, 11, method="hamilton").tolist() == [5, 5, 1]
    # A divisor method cannot do this (house monotone): Webster, priorities w / (k + 1/2):
    #   a, b: 12, 4, 2.4, 1.714, 1.333, 1.091;  c: 4, 1.333, 0.8.
    #   h = 10: top ten = 12, 12, 4, 4, 4 (a, b, c), 2.4, 2.4, 1.714, 1.714, then 1.333 (a, b
    #   and c tie: larger weight, then first listed -> a): a 5, b 4, c 1.
    #   h = 11: the next 1.333 goes to b: 5, 5, 1.
    assert apportion(w, 10, method="webster").tolist() == [5, 4, 1]
    assert apportion(w, 11, method="webster").tolist() == [5, 5, 1]


QUOTA_EXAMPLE = pd.Series({"A": 94, "B": 15, "C": 6, "D": 5})  # sum 120, 6 seats


def test_quota_rule_jefferson_violates_upper_quota():
    # Quotas 6 * w / 120: A 4.70, B 0.75, C 0.30, D 0.25 (Balinski & Young ch. 9-10: Jefferson
    # favours large units and can exceed the upper quota). Priorities w / (k + 1):
    #   A: 94, 47, 31.33, 23.5, 18.8, 15.67;  B: 15;  C: 6;  D: 5.
    # The six largest are all A's: A gets 6 > ceil(4.70) = 5.
    seats = apportion(QUOTA_EXAMPLE, 6, method="jefferson")
    assert seats.tolist() == [6, 0, 0, 0]


def test_quota_rule_webster_stays_within_quota_here():
    # Webster priorities w / (k + 1/2):
    #   A: 188, 62.67, 37.6, 26.86, 20.89;  B: 30, 10;  C: 12;  D: 10.
    # The six largest: 188, 62.67, 37.6 (A), 30 (B), 26.86, 20.89 (A): A 5, B 1, within quota.
    assert apportion(QUOTA_EXAMPLE, 6, method="webster").tolist() == [5, 1, 0, 0]


def test_quota_rule_adams_violates_lower_quota():
    # Adams, priorities w / k: each unit's first seat has infinite priority (4 seats), then
    # A: 94, 47: A gets 3 < floor(4.70) = 4.
    assert apportion(QUOTA_EXAMPLE, 6, method="adams").tolist() == [3, 1, 1, 1]


def test_hamilton_and_dean_by_hand():
    # Hamilton: floors 4, 0, 0, 0; remainders .70, .75, .30, .25: B then A get the two left.
    assert apportion(QUOTA_EXAMPLE, 6, method="hamilton").tolist() == [5, 1, 0, 0]
    # Dean, signposts d(k) = k (k + 1) / (k + 1/2): d(0) = 0, d(1) = 4/3, d(2) = 12/5,
    # d(3) = 24/7. First seats are infinite priority (4 seats), then A: 94 / (4/3) = 70.5,
    # 94 / (12/5) = 39.17 against B: 15 / (4/3) = 11.25: A 3, B 1, C 1, D 1.
    assert apportion(QUOTA_EXAMPLE, 6, method="dean").tolist() == [3, 1, 1, 1]


def test_aliases_and_unknown_method():
    # Each alias gives the hand-calculated seats of the method it names (Balinski & Young,
    # appendix A: D'Hondt = Jefferson, Sainte-Laguë = Webster, Hare / largest remainders =
    # Hamilton, equal proportions = Huntington-Hill): Jefferson 6, 0, 0, 0 and Webster and
    # Hamilton 5, 1, 0, 0 as worked out above. Huntington-Hill, signposts sqrt(k (k + 1)):
    # first seats have infinite priority (4 seats), then A: 94 / sqrt(2) = 66.47,
    # 94 / sqrt(6) = 38.38 against B: 15 / sqrt(2) = 10.61: A 3, B 1, C 1, D 1.
    w = QUOTA_EXAMPLE
    assert apportion(w, 6, method="dhondt").tolist() == [6, 0, 0, 0]
    assert apportion(w, 6, method="d'hondt").tolist() == [6, 0, 0, 0]
    assert apportion(w, 6, method="sainte-laguë").tolist() == [5, 1, 0, 0]
    assert apportion(w, 6, method="sainte-lague").tolist() == [5, 1, 0, 0]
    assert apportion(w, 6, method="hare").tolist() == [5, 1, 0, 0]
    assert apportion(w, 6, method="largest-remainders").tolist() == [5, 1, 0, 0]
    assert apportion(w, 6, method="equal-proportions").tolist() == [3, 1, 1, 1]
    assert apportion(w, 6, method="hill").tolist() == [3, 1, 1, 1]
    assert apportion(w, 6, method="huntington-hill").tolist() == [3, 1, 1, 1]
    with pytest.raises(UnknownMethodError, match="huntington-hill.*adams"):
        apportion(w, 6, method="borda")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Webster2"):
        apportion(w, 6, method="Webster2")  # type: ignore[arg-type]


def test_bounds_are_met_not_clipped_and_rescaled():
    # Webster with lower 2 on weights 6, 6, 2 and 11 seats: start 2, 2, 2; the five seats
    # left go by priority w / (k + 1/2), k >= 2: a 2.4, b 2.4, a 1.714, b 1.714, then a 1.333
    # (ties b at 1.333; same weight, a is listed first); c's best is 2 / 2.5 = 0.8: 5, 4, 2.
    w = pd.Series({"a": 6, "b": 6, "c": 2})
    assert apportion(w, 11, method="webster", lower=2).tolist() == [5, 4, 2]
    # Upper bound 3 on a: of the five seats left, a takes one (2.4) and stops at 3; b takes
    # 2.4, 1.714, 1.333 and 1.091 (6 / 5.5), all above c's 0.8: 3, 6, 2.
    up = pd.Series({"a": 3, "b": 100, "c": 100})
    assert apportion(w, 11, method="webster", lower=2, upper=up).tolist() == [3, 6, 2]


def test_zero_weights_get_their_lower_bound():
    # x (weight 0) is held at 2; the other 6 seats go to y and z (weights 3, 1) by hand:
    #   Hamilton: quotas 4.5, 1.5, floors 4, 1; remainders tie at .5 -> larger weight y: 5, 1.
    #   Jefferson w / (k + 1): y 3, 1.5, 1, .75, .6; z 1, .5. Top six: 3, 1.5, 1 (y), 1 (z;
    #     tie, y first by weight), .75, .6: y 5, z 1.
    #   Webster w / (k + 1/2): y 6, 2, 1.2, .857, .667; z 2, .667. Top six 6, 2, 2, 1.2, .857,
    #     then .667 tied (3 / 4.5 = 1 / 1.5) -> larger weight y: y 5, z 1.
    #   Huntington-Hill w / sqrt(k (k + 1)): y inf, 2.121, 1.225, .866, .671; z inf, .707.
    #     Top six inf, inf, 2.121, 1.225, .866, .707 (z): y 4, z 2.
    #   Adams w / k: y inf, 3, 1.5, 1; z inf, 1. Top six inf, inf, 3, 1.5, 1, 1: y 4, z 2.
    #   Dean w / (k (k + 1) / (k + 1/2)): y inf, 2.25, 1.25, .875; z inf, .75. Top six inf,
    #     inf, 2.25, 1.25, .875, .75 (z): y 4, z 2.
    expected = {
        "hamilton": [2, 5, 1],
        "jefferson": [2, 5, 1],
        "webster": [2, 5, 1],
        "huntington-hill": [2, 4, 2],
        "adams": [2, 4, 2],
        "dean": [2, 4, 2],
    }
    w = pd.Series({"x": 0.0, "y": 3.0, "z": 1.0})
    for method in ALL_METHODS:
        seats = apportion(w, 8, method=method, lower=pd.Series({"x": 2, "y": 0, "z": 0}))
        assert seats.tolist() == expected[method], method
    # Huntington-Hill with fewer seats than positive weights: first seats all have infinite
    # priority (d(0) = 0), ties go to the larger weight. Weights 1, 5, 3, 0 and 2 seats: the
    # three positive units tie at infinity; the larger weights 5 and 3 take the two seats.
    assert apportion(pd.Series([1.0, 5.0, 3.0, 0.0]), 2).tolist() == [0, 1, 1, 0]
    with pytest.raises(InfeasibleAllocationError, match="zero weight.*'x'"):
        apportion(w, 8, upper=pd.Series({"x": 5, "y": 3, "z": 3}))


def test_any_labels_and_order_kept():
    idx = pd.Index([("广东", "广州市"), ("广东", "深圳市"), ("湖南", "长沙市")], tupleize_cols=False)
    w = pd.Series([3.0, 2.0, 1.0], index=idx)
    # Quotas 6 * (3, 2, 1) / 6 = 3, 2, 1 are whole numbers: any divisor method gives them
    # exactly (divisor 1; Webster rounds 3, 2, 1 to themselves).
    seats = apportion(w, 6, method="webster")
    assert seats.index.equals(idx)
    assert seats.dtype == np.int64
    assert seats.tolist() == [3, 2, 1]
    assert apportion(pd.Series([], dtype=float), 0).empty


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (pd.Series({"a": 1.0, "b": np.nan}), "missing.*'b'"),
        (pd.Series({"a": 1.0, "b": -2.0}), "negative.*'b': -2.0"),
        (pd.Series({"a": np.inf, "b": 1.0}), "infinite.*'a'"),
        (pd.Series({"a": 1.0, "b": "many"}), "'b': 'many'"),
        (pd.Series([1.0, 2.0], index=["a", "a"]), "duplicate.*'a'"),
    ],
)
def test_bad_weights_name_the_unit(weights, message):
    with pytest.raises(AllocationError, match=message):
        apportion(weights, 5)


def test_infeasible_bounds_name_units_and_numbers():
    w = pd.Series({"a": 1.0, "b": 1.0, "c": 1.0})
    with pytest.raises(InfeasibleAllocationError, match=r"total 5 is below the sum of the lower bounds, 6"):
        apportion(w, 5, lower=2)
    with pytest.raises(InfeasibleAllocationError, match=r"total 10 is above the sum of the upper bounds, 9"):
        apportion(w, 10, upper=3)
    with pytest.raises(InfeasibleAllocationError, match=r"'b' \(lower 4 > upper 3\)"):
        apportion(w, 9, lower=pd.Series({"a": 0, "b": 4, "c": 0}), upper=3)
    with pytest.raises(AllocationError, match=r"not units: \['d'\]"):
        apportion(w, 3, lower=pd.Series({"a": 0, "b": 0, "c": 0, "d": 1}))
    with pytest.raises(AllocationError, match=r"no value for units \['c'\]"):
        apportion(w, 3, upper=pd.Series({"a": 3, "b": 3}))
    with pytest.raises(AllocationError, match=r"integer.*'a': 1.5"):
        apportion(w, 3, lower=pd.Series({"a": 1.5, "b": 0, "c": 0}))
    with pytest.raises(AllocationError, match="total must be a non-negative integer, got 2.5"):
        apportion(w, 2.5)  # type: ignore[arg-type]


def test_bounded_quota_by_hand():
    # Weights 8, 1, 1, total 10, lower 2: plain quotas 8, 1, 1; b and c are raised to 2 and a
    # takes the remaining 6 (mu = 6 / 8).
    q = bounded_quota(pd.Series({"a": 8.0, "b": 1.0, "c": 1.0}), 10, lower=2)
    assert q.tolist() == pytest.approx([6.0, 2.0, 2.0])
    # Upper bound 4 on a: a 4, the other 6 split equally.
    q = bounded_quota(
        pd.Series({"a": 8.0, "b": 1.0, "c": 1.0}), 10, upper=pd.Series({"a": 4, "b": 9, "c": 9})
    )
    assert q.tolist() == pytest.approx([4.0, 3.0, 3.0])


def _one_seat_at_a_time(w, total, signpost, lower, upper):
    """The definition of a bounded divisor method: seats go one by one from the lower bounds
    to the largest priority w / d(k) (ties: larger weight, then first listed)."""
    seats = list(lower)
    while sum(seats) < total:
        best, best_key = None, None
        for i, (wi, si) in enumerate(zip(w, seats, strict=True)):
            if si >= upper[i] or wi == 0:
                continue
            d = signpost(si)
            key = (math.inf if d == 0 else wi / d, wi, -i)
            if best_key is None or key > best_key:
                best, best_key = i, key
        seats[best] += 1
    return seats


SIGNPOSTS = {
    "jefferson": lambda k: k + 1,
    "webster": lambda k: k + 0.5,
    "huntington-hill": lambda k: math.sqrt(k * (k + 1)),
    "adams": lambda k: k,
    "dean": lambda k: k * (k + 1) / (k + 0.5),
}


@st.composite
def bounded_problems(draw):
    n = draw(st.integers(1, 12))
    w = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n))
    if sum(w) == 0:
        w[0] = 1
    lower = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    extra = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    upper = [lo + e for lo, e in zip(lower, extra, strict=True)]
    cap = sum(u if wi > 0 else lo for wi, lo, u in zip(w, lower, upper, strict=True))
    total = draw(st.integers(sum(lower), cap))
    return w, total, lower, upper


@settings(max_examples=80, deadline=None)
@given(bounded_problems(), st.sampled_from(DIVISOR_METHODS))
def test_divisor_methods_match_their_definition(problem, method):
    w, total, lower, upper = problem
    seats = apportion(
        pd.Series(w, dtype=float), total, method=method, lower=pd.Series(lower), upper=pd.Series(upper)
    )
    assert seats.tolist() == _one_seat_at_a_time(w, total, SIGNPOSTS[method], lower, upper)


@settings(max_examples=80, deadline=None)
@given(bounded_problems(), st.sampled_from(ALL_METHODS))
def test_exact_total_and_bounds_held(problem, method):
    w, total, lower, upper = problem
    lo, up = pd.Series(lower), pd.Series(upper)
    seats = apportion(pd.Series(w, dtype=float), total, method=method, lower=lo, upper=up)
    assert seats.sum() == total
    assert (seats >= lo).all() and (seats <= up).all()
    assert (seats[pd.Series(w) == 0] == lo[pd.Series(w) == 0]).all()


@settings(max_examples=80, deadline=None)
@given(bounded_problems(), st.sampled_from(DIVISOR_METHODS))
def test_divisor_methods_are_house_monotone(problem, method):
    w, total, lower, upper = problem
    cap = sum(u if wi > 0 else lo for wi, lo, u in zip(w, lower, upper, strict=True))
    if total == cap:
        total -= 1
    if total < sum(lower):
        return
    args = {"method": method, "lower": pd.Series(lower), "upper": pd.Series(upper)}
    small = apportion(pd.Series(w, dtype=float), total, **args)
    big = apportion(pd.Series(w, dtype=float), total + 1, **args)
    assert ((big - small) >= 0).all() and (big - small).sum() == 1


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=30), st.integers(0, 500))
def test_hamilton_within_quota(w, total):
    if sum(w) == 0:
        w[0] = 1
    seats = apportion(pd.Series(w, dtype=float), total, method="hamilton")
    quota = np.array(w) * total / sum(w)
    assert (seats.to_numpy() >= np.floor(quota * (1 - 1e-12))).all()
    assert (seats.to_numpy() <= np.ceil(quota * (1 + 1e-12))).all()


def test_large_bounded_problem_is_exact():
    rng = np.random.default_rng(7)
    w = pd.Series(rng.lognormal(4, 2, 100_000))
    for method in ALL_METHODS:
        seats = apportion(w, 600_000, method=method, lower=2, upper=40)
        assert seats.sum() == 600_000
        assert seats.min() >= 2 and seats.max() <= 40


@pytest.mark.parametrize("method", ["huntington-hill", "webster", "jefferson", "hamilton"])
def test_many_exact_ties_resolved_by_position(method):
    # 20,000 equal weights, 50,001 seats, lower 1, upper 10: every unit gets 2 (40,000 seats),
    # and the 10,001 seats left tie exactly; they go to the first 10,001 units.
    w = pd.Series(np.ones(20_000))
    seats = apportion(w, 50_001, method=method, lower=1, upper=10)
    assert (seats.iloc[:10_001] == 3).all() and (seats.iloc[10_001:] == 2).all()
