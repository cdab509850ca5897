"""Tests for quotas.checks.check_cells.

The base design below obeys every rule of MOHRSS_2011 and GUANGDONG_2013 in both cities, some
rules exactly at their limit; each "break" test changes one city's counts so that exactly one
rule is broken there. The expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas.checks import (
    CHECK_COLUMNS,
    OWNERSHIP_SHARE_COLUMNS,
    PROVINCE,
    STATUSES,
    check_cells,
    ownership_shares,
)
from quotas.exceptions import QuotaInputError
from quotas.rules import GUANGDONG_2013, MOHRSS_2009, MOHRSS_2011

GZ, SG = "广州市", "韶关市"

# One city, 60 enterprises (hand count):
#   section C 12 + 12 = 24 -> 24/60 = 0.40 (at the manufacturing maximum)
#   size    large 12, medium 12 + 8 + 4 = 24, small 8 + 16 = 24 -> small + medium 48/60 = 0.8
#   state-owned 12 + 8 = 20 -> 20/60 = 1/3 (at the maximum)
#   secondary (C, E) 40, tertiary (G) 20
BASE_ROWS = [
    ("C", "large", True, 12),
    ("C", "medium", False, 12),
    ("E", "medium", True, 8),
    ("E", "small", False, 8),
    ("G", "medium", False, 4),
    ("G", "small", False, 16),
]
POPULATION = pd.Series({GZ: 18_676_605, SG: 2_855_131})  # both >= 1 million: minimum 60
PILLARS = {GZ: ["G"], SG: ["G"]}
SECTOR_TARGETS = pd.DataFrame({"secondary": [40, 40], "tertiary": [20, 20]}, index=[GZ, SG])
# Sections ranked 4th to 12th by employment (C, E, G are 1st to 3rd), see make_structure.
OTHER_SECTIONS = list("HIKLMNOPQ")


def make_cells(rows: list[tuple[str, str, bool, int]] | None = None, city: str = SG) -> pd.DataFrame:
    """Both cities with the base rows; ``rows`` replaces the base rows of ``city``."""
    parts = []
    for c in (GZ, SG):
        use = rows if (rows is not None and c == city) else BASE_ROWS
        parts.append(
            pd.DataFrame(use, columns=["section", "size_class", "state_owned", "count"]).assign(city=c)
        )
    return pd.concat(parts, ignore_index=True)[["city", "section", "size_class", "state_owned", "count"]]


def make_structure() -> pd.DataFrame:
    """Population structure: the sample's size x ownership mix times 10 in C, E, G (so the
    dissimilarity index of the base sample is 0), plus micro enterprises in nine more sections
    (micro is left out of the mix under MOHRSS_2011)."""
    rows = []
    employment = {"C": 50_000, "E": 30_000, "G": 20_000}
    for c in (GZ, SG):
        for sec, size, owned, n in BASE_ROWS:
            rows.append((c, sec, size, owned, 10 * n, employment[sec] * n / 60))
        # H 900, I 800, ..., Q 100 persons: ranks 4 to 12 (C, E, G are 1-3), so the top 10
        # is C E G H I K L M N O; P is 11th and Q 12th.
        for k, sec in enumerate(OTHER_SECTIONS):
            rows.append((c, sec, "micro", False, 5, 900 - 100 * k))
    return pd.DataFrame(
        rows, columns=["city", "section", "size_class", "state_owned", "enterprises", "employment"]
    )


def run(cells: pd.DataFrame, rules=MOHRSS_2011, **kwargs) -> pd.DataFrame:
    args = dict(population=POPULATION, key_industries=PILLARS, structure=make_structure())
    args.update(kwargs)
    return check_cells(cells, rules, **args)


def broken(out: pd.DataFrame) -> list[tuple[str, str, str]]:
    bad = out[out["status"].isin(["fail", "warn"])]
    return list(bad[["city", "rule", "status"]].itertuples(index=False, name=None))


def move(rows, src: tuple[str, str, bool], dst: tuple[str, str, bool], k: int):
    """Move k enterprises from cell src to cell dst."""
    out = {(s, z, o): n for s, z, o, n in rows}
    out[src] -= k
    out[dst] = out.get(dst, 0) + k
    return [(s, z, o, n) for (s, z, o), n in out.items() if n]


# --------------------------------------------------------------------------- the base passes


def with_ownership(cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells with ownership groups (state-owned ones 'state', the rest 'private') and no unit
    below the minimum size, and a register with the same ownership shares."""
    cells = cells.assign(
        ownership_group=np.where(cells["state_owned"], "state", "private"), below_min_employees=False
    )
    register = cells.groupby(["city", "ownership_group"], as_index=False)["count"].sum()
    return cells, register.rename(columns={"count": "enterprises"})


