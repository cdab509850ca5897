"""What a city bureau reads of an audit: Chinese names of the checks, statuses and dimensions,
and the colours of the statuses (the same in Jupyter, Excel and the plot)."""

from __future__ import annotations

__all__ = ["DIMENSION_ZH", "KIND_ZH", "RULE_ZH", "STATUS_COLOURS", "STATUS_ZH", "rule_zh"]

STATUS_COLOURS = {"pass": "#c6efce", "warn": "#ffeb9c", "fail": "#ffc7ce", "skipped": "#e7e6e6"}
STATUS_ZH = {"pass": "通过", "warn": "提示", "fail": "不通过", "skipped": "未核对"}
KIND_ZH = {"hard": "硬性", "soft": "原则性"}

DIMENSION_ZH = {
    "section": "行业门类",
    "sector": "三次产业",
    "size_class": "企业规模",
    "state_owned": "所有制",
}
"""The compositions compared with the register, as the documents name them."""

RULE_ZH = {
    # 人社部函〔2011〕308号 and the Guangdong 2013 plan (quotas.rules)
    "min_count": "监测企业数量下限",
    "top_industries": "就业人数前10位行业",
    "pillar_industries": "本地支柱产业",
    "key_industries": "重点行业比例下限",
    "manufacturing_max": "制造业企业比例上限",
    "sme_min": "中小型企业比例下限",
    "micro_excluded": "不纳入微型企业",
    "state_owned_max": "国有企业比例上限",
    "large_max": "大型企业比例上限",
    "proportional_mix": "规模与所有制结构",
    "sector_split": "二三产业结构",
    "band_50_300_min": "50-300人企业比例下限",
    "ownership_mix": "各类所有制企业结构",
    "min_employees": "单位用工规模下限",
    "target": "监测任务数",
    # the audit's data checks
    "duplicates": "企业重复列报",
    "absent_from_frame": "企业不在名录库中",
    "outside_city": "企业不在所报地市",
    "size_consistent": "填报规模与划型标准一致",
    # representativeness
    **{f"represent_{dim}": f"{zh}结构代表性" for dim, zh in DIMENSION_ZH.items()},
}
"""Short Chinese name of every check the audit reports, by its rule id."""


def rule_zh(rule: str) -> str:
    """The Chinese name of a check (its id when it has none, e.g. a user's own rule)."""
    return RULE_ZH.get(rule, rule)
