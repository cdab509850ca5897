"""Rule sets: the presets carry the documents' numbers and can be copied and changed."""

from __future__ import annotations

import pytest

from quotas.exceptions import RuleError
from quotas.rules import GUANGDONG_2013, MOHRSS_2009, MOHRSS_2011, Rule, get_rules


def test_mohrss_2011_numbers_from_the_document():
    # 人社部函〔2011〕308号: manufacturing <= 40% (原则上: soft), small+medium >= 60% (不得低于: hard),
    # micro 原则上不纳入 (soft), state-owned 原则上不超过1/3 (soft), top 10 industries.
    r = MOHRSS_2011
    assert (r["manufacturing_max"].limit, r["manufacturing_max"].kind) == (0.40, "soft")
    assert (r["sme_min"].limit, r["sme_min"].kind) == (0.60, "hard")
    assert (r["micro_excluded"].limit, r["micro_excluded"].kind) == (0.0, "soft")
    assert r["state_owned_max"].limit == pytest.approx(1 / 3) and r["state_owned_max"].kind == "soft"
    assert r["top_industries"].limit == 10
    assert r["min_count"].limit == "mohrss-2011"


def test_replace_returns_a_new_set_and_leaves_the_preset():
    stricter = MOHRSS_2011.replace(manufacturing_max=0.35, state_owned_max={"kind": "hard"})
    assert stricter["manufacturing_max"].limit == 0.35
    assert stricter["state_owned_max"].kind == "hard"
    assert MOHRSS_2011["manufacturing_max"].limit == 0.40
    assert MOHRSS_2011["state_owned_max"].kind == "soft"


def test_replace_unknown_rule_lists_the_ids():
    with pytest.raises(RuleError, match="no rule 'manufacturing'.*manufacturing_max"):
        MOHRSS_2011.replace(manufacturing=0.3)


def test_limits_are_checked():
    with pytest.raises(RuleError, match="between 0 and 1, got 40"):
        MOHRSS_2011.replace(manufacturing_max=40)
    with pytest.raises(RuleError, match="unknown scheme 'mohrss-2012'"):
        MOHRSS_2011.replace(min_count="mohrss-2012")


def test_guangdong_adds_sector_split_and_province_band():
    assert "sector_split" in GUANGDONG_2013 and "sector_split" not in MOHRSS_2011
    assert GUANGDONG_2013["band_50_300_min"].scope == "province"
    assert MOHRSS_2009["min_count"].limit == "mohrss-2009"


def test_add_and_duplicate_ids():
    extra = Rule("large_cap", "大型企业不超过20%", "Large at most 20%", "local", kind="hard")
    assert "large_cap" in MOHRSS_2011.add(extra)
    with pytest.raises(RuleError, match="duplicate rule id 'sme_min'"):
        MOHRSS_2011.add(MOHRSS_2011["sme_min"])


def test_get_rules_by_name():
    assert get_rules("MOHRSS_2011") is MOHRSS_2011
    with pytest.raises(RuleError, match="valid: \\['guangdong-2013', 'mohrss-2009', 'mohrss-2011'\\]"):
        get_rules("mohrss-2020")


def test_to_frame_lists_every_rule():
    frame = MOHRSS_2011.to_frame()
    assert frame["id"].tolist() == MOHRSS_2011.ids
    assert frame.columns[:3].tolist() == ["id", "kind", "scope"]


def test_repr_is_one_line_and_print_shows_the_rules():
    # Issue 13: the multi-line repr leaked into help(sampling.audit) as the default of rules=.
    import inspect

    from sampling.audit import audit

    assert repr(MOHRSS_2011) == "<RuleSet: 'mohrss-2011' (人社部函〔2011〕308号), 11 rules: 5 hard, 6 soft>"
    assert str(MOHRSS_2011).count("\n") == len(MOHRSS_2011)
    signature = str(inspect.signature(audit))  # what help() prints as the call line
    assert "<RuleSet: 'mohrss-2011'" in signature and "min_count" not in signature


def test_sets_are_named_by_their_documents():
    assert MOHRSS_2011.document == "人社部函〔2011〕308号"
    assert MOHRSS_2009.document == "人社部发〔2009〕152号"
    assert GUANGDONG_2013.document == "广东省全省企业用工定点监测扩面组织实施方案(2013)"
    # A modified set is no longer the document's; a renamed one keeps it.
    assert MOHRSS_2011.replace(manufacturing_max=0.3).document == ""
    assert MOHRSS_2011.replace(manufacturing_max=0.3, name="local").document == "人社部函〔2011〕308号"
