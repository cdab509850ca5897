"""Explaining an infeasible quota problem: a minimal set of conflicting rules, in words.

When no quota table meets every hard rule of a city, :func:`deletion_filter` finds a minimal
conflicting subset of the city's constraint groups (its hard rules plus the data items
``target``, ``capacity`` and ``panel``), and :func:`describe_conflict` turns that subset into a
sentence with the numbers involved, e.g. "target 40 needs >= 24 non-manufacturing enterprises
outside micro; the frame has 17".

References
----------
Chinneck, J. W. and Dravnieks, E. W. (1991). Locating minimal infeasible constraint sets in
linear programs. ORSA Journal on Computing 3(2), 157-168 (the deletion filter).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from quotas.industry_groups import group_matches, sector_of_group
from quotas.labels import SECTOR_NAMES

__all__ = ["DATA_GROUPS", "CityFacts", "deletion_filter", "describe_conflict"]

DATA_GROUPS: tuple[str, ...] = ("target", "capacity", "panel")
"""Constraint groups that come from the data rather than a rule: the city's target (the quotas
sum to it), capacity (a quota never exceeds the enterprises in its cell) and the existing
panel (a quota never falls below the panel enterprises already in its cell)."""

_TOL = 1e-9


def deletion_filter(groups: Sequence[str], is_feasible: Callable[[frozenset[str]], bool]) -> list[str]:
    """A minimal infeasible subset of constraint groups, by the deletion filter.

    Parameters
    ----------
    groups : sequence of str
        Constraint groups that together are infeasible, in the order they are tried for
        deletion (groups tried first are the most likely to be left out of the answer).
    is_feasible : callable
        ``is_feasible(subset)`` solves the problem with only the groups in ``subset``.

    Returns
    -------
    list of str
        A subset of ``groups`` (in their order) that is infeasible while every proper subset
        obtained by deleting one group is feasible.

    References
    ----------
    Chinneck and Dravnieks (1991), the deletion filter.

    Examples
    --------
    Groups "a" and "c" conflict; "b" is innocent:

    >>> from quotas.infeasibility import deletion_filter
    >>> deletion_filter(["a", "b", "c"], lambda s: not {"a", "c"} <= s)
    ['a', 'c']
    """
    kept = list(groups)
    for group in list(groups):
        trial = frozenset(g for g in kept if g != group)
        if not is_feasible(trial):
            kept = [g for g in kept if g != group]
    return kept


@dataclass(frozen=True)
class CityFacts:
    """What :func:`describe_conflict` needs to know about one city.

    Attributes
    ----------
    city : str
        Full city name.
    target : int
        The city's sample size.
    cells : DataFrame
        One row per cell: ``section, size_class, state_owned, available, panel, top``
        (``top``: the cell may receive new enterprises under ``top_industries``), optionally
        ``industry_group`` (default: the section) and ``sector`` (``primary`` / ``secondary`` /
        ``tertiary``; default: that of the industry group).
    share_rules : dict
        ``rule id -> (sense, limit)`` of the share rules applied as hard constraints, sense
        ``"<="`` or ``">="``.
    top_k : int or None
        The ``top_industries`` limit, when the rule applies.
    pillars : tuple of str
        Key and pillar industries of the city (industry group codes, e.g. ``"C39"`` or ``"C"``).
    sector_targets : dict
        ``sector name -> target`` when ``sector_split`` applies.
    key_shares : dict
        ``industry group -> minimum share`` of the key industries applied as hard constraints.
    """

    city: str
    target: int
    cells: pd.DataFrame
    share_rules: dict[str, tuple[str, float]] = field(default_factory=dict)
    top_k: int | None = None
    pillars: tuple[str, ...] = ()
    sector_targets: dict[str, int] = field(default_factory=dict)
    key_shares: dict[str, float] = field(default_factory=dict)

    def groups(self) -> pd.Series:
        """The cells' industry groups (the sections when the cells have none)."""
        return self.cells["industry_group"] if "industry_group" in self.cells else self.cells["section"]

    def sectors(self) -> pd.Series:
        """The cells' sector names."""
        if "sector" in self.cells:
            return self.cells["sector"]
        return sector_of_group(self.groups()).map(SECTOR_NAMES)


