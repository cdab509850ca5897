"""Tests of sampling.national (两网合并): hand-worked subsets, what cannot hold, the 2011 rules.

The Guangdong 2013 plan: "在10000家企业中，重点选择部分企业(约1000家，目前已开展641家)开展月度失业动态
监测工作" - of the 10,000, about 1,000 (641 already) also report to the national unemployment
dynamic monitoring.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import SampleError, select
from sampling.national import national_subset


def sample_frame(city: str, n: int, *, prefix: str, section="G", size="small", national=0, prn=None):
    return pd.DataFrame(
        {
            "enterprise_id": [f"{prefix}{i:03d}" for i in range(n)],
            "city": city,
            "section": section,
            "size_class": size,
            "state_owned": False,
            "role": "new",
            "prn": prn if prn is not None else (np.arange(n) + 0.5) / n,
            "national": [i < national for i in range(n)],
        }
    )


def test_existing_kept_and_the_rest_by_prn_within_cells():
    # 广州: 10 enterprises in G (PRNs .05, .15, ..., .95), 2 of them existing national (the
    # first two rows, PRNs .05 and .15); 10 in C, none existing. Target 8 in 广州, minimum 2.
    # Cells in proportion to the sample (10 and 10) with the 2 existing as G's floor:
    # 4 and 4. G adds 2 more: the next smallest PRNs, rows 2 and 3; C takes its 4 smallest.
    g = sample_frame("广州市", 10, prefix="G", national=2)
    c = sample_frame("广州市", 10, prefix="C", section="C", prn=np.linspace(0.9, 0.0, 10))
    sub = national_subset(pd.concat([g, c]), cities=["广州"], target=8, minimum=2, rules="mohrss-2009")
    chosen = set(sub.to_frame()["enterprise_id"])
    assert chosen == {"G000", "G001", "G002", "G003", "C009", "C008", "C007", "C006"}
    roles = sub.to_frame().set_index("enterprise_id")["national_role"]
    assert roles["G000"] == "existing" and roles["G002"] == "added"
    assert sub.cities[["existing", "added", "national", "shortfall"]].values.tolist() == [[2, 6, 8, 0]]
    assert sub.problems == ()


def test_target_shared_by_the_cities_part_of_the_sample_with_minimums():
    # 广州 60 and 深圳 20 sample enterprises (a 3:1 split), target 40, minimum 15 each:
    # proportional 30 / 10, but 深圳 must have 15, so 25 / 15 (the rest in proportion).
    s = pd.concat([sample_frame("广州市", 60, prefix="A"), sample_frame("深圳市", 20, prefix="B")])
    sub = national_subset(s, cities=["广州", "深圳"], target=40, minimum=15, rules="mohrss-2009")
    assert sub.cities.set_index("city")["national"].to_dict() == {"广州市": 25, "深圳市": 15}
    assert sub.n_national == 40


def test_what_cannot_hold_is_said_with_the_numbers():
    # 佛山 has only 20 sample enterprises against the 2011 minimum of 60 for a city of
    # 1,000,000 or more residents ("人口100万以上城市不少于60户"): 40 short.
    s = pd.concat(
        [sample_frame("广州市", 100, prefix="A", national=70), sample_frame("佛山市", 20, prefix="F")]
    )
    pop = pd.Series({"广州市": 12_700_000, "佛山市": 7_200_000})
    sub = national_subset(s, cities=["广州", "佛山"], target=50, city_population=pop)
    # all 70 existing kept: the target 50 is below 70 + 20 (佛山's whole sample).
    assert sub.n_national == 90
    assert any("佛山市: minimum 60 but only 20" in p and "40 short" in p for p in sub.problems)
    assert any(
        "below what the minimums and existing enterprises need, 90: 40 over the target" in p
        for p in sub.problems
    )
    assert sub.cities.set_index("city").loc["佛山市", "shortfall"] == 40
    # the audit sees the same: min_count fails in 佛山
    failed = sub.report.to_frame().query("status == 'fail'")
    assert ("佛山市", "min_count") in set(zip(failed["city"], failed["rule"]))
    assert "cannot hold" in sub.summary()


def test_target_above_the_sample():
    s = sample_frame("广州市", 30, prefix="A")
    sub = national_subset(s, cities=["广州"], target=50, minimum=10, rules="mohrss-2009")
    assert sub.n_national == 30
    assert any("20 short" in p for p in sub.problems)


def test_existing_outside_the_monitoring_cities_are_kept_and_reported():
    s = pd.concat(
        [sample_frame("广州市", 30, prefix="A"), sample_frame("韶关市", 10, prefix="S", national=3)]
    )
    sub = national_subset(s, cities=["广州"], target=13, minimum=5, rules="mohrss-2009")
    # 3 existing in 韶关 count: 广州 gets 10.
    assert sub.cities["national"].tolist() == [10]
    assert sub.n_national == 13
    assert any("3 existing national enterprises are outside" in p for p in sub.problems)


def test_the_2011_composition_rules_are_checked_on_the_subset_per_city():
    # "制造业企业原则上不超过40%" (人社部函〔2011〕308号): existing national enterprises all in
    # manufacturing (section C) push the subset over 40% even though the sample is balanced.
    c = sample_frame("广州市", 50, prefix="C", section="C", national=40)
    g = sample_frame("广州市", 50, prefix="G", section="G")
    sub = national_subset(pd.concat([c, g]), cities=["广州"], target=60, minimum=30, rules="mohrss-2011")
    # 40 existing in C; cells in proportion 30 / 30 with C's floor 40: C 40, G 20 -> C 2/3.
    assert sub.to_frame()["section"].value_counts().to_dict() == {"C": 40, "G": 20}
    rows = sub.report.to_frame().set_index("rule")
    assert rows.loc["manufacturing_max", "status"] == "warn"
    assert rows.loc["manufacturing_max", "observed"] == pytest.approx(40 / 60)


@settings(max_examples=15, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=4),
    existing=st.lists(st.integers(0, 10), min_size=4, max_size=4),
    target=st.integers(1, 120),
    minimum=st.integers(1, 20),
)
def test_invariants(sizes, existing, target, minimum):
    cities = ["广州市", "深圳市", "佛山市", "珠海市"][: len(sizes)]
    parts = [
        sample_frame(city, n, prefix=f"{i}-", section="CG"[i % 2], national=min(e, n))
        for i, (city, n, e) in enumerate(zip(cities, sizes, existing))
    ]
    s = pd.concat(parts)
    sub = national_subset(s, cities=cities, target=target, minimum=minimum, rules="mohrss-2009")
    # every existing enterprise is kept
    assert (
        sub.to_frame()["enterprise_id"].isin(s.loc[s["national"], "enterprise_id"]).sum()
        == s["national"].sum()
    )
    low = sum(max(min(minimum, n), min(e, n)) for n, e in zip(sizes, existing))
    if low <= target <= sum(sizes) and all(n >= minimum for n in sizes):
        assert sub.n_national == target and not sub.problems
    c = sub.cities
    assert (c["national"] >= np.minimum(c["minimum"], c["available"])).all()
    assert (c["national"] <= c["available"]).all()


def _two_city_sample():
    """10 of 20 small enterprises drawn in each of 广州市 and 深圳市, with 2 reserves each."""
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"E{i:02d}" for i in range(40)],
            "city": ["广州市"] * 20 + ["深圳市"] * 20,
            "section": "G",
            "size_class": "small",
            "state_owned": False,
            "employees": 100,
        }
    )
    quotas = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates().assign(quota=10)
    sample = select(frame, quotas, method="srs", reserves=2, random_state=3)
    return sample


def test_flag_on_a_selected_sample_and_outputs(tmp_path):
    sample = _two_city_sample()
    sub = national_subset(
        sample, cities=["广州", "深圳"], target=8, existing=None, minimum=4, rules="mohrss-2009"
    )
    flagged = sub.flag(sample)
    table = flagged.to_frame()
    assert table["national"].sum() == 8
    assert not table.loc[table["role"] == "reserve", "national"].any()
    # the 4 of each city are its 4 smallest PRNs among the drawn
    for _, part in table[table["role"] == "new"].groupby("city"):
        assert set(part.nsmallest(4, "prn")["enterprise_id"]) == set(
            part.loc[part["national"], "enterprise_id"]
        )
    sub.to_excel(tmp_path / "national.xlsx")
    with pd.ExcelFile(tmp_path / "national.xlsx") as book:
        assert book.sheet_names == ["国家监测企业", "分市", "审核"]
    assert "national enterprises" in repr(sub)
    assert "<table" in sub._repr_html_()
    ax = sub.plot()
    # in Chinese, drawn in the shipped font (a missing glyph would be a warning, an error here)
    assert ax.get_title().startswith("国家监测企业(两网合并)") and ax.get_ylabel() == "企业数(户)"
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["已在国家监测", "新增", "最低数"]
    ax.figure.canvas.draw()
    plt.close(ax.figure)


def test_to_excel_reads_back_as_the_tables(tmp_path):
    from openpyxl import load_workbook

    sample = _two_city_sample()
    # a target of 30 in 20 drawn enterprises: what cannot hold goes under the per-city table
    sub = national_subset(
        sample, cities=["广州", "深圳"], target=30, existing=None, minimum=4, rules="mohrss-2009"
    )
    assert sub.problems
    path = tmp_path / "national.xlsx"
    sub.to_excel(path)
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == ["国家监测企业", "分市", "审核"]
    subset = sub.to_frame()
    back = book["国家监测企业"]
    assert back.columns.tolist() == subset.columns.tolist()
    assert back["state_owned"].dtype == bool and back["national"].all()  # booleans stay booleans
    pd.testing.assert_frame_equal(
        back.dropna(axis=1, how="all"), subset.dropna(axis=1, how="all"), check_dtype=False, rtol=1e-15
    )
    n = len(sub.cities)
    pd.testing.assert_frame_equal(book["分市"].iloc[:n], sub.cities, check_dtype=False)
    ws = load_workbook(path)["分市"]
    # the table (header and n rows), one blank row, then the notes with their header
    assert all(c.value is None for c in ws[n + 2])
    notes = [ws.cell(row, 1).value for row in range(n + 3, ws.max_row + 1)]
    assert notes == ["说明 notes", sub.headline(), *sub.problems]
    pd.testing.assert_frame_equal(book["审核"], sub.report.to_frame(), check_dtype=False, rtol=1e-15)


def test_bad_input_is_named():
    s = sample_frame("广州市", 10, prefix="A")
    with pytest.raises(SampleError, match="prn"):
        national_subset(s.drop(columns="prn"), cities=["广州"], minimum=1)
    with pytest.raises(SampleError, match="not monitored in the sample.*'X1'"):
        national_subset(s, cities=["广州"], existing=["A001", "X1"], minimum=1)
    with pytest.raises(SampleError, match="no enterprise in the sample.*深圳市"):
        national_subset(s, cities=["广州", "深圳"], minimum=1)
    with pytest.raises(SampleError, match="give city_population"):
        national_subset(s, cities=["广州"])
    with pytest.raises(SampleError, match="target must be"):
        national_subset(s, cities=["广州"], target=-1, minimum=1)


def test_the_cells_move_to_keep_the_manufacturing_limit():
    # "制造业企业原则上不超过40%": a sample of 100 manufacturing (C) and 50 G enterprises, no
    # existing ones, target 60. In proportion: 40 C + 20 G = 67% manufacturing. The closest
    # split within the 40% limit moves 16 enterprises: C at most floor(0.4 x 60) = 24, G 36.
    c = sample_frame("广州市", 100, prefix="C", section="C")
    g = sample_frame("广州市", 50, prefix="G", section="G")
    sub = national_subset(pd.concat([c, g]), cities=["广州"], target=60, minimum=30, rules="mohrss-2011")
    assert sub.to_frame()["section"].value_counts().to_dict() == {"G": 36, "C": 24}
    # within each cell, still the smallest PRNs: C000-C023 and G000-G035
    ids = set(sub.to_frame()["enterprise_id"])
    assert ids == {f"C{i:03d}" for i in range(24)} | {f"G{i:03d}" for i in range(36)}
    assert sub.report.to_frame().set_index("rule").loc["manufacturing_max", "status"] == "pass"
    assert sub.problems == ()


def test_a_share_rule_the_existing_enterprises_break_is_reported():
    # 40 existing national enterprises in C against a target of 60: C cannot go below 40, over
    # the 24 that 40% allows by 16 ("原则上不超过40%" is soft: reported, not refused).
    c = sample_frame("广州市", 50, prefix="C", section="C", national=40)
    g = sample_frame("广州市", 50, prefix="G", section="G")
    sub = national_subset(pd.concat([c, g]), cities=["广州"], target=60, minimum=30, rules="mohrss-2011")
    assert sub.to_frame()["section"].value_counts().to_dict() == {"C": 40, "G": 20}
    assert any(
        "manufacturing_max cannot hold" in p and "40 of 60" in p and "16 over" in p for p in sub.problems
    )
