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
    kish_by_group,
    kish_effective_size,
    pearson_by_group,
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
    both = pd.concat([d.assign(g="a"), d.assign(g="b", w=2 * d["w"])], ignore_index=True)
    out = rao_scott_by_group(
        both["category"], both["w"].astype(float), pd.DataFrame([P, P], index=["a", "b"]), groups=both["g"]
    )
    assert out.loc["a", "p_value"] == pytest.approx(R_WEIGHTS_ONLY["p_value"], rel=1e-9)
    assert out.loc["a", "scale"] == pytest.approx(R_WEIGHTS_ONLY["scale"], rel=1e-10)
    assert out.loc["a", "statistic"] == pytest.approx(R_WEIGHTS_ONLY["statistic"], rel=1e-12)
    assert out.loc["b", "p_value"] == pytest.approx(R_WEIGHTS_ONLY["p_value"], rel=1e-9)
    assert out.loc["b", "statistic"] == pytest.approx(2 * R_WEIGHTS_ONLY["statistic"], rel=1e-12)
    assert out["n"].tolist() == [80, 80]
    first = rao_scott_by_group(
        d["category"], w, pd.DataFrame([P], index=["a"]), groups=pd.Series("a", index=d.index), order="first"
    )
    assert first.loc["a", "p_value"] == pytest.approx(R_WEIGHTS_ONLY["first_p"], rel=1e-9)
    one = d.iloc[:1]
    with pytest.raises(AuditError, match="single cluster"):
        rao_scott_by_group(
            one["category"],
            one["w"].astype(float),
            pd.DataFrame([P], index=["a"]),
            groups=pd.Series("a", index=one.index),
        )
    with pytest.raises(AuditError, match="unknown lonely 'x'"):
        rao_scott_by_group(
            d["category"], w, pd.DataFrame([P], index=["a"]), groups=pd.Series("a", index=d.index), lonely="x"
        )


# --------------------------------------------------------------------------- fpc vs R


