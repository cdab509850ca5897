"""Tests for sampling.select.

Reference values: R's sampling package through tests/sampling/r/make_selection_refs.R
(inclusionprobabilities and UPsystematicpi2, output pasted below); hand calculations written
out in comments; Monte Carlo checks against the design's own inclusion probabilities.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basis import threads
from sampling import SelectionError, derive_prn, inclusion_probabilities, select
from sampling.cells import CELL_KEYS as KEYS
from sampling.designs import systematic_hits

EMP = [52, 75, 88, 120, 133, 150, 175, 210, 240, 260, 280, 299, 310, 350, 420, 500, 760, 900, 1200, 95]
# R inclusionprobabilities(EMP, 15) (make_selection_refs.R, A5)
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
# R inclusionprobabilities(EMP, 6) (A4)
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
# R: pik = inclusionprobabilities(c(3, 7, 12, 1, 9, 2, 8, 5, 6, 4), 4); UPsystematicpi2(pik)
S_PIK = [
    0.21052631578947367,
    0.49122807017543857,
    0.84210526315789469,
    0.070175438596491224,
    0.63157894736842102,
    0.14035087719298245,
    0.56140350877192979,
    0.35087719298245612,
    0.42105263157894735,
    0.2807017543859649,
]
S_PI2 = [
    0.21052631578947367,
    0,
    0.21052631578947367,
    0,
    0.21052631578947367,
    0,
    0,
    0.21052631578947367,
    0,
    0,
    0,
    0.49122807017543857,
    0.33333333333333326,
    0.070175438596491224,
    0.12280701754385959,
    0.14035087719298245,
    0.31578947368421062,
    0.087719298245613642,
    0.40350877192982493,
    0,
    0.21052631578947367,
    0.33333333333333326,
    0.84210526315789469,
    0,
    0.54385964912280693,
    0.14035087719298245,
    0.40350877192982448,
    0.3508771929824559,
    0.26315789473684248,
    0.2807017543859649,
    0,
    0.070175438596491224,
    0,
    0.070175438596491224,
    0,
    0,
    0.070175438596491224,
    0,
    0.070175438596491224,
    0,
    0.21052631578947367,
    0.12280701754385959,
    0.54385964912280693,
    0,
    0.63157894736842102,
    0,
    0.33333333333333326,
    0.29824561403508776,
    0.10526315789473695,
    0.2807017543859649,
    0,
    0.14035087719298245,
    0.14035087719298245,
    0,
    0,
    0.14035087719298245,
    0,
    0.052631578947368141,
    0.087719298245614308,
    0,
    0,
    0.31578947368421062,
    0.40350877192982448,
    0.070175438596491224,
    0.33333333333333326,
    0,
    0.56140350877192979,
    0,
    0.33333333333333348,
    0.22807017543859631,
    0.21052631578947367,
    0.087719298245613642,
    0.3508771929824559,
    0,
    0.29824561403508776,
    0.052631578947368141,
    0,
    0.3508771929824559,
    0,
    0.052631578947368585,
    0,
    0.40350877192982493,
    0.26315789473684248,
    0.070175438596491224,
    0.10526315789473695,
    0.087719298245614308,
    0.33333333333333348,
    0,
    0.42105263157894779,
    0,
    0,
    0,
    0.2807017543859649,
    0,
    0.2807017543859649,
    0,
    0.22807017543859631,
    0.052631578947368585,
    0,
    0.2807017543859649,
]

METHODS = ["srs", "systematic", "pareto", "poisson"]


def one_cell(sizes, *, city="广州市", prefix="E", **extra) -> pd.DataFrame:
    n = len(sizes)
    return pd.DataFrame(
        {
            "enterprise_id": [f"{prefix}{i:04d}" for i in range(n)],
            "city": city,
            "section": "C",
            "size_class": "medium",
            "state_owned": False,
            "employees": sizes,
            **extra,
        }
    )


def quota_of(frame: pd.DataFrame, quota) -> pd.DataFrame:
    cells = frame[list(KEYS)].drop_duplicates().reset_index(drop=True)
    return cells.assign(quota=quota)


def grid_frame(seed=0, n=3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "enterprise_id": [f"9144{i:014d}" for i in range(n)],
            "city": rng.choice(["广州市", "深圳市", "湛江市"], n),
            "section": rng.choice(["C", "F", "G"], n),
            "size_class": rng.choice(["large", "medium", "small"], n, p=[0.1, 0.3, 0.6]),
            "state_owned": rng.random(n) < 0.2,
            "employees": np.ceil(rng.pareto(1.3, n) * 40 + 20),
        }
    )


def grid_quotas(frame, seed=0, cap=12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cells = frame.groupby(list(KEYS)).size().rename("population").reset_index()
    cells["quota"] = np.minimum(cells["population"], rng.integers(0, cap, len(cells)))
    return cells


def check_quotas_met(sample, quotas):
    t = sample.to_frame("sample")
    got = t.groupby(list(KEYS)).size()
    want = quotas.set_index(list(KEYS))["quota"]
    got = got.reindex(want.index, fill_value=0)
    panel = t[t.role == "panel"].groupby(list(KEYS)).size().reindex(want.index, fill_value=0)
    assert (got == np.maximum(want, panel)).all()


# --- inclusion probabilities against R -------------------------------------------------


@pytest.mark.parametrize("method", ["systematic", "pareto", "poisson"])
def test_pi_of_size_methods_match_r(method):
    # The whole quota of 15 drawn from 20 enterprises: pi = R inclusionprobabilities(EMP, 15);
    # the 9 largest are certainty units (A5 = 1).
    frame = one_cell(EMP)
    s = select(frame, quota_of(frame, 15), method=method, random_state=5)
    t = s.to_frame().set_index("enterprise_id")
    assert len(t) == 15
    expected = pd.Series(A5, index=frame["enterprise_id"])
    np.testing.assert_allclose(t["pi"], expected[t.index], atol=1e-12)
    np.testing.assert_allclose(t["weight"], 1 / expected[t.index], rtol=1e-12)
    certain = expected.index[expected == 1]
    assert set(certain) <= set(t.index)


def test_pi_with_panel_uses_the_rest_of_the_cell():
    # Enterprise 18 (1200 employees) is in the panel: the other 19 share quota 6 - 1 = 5.
    # Hand check: sum of the others = 6617 - 1200 = 5417; 900 * 5 / 5417 = 0.8307 < 1, so no
    # certainty unit and pi_k = 5 * a_k / 5417.
    frame = one_cell(EMP, in_panel=[i == 18 for i in range(20)])
    s = select(frame, quota_of(frame, 6), method="pareto", random_state=1)
    t = s.to_frame().set_index("enterprise_id")
    assert t.loc["E0018", "role"] == "panel" and t.loc["E0018", "pi"] == 1.0
    new = t[t.role == "new"]
    assert len(new) == 5
    sizes = frame.set_index("enterprise_id")["employees"]
    np.testing.assert_allclose(new["pi"], 5 * sizes[new.index] / 5417, atol=1e-12)


def test_srs_pi_is_n_over_n():
    frame = one_cell(EMP)
    s = select(frame, quota_of(frame, 6), method="srs", random_state=1)
    t = s.to_frame()
    assert (t["pi"] == 6 / 20).all() and (t["weight"] == 20 / 6).all()


def test_srs_takes_smallest_prns():
    frame = one_cell(EMP, prn=np.linspace(0.9, 0.05, 20))
    s = select(frame, quota_of(frame, 4), method="srs", reserves=2)
    t = s.to_frame()
    # prn decreases along the frame: the last four are drawn, the two before are reserves
    assert sorted(t.loc[t.role == "new", "enterprise_id"]) == ["E0016", "E0017", "E0018", "E0019"]
    res = t[t.role == "reserve"].sort_values("reserve_rank")
    assert res["enterprise_id"].tolist() == ["E0015", "E0014"]
    assert res["reserve_rank"].tolist() == [1, 2]
    assert res["pi"].isna().all()
    assert s.seed is None


def test_pareto_ranking_hand_calculation():
    # Three enterprises of sizes 1, 1, 2 and n = 2: pi = 0.5, 0.5, 1 (the third is certain).
    # With PRNs 0.2, 0.6, 0.9: Q = (U/(1-U)) / (pi/(1-pi)) = 0.25, 1.5, certain -> draw 3rd
    # and 1st; reserve the 2nd.
    frame = one_cell([1, 1, 2], prn=[0.2, 0.6, 0.9])
    t = select(frame, quota_of(frame, 2), method="pareto", reserves=1, min_employees=None).to_frame()
    assert sorted(t.loc[t.role == "new", "enterprise_id"]) == ["E0000", "E0002"]
    assert t.loc[t.role == "reserve", "enterprise_id"].tolist() == ["E0001"]


def test_sequential_poisson_ranking_hand_calculation():
    # Sizes 1, 3, 4, 2 and n = 2: pi = 0.2, 0.6, 0.8, 0.4. PRNs 0.1, 0.5, 0.7, 0.3:
    # U / pi = 0.5, 0.833, 0.875, 0.75 -> the first and the fourth.
    frame = one_cell([1, 3, 4, 2], prn=[0.1, 0.5, 0.7, 0.3])
    t = select(frame, quota_of(frame, 2), method="poisson", min_employees=None).to_frame()
    assert sorted(t["enterprise_id"]) == ["E0000", "E0003"]
    np.testing.assert_allclose(t.set_index("enterprise_id")["pi"].sort_index(), [0.2, 0.4])


def test_systematic_joint_probabilities_match_r():
    # Systematic selection is a step function of the random start u: integrate it exactly
    # over u (between consecutive fractional parts of the running sums) and compare the
    # joint inclusion probabilities with R's UPsystematicpi2 (which computes them its own way).
    pik = np.array(S_PIK)
    running = np.cumsum(pik)
    breaks = np.unique(np.concatenate([[0.0, 1.0], np.mod(running, 1.0)]))
    pi2 = np.zeros((10, 10))
    cell = np.zeros(10, dtype=np.int64)
    for lo, hi in zip(breaks[:-1], breaks[1:]):
        hit = systematic_hits(cell, pik, np.array([(lo + hi) / 2]), np.array([4])).astype(float)
        assert hit.sum() == 4
        pi2 += (hi - lo) * np.outer(hit, hit)
    np.testing.assert_allclose(pi2, np.array(S_PI2).reshape(10, 10), atol=1e-12)


# --- cells, panel, quotas -----------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_quotas_met_on_a_grid(method):
    frame = grid_frame()
    quotas = grid_quotas(frame)
    s = select(frame, quotas, method=method, reserves=2, random_state=7)
    check_quotas_met(s, quotas)
    t = s.to_frame()
    assert not t["enterprise_id"].duplicated().any()
    assert list(t.columns[:10]) == [
        "enterprise_id",
        "city",
        "section",
        "size_class",
        "state_owned",
        "role",
        "pi",
        "weight",
        "prn",
        "reason",
    ]


def test_whole_cell_taken_when_quota_reaches_population():
    frame = one_cell(EMP[:5])
    s = select(frame, quota_of(frame, 5), method="pareto", random_state=1)
    t = s.to_frame()
    assert len(t) == 5 and (t["pi"] == 1).all() and (t["weight"] == 1).all()


def test_panel_kept_and_overshoot_reported():
    flags = [True] * 5 + [False] * 15
    frame = one_cell(EMP, in_panel=flags)
    s = select(frame, quota_of(frame, 3), method="srs", random_state=1)
    t = s.to_frame()
    assert (t["role"] == "panel").sum() == 5 and (t["role"] == "new").sum() == 0
    assert bool(s.cells["overshoot"].iloc[0])
    assert "panel 5 > quota 3" in s.summary()


def test_panel_given_as_ids_overrides_column():
    frame = one_cell(EMP, in_panel=[True] * 20)
    s = select(frame, quota_of(frame, 4), method="srs", panel=["E0003", "E0007"], random_state=2)
    t = s.to_frame()
    assert sorted(t.loc[t.role == "panel", "enterprise_id"]) == ["E0003", "E0007"]
    assert (t["role"] == "new").sum() == 2


def test_panel_out_of_business_removed_with_reason_and_never_drawn():
    # domain-rules.md "Sample maintenance": closed or bankrupt units (关闭破产) and units no
    # longer meeting the criteria (不再符合条件) are removed; moving out of the city (迁出本市)
    # and suspension (停业整顿) are decrease types of the monthly report, not reasons to drop
    # a unit, so such enterprises stay in the panel and can be drawn.
    status = [None] * 20
    status[0] = "关闭破产"
    status[1] = "不再符合条件"
    status[2] = "正常"
    status[3] = "迁出本市"
    frame = one_cell(EMP, in_panel=[True] * 4 + [False] * 16, status=status)
    s = select(frame, quota_of(frame, 3), method="srs", random_state=3)
    t = s.to_frame().set_index("enterprise_id")
    assert t.loc["E0000", "role"] == "removed" and t.loc["E0000", "reason"] == "关闭破产"
    assert t.loc["E0001", "role"] == "removed" and t.loc["E0001", "reason"] == "不再符合条件"
    assert t.loc["E0002", "role"] == "panel" and t.loc["E0003", "role"] == "panel"
    assert (t["role"] == "new").sum() == 1
    # 18 enterprises in business: quota 19 is too many
    with pytest.raises(SelectionError, match=r"(?s)more enterprises than the cell has.*19 +18"):
        select(frame, quota_of(frame, 19), method="srs", random_state=3)
    status[5] = "停业整顿"
    frame = one_cell(EMP, status=status)
    t = select(frame, quota_of(frame, 18), method="srs", random_state=3).to_frame()
    assert not t["enterprise_id"].isin(["E0000", "E0001"]).any()
    assert t["enterprise_id"].isin(["E0003", "E0005"]).sum() == 2
    assert len(t) == 18


def test_panel_outside_quota_cells_is_kept():
    frame = pd.concat(
        [one_cell(EMP[:6]), one_cell(EMP[:3], city="深圳市", prefix="S", in_panel=[True, False, False])]
    )
    quotas = quota_of(frame[frame.city == "广州市"], 2)
    s = select(frame, quotas, method="srs", random_state=1)
    t = s.to_frame()
    assert t.loc[t.role == "panel", "enterprise_id"].tolist() == ["S0000"]
    assert s.cells["overshoot"].sum() == 1


def test_priority_orders_candidates_and_flags_weights():
    frame = one_cell(EMP, priority=[1 if i in (2, 4, 6) else 2 for i in range(20)])
    s = select(frame, quota_of(frame, 3), method="srs", priority="priority", random_state=1)
    t = s.to_frame()
    assert sorted(t["enterprise_id"]) == ["E0002", "E0004", "E0006"]
    assert not s.design_weights
    assert "priority" in s.summary() and "nominal" in s.summary()


def test_systematic_reserves_are_next_prns():
    frame = one_cell(EMP, prn=np.linspace(0.01, 0.99, 20))
    t = select(frame, quota_of(frame, 6), method="systematic", reserves=3, random_state=4).to_frame()
    drawn = set(t.loc[t.role == "new", "enterprise_id"])
    rest = frame[~frame["enterprise_id"].isin(drawn)].sort_values("prn")
    assert t.loc[t.role == "reserve"].sort_values("reserve_rank")["enterprise_id"].tolist() == (
        rest["enterprise_id"].head(3).tolist()
    )


def test_quota_table_object_accepted():
    class QuotaTableLike:
        def __init__(self, df):
            self.df = df

        def to_frame(self):
            return self.df.assign(ideal=1.0, available=20, panel=0)

    frame = one_cell(EMP)
    s = select(frame, QuotaTableLike(quota_of(frame, 4)), method="srs", random_state=1)
    assert len(s.to_frame()) == 4


# --- randomness and coordination ----------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_sample(method):
    frame = grid_frame(1)
    quotas = grid_quotas(frame, 1)
    a = select(frame, quotas, method=method, reserves=1, random_state=99).to_frame()
    b = select(frame, quotas, method=method, reserves=1, random_state=99).to_frame()
    c = select(frame, quotas, method=method, reserves=1, random_state=np.random.default_rng(5)).to_frame()
    d = select(frame, quotas, method=method, reserves=1, random_state=np.random.default_rng(5)).to_frame()
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(c, d)
    assert set(a.enterprise_id) != set(c.enterprise_id)


@pytest.mark.parametrize("method", ["srs", "pareto", "poisson"])
def test_prn_coordination_between_years(method):
    # Year 2: 5% of the enterprises closed, 5% new ones, employees changed by up to +-20%.
    rng = np.random.default_rng(8)
    year1 = grid_frame(2, n=4000)
    quotas = grid_quotas(year1, 2, cap=30)
    closed = rng.random(len(year1)) < 0.05
    births = grid_frame(3, n=200).assign(enterprise_id=[f"N{i}" for i in range(200)])
    year2 = pd.concat([year1[~closed], births], ignore_index=True)
    year2["employees"] = np.ceil(year2["employees"] * rng.uniform(0.8, 1.2, len(year2)))
    cells2 = year2.groupby(list(KEYS)).size().rename("population")
    quotas2 = quotas.drop(columns="population").merge(cells2.reset_index(), on=list(KEYS))
    quotas2["quota"] = np.minimum(quotas2["quota"], quotas2["population"])
    first = set(select(year1, quotas, method=method, random_state=2013).to_frame()["enterprise_id"])
    same = set(select(year2, quotas2, method=method, random_state=2013).to_frame()["enterprise_id"])
    other = set(select(year2, quotas2, method=method, random_state=2014).to_frame()["enterprise_id"])
    kept = len(first & same) / len(same)
    independent = len(first & other) / len(other)
    assert kept > 0.85
    assert kept > independent + 0.3


# --- errors ---------------------------------------------------------------------------------


def test_unknown_method_lists_valid():
    frame = one_cell(EMP)
    with pytest.raises(SelectionError, match="unknown method 'pps'; valid: srs, systematic, pareto, poisson"):
        select(frame, quota_of(frame, 2), method="pps")


def test_cell_absent_from_frame_named():
    frame = one_cell(EMP)
    quotas = pd.concat([quota_of(frame, 2), quota_of(frame, 3).assign(section="G")])
    with pytest.raises(SelectionError, match=r"(?s)1 quota cells are absent from the frame:\n.*广州市 +G"):
        select(frame, quotas, method="srs", random_state=1)
    quotas = pd.concat([quota_of(frame, 2), quota_of(frame, 3).assign(size_class="small")])
    with pytest.raises(SelectionError, match=r"(?s)absent from the frame:\n.*small"):
        select(frame, quotas, method="srs", random_state=1)


def test_quota_above_population_named():
    frame = one_cell(EMP)
    with pytest.raises(
        SelectionError,
        match=r"(?s)ask for more enterprises than the cell has.*广州市 +C +medium +False +21 +20",
    ):
        select(frame, quota_of(frame, 21), method="srs", random_state=1)


def test_duplicate_ids_named():
    frame = one_cell(EMP)
    frame.loc[3, "enterprise_id"] = "E0001"
    with pytest.raises(
        SelectionError,
        match=r"1 enterprise ids occur more than once \(compared after Unicode normalisation\): "
        r"'E0001' \(row 1\) = 'E0001' \(row 3\)",
    ):
        select(frame, quota_of(frame, 2), method="srs", random_state=1)


def test_near_duplicate_ids_named_with_both_spellings():
    # Issue 14: the same id in full-width digits (as a Chinese input method types them), in
    # another letter case (an 18-character credit code), or with a zero-width space is the
    # same enterprise.
    frame = one_cell(EMP[:6])
    frame["enterprise_id"] = [
        "914403001922038216",
        "９１４４０３００１９２２０３８２１６",
        "91440101ma5cxxxx01",
        "91440101MA5CXXXX01",
        "E\u200b7",
        "E7",
    ]
    with pytest.raises(SelectionError) as info:
        select(frame, quota_of(frame, 2), method="srs", random_state=1)
    message = str(info.value)
    assert message.startswith("3 enterprise ids occur more than once")
    assert "'914403001922038216' (row 0) = '９１４４０３００１９２２０３８２１６' (row 1)" in message
    assert "'91440101ma5cxxxx01' (row 2) = '91440101MA5CXXXX01' (row 3)" in message
    assert "'E\\u200b7' (row 4) = 'E7' (row 5)" in message  # repr shows the invisible character


def test_panel_not_in_frame_named():
    frame = one_cell(EMP)
    with pytest.raises(SelectionError, match="1 panel enterprises are not in the frame: 'X9'"):
        select(frame, quota_of(frame, 2), method="srs", panel=["E0001", "X9"], random_state=1)


def test_missing_columns_and_bad_sizes():
    frame = one_cell(EMP)
    with pytest.raises(SelectionError, match=r"frame lacks columns \['size_class'\]"):
        select(frame.drop(columns="size_class"), quota_of(frame, 2), method="srs")
    bad = frame.assign(employees=[-1] + EMP[1:])
    with pytest.raises(
        SelectionError, match=r"column 'employees' must hold finite numbers >= 0; 1 bad rows: 'E0000' \(-1\)"
    ):
        select(bad, quota_of(frame, 2), method="pareto")


def test_zero_sizes_cannot_fill_quota():
    frame = one_cell([0, 0, 0, 5])
    with pytest.raises(SelectionError, match="must draw more enterprises than they have with employees > 0"):
        select(frame, quota_of(frame, 2), method="pareto", random_state=1, min_employees=None)


@pytest.mark.parametrize("quota", [-1, 1.5, np.nan])
def test_bad_quota_values(quota):
    frame = one_cell(EMP)
    with pytest.raises(SelectionError, match="quotas must be whole numbers >= 0"):
        select(frame, quota_of(frame, quota), method="srs")


def test_duplicate_quota_cells():
    frame = one_cell(EMP)
    with pytest.raises(SelectionError, match="quota cells listed more than once"):
        select(frame, pd.concat([quota_of(frame, 1), quota_of(frame, 1)]), method="srs")


@pytest.mark.parametrize("reserves", [-1, 1.5, True])
def test_bad_reserves(reserves):
    frame = one_cell(EMP)
    with pytest.raises(SelectionError, match="reserves must be a non-negative integer"):
        select(frame, quota_of(frame, 1), method="srs", reserves=reserves)


def test_inputs_not_mutated():
    frame = grid_frame()
    quotas = grid_quotas(frame)
    before_f, before_q = frame.copy(), quotas.copy()
    select(frame, quotas, method="pareto", reserves=2, random_state=1)
    pd.testing.assert_frame_equal(frame, before_f)
    pd.testing.assert_frame_equal(quotas, before_q)


# --- Monte Carlo ------------------------------------------------------------------------------

MC_SIZES = [20, 25, 30, 35, 40, 50, 60, 75, 90, 110, 130, 160, 200, 250, 300, 400, 600, 900]
MC_REPS = 4000
# Sequential Poisson's reported pi is its target, an approximation whose error shrinks as n
# grows (Ohlsson 1998): with n = 6 of MC_SIZES, 4000 replicates detect it (|z| = 5.7 seen),
# so it is checked where the design is used, n = 20 of 60 (|z| < 3 even at 20000 replicates).
MC_CASES = {
    "srs": (MC_SIZES, 6),
    "systematic": (MC_SIZES, 6),
    "pareto": (MC_SIZES, 6),
    "poisson": (list(np.round(np.linspace(20, 200, 60)).astype(int)), 20),
}


def replicated_cell(sizes, reps) -> pd.DataFrame:
    """``reps`` copies of one cell, copy r in city r with ids "R<r>_<k>" (own PRNs and start)."""
    k = len(sizes)
    rep = np.repeat(np.arange(reps), k).astype(str)
    unit = np.tile(np.arange(k), reps).astype(str)
    return pd.DataFrame(
        {
            "enterprise_id": np.char.add(np.char.add("R", rep), np.char.add("_", unit)),
            "city": np.repeat(np.arange(reps), k),
            "section": "C",
            "size_class": "medium",
            "state_owned": False,
            "employees": np.tile(sizes, reps),
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_monte_carlo_inclusion_frequencies_and_ht_unbiased(method):
    # One call draws all the replicates: each is its own quota cell.
    sizes, n = MC_CASES[method]
    frame = replicated_cell(sizes, MC_REPS)
    quotas = frame[list(KEYS)].drop_duplicates().assign(quota=n)
    t = select(frame, quotas, method=method, random_state=12345).to_frame()
    assert len(t) == MC_REPS * n
    unit = t["enterprise_id"].str.split("_").str[1].astype(int).to_numpy()
    freq = np.bincount(unit, minlength=len(sizes)) / MC_REPS
    pi = t.groupby(unit)["pi"].first().reindex(range(len(sizes))).to_numpy()
    if method == "srs":
        np.testing.assert_allclose(pi, n / len(sizes), rtol=1e-15)
    else:
        assert np.nanmin(pi) > 0  # every unit was drawn at least once
        np.testing.assert_allclose(pi, inclusion_probabilities(sizes, n), atol=1e-12)
    se = np.sqrt(pi * (1 - pi) / MC_REPS)
    assert (np.abs(freq - pi) <= 4 * se + 1e-12).all(), (freq, pi)
    # Horvitz-Thompson estimate of the total of y = employees ** 0.8 (not proportional to
    # size) in each replicate: its mean is within 4 standard errors of the true total.
    y = np.asarray(sizes, dtype=float) ** 0.8
    rep = t["city"].to_numpy().astype(int)
    per_rep = np.bincount(rep, weights=y[unit] * t["weight"].to_numpy(), minlength=MC_REPS)
    assert abs(per_rep.mean() - y.sum()) <= 4 * per_rep.std(ddof=1) / np.sqrt(MC_REPS)


# --- invariants -------------------------------------------------------------------------------


@st.composite
def frames_and_quotas(draw):
    n = draw(st.integers(min_value=1, max_value=60))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"H{i}" for i in range(n)],
            "city": rng.choice(["广州市", "深圳市"], n),
            "section": rng.choice(["C", "G"], n),
            "size_class": rng.choice(["medium", "small"], n),
            "state_owned": rng.random(n) < 0.3,
            "employees": rng.integers(10, 500, n),  # min_employees (10) has a test of its own
            "in_panel": rng.random(n) < draw(st.sampled_from([0.0, 0.1, 0.5])),
        }
    )
    cells = frame.groupby(list(KEYS)).size().rename("population").reset_index()
    cells["quota"] = [int(rng.integers(0, p + 1)) for p in cells["population"]]
    return frame, cells, seed


@settings(max_examples=40, deadline=None)
@given(
    case=frames_and_quotas(),
    method=st.sampled_from(METHODS),
    reserves=st.integers(min_value=0, max_value=3),
)
def test_invariants(case, method, reserves):
    frame, quotas, seed = case
    s = select(frame, quotas, method=method, reserves=reserves, random_state=seed)
    t = s.to_frame()
    check_quotas_met(s, quotas)
    assert not t["enterprise_id"].duplicated().any()
    panel = set(frame.loc[frame["in_panel"], "enterprise_id"])
    assert panel == set(t.loc[t.role == "panel", "enterprise_id"])
    sample = t[t.role.isin(["panel", "new"])]
    assert ((sample["pi"] > 0) & (sample["pi"] <= 1)).all()
    np.testing.assert_allclose(sample["weight"], 1 / sample["pi"])
    reserve = t[t.role == "reserve"]
    assert not set(reserve["enterprise_id"]) & set(sample["enterprise_id"])
    # reserves per cell: min(k, enterprises left) in cells of positive quota (none in cells
    # of quota 0, issue 16), ranked 1..r
    left = quotas.set_index(list(KEYS))
    for _key, group in reserve.groupby(list(KEYS)):
        assert sorted(group["reserve_rank"]) == list(range(1, len(group) + 1))
    counts = reserve.groupby(list(KEYS)).size().reindex(left.index, fill_value=0)
    in_sample = sample.groupby(list(KEYS)).size().reindex(left.index, fill_value=0)
    wanted = np.where(left["quota"] > 0, reserves, 0)
    assert (counts == np.minimum(wanted, left["population"] - in_sample)).all()


def test_reserves_only_in_cells_with_a_quota_and_never_micro():
    # Issue 16 ("Reserves only in cells with a quota and never micro"): of three cells with
    # 10 enterprises each, quota 2 medium, quota 0 medium and quota 2 micro, only the first gets
    # its 3 reserves.
    frame = pd.concat(
        [
            one_cell(EMP[:10], prefix="A"),
            one_cell(EMP[:10], prefix="B", section="G"),
            one_cell(EMP[:10], prefix="M", size_class="micro"),
        ],
        ignore_index=True,
    )
    quotas = frame[list(KEYS)].drop_duplicates().assign(quota=[2, 0, 2])
    for method in METHODS:
        t = select(frame, quotas, method=method, reserves=3, random_state=4).to_frame()
        reserve = t[t["role"] == "reserve"]
        assert reserve["enterprise_id"].str[0].tolist() == ["A"] * 3, method
        assert (t["role"] == "new").sum() == 4


def test_row_with_missing_key_matches_no_cell():
    # A row whose section is missing must not fall into a quota-0 cell that is absent from
    # the frame (both have an "unknown" digit in the combined cell code); its panel
    # enterprise is kept and listed as a cell of its own.
    frame = one_cell(EMP[:5], in_panel=[True, False, False, False, False])
    frame.loc[0, "section"] = None
    quotas = pd.concat([quota_of(frame.iloc[1:], 2), quota_of(frame.iloc[1:], 0).assign(section="X")])
    s = select(frame, quotas, method="srs", random_state=1)
    cells = s.cells
    assert cells.loc[cells["section"] == "X", "panel"].tolist() == [0]
    assert cells["panel"].sum() == 1 and cells.loc[cells["section"].isna(), "panel"].tolist() == [1]
    assert (s.to_frame()["role"] == "new").sum() == 2


# --- the same sample however the work is split -----------------------------------------


@settings(max_examples=25, deadline=None)
@given(case=frames_and_quotas(), method=st.sampled_from(METHODS), reserves=st.integers(0, 2))
def test_stored_prns_equal_derived_ones(case, method, reserves):
    # From the hashes, SRS tests prn < bound on the integer hash (z >> 12 < floor(b 2**52));
    # a frame carrying the same PRNs as a column must give the very same sample.
    frame, quotas, seed = case
    derived = select(frame, quotas, method=method, reserves=reserves, random_state=seed)
    stored = frame.assign(prn=derive_prn(frame["enterprise_id"], seed=seed).to_numpy())
    again = select(stored, quotas, method=method, reserves=reserves, random_state=seed)
    pd.testing.assert_frame_equal(derived.to_frame(), again.to_frame())


@settings(max_examples=25, deadline=None)
@given(case=frames_and_quotas(), method=st.sampled_from(METHODS), rows=st.integers(1, 64))
def test_workers_and_row_slices_do_not_change_the_sample(case, method, rows):
    # Invariant: the frame's passes run in slices of ROWS_PER_TASK rows on threads, and the
    # size-based methods draw groups of cells side by side once the frame exceeds one slice;
    # with tiny slices (many tasks, every threaded branch) on three threads the sample is the
    # one of a serial run (workers=1) in a single slice.
    frame, quotas, seed = case
    whole = select(frame, quotas, method=method, reserves=1, random_state=seed, workers=1).to_frame()
    with _rows_per_task(rows):
        sliced = select(frame, quotas, method=method, reserves=1, random_state=seed, workers=3).to_frame()
    pd.testing.assert_frame_equal(whole, sliced)


@contextlib.contextmanager
def _rows_per_task(rows):
    # hypothesis runs many examples per test call, so the function-scoped monkeypatch
    # fixture cannot be used; the default is restored however the block ends
    default = threads.ROWS_PER_TASK
    threads.ROWS_PER_TASK = rows
    try:
        yield
    finally:
        threads.ROWS_PER_TASK = default


# --- industry-group cells (issue 16) --------------------------------------------------------

# Issue 16: "Key and pillar industries as GB/T 4754 divisions per city ... honoured by the
# quota model through cells that split a section where needed; and cells that carry the
# sector". 深圳's key industry is C39 (computers and electronics); division 43 (repair, tertiary
# by 三次产业划分规定) is a group of its own everywhere; 广州 has no key division, so its C39
# enterprises are in its C cell.
GROUP_CELLS = [
    # city, section, industry_group, enterprises, panel, quota
    ("深圳市", "C", "C", 6, 0, 2),
    ("深圳市", "C", "C39", 8, 1, 3),
    ("深圳市", "C", "C43", 4, 0, 1),
    ("广州市", "C", "C", 5, 0, 2),
    ("广州市", "C", "C43", 3, 0, 0),
]


def group_register() -> pd.DataFrame:
    parts = []
    for k, (city, section, group, n, panel, _) in enumerate(GROUP_CELLS):
        cell = one_cell(EMP[:n], city=city, prefix=f"G{k}", in_panel=[i < panel for i in range(n)])
        parts.append(cell.assign(section=section, industry_group=group))
    return pd.concat(parts, ignore_index=True)


def group_quotas() -> pd.DataFrame:
    rows = [(c, s, g, "medium", False, q) for c, s, g, _, _, q in GROUP_CELLS]
    return pd.DataFrame(
        rows, columns=["city", "section", "industry_group", "size_class", "state_owned", "quota"]
    )


@pytest.mark.parametrize("method", METHODS)
def test_group_cells_are_filled_from_the_registers_groups(method):
    frame = group_register()
    s = select(frame, group_quotas(), method=method, reserves=2, random_state=3)
    t = s.to_frame()
    assert list(t.columns[:6]) == [
        "enterprise_id",
        "city",
        "section",
        "industry_group",
        "size_class",
        "state_owned",
    ]
    # each drawn enterprise is in its own register group; the count per group is the quota
    # (GROUP_CELLS above: 2, 3 with the panel enterprise, 1, 2, 0)
    group_of = frame.set_index("enterprise_id")["industry_group"]
    assert (t["industry_group"].to_numpy() == group_of[t["enterprise_id"]].to_numpy()).all()
    monitored = t[t["role"].isin(["panel", "new"])]
    got = monitored.groupby(["city", "industry_group"]).size().to_dict()
    assert got == {("深圳市", "C"): 2, ("深圳市", "C39"): 3, ("深圳市", "C43"): 1, ("广州市", "C"): 2}
    assert "G10000" in set(monitored["enterprise_id"])  # the panel enterprise of 深圳 C39
    # reserves: 2 in each group of positive quota, none in 广州 C43 (quota 0)
    reserves = t[t["role"] == "reserve"].groupby(["city", "industry_group"]).size().to_dict()
    assert reserves == {("深圳市", "C"): 2, ("深圳市", "C39"): 2, ("深圳市", "C43"): 2, ("广州市", "C"): 2}
    cells = s.cells.set_index(["city", "industry_group"])
    assert cells["population"].to_dict() == {(c, g): n for c, _, g, n, _, _ in GROUP_CELLS}


def test_group_cells_need_the_registers_groups():
    frame = group_register()
    with pytest.raises(SelectionError, match=r"no industry_group column.*key_industries"):
        select(frame.drop(columns="industry_group"), group_quotas(), method="srs")
    # prepared without 深圳's key industry: its C39 enterprises are in C
    plain = frame.assign(industry_group=frame["industry_group"].replace({"C39": "C"}))
    with pytest.raises(SelectionError, match=r"do not match.*深圳市: the quotas' C39 has no enterprise"):
        select(plain, group_quotas(), method="srs")
    # prepared with a key industry the quotas were not built with
    extra = frame.assign(
        industry_group=np.where(frame["enterprise_id"] == "G30000", "C39", frame["industry_group"])
    )
    with pytest.raises(SelectionError, match=r"广州市: the register's C39 is no quota cell"):
        select(extra, group_quotas(), method="srs")


def test_quotas_whose_groups_are_sections_fill_section_cells():
    # A quota table built from a structure of sections names each section as its group
    # (quotas.build_quotas copies it): the cells are sections, whatever the register's groups.
    frame = group_register()
    quotas = pd.DataFrame(
        {
            "city": ["深圳市", "广州市"],
            "section": "C",
            "industry_group": "C",
            "size_class": "medium",
            "state_owned": False,
            "quota": [5, 3],
        }
    )
    s = select(frame, quotas, method="srs", random_state=1)
    assert "industry_group" not in s.to_frame().columns
    assert s.cells["population"].tolist() == [18, 8]  # 6 + 8 + 4 and 5 + 3


# --- the minimum unit size (issue 16) -------------------------------------------------------


def test_min_employees_keeps_the_panel_and_draws_only_units_big_enough():
    # Issue 16: "No minimum unit size exists, though the 2009 rules ask for units of a certain
    # size: 40 sampled units have fewer than 10 employees." Six enterprises with 5, 8, 12, 40,
    # 60 and 9 employees; the one with 5 is panel. Of the others only 12, 40 and 60 have at
    # least 10: quota 3 keeps the panel and draws 2 of those 3 (srs: pi = 2/3), the third is
    # the only reserve; the cell's design population is 1 panel + 3 = 4.
    frame = one_cell([5, 8, 12, 40, 60, 9], in_panel=[True] + [False] * 5)
    s = select(frame, quota_of(frame, 3), method="srs", reserves=5, random_state=1)
    t = s.to_frame()
    assert t.loc[t["role"] == "panel", "enterprise_id"].tolist() == ["E0000"]
    assert set(t.loc[t["role"].isin(["new", "reserve"]), "enterprise_id"]) == {"E0002", "E0003", "E0004"}
    assert (t["role"] == "new").sum() == 2 and (t["role"] == "reserve").sum() == 1
    np.testing.assert_allclose(t.loc[t["role"] == "new", "pi"], 2 / 3)
    assert s.cells["population"].tolist() == [4]
    # quota 5 needs 4 new ones of at least 10 employees: only 3
    with pytest.raises(
        SelectionError, match=r"(?s)1 quota cells cannot be filled.*at least 10 employees.*广州市"
    ):
        select(frame, quota_of(frame, 5), method="srs", random_state=1)
    # without the minimum the 8 and 9 can be drawn
    t = select(frame, quota_of(frame, 6), method="srs", random_state=1, min_employees=None).to_frame()
    assert len(t) == 6


@pytest.mark.parametrize("bad", [-1, 2.5, True, "10"])
def test_min_employees_must_be_a_count(bad):
    frame = one_cell(EMP[:4])
    with pytest.raises(SelectionError, match="min_employees must be a non-negative integer or None"):
        select(frame, quota_of(frame, 1), method="srs", min_employees=bad)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), method=st.sampled_from(METHODS), reserves=st.integers(0, 2))
def test_group_cells_are_filled_exactly(seed, method, reserves):
    # Invariant: random registers over industry groups of two sections (C, C39, C43, G) and
    # random quotas up to each cell's enterprises of at least 10 employees outside the panel
    # (plus its panel): every group cell holds exactly max(quota, panel) monitored
    # enterprises, each from its own group, none twice, no reserve below 10 employees.
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    groups = rng.choice(["C", "C39", "C43", "G"], n)
    groups[0] = "C39"  # a division: without one the quotas' cells are sections
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"R{i}" for i in range(n)],
            "city": rng.choice(["广州市", "深圳市"], n),
            "section": [g[0] for g in groups],
            "industry_group": groups,
            "size_class": rng.choice(["medium", "small"], n),
            "state_owned": rng.random(n) < 0.3,
            "employees": rng.integers(1, 400, n),
            "in_panel": rng.random(n) < 0.1,
        }
    )
    keys = ["city", "section", "industry_group", "size_class", "state_owned"]
    big = frame["employees"] >= 10
    cells = frame.groupby(keys).agg(
        panel=("in_panel", "sum"), candidates=("in_panel", lambda p: int((~p & big[p.index]).sum()))
    )
    cells = cells.reset_index()
    cells["quota"] = [int(rng.integers(0, p + c + 1)) for p, c in zip(cells["panel"], cells["candidates"])]
    s = select(frame, cells[[*keys, "quota"]], method=method, reserves=reserves, random_state=seed)
    t = s.to_frame()
    assert not t["enterprise_id"].duplicated().any()
    group_of = frame.set_index("enterprise_id")["industry_group"]
    assert (t["industry_group"].to_numpy() == group_of[t["enterprise_id"]].to_numpy()).all()
    monitored = t[t["role"].isin(["panel", "new"])].groupby(keys).size()
    want = cells.set_index(keys)
    monitored = monitored.reindex(want.index, fill_value=0)
    assert (monitored == np.maximum(want["quota"], want["panel"])).all()
    employees = frame.set_index("enterprise_id")["employees"]
    assert (employees[t.loc[t["role"].isin(["new", "reserve"]), "enterprise_id"]] >= 10).all()
