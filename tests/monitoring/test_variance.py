"""The stratified domain variance: hand calculations, R's lonely-stratum rules, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.exceptions import EstimationError
from monitoring.variance import domain_variance


def test_domain_hand_calculation():
    # One stratum, N = 8, n = 4; scores 2, 4, 6, 8; domain 0 = the first two.
    # The domain's variable is (2, 4, 0, 0): mean 1.5, squares 0.25 + 6.25 + 2.25 + 2.25 = 11;
    # V = (1 - 4/8) x 4/3 x 11 = 22/3. Domain 1 is (0, 0, 6, 8): mean 3.5,
    # squares 12.25 + 12.25 + 6.25 + 20.25 = 51, V = 0.5 x 4/3 x 51 = 34.
    v = domain_variance(
        np.array([2.0, 4, 6, 8]), np.zeros(4, int), np.array([0, 0, 1, 1]), np.array([8]), domains=2
    )
    np.testing.assert_allclose(v, [22 / 3, 34], rtol=1e-14)


def test_lonely_stratum_rules():
    # Stratum 0: N = 5, one enterprise with score 3. Stratum 1: N = 10, scores 1 and 5
    # (mean 3, squares 8): (1 - 2/10) x 2/1 x 8 = 12.8.
    #   adjust: (1 - 1/5) x 3^2 = 7.2, total 20.0;  remove: 12.8;
    #   average: 2 strata, 1 with a variance: 12.8 x 2/1 = 25.6 (R's onestage()).
    args = (np.array([3.0, 1, 5]), np.array([0, 1, 1]), np.zeros(3, int), np.array([5, 10]))
    assert domain_variance(*args, domains=1, lonely="adjust")[0] == pytest.approx(20.0, rel=1e-14)
    assert domain_variance(*args, domains=1, lonely="remove")[0] == pytest.approx(12.8, rel=1e-14)
    assert domain_variance(*args, domains=1, lonely="average")[0] == pytest.approx(25.6, rel=1e-14)
    with pytest.raises(EstimationError, match="stratum X has one enterprise in the data \\(of 5"):
        domain_variance(*args, domains=1, lonely="fail", stratum_labels=["X", "Y"])
    # a stratum of one taken whole (N = 1) is not lonely: it contributes 0 under every rule
    one = (np.array([3.0]), np.zeros(1, int), np.zeros(1, int), np.array([1]))
    for rule in ("adjust", "average", "remove", "fail"):
        assert domain_variance(*one, domains=1, lonely=rule)[0] == 0
    with pytest.raises(ValueError, match="lonely must be one of"):
        domain_variance(*one, domains=1, lonely="certainty")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 2), st.floats(-1e4, 1e4, allow_nan=False)),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 5),
)
def test_equals_the_textbook_formula_on_the_zero_extended_variable(rows, extra):
    # Cochran (1977) eq. 5.7 applied to z 1{domain}: np.var over each whole stratum.
    stratum = np.array([r[0] for r in rows])
    domain = np.array([r[1] for r in rows])
    z = np.array([r[2] for r in rows])
    present = np.unique(stratum)
    codes = np.searchsorted(present, stratum)
    n_h = np.bincount(codes)
    big_n = n_h + extra
    got = domain_variance(z, codes, domain, big_n, domains=3, lonely="remove")
    for d in range(3):
        want = 0.0
        for h in range(len(present)):
            y = np.where(domain[codes == h] == d, z[codes == h], 0.0)
            n = len(y)
            if n > 1 and big_n[h] > n:
                want += (1 - n / big_n[h]) * n * np.var(y, ddof=1)
        assert got[d] == pytest.approx(want, rel=1e-9, abs=1e-6)
