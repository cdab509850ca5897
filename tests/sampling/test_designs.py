"""Tests for sampling.designs: the draws within cells, against hand calculations and brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling.designs import grouped_order, ranking_keys, smallest_per_cell, systematic_hits


def test_systematic_frame_order_hand_calculation():
    # pi = 0.5 each for 4 units, n = 2, frame order: start u picks units k with an integer in
    # (V_{k-1} - u, V_k - u]; V = 0.5, 1, 1.5, 2. u in (0, 0.5] -> units 1 and 3 (0-based 0, 2);
    # u in (0.5, 1) -> units 2 and 4.
    cell = np.zeros(4, dtype=np.int64)
    pi = np.full(4, 0.5)
    assert systematic_hits(cell, pi, np.array([0.3]), np.array([2])).tolist() == [True, False, True, False]
    assert systematic_hits(cell, pi, np.array([0.7]), np.array([2])).tolist() == [False, True, False, True]


@settings(max_examples=60, deadline=None)
@given(
    cells=st.integers(1, 40),
    prns=st.lists(
        st.sampled_from([0.5, 0.5 + 2**-53, 0.5 + 2**-52, 0.25, 0.75, 1e-9]), min_size=1, max_size=300
    ),
    seed=st.integers(0, 2**16),
)
def test_systematic_order_is_cell_then_full_prn_then_position(cells, prns, seed):
    # PRNs equal in their packed top bits (0.5 and 0.5 + 2**-53 share the top 52) must still
    # come in full PRN order, then frame order: the reference is numpy's lexsort.
    prn = np.array(prns)
    cell = np.random.default_rng(seed).integers(0, cells, len(prn))
    want = np.lexsort((np.arange(len(prn)), prn, cell))
    assert grouped_order(cell, prn, "prn").tolist() == want.tolist()
    assert grouped_order(cell, prn, "frame").tolist() == np.lexsort((np.arange(len(prn)), cell)).tolist()


@settings(max_examples=80, deadline=None)
@given(
    keys=st.lists(st.tuples(st.integers(0, 4), st.sampled_from([0.1, 0.2, 0.2, 0.5, 0.9])), max_size=80),
    need=st.lists(st.integers(0, 6), min_size=5, max_size=5),
    bound=st.lists(st.sampled_from([0.0, 0.15, 0.3, 1.0, np.inf]), min_size=5, max_size=5),
)
def test_smallest_per_cell_equals_a_full_sort(keys, need, bound):
    # Brute force: sort all rows by (cell, key, position) and keep the first need[c] of each
    # cell. The bound only prunes the search: a cell where it keeps too few takes all its rows.
    cell = np.array([c for c, _ in keys], dtype=np.int64)
    key = np.array([k for _, k in keys], dtype=float)
    need_a = np.array(need)
    pos, rank = smallest_per_cell(cell, key, need_a, np.array(bound))
    order = np.lexsort((np.arange(len(key)), key, cell))
    seen = {c: 0 for c in range(5)}
    want_pos, want_rank = [], []
    for p in order:
        c = int(cell[p])
        if seen[c] < need_a[c]:
            want_pos.append(int(p))
            want_rank.append(seen[c])
            seen[c] += 1
    assert pos.tolist() == want_pos and rank.tolist() == want_rank


def test_ranking_keys_hand_calculation():
    # Pareto (Rosén 1997): Q = (U / (1 - U)) / (pi / (1 - pi)); U = 0.5, pi = 0.2:
    # 1 / 0.25 = 4. Sequential Poisson (Ohlsson 1998): U / pi = 0.5 / 0.2 = 2.5.
    # Certainty units (pi = 1) rank first (-1), units of pi = 0 never (+inf).
    prn = np.array([0.5, 0.3, 0.3])
    pi = np.array([0.2, 1.0, 0.0])
    assert ranking_keys("pareto", prn, pi).tolist() == [4.0, -1.0, np.inf]
    assert ranking_keys("poisson", prn, pi).tolist() == [2.5, -1.0, np.inf]
