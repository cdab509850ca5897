"""The ministry's sample-composition rules as data.

A :class:`Rule` is one requirement of an official document, with its Chinese and English text,
its source, whether it is hard or soft (the documents' "原则上" rules are soft: they may be relaxed,
and every relaxation is reported), where it applies (each city, or the province total) and its
numeric limit. A :class:`RuleSet` is a named, immutable collection. The presets are

* :data:`MOHRSS_2011` - 人社部函〔2011〕308号, the per-city rules of the unemployment dynamic
  monitoring since 2011;
* :data:`MOHRSS_2009` - 人社部发〔2009〕152号, its 2009 predecessor (30 per city, 90 per
  municipality);
* :data:`GUANGDONG_2013` - MOHRSS 2011 plus the Guangdong plan's secondary / tertiary split and
  its province-level control of 50-300-employee enterprises.

Rule ids (the names :meth:`RuleSet.replace` takes):

=====================  =====  ========  =====================================================
id                     kind   scope     limit
=====================  =====  ========  =====================================================
``min_count``          hard   city      tier scheme name (``"mohrss-2011"``) or an int
``top_industries``     hard   city      number of top sections by employment (10)
``pillar_industries``  hard   city      at least one enterprise in each key / pillar industry
``manufacturing_max``  soft   city      share of section C in the city's sample (0.40)
``sme_min``            hard   city      share of small + medium (0.60)
``micro_excluded``     soft   city      share of micro enterprises allowed (0.0)
``state_owned_max``    soft   city      share of state-owned enterprises (1/3)
``large_max``          hard   city      share of large enterprises (None: no limit)
``proportional_mix``   soft   city      objective: size and ownership as in the population
``ownership_mix``      soft   city      each ownership group's share within 0.10 of the register's
``min_employees``      soft   city      new units have at least 10 employees (2009)
``sector_split``       hard   city      match secondary / tertiary targets (Guangdong)
``key_industries``     soft   city      each key industry's minimum share (Guangdong)
``band_50_300_min``    soft   province  share of 50-300-employee enterprises (Guangdong)
=====================  =====  ========  =====================================================
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from typing import Any, Literal

import pandas as pd

from basis.results import Result
from quotas.exceptions import RuleError
from quotas.tiers import MINIMUM_SCHEMES

__all__ = [
    "BAND_FACTOR",
    "GUANGDONG_2013",
    "MIN_EMPLOYEES",
    "OWNERSHIP_TOLERANCE",
    "MOHRSS_2009",
    "MOHRSS_2011",
    "PRESETS",
    "RegisterShare",
    "Rule",
    "RuleSet",
    "get_rules",
]

Kind = Literal["hard", "soft"]
Scope = Literal["city", "province"]

DOC_2011 = "人社部函〔2011〕308号"
DOC_2009 = "人社部发〔2009〕152号"
DOC_GD_2013 = "广东省全省企业用工定点监测扩面组织实施方案(2013)"
DOC_SIZE = "国统字〔2011〕75号"

MIN_EMPLOYEES = 10
"""The 2009 rules' "单位用工达到一定规模" gives no number: 10 employees, the lowest employee limit of a
small enterprise in most industry groups of 国统字〔2011〕75号 (retail, hotels, software, leasing and
business services, the 其他未列明 group), is this library's documented default. Groups sized by
revenue or assets alone (agriculture, construction, real estate) can be small with fewer."""

OWNERSHIP_TOLERANCE = 0.10
"""How far (in share, 10 percentage points) an ownership group's share of a city's sample may be
from its share of the register before ``ownership_mix`` warns: the documents ask to cover all
kinds of ownership in proportion to the local structure without a number."""

BAND_FACTOR = 1.2
"""How much the Guangdong plan's 50-300 band is raised above the register's share: "适度增加"
(increase moderately) read as one fifth more, this library's documented choice."""


