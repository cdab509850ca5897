"""Tests for sampling.replace (the yearly replacement batch).

Expected results are worked out by hand in the comments from the PRNs fixed in the frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import SampleError, UnauthorisedReplacementWarning, replace, select
from sampling.cells import CELL_KEYS as KEYS
from sampling.replace import UNAUTHORISED

AUTH = "人社部 2011年12月统一调整"  # who arranged the batch (人社部函〔2011〕308号)


def cell_frame(n=10, prn=None, city="广州市", prefix="E", **extra) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": [f"{prefix}{i:02d}" for i in range(n)],
            "city": city,
            "section": "C",
            "size_class": "small",
            "state_owned": False,
            "employees": np.arange(1, n + 1) * 10,
            "prn": prn if prn is not None else (np.arange(n) + 0.5) / n,
            **extra,
        }
    )


def quotas_for(frame, quota):
    return frame[list(KEYS)].drop_duplicates().assign(quota=quota)


def roles(sample) -> pd.Series:
    return sample.to_frame().set_index("enterprise_id")["role"]


def test_reserve_replaces_removed_and_reason_recorded():
    # PRNs increase with the id: srs draws E00-E02, reserves E03 (rank 1) and E04 (rank 2).
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=2)
    s2 = replace(s, frame, invalid={"E01": "关闭破产"}, authorised_by=AUTH)
    t = s2.to_frame().set_index("enterprise_id")
    assert t.loc["E01", "role"] == "removed" and t.loc["E01", "reason"] == "关闭破产"
    assert np.isnan(t.loc["E01", "pi"])
    assert t.loc["E03", "role"] == "new" and t.loc["E03", "replaces"] == "E01"
    assert t.loc["E04", "role"] == "reserve" and t.loc["E04", "reserve_rank"] == 1
    assert set(t.index[t.role == "new"]) == {"E00", "E02", "E03"}
    # srs of 3 from the 9 left: pi = 3 / 9 for every new enterprise
    np.testing.assert_allclose(t.loc[t.role == "new", "pi"], 3 / 9)
    np.testing.assert_allclose(t.loc[t.role == "new", "weight"], 3.0)
    # the input sample is unchanged
    assert roles(s)["E01"] == "new"


def test_next_prn_from_frame_when_reserves_run_out():
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=1)
    s2 = replace(s, frame, invalid={"E00": "不再符合条件", "E02": "关闭破产"}, authorised_by=AUTH)
    r = roles(s2)
    # E03 (the reserve) then E04 (next PRN in the frame) fill the two places.
    assert r["E03"] == "new" and r["E04"] == "new"
    assert (r == "new").sum() == 3 and (r == "removed").sum() == 2
    t = s2.to_frame().set_index("enterprise_id")
    assert {t.loc["E03", "replaces"], t.loc["E04", "replaces"]} == {"E00", "E02"}
    np.testing.assert_allclose(t.loc[t.role == "new", "pi"], 3 / 8)


def test_panel_member_replaced_by_new():
    frame = cell_frame(in_panel=[False] * 8 + [True, True])
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=1)
    # panel E08, E09; draw 1 of E00-E07: E00; reserve E01
    assert (roles(s) == "panel").sum() == 2
    s2 = replace(s, frame, invalid={"E09": "不再符合条件"}, authorised_by=AUTH)
    r = roles(s2)
    assert r["E09"] == "removed" and r["E08"] == "panel" and r["E01"] == "new"
    # now 2 new of the 8 non-panel enterprises: pi = 2 / 8
    t = s2.to_frame().set_index("enterprise_id")
    np.testing.assert_allclose(t.loc[["E00", "E01"], "pi"], 0.25)


def test_overshooting_panel_needs_no_replacement():
    frame = cell_frame(in_panel=[True] * 4 + [False] * 6)
    s = select(frame, quotas_for(frame, 2), method="srs", reserves=1)
    s2 = replace(s, frame, invalid={"E00": "不再符合条件"}, authorised_by=AUTH)
    r = roles(s2)
    assert (r == "panel").sum() == 3 and (r == "new").sum() == 0


def test_invalid_reserve_leaves_the_list():
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=3)
    s2 = replace(s, frame, invalid={"E04": "关闭破产"}, authorised_by=AUTH)
    t = s2.to_frame().set_index("enterprise_id")
    assert t.loc["E04", "role"] == "removed"
    assert t.loc[["E03", "E05"], "reserve_rank"].tolist() == [1, 2]
    assert (t.role == "new").sum() == 3


def test_other_cells_untouched():
    frame = pd.concat([cell_frame(), cell_frame(city="深圳市", prefix="S")], ignore_index=True)
    s = select(frame, quotas_for(frame, 3), method="pareto", reserves=2)
    before = s.to_frame().set_index("enterprise_id")
    s2 = replace(s, frame, invalid={"E00": "关闭破产"}, authorised_by=AUTH)
    after = s2.to_frame().set_index("enterprise_id")
    shenzhen = before.index[before.city == "深圳市"]
    # same rows and values; only the batch's two (empty) record columns are new
    assert after.loc[shenzhen, ["batch", "authorised_by"]].isna().all().all()
    unchanged = after.drop(columns=["batch", "authorised_by"])
    pd.testing.assert_frame_equal(unchanged.loc[shenzhen].sort_index(), before.loc[shenzhen].sort_index())


@pytest.mark.parametrize("method", ["systematic", "pareto", "poisson"])
def test_size_methods_refill_and_recompute_pi(method):
    frame = cell_frame(n=12)
    s = select(frame, quotas_for(frame, 4), method=method, reserves=2, random_state=3)
    gone = s.to_frame().query("role == 'new'")["enterprise_id"].iloc[0]
    s2 = replace(s, frame, invalid={gone: "关闭破产"}, authorised_by=AUTH)
    t = s2.to_frame()
    new = t[t.role == "new"]
    assert len(new) == 4 and gone not in set(new.enterprise_id)
    # pi recomputed on the 11 enterprises left, by size. By hand: employees 10, 20, ..., 120
    # sum to 780; without the removed one (g employees) the total is 780 - g >= 660, and the
    # largest left has 4 * 120 / 660 = 0.73 < 1, so there is no certainty unit and
    # pi = 4 x / (780 - g) for each enterprise left (they sum to 4).
    size = frame.set_index("enterprise_id")["employees"]
    g = size[gone]
    expected = 4 * size[new.enterprise_id].to_numpy() / (780 - g)
    np.testing.assert_allclose(new.set_index("enterprise_id")["pi"].to_numpy(), expected, atol=1e-12)


def test_unknown_reason_lists_valid():
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs")
    with pytest.raises(
        SampleError,
        match="unknown reasons 'E01': '倒闭'; valid reasons: 关闭破产, 不再符合条件",
    ):
        replace(s, frame, invalid={"E01": "倒闭"}, authorised_by=AUTH)


def test_unknown_or_removed_id_named():
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs")
    with pytest.raises(SampleError, match="1 enterprises are not in the sample: 'E09'"):
        replace(s, frame, invalid={"E09": "不再符合条件"}, authorised_by=AUTH)
    s2 = replace(s, frame, invalid={"E00": "不再符合条件"}, authorised_by=AUTH)
    with pytest.raises(SampleError, match=r"'E00' \(already removed\)"):
        replace(s2, frame, invalid={"E00": "不再符合条件"}, authorised_by=AUTH)


def test_invalid_must_be_a_mapping():
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs")
    with pytest.raises(SampleError, match="invalid must map enterprise_id -> reason"):
        replace(s, frame, invalid=["E00"], authorised_by=AUTH)


def test_derived_prns_are_reused():
    # No prn column: PRNs come from the seed recorded in the sample, so the refill follows
    # the same ranking as the reserves (E of the first reserve replaces).
    frame = cell_frame().drop(columns="prn")
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=1, random_state=77)
    first = s.to_frame()
    reserve = first.loc[first.role == "reserve", "enterprise_id"].iloc[0]
    gone = first.loc[first.role == "new", "enterprise_id"].iloc[0]
    s2 = replace(s, frame, invalid={gone: "不再符合条件"}, authorised_by=AUTH)
    r = roles(s2)
    assert r[reserve] == "new"
    t = s2.to_frame().set_index("enterprise_id")
    assert t.loc[reserve, "prn"] == first.set_index("enterprise_id").loc[reserve, "prn"]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=25),
    quota=st.integers(min_value=1, max_value=10),
    reserves=st.integers(min_value=0, max_value=3),
    seed=st.integers(min_value=0, max_value=10_000),
    data=st.data(),
)
def test_invariants(n, quota, reserves, seed, data):
    quota = min(quota, n - 1)
    frame = cell_frame(n=n).drop(columns="prn")
    s = select(frame, quotas_for(frame, quota), method="srs", reserves=reserves, random_state=seed)
    monitored = s.to_frame("sample")["enterprise_id"].tolist()
    k = data.draw(st.integers(min_value=1, max_value=len(monitored)))
    gone = data.draw(st.permutations(monitored))[:k]
    s2 = replace(s, frame, invalid={g: "不再符合条件" for g in gone}, authorised_by=AUTH)
    t = s2.to_frame()
    kept = set(monitored) - set(gone)
    sample = set(t.loc[t.role.isin(["panel", "new"]), "enterprise_id"])
    assert kept <= sample
    assert len(sample) == min(quota, n - k)
    assert not t["enterprise_id"].duplicated().any()
    assert set(t.loc[t.role == "removed", "enterprise_id"]) == set(gone)
    assert not set(t.loc[t.role == "reserve", "enterprise_id"]) & sample


def test_refused_without_authorisation():
    # 人社部函〔2011〕308号: "更换企业样本必须在部里统一安排下进行，各地不应自主剔除、更换、补充".
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=2)
    with pytest.raises(SampleError, match="needs authorised_by.*部里统一安排"):
        replace(s, frame, invalid={"E01": "关闭破产"})
    with pytest.raises(SampleError, match="authorised_by must name"):
        replace(s, frame, invalid={"E01": "关闭破产"}, authorised_by="  ")


def test_unauthorised_batch_warns_loudly_and_is_recorded():
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=2)
    with pytest.warns(UnauthorisedReplacementWarning, match="REPLACEMENT WITHOUT AUTHORISATION"):
        s2 = replace(s, frame, invalid={"E01": "关闭破产"}, unauthorised=True)
    t = s2.to_frame().set_index("enterprise_id")
    assert t.loc["E01", "authorised_by"] == UNAUTHORISED
    assert t.loc["E03", "authorised_by"] == UNAUTHORISED  # the reserve that replaced it


def test_batch_recorded_on_the_rows_it_changed_and_applied_once():
    # PRNs increase with the id: srs draws E00-E02, reserves E03, E04.
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=2)
    s2 = replace(s, frame, invalid={"E01": "关闭破产"}, authorised_by=AUTH, batch="2013-12")
    t = s2.to_frame().set_index("enterprise_id")
    assert t.loc[["E01", "E03"], "batch"].tolist() == ["2013-12", "2013-12"]
    assert t.loc[["E01", "E03"], "authorised_by"].tolist() == [AUTH, AUTH]
    # rows the batch did not change carry no batch
    assert t.loc[["E00", "E02", "E04"], "batch"].isna().all()
    with pytest.raises(SampleError, match="batch '2013-12' was already applied"):
        replace(s2, frame, invalid={"E00": "关闭破产"}, authorised_by=AUTH, batch="2013-12")
    # the next batch without a label is numbered after the ones used
    s3 = replace(s2, frame, invalid={"E00": "关闭破产"}, authorised_by=AUTH)
    assert s3.to_frame().set_index("enterprise_id").loc["E00", "batch"] == "2"


@pytest.mark.parametrize("reason", ["停业整顿", "迁出本市", "其他"])
def test_decrease_types_are_not_reasons_to_drop(reason):
    # domain rules (2011): suspension, moving out and other are decrease types of the monthly
    # report (附表一 columns 7-11), "not by themselves reasons to drop a unit"; only
    # "剔除已关闭破产企业等无效监测样本".
    frame = cell_frame()
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=2)
    with pytest.raises(SampleError, match=f"'E01': '{reason}'.*decrease types of the monthly report"):
        replace(s, frame, invalid={"E01": reason}, authorised_by=AUTH)


def test_reserves_in_order_within_the_same_cell():
    # Two cells: 广州 and 深圳, each srs 3 of 10 with 2 reserves (E03/E04 and S03/S04 by PRN).
    # Removing E00 and E01 in 广州 brings in E03 then E04, never a 深圳 reserve.
    frame = pd.concat([cell_frame(), cell_frame(city="深圳市", prefix="S")], ignore_index=True)
    s = select(frame, quotas_for(frame, 3), method="srs", reserves=2)
    s2 = replace(s, frame, invalid={"E00": "关闭破产", "E01": "关闭破产"}, authorised_by=AUTH)
    t = s2.to_frame().set_index("enterprise_id")
    assert t.loc["E03", "replaces"] == "E00" and t.loc["E04", "replaces"] == "E01"
    assert (t.loc[["S03", "S04"], "role"] == "reserve").all()
