"""The tables of the sampling stages, as code: register, sample and audit report.

Each :class:`~basis.tables.TableKind` lists the columns one stage writes and the next reads
(canonical name, type, Chinese header), with the one reader and writer of that kind.

=============  ============================================  ======================================
kind           written by                                    read by
=============  ============================================  ======================================
REGISTER       the user (the enterprise register)            ``read_frame``, ``empmon quotas``,
                                                             ``select``, ``audit --population``
SAMPLE         ``Sample.to_frame`` / ``to_excel``,           ``read_sample``, ``empmon audit``
               ``empmon select -o``
AUDIT_REPORT   ``AuditReport.to_frame``, ``empmon audit -o``  the user
=============  ============================================  ======================================

The register's accepted headers are :data:`sampling.frame.HEADER_ALIASES`; its values are
checked by :func:`sampling.prepare.validate_frame`. The sample's Chinese headers are those of the
monitored enterprises' registration form (企业名称, 统一社会信用代码, 企业性质, 所属行业, 所在地市,
从业人员) and of the library's own columns (门类, 划型规模, 国有, 样本类型, ...);
:func:`sampling.read.read_sample` reads both.
"""

from __future__ import annotations

from basis.numbers import LARGEST_EMPLOYEES
from basis.tables import Column, TableKind
from sampling.frame import HEADER_ALIASES

__all__ = ["AUDIT_REPORT", "REGISTER", "SAMPLE"]


def _aliases(name: str) -> tuple[str, ...]:
    return tuple(a for a in HEADER_ALIASES[name][1:] if a != name)


REGISTER = TableKind(
    "register",
    "One row per enterprise of the register (名录库): its id, city, industry, registration type and size.",
    (
        Column("enterprise_id", "text", "统一社会信用代码", aliases=_aliases("enterprise_id")),
        Column("name", "text", "企业名称", required=False, blank=True, aliases=_aliases("name")),
        Column("city", "text", "所在地市", aliases=_aliases("city")),
        Column("industry", "text", "所属行业", aliases=_aliases("industry"), description="GB/T 4754 code"),
        Column(
            "registration_type",
            "text",
            "企业性质",
            aliases=_aliases("registration_type"),
            description="国统字〔1998〕200号 code or name",
        ),
        Column("employees", "count", "从业人员", aliases=_aliases("employees"), maximum=LARGEST_EMPLOYEES),
        Column("revenue", "number", "营业收入", required=False, blank=True, aliases=_aliases("revenue")),
        Column("assets", "number", "资产总额", required=False, blank=True, aliases=_aliases("assets")),
        Column("in_panel", "bool", "是否监测企业", required=False, aliases=_aliases("in_panel")),
        Column("status", "text", "状态", required=False, blank=True, aliases=_aliases("status")),
        Column("prn", "number", "永久随机数", required=False, aliases=_aliases("prn")),
    ),
    key=("enterprise_id",),
)

SAMPLE = TableKind(
    "sample",
    "One row per enterprise of a drawn sample (Sample.to_frame), reserves and removals included.",
    (
        Column("enterprise_id", "text", "统一社会信用代码"),
        Column("city", "text", "所在地市"),
        Column("section", "text", "门类"),
        Column("industry_group", "text", "行业组", required=False, blank=True),
        Column("size_class", "text", "划型规模"),
        Column("state_owned", "bool", "国有"),
        Column("role", "text", "样本类型", description="panel, new, reserve or removed"),
        Column("pi", "number", "入样概率", required=False, blank=True),
        Column("weight", "number", "设计权数", required=False, blank=True),
        Column("prn", "number", "永久随机数", required=False, blank=True),
        Column("reason", "text", "剔除原因", required=False, blank=True),
        Column("reserve_rank", "count", "备选顺序", required=False, blank=True),
        Column("replaces", "text", "替换企业", required=False, blank=True),
        Column("name", "text", "企业名称", required=False, blank=True),
        Column("industry", "text", "所属行业", required=False, blank=True),
        Column("registration_type", "text", "企业性质", required=False, blank=True),
        Column("employees", "count", "从业人员", required=False, blank=True, maximum=LARGEST_EMPLOYEES),
    ),
    key=("enterprise_id",),
)

AUDIT_REPORT = TableKind(
    "audit report",
    "One row per city and rule (AuditReport.to_frame, empmon audit -o).",
    (
        Column("city", "text", "城市"),
        Column("rule", "text", "规则"),
        Column("observed", "number", "实际值", blank=True),
        Column("limit", "number", "限值", blank=True),
        Column("status", "text", "结果", description="pass, fail, warn or skipped"),
        Column("message_zh", "text", "说明", blank=True),
        Column("message_en", "text", "message", blank=True),
        Column("kind", "text", "类别", required=False, blank=True),
    ),
)
