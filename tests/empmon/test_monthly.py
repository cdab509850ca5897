"""The example's month: the cities' files, the checks, 附表二 and the estimates, in Chinese."""

import openpyxl
import pandas as pd
import pytest

from empmon.monthly import month_step, usable_reports
from monitoring.read import read_reports
from sampling import select
from sampling.prepare import prepare_frame
from sampling.synthetic import make_frame


@pytest.fixture(scope="module")
def sample():
    frame = prepare_frame(make_frame(4000, cities=pd.Series({"韶关市": 1.0, "佛山市": 2.0}), random_state=5))
    keys = ["city", "section", "size_class", "state_owned"]
    cells = frame.groupby(keys, observed=True).size().rename("n").reset_index()
    cells["quota"] = (cells["n"] * 0.1).round().clip(lower=1).astype(int)
    return select(frame, cells.drop(columns="n"), method="srs", random_state=5, min_employees=None)


def test_month_step(sample, tmp_path):
    lines = []
    result = month_step(sample, tmp_path, month="2013-01", random_state=3, echo=lines.append)
    folder = tmp_path / "month_2013-01"
    names = sorted(p.name for p in result.files)
    assert names == sorted(
        [
            "附表一_2013-01.xlsx", "submitted.csv", "审核结果_2013-01.xlsx", "附表二_2013-01.xlsx", "附表二_2013-01.png",
            "design.csv", "估计_2013-01.xlsx", "月报_2013-01.txt",
        ]
    )  # fmt: skip
    assert all(p.parent == folder and p.exists() for p in result.files)
    # the cities' files read as the department reads them
    assert openpyxl.load_workbook(folder / "附表一_2013-01.xlsx").sheetnames == ["佛山市", "韶关市"]
    again = read_reports(folder / "附表一_2013-01.xlsx")
    assert len(again) == len(result.reports)
    # every planted mistake is in the check report
    planted = set(result.reports.attrs.get("mistakes", pd.DataFrame()).itertuples(index=False, name=None))
    flagged = set(
        zip(result.check.failures()["enterprise_id"].astype(object), result.check.failures()["rule"])
    )
    assert planted <= flagged
    # 附表二's province total: the usable reports' (5), summed here directly
    usable, notes = usable_reports(result.reports, sample.to_frame("sample"))
    assert result.summary.by_city.iloc[-1]["change"] == int(usable["change"].sum())
    assert result.summary.by_city.iloc[-1]["enterprises"] == usable["enterprise_id"].nunique()
    assert len(notes) == 2  # the planted stranger and repeat are set aside, and said so
    text = (folder / "月报_2013-01.txt").read_text(encoding="utf-8")
    for heading in (
        "一、报表审核",
        "二、汇总（附表二）",
        "三、全省估计",
        "标准误",
        "合成数据",
        "名单外企业的报表 1 份",
    ):
        assert heading in text
    assert any("end employment" in line for line in lines)
