"""Population-tier minimums of 人社部函〔2011〕308号 and 人社部发〔2009〕152号."""

from __future__ import annotations

import pandas as pd
import pytest

from quotas.exceptions import QuotaInputError, RuleError
from quotas.tiers import tier_minimum


def test_mohrss_2011_tiers_and_boundaries():
    # 2011: municipality 300; >= 1,000,000: 60; 500,000 - 1,000,000: 45; < 500,000: 30.
    pop = pd.Series({"a": 1_000_000, "b": 999_999, "c": 500_000, "d": 499_999, "e": 30_000_000})
    muni = pd.Series({"e": True})
    assert tier_minimum(pop, municipality=muni).tolist() == [60, 45, 45, 30, 300]


def test_mohrss_2009():
    # 2009: at least 30 per city, 90 per municipality.
    pop = pd.Series({"a": 5_000_000, "b": 20_000_000})
    assert tier_minimum(pop, scheme="mohrss-2009", municipality=pd.Series({"b": True})).tolist() == [30, 90]


def test_bad_population_and_scheme_are_named():
    with pytest.raises(QuotaInputError, match="'b': -5"):
        tier_minimum(pd.Series({"a": 10, "b": -5}))
    with pytest.raises(RuleError, match="'mohrss-2010'"):
        tier_minimum(pd.Series({"a": 10}), scheme="mohrss-2010")