@dataclass(frozen=True)
class RegisterShare:
    """A minimum share set from the register: ``factor`` x the register's own share, at most 1.

    The limit of a share rule that the documents tie to the statistics rather than to a number
    (the Guangdong plan's 50-300 band: "参考统计部门数据 ... 适度增加"). Where the register's share
    is measured is said by the rule that uses it (:data:`GUANGDONG_2013`).

    Examples
    --------
    >>> from quotas.rules import RegisterShare
    >>> RegisterShare(1.2).of(0.30)
    0.36
    >>> RegisterShare(1.2).of(0.9)
    1.0
    """

    factor: float

    def __post_init__(self) -> None:
        f = self.factor
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 < f < float("inf"):
            raise RuleError(f"RegisterShare: factor must be a positive number, got {f!r}")

    def of(self, register_share: float) -> float:
        """The minimum share for a register whose share is ``register_share``."""
        return min(1.0, round(self.factor * float(register_share), 12))

    def __repr__(self) -> str:
        return f"RegisterShare({self.factor!r})"


@dataclass(frozen=True)
class Rule:
    """One rule of an official document.

    Attributes
    ----------
    id : str
        Stable identifier, used in constraint names, audit rows and :meth:`RuleSet.replace`.
    description_zh, description_en : str
        The rule in Chinese (as the document words it) and English.
    source : str
        The document, e.g. ``"人社部函〔2011〕308号"``.
    kind : {"hard", "soft"}
        Soft rules ("原则上") may be relaxed; every relaxation is reported.
    scope : {"city", "province"}
        Whether the rule holds in each city or only on the province total.
    limit : object
        The rule's parameter (a share, a count, a scheme name, a tuple of sections, or None
        for "no limit").
    """

    id: str
    description_zh: str
    description_en: str
    source: str
    kind: Kind = "hard"
    scope: Scope = "city"
    limit: Any = None

    def __post_init__(self) -> None:
        if self.kind not in ("hard", "soft"):
            raise RuleError(f"rule {self.id!r}: kind must be 'hard' or 'soft', got {self.kind!r}")
        if self.scope not in ("city", "province"):
            raise RuleError(f"rule {self.id!r}: scope must be 'city' or 'province', got {self.scope!r}")
        _check_limit(self.id, self.limit)

    def relaxed(self) -> bool:
        """Whether the rule may be relaxed (soft)."""
        return self.kind == "soft"


_SHARE_RULES = {
    "manufacturing_max",
    "sme_min",
    "micro_excluded",
    "state_owned_max",
    "large_max",
    "band_50_300_min",
}


def _check_limit(rule_id: str, limit: Any) -> None:
    if rule_id == "band_50_300_min" and isinstance(limit, RegisterShare):
        return
    if rule_id in _SHARE_RULES and limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 <= limit <= 1:
            raise RuleError(f"rule {rule_id!r}: limit must be a share between 0 and 1, got {limit!r}")
    if rule_id == "min_count" and limit is not None:
        if isinstance(limit, str):
            if limit not in MINIMUM_SCHEMES:
                raise RuleError(
                    f"rule 'min_count': unknown scheme {limit!r}; valid: {sorted(MINIMUM_SCHEMES)}"
                )
        elif isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise RuleError(f"rule 'min_count': limit must be a scheme name or an int >= 0, got {limit!r}")
    if rule_id == "ownership_mix" and limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 <= limit <= 1:
            raise RuleError(f"rule 'ownership_mix': limit must be a share between 0 and 1, got {limit!r}")
    if rule_id == "min_employees" and limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise RuleError(f"rule 'min_employees': limit must be an int >= 1, got {limit!r}")
    if rule_id == "top_industries" and limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 20:
            raise RuleError(f"rule 'top_industries': limit must be an int from 1 to 20, got {limit!r}")


