"""Quota cells of industry groups through the whole chain (issue 16): structure ->
build_quotas -> select -> audit -> the sample written and read back (CSV and xlsx) ->
replacement within the cell.

Issue 16: "Key and pillar industries as GB/T 4754 divisions per city ... honoured by the quota
model through cells that split a section where needed; and cells that carry the sector". The
register below has 深圳's key industry C39 (computers and electronics) and division 43 (repair,
tertiary under 三次产业划分规定, split off manufacturing everywhere); 广州 has no key division,
so its 3911 enterprises are in its C cell.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from quotas import build_quotas
from quotas.rules import GUANGDONG_2013
from sampling import audit, national_subset, read_sample, replace, select, structure
from sampling.contract import SAMPLE
from sampling.prepare import prepare_frame
from sampling.replace import restore_sample

KEY_INDUSTRIES = {"深圳": ["39"]}

# (city, industry, enterprises, panel); every enterprise non-state (173). Industrial ones
# (13, 39, 43) have 100 employees and revenue 1,000 (10k yuan): small (国统字〔2011〕75号: 20-300
# employees and 300-2,000 revenue); the retailers (52) 30 employees and revenue 300: small
# (10-50, 100-500). The "tiny" rows have 6 employees: below min_employees (10), not counted.
_PLAN = [
    ("深圳", "3911", 12, 2),
    ("深圳", "1311", 8, 0),
    ("深圳", "4310", 5, 0),
    ("深圳", "5211", 9, 1),
    ("广州", "3911", 6, 0),
    ("广州", "1311", 7, 1),
    ("广州", "4310", 4, 0),
    ("广州", "5211", 10, 0),
]
_TINY = [("深圳", "3911", 3), ("广州", "1311", 2)]

# The structure written out from _PLAN by hand: the key division C39 is a cell in 深圳 only,
# C43 everywhere; the tiny enterprises are not counted.
EXPECTED_CELLS = pd.DataFrame(
    [
        # city, section, industry_group, enterprises, panel
        ("广州市", "C", "C", 6 + 7, 1),
        ("广州市", "C", "C43", 4, 0),
        ("广州市", "F", "F", 10, 0),
        ("深圳市", "C", "C", 8, 0),
        ("深圳市", "C", "C39", 12, 2),
        ("深圳市", "C", "C43", 5, 0),
        ("深圳市", "F", "F", 9, 1),
    ],
    columns=["city", "section", "industry_group", "enterprises", "panel"],
)
CELL = ["city", "section", "industry_group", "size_class", "state_owned"]


def _register() -> pd.DataFrame:
    rows = []
    for city, industry, n, panel in _PLAN:
        retail = industry.startswith("52")
        for i in range(n):
            rows.append((city, industry, 30 if retail else 100, 300.0 if retail else 1000.0, i < panel))
    for city, industry, n in _TINY:
        rows.extend((city, industry, 6, 1000.0, False) for _ in range(n))
    frame = pd.DataFrame(rows, columns=["city", "industry", "employees", "revenue", "in_panel"])
    frame.insert(0, "enterprise_id", [f"9144030000000{i:05d}" for i in range(len(frame))])
    frame["registration_type"] = "173"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare_frame(frame, key_industries=KEY_INDUSTRIES)


@pytest.fixture(scope="module")
def chain():
    register = _register()
    cells = structure(register)
    rules = GUANGDONG_2013.replace(min_count=0).without("sector_split", "band_50_300_min", "top_industries")
    quotas = build_quotas(
        cells, pd.Series({"深圳市": 18, "广州市": 12}), rules=rules, key_industries=KEY_INDUSTRIES
    )
    sample = select(register, quotas, method="srs", reserves=2, random_state=2013)
    return register, cells, quotas, sample


def _monitored_per_cell(table: pd.DataFrame) -> pd.Series:
    monitored = table[table["role"].isin(["panel", "new"])].astype({"state_owned": bool})
    return monitored.groupby(CELL).size()


def test_the_structure_is_the_hand_count(chain):
    _, cells, _, _ = chain
    assert (cells["size_class"] == "small").all() and (~cells["state_owned"]).all()
    assert cells[EXPECTED_CELLS.columns].values.tolist() == EXPECTED_CELLS.values.tolist()


def test_each_group_cell_holds_its_quota(chain):
    register, _, quotas, sample = chain
    q = quotas.to_frame().set_index(CELL)["quota"]
    assert set(q.index.get_level_values("industry_group")) == {"C", "C39", "C43", "F"}
    assert q.sum() == 30
    got = _monitored_per_cell(sample.to_frame()).reindex(q.index, fill_value=0)
    assert got.to_dict() == q.to_dict()
    # each enterprise listed in its own register group; reserves only where the quota is > 0
    t = sample.to_frame()
    group_of = register.set_index("enterprise_id")["industry_group"].astype(str)
    assert (t["industry_group"].to_numpy() == group_of[t["enterprise_id"]].to_numpy()).all()
    reserve_cells = set(
        t.loc[t["role"] == "reserve", CELL].astype({"state_owned": bool}).itertuples(index=False)
    )
    assert reserve_cells <= set(q[q > 0].index)
    # no new enterprise or reserve below 10 employees
    employees = register.set_index("enterprise_id")["employees"]
    assert (employees[t.loc[t["role"].isin(["new", "reserve"]), "enterprise_id"]] >= 10).all()


def test_the_design_strata_are_the_group_cells(chain, tmp_path):
    register, _, quotas, sample = chain
    design = sample.to_survey_design()
    q = quotas.to_frame().set_index(["city", "industry_group"])["quota"]
    # 深圳 C39: its 2 panel enterprises a take-all stratum; the others drawn by srs from the
    # cell's 12 - 2 = 10 enterprises outside the panel (the hand count), pi = (quota - 2) / 10
    panel = design[design["stratum"] == "深圳市/C39/small/non-state/panel"]
    drawn = design[design["stratum"] == "深圳市/C39/small/non-state/drawn"]
    assert len(panel) == 2 and (panel["fpc"] == 2).all()
    assert len(drawn) == q["深圳市", "C39"] - 2 and (drawn["fpc"] == 10).all()
    np.testing.assert_allclose(drawn["pi"], (q["深圳市", "C39"] - 2) / 10)
    # the register recounted gives the same sizes
    again = sample.to_survey_design(register=register)
    pd.testing.assert_frame_equal(again, design)


def test_the_audit_counts_group_cells(chain):
    register, _, _, sample = chain
    report = audit(sample, register=register, rules="guangdong-2013", key_industries=KEY_INDUSTRIES)
    text = " ".join(report.notes)
    assert "not in the register" not in text
    # 深圳's pillar industry C39 is checked on the group cells, not skipped for want of divisions
    rows = report.to_frame().set_index(["city", "rule"])
    assert rows.loc[("深圳市", "pillar_industries"), "status"] == "pass"
    assert "C39" in rows.loc[("深圳市", "pillar_industries"), "message_en"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_written_sample_reads_back_with_its_groups(chain, tmp_path, suffix):
    register, _, quotas, sample = chain
    path = tmp_path / f"sample{suffix}"
    if suffix == ".xlsx":
        sample.to_excel(path)
    else:
        SAMPLE.write(sample.to_frame(), path)
    back = read_sample(path)
    assert "industry_group" in back.columns
    monitored = sample.to_frame("sample")
    got = back.set_index("enterprise_id")["industry_group"].astype(str)
    assert got[monitored["enterprise_id"]].tolist() == monitored["industry_group"].tolist()
    # read back, the audit sees the same cells as for the Sample itself
    a = audit(sample, register=register, rules="guangdong-2013", key_industries=KEY_INDUSTRIES).to_frame()
    b = audit(back, register=register, rules="guangdong-2013", key_industries=KEY_INDUSTRIES).to_frame()
    keep = ["city", "rule", "status"]
    rules_of_cells = ~a["rule"].isin(["size_consistent", "in_frame"])
    pd.testing.assert_frame_equal(
        a.loc[rules_of_cells, keep].reset_index(drop=True),
        b.loc[~b["rule"].isin(["size_consistent", "in_frame"]), keep].reset_index(drop=True),
    )


def test_a_replacement_comes_from_the_same_group_cell(chain):
    register, _, _, sample = chain
    t = sample.to_frame()
    gone = t.loc[(t["role"] == "new") & (t["industry_group"] == "C39"), "enterprise_id"].iloc[0]
    after = replace(sample, register, invalid={gone: "关闭破产"}, authorised_by="人社部 统一安排")
    a = after.to_frame().set_index("enterprise_id")
    new = a[a["replaces"] == gone]
    assert len(new) == 1
    assert new[["city", "industry_group"]].values.tolist() == [["深圳市", "C39"]]
    assert _monitored_per_cell(after.to_frame()).to_dict() == _monitored_per_cell(t).to_dict()
    # the first reserve of 深圳 C39 (reserve_rank 1) is the one that steps in
    first = t.loc[(t["role"] == "reserve") & (t["industry_group"] == "C39") & (t["reserve_rank"] == 1)]
    assert new.index.tolist() == first["enterprise_id"].tolist()


def test_the_national_subset_is_shared_among_the_group_cells(chain):
    # 深圳's 18 monitored enterprises, 9 of them national: shared among the group cells (C, C39,
    # C43, F) in proportion, manufacturing (section C, its groups together) at most 40% of 9 = 3
    # (人社部函〔2011〕308号, rules mohrss-2011).
    register, _, _, sample = chain
    sub = national_subset(sample, cities=["深圳市"], target=9, minimum=0, existing=None, register=register)
    chosen = sub.to_frame()
    assert len(chosen) == 9 and "industry_group" in chosen.columns
    in_sample = sample.to_frame("sample").set_index("enterprise_id")["industry_group"]
    assert chosen["industry_group"].tolist() == in_sample[chosen["enterprise_id"]].tolist()
    assert (chosen["section"] == "C").sum() <= 3


def test_a_written_sample_is_restored_with_its_group_cells(chain, tmp_path):
    # The sample as written to CSV and read back by the contract, restored for a replacement
    # batch (what empmon replace does): the same group cells, quotas and design populations.
    register, _, quotas, sample = chain
    path = tmp_path / "sample.csv"
    SAMPLE.write(sample.to_frame(), path)
    again = restore_sample(SAMPLE.read(path), register, quotas, method="srs", seed=2013)
    columns = [*CELL, "quota", "population", "panel", "new", "reserves"]
    pd.testing.assert_frame_equal(again.cells[columns], sample.cells[columns], check_dtype=False)
    assert again.min_employees == 10
