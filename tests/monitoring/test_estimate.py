"""Estimates against R's survey package, and hand calculations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitoring.estimate import estimate

R = Path(__file__).parent / "r"


def _design() -> pd.DataFrame:
    return pd.read_csv(R / "estimate_design.csv")


def _reports() -> pd.DataFrame:
    return pd.read_csv(R / "estimate_reports.csv", dtype={"end_employment": "Int64", "change": "Int64"})


def _refs(case: str) -> pd.DataFrame:
    refs = pd.read_csv(R / "estimate_refs.csv")
    return refs[refs["case"] == case].drop(columns="case")


CASES = {
    "cell_adjust": {"nonresponse": "cell", "lonely": "adjust"},
    "cell_average": {"nonresponse": "cell", "lonely": "average"},
    "cell_remove": {"nonresponse": "cell", "lonely": "remove"},
    "unchanged_adjust": {"nonresponse": "unchanged", "lonely": "adjust"},
}


@pytest.mark.parametrize("case", list(CASES))
def test_estimates_equal_r_survey(case):
    # R: tests/monitoring/r/make_estimate_refs.R (survey 4.1.1: svytotal, svyratio, svymean under
    # svyby on the respondents' stratified design with fpc; non-response adjustment and
    # lonely-stratum rule as the case names).
    result = estimate(_reports(), _design(), **CASES[case])
    refs = _refs(case)
    ours = result.to_frame().merge(refs, on=["by", "domain", "measure"], suffixes=("", "_r"), how="inner")
    assert len(ours) == len(refs) == 5 * (1 + 2 + 2 + 4)  # 5 measures; province, cities, sections, sizes
    for column in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[column], ours[f"{column}_r"], rtol=1e-8, atol=0, err_msg=column)
    # the change rate is 100 (ratio - 1), its se 100 x the ratio's (R's svyratio, transformed)
    ratio = ours[ours["measure"] == "ratio"].set_index(["by", "domain"])
    rate = result.to_frame().query("measure == 'change_rate'").set_index(["by", "domain"]).loc[ratio.index]
    np.testing.assert_allclose(rate["estimate"], 100 * (ratio["estimate_r"] - 1), rtol=1e-8)
    np.testing.assert_allclose(rate["se"], 100 * ratio["se_r"], rtol=1e-8)
