"""The tables of the design stages, as code: city statistics, allocation, sector targets,
population structure and quota table.

Each :class:`~basis.tables.TableKind` lists the columns one stage writes and the next reads
(canonical name, type, Chinese header), and has the one reader (:meth:`~basis.tables.TableKind.read`)
and writer (:meth:`~basis.tables.TableKind.write`) of that kind of table. They live here rather
than in :mod:`allocation`, which knows nothing of China: the allocation's table is written with
Chinese headers for the bureaus.

=================  =======================================  ========================================
kind               written by                                read by
=================  =======================================  ========================================
CITY_STATISTICS    the user (statistical yearbook)           ``empmon allocate``
EXISTING_PANEL     the user (last year's panel per city)     ``empmon allocate --existing``
ALLOCATION         ``empmon allocate``, ``CityAllocation``   ``split``, ``quotas``, ``audit --targets``
SECTOR_SHARES      the user (employment by sector)           ``empmon split --shares``
SECTOR_TARGETS     ``empmon split``                          ``empmon quotas --sector-targets``
STRUCTURE          ``sampling.structure``                    ``empmon quotas`` (instead of a register)
KEY_INDUSTRIES     the user (the cities' key industries)     ``empmon quotas``, ``audit --key-industries``
QUOTA_TABLE        ``empmon quotas --csv``, ``QuotaTable``   ``empmon select --quotas``
=================  =======================================  ========================================
"""

from __future__ import annotations

from basis.numbers import LARGEST_COUNT, LARGEST_NUMBER
from basis.tables import Column, TableKind

__all__ = [
    "ALLOCATION",
    "CITY_STATISTICS",
    "EXISTING_PANEL",
    "KEY_INDUSTRIES",
    "QUOTA_TABLE",
    "SECTOR_SHARES",
    "SECTOR_TARGETS",
    "STRUCTURE",
]

_CITY = Column(
    "city",
    "text",
    "城市",
    aliases=("地市", "所在地市", "市", "城市名称", "地区", "city_short", "city_name"),
    description="city in any accepted spelling (广州, 广州市, Guangzhou); read as the full name",
)
_CELL = (
    _CITY,
    Column("section", "text", "门类", aliases=("行业门类",), description="GB/T 4754 section A-T"),
    Column(
        "industry_group",
        "text",
        "行业组",
        required=False,
        description="the section or a division split off it (C39, A05; quotas.industry_groups); the section when absent",
    ),
    Column(
        "size_class",
        "text",
        "划型规模",
        description="large, medium, small or micro (国统字〔2011〕75号)",
    ),
    Column(
        "state_owned", "bool", "国有", aliases=("是否国有",), description="state-owned (True/False, 是/否)"
    ),
)

CITY_STATISTICS = TableKind(
    "city statistics",
    "One row per city: the city and numeric columns (employment, GDP, population, ...).",
    (_CITY,),
    other=Column("statistic", "number", "", maximum=LARGEST_NUMBER, blank=False),
    key=("city",),
)

EXISTING_PANEL = TableKind(
    "existing panel",
    "One row per city: the number of enterprises already monitored (a floor of the allocation).",
    (
        _CITY,
        Column(
            "existing",
            "count",
            "现有监测企业",
            aliases=(
                "panel",
                "existing_panel",
                "panel_enterprises",
                "现有监测企业数",
                "现有样本",
                "现有样本数",
            ),
            description="enterprises already in the panel",
        ),
    ),
    key=("city",),
)

ALLOCATION = TableKind(
    "allocation",
    "One row per city: the sample size allocated (CityAllocation.to_frame, empmon allocate -o).",
    (
        _CITY,
        Column(
            "allocated",
            "count",
            "样本量",
            aliases=("target", "目标数", "分配数", "样本数"),
            description="enterprises to monitor in the city",
        ),
        Column("share", "number", "份额", required=False, blank=True),
        Column("ideal", "number", "理想值", required=False, blank=True),
        Column("lower", "count", "下限", required=False, blank=True),
        Column("upper", "count", "上限", required=False, blank=True),
        Column("binding", "text", "约束", required=False, blank=True),
        Column("allocated_without_tilt", "count", "未倾斜样本量", required=False, blank=True),
        Column("share_without_tilt", "number", "未倾斜份额", required=False, blank=True),
        Column("tilt", "number", "倾斜系数", required=False, blank=True),
        Column("minimum", "count", "最低样本量", required=False, blank=True),
        Column("existing", "count", "现有监测企业", required=False, blank=True),
    ),
    key=("city",),
)

SECTOR_SHARES = TableKind(
    "sector shares",
    "One row per city: a column per category (secondary, tertiary) with its weight or share.",
    (_CITY,),
    other=Column("share", "number", "", maximum=LARGEST_NUMBER, blank=False),
    key=("city",),
)

SECTOR_TARGETS = TableKind(
    "sector targets",
    "One row per city: a column per category with its count of enterprises (empmon split -o).",
    (_CITY,),
    other=Column("target", "count", "", maximum=LARGEST_COUNT, blank=False),
    key=("city",),
)

KEY_INDUSTRIES = TableKind(
    "key industries",
    "One row per city and key industry: a GB/T 4754-2011 division with an optional minimum share "
    "(quotas.industry_groups.check_key_industries).",
    (
        _CITY,
        Column(
            "division",
            "text",
            "重点行业",
            aliases=("industry_group", "industry", "行业", "行业代码", "支柱产业", "行业大类"),
            description="division (39 or C39), or a section letter for the whole section",
        ),
        Column(
            "min_share",
            "number",
            "最低占比",
            required=False,
            blank=True,
            maximum=1.0,
            description="the key industry's minimum share of the city's sample; blank for none",
        ),
    ),
    key=("city", "division"),
)

STRUCTURE = TableKind(
    "structure",
    "One row per cell of the register: enterprises and employment (sampling.structure).",
    (
        *_CELL,
        Column("enterprises", "count", "企业数", description="enterprises in the cell"),
        Column("employment", "count", "从业人员", description="their employees"),
        Column("enterprises_50_300", "count", "50-300人企业数", required=False),
        Column("panel", "count", "现有监测企业", required=False),
    ),
    key=("city", "section", "industry_group", "size_class", "state_owned"),
)

QUOTA_TABLE = TableKind(
    "quota table",
    "One row per cell: the quota of enterprises to monitor (QuotaTable.to_frame, empmon quotas --csv).",
    (
        *_CELL,
        Column("quota", "count", "配额", description="enterprises to monitor in the cell"),
        Column("ideal", "number", "理想值", required=False, blank=True),
        Column("available", "count", "企业数", required=False, blank=True),
        Column("panel", "count", "现有监测企业", required=False, blank=True),
        Column("enterprises_50_300", "count", "50-300人企业数", required=False, blank=True),
    ),
    key=("city", "section", "industry_group", "size_class", "state_owned"),
)
