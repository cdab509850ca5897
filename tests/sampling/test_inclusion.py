"""Tests for sampling.inclusion against R's sampling::inclusionprobabilities.

Reference values: tests/sampling/r/make_selection_refs.R (R sampling 2.9), printed output
pasted below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import SelectionError, inclusion_probabilities
from sampling.inclusion import grouped_inclusion

EMP = [52, 75, 88, 120, 133, 150, 175, 210, 240, 260, 280, 299, 310, 350, 420, 500, 760, 900, 1200, 95]

# R: inclusionprobabilities(...) printed by make_selection_refs.R
A1 = [0.099999999999999992, 0.19999999999999998, 0.29999999999999999, 0.39999999999999997, 1]
A2 = [
    0.032258064516129031,
    0.064516129032258063,
    0.12903225806451613,
    0.25806451612903225,
    0.5161290322580645,
    1,
    1,
    1,
]
A3 = [
    0,
    0.27272727272727265,
    0.63636363636363635,
    0,
    1,
    0.090909090909090898,
    1,
    0.81818181818181823,
    0.1818181818181818,
    1,
]
A4 = [
    0.047997046335610118,
    0.069226509137899211,
    0.081225770721801732,
    0.11076241462063874,
    0.12276167620454126,
    0.13845301827579842,
    0.16152852132176482,
    0.19383422558611779,
    0.22152482924127748,
    0.23998523167805058,
    0.25844563411482369,
    0.2759830164297582,
    0.28613623776998337,
    0.32305704264352963,
    0.38766845117223558,
    0.461510060919328,
    0.70149529259737853,
    0.83071810965479054,
    1,
    0.087686911574672316,
]
A5 = [
    0.19524405506883605,
    0.28160200250312883,
    0.33041301627033792,
    0.45056320400500627,
    0.49937421777221513,
    0.56320400500625767,
    0.65707133917396743,
    0.78848560700876091,
    0.90112640801001254,
    0.97622027534418021,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    1,
    0.35669586983729662,
]

CASES = [
    ([1, 2, 3, 4, 40], 2, A1),
    ([5, 10, 20, 40, 80, 160, 320, 640], 4, A2),
    ([0, 3, 7, 0, 12, 1, 50, 9, 2, 30], 5, A3),
    (EMP, 6, A4),
    (EMP, 15, A5),
]


@pytest.mark.parametrize(("sizes", "n", "expected"), CASES)
def test_matches_r_inclusionprobabilities(sizes, n, expected):
    pi = inclusion_probabilities(sizes, n)
    np.testing.assert_allclose(pi.to_numpy(), expected, rtol=0, atol=1e-12)


def test_hand_calculation_one_certainty_unit():
    # 40 / 50 * 2 = 1.6 >= 1, so unit 5 is certain; the other four share 1 in proportion
    # 1:2:3:4 of their total 10: 0.1, 0.2, 0.3, 0.4.
    pi = inclusion_probabilities(pd.Series([1, 2, 3, 4, 40], index=list("abcde")), 2)
    assert list(pi.index) == list("abcde")
    assert pi.name == "pi"
    assert pi["e"] == 1.0
    np.testing.assert_allclose(pi[list("abcd")], [0.1, 0.2, 0.3, 0.4], atol=1e-15)


def test_grouped_matches_each_group_separately():
    # Five R cases stacked as five strata in one call.
    sizes = np.concatenate([np.asarray(s, dtype=float) for s, _, _ in CASES])
    groups = np.repeat(np.arange(len(CASES)), [len(s) for s, _, _ in CASES])
    n = np.array([c[1] for c in CASES])
    expected = np.concatenate([c[2] for c in CASES])
    np.testing.assert_allclose(grouped_inclusion(sizes, groups, n), expected, atol=1e-12)


@pytest.mark.parametrize("bad", [[1, -2, 3], [1, np.nan, 3], [1, np.inf, 2], [1, "x", 2]])
def test_bad_sizes_are_named(bad):
    with pytest.raises(SelectionError, match="sizes must be finite numbers >= 0; bad values at 1"):
        inclusion_probabilities(bad, 1)


def test_n_above_positive_units():
    with pytest.raises(SelectionError, match="n = 3 exceeds the 2 units with positive size"):
        inclusion_probabilities([0, 5, 0, 7], 3)


@pytest.mark.parametrize("n", [-1, 1.5, True])
def test_bad_n(n):
    with pytest.raises(SelectionError, match="n must be a non-negative integer"):
        inclusion_probabilities([1, 2, 3], n)


@settings(max_examples=80, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40),
    data=st.data(),
)
def test_invariants(sizes, data):
    positive = sum(s > 0 for s in sizes)
    n = data.draw(st.integers(min_value=0, max_value=positive))
    pi = inclusion_probabilities(sizes, n).to_numpy()
    assert abs(pi.sum() - n) < 1e-9
    assert ((pi >= 0) & (pi <= 1)).all()
    assert (pi[np.asarray(sizes) == 0] == 0).all()
    # larger units never get a smaller probability
    order = np.argsort(sizes, kind="stable")
    assert (np.diff(pi[order]) >= -1e-12).all()
