"""The chained employment index (with a sample replacement) and the climate index."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from monitoring.exceptions import EstimationError
from monitoring.series import CLIMATE_COLUMNS, INDEX_COLUMNS, climate_index, employment_index

R = Path(__file__).parent / "r"
CELL = {"city": "广州市", "section": "C", "size_class": "small", "state_owned": False}


def _design(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"enterprise_id": ids, **CELL, "weight": 2.0, "fpc": 6})


def _reports() -> pd.DataFrame:
    rows = [
        ("2026-01", "a", 100, 110),
        ("2026-01", "b", 50, 50),
        ("2026-01", "c", 50, 40),
        ("2026-02", "a", 110, 121),
        ("2026-02", "b", 50, 55),
        ("2026-02", "c", 40, 40),
        ("2026-03", "b", 55, 66),
        ("2026-03", "c", 40, 40),
        ("2026-03", "d", 30, 15),
    ]
    return pd.DataFrame(rows, columns=["month", "enterprise_id", "base_employment", "end_employment"])


# Sample {a, b, c} (weight 2 of N = 6) until February; from March, after the replacement,
# {b, c, d}: a left, d is new.
DESIGNS = {"2026-01": _design(["a", "b", "c"]), "2026-03": _design(["b", "c", "d"])}


def test_index_chains_the_months_and_the_link_month_uses_both_samples():
    # By hand (one stratum, equal weights within a month, so ratios of plain sums):
    #   January  R = (110 + 50 + 40) / (100 + 50 + 50) = 1;   index 100
    #   February R = (121 + 55 + 40) / (110 + 50 + 40) = 1.08; index 108
    #   March is the link month: only b and c (in both samples), d left out;
    #            R = (66 + 40) / (55 + 40) = 106/95;           index 108 x 106/95
    #   (with d the ratio would have been 121/125).
    result = employment_index(_reports(), DESIGNS, by=[])
    table = result.to_frame()
    assert tuple(table.columns) == INDEX_COLUMNS
    assert [str(m) for m in table["month"]] == ["2025-12", "2026-01", "2026-02", "2026-03"]
    np.testing.assert_allclose(table["index"], [100, 100, 108, 108 * 106 / 95], rtol=1e-12)
    np.testing.assert_allclose(table["ratio"].iloc[1:], [1, 1.08, 106 / 95], rtol=1e-12)
    assert table["link"].tolist() == [False, False, False, True]
    assert table["n"].tolist() == [0, 3, 3, 2]
    # March's se by hand: b and c carry the cell's weight 6 (3 each); Y = 3 x 95 = 285;
    # residuals x - R y: 66 - (106/95) 55 = 440/95 and 40 - (106/95) 40 = -440/95;
    # scores z = 3 x (+-440/95) / 285, mean 0; V = (1 - 2/6) x 2/(2 - 1) x 2 z^2.
    z = 3 * (440 / 95) / 285
    assert table["se"].iloc[3] == pytest.approx(np.sqrt((1 - 2 / 6) * 2 * 2 * z**2), rel=1e-12)
    assert "1 of them across a sample replacement" in result.headline()


def test_base_month_rebases_the_index():
    # index / index(February) x 100: January 100 / 1.08, March 106/95 x 100
    table = employment_index(_reports(), DESIGNS, by=[], base_month="2026-02").to_frame()
    np.testing.assert_allclose(table["index"], [100 / 1.08, 100 / 1.08, 100, 100 * 106 / 95], rtol=1e-12)


def test_index_by_domain_and_outputs(tmp_path):
    reports = _reports()
    # two cells of N = 3 each: until February small {a, c}, large {b}; from March small {b, d},
    # large {c}
    designs = {k: v.assign(size_class=["small", "large", "small"], fpc=3) for k, v in DESIGNS.items()}
    result = employment_index(reports, designs, by=["size_class"])
    table = result.to_frame()
    # size_class 'large' is b until February and c from March (design column): in the link month
    # the large cell has c only (kept): January 50/50, February 55/50, March (c) 40/40.
    large = table[(table["by"] == "size_class") & (table["domain"] == "large")]
    np.testing.assert_allclose(large["index"], [100, 100, 110, 110], rtol=1e-12)
    ax = result.plot(by="size_class")
    assert len(ax.get_lines()) == 3  # two domains and the reference line at 100
    # what a bureau reads is Chinese: title, axis, the size classes in the legend
    assert ax.get_title().startswith("就业指数(") and ax.get_xlabel() == "月份"
    assert {t.get_text() for t in ax.get_legend().get_texts()} <= {"大型", "中型", "小型", "微型", "全省"}
    plt.close(ax.figure)
    result.to_excel(tmp_path / "指数.xlsx")
    back = pd.read_excel(tmp_path / "指数.xlsx", sheet_name="就业指数")
    assert list(back.columns[:3]) == ["分组", "组别", "月份"]
    assert "就业指数(2025-12末=100)" in back.columns


def test_index_workbook_numbers_read_back(tmp_path):
    designs = {k: v.assign(size_class=["small", "large", "small"], fpc=3) for k, v in DESIGNS.items()}
    result = employment_index(_reports(), designs, by=["size_class"])
    result.to_excel(tmp_path / "指数.xlsx")
    back = pd.read_excel(tmp_path / "指数.xlsx", sheet_name="就业指数")
    table = result.to_frame()
    assert back["月份"].tolist() == table["month"].astype(str).tolist()  # months as text: 2025-12
    assert back["样本轮换衔接月"].tolist() == table["link"].tolist()  # booleans
    pairs = {
        "月末与上月末就业人数之比": "ratio",
        "就业指数(2025-12末=100)": "index",
        "指数标准误": "index_se",
    }
    for zh, column in pairs.items():
        np.testing.assert_allclose(back[zh], table[column], rtol=1e-15, err_msg=zh)  # NaN as NaN
    assert back["样本企业数"].tolist() == table["n"].tolist()


def test_index_errors():
    reports = _reports()
    with pytest.raises(EstimationError, match="no reports for 2026-02"):
        employment_index(reports[reports["month"] != "2026-02"], DESIGNS, by=[])
    with pytest.raises(
        EstimationError, match="no design in effect for 2026-01: the first takes effect in 2026-02"
    ):
        employment_index(reports, {"2026-02": DESIGNS["2026-01"]}, by=[])
    with pytest.raises(EstimationError, match="base_month 2026-05 is outside the chain"):
        employment_index(reports, DESIGNS, by=[], base_month="2026-05")
    with pytest.raises(EstimationError, match="'month' column is needed"):
        employment_index(reports.drop(columns="month"), DESIGNS, by=[])


def test_climate_index_equals_r_svymean():
    # R: tests/monitoring/r/make_estimate_refs.R, case "climate": svymean / svyby of
    # u = 100 (1{rose} + 0.5 1{unchanged}) on the cell-adjusted respondents' design.
    design = pd.read_csv(R / "estimate_design.csv")
    reports = pd.read_csv(R / "estimate_reports.csv", dtype={"end_employment": "Int64", "change": "Int64"})
    refs = pd.read_csv(R / "estimate_refs.csv").query("case == 'climate'")
    table = climate_index(reports, design).to_frame()
    assert tuple(table.columns) == CLIMATE_COLUMNS
    ours = table.merge(refs, on=["by", "domain"], suffixes=("", "_r"))
    assert len(ours) == len(refs) == 9
    np.testing.assert_allclose(ours["index"], ours["estimate"], rtol=1e-8)
    for column in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[column], ours[f"{column}_r"], rtol=1e-8, err_msg=column)


def test_climate_index_by_hand_with_tolerance(tmp_path):
    # Weights 1, 1, 2, 4 (all 4 of the stratum monitored: taken whole); changes +1, +0.3, -1, -2 on bases of 100.
    # tolerance 0: rose {1, 2} (weight 2), fell {3, 4}: D = 100 x 2/8 = 25.
    # tolerance 0.005 (|change| <= 0.5): the second is unchanged: D = 100 x (1 + 0.5) / 8 = 18.75;
    # shares rose 1/8, unchanged 1/8, fell 6/8.
    design = pd.DataFrame({"enterprise_id": list("abcd"), **CELL, "weight": [1.0, 1, 2, 4], "fpc": 4})
    reports = pd.DataFrame(
        {
            "enterprise_id": list("abcd"),
            "month": "2026-04",
            "base_employment": [100.0] * 4,
            "end_employment": [101, 100.3, 99, 98],
        }
    )
    assert climate_index(reports, design, by=[]).to_frame()["index"].item() == pytest.approx(25, rel=1e-12)
    result = climate_index(reports, design, by=[], tolerance=0.005)
    row = result.to_frame().iloc[0]
    assert row["index"] == pytest.approx(18.75, rel=1e-12)
    assert (row["rose"], row["unchanged"], row["fell"]) == pytest.approx((1 / 8, 1 / 8, 6 / 8), rel=1e-12)
    assert row["se"] == 0  # taken whole
    assert "climate index 18.8" in result.headline()
    result.to_excel(tmp_path / "景气.xlsx")
    back = pd.read_excel(tmp_path / "景气.xlsx", sheet_name="用工景气指数")
    assert "用工景气指数" in back.columns and back["组别"].tolist() == ["全省"]
    with pytest.raises(ValueError, match="tolerance must be a number >= 0, got -1"):
        climate_index(reports, design, tolerance=-1)


@pytest.mark.parametrize("base", ["2025-12", "2026-02"])
def test_index_standard_errors_equal_r_delta_method(base):
    # R: tests/monitoring/r/make_index_refs.R: svyratio of the three months side by side on one
    # design (covmat = TRUE), then svycontrast (delta method) of the chained product; a city as
    # a domain of the full design. Every enterprise responds in the three months.
    design = pd.read_csv(R / "estimate_design.csv")
    reports = pd.read_csv(R / "index_reports.csv")
    refs = pd.read_csv(R / "index_refs.csv").query("base == @base").drop(columns="base")
    table = employment_index(reports, design, by=["city"], base_month=base).to_frame()
    table["month"] = table["month"].astype(str)
    ours = table.merge(refs, on=["by", "domain", "month"], suffixes=("", "_r"))
    assert len(ours) == len(refs) == 3 * (3 if base == "2025-12" else 2)
    np.testing.assert_allclose(ours["index"], ours["index_r"], rtol=1e-8)
    np.testing.assert_allclose(ours["index_se"], ours["se_r"], rtol=1e-8)
    np.testing.assert_allclose(ours["index_ci_low"], ours["ci_low_r"], rtol=1e-8)
    np.testing.assert_allclose(ours["index_ci_high"], ours["ci_high_r"], rtol=1e-8)
    assert (table.loc[table["month"] == base, "index_se"] == 0).all()


def test_no_index_standard_error_across_a_replacement():
    # January and February share a design; March has another: the index of March (and, with
    # the base at the end of February, of January) has no common design to be estimated on.
    table = employment_index(_reports(), DESIGNS, by=[]).to_frame()
    assert table["index_se"].iloc[:3].notna().all() and np.isnan(table["index_se"].iloc[3])
