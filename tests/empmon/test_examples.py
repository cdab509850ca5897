"""The Guangdong example end to end, and the command line on the example's own output files.

Reference facts come from the plan and the data, not from the code: the province total is
10,000 (the plan), the existing panel per city (annex 1 of the plan, 3,000 in all) is a floor,
each city's task and its secondary / tertiary split are those of annex 1 (全省10000家企业用工定点
监测任务测算表; 云浮 182 = 99 + 83), of the 10,000 "约1000家，目前已开展641家" also report to the
national monitoring, and every city of Guangdong has over 1,000,000 residents, so its MOHRSS 2011
minimum is 60 ("人口100万以上城市不少于60户").
"""

from __future__ import annotations

import pandas as pd
import pytest

from empmon.cli import main
from empmon.examples import guangdong_2013, monitoring_work_tilt
from quotas import datasets
from quotas.classify import ownership_group
from sampling.status import in_business


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("guangdong")
    result = guangdong_2013(out, frame_size=80_000, echo=lambda _: None)
    return out, result


@pytest.mark.slow
def test_computed_allocation_meets_the_plan(run):
    _, result = run
    allocated = result.allocation.allocated
    panel = datasets.guangdong_2013_panel()
    assert int(allocated.sum()) == 10_000
    assert (allocated >= panel.reindex(allocated.index)).all()
    assert (allocated >= 60).all()


@pytest.mark.slow
def test_quotas_follow_the_official_task_with_the_computed_beside_it(run):
    _, result = run
    task = datasets.guangdong_2013_task()
    # "what each city was given": the annex's task and split, 云浮 182 = 99 / 83.
    assert result.targets.to_dict() == task["target_10000"].to_dict()
    assert int(result.targets["云浮市"]) == 182
    assert result.sector_targets.loc["云浮市"].tolist() == [99, 83]
    assert result.sector_targets.sum().to_dict() == {"secondary": 5311, "tertiary": 4689}
    per_city = result.quotas.to_frame().groupby("city")["quota"].sum()
    assert per_city.to_dict() == task["target_10000"].to_dict()
    c = result.comparison
    assert c["official"].to_dict() == task["target_10000"].to_dict()
    assert (c["difference"] == c["computed"] - c["official"]).all()
    assert (c["difference_without_tilt"] == c["computed_without_tilt"] - c["official"]).all()
    # the tilt (monitoring work) moves the computed allocation towards what the province gave
    assert c["difference"].abs().sum() < c["difference_without_tilt"].abs().sum()
    assert (c["tilt"] >= 1).all()


@pytest.mark.slow
def test_explain_of_the_official_task(run):
    _, result = run
    # domain-rules.md 2.4: the official table gives more to 中山, 东莞 and 云浮 and less to 揭阳
    # and 湛江 than an employment + GDP blend.
    tilt = result.explanation.table["tilt"].sort_values()
    assert set(tilt.index[-3:]) == {"中山市", "东莞市", "云浮市"}
    assert {"揭阳市", "湛江市"} <= set(tilt.index[:3])
    assert result.explanation.weights.sum() == pytest.approx(1)


@pytest.mark.slow
def test_national_subset_marked_and_audited(run):
    out, result = run
    national = result.national
    # "约1000家，目前已开展641家": the 641 existing kept, 1,000 in all, over 广州, 深圳, 佛山.
    assert national.n_national == 1000
    assert int(national.cities["existing"].sum()) == 641
    assert set(national.cities["city"]) == {"广州市", "深圳市", "佛山市"}
    assert (national.cities["national"] >= 60).all()
    assert not national.report.to_frame().query("rule == 'min_count'")["status"].eq("fail").any()
    table = result.sample.to_frame()
    assert int(table["national"].sum()) == 1000
    assert table.loc[table["national"], "role"].isin(["panel", "new"]).all()
    written = pd.read_csv(out / "sample.csv", encoding="utf-8-sig")
    assert int(written["national"].sum()) == 1000