# For each share rule: (label of the enterprises it requires, mask of those enterprises).
_REQUIRED: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "manufacturing_max": ("non-manufacturing", lambda c: c["section"] != "C"),
    "state_owned_max": ("non-state-owned", lambda c: ~c["state_owned"].astype(bool)),
    "large_max": ("non-large", lambda c: c["size_class"] != "large"),
    "micro_excluded": ("non-micro", lambda c: c["size_class"] != "micro"),
    "sme_min": ("small or medium", lambda c: c["size_class"].isin(["small", "medium"])),
}
# The enterprises each share rule limits (the complement of the required ones for "<=").
_LIMITED: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "manufacturing_max": ("manufacturing", lambda c: c["section"] == "C"),
    "state_owned_max": ("state-owned", lambda c: c["state_owned"].astype(bool)),
    "large_max": ("large", lambda c: c["size_class"] == "large"),
    "micro_excluded": ("micro", lambda c: c["size_class"] == "micro"),
    "sme_min": ("large or micro", lambda c: ~c["size_class"].isin(["small", "medium"])),
}


def _required_count(rule: str, sense: str, limit: float, n: int) -> int:
    """Enterprises of the rule's required kind that a target of n needs."""
    if sense == ">=":
        return math.ceil(limit * n - _TOL)
    return n - math.floor(limit * n + _TOL)


def _allowed_count(rule: str, sense: str, limit: float, n: int) -> int:
    """Enterprises of the kind the rule limits that a target of n allows."""
    if sense == ">=":
        return n - math.ceil(limit * n - _TOL)
    return math.floor(limit * n + _TOL)


def _filters(facts: CityFacts, conflict: set[str]) -> tuple[pd.Series, str]:
    """Mask of the cells the conflicting rules leave open, and its wording."""
    cells = facts.cells
    mask = pd.Series(True, index=cells.index)
    words = []
    micro = facts.share_rules.get("micro_excluded")
    if "micro_excluded" in conflict and micro is not None and micro[1] == 0:
        mask &= cells["size_class"] != "micro"
        words.append(" outside micro")
    if "top_industries" in conflict:
        mask &= cells["top"].astype(bool)
        open_sections = sorted(set(cells.loc[cells["top"].astype(bool), "section"]))
        pillar = " and key industries" if facts.pillars else ""
        words.append(f" in its top {facts.top_k} sections{pillar} ({', '.join(open_sections) or 'none'})")
    return mask, "".join(words)