def test_base_design_passes_every_rule():
    cells, register = with_ownership(make_cells())
    out = run(cells, register_ownership=register)
    assert list(out.columns) == list(CHECK_COLUMNS)
    assert broken(out) == []
    assert set(out["status"]) == {"pass"}
    assert list(out["rule"].iloc[: len(MOHRSS_2011)]) == MOHRSS_2011.ids
    assert list(out["city"].unique()) == [GZ, SG]


def test_base_design_passes_guangdong_with_band():
    cells = make_cells()
    cells["band_50_300"] = cells["size_class"].isin(["medium", "small"])
    out = run(cells, GUANGDONG_2013.replace(band_50_300_min=0.5), sector_targets=SECTOR_TARGETS)
    assert broken(out) == []
    # band: medium + small = 48 per city -> 96 / 120 = 0.8
    row = out[out["rule"] == "band_50_300_min"].iloc[0]
    assert row["city"] == PROVINCE and row["observed"] == pytest.approx(0.8)


def test_exact_limits_pass_with_tolerance():
    out = run(make_cells()).set_index(["city", "rule"])
    assert out.loc[(SG, "manufacturing_max"), "observed"] == pytest.approx(0.4)
    assert out.loc[(SG, "state_owned_max"), "observed"] == pytest.approx(1 / 3)
    assert out.loc[(SG, "sme_min"), "observed"] == pytest.approx(0.8)
    assert out.loc[(SG, "min_count"), ["observed", "limit"]].tolist() == [60, 60]


# --------------------------------------------------------------------------- one rule broken