@pytest.mark.slow
def test_quotas_sample_and_audit_agree(run):
    _, result = run
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
        "comparison.csv",
        "targets.csv",
        "explain_official.xlsx",
        "explain_official.png",
        "national.xlsx",
        "ownership.csv",
    } <= names
    assert len(list((out / "cities").glob("*.xlsx"))) == 21
    assert "SYNTHETIC" in (out / "NOTES.txt").read_text(encoding="utf-8")
    table = pd.read_csv(out / "allocation.csv", encoding="utf-8-sig")
    assert table.columns[0] == "city"
    assert (table["official_secondary"] + table["official_tertiary"] == table["official"]).all()
    assert (table["computed_minus_official"] == table["allocated"] - table["official"]).all()
    targets = pd.read_csv(out / "targets.csv", encoding="utf-8-sig")
    assert (targets["target_secondary"] + targets["target_tertiary"] == targets["target"]).all()
    with pd.ExcelFile(out / "quotas_province.xlsx") as book:
        assert book.sheet_names[0] == "全省汇总" and len(book.sheet_names) == 22


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
    # and listed, without a warning: they are the library's own sheets); it meets the Guangdong
    # rules, so the audit exits 0.
    code = main(["audit", str(out / "sample.xlsx"), "--rules", "guangdong-2013"])
    assert code == 0


@pytest.mark.slow
def test_ownership_groups_reported_sample_against_register(run):
    # 人社部函〔2011〕308号: "兼顾各类所有制企业" - every kind of ownership covered, in proportion to
    # the local structure. ownership.csv gives each city's seven groups (国统字〔1998〕200号
    # registration types) in the monitored sample and in the register (in business, without
    # micro enterprises, which the rules exclude), and the audit carries ownership_mix.
    out, result = run
    table = pd.read_csv(out / "ownership.csv", encoding="utf-8-sig")
    task = datasets.guangdong_2013_task()
    # Every monitored enterprise counted once: the city's sample is its annex-1 task.
    assert table.groupby("city")["sample"].sum().to_dict() == task["target_10000"].to_dict()
    register = pd.read_parquet(out / "register_synthetic.parquet")
    kept = register[in_business(register["status"]) & (register["size_class"].astype(str) != "micro")]
    counted = kept.groupby([kept["city"].astype(str), ownership_group(kept["registration_type"])]).size()
    assert table.set_index(["city", "ownership_group"])["register"].to_dict() == counted.to_dict()
    for column in ("register_share", "sample_share"):
        assert table.groupby("city")[column].sum().to_numpy() == pytest.approx(1.0)
    audited = result.report.to_frame().query("rule == 'ownership_mix'").set_index("city")
    assert set(audited.index) == set(task.index)
    # the audit's measure is the largest gap of a city's groups, and it warns beyond 10 points
    worst = table.assign(gap=table["difference"].abs()).groupby("city")["gap"].max()
    assert audited["observed"].to_dict() == pytest.approx(worst.to_dict())
    assert set(audited.index[audited["status"] == "warn"]) == set(worst.index[worst > 0.1 + 1e-9])


@pytest.mark.slow
def test_the_month_after(run):
    # issue 18: the example writes the month's check report, 附表一/附表二 and the estimates
    out, result = run
    folder = out / "month_2013-01"
    for name in ("附表一_2013-01.xlsx", "审核结果_2013-01.xlsx", "附表二_2013-01.xlsx", "估计_2013-01.xlsx"):
        assert (folder / name) in result.files and (folder / name).exists()
    text = (folder / "月报_2013-01.txt").read_text(encoding="utf-8")
    assert "标准误" in text and "合成数据" in text


def test_monitoring_work_tilt_by_hand():
    # The plan: "根据当地经济状况以及现有企业用工定点监测工作开展情况" - the example measures the
    # monitoring work by the existing panel against the proportional share. By hand: panel
    # shares 0.2 / 0.3 / 0.5 against blend shares 0.05 / 0.3 / 0.65 give ratios 4, 1, 0.77;
    # with the square root: 2, 1 and (below 1, no cut) 1.
    panel = pd.Series({"a": 20, "b": 30, "c": 50})
    share = pd.Series({"a": 0.05, "b": 0.3, "c": 0.65})
    assert monitoring_work_tilt(panel, share).tolist() == pytest.approx([2.0, 1.0, 1.0])
    assert monitoring_work_tilt(panel, share, strength=1.0).tolist() == pytest.approx([4.0, 1.0, 1.0])
    assert monitoring_work_tilt(panel, share, strength=0).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="strength must be a number between 0 and 1"):
        monitoring_work_tilt(panel, share, strength=2)
    with pytest.raises(ValueError, match=r"no positive share for \['a'\]"):
        monitoring_work_tilt(panel, share.drop("a"))


def test_unknown_targets_named(tmp_path):
    with pytest.raises(ValueError, match="unknown targets 'annex'; valid: \\['official', 'computed'\\]"):
        guangdong_2013(tmp_path, targets="annex", echo=lambda _: None)  # type: ignore[arg-type]