@dataclass(frozen=True, eq=False, repr=False)
class RuleSet(Result):
    """A named, immutable collection of :class:`Rule` objects.

    Attributes
    ----------
    name : str
        Short ASCII name (the presets' names are what :func:`get_rules` and the command line
        take, e.g. ``"mohrss-2011"``).
    rules : tuple of Rule
        The rules, in order.
    document : str
        The document the set comes from, as it names itself (e.g. ``"人社部函〔2011〕308号"``);
        empty for a set a user put together.

    Its ``repr`` is one line (so ``help()`` of a function taking a rule set stays short);
    ``print`` shows :meth:`summary`, one line per rule.

    Examples
    --------
    >>> from quotas.rules import MOHRSS_2011
    >>> MOHRSS_2011["manufacturing_max"].limit
    0.4
    >>> stricter = MOHRSS_2011.replace(manufacturing_max=0.35)
    >>> stricter["manufacturing_max"].limit, MOHRSS_2011["manufacturing_max"].limit
    (0.35, 0.4)
    >>> "sector_split" in MOHRSS_2011, "sector_split" in GUANGDONG_2013
    (False, True)
    """

    name: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    document: str = ""

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for rule in self.rules:
            if not isinstance(rule, Rule):
                raise RuleError(f"rule set {self.name!r}: {rule!r} is not a Rule")
            if rule.id in seen:
                raise RuleError(f"rule set {self.name!r}: duplicate rule id {rule.id!r}")
            seen.add(rule.id)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __contains__(self, rule_id: object) -> bool:
        return any(r.id == rule_id for r in self.rules)

    def __getitem__(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"rule set {self.name!r} has no rule {rule_id!r}; it has {self.ids}")

    def get(self, rule_id: str) -> Rule | None:
        """The rule with that id, or None."""
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def ids(self) -> list[str]:
        """Rule ids in order."""
        return [r.id for r in self.rules]

    def limit(self, rule_id: str) -> Any:
        """The limit of a rule, or None when the set does not have it."""
        rule = self.get(rule_id)
        return None if rule is None else rule.limit

    def replace(self, *, name: str | None = None, **changes: Any) -> RuleSet:
        """A copy with some rules changed.

        Parameters
        ----------
        name : str, optional
            Name of the new set (default: this name + " (modified)").
        **changes
            ``rule_id=value``. A :class:`Rule` replaces the rule; a mapping updates its fields
            (``state_owned_max={"kind": "hard"}``); any other value becomes its ``limit``.

        Raises
        ------
        RuleError
            For an id the set does not have (the message lists the ids it has).
        """
        new_rules = list(self.rules)
        for rule_id, value in changes.items():
            idx = next((i for i, r in enumerate(new_rules) if r.id == rule_id), None)
            if idx is None:
                raise RuleError(
                    f"rule set {self.name!r} has no rule {rule_id!r}; it has {self.ids} "
                    "(use .add() for a new rule)"
                )
            if isinstance(value, Rule):
                new_rules[idx] = value
            elif isinstance(value, Mapping):
                new_rules[idx] = dc_replace(new_rules[idx], **dict(value))
            else:
                new_rules[idx] = dc_replace(new_rules[idx], limit=value)
        return RuleSet(name or f"{self.name} (modified)", tuple(new_rules), self._document(name))

    def _document(self, name: str | None) -> str:
        # A modified set is no longer the document's; a renamed one (a new preset) keeps it.
        return self.document if name is not None else ""

    def add(self, rule: Rule, *, name: str | None = None) -> RuleSet:
        """A copy with one more rule."""
        return RuleSet(name or f"{self.name} (modified)", (*self.rules, rule), self._document(name))

    def without(self, *rule_ids: str, name: str | None = None) -> RuleSet:
        """A copy without the named rules."""
        for rule_id in rule_ids:
            self[rule_id]  # raises KeyError naming the id
        kept = tuple(r for r in self.rules if r.id not in rule_ids)
        return RuleSet(name or f"{self.name} (modified)", kept, self._document(name))

    def to_frame(self) -> pd.DataFrame:
        """One row per rule: id, kind, scope, limit, description_zh, description_en, source."""
        return pd.DataFrame(
            [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "scope": r.scope,
                    "limit": r.limit,
                    "description_zh": r.description_zh,
                    "description_en": r.description_en,
                    "source": r.source,
                }
                for r in self.rules
            ],
            columns=["id", "kind", "scope", "limit", "description_zh", "description_en", "source"],
        )

    def headline(self) -> str:
        """One line: the name, the document and the number of hard and soft rules.

        Examples
        --------
        >>> from quotas.rules import MOHRSS_2011
        >>> MOHRSS_2011
        <RuleSet: 'mohrss-2011' (人社部函〔2011〕308号), 11 rules: 5 hard, 6 soft>
        """
        hard = sum(r.kind == "hard" for r in self.rules)
        document = f" ({self.document})" if self.document else ""
        return f"{self.name!r}{document}, {len(self.rules)} rules: {hard} hard, {len(self.rules) - hard} soft"

    def summary(self) -> str:
        """A plain-text table of the rules, one line each."""
        lines = [f"RuleSet {self.headline()}"]
        for r in self.rules:
            lines.append(f"  {r.id:<18} {r.kind:<4} {r.scope:<8} limit={r.limit!r:<14} {r.description_en}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (r.id, r.kind, r.scope, r.limit, r.description_zh, r.description_en, r.source)
            )
            + "</tr>"
            for r in self.rules
        )
        head = "".join(f"<th>{h}</th>" for h in ("id", "kind", "scope", "limit", "规则", "rule", "source"))
        return f"<p><b>RuleSet {html.escape(self.headline())}</b></p><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


