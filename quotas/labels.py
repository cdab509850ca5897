"""Codes and labels of the classifications the cells use: size classes and sectors.

The canonical values in tables are the English codes (``large`` ... ``micro``) and the sector
numbers 1/2/3; the Chinese labels are what a city bureau reads in Excel, HTML and plots.

References
----------
国家统计局, 统计上大中小微型企业划分办法 (国统字〔2011〕75号): 大型, 中型, 小型, 微型.

国家统计局, 三次产业划分规定 (2012): 第一产业, 第二产业, 第三产业.
"""

from __future__ import annotations

__all__ = [
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