def test_break_min_count():
    # Every cell halved: 30 enterprises, same shares; minimum 60 for population >= 1 million.
    rows = [(s, z, o, n // 2) for s, z, o, n in BASE_ROWS]
    out = run(make_cells(rows))
    assert broken(out) == [(SG, "min_count", "fail")]
    row = out[(out.city == SG) & (out.rule == "min_count")].iloc[0]
    assert (row.observed, row.limit) == (30, 60)
    assert "30" in row.message_en and "60" in row.message_en and "2,855,131" in row.message_en


def test_break_top_industries():
    # One G small enterprise moved to Q, the 12th section by employment.
    rows = move(BASE_ROWS, ("G", "small", False), ("Q", "small", False), 1)
    out = run(make_cells(rows))
    assert broken(out) == [(SG, "top_industries", "fail")]
    row = out[(out.city == SG) & (out.rule == "top_industries")].iloc[0]
    assert row.observed == 1 and "Q (1)" in row.message_en


def test_pillar_outside_top_is_allowed():
    rows = move(BASE_ROWS, ("G", "small", False), ("Q", "small", False), 1)
    out = run(make_cells(rows), key_industries={GZ: ["G"], SG: ["G", "Q"]})
    assert broken(out) == []


def test_top_industries_ties_at_the_boundary_count_as_top():
    # P (11th, 200 persons) raised to 300 ties with O (10th): both are top 10.
    st_ = make_structure()
    st_.loc[(st_.city == SG) & (st_.section == "P"), "employment"] = 300
    rows = move(BASE_ROWS, ("G", "small", False), ("P", "small", False), 1)
    assert broken(run(make_cells(rows), structure=st_)) == []
    assert broken(run(make_cells(rows))) == [(SG, "top_industries", "fail")]


def test_break_pillar_industries():
    # All G (pillar) enterprises moved to H (4th by employment): G has none left.
    rows = move(BASE_ROWS, ("G", "small", False), ("H", "small", False), 16)
    rows = move(rows, ("G", "medium", False), ("H", "medium", False), 4)
    out = run(make_cells(rows))
    assert broken(out) == [(SG, "pillar_industries", "fail")]
    row = out[(out.city == SG) & (out.rule == "pillar_industries")].iloc[0]
    assert row.observed == 1 and "G" in row.message_en


def test_break_manufacturing_max():
    # One E medium state-owned moved to C: C 25/60 = 0.41667 > 0.40 (soft: warn).
    rows = move(BASE_ROWS, ("E", "medium", True), ("C", "medium", True), 1)
    out = run(make_cells(rows))
    assert broken(out) == [(SG, "manufacturing_max", "warn")]
    row = out[(out.city == SG) & (out.rule == "manufacturing_max")].iloc[0]
    assert row.observed == pytest.approx(25 / 60)
    assert "41.7%" in row.message_en and "40.0%" in row.message_zh


def test_break_sme_min():
    # 12 C medium -> large and 1 E medium -> large: large 25, small + medium 35/60 = 0.5833.
    rows = move(BASE_ROWS, ("C", "medium", False), ("C", "large", False), 12)
    rows = move(rows, ("E", "medium", True), ("E", "large", True), 1)
    out = run(make_cells(rows))
    assert broken(out) == [(SG, "sme_min", "fail")]
    row = out[(out.city == SG) & (out.rule == "sme_min")].iloc[0]
    assert row.observed == pytest.approx(35 / 60) and row.limit == pytest.approx(0.6)


def test_break_micro_excluded():
    rows = move(BASE_ROWS, ("G", "small", False), ("G", "micro", False), 1)
    out = run(make_cells(rows))
    assert broken(out) == [(SG, "micro_excluded", "warn")]
    assert out[(out.city == SG) & (out.rule == "micro_excluded")].observed.item() == pytest.approx(1 / 60)


def test_break_state_owned_max():
    # 21/60 = 0.35 > 1/3.
    rows = move(BASE_ROWS, ("G", "small", False), ("G", "small", True), 1)
    out = run(make_cells(rows))
    assert broken(out) == [(SG, "state_owned_max", "warn")]
    assert out[(out.city == SG) & (out.rule == "state_owned_max")].observed.item() == pytest.approx(0.35)


def test_break_large_max():
    rules = MOHRSS_2011.replace(large_max=0.2)
    assert broken(run(make_cells(), rules)) == []  # 12/60 = 0.2 exactly
    rows = move(BASE_ROWS, ("G", "small", False), ("G", "large", False), 1)
    out = run(make_cells(rows), rules)
    assert broken(out) == [(SG, "large_max", "fail")]
    assert out[(out.city == SG) & (out.rule == "large_max")].observed.item() == pytest.approx(13 / 60)


def test_break_proportional_mix():
    # 6 C large state-owned -> C medium state-owned. Population shares (micro left out) equal the
    # base sample shares, so the index is the moved share: 0.5 * (6/60 + 6/60) = 0.1.
    rules = MOHRSS_2011.replace(proportional_mix=0.05)
    assert broken(run(make_cells(), rules)) == []
    rows = move(BASE_ROWS, ("C", "large", True), ("C", "medium", True), 6)
    out = run(make_cells(rows), rules)
    assert broken(out) == [(SG, "proportional_mix", "warn")]
    assert out[(out.city == SG) & (out.rule == "proportional_mix")].observed.item() == pytest.approx(0.1)
    # Without a limit (the preset) the rule is an objective: reported, never broken.
    plain = run(make_cells(rows))
    assert broken(plain) == []
    assert plain[(plain.city == SG) & (plain.rule == "proportional_mix")].observed.item() == pytest.approx(
        0.1
    )


def test_break_sector_split():
    # One E (secondary) small -> G (tertiary) small: 39 / 21 against 40 / 20, deviation 2.
    rows = move(BASE_ROWS, ("E", "small", False), ("G", "small", False), 1)
    cells = make_cells(rows)
    cells["band_50_300"] = cells["size_class"].isin(["medium", "small"])
    out = run(cells, GUANGDONG_2013, sector_targets=SECTOR_TARGETS)
    # sector_split is hard in the Guangdong preset (annex 1 gives each city its split): a failure.
    assert broken(out) == [(SG, "sector_split", "fail")]
    assert out[(out.city == SG) & (out.rule == "sector_split")].observed.item() == 2
    soft = run(cells, GUANGDONG_2013.replace(sector_split={"kind": "soft"}), sector_targets=SECTOR_TARGETS)
    assert broken(soft) == [(SG, "sector_split", "warn")]


def test_sector_column_overrides_the_section_rule():
    # Division 43 (repair, section C) is tertiary: with a sector column it counts so.
    cells = make_cells()
    cells["sector"] = np.where(cells["section"].isin(["C", "E"]), 2, 3)
    cells.loc[(cells.city == SG) & (cells.section == "C") & (cells.size_class == "medium"), "sector"] = 3
    rules = GUANGDONG_2013.without("band_50_300_min")
    out = run(cells, rules, sector_targets=SECTOR_TARGETS)
    # secondary 40 - 12 = 28, tertiary 32: deviation 24.
    assert broken(out) == [(SG, "sector_split", "fail")]
    assert out[(out.city == SG) & (out.rule == "sector_split")].observed.item() == 24


def test_break_band_50_300_min():
    # In SG no enterprise is in the band: (48 + 0) / 120 = 0.4 < 0.5, a province-level warning.
    cells = make_cells()
    cells["band_50_300"] = cells["size_class"].isin(["medium", "small"]) & (cells["city"] == GZ)
    out = run(cells, GUANGDONG_2013.replace(band_50_300_min=0.5), sector_targets=SECTOR_TARGETS)
    assert broken(out) == [(PROVINCE, "band_50_300_min", "warn")]
    assert out[out.rule == "band_50_300_min"].observed.item() == pytest.approx(0.4)


def test_target_rows():
    rows = BASE_ROWS + [("G", "small", False, 1)]  # 61 enterprises
    out = run(make_cells(rows), targets=pd.Series({GZ: 60, SG: 60}))
    assert broken(out) == [(SG, "target", "warn")]
    out = run(make_cells(), targets=pd.Series({GZ: 60, SG: 70, "佛山市": 50}))
    bad = out[out.status == "fail"][["city", "rule"]].values.tolist()
    # 佛山市 has a target and no enterprises: below target; population has no value for it,
    # so its min_count is skipped, not failed.
    assert bad == [[SG, "target"], ["佛山市", "target"]]
    fs = out[out.city == "佛山市"].set_index("rule")
    assert fs.loc["min_count", "status"] == "skipped" and fs.loc["sme_min", "status"] == "skipped"


# --------------------------------------------------------------------------- min_count tiers


def test_min_count_tiers_and_municipality_default():
    # 人社部函〔2011〕308号: municipality 300, >= 1e6: 60, 0.5e6-1e6: 45, < 0.5e6: 30.
    cells = pd.DataFrame(
        {
            "city": ["北京市", "甲", "乙", "丙"],
            "section": "G",
            "size_class": "small",
            "state_owned": False,
            "count": [299, 59, 45, 30],
        }
    )
    pop = pd.Series({"北京市": 21_893_095, "甲": 1_000_000, "乙": 999_999, "丙": 499_999})
    out = check_cells(cells, MOHRSS_2011, population=pop).query("rule == 'min_count'")
    assert out["limit"].tolist() == [300, 60, 45, 30]
    assert out["status"].tolist() == ["fail", "fail", "pass", "pass"]


def test_min_count_2009_needs_no_population():
    cells = pd.DataFrame(
        {
            "city": ["上海市", "韶关市"],
            "section": "G",
            "size_class": "small",
            "state_owned": False,
            "count": [90, 29],
        }
    )
    out = check_cells(cells, MOHRSS_2009).query("rule == 'min_count'")
    assert out["limit"].tolist() == [90, 30]
    assert out["status"].tolist() == ["pass", "fail"]


def test_min_count_integer_limit():
    out = check_cells(make_cells(), MOHRSS_2011.replace(min_count=61)).query("rule == 'min_count'")
    assert out["status"].tolist() == ["fail", "fail"]


# --------------------------------------------------------------------------- missing data


def test_missing_data_is_skipped_with_a_reason():
    out = check_cells(make_cells(), MOHRSS_2011).set_index(["city", "rule"])
    for rule, word in [
        ("min_count", "population"),
        ("top_industries", "structure"),
        ("pillar_industries", "key_industries"),
        ("proportional_mix", "structure"),
    ]:
        assert out.loc[(SG, rule), "status"] == "skipped"
        assert word in out.loc[(SG, rule), "message_en"]
    g = check_cells(make_cells(), GUANGDONG_2013).set_index(["city", "rule"])
    assert g.loc[(SG, "sector_split"), "status"] == "skipped"
    assert "sector_targets" in g.loc[(SG, "sector_split"), "message_en"]
    # The preset's minimum is the register's share x 1.2: without a structure it cannot be known.
    assert "enterprises_50_300" in g.loc[(PROVINCE, "band_50_300_min"), "message_en"]
    fixed = check_cells(make_cells(), GUANGDONG_2013.replace(band_50_300_min=0.5)).set_index(["city", "rule"])
    assert "band_50_300" in fixed.loc[(PROVINCE, "band_50_300_min"), "message_en"]


def test_cells_rows_for_the_same_cell_add_up():
    cells = make_cells()
    split = pd.concat([cells, cells.assign(count=0)], ignore_index=True)
    pd.testing.assert_frame_equal(run(split), run(cells))


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("section", "Z", "'Z'"),
        ("size_class", "tiny", "'tiny'"),
        ("state_owned", "yes", "'yes'"),
        ("count", -1, "-1"),
        ("city", None, "blank city"),
    ],
)
def test_bad_cells_name_the_value(column, value, needle):
    cells = make_cells()
    cells[column] = cells[column].astype(object)
    cells.loc[3, column] = value
    with pytest.raises(QuotaInputError, match="row 3") as err:
        check_cells(cells, MOHRSS_2011)
    assert needle in str(err.value)


