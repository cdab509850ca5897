"""``empmon reports check|summary|estimate`` on the files of the example's month."""

import openpyxl
import pandas as pd
import pytest

from empmon.cli import main
from empmon.monthly import month_step
from sampling import select
from sampling.prepare import prepare_frame
from sampling.synthetic import make_frame


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    out = tmp_path_factory.mktemp("month")
    frame = prepare_frame(make_frame(4000, cities=pd.Series({"韶关市": 1.0, "佛山市": 2.0}), random_state=5))
    keys = ["city", "section", "size_class", "state_owned"]
    cells = frame.groupby(keys, observed=True).size().rename("n").reset_index()
    cells["quota"] = (cells["n"] * 0.1).round().clip(lower=1).astype(int)
    sample = select(frame, cells.drop(columns="n"), method="srs", random_state=5, min_employees=None)
    sample.to_excel(out / "sample.xlsx")
    result = month_step(sample, out, random_state=3, echo=lambda _: None)
    return out / "month_2013-01", out / "sample.xlsx", result


def test_check(month, capsys):
    folder, sample, result = month
    target = folder / "check.xlsx"
    code = main(
        ["reports", "check", str(folder / "附表一_2013-01.xlsx"), "--list", str(sample),
         "--submitted", str(folder / "submitted.csv"), "-o", str(target), "--quiet"]
    )  # fmt: skip
    # the planted mistakes fail the submission: exit code 1, as empmon audit
    assert code == 1
    text = capsys.readouterr().out
    assert text.splitlines()[0] == result.check.headline()
    assert openpyxl.load_workbook(target).sheetnames == ["审核结果", "未报企业", "分市汇总"]


def test_check_needs_the_list(month, capsys):
    folder, _, _ = month
    assert main(["reports", "check", str(folder / "附表一_2013-01.xlsx"), "--quiet"]) == 2
    assert "needs the monitored list: --list FILE" in capsys.readouterr().err


def test_summary(month, capsys):
    folder, sample, result = month
    target = folder / "summary.xlsx"
    assert main(["reports", "summary", str(folder / "附表一_2013-01.xlsx"), "--list", str(sample),
                 "-o", str(target), "--quiet"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "名单外企业的报表 1 份未纳入" in out and result.summary.headline() in out
    ws = openpyxl.load_workbook(target)["附表二（按城市）"]
    assert ws["A1"].value == "监测城市企业就业人员分类型变化情况省级汇总表"


def test_estimate(month, capsys):
    folder, sample, result = month
    target = folder / "estimates.csv"
    assert main(["reports", "estimate", str(folder / "附表一_2013-01.xlsx"), "--list", str(sample),
                 "--design", str(folder / "design.csv"), "-o", str(target), "--quiet"]) == 0  # fmt: skip
    table = pd.read_csv(target)
    # the same estimates as the example's step, which estimated from the same files in memory
    mine = table.query("by == 'province' and measure == 'change_rate'")["estimate"].item()
    theirs = result.estimates.get("province", "all", "change_rate")["estimate"]
    assert mine == pytest.approx(theirs, rel=1e-12)
