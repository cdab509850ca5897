"""Codes and labels of the classifications the cells use: size classes, sectors, ownership groups.

The canonical values in tables are the English codes (``large`` ... ``micro``) and the sector
numbers 1/2/3; the Chinese labels are what a city bureau reads in Excel, HTML and plots.

References
----------
国家统计局, 统计上大中小微型企业划分办法 (国统字〔2011〕75号): 大型, 中型, 小型, 微型.

国家统计局, 三次产业划分规定 (2012): 第一产业, 第二产业, 第三产业.

国家统计局、国家工商行政管理局, 关于划分企业登记注册类型的规定 (国统字〔1998〕200号), with the two
"other" types of 国统字〔2011〕86号: the registration types behind the ownership groups.
"""

from __future__ import annotations

__all__ = [
    "OWNERSHIP_GROUPS",
    "OWNERSHIP_GROUP_OF_TYPE",
    "OWNERSHIP_LABELS_EN",
    "OWNERSHIP_LABELS_ZH",
    "SECTORS",
    "SECTOR_LABELS_ZH",
    "SECTOR_NAMES",
    "SIZE_CLASSES",
    "SIZE_LABELS_EN",
    "SIZE_LABELS_ZH",
]

SIZE_CLASSES: tuple[str, ...] = ("large", "medium", "small", "micro")
"""Size classes from largest to smallest (canonical values)."""

SIZE_LABELS_ZH: dict[str, str] = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
"""Chinese label of each size class (国统字〔2011〕75号)."""

SIZE_LABELS_EN: dict[str, str] = {"large": "Large", "medium": "Medium", "small": "Small", "micro": "Micro"}
"""English label of each size class."""

SECTORS: tuple[int, ...] = (1, 2, 3)
"""Sector codes (三次产业): 1 primary, 2 secondary, 3 tertiary."""

SECTOR_NAMES: dict[int, str] = {1: "primary", 2: "secondary", 3: "tertiary"}
"""English name of each sector code, as used in column names (``sector_targets``)."""

SECTOR_LABELS_ZH: dict[int, str] = {1: "第一产业", 2: "第二产业", 3: "第三产业"}
"""Chinese label of each sector code."""

OWNERSHIP_GROUPS: tuple[str, ...] = ("state", "collective", "corporate", "private", "hmt", "foreign", "other")
"""Ownership groups of the registration types (the documents' "各类所有制企业"), in order."""

OWNERSHIP_LABELS_ZH: dict[str, str] = {
    "state": "国有",
    "collective": "集体",
    "corporate": "股份制和有限责任公司",
    "private": "私营",
    "hmt": "港澳台商投资",
    "foreign": "外商投资",
    "other": "其他",
}
"""Chinese label of each ownership group."""

OWNERSHIP_LABELS_EN: dict[str, str] = {
    "state": "State-owned",
    "collective": "Collective",
    "corporate": "Joint-stock and limited liability",
    "private": "Private",
    "hmt": "Hong Kong, Macao or Taiwan-invested",
    "foreign": "Foreign-invested",
    "other": "Other",
}
"""English label of each ownership group."""

OWNERSHIP_GROUP_OF_TYPE: dict[str, str] = {
    # 内资: the purely state-owned types (as quotas.classify.DEFAULT_STATE_OWNED_CODES) ...
    "110": "state",
    "141": "state",
    "151": "state",
    # ... collective ones ...
    "120": "collective",
    "142": "collective",
    # ... companies (有限责任公司 other than 国有独资, 股份有限公司) ...
    "150": "corporate",
    "159": "corporate",
    "160": "corporate",
    # ... private (私营企业 and its four kinds) ...
    "170": "private",
    "171": "private",
    "172": "private",
    "173": "private",
    "174": "private",
    # ... and the rest: 股份合作, mixed or other joint operations, other domestic, the heading.
    "100": "other",
    "130": "other",
    "140": "other",
    "143": "other",
    "149": "other",
    "190": "other",
    # 港、澳、台商投资企业 and 外商投资企业, headings included.
    **{code: "hmt" for code in ("200", "210", "220", "230", "240", "290")},
    **{code: "foreign" for code in ("300", "310", "320", "330", "340", "390")},
}
"""Ownership group of each registration type code of 国统字〔1998〕200号 (all 31 codes)."""
