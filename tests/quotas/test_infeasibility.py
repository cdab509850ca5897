"""Minimal conflicting sets (quotas.infeasibility) and the names in the model (quotas.build)."""

from __future__ import annotations

import itertools

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas import MOHRSS_2011, build, model, solvers
from quotas.infeasibility import CityFacts, deletion_filter, describe_conflict


@settings(max_examples=60, deadline=None)
@given(
    conflicts=st.lists(
        st.frozensets(st.sampled_from("abcdefg"), min_size=1, max_size=3), min_size=1, max_size=3
    )
)
def test_deletion_filter_returns_a_minimal_infeasible_subset(conflicts: list[frozenset[str]]) -> None:
    # A subset is infeasible iff it contains one of the conflicts (checked by enumeration).
    groups = list("abcdefg")

    def feasible(subset: frozenset[str]) -> bool:
        return not any(c <= subset for c in conflicts)

    found = set(deletion_filter(groups, feasible))
    assert not feasible(frozenset(found))
    for g in found:
        assert feasible(frozenset(found - {g}))


def _facts(**kw) -> CityFacts:
    cells = pd.DataFrame(
        {
            "section": ["C", "F", "G"],
            "size_class": ["small", "small", "large"],
            "state_owned": [True, False, False],
            "available": [50, 10, 5],
            "panel": [0, 0, 0],
            "top": [True, True, False],
        }
    )
    return CityFacts("某市", kw.pop("target", 40), kw.pop("cells", cells), **kw)


def test_state_owned_wording() -> None:
    # 40 - floor(40 / 3) = 27 non-state-owned needed; F 10 + G 5 = 15 available.
    facts = _facts(share_rules={"state_owned_max": ("<=", 1 / 3)})
    assert describe_conflict(facts, ["target", "capacity", "state_owned_max"]) == (
        "target 40 needs >= 27 non-state-owned enterprises; the frame has 15"
    )


def test_top_industries_wording() -> None:
    facts = _facts(target=70, top_k=2)
    assert describe_conflict(facts, ["target", "capacity", "top_industries"]) == (
        "target 70 needs >= 70 enterprises in its top 2 sections (C, F); the frame has 60"
    )


def test_panel_share_wording() -> None:
    cells = _facts().cells.assign(panel=[20, 0, 0])
    facts = _facts(cells=cells, share_rules={"manufacturing_max": ("<=", 0.4)})
    assert describe_conflict(facts, ["panel", "manufacturing_max"]) == (
        "the panel already has 20 manufacturing enterprises; manufacturing_max allows at most 16 of target 40 "
        "(the panel is kept)"
    )


def test_generic_wording_names_the_rules() -> None:
    assert describe_conflict(_facts(), ["sme_min", "large_max", "target"]) == (
        "target 40: large_max, sme_min, target cannot all hold with the enterprises in the frame"
    )


def test_model_names_follow_city_cell_and_rule() -> None:
    s = pd.DataFrame(
        {
            "city": "广州市",
            "section": ["C", "G"],
            "size_class": ["small", "micro"],
            "state_owned": [False, True],
            "enterprises": [50, 50],
            "employment": [100.0, 100.0],
            "panel": 0,
        }
    )
    from quotas.industry_groups import check_key_industries
    from quotas.structure import validate_structure

    cities = model.prepare_cities(
        validate_structure(s), pd.Series({"广州市": 60}), MOHRSS_2011, check_key_industries(None), None, 1.0
    )
    groups = build._groups_of(cities, None, MOHRSS_2011, False)
    program, _, _ = model.assemble(cities, frozenset(groups), None, objective=True)
    prob, variables = solvers.to_pulp(program, "quotas")
    names = {v.name for v in variables}
    rows = {c.name for c in prob.constraints()}
    assert {
        "q_c000_C_small_nso",
        "q_c000_G_micro_so",
        "s_c000_manufacturing_max",
        "s_c000_state_owned_max",
    } <= names
    assert {
        "c000_target",
        "c000_manufacturing_max",
        "c000_sme_min",
        "c000_micro_excluded",
        "c000_state_owned_max",
        "c000_dev_C_small_nso",
    } <= rows
    assert all(n.isascii() for n in itertools.chain(names, rows))