_MIN_EMPLOYEES_RULE = Rule(
    "min_employees",
    "单位用工达到一定规模",
    "New monitored units have at least the minimum number of employees (the document gives no number)",
    DOC_2009,
    # Soft: the document names no size, so the number is a parameter; a unit below it is
    # reported rather than refused.
    kind="soft",
    limit=MIN_EMPLOYEES,
)

_MOHRSS_2011_RULES: tuple[Rule, ...] = (
    Rule(
        "min_count",
        "监测企业数量:直辖市不少于300户,人口100万以上城市不少于60户,50万-100万人口城市不少于45户,50万以下城市不少于30户",
        "Minimum monitored enterprises per city: municipality 300; population >= 1 million 60; 0.5-1 million 45; below 0.5 million 30",
        DOC_2011,
        kind="hard",
        limit="mohrss-2011",
    ),
    Rule(
        "top_industries",
        "从本地区就业人数排名前10位的行业中选取,并包括本地支柱产业",
        "Industries chosen from the city's top 10 sections by employment, plus its pillar industries",
        DOC_2011,
        kind="hard",
        limit=10,
    ),
    Rule(
        "pillar_industries",
        "包括本地支柱产业",
        "Every key or pillar industry of the city (a GB/T 4754 division or section) is represented",
        DOC_2011,
        kind="hard",
        limit=None,
    ),
    Rule(
        "manufacturing_max",
        "制造业企业原则上不超过40%",
        "Manufacturing (section C) at most 40% of the city's sample",
        DOC_2011,
        kind="soft",
        limit=0.40,
    ),
    Rule(
        "sme_min",
        "中小型企业不得低于60%",
        "Small and medium enterprises at least 60% of the city's sample",
        DOC_2011,
        kind="hard",
        limit=0.60,
    ),
    Rule(
        "micro_excluded",
        "微型企业原则上不纳入",
        "Micro enterprises are not included",
        DOC_2011,
        kind="soft",
        limit=0.0,
    ),
    Rule(
        "state_owned_max",
        "国有企业原则上不超过1/3",
        "State-owned enterprises at most one third of the city's sample",
        DOC_2011,
        kind="soft",
        limit=1 / 3,
    ),
    Rule(
        "large_max",
        "适当限制大型企业比例",
        "Share of large enterprises limited (a user-set maximum; none by default)",
        DOC_2011,
        kind="hard",
        limit=None,
    ),
    Rule(
        "proportional_mix",
        "大中小型企业及所有制结构与本地结构相适应",
        "Size and ownership mix in proportion to the local structure (the objective)",
        DOC_2011,
        kind="soft",
        limit=None,
    ),
    Rule(
        "ownership_mix",
        "兼顾各类所有制企业",
        "All kinds of ownership covered: each ownership group's share of the city's sample near its "
        "share of the register (at most the limit apart)",
        DOC_2011,
        kind="soft",
        limit=OWNERSHIP_TOLERANCE,
    ),
    _MIN_EMPLOYEES_RULE,
)

MOHRSS_2011 = RuleSet("mohrss-2011", _MOHRSS_2011_RULES, DOC_2011)
"""Per-city rules of 人社部函〔2011〕308号."""

