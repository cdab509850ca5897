"""Rule sets: the presets carry the documents' numbers and can be copied and changed."""

from __future__ import annotations

import pytest

from quotas.exceptions import RuleError
from quotas.rules import GUANGDONG_2013, MOHRSS_2009, MOHRSS_2011, RegisterShare, Rule, get_rules


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

    from sampling.auditing import audit

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


# Each rule of the presets against the words of its document (as quoted in
# ../shared/docs/domain-rules.md, sections 2-3): the source, whether it is hard or soft ("原则上"
# rules are soft) and its number. The behaviour of each rule is tested in test_checks.py
# (check_cells) and test_build.py (build_quotas).
DOCUMENT_WORDS = [
    # (preset, rule id, document, words of the document, kind, limit)
    (MOHRSS_2011, "min_count", "人社部函〔2011〕308号", "直辖市不少于300户 ... 50万以下城市不少于30户", "hard", "mohrss-2011"),
    (MOHRSS_2009, "min_count", "人社部发〔2009〕152号", "每个监测城市不少于30户企业,直辖市不少于90户", "hard", "mohrss-2009"),
    (MOHRSS_2011, "top_industries", "人社部函〔2011〕308号", "从本地区就业人数排名前10位的行业中选取", "hard", 10),
    (MOHRSS_2011, "pillar_industries", "人社部函〔2011〕308号", "包括本地支柱产业", "hard", None),
    (MOHRSS_2011, "manufacturing_max", "人社部函〔2011〕308号", "制造业企业原则上不超过40%", "soft", 0.40),
    (MOHRSS_2011, "sme_min", "人社部函〔2011〕308号", "中小型企业不得低于60%", "hard", 0.60),
    (MOHRSS_2011, "micro_excluded", "人社部函〔2011〕308号", "微型企业原则上不纳入", "soft", 0.0),
    (MOHRSS_2011, "state_owned_max", "人社部函〔2011〕308号", "国有企业原则上不超过1/3", "soft", 1 / 3),
    (MOHRSS_2011, "large_max", "人社部函〔2011〕308号", "适当限制大型企业比例", "hard", None),
    (MOHRSS_2011, "proportional_mix", "人社部函〔2011〕308号", "与本地结构相适应", "soft", None),
    (MOHRSS_2011, "ownership_mix", "人社部函〔2011〕308号", "兼顾各类所有制企业", "soft", 0.10),
    (MOHRSS_2009, "min_employees", "人社部发〔2009〕152号", "单位用工达到一定规模", "soft", 10),
    (GUANGDONG_2013, "sector_split", "广东省全省企业用工定点监测扩面组织实施方案(2013)", "二、三产业", "hard", None),
    (GUANGDONG_2013, "key_industries", "广东省全省企业用工定点监测扩面组织实施方案(2013)", "重点行业", "soft", None),
    (GUANGDONG_2013, "band_50_300_min", "广东省全省企业用工定点监测扩面组织实施方案(2013)", "用工规模位于50-300人区间", "soft", "register x 1.2"),
]  # fmt: skip


@pytest.mark.parametrize(("preset", "rule_id", "document", "words", "kind", "limit"), DOCUMENT_WORDS)
def test_each_rule_carries_its_documents_words(preset, rule_id, document, words, kind, limit):
    rule = preset[rule_id]
    assert rule.source == document
    for part in words.split(" ... "):
        assert part in rule.description_zh
    assert rule.kind == kind
    if limit == "register x 1.2":
        # "参考统计部门数据, 通过全省总量控制的方式, 适度增加": the register's share raised moderately.
        assert rule.limit == RegisterShare(1.2) and rule.scope == "province"
    elif isinstance(limit, float):
        assert rule.limit == pytest.approx(limit)
    else:
        assert rule.limit == limit


def test_every_preset_rule_is_covered_by_its_words():
    covered = {(p.name, r) for p, r, *_ in DOCUMENT_WORDS}
    for preset in (MOHRSS_2011, MOHRSS_2009, GUANGDONG_2013):
        for rule in preset:
            # A rule inherited unchanged from the 2011 set is covered by the 2011 entry.
            assert (
                (preset.name, rule.id) in covered
                or ("mohrss-2011", rule.id) in covered
                or (
                    "mohrss-2009",
                    rule.id,
                )
                in covered
            ), (preset.name, rule.id)


def test_register_share_limits():
    assert RegisterShare(1.2).of(0.25) == pytest.approx(0.3)
    with pytest.raises(RuleError, match="positive number, got 0"):
        RegisterShare(0)
    assert GUANGDONG_2013.replace(band_50_300_min=0.5)["band_50_300_min"].limit == 0.5
    with pytest.raises(RuleError, match="'min_employees': limit must be an int >= 1"):
        MOHRSS_2011.replace(min_employees=0.5)