def test_missing_column_and_bad_pillars():
    with pytest.raises(QuotaInputError, match=r"\['count'\]"):
        check_cells(make_cells().drop(columns="count"), MOHRSS_2011)
    with pytest.raises(QuotaInputError, match="'X'"):
        check_cells(make_cells(), MOHRSS_2011, key_industries={GZ: ["X"]})
    with pytest.raises(ValueError, match="unknown rule set 'mohrss-2030'"):
        check_cells(make_cells(), "mohrss-2030")


def test_input_not_mutated():
    cells = make_cells()
    before = cells.copy()
    run(cells, targets=pd.Series({GZ: 60, SG: 60}))
    pd.testing.assert_frame_equal(cells, before)


# --------------------------------------------------------------------------- invariants


cell_rows = st.lists(
    st.tuples(
        st.sampled_from([GZ, SG]),
        st.sampled_from(list("ACFGHP")),
        st.sampled_from(["large", "medium", "small", "micro"]),
        st.booleans(),
        st.integers(0, 40),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=50, deadline=None)
@given(rows=cell_rows, k=st.integers(2, 5))
def test_scaling_counts_keeps_share_verdicts(rows, k):
    """Shares, and so every share rule's verdict, do not change when all counts are multiplied."""
    cells = pd.DataFrame(rows, columns=["city", "section", "size_class", "state_owned", "count"])
    a = run(cells)
    b = run(cells.assign(count=cells["count"] * k))
    assert set(a["status"]) <= set(STATUSES)
    share_rules = ["manufacturing_max", "sme_min", "micro_excluded", "state_owned_max", "proportional_mix"]
    sa, sb = a[a.rule.isin(share_rules)], b[b.rule.isin(share_rules)]
    np.testing.assert_allclose(sa["observed"], sb["observed"], rtol=1e-12)
    assert sa["status"].tolist() == sb["status"].tolist()


@settings(max_examples=50, deadline=None)
@given(rows=cell_rows)
def test_share_verdict_matches_the_share(rows):
    """A share rule fails or warns exactly when its share is beyond the limit."""
    cells = pd.DataFrame(rows, columns=["city", "section", "size_class", "state_owned", "count"])
    out = run(cells).set_index(["city", "rule"])
    for city, sub in cells.groupby("city"):
        n = sub["count"].sum()
        if n == 0:
            assert out.loc[(city, "sme_min"), "status"] == "skipped"
            continue
        sme = sub.loc[sub.size_class.isin(["small", "medium"]), "count"].sum() / n
        manu = sub.loc[sub.section == "C", "count"].sum() / n
        assert (out.loc[(city, "sme_min"), "status"] == "fail") == (sme < 0.6 - 1e-9)
        assert (out.loc[(city, "manufacturing_max"), "status"] == "warn") == (manu > 0.4 + 1e-9)


def test_kept_panel_is_exempt_from_top_industries():
    # Structure of one city: section C employs 100, F 50, R 1; with top_industries limited to
    # the top 2 sections, R is outside. Two enterprises sampled in R: both kept panel members
    # -> pass (the rule governs new selections); one of them new -> fail, observed 1.
    rules = MOHRSS_2011.replace(top_industries=2)
    structure = pd.DataFrame(
        {
            "city": ["广州市"] * 3,
            "section": ["C", "F", "R"],
            "size_class": ["small"] * 3,
            "state_owned": [False] * 3,
            "enterprises": [10, 5, 1],
            "employment": [100, 50, 1],
        }
    )
    cells = pd.DataFrame(
        {
            "city": ["广州市"] * 2,
            "section": ["C", "R"],
            "size_class": ["small"] * 2,
            "state_owned": [False] * 2,
            "count": [3, 2],
            "panel": [0, 2],
        }
    )
    kept = check_cells(cells, rules, structure=structure).set_index("rule").loc["top_industries"]
    assert kept["status"] == "pass"
    new = (
        check_cells(cells.assign(panel=[0, 1]), rules, structure=structure)
        .set_index("rule")
        .loc["top_industries"]
    )
    assert (new["status"], new["observed"]) == ("fail", 1.0)


# --------------------------------------------------------------------------- ownership and unit size


def test_ownership_mix_against_the_register():
    # 人社部函〔2011〕308号: "兼顾各类所有制企业" and the ownership mix "与本地结构相适应". SG's 60:
    # 20 state-owned (1/3) and 40 private; the register: 100 state, 300 private, 100 foreign ->
    # shares 0.2 / 0.6 / 0.2. Deviations 0.133, 0.067, 0.2: foreign (0 in the sample, 20% in the
    # register) and state-owned are more than 0.10 off: a warning (soft), observed 0.2.
    cells, _ = with_ownership(make_cells())
    register = pd.DataFrame(
        {
            "city": [SG, SG, SG, GZ, GZ],
            "ownership_group": ["state", "private", "foreign", "state", "private"],
            "enterprises": [100, 300, 100, 20, 40],
        }
    )
    out = run(cells, register_ownership=register).set_index(["city", "rule"])
    row = out.loc[(SG, "ownership_mix")]
    assert row["status"] == "warn" and row["observed"] == pytest.approx(0.2) and row["limit"] == 0.1
    assert "foreign 0.0% (register 20.0%)" in row["message_en"] and "港澳台" not in row["message_zh"]
    assert "state 33.3% (register 20.0%)" in row["message_en"]
    assert out.loc[(GZ, "ownership_mix"), "status"] == "pass"


def test_ownership_shares_table_behind_the_check():
    # The same numbers as above, as a table: SG's sample 20 state / 40 private against the
    # register's 100 / 300 / 100: shares 1/3, 2/3, 0 against 0.2, 0.6, 0.2 (by hand).
    # 珠海 is only in the register: its sample shares are undefined (NaN), never dropped.
    sample = pd.DataFrame(
        {"city": [SG, SG, SG], "ownership_group": ["private", "state", "private"], "count": [30, 20, 10]}
    )
    register = pd.DataFrame(
        {
            "city": [SG, SG, SG, "珠海市"],
            "ownership_group": ["foreign", "state", "private", "hmt"],
            "enterprises": [100, 100, 300, 5],
        }
    )
    out = ownership_shares(sample, register)
    assert list(out.columns) == list(OWNERSHIP_SHARE_COLUMNS)
    sg = out[out["city"] == SG].set_index("ownership_group")
    assert sg.index.tolist() == ["state", "private", "foreign"]  # the order of OWNERSHIP_GROUPS
    assert sg["sample"].tolist() == [20, 40, 0] and sg["register"].tolist() == [100, 300, 100]
    assert sg["sample_share"].tolist() == pytest.approx([1 / 3, 2 / 3, 0.0])
    assert sg["difference"].tolist() == pytest.approx([1 / 3 - 0.2, 2 / 3 - 0.6, -0.2])
    assert sg.loc["foreign", "ownership_zh"] == "外商投资"
    zh = out[out["city"] == "珠海市"].iloc[0]
    assert (zh["register_share"], zh["sample"]) == (1.0, 0) and np.isnan(zh["sample_share"])
    with pytest.raises(QuotaInputError, match="unknown ownership group\\(s\\) \\['joint'\\]"):
        ownership_shares(sample.assign(ownership_group="joint"), register)


def test_min_employees_counts_new_units_below_the_minimum():
    # 人社部发〔2009〕152号: "单位用工达到一定规模" (no number; the preset's 10). Three of SG's G small
    # enterprises have fewer than 10 employees; one of them is a kept panel unit (exempt).
    cells, register = with_ownership(make_cells())
    small = (cells["city"] == SG) & (cells["section"] == "G") & (cells["size_class"] == "small")
    tiny = cells[small].assign(count=3, panel=1, below_min_employees=True)
    cells.loc[small, "count"] -= 3
    cells = pd.concat([cells.assign(panel=0), tiny], ignore_index=True)
    out = run(cells, register_ownership=register).set_index(["city", "rule"])
    row = out.loc[(SG, "min_employees")]
    assert (row["status"], row["observed"]) == ("warn", 2.0)
    assert "fewer than 10 employees" in row["message_en"]
    assert out.loc[(GZ, "min_employees"), "status"] == "pass"
