"""Tests for sampling.representativeness against hand calculations and R (survey 4.1.1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling.exceptions import AuditError
from sampling.representativeness import (
    chisquare_gof,
    design_effect_weights,
    dissimilarity,
    employment_coverage,
    kish_effective_size,
    rao_scott_by_group,
    rao_scott_gof,
)

# --------------------------------------------------------------------------- dissimilarity


def test_dissimilarity_hand_calculation():
    # sample shares C 30/60 = .5, F 20/60 = 1/3, G 10/60 = 1/6
    # population   C 400/1000 = .4, F .35, G .15, H .10
    # |diff|: .1, 1/60 (= .35 - 1/3), 1/60 (= 1/6 - .15), .1  -> sum 0.2 + 1/30 -> D = 0.1 + 1/60
    d = dissimilarity(
        pd.Series({"C": 30, "F": 20, "G": 10}), pd.Series({"C": 400, "F": 350, "G": 150, "H": 100})
    )
    assert d == pytest.approx(0.1 + 1 / 60, abs=1e-15)


def test_dissimilarity_bounds():
    # By hand: shares 3/4, 1/4 in both -> D = 0; disjoint supports (A 1 vs B 1) -> D = 0.5 * 2 = 1.
    assert dissimilarity(pd.Series({"A": 3, "B": 1}), pd.Series({"A": 30, "B": 10})) == 0.0
    assert dissimilarity(pd.Series({"A": 3}), pd.Series({"B": 10})) == 1.0


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 50), min_size=2, max_size=8), st.lists(st.integers(1, 50), min_size=2, max_size=8)
)
def test_dissimilarity_is_symmetric_and_between_0_and_1(a, b):
    if sum(a) == 0:
        a[0] = 1
    s = pd.Series(a, index=[f"k{i}" for i in range(len(a))])
    p = pd.Series(b, index=[f"k{i}" for i in range(len(b))])
    d = dissimilarity(s, p)
    assert 0.0 <= d <= 1.0 + 1e-12
    assert d == pytest.approx(dissimilarity(p, s), abs=1e-12)


# --------------------------------------------------------------------------- Pearson


def test_chisquare_hand_calculation():
    # n = 60, population shares .5 .3 .2 -> expected 30 18 12; observed 36 12 12
    # X2 = 36/30 + 36/18 + 0 = 1.2 + 2 = 3.2, df 2, p = exp(-3.2/2) = exp(-1.6) (chi2 with 2 df)
    # w = sqrt(3.2 / 60) = sqrt(0.053333...) = 0.230940...
    t = chisquare_gof(pd.Series({"A": 36, "B": 12, "C": 12}), pd.Series({"A": 500, "B": 300, "C": 200}))
    assert t.statistic == pytest.approx(3.2, rel=1e-14)
    assert t.df == 2
    assert t.p_value == pytest.approx(np.exp(-1.6), rel=1e-12)
    assert t.w == pytest.approx(np.sqrt(3.2 / 60), rel=1e-14)
    assert t.n == 60 and t.categories == ("A", "B", "C")


def test_chisquare_missing_sample_category_counts_zero():
    # observed A 10, B 0 against .5/.5: expected 5, 5 -> X2 = 25/5 + 25/5 = 10, w = sqrt(10/10) = 1
    t = chisquare_gof(pd.Series({"A": 10}), pd.Series({"A": 1, "B": 1}))
    assert (t.statistic, t.df, t.w) == (10.0, 1.0, 1.0)


def test_chisquare_sample_outside_population_is_an_error():
    with pytest.raises(AuditError, match=r"\['Z'\]"):
        chisquare_gof(pd.Series({"A": 10, "Z": 1}), pd.Series({"A": 1, "B": 1}))


def test_negative_counts_are_errors():
    with pytest.raises(AuditError, match="'A': -1"):
        chisquare_gof(pd.Series({"A": -1, "B": 3}), pd.Series({"A": 1, "B": 1}))


# --------------------------------------------------------------------------- Rao-Scott vs R


def reference_data() -> pd.DataFrame:
    """The data of tests/sampling/r/make_audit_refs.R, rebuilt from the same formulas."""
    i = np.arange(80)
    return pd.DataFrame(
        {
            "stratum": i // 30,
            "cluster": i // 5,
            "w": 2 + (7 * i) % 11,
            "category": np.array(list("ABCD"))[((i * i + i // 3) % 9) % 4],
        }
    )


P = pd.Series({"A": 0.4, "B": 0.3, "C": 0.2, "D": 0.1})


def test_reference_data_counts_match_r():
    # R printed "counts: 26, 18, 18, 18"
    assert reference_data()["category"].value_counts().sort_index().tolist() == [26, 18, 18, 18]


# Pasted from `Rscript tests/sampling/r/make_audit_refs.R` (survey 4.1.1):
R_WEIGHTS_ONLY = dict(
    statistic=72.4924924924925,
    scale=11.012341081963,
    df=2.76324103454713,
    p_value=0.0726072583281899,
    lam=[14.1581485123571, 9.20048393688815, 7.07112031486419],
    first_scale=10.1432509213698,
    first_p=0.0673609835199247,
)
R_STRATIFIED_CLUSTER = dict(
    statistic=72.4924924924925,
    scale=11.2234316264735,
    df=2.73602947054343,
    p_value=0.0752298089628633,
    lam=[13.5411495798038, 11.2231476268143, 5.94334248404251],
    first_scale=10.2358798968869,
    first_p=0.0693235889364351,
)


@pytest.mark.parametrize(
    ("design", "ref"), [("weights_only", R_WEIGHTS_ONLY), ("stratified_cluster", R_STRATIFIED_CLUSTER)]
)
def test_rao_scott_matches_r_svygofchisq(design, ref):
    d = reference_data()
    kwargs = {} if design == "weights_only" else {"strata": d["stratum"], "clusters": d["cluster"]}
    second = rao_scott_gof(d["category"], d["w"].astype(float), P, **kwargs)
    assert second.statistic == pytest.approx(ref["statistic"], rel=1e-12)
    assert second.scale == pytest.approx(ref["scale"], rel=1e-10)
    assert second.df == pytest.approx(ref["df"], rel=1e-10)
    assert second.p_value == pytest.approx(ref["p_value"], rel=1e-9)
    np.testing.assert_allclose(second.eigenvalues[:3], ref["lam"], rtol=1e-10)
    assert abs(second.eigenvalues[3]) < 1e-9  # R: ~1e-15, the constraint sum sqrt(p) z = 0
    first = rao_scott_gof(d["category"], d["w"].astype(float), P, order="first", **kwargs)
    assert first.scale == pytest.approx(ref["first_scale"], rel=1e-10)
    assert first.df == 3
    assert first.p_value == pytest.approx(ref["first_p"], rel=1e-9)


def test_rao_scott_equal_weights_hand_calculation():
    # Equal weights w = 3, n = 80 units, one per cluster, shares exactly p (32, 24, 16, 8).
    # Cov(T) = w^2 n^2 / (n - 1) (diag p - p p'); the Jacobian at T = N p (N = w n) is
    # (I - p 1') / sqrt(N p), so Cov(z) = w n / (n - 1) (I - sqrt(p) sqrt(p)'): eigenvalues
    # 3 * 80 / 79 (three times) and 0; X2 = 0, p-value 1.
    cat = pd.Series(list("AAAABBBCCD") * 8)
    rs = rao_scott_gof(cat, pd.Series(3.0, index=cat.index), P)
    np.testing.assert_allclose(rs.eigenvalues[:3], [240 / 79] * 3, rtol=1e-12)
    assert abs(rs.eigenvalues[3]) < 1e-12
    assert rs.statistic == pytest.approx(0.0, abs=1e-20) and rs.p_value == pytest.approx(1.0)
    # and X2 on totals is w times Pearson's X2 on counts, Cohen's w the same. Reference data
    # counts 26, 18, 18, 18 against expected 80 p = 32, 24, 16, 8, by hand:
    # 36/32 + 36/24 + 4/16 + 100/8 = 1.125 + 1.5 + 0.25 + 12.5 = 15.375, w = sqrt(15.375 / 80).
    # R (make_audit_refs.R): chisq.test statistic 15.375, df 3, p.value 0.00152267406981311,
    # w 0.438391947918755; svygofchisq with every weight 3: statistic 46.125 (= 3 x 15.375).
    d = reference_data()
    pearson = chisquare_gof(d["category"].value_counts(), P)
    assert pearson.statistic == pytest.approx(15.375, rel=1e-14)
    assert pearson.df == 3
    assert pearson.p_value == pytest.approx(0.00152267406981311, rel=1e-9)
    assert pearson.w == pytest.approx(0.438391947918755, rel=1e-12)
    rs = rao_scott_gof(d["category"], pd.Series(3.0, index=d.index), P)
    assert rs.statistic == pytest.approx(46.125, rel=1e-12)
    assert rs.w == pytest.approx(0.438391947918755, rel=1e-12)


def test_rao_scott_bad_input():
    d = reference_data()
    with pytest.raises(AuditError, match=r"unknown order 'third'; valid: \['first', 'second'\]"):
        rao_scott_gof(d["category"], d["w"].astype(float), P, order="third")
    w = d["w"].astype(float)
    w[5] = -1
    with pytest.raises(AuditError, match="row 5: -1"):
        rao_scott_gof(d["category"], w, P)
    with pytest.raises(AuditError, match="single cluster"):
        rao_scott_gof(d["category"], d["w"].astype(float), P, strata=d["cluster"], clusters=d["cluster"])


# --------------------------------------------------------------------------- coverage, Kish


def test_employment_coverage():
    # 广州 5,000 of 100,000 = 0.05; 韶关 nothing sampled; 汕头 population 0 -> NaN
    out = employment_coverage(
        pd.Series({"广州市": 5_000}), pd.Series({"广州市": 100_000, "韶关市": 8_000, "汕头市": 0})
    )
    assert out.iloc[:2].tolist() == [0.05, 0.0] and np.isnan(out.iloc[2])
    with pytest.raises(AuditError, match="佛山市"):
        employment_coverage(pd.Series({"佛山市": 1}), pd.Series({"广州市": 10}))


def test_kish_hand_calculation():
    # w = 1, 1, 2, 4: sum 8, sum of squares 1 + 1 + 4 + 16 = 22
    # n_eff = 64 / 22 = 2.909..., deff = 4 * 22 / 64 = 1.375 = n / n_eff
    w = pd.Series([1.0, 1.0, 2.0, 4.0])
    assert kish_effective_size(w) == pytest.approx(64 / 22, rel=1e-15)
    assert design_effect_weights(w) == pytest.approx(1.375, rel=1e-15)
    # CV^2 with divisor n: mean 2, variance (1 + 1 + 0 + 4) / 4 = 1.5 -> 1 + 1.5 / 4 = 1.375
    assert design_effect_weights(w) == pytest.approx(1 + 1.5 / 4)
    with pytest.raises(AuditError, match="positive"):
        kish_effective_size(pd.Series([1.0, 0.0]))


def test_unclustered_shortcut_equals_the_general_covariance():
    # Without strata or clusters the covariance has a closed form (checked against R above);
    # giving one stratum and one cluster per unit explicitly takes the general path.
    d = reference_data()
    w = d["w"].astype(float)
    fast = rao_scott_gof(d["category"], w, P)
    general = rao_scott_gof(
        d["category"], w, P, strata=pd.Series(0, index=d.index), clusters=pd.Series(d.index)
    )
    np.testing.assert_allclose(fast.eigenvalues, general.eigenvalues, rtol=1e-12, atol=1e-12)
    # both paths against R's svygofchisq on the weights-only design, not only each other
    np.testing.assert_allclose(general.eigenvalues[:3], R_WEIGHTS_ONLY["lam"], rtol=1e-10)
    assert general.p_value == pytest.approx(R_WEIGHTS_ONLY["p_value"], rel=1e-9)
    # by group: the reference data as group "a", and the same data with weights doubled as "b"
    # (doubling every weight leaves scale / df / p unchanged and doubles the X2 on totals)
    totals = w.groupby(d["category"]).sum()
    squares = (w**2).groupby(d["category"]).sum()
    out = rao_scott_by_group(
        pd.DataFrame([totals, 2 * totals], index=["a", "b"]),
        pd.DataFrame([squares, 4 * squares], index=["a", "b"]),
        pd.Series({"a": 80, "b": 80}),
        pd.DataFrame([P, P], index=["a", "b"]),
    )
    assert out.loc["a", "p_value"] == pytest.approx(R_WEIGHTS_ONLY["p_value"], rel=1e-9)
    assert out.loc["a", "scale"] == pytest.approx(R_WEIGHTS_ONLY["scale"], rel=1e-10)
    assert out.loc["a", "statistic"] == pytest.approx(R_WEIGHTS_ONLY["statistic"], rel=1e-12)
    assert out.loc["b", "p_value"] == pytest.approx(R_WEIGHTS_ONLY["p_value"], rel=1e-9)
    assert out.loc["b", "statistic"] == pytest.approx(2 * R_WEIGHTS_ONLY["statistic"], rel=1e-12)
    one = dict(
        totals=pd.DataFrame([totals], index=["a"]),
        squares=pd.DataFrame([squares], index=["a"]),
        expected=pd.DataFrame([P], index=["a"]),
    )
    first = rao_scott_by_group(n=pd.Series({"a": 80}), order="first", **one)
    assert first.loc["a", "p_value"] == pytest.approx(R_WEIGHTS_ONLY["first_p"], rel=1e-9)
    with pytest.raises(AuditError, match="fewer than two"):
        rao_scott_by_group(n=pd.Series({"a": 1}), **one)
    with pytest.raises(AuditError, match=r"\['x'\]"):
        rao_scott_by_group(n=pd.Series({"a": 80}), **{**one, "expected": pd.DataFrame([P], index=["x"])})
