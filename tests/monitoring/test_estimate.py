"""Estimates against R's survey package, and hand calculations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.estimate import ESTIMATE_COLUMNS, MEASURES, estimate
from monitoring.exceptions import EstimationError

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
    refs = refs[refs["by"] != "city+size_class"]
    ours = result.to_frame().merge(refs, on=["by", "domain", "measure"], suffixes=("", "_r"), how="inner")
    assert len(ours) == len(refs) == 5 * (1 + 2 + 2 + 4)  # 5 measures; province, cities, sections, sizes
    for column in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[column], ours[f"{column}_r"], rtol=1e-8, atol=0, err_msg=column)
    # the change rate is 100 (ratio - 1), its se 100 x the ratio's (R's svyratio, transformed)
    ratio = ours[ours["measure"] == "ratio"].set_index(["by", "domain"])
    rate = result.to_frame().query("measure == 'change_rate'").set_index(["by", "domain"]).loc[ratio.index]
    np.testing.assert_allclose(rate["estimate"], 100 * (ratio["estimate_r"] - 1), rtol=1e-8)
    np.testing.assert_allclose(rate["se"], 100 * ratio["se_r"], rtol=1e-8)


def test_crossed_domains_equal_r_svyby_with_two_factors():
    # R: make_estimate_refs.R, svyby(~v, ~city + size_class, ...) on the cell-adjusted design;
    # R lists only the combinations with respondents, so 广州市 / micro etc. are not compared.
    result = estimate(_reports(), _design(), by=[("city", "size_class")])
    refs = _refs("cell_adjust").query("by == 'city+size_class'")
    ours = result.to_frame().merge(refs, on=["by", "domain", "measure"], suffixes=("", "_r"))
    assert len(ours) == len(refs) == 3 * 7
    for column in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[column], ours[f"{column}_r"], rtol=1e-8, atol=0, err_msg=column)


def test_srs_hand_calculation():
    # One stratum, N = 10, n = 4 (weights 2.5), all respond; base 10, 20, 30, 40 and end
    # 10, 18, 33, 40. Cochran (1977) eq. 5.7 with one stratum, by hand:
    #   base total = 2.5 x 100 = 250; s^2(base) = (225 + 25 + 25 + 225) / 3 = 500/3;
    #   V = N^2 (1 - n/N) s^2 / n = 100 x 0.6 x (500/3) / 4 = 2500, se = 50.
    #   ratio R = 101 / 100; residuals e = end - R base = 10 - 10.1, 18 - 20.2, 33 - 30.3, 40 - 40.4
    #   = -0.1, -2.2, 2.7, -0.4 (mean 0); s^2(e) = (0.01 + 4.84 + 7.29 + 0.16) / 3 = 4.1;
    #   V(R) = N^2 (1 - f) s^2(e) / n / Y^2 = 100 x 0.6 x 4.1 / 4 / 250^2 = 61.5 / 62500.
    #   fell: only the second (18 < 20): p = 0.25, s^2 = (3 x 0.0625 + 0.5625) / 3 = 0.25,
    #   V(p) = (1 - f) s^2 / n = 0.6 x 0.25 / 4 = 0.0375.
    design = pd.DataFrame(
        {
            "enterprise_id": list("abcd"),
            "city": "广州市",
            "section": "C",
            "size_class": "small",
            "state_owned": False,
            "weight": 2.5,
            "fpc": 10,
        }
    )
    reports = pd.DataFrame(
        {
            "enterprise_id": list("abcd"),
            "base_employment": [10, 20, 30, 40],
            "end_employment": [10, 18, 33, 40],
        }
    )
    result = estimate(reports, design, by=[])
    base = result.get("province", "all", "base_employment")
    assert base["estimate"] == pytest.approx(250, rel=1e-12)
    assert base["se"] == pytest.approx(50, rel=1e-12)
    ratio = result.get("province", "all", "ratio")
    assert ratio["estimate"] == pytest.approx(1.01, rel=1e-12)
    assert ratio["se"] == pytest.approx(np.sqrt(61.5 / 62500), rel=1e-12)
    assert ratio["ci_low"] == pytest.approx(1.01 - 1.959963984540054 * np.sqrt(61.5 / 62500), rel=1e-12)
    fell = result.get("province", "all", "fell_share")
    assert fell["estimate"] == pytest.approx(0.25, rel=1e-12)
    assert fell["se"] == pytest.approx(np.sqrt(0.0375), rel=1e-12)


def test_closures_are_job_losses_not_nonresponse():
    # E007 reported (4) blank and (5) = -185: a respondent whose employment fell to 0, in the
    # end total with weight 9.268... (R's cell-adjusted weight, estimate_weights.csv) and 0.
    result = estimate(_reports(), _design())
    row = result.adjustment.data.set_index("enterprise_id").loc["E007"]
    assert (row["base_employment"], row["end_employment"], row["responded"]) == (185, 0, True)
    assert row["weight"] == pytest.approx(38 / 6 * (2 + 38) / (2 + 38 / 6 * 4), rel=1e-12)


def test_take_all_design_has_zero_standard_errors():
    # every stratum taken whole (N_h = n_h, weight 1): no sampling error, se = 0 (fpc 0)
    reports = _reports().dropna(subset=["end_employment"])
    design = _design()
    design = design[design["enterprise_id"].isin(reports["enterprise_id"])].assign(weight=1.0)
    design["fpc"] = design.groupby(["city", "section", "size_class", "state_owned"])[
        "enterprise_id"
    ].transform("size")
    result = estimate(reports, design).to_frame()
    assert len(result) == 6 * (1 + 2 + 2 + 4)
    assert (result["se"] == 0).all()


def test_domain_totals_add_up_to_the_province():
    result = estimate(_reports(), _design()).to_frame()
    for measure in ("base_employment", "end_employment", "change"):
        rows = result[result["measure"] == measure]
        province = rows.loc[rows["by"] == "province", "estimate"].item()
        for by in ("city", "section", "size_class"):
            assert rows.loc[rows["by"] == by, "estimate"].sum() == pytest.approx(province, rel=1e-12)


def test_columns_and_domains_without_respondents():
    reports = _reports()
    reports = reports[~reports["enterprise_id"].isin(["E039", "E040", "E041", "E042", "E043"])]
    result = estimate(reports, _design(), by=["size_class"])
    assert tuple(result.to_frame().columns) == ESTIMATE_COLUMNS
    micro = result.wide("end_employment").set_index("domain").loc["micro"]
    assert micro["n"] == 0 and np.isnan(micro["estimate"]) and np.isnan(micro["se"])
    assert list(result.to_frame()["measure"].unique()) == list(MEASURES)


def test_errors_name_the_problem():
    reports = _reports()
    with pytest.raises(EstimationError, match="2 months"):
        estimate(pd.concat([reports, reports.assign(month="2026-04")]), _design())
    with pytest.raises(EstimationError, match="no column 'industry'"):
        estimate(reports, _design(), by=["industry"])
    with pytest.raises(ValueError, match="lonely must be one of 'adjust', 'average', 'remove', 'fail'"):
        estimate(reports, _design(), lonely="certainty")
    with pytest.raises(EstimationError, match="stratum 深圳市 / C / small / False has one enterprise"):
        estimate(reports, _design(), lonely="fail")
    with pytest.raises(ValueError, match="nonresponse must be one of 'cell', 'unchanged'"):
        estimate(reports, _design(), nonresponse="drop")


def test_inputs_not_mutated():
    reports, design = _reports(), _design()
    before = reports.copy(), design.copy()
    estimate(reports, design)
    pd.testing.assert_frame_equal(reports, before[0])
    pd.testing.assert_frame_equal(design, before[1])


def test_to_excel_has_chinese_sheets_and_headers(tmp_path):
    import openpyxl

    result = estimate(_reports(), _design())
    path = tmp_path / "估计.xlsx"
    result.to_excel(path)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["估计结果", "无回答调整", "说明"]
    header = next(book["估计结果"].iter_rows(max_row=1, values_only=True))
    assert header == (
        "分组",
        "组别",
        "指标",
        "估计值",
        "标准误",
        "置信区间下限",
        "置信区间上限",
        "变异系数",
        "样本企业数",
    )
    first = next(book["估计结果"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert first[:3] == ("全省", "全省", "建档期期末就业人数")


def test_to_excel_numbers_read_back(tmp_path):
    result = estimate(_reports(), _design())
    path = tmp_path / "估计.xlsx"
    result.to_excel(path)
    book = pd.read_excel(path, sheet_name=None)
    table = result.to_frame()
    back = book["估计结果"]
    assert len(back) == len(table)
    numbers = {
        "估计值": "estimate",
        "标准误": "se",
        "置信区间下限": "ci_low",
        "置信区间上限": "ci_high",
        "样本企业数": "n",
    }
    for zh, column in numbers.items():
        np.testing.assert_allclose(back[zh], table[column].astype(float), rtol=1e-15, err_msg=zh)
    cells = result.adjustment.cells
    adjusted = book["无回答调整"]
    assert adjusted.columns.tolist()[:4] == ["城市", "行业门类", "企业规模", "是否国有"]
    assert adjusted["是否国有"].tolist() == cells["state_owned"].tolist()  # booleans, not text
    np.testing.assert_allclose(adjusted["权数调整系数"], cells["factor"].astype(float), rtol=1e-15)
    assert adjusted["监测企业数"].tolist() == cells["n"].tolist()
    assert book["说明"]["说明"].iloc[0] == f"月份: {result.month}"


def test_plot_draws_each_domain_with_its_interval():
    import matplotlib.pyplot as plt

    result = estimate(_reports(), _design())
    ax = result.plot(by="size_class")
    # the domains as a bureau reads them (quotas.labels.SIZE_LABELS_ZH), the title in Chinese
    assert [t.get_text() for t in ax.get_yticklabels()] == ["小型", "微型", "中型", "大型"]
    assert ax.get_title().startswith("各企业规模") and "置信区间" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["全省"]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="by must be one of 'city', 'section', 'size_class', got 'region'"):
        result.plot(by="region")


def test_sample_survey_design_equals_r():
    # R: make_estimate_refs.R, case stratum_adjust: the design as sampling.sample.survey_design
    # builds it (each cell's panel a take-all stratum, the drawn enterprises another); the panel
    # E005, E006 did not report, so their stratum collapses into its cell first.
    from sampling.sample import survey_design

    units = _design().assign(
        role=lambda d: np.where(d["enterprise_id"].isin(["E005", "E006"]), "panel", "new")
    )
    sizes = units.groupby(["city", "section", "size_class", "state_owned"])["fpc"].first()
    design = survey_design(units.drop(columns="fpc"), cell_sizes=sizes)
    reports = _reports()
    panel = reports["enterprise_id"].isin(["E005", "E006"])
    reports.loc[panel, ["end_employment", "change"]] = pd.NA
    result = estimate(reports, design)
    assert result.adjustment.design.strata == ("stratum",)
    weights = pd.read_csv(R / "estimate_weights.csv").query("case == 'stratum'").set_index("enterprise_id")
    np.testing.assert_allclose(
        result.adjustment.data.set_index("enterprise_id")["weight"].loc[weights.index],
        weights["weight"],
        rtol=1e-12,
    )
    refs = _refs("stratum_adjust")
    ours = result.to_frame().merge(refs, on=["by", "domain", "measure"], suffixes=("", "_r"))
    assert len(ours) == len(refs) == 45
    for column in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[column], ours[f"{column}_r"], rtol=1e-8, atol=0, err_msg=column)


def test_html_view_has_one_row_per_domain_with_formatted_numbers():
    result = estimate(_reports(), _design())
    view = result._repr_html_()
    assert view.count("<tr") == 1 + 9  # header, province + 2 cities + 2 sections + 4 sizes
    end = result.get("province", "all", "end_employment")
    assert f"{end['estimate']:,.0f} ({end['se']:,.0f})" in view
    assert "2 cells without respondents" in view


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 50), st.integers(0, 2**31 - 1))
def test_invariant_to_row_order_and_scale(scale, seed):
    # Invariants of the estimators: the reports' row order does not matter; multiplying every
    # employment by k multiplies totals and their se by k and leaves ratios and shares alone.
    reports = _reports()
    base = estimate(reports, _design()).to_frame()
    shuffled = reports.sample(frac=1, random_state=seed)
    for column in ("base_employment", "end_employment", "change"):
        shuffled[column] = shuffled[column] * scale
    other = estimate(shuffled, _design()).to_frame()
    totals = base["measure"].isin(["base_employment", "end_employment", "change"])
    for column in ("estimate", "se"):
        factor = np.where(totals, scale, 1)
        np.testing.assert_allclose(other[column], base[column] * factor, rtol=1e-10, atol=1e-12)
