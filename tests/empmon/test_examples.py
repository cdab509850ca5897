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
from empmon.examples import guangdong_2013, guangdong_key_industries, guangdong_register, monitoring_work_tilt
from quotas import GUANGDONG_2013, InfeasibleQuotaError, build_quotas, datasets
from quotas.classify import ownership_group, sector_of
from quotas.industry_groups import sector_of_group
from sampling.status import in_business
from sampling.structure import structure


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
def test_each_city_gets_its_official_secondary_tertiary_split_exactly(run):
    # Annex 1 of the plan (全省10000家企业用工定点监测任务测算表) gives each city its task and its
    # split "第二产业 / 第三产业" (云浮 182 = 99 + 83; the province 5,311 / 4,689). sector_split is
    # hard: the quotas of the cells' industry groups (divisions 05, 11 and 43 tertiary, as
    # 三次产业划分规定 has them) and the monitored enterprises, classified by their own industry
    # code, both equal it in every city.
    out, result = run
    task = datasets.guangdong_2013_task()
    assert result.quotas.rules["sector_split"].kind == "hard"
    cells = result.quotas.to_frame()
    assert {"C43", "A05"} & set(cells["industry_group"])  # the cells carry the sector
    sector = sector_of_group(cells["industry_group"]).map({2: "secondary", 3: "tertiary"})
    quotas = cells.groupby(["city", sector])["quota"].sum().unstack()
    assert quotas.loc["云浮市"].tolist() == [99, 83]
    assert quotas.loc[task.index].to_dict() == task[["secondary", "tertiary"]].to_dict()
    register = pd.read_parquet(out / "register_synthetic.parquet").set_index("enterprise_id")
    monitored = result.sample.to_frame("sample")
    own = sector_of(register.loc[monitored["enterprise_id"], "industry"].astype(str)).map(
        {2: "secondary", 3: "tertiary"}
    )
    drawn = monitored.groupby([monitored["city"].astype(str), own.to_numpy()]).size().unstack()
    assert drawn.loc[task.index].to_dict() == task[["secondary", "tertiary"]].to_dict()
    audited = result.report.to_frame().query("rule == 'sector_split'")
    assert len(audited) == 21 and (audited["status"] == "pass").all()
    split = pd.read_csv(out / "sector_split.csv", encoding="utf-8-sig", index_col="city")
    assert split.loc["云浮市"].to_dict() == {
        "target_secondary": 99,
        "quota_secondary": 99,
        "sample_secondary": 99,
        "target_tertiary": 83,
        "quota_tertiary": 83,
        "sample_tertiary": 83,
    }
    assert any("split met exactly in 21 of 21 cities" in n for n in result.notes)


@pytest.mark.slow
def test_key_industries_are_the_examples_documented_choice_and_honoured(run):
    # The plan lets cities emphasise their key industries (重点行业); 人社部函〔2011〕308号: "并包括
    # 本地支柱产业". The example's choice (guangdong_key_industries): 深圳 and 东莞 C39, 佛山 C38,
    # at least 10% of the city's sample each: ceil(0.1 x 1523) = 153, ceil(0.1 x 1096) = 110,
    # 0.1 x 900 = 90 (targets of annex 1). key_industries is soft: where the register has too
    # few such enterprises the shortfall is listed in the quotas' relaxations and the audit warns.
    _, result = run
    assert guangdong_key_industries().values.tolist() == [
        ["深圳市", "39", 0.1],
        ["东莞市", "39", 0.1],
        ["佛山市", "38", 0.1],
    ]
    cells = result.quotas.to_frame()
    got = (
        cells[cells["industry_group"].isin(["C38", "C39"])].groupby(["city", "industry_group"])["quota"].sum()
    )
    assert set(got.index) == {("深圳市", "C39"), ("东莞市", "C39"), ("佛山市", "C38")}
    relaxed = result.quotas.relaxed.set_index(["city", "rule"])["by"]
    report = result.report.to_frame().set_index(["city", "rule"])
    for city, group, need in (("深圳市", "C39", 153), ("东莞市", "C39", 110), ("佛山市", "C38", 90)):
        short = need - int(got[(city, group)])
        assert short <= 0 or relaxed[(city, f"key_industries ({group})")] == short
        assert report.loc[(city, "key_industries"), "status"] == ("pass" if short <= 0 else "warn")
        assert report.loc[(city, "pillar_industries"), "status"] == "pass"
    assert any("the example's choice" in n and "statistics yearbook" in n for n in result.notes)


@pytest.mark.slow
def test_hard_split_on_a_register_too_small_names_the_cities_and_rules():
    # A register of 30,000 enterprises cannot give 广州 its annex-1 tertiary task of 932 (nor
    # 深圳 783, 中山 200) or 东莞 its secondary 767: the split is hard, so build_quotas refuses and
    # its report names each city, the conflicting rules and the numbers (never a silent split).
    key = guangdong_key_industries()
    frame = guangdong_register(30_000, key_industries=key, random_state=2013)
    task = datasets.guangdong_2013_task()
    with pytest.raises(InfeasibleQuotaError) as err:
        build_quotas(
            structure(frame),
            task["target_10000"],
            rules=GUANGDONG_2013,
            key_industries=key,
            sector_targets=task[["secondary", "tertiary"]],
        )
    conflicts = {c["city"]: c for c in err.value.conflicts}
    assert set(conflicts) == {"广州市", "深圳市", "东莞市", "中山市"}
    for city, sector in (
        ("广州市", "tertiary"),
        ("深圳市", "tertiary"),
        ("东莞市", "secondary"),
        ("中山市", "tertiary"),
    ):
        target = int(task.loc[city, sector])
        assert set(conflicts[city]["rules"]) == {"sector_split", "capacity"}
        assert conflicts[city]["detail"].startswith(
            f"{sector} target {target} needs >= {target} {sector} enterprises"
        )
    assert "广州市: tertiary target 932" in str(err.value)


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
        "sector_split.csv",
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


@pytest.mark.slow
def test_result_is_a_result_with_one_row_per_city(run):
    from basis.results import Result

    _, result = run
    assert isinstance(result, Result)
    table = result.to_frame()
    task = datasets.guangdong_2013_task()["target_10000"]
    # the 21 cities of the plan's annex 1, each with its task (e.g. 云浮 182) as target and quota
    assert table.columns[0] == "city" and len(table) == 21
    rows = table.set_index("city")
    assert rows["target"].to_dict() == task.to_dict()
    assert (rows["quota"] == rows["target"]).all() and int(rows.loc["云浮市", "quota"]) == 182
    assert int(rows["allocated"].sum()) == 10_000  # the plan's province total
    # the plan's existing panel (annex 1, 3,000 in all) is kept; panel + new fill the quotas
    assert int(rows["panel"].sum()) == 3000
    assert (rows["panel"] + rows["new"] == rows["quota"]).all()
    audit = result.report.to_frame()
    assert int(rows["fail"].sum()) == int(
        (audit["city"].isin(rows.index) & (audit["status"] == "fail")).sum()
    )
    assert int(rows["warn"].sum()) == int(
        (audit["city"].isin(rows.index) & (audit["status"] == "warn")).sum()
    )
    line = repr(result)
    assert "\n" not in line and line.startswith(
        "<ExampleResult: Guangdong 2013: 10,000 enterprises in 21 cities"
    )
    assert "3,000 panel kept, 7,000 new" in line and "audit PASSED" in line
    assert "== Guangdong 2013: summary ==" in str(result)
    assert "<table" in result._repr_html_()
