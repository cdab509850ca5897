"""The national example end to end (small register): what a national office hands on.

Reference facts come from the documents and the data, not from the code: the MOHRSS 2011 tier
minimum of a unit (人社部函〔2011〕308号: at least 30 enterprises in any monitored city), one work
package per unit in its province's folder (the notice went to the cities through the provincial
departments), each package's quota equal to the unit's allocation.
"""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from empmon.examples import national
from empmon.workbook import SHEETS
from quotas import datasets


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    return out, national(out, frame_size=400_000, total=25_000, echo=lambda _: None)


@pytest.mark.slow
def test_every_unit_gets_its_work_package_in_its_province_folder(run):
    out, result = run
    province = datasets.national_cities().set_index("city")["province"]
    allocated = result.allocation.allocated
    listing = pd.read_excel(out / "cities" / "工作包清单.xlsx")
    assert listing["地市"].tolist() == list(result.quotas.targets.index)
    assert set(listing["地市"]) == set(allocated.index)
    for row in listing.itertuples(index=False):
        assert row.省份 == province[row.地市]
        assert row.文件 == f"{row.省份}/{row.地市}.xlsx"
        assert (out / "cities" / row.文件).exists()
    assert (listing.set_index("地市")["配额"] == allocated.reindex(listing["地市"])).all()
    assert int(listing["配额"].sum()) == 25_000
    assert (listing["配额"] >= 30).all()
    # every package lists as many new enterprises as the sample has in the unit (no panel here)
    new = result.sample.to_frame().query("role == 'new'").groupby("city", observed=True).size()
    assert (listing.set_index("地市")["新增企业"] == new.reindex(listing["地市"]).fillna(0)).all()
    written = {p for p in result.files if p.suffix == ".xlsx" and p.parent.parent == out / "cities"}
    assert len(written) == len(listing)


@pytest.mark.slow
def test_a_package_holds_the_city_sheets_and_its_quota(run):
    out, result = run
    city = "韶关市"
    book = load_workbook(out / "cities" / "广东" / f"{city}.xlsx", data_only=True, read_only=True)
    assert book.sheetnames == list(SHEETS)
    grid = [row for row in book["配额"].iter_rows(values_only=True) if row and row[0] == "合计"]
    total_column = [c for c in book["配额"].iter_rows(min_row=3, max_row=3, values_only=True)][0].index(
        "配额合计"
    )
    assert grid[0][total_column] == int(result.allocation.allocated[city])
    names = [r[2] for r in book["新增企业名单"].iter_rows(min_row=2, values_only=True)]
    sample = result.sample.to_frame().query("role == 'new' and city == @city")
    assert sorted(names) == sorted(sample["name"])
    book.close()


@pytest.mark.slow
def test_outputs_of_a_national_office(run):
    out, result = run
    names = {p.name for p in result.files}
    assert {
        "allocation.csv",
        "allocation.xlsx",
        "quotas.csv",
        "sample.csv",
        "reserves.csv",
        "audit.csv",
        "audit.xlsx",
        "audit.txt",
        "NOTES.txt",
        "allocation.png",
        "audit.png",
        "工作包清单.xlsx",
    } <= names
    # the workbooks that repeat the packages are not written at 337 units (national's docstring)
    assert "quotas_province.xlsx" not in names and "sample.xlsx" not in names
    assert all(p.exists() for p in result.files)


@pytest.mark.slow
def test_write_false_writes_nothing(tmp_path):
    out = tmp_path / "none"
    result = national(out, frame_size=400_000, total=25_000, write=False, echo=lambda _: None)
    assert result.files == [] and not out.exists()
