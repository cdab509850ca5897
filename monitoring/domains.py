"""Domains of the respondents' design: the province, each city, section, size class, ...

:class:`Domains` ties the analysis data of an :class:`~monitoring.nonresponse.Adjustment` to
its strata and gives, per domain, the three estimators of R's survey package that the
monitoring estimates are made of (``svytotal``, ``svymean``, ``svyratio`` under ``svyby``),
each with its variance from :func:`monitoring.variance.domain_variance`. A grouping (a
*family* of domains) is a column, or a tuple of columns for crossed domains; the province is
the family ``"province"`` with the one domain ``"all"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from monitoring.exceptions import EstimationError
from monitoring.nonresponse import Adjustment
from monitoring.variance import Lonely, domain_variance

__all__ = ["Domains", "Family"]


@dataclass(frozen=True)
class Family:
    """One grouping: its name, its domains (``values``) and each enterprise's domain code
    (``codes``; -1 for an enterprise with no value in the grouping's columns)."""

    by: str
    values: list[object]
    codes: np.ndarray

    @property
    def size(self) -> int:
        return len(self.values)


class Domains:
    """Domain estimators on the analysis data of an adjustment (module docstring).

    Parameters
    ----------
    adjustment : Adjustment
        The respondents with their adjusted weights.
    lonely : {"adjust", "average", "remove", "fail"}
        The rule for strata with one enterprise (:mod:`monitoring.variance`).
    """

    def __init__(self, adjustment: Adjustment, *, lonely: Lonely = "adjust") -> None:
        self.data = adjustment.data
        self.units = adjustment.design.table
        strata = list(adjustment.design.strata)
        grouped = self.data.groupby(strata, sort=True, dropna=False, observed=True)
        self.stratum = grouped.ngroup().to_numpy()
        first = grouped.first()
        self.labels = [" / ".join(map(str, k if isinstance(k, tuple) else (k,))) for k in first.index]
        self.enterprises = first["fpc"].to_numpy(dtype=float)
        self.weight = self.data["weight"].to_numpy(dtype=float)
        self.lonely = lonely

    def families(self, by: Sequence[str | Sequence[str]]) -> list[Family]:
        """The province, then one family per item of ``by``."""
        families = [Family("province", ["all"], np.zeros(len(self.data), dtype=np.int64))]
        for item in by:
            columns = [item] if isinstance(item, str) else list(item)
            missing = [c for c in columns if c not in self.data.columns]
            if missing:
                raise EstimationError(
                    f"by: no column {', '.join(map(repr, missing))} in the design or the reports "
                    f"(columns: {', '.join(map(str, self.data.columns))})"
                )
            source = self.units if all(c in self.units.columns for c in columns) else self.data
            values = pd.Series(_keys(source, columns)).dropna().unique().tolist()
            values = sorted(values, key=lambda k: (str(type(k)), k))
            codes = pd.Index(values).get_indexer(_keys(self.data, columns))
            families.append(Family("+".join(columns), values, codes))
        return families

    def count(self, family: Family) -> np.ndarray:
        """The enterprises of the data in each domain."""
        inside = family.codes >= 0
        return np.bincount(family.codes[inside], minlength=family.size)

    def total(self, family: Family, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``svytotal``: sum w y per domain, and its variance."""
        scores = self.weight * y
        return self._sum(family, scores), self._variance(family, scores)

    def mean(self, family: Family, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``svymean``: sum w y / sum w per domain; score w (y - mean) / sum w."""
        weight_sum = self._sum(family, self.weight)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self._sum(family, self.weight * y) / weight_sum
            scores = self.weight * (y - self._at(family, mean)) / self._at(family, weight_sum)
        return mean, self._variance(family, scores)

    def ratio(
        self, family: Family, numerator: np.ndarray, denominator: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``svyratio``: sum w x / sum w y per domain, and its variance."""
        ratio, scores = self.ratio_scores(family, numerator, denominator)
        return ratio, self._variance(family, scores)

    def ratio_scores(
        self, family: Family, numerator: np.ndarray, denominator: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ratio per domain and each enterprise's linearised score w (x - R y) / sum w y
        (0 outside the grouping's domains)."""
        bottom = self._sum(family, self.weight * denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = self._sum(family, self.weight * numerator) / bottom
            scores = (
                self.weight * (numerator - self._at(family, ratio) * denominator) / self._at(family, bottom)
            )
        scores = np.where((family.codes >= 0) & np.isfinite(scores), scores, 0.0)
        return ratio, scores

    def _at(self, family: Family, per_domain: np.ndarray) -> np.ndarray:
        return per_domain[np.maximum(family.codes, 0)]

    def _sum(self, family: Family, values: np.ndarray) -> np.ndarray:
        inside = family.codes >= 0
        return np.bincount(family.codes[inside], weights=values[inside], minlength=family.size)

    def _variance(self, family: Family, scores: np.ndarray) -> np.ndarray:
        # Outside the domains of the family (a missing value) an enterprise keeps its stratum
        # with score 0, as everywhere outside a domain.
        inside = family.codes >= 0
        scores = np.where(inside & np.isfinite(scores), scores, 0.0)
        return domain_variance(
            scores,
            self.stratum,
            np.maximum(family.codes, 0),
            self.enterprises,
            domains=family.size,
            lonely=self.lonely,
            stratum_labels=self.labels,
        )


def _keys(table: pd.DataFrame, columns: list[str]) -> list[object]:
    if len(columns) == 1:
        return table[columns[0]].tolist()
    return [" / ".join(map(str, row)) for row in table[columns].itertuples(index=False)]