def describe_conflict(facts: CityFacts, conflict: Iterable[str]) -> str:
    """One sentence explaining why a minimal set of constraint groups cannot all hold.

    Parameters
    ----------
    facts : CityFacts
        The city's target, cells and rule limits.
    conflict : iterable of str
        Rule ids and data groups (:data:`DATA_GROUPS`) found by :func:`deletion_filter`.

    Returns
    -------
    str
        The explanation without the city name, e.g. ``"target 40 needs >= 24
        non-manufacturing enterprises outside micro; the frame has 17"``. Conflicts without a
        specific wording are named by their rules with the target.

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas.infeasibility import CityFacts, describe_conflict
    >>> cells = pd.DataFrame({"section": ["C", "F"], "size_class": ["small", "small"],
    ...                       "state_owned": [False, False], "available": [50, 17],
    ...                       "panel": [0, 0], "top": [True, True]})
    >>> facts = CityFacts("湛江市", 40, cells, share_rules={"manufacturing_max": ("<=", 0.4)})
    >>> describe_conflict(facts, ["target", "capacity", "manufacturing_max"])
    'target 40 needs >= 24 non-manufacturing enterprises; the frame has 17'
    """
    conflict = set(conflict)
    n = facts.target
    cells = facts.cells
    share = [r for r in conflict if r in facts.share_rules]
    open_mask, where = _filters(facts, conflict)
    # Shares treated as filters (micro excluded at 0) are not requirements.
    if "micro_excluded" in share and facts.share_rules["micro_excluded"][1] == 0 and "capacity" in conflict:
        share.remove("micro_excluded")

    if {"target", "panel"} == conflict:
        total = int(cells["panel"].sum())
        return f"target {n} is below the {total} panel enterprises already monitored (the panel is kept)"

    if {"panel", "top_industries"} == conflict:
        outside = cells[~cells["top"].astype(bool) & (cells["panel"] > 0)]
        secs = ", ".join(sorted(set(outside["section"])))
        return (
            f"the panel has {int(outside['panel'].sum())} enterprises in section(s) {secs}, outside "
            f"the top {facts.top_k} sections by employment (the panel is kept)"
        )

    if "panel" in conflict and len(share) == 1 and conflict <= {"panel", "target", share[0]}:
        rule = share[0]
        sense, limit = facts.share_rules[rule]
        label, limited = _LIMITED[rule]
        have = int(cells.loc[limited(cells), "panel"].sum())
        allowed = _allowed_count(rule, sense, limit, n)
        if have > allowed:
            return (
                f"the panel already has {have} {label} enterprises; {rule} allows at most {allowed} "
                f"of target {n} (the panel is kept)"
            )

    groups = facts.groups()
    if "pillar_industries" in conflict and "capacity" in conflict and "target" not in conflict:
        empty = [
            s
            for s in facts.pillars
            if cells.loc[open_mask & group_matches(groups, s), "available"].sum() == 0
        ]
        if empty:
            return f"pillar industry(ies) {', '.join(empty)} have no enterprises{where} in the frame"

    if {"target", "pillar_industries"} == conflict and n < len(facts.pillars):
        return f"target {n} is below the {len(facts.pillars)} pillar industries that each need an enterprise"

    if "key_industries" in conflict and "capacity" in conflict:
        for code, share in facts.key_shares.items():
            need = math.ceil(share * n - _TOL)
            have = int(cells.loc[open_mask & group_matches(groups, code), "available"].sum())
            if have < need:
                return (
                    f"key industry {code} needs >= {need} enterprises ({share:.0%} of target {n}){where}; "
                    f"the frame has {have}"
                )

    if "key_industries" in conflict and "target" in conflict and "capacity" not in conflict:
        need = sum(math.ceil(share * n - _TOL) for share in facts.key_shares.values())
        if need > n:
            return f"the key industries' minimum shares need {need} enterprises, more than target {n}"

    if "sector_split" in conflict and "panel" in conflict and conflict <= {"sector_split", "panel", "target"}:
        sector_of = facts.sectors()
        for sector, t in facts.sector_targets.items():
            have = int(cells.loc[sector_of == sector, "panel"].sum())
            if have > t:
                return (
                    f"{sector} target {t} is below the {have} {sector} panel enterprises (the panel is kept)"
                )
        rest = [x for x in ("primary", "secondary", "tertiary") if x not in facts.sector_targets]
        have = int(cells.loc[sector_of.isin(rest), "panel"].sum())
        left = n - sum(facts.sector_targets.values())
        if rest and have > left:
            return (
                f"the sector targets leave {left} of target {n} for {' and '.join(rest)}, but the panel "
                f"has {have} {' and '.join(rest)} enterprises (the panel is kept)"
            )

    if "sector_split" in conflict and "capacity" in conflict and not share:
        for sector, t in facts.sector_targets.items():
            in_sector = facts.sectors() == sector
            have = int(cells.loc[open_mask & in_sector, "available"].sum())
            if have < t:
                return f"{sector} target {t} needs >= {t} {sector} enterprises{where}; the frame has {have}"

    if (
        "capacity" in conflict
        and conflict <= {"target", "capacity", "top_industries", "micro_excluded", *share}
        and len(share) <= 1
    ):
        if share:
            rule = share[0]
            sense, limit = facts.share_rules[rule]
            label, required = _REQUIRED[rule]
            need = _required_count(rule, sense, limit, n)
            have = int(cells.loc[open_mask & required(cells), "available"].sum())
            if have < need:
                return f"target {n} needs >= {need} {label} enterprises{where}; the frame has {have}"
        else:
            have = int(cells.loc[open_mask, "available"].sum())
            if have < n:
                return f"target {n} needs >= {n} enterprises{where}; the frame has {have}"

    names = ", ".join(sorted(conflict))
    return f"target {n}: {names} cannot all hold with the enterprises in the frame"
