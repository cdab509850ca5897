"""Tests of allocation.optimal and allocation.bethel: brute force, hand calculations, invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from allocation import AllocationError, InfeasibleAllocationError, bethel, bounded_quota, optimal
from allocation.optimal import _bethel_continuous

# Example population of the stratallo vignette (Wesołowski, Wieczorkowski & Wójciak, R package
# stratallo, vignette "Optimum Sample Allocation in Stratified Sampling with stratallo"):
# N = (3000, 4000, 5000, 2000), S = (48, 79, 76, 16), n = 190, upper bounds M = (100, 90, 70, 80).
IDX = ["h1", "h2", "h3", "h4"]
N = pd.Series([3000, 4000, 5000, 2000], index=IDX)
S = pd.Series([48, 79, 76, 16], index=IDX)
M = pd.Series([100, 90, 70, 80], index=IDX)


def variance(n_pop, sd, n):
    """sum N^2 S^2 / n, with strata of S = 0 adding nothing."""
    a2 = (np.asarray(n_pop, float) * np.asarray(sd, float)) ** 2
    n = np.asarray(n, float)
    return np.sum(np.divide(a2, n, out=np.zeros(np.broadcast(a2, n).shape), where=a2 > 0), axis=-1)


def brute_force(n_pop, sd, total, lower, upper, cost=None, budget=None):
    """Every integer allocation in the box; the least variance among the admissible ones."""
    grid = np.array(
        list(itertools.product(*[range(lo, up + 1) for lo, up in zip(lower, upper, strict=True)]))
    )
    ok = grid.sum(axis=1) == total if cost is None else grid @ np.asarray(cost, float) <= budget
    v = variance(n_pop, sd, grid[ok])
    return grid[ok][np.argmin(v)], float(v.min())


def test_stratallo_vignette_example_by_hand():
    # A = N S = 144000, 316000, 380000, 32000 (sum 872000). Neyman quotas 190 A / 872000 =
    # 31.376, 68.853, 82.798, 6.972. Without bounds: Huntington-Hill signposts
    # sqrt(31*32) = 31.496, sqrt(68*69) = 68.498, sqrt(82*83) = 82.498, sqrt(6*7) = 6.481
    # round them to 31, 69, 83, 7 (sum 190).
    assert optimal(N, S, 190).tolist() == [31, 69, 83, 7]
    # With M: h3's quota 82.8 > 70, so h3 = 70 and the other 120 go by A over 492000:
    # 35.122, 77.073, 7.805 (the continuous optimum, stratallo's opt(n, A, M = M));
    # rounded at sqrt(35*36) = 35.496, sqrt(77*78) = 77.498, sqrt(7*8) = 7.483: 35, 77, 8.
    q = bounded_quota(N * S, 190, upper=M)
    assert q.tolist() == pytest.approx(
        [120 * 144000 / 492000, 120 * 316000 / 492000, 70, 120 * 32000 / 492000]
    )
    assert optimal(N, S, 190, upper=M).tolist() == [35, 77, 70, 8]


@st.composite
def small_problems(draw):
    h = draw(st.integers(1, 4))
    n_pop = draw(st.lists(st.integers(1, 9), min_size=h, max_size=h))
    sd = draw(st.lists(st.integers(0, 50), min_size=h, max_size=h))
    lower = [draw(st.integers(0 if s == 0 else 1, min(2, n))) for s, n in zip(sd, n_pop, strict=True)]
    # Any total the box allows: strata with S = 0 take what the others cannot (issue 15).
    total = draw(st.integers(sum(lower), sum(n_pop)))
    return n_pop, sd, lower, total


@settings(max_examples=80, deadline=None)
@given(small_problems())
def test_optimal_matches_brute_force(problem):
    n_pop, sd, lower, total = problem
    idx = [f"s{i}" for i in range(len(n_pop))]
    got = optimal(
        pd.Series(n_pop, index=idx), pd.Series(sd, index=idx), total, lower=pd.Series(lower, index=idx)
    )
    assert got.sum() == total
    assert (got >= lower).all() and (got <= n_pop).all()
    _, best_v = brute_force(n_pop, sd, total, lower, n_pop)
    assert variance(n_pop, sd, got) == pytest.approx(best_v, rel=1e-12, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(small_problems(), st.lists(st.integers(1, 5), min_size=4, max_size=4), st.integers(0, 60))
def test_optimal_with_costs_is_exact_for_the_budget_it_spends(problem, costs, budget):
    n_pop, sd, lower, _ = problem
    cost = np.array(costs[: len(n_pop)], float)
    budget = budget + float(cost @ lower)
    idx = [f"s{i}" for i in range(len(n_pop))]
    got = optimal(
        pd.Series(n_pop, index=idx),
        pd.Series(sd, index=idx),
        budget,
        cost=pd.Series(cost, index=idx),
        lower=pd.Series(lower, index=idx),
    )
    spent = float(cost @ got.to_numpy())
    assert spent <= budget
    assert (got >= lower).all() and (got <= n_pop).all()
    _, best_v = brute_force(n_pop, sd, None, lower, n_pop, cost=cost, budget=spent)
    assert variance(n_pop, sd, got) == pytest.approx(best_v, rel=1e-12, abs=1e-9)


def test_equal_costs_give_the_fixed_total_optimum():
    # Cost 3 per unit and budget 570 allow at most 570 / 3 = 190 units; V falls as n grows, so
    # all 190 are spent and the answer is the fixed-size one worked out by hand in
    # test_stratallo_vignette_example_by_hand (h3 at M = 70; 35.12, 77.07, 7.80 rounded at the
    # signposts 35.496, 77.498, 7.483): 35, 77, 70, 8.
    got = optimal(N, S, 190 * 3, cost=pd.Series(3.0, index=IDX), upper=M)
    assert got.tolist() == [35, 77, 70, 8]


def test_large_problem_exact_total_and_bounds():
    rng = np.random.default_rng(3)
    n_pop = pd.Series(rng.integers(5, 500, 100_000))
    sd = pd.Series(rng.gamma(2.0, 10.0, 100_000))
    got = optimal(n_pop, sd, 2_000_000, lower=2)
    assert got.sum() == 2_000_000
    assert (got >= 2).all() and (got <= n_pop).all()
    # Optimality condition of the greedy: no move of one unit between strata lowers V.
    a2 = (n_pop * sd).to_numpy() ** 2
    g = got.to_numpy()
    gain_add = np.where(g < n_pop, a2 / (g * (g + 1.0)), -np.inf).max()
    loss_remove = np.where(g > 2, a2 / ((g - 1.0) * g), np.inf).min()
    assert gain_add <= loss_remove * (1 + 1e-12)


def test_zero_variance_strata_take_what_the_others_cannot():
    # Issue 15. N = (10, 10), S = (1, 0), n = 15. Stratum b adds no variance, so V = 10^2 / n_a
    # falls with n_a: n_a takes its maximum N_a = 10 and b the remaining 15 - 10 = 5.
    two = pd.Index(["a", "b"])
    got = optimal(pd.Series([10, 10], index=two), pd.Series([1.0, 0.0], index=two), 15)
    assert got.tolist() == [10, 5]
    # Within what a can take, b keeps its lower bound 1: n = 8 -> (7, 1).
    assert optimal(pd.Series([10, 10], index=two), pd.Series([1.0, 0.0], index=two), 8).tolist() == [7, 1]
    # Two zero-variance strata share the remainder in proportion to N (by hand: N = 30, 10;
    # a full at 5, remainder 25 - 5 = 20 of 40: 15 and 5, quotas exactly integer).
    three = pd.Index(["a", "b", "c"])
    got = optimal(pd.Series([5, 30, 10], index=three), pd.Series([2.0, 0.0, 0.0], index=three), 25, lower=0)
    assert got.tolist() == [5, 15, 5]
    # Above the sum of the stratum sizes it is still infeasible, naming the true bound 20.
    with pytest.raises(InfeasibleAllocationError, match="above the sum of the upper bounds.*, 20"):
        optimal(pd.Series([10, 10], index=two), pd.Series([1.0, 0.0], index=two), 21)


def test_budget_equal_to_the_cost_of_the_lower_bounds():
    # Issue 15: lower bounds 1 + 1 at costs 0.1 and 0.2 cost 0.3 (0.30000000000000004 in binary
    # floating point); a budget of 0.3 buys exactly them.
    two = pd.Index(["a", "b"])
    got = optimal(
        pd.Series([10, 10], index=two),
        pd.Series([1.0, 2.0], index=two),
        0.3,
        cost=pd.Series([0.1, 0.2], index=two),
    )
    assert got.tolist() == [1, 1]
    # A budget really below it still fails: 0.29 < 0.3.
    with pytest.raises(
        InfeasibleAllocationError, match="budget 0.29 is below the cost of the lower bounds, 0.3"
    ):
        optimal(
            pd.Series([10, 10], index=two),
            pd.Series([1.0, 2.0], index=two),
            0.29,
            cost=pd.Series([0.1, 0.2], index=two),
        )


def test_optimal_errors():
    with pytest.raises(AllocationError, match=r"only in N: \['h4'\]"):
        optimal(N, S.iloc[:3], 100)
    with pytest.raises(InfeasibleAllocationError, match=r"'h4' \(lower 2500 > min\(upper, N\) 2000\)"):
        optimal(N, S, 5000, lower=pd.Series([1, 1, 1, 2500], index=IDX))
    with pytest.raises(InfeasibleAllocationError, match="above the sum of the upper bounds, 340"):
        optimal(N, S, 400, upper=M)
    with pytest.raises(AllocationError, match="standard deviation must be non-negative; negative at 'h2'"):
        optimal(N, S.replace(79, -1), 100)
    with pytest.raises(InfeasibleAllocationError, match="budget 3 is below the cost of the lower bounds, 8"):
        optimal(N, S, 3, cost=pd.Series(2.0, index=IDX))


MEANS = pd.DataFrame({"y": [100, 100, 100, 100]}, index=IDX)


def test_bethel_one_variable_by_hand():
    # One variable: minimum size with CV(Y_hat) <= cv has the closed form (Cochran 1977, 5.25)
    # n_h = A_h sum(A) / (V + sum N S^2), V = (cv Y)^2.  Y = 14000 * 100 = 1,400,000,
    # cv = .05: V = 70000^2 = 4.9e9; sum N S^2 = 6.912e6 + 24.964e6 + 28.88e6 + 0.512e6 =
    # 61.268e6; sum A = 872000: n_h = A_h * 872000 / 4,961,268,000 =
    # 25.31, 55.54, 66.79, 5.62 -> rounded up 26, 56, 67, 6.
    got = bethel(N, S.to_frame("y"), 0.05, means=MEANS)
    assert got.tolist() == [26, 56, 67, 6]
    var = float(np.sum((N * S) ** 2 / got) - np.sum(N * S**2))
    assert np.sqrt(var) / 1_400_000 <= 0.05


def test_bethel_with_costs_by_hand():
    # With costs c, one variable (Cochran 1977, 5.24 and 5.25, the allocation minimising cost
    # for a fixed variance): n_h = (A_h / sqrt(c_h)) sum(A sqrt(c)) / (V + sum N S^2).
    # c = 1, 4, 1, 9 -> sqrt(c) = 1, 2, 1, 3. A sqrt(c) = 144000, 632000, 380000, 96000, sum
    # 1,252,000; V + sum N S^2 = 4.9e9 + 61.268e6 = 4,961,268,000 (as above), so the factor is
    # 1,252,000 / 4,961,268,000 = 2.52355e-4. A / sqrt(c) = 144000, 158000, 380000, 10666.67:
    # n_h = 36.339, 39.872, 95.895, 2.692 -> rounded up 37, 40, 96, 3.
    c = pd.Series([1.0, 4.0, 1.0, 9.0], index=IDX)
    got = bethel(N, S.to_frame("y"), 0.05, means=MEANS, cost=c)
    assert got.tolist() == [37, 40, 96, 3]
    # the target holds: V(Y_hat) = sum A^2 / n - sum N S^2 <= (0.05 * 1,400,000)^2
    var = float(np.sum((N * S) ** 2 / got) - np.sum(N * S**2))
    assert var <= 4.9e9


def test_bethel_two_variables_against_a_general_solver():
    rng = np.random.default_rng(11)
    h = 8
    idx = [f"s{i}" for i in range(h)]
    n_pop = pd.Series(rng.integers(200, 2000, h), index=idx)
    sd = pd.DataFrame({"x": rng.uniform(5, 50, h), "z": rng.uniform(1, 80, h)}, index=idx)
    sd.loc["s0", "z"] = 300.0  # make the two variables want different allocations
    means = pd.DataFrame({"x": rng.uniform(50, 100, h), "z": rng.uniform(20, 60, h)}, index=idx)
    cost = pd.Series(rng.uniform(1, 3, h), index=idx)
    cv = pd.Series({"x": 0.02, "z": 0.03})
    got = bethel(n_pop, sd, cv, means=means, cost=cost, lower=2)
    totals = (n_pop.to_numpy()[:, None] * means.to_numpy()).sum(axis=0)
    var = ((n_pop.to_numpy()[:, None] * sd.to_numpy()) ** 2 / got.to_numpy()[:, None]).sum(axis=0) - (
        n_pop.to_numpy()[:, None] * sd.to_numpy() ** 2
    ).sum(axis=0)
    assert np.all(np.sqrt(var) / totals <= cv.to_numpy())  # every target holds
    # The continuous optimum from scipy's SLSQP (an independent general solver) costs the same
    # as Chromy's, and the integer result at most sum(cost) more.
    budget = (cv.to_numpy() * totals) ** 2 + (n_pop.to_numpy()[:, None] * sd.to_numpy() ** 2).sum(axis=0)
    a = (n_pop.to_numpy()[:, None] * sd.to_numpy()) ** 2 / budget
    lo, up = np.full(h, 2.0), n_pop.to_numpy(float)
    chromy = _bethel_continuous(a, cost.to_numpy(), lo, up)
    res = minimize(
        lambda x: cost.to_numpy() @ x,
        x0=up / 2,
        method="SLSQP",
        bounds=list(zip(lo, up, strict=True)),
        constraints=[{"type": "ineq", "fun": lambda x, j=j: 1 - np.sum(a[:, j] / x)} for j in range(2)],
        options={"ftol": 1e-12, "maxiter": 1000},
    )
    assert res.success
    assert cost.to_numpy() @ chromy == pytest.approx(res.fun, rel=1e-6)
    assert cost.to_numpy() @ got.to_numpy() <= res.fun + cost.sum() + 1e-9


def test_bethel_infeasible_names_variable():
    with pytest.raises(InfeasibleAllocationError, match=r"'y' cannot be met.*best reachable is"):
        bethel(N, S.to_frame("y"), 0.001, means=MEANS, upper=10)