MOHRSS_2009 = MOHRSS_2011.replace(
    name="mohrss-2009",
    min_count=Rule(
        "min_count",
        "每个监测城市不少于30户企业,直辖市不少于90户",
        "At least 30 enterprises per monitoring city, 90 per municipality",
        DOC_2009,
        kind="hard",
        limit="mohrss-2009",
    ),
).without(
    "top_industries",
    "pillar_industries",
    "manufacturing_max",
    "sme_min",
    "micro_excluded",
    "state_owned_max",
    "ownership_mix",
    name="mohrss-2009",
)
MOHRSS_2009 = dc_replace(MOHRSS_2009, document=DOC_2009)
"""人社部发〔2009〕152号: the minimum count per city (30; 90 per municipality), a proportional mix and
the unit size ("单位用工达到一定规模", :data:`MIN_EMPLOYEES`)."""

GUANGDONG_2013 = (
    MOHRSS_2011.add(
        Rule(
            "sector_split",
            "各市样本按二、三产业从业人员和GDP比重分配",
            "Each city's sample split between secondary and tertiary industry as in its sector targets",
            DOC_GD_2013,
            # Hard: annex 1 gives each city its secondary and tertiary task, which the quotas
            # meet exactly. Cells that carry the sector (industry groups, where divisions 05,
            # 11 and 43 are tertiary) make it exact; quotas.build_quotas refuses cells of
            # sections that could hide those divisions.
            kind="hard",
            limit=None,
        )
    )
    .add(
        Rule(
            "key_industries",
            "重点行业(各市给定的行业大类)达到其最低比例",
            "A city's key industries (重点行业) get at least their minimum share of its sample",
            DOC_GD_2013,
            kind="soft",
            limit=None,
        )
    )
    .add(
        Rule(
            "band_50_300_min",
            "增加中小企业样本(用工规模位于50-300人区间),全省总量控制",
            "More enterprises with 50-300 employees, controlled on the province total (a minimum share)",
            DOC_GD_2013,
            kind="soft",
            scope="province",
            limit=RegisterShare(BAND_FACTOR),
        ),
        name="guangdong-2013",
    )
)
GUANGDONG_2013 = dc_replace(GUANGDONG_2013, document=DOC_GD_2013)
"""The Guangdong 2013 plan: MOHRSS 2011, the secondary / tertiary split, key industries and the
50-300 band.

The split is hard: annex 1 of the plan gives each city its task "其中第二产业 / 第三产业" (e.g.
云浮 182 = 99 + 83), and :func:`quotas.build_quotas` meets it exactly on cells that carry the
sector (industry groups of :mod:`quotas.industry_groups`, where divisions 05, 11 and 43 are
tertiary as 三次产业划分规定 has them). Cells of sections cannot separate those divisions, so a
structure without ``industry_group`` is refused for the cities with cells in sections A, B or C
(the error says what to do); ``GUANGDONG_2013.replace(sector_split={"kind": "soft"})`` accepts
a split met on sections and reports any deviation instead.

The plan asks for more 50-300-employee enterprises "参考统计部门数据, 通过全省总量控制的方式,
适度增加": from the statistics, on the province total, moderately. The minimum share is
therefore the register's: ``RegisterShare(BAND_FACTOR)``, the share of 50-300-employee
enterprises among the province's enterprises in the structure (in business; micro left out
when ``micro_excluded`` is 0, since they cannot be chosen) raised by :data:`BAND_FACTOR`, a
parameter (``GUANGDONG_2013.replace(band_50_300_min=RegisterShare(1.5))``, or a fixed share
such as ``0.5``). :func:`quotas.build_quotas` applies it when the structure has an
``enterprises_50_300`` column (counting the expected number of such enterprises, quota x
enterprises_50_300 / enterprises per cell) and otherwise says in the result's notes that it
was not applied.
"""

PRESETS: dict[str, RuleSet] = {
    "mohrss-2011": MOHRSS_2011,
    "mohrss-2009": MOHRSS_2009,
    "guangdong-2013": GUANGDONG_2013,
}


def get_rules(rules: RuleSet | str) -> RuleSet:
    """A rule set from a preset name (``"mohrss-2011"``, ``"mohrss-2009"``, ``"guangdong-2013"``).

    Examples
    --------
    >>> from quotas.rules import get_rules
    >>> get_rules("mohrss-2011").name
    'mohrss-2011'
    """
    if isinstance(rules, RuleSet):
        return rules
    key = str(rules).strip().lower().replace("_", "-")
    if key not in PRESETS:
        raise RuleError(f"unknown rule set {rules!r}; valid: {sorted(PRESETS)}")
    return PRESETS[key]
