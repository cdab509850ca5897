"""The Guangdong example end to end, and the command line on the example's own output files.

Reference facts come from the plan and the data, not from the code: the province total is
10,000 (the plan), the existing panel per city (annex 1 of the plan, 3,000 in all) is a floor,
the secondary / tertiary totals are 5,311 / 4,689 (the plan's task table), and every city of
Guangdong has over 1,000,000 residents, so its MOHRSS 2011 minimum is 60.
"""

from __future__ import annotations

import pandas as pd
import pytest

from empmon.cli import main
from empmon.examples import guangdong_2013
from quotas import datasets


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("guangdong")
    result = guangdong_2013(out, frame_size=80_000, echo=lambda _: None)
    return out, result


@pytest.mark.slow
def test_allocation_meets_the_plan(run):
    _, result = run
    allocated = result.allocation.allocated
    panel = datasets.guangdong_2013_panel()
    assert int(allocated.sum()) == 10_000
    assert (allocated >= panel.reindex(allocated.index)).all()
    assert (allocated >= 60).all()
    assert result.sector_targets.sum().to_dict() == {"secondary": 5311, "tertiary": 4689}
    assert (result.sector_targets.sum(axis=1) == allocated).all()


@pytest.mark.slow
def test_quotas_sample_and_audit_agree(run):
    _, result = run
    quotas = result.quotas.to_frame()
    per_city = quotas.groupby("city")["quota"].sum()
    assert per_city.to_dict() == result.allocation.allocated.to_dict()
    sample = result.sample.to_frame()
    drawn = sample[sample["role"].isin(["panel", "new"])]
    assert drawn["enterprise_id"].is_unique
    assert (drawn["role"] == "panel").sum() == 3000  # the existing panel is kept whole
    assert len(drawn) == 10_000
    assert result.report.passed


@pytest.mark.slow
def test_every_output_is_written(run):
    out, result = run
    names = {p.name for p in result.files}
    assert {
        "allocation.csv",
        "allocation.xlsx",
        "quotas_province.xlsx",
        "sample.csv",
        "reserves.csv",
        "sample.xlsx",
        "audit.xlsx",
        "audit.txt",
        "allocation.png",
        "audit.png",
        "NOTES.txt",
    } <= names
    assert len(list((out / "quotas_by_city").glob("*.xlsx"))) == 21
    assert "SYNTHETIC" in (out / "NOTES.txt").read_text(encoding="utf-8")
    table = pd.read_csv(out / "allocation.csv", encoding="utf-8-sig")
    assert table.columns[0] == "city"
    assert (table["target_secondary"] + table["target_tertiary"] == table["allocated"]).all()
    with pd.ExcelFile(out / "quotas_province.xlsx") as book:
        assert book.sheet_names[0] == "省汇总" and len(book.sheet_names) == 22


@pytest.mark.slow
def test_cli_on_the_example_outputs(run, tmp_path):
    out, _ = run
    register = out / "register_synthetic.parquet"
    # select from the example's register and quota table, then audit the result.
    sample = tmp_path / "sample.csv"
    assert (
        main(["select", str(register), "--quotas", str(out / "quotas.csv"), "--seed", "7", "-o", str(sample)])
        == 0
    )
    drawn = pd.read_csv(sample, encoding="utf-8-sig")
    assert (drawn["role"].isin(["panel", "new"])).sum() == 10_000
    # The example's sample workbook: only its 样本 sheet is the sample (备选 and 剔除 are skipped
    # and reported); it meets the Guangdong rules, so the audit exits 0.
    with pytest.warns(Warning, match="reserve or removed list"):
        code = main(["audit", str(out / "sample.xlsx"), "--rules", "guangdong-2013"])
    assert code == 0
