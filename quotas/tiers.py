"""Minimum sample sizes by population tier.

The tier tables are plain numbers (persons and enterprise counts), so they live here rather than
in :mod:`quotas`; their sources are the ministry documents named in each scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from quotas.exceptions import QuotaInputError, RuleError

__all__ = ["MINIMUM_SCHEMES", "MinimumScheme", "tier_minimum"]

SchemeName = Literal["mohrss-2011", "mohrss-2009"]


@dataclass(frozen=True)
class MinimumScheme:
    """A minimum count per unit by population tier.

    Attributes
    ----------
    name : str
        Scheme id.
    municipality : int
        Minimum for a municipality directly under the central government (直辖市).
    tiers : tuple of (int, int)
        ``(population_at_least, minimum)`` from the largest threshold down; the last threshold
        is 0.
    source : str
        The document the numbers come from.
    """

    name: str
    municipality: int
    tiers: tuple[tuple[int, int], ...]
    source: str


MINIMUM_SCHEMES: dict[str, MinimumScheme] = {
    "mohrss-2011": MinimumScheme(
        name="mohrss-2011",
        municipality=300,
        tiers=((1_000_000, 60), (500_000, 45), (0, 30)),
        source="人社部函〔2011〕308号",
    ),
    "mohrss-2009": MinimumScheme(
        name="mohrss-2009",
        municipality=90,
        tiers=((0, 30),),
        source="人社部发〔2009〕152号",
    ),
}


def tier_minimum(
    population: pd.Series,
    *,
    scheme: SchemeName = "mohrss-2011",
    municipality: pd.Series | None = None,
) -> pd.Series:
    """Minimum count per unit from its population tier.

    Parameters
    ----------
    population : Series
        Population in persons, indexed by unit.
    scheme : {"mohrss-2011", "mohrss-2009"}
        ``"mohrss-2011"``: municipality 300; population >= 1,000,000: 60; 500,000-1,000,000:
        45; below 500,000: 30. ``"mohrss-2009"``: 30 per city, 90 per municipality.
    municipality : Series of bool, optional
        Which units are municipalities; none if omitted.

    Returns
    -------
    Series of int
        Minimum per unit, same index.

    References
    ----------
    人社部函〔2011〕308号 (minimum monitored enterprises per city by population);
    人社部发〔2009〕152号 (at least 30 per city, 90 per municipality).

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas.tiers import tier_minimum
    >>> pop = pd.Series({"a": 2_000_000, "b": 600_000, "c": 400_000, "d": 1_000_000})
    >>> tier_minimum(pop).tolist()
    [60, 45, 30, 60]
    """
    if scheme not in MINIMUM_SCHEMES:
        raise RuleError(f"unknown minimum scheme {scheme!r}; valid: {sorted(MINIMUM_SCHEMES)}")
    spec = MINIMUM_SCHEMES[scheme]
    pop = pd.to_numeric(population, errors="coerce")
    bad = pop.isna() | (pop < 0) | ~np.isfinite(pop.fillna(0))
    if bad.any():
        raw = population.astype(object)
        shown = ", ".join(f"{k!r}: {raw[k]!r}" for k in pop.index[bad][:10])
        raise QuotaInputError(f"population must be a non-negative number; bad: {shown}")
    persons = pop.to_numpy(dtype=np.float64)
    out = np.full(len(pop), spec.tiers[-1][1], dtype=np.int64)
    for threshold, minimum in reversed(spec.tiers[:-1]):
        out[persons >= threshold] = minimum
    if municipality is not None:
        muni = municipality.reindex(pop.index).fillna(False).astype(bool)
        out[muni.to_numpy()] = spec.municipality
    return pd.Series(out, index=pop.index, name="minimum")