def fpc_data(lonely: bool = False) -> pd.DataFrame:
    """The data of tests/sampling/r/make_fpc_refs.R, rebuilt from the same formulas."""
    i = np.arange(103 if lonely else 102)
    stratum = np.select([i < 30, i < 60, i < 90, i < 102], [0, 1, 2, 3], 4)
    n_pop = np.array([2100, 990, 300, 12, 50])[stratum]
    n_smp = np.array([30, 30, 30, 12, 1])[stratum]
    return pd.DataFrame(
        {
            "stratum": stratum,
            "N": n_pop,
            "w": n_pop / n_smp,
            "cluster": i // 3,
            "M": n_pop // 3,
            "category": np.array(list("ABCD"))[((i * i + i // 3) % 9) % 4],
            "city": np.where(np.isin(stratum, [0, 3]), "g1", "g2"),
        }
    )


# Pasted from `Rscript tests/sampling/r/make_fpc_refs.R` (survey 4.1.1); lambda without R's
# fourth eigenvalue (1e-14, zero up to rounding).
R_FPC = {
    "srswor_fpc": dict(
        statistic=431.08348030570238,
        scale=73.217462788123669,
        df=2.6660027422983781,
        p_value=0.092570681800979798,
        lam=[97.271079521330776, 53.170550708820031, 44.756326347116364],
        total=[1226, 783, 702, 691],
        se=[207.37971170677764, 182.00094732606809, 172.54924334609629, 172.41429655098915],
    ),
    "srswr": dict(
        statistic=431.08348030570238,
        scale=74.619505769255582,
        df=2.6658285551608709,
        p_value=0.097347750866375357,
        lam=[99.135376014727129, 54.190984296977966, 45.596448939967743],
        total=[1226, 783, 702, 691],
        se=[209.32339126734362, 183.70532318913646, 174.20760144509748, 174.05777695313802],
    ),
    "cluster_fpc": dict(
        statistic=431.08348030570238,
        scale=80.492305824715899,
        df=2.5939968306893859,
        p_value=0.11194230466020272,
        lam=[98.464258059514009, 77.801317327821209, 32.531210816858518],
        total=[1226, 783, 702, 691],
        se=[214.04672387121462, 165.08785539826968, 206.43643089338667, 170.83910559353794],
    ),
    "city_g1": dict(
        statistic=250.15553977272722,
        scale=95.159179129334646,
        df=2.6677676018984857,
        p_value=0.39155821466045382,
        lam=[126.39938566361303, 69.075620882567307, 58.387568558313149],
        total=[773, 492, 424, 423],
        se=[186.57253373642004, 163.75233612442574, 154.86590417474753, 154.86590417474753],
    ),
    "city_g2": dict(
        statistic=71.234108527131781,
        scale=27.867660450520063,
        df=2.8973692682413295,
        p_value=0.44639065460700744,
        lam=[34.003989250691468, 24.258695583179332, 22.480218133250304],
        total=[453, 291, 278, 268],
        se=[90.53747557094033, 79.432469692055463, 76.090689991931825, 75.784176312145419],
    ),
    "lonely_adjust": dict(
        statistic=532.97972190034739,
        scale=75.692888795693193,
        df=2.6154619287525991,
        p_value=0.052266664465754543,
        lam=[101.45347902903707, 52.403737027503091, 44.114652865899544],
        total=[1226, 783, 702, 741],
        se=[207.37971170677764, 182.00094732606809, 172.54924334609629, 179.37862095348049],
    ),
}
RTOL = 1e-8  # issue 15: R's numbers to 1e-8 relative


def assert_matches_r(test, ref):
    assert test.statistic == pytest.approx(ref["statistic"], rel=RTOL)
    assert test.scale == pytest.approx(ref["scale"], rel=RTOL)
    assert test.df == pytest.approx(ref["df"], rel=RTOL)
    assert test.p_value == pytest.approx(ref["p_value"], rel=RTOL)
    np.testing.assert_allclose(test.eigenvalues[:3], ref["lam"], rtol=RTOL)
    assert abs(test.eigenvalues[3]) < 1e-9
    np.testing.assert_allclose(test.totals.to_numpy(), ref["total"], rtol=RTOL)
    np.testing.assert_allclose(test.standard_errors.to_numpy(), ref["se"], rtol=RTOL)


def test_fpc_data_counts_match_r():
    # R printed "counts by stratum and category" column by column (A for strata 0-3, then B ...)
    d = fpc_data()
    counts = pd.crosstab(d["stratum"], d["category"]).to_numpy().T.ravel().tolist()
    assert counts == [11, 11, 9, 3, 7, 7, 6, 2, 6, 6, 8, 4, 6, 6, 7, 3]


@pytest.mark.parametrize("form", ["per_unit", "mapping", "series_by_stratum"])
def test_rao_scott_with_fpc_matches_r(form):
    # Stratified SRSWOR: fractions 1.4%, 3%, 10% and a take-all stratum (12 of 12, no variance).
    d = fpc_data()
    fpc = {
        "per_unit": d["N"],
        "mapping": {0: 2100, 1: 990, 2: 300, 3: 12},
        "series_by_stratum": pd.Series([2100, 990, 300, 12], index=[0, 1, 2, 3]),
    }[form]
    test = rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"], fpc=fpc)
    assert_matches_r(test, R_FPC["srswor_fpc"])


def test_take_all_stratum_adds_no_variance():
    # With fpc the take-all stratum 3 adds nothing: dropping it from the variance (its totals
    # kept) gives the same standard errors; without fpc (R's srswr design) it adds variance.
    d = fpc_data()
    with_fpc = rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"], fpc=d["N"])
    assert_matches_r(rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"]), R_FPC["srswr"])
    # By hand for stratum 3 alone (n = N = 12): 1 - 12/12 = 0, so its 12 units could have any
    # categories: relabelling them all "A" moves the totals but not the variance.
    moved = d.assign(category=np.where(d["stratum"] == 3, "A", d["category"]))
    other = rao_scott_gof(moved["category"], moved["w"], P, strata=moved["stratum"], fpc=moved["N"])
    np.testing.assert_allclose(other.standard_errors, with_fpc.standard_errors, rtol=1e-12)


def test_rao_scott_cluster_design_with_fpc_matches_r():
    d = fpc_data()
    test = rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"], clusters=d["cluster"], fpc=d["M"])
    assert_matches_r(test, R_FPC["cluster_fpc"])


def test_rao_scott_lonely_unit_adjust_matches_r():
    d = fpc_data(lonely=True)
    with pytest.raises(AuditError, match="stratum 4 has a single cluster"):
        rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"], fpc=d["N"])
    test = rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"], fpc=d["N"], lonely="adjust")
    assert_matches_r(test, R_FPC["lonely_adjust"])
    # by hand: the lonely unit (category D, w 50, N 50) adds (1 - 1/50) 50^2 = 2450 to var(T_D)
    assert test.standard_errors["D"] ** 2 - 172.41429655098915**2 == pytest.approx(2450, rel=1e-9)


def test_rao_scott_by_group_with_strata_and_fpc_matches_r():
    # R: svygofchisq on subset(design, city == g); the strata are nested in the cities.
    d = fpc_data()
    expected = pd.DataFrame([P, pd.Series(0.25, index=P.index)], index=["g1", "g2"])
    out = rao_scott_by_group(
        d["category"], d["w"], expected, groups=d["city"], strata=d["stratum"], fpc=d["N"]
    )
    for g in ("g1", "g2"):
        ref = R_FPC[f"city_{g}"]
        assert out.loc[g, "statistic"] == pytest.approx(ref["statistic"], rel=RTOL)
        assert out.loc[g, "scale"] == pytest.approx(ref["scale"], rel=RTOL)
        assert out.loc[g, "df"] == pytest.approx(ref["df"], rel=RTOL)
        assert out.loc[g, "p_value"] == pytest.approx(ref["p_value"], rel=RTOL)
    assert out["n"].tolist() == [42, 60]


def test_fpc_errors_name_the_stratum():
    d = fpc_data()
    with pytest.raises(AuditError, match="fpc 20 of stratum 0 is below the 30 units sampled"):
        rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"], fpc={0: 20, 1: 990, 2: 300, 3: 12})
    with pytest.raises(AuditError, match=r"no population size for strata \[3\]"):
        rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"], fpc={0: 2100, 1: 990, 2: 300})
    varying = d["N"].copy()
    varying[5] = 2000
    with pytest.raises(AuditError, match="varies in stratum 0"):
        rao_scott_gof(d["category"], d["w"], P, strata=d["stratum"], fpc=varying)
    with pytest.raises(AuditError, match="stratum 'g1' lies in more than one group"):
        rao_scott_by_group(
            d["category"],
            d["w"],
            pd.DataFrame([P, P], index=[0, 1]),
            groups=d["stratum"] % 2,
            strata=d["city"],
        )


def test_pearson_and_kish_by_group():
    # Group "r": the reference data's counts 26, 18, 18, 18 against P; R (make_audit_refs.R,
    # chisq.test): statistic 15.375, df 3, p.value 0.00152267406981311, w 0.438391947918755.
    # Group "h": test_chisquare_hand_calculation's 36, 12, 12 against .5 .3 .2: X2 3.2, df 2.
    counts = pd.DataFrame({"A": [26, 36], "B": [18, 12], "C": [18, 12], "D": [18, 0]}, index=["r", "h"])
    expected = pd.DataFrame([P, pd.Series({"A": 0.5, "B": 0.3, "C": 0.2, "D": 0.0})], index=["r", "h"])
    out = pearson_by_group(counts, expected)
    assert out.loc["r", "statistic"] == pytest.approx(15.375, rel=1e-14)
    assert out.loc["r", "p_value"] == pytest.approx(0.00152267406981311, rel=1e-9)
    assert out.loc["r", "w"] == pytest.approx(0.438391947918755, rel=1e-12)
    assert out.loc["h", ["statistic", "df"]].tolist() == pytest.approx([3.2, 2.0], rel=1e-14)
    # Kish by hand (test_kish_hand_calculation): w = 1, 1, 2, 4 -> n_eff 64 / 22, deff 1.375;
    # a group of one weight has n_eff 1 and deff 1.
    k = kish_by_group(pd.Series([1.0, 1.0, 2.0, 4.0, 7.0]), pd.Series(["x", "x", "x", "x", "y"]))
    assert k.loc["x", "kish_n_eff"] == pytest.approx(64 / 22, rel=1e-15)
    assert k.loc["x", "deff_w"] == pytest.approx(1.375, rel=1e-15)
    assert k.loc["y"].tolist() == [1, 1.0, 1.0]


@st.composite
def stratified_samples(draw):
    """2-4 strata of 2-8 units, 3 categories, population sizes from n_h to 5 n_h."""
    rows = []
    sizes = {}
    for h in range(draw(st.integers(2, 4))):
        n_h = draw(st.integers(2, 8))
        sizes[h] = draw(st.integers(n_h, 5 * n_h))
        rows += [(h, draw(st.sampled_from("xyz")), sizes[h] / n_h) for _ in range(n_h)]
    d = pd.DataFrame(rows, columns=["h", "category", "w"])
    return d, sizes


@settings(max_examples=60, deadline=None)
@given(stratified_samples())
def test_fpc_invariants(problem):
    d, sizes = problem
    p = pd.Series({"x": 0.5, "y": 0.3, "z": 0.2})
    with_fpc = rao_scott_gof(d["category"], d["w"], p, strata=d["h"], fpc=sizes)
    without = rao_scott_gof(d["category"], d["w"], p, strata=d["h"])
    # Each stratum's variance is multiplied by 1 - n_h / N_h <= 1, so no standard error grows.
    assert (with_fpc.standard_errors <= without.standard_errors * (1 + 1e-12) + 1e-12).all()
    # Totals do not depend on the fpc; they sum to the sum of the weights.
    np.testing.assert_allclose(with_fpc.totals, without.totals, rtol=1e-14)
    assert with_fpc.totals.sum() == pytest.approx(d["w"].sum(), rel=1e-12)
    # Every stratum taken whole: no variance at all.
    census = rao_scott_gof(
        d["category"], pd.Series(1.0, index=d.index), p, strata=d["h"], fpc=d.groupby("h").size().to_dict()
    )
    assert (census.standard_errors == 0).all()
    # Renaming the categories (in another alphabetical order) changes nothing.
    names = {"x": "c", "y": "a", "z": "b"}
    renamed = rao_scott_gof(d["category"].map(names), d["w"], p.rename(index=names), strata=d["h"], fpc=sizes)
    np.testing.assert_allclose(renamed.eigenvalues, with_fpc.eigenvalues, rtol=1e-9, atol=1e-9)
    assert renamed.statistic == pytest.approx(with_fpc.statistic, rel=1e-12, abs=1e-12)


def test_chi2_survival_without_scipy_stats():
    from sampling.representativeness import _chi2_sf

    # Chi-square with 2 df has survival exp(-x / 2) (hand: its density is exp(-x / 2) / 2);
    # x <= 0 has survival 1; df <= 0 is not a distribution (NaN, as scipy.stats.chi2.sf says).
    out = _chi2_sf(np.array([3.0, 0.0, -1.0, 3.0, np.nan]), np.array([2.0, 2.0, 2.0, 0.0, 2.0]))
    assert out[0] == pytest.approx(np.exp(-1.5), rel=1e-12)
    assert out[1] == 1.0 and out[2] == 1.0
    assert np.isnan(out[3]) and np.isnan(out[4])
