"""Non-response adjustment: R's weights, the collapse rule, closures, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.exceptions import EstimationError
from monitoring.nonresponse import adjust_nonresponse

R = Path(__file__).parent / "r"


def _design() -> pd.DataFrame:
    return pd.read_csv(R / "estimate_design.csv")


def _reports() -> pd.DataFrame:
    return pd.read_csv(R / "estimate_reports.csv", dtype={"end_employment": "Int64", "change": "Int64"})


def _r_weights(case: str) -> pd.Series:
    refs = pd.read_csv(R / "estimate_weights.csv")
    return refs[refs["case"] == case].set_index("enterprise_id")["weight"]


@pytest.mark.parametrize("method", ["cell", "unchanged"])
def test_adjusted_weights_equal_r(method):
    # R: tests/monitoring/r/make_estimate_refs.R computes the adjustment from its definition
    # (cell_weights(): within-cell factor, then the empty cells' weight to the nearest group).
    adjusted = adjust_nonresponse(_reports(), _design(), method=method).data.set_index("enterprise_id")
    expected = _r_weights(method)
    assert list(adjusted.index) == list(expected.index)
    np.testing.assert_allclose(adjusted["weight"], expected, rtol=1e-12)


def test_collapse_by_hand():
    # 广州市 G large (state): 1 monitored (weight 5), no respondent; no other 广州市 G large cell,
    # so its weight goes to 广州市 G: small (5 of 6 responded, weight 5 -> 6 each) and medium
    # (3 of 3, weight 3); their adjusted weights 5 x 6 + 3 x 3 = 39 grow by 5/39:
    # small 6 x 44/39, medium 3 x 44/39.
    result = adjust_nonresponse(_reports(), _design())
    weights = result.data.set_index("enterprise_id")["weight"]
    assert weights["E013"] == pytest.approx(6 * 44 / 39, rel=1e-12)
    assert weights["E019"] == pytest.approx(3 * 44 / 39, rel=1e-12)
    cells = result.cells.set_index(["city", "section", "size_class", "state_owned"])
    assert cells.loc[("广州市", "G", "large", True), "collapsed_into"] == "广州市 / G"
    assert cells.loc[("深圳市", "G", "micro", False), "collapsed_into"] == "深圳市 / G / micro"
    assert np.isnan(cells.loc[("广州市", "G", "large", True), "factor"])
    # the total weight is kept: 43 monitored enterprises' design weights
    assert weights.sum() == pytest.approx(_design()["weight"].sum(), rel=1e-12)


def test_absent_report_is_the_same_as_a_blank_one():
    reports = _reports()
    blank = reports["end_employment"].isna() & reports["change"].isna()
    absent = adjust_nonresponse(reports[~blank], _design()).data
    pd.testing.assert_frame_equal(
        absent.drop(columns=["month", "change", "closure", "city"], errors="ignore"),
        adjust_nonresponse(reports, _design()).data.drop(
            columns=["month", "change", "closure", "city"], errors="ignore"
        ),
        check_dtype=False,
    )


def test_empty_cells_error_names_the_cells():
    with pytest.raises(EstimationError) as info:
        adjust_nonresponse(_reports(), _design(), empty_cells="error")
    assert "2 cell(s) with no respondent: 广州市 / G / large / True; 深圳市 / G / micro / False" in str(
        info.value
    )


def test_a_city_without_respondents_is_an_error():
    reports = _reports()
    reports = reports[reports["city"] == "广州市"]
    with pytest.raises(EstimationError, match="no enterprise responded in city 深圳市"):
        adjust_nonresponse(reports, _design())


def test_unchanged_imputes_end_equal_base_and_needs_the_base():
    result = adjust_nonresponse(_reports(), _design(), method="unchanged")
    data = result.data.set_index("enterprise_id")
    assert (data.loc["E011", "end_employment"], data.loc["E011", "responded"]) == (181, False)
    assert len(data) == 43
    reports = _reports()
    with pytest.raises(EstimationError, match="none for enterprise\\(s\\) 'E011'"):
        adjust_nonresponse(reports[reports["enterprise_id"] != "E011"], _design(), method="unchanged")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: pd.concat([r, r.iloc[[3]]]), "more than once: 'E004'"),
        (lambda r: pd.concat([r, r.iloc[[3]].assign(enterprise_id="X9")]), "not in the design .*'X9'"),
        (
            lambda r: r.assign(base_employment=r["base_employment"].where(r.index != 2, -5)),
            "base_employment of enterprise 'E003' must be a number >= 0, got -5",
        ),
        (
            lambda r: r.assign(end_employment=r["end_employment"].astype(object).where(r.index != 1, "12a")),
            "end_employment of enterprise 'E002' must be a number >= 0, got '12a'",
        ),
        (
            lambda r: r.assign(base_employment=r["base_employment"].where(r.index != 0)),
            "end employment without base employment for enterprise\\(s\\) 'E001'",
        ),
        (
            lambda r: r.assign(change=r["change"].where(r.index != 6, -500)),
            "'E007' has end employment blank and a change -500 larger than its base 185",
        ),
        (lambda r: r.drop(columns="base_employment"), "missing column\\(s\\) 'base_employment'"),
    ],
)
def test_bad_reports_are_named(change, message):
    with pytest.raises(EstimationError, match=message):
        adjust_nonresponse(change(_reports()), _design())


def test_bad_options():
    with pytest.raises(ValueError, match="empty_cells must be one of 'collapse', 'error'"):
        adjust_nonresponse(_reports(), _design(), empty_cells="drop")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=43, max_size=43))
def test_weights_keep_the_total_and_each_city(responds):
    # Invariant of the documented rule: whatever responds (at least one per city), the adjusted
    # weights of each city add up to its monitored enterprises' design weights.
    design = _design()
    responds = np.array(responds)
    cities = design["city"].to_numpy()
    for city in ("广州市", "深圳市"):
        if not responds[cities == city].any():
            responds[np.flatnonzero(cities == city)[0]] = True
    reports = _reports()
    reports = reports[responds & reports["end_employment"].notna().to_numpy()]
    if reports["city"].nunique() < 2:
        return
    data = adjust_nonresponse(reports, design).data
    got = data.groupby("city")["weight"].sum()
    want = design.groupby("city")["weight"].sum()
    np.testing.assert_allclose(got.loc[want.index], want, rtol=1e-12)
    assert (data["weight"] >= data["design_weight"] - 1e-12).all()


def test_sample_survey_design_panel_stratum_collapses_into_its_cell():
    # The sample's survey design (sampling: each cell's kept panel a take-all stratum, the drawn
    # enterprises another, column 'stratum'). The panel enterprise p did not report: its
    # stratum has no respondent and collapses first into its cell, whose drawn respondents
    # (weights 4 + 4 + 4 = 12) carry its weight 1 as well: 4 x 13/12 each.
    design = pd.DataFrame(
        {
            "enterprise_id": ["p", "d1", "d2", "d3"],
            "city": "广州市",
            "section": "C",
            "size_class": "small",
            "state_owned": False,
            "role": ["panel", "new", "new", "new"],
            "stratum": ["广州市/C/small/non-state/panel"] + ["广州市/C/small/non-state/drawn"] * 3,
            "fpc": [1, 12, 12, 12],
            "pi": [1.0, 0.25, 0.25, 0.25],
            "weight": [1.0, 4.0, 4.0, 4.0],
        }
    )
    reports = pd.DataFrame(
        {"enterprise_id": ["d1", "d2", "d3"], "base_employment": [10, 20, 30], "end_employment": [10, 18, 33]}
    )
    result = adjust_nonresponse(reports, design)
    assert result.design.strata == ("stratum",)
    assert result.design.collapse_levels()[0] == ["city", "section", "size_class", "state_owned"]
    np.testing.assert_allclose(result.data["weight"], [13 / 3] * 3, rtol=1e-12)
    cells = result.cells.set_index("stratum")
    assert cells.loc["广州市/C/small/non-state/panel", "collapsed_into"] == "广州市 / C / small / False"
