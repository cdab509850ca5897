"""The city workbooks of the Guangdong example (东莞 and 云浮), sheet by sheet.

References, each independent of the writer:

* annex 1 of the Guangdong 2013 plan (``/work/shared/data/guangdong_2013_task_table.csv``,
  read here with csv, not through the package): 东莞 and 云浮's task and its secondary / tertiary
  split (云浮 182 = 99 + 83);
* the example's own tables: its quota table, sample and rule checks (the pipeline's results)
  and the synthetic register it wrote (``register_synthetic.parquet``), from which the eligible
  counts are recounted here with plain pandas (top 10 sections by employment, no micro);
* 国统字〔2011〕75号 (industry: large >= 1,000 employees, medium >= 300, small >= 20),
  国统字〔1998〕200号 (110 国有企业, 141 国有联营企业, 151 国有独资公司) and 人社部函〔2011〕308号
  (the list's five columns; data before the 5th of each month).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from empmon.examples import guangdong_2013
from empmon.workbook import LIST_HEADERS, write_city_workbooks
from quotas.classify import divisions, registration_types
from sampling.exceptions import SampleError

TASK_TABLE = Path("/work/shared/data/guangdong_2013_task_table.csv")
CITIES = ("东莞市", "云浮市")


def _annex() -> dict[str, dict[str, int]]:
    if not TASK_TABLE.exists():  # outside the project's machines: the same table as package data
        from quotas import datasets

        t = datasets.guangdong_2013_task()
        return {
            c: {"target": int(r.target_10000), "secondary": int(r.secondary), "tertiary": int(r.tertiary)}
            for c, r in t.iterrows()
        }
    with TASK_TABLE.open(encoding="utf-8") as f:
        return {
            f"{row['city']}市": {
                k: int(row[v])
                for k, v in (("target", "target_10000"), ("secondary", "secondary"), ("tertiary", "tertiary"))
            }
            for row in csv.DictReader(f)
        }


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("guangdong")
    result = guangdong_2013(out, frame_size=80_000, echo=lambda _: None)
    register = pd.read_parquet(out / "register_synthetic.parquet")
    return out, result, register


def _rows(path: Path, sheet: str, data_only: bool = True) -> list[list]:
    ws = load_workbook(path, data_only=data_only)[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _city_sample(result, city: str) -> pd.DataFrame:
    t = result.sample.to_frame()
    return t[t["city"].astype(str) == city]


@pytest.mark.slow
@pytest.mark.parametrize("city", CITIES)
def test_sheets_and_cached_values(example, city):
    out, _, _ = example
    path = out / "cities" / f"{city}.xlsx"
    assert load_workbook(path).sheetnames == [
        "说明",
        "配额",
        "规则检查",
        "新增企业名单",
        "备选企业",
        "现有监测企业",
    ]
    # Every formula has a cached value, so viewers that do not recalculate show numbers.
    formulas, values = load_workbook(path), load_workbook(path, data_only=True)
    for ws in formulas:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert values[ws.title][cell.coordinate].value is not None, (ws.title, cell.coordinate)


@pytest.mark.slow
@pytest.mark.parametrize("city", CITIES)
def test_quota_sheet_against_the_official_task_and_the_register(example, city):
    out, result, register = example
    rows = _rows(out / "cities" / f"{city}.xlsx", "配额")
    header = rows[2]
    col = {name: header.index(name) for name in ("配额合计", "其中现有监测企业", "新增", "可选企业数")}
    end = next(i for i in range(4, len(rows)) if rows[i][0] is None)
    body = {r[0]: r for r in rows[4:end]}  # the grid: sections, subtotals, 合计
    annex = _annex()[city]
    # Sector subtotals and the total against annex 1.
    assert body["合计"][col["配额合计"]] == annex["target"]
    start = next(i for i, r in enumerate(rows) if r[0] == "产业")
    assert rows[start][2:5] == ["配额", "下达任务", "差额"]
    block = {r[0]: r[2:5] for r in rows[start + 1 : start + 4]}
    for sector, label in (("secondary", "第二产业"), ("tertiary", "第三产业")):
        quota = body[f"{label}小计"][col["配额合计"]]
        assert block[label] == [quota, annex[sector], quota - annex[sector]]
    assert block["合计"] == [annex["target"], annex["target"], 0]
    # Each section's quota and panel as in the pipeline's quota table.
    cells = result.quotas.to_frame()
    cells = cells[cells["city"].astype(str) == city]
    # the grid's rows are the quota cells' industry groups (sections, or divisions split off)
    per_section = cells.groupby("industry_group" if "industry_group" in cells else "section")[
        ["quota", "panel"]
    ].sum()
    for sec, r in body.items():
        if sec in per_section.index:
            assert r[col["配额合计"]] == per_section.loc[sec, "quota"], sec
            assert r[col["其中现有监测企业"]] == per_section.loc[sec, "panel"], sec
            assert r[col["新增"]] == per_section.loc[sec, "quota"] - per_section.loc[sec, "panel"]
    # Eligible: recounted from the register: the city's top 10 sections by employment, no micro.
    # Outside the panel only enterprises of at least 10 employees count (sampling.eligibility:
    # what select can draw; the structure counts the same).
    here = register[register["city"].astype(str) == city]
    big = (here["employees"] >= 10).to_numpy() | (
        here["in_panel"].to_numpy(dtype=bool) if "in_panel" in here else False
    )
    employment = here[big].groupby("section", observed=True)["employees"].sum()
    top = set(employment[employment.rank(method="min", ascending=False) <= 10].index.astype(str))
    eligible = here[here["section"].astype(str).isin(top) & (here["size_class"].astype(str) != "micro") & big]
    counts = eligible.groupby(eligible[per_section.index.name].astype(str)).size()
    for sec, r in body.items():
        if sec in per_section.index:
            assert r[col["可选企业数"]] == counts.get(sec, 0), sec
    assert body["合计"][col["可选企业数"]] == len(eligible)
    # The count shown before counted micro enterprises too: eligible is smaller.
    assert body["C"][col["可选企业数"]] < (here["section"].astype(str) == "C").sum()


@pytest.mark.slow
@pytest.mark.parametrize("city", CITIES)
def test_rule_checks_sheet(example, city):
    out, result, _ = example
    rows = _rows(out / "cities" / f"{city}.xlsx", "规则检查")
    assert rows[2] == ["结果", "范围", "规则", "依据", "性质", "观测值", "限值", "说明"]
    body = [r for r in rows[3:] if r[0]]
    checks = result.quotas.check()
    mine = checks[checks["city"] == city]
    province = checks[checks["city"] == "(province)"]
    assert len(body) == len(mine) + len(province)
    order = {"不通过": 0, "提示": 1, "未检查": 2, "通过": 3}
    city_rows = [r for r in body if r[1] == city]
    assert [order[r[0]] for r in city_rows] == sorted(order[r[0]] for r in city_rows)  # failures first
    manufacturing = next(r for r in body if r[2] == "制造业企业原则上不超过40%")
    cells = result.quotas.to_frame()
    cells = cells[cells["city"].astype(str) == city]
    share = cells.loc[cells["section"] == "C", "quota"].sum() / cells["quota"].sum()
    assert manufacturing[5] == pytest.approx(share) and manufacturing[6] == pytest.approx(0.4)
    assert manufacturing[3] == "人社部函〔2011〕308号" and manufacturing[4].startswith("原则上")
    assert any(r[1] == "全省" and "50-300" in r[2] for r in body)  # the province-wide band


@pytest.mark.slow
@pytest.mark.parametrize("city", CITIES)
def test_lists_in_the_ministry_format(example, city):
    out, result, register = example
    path = out / "cities" / f"{city}.xlsx"
    sample = _city_sample(result, city)
    type_names = dict(zip(registration_types()["code"], registration_types()["name_zh"]))
    div_names = dict(zip(divisions()["division"], divisions()["name_zh"]))
    by_id = register.set_index("enterprise_id")
    for sheet, role in (("新增企业名单", "new"), ("现有监测企业", "panel")):
        rows = _rows(path, sheet)
        assert tuple(rows[0][:5]) == LIST_HEADERS
        body = pd.DataFrame(rows[1:], columns=rows[0])
        ids = sample.loc[sample["role"] == role, "enterprise_id"]
        assert sorted(body["统一社会信用代码"]) == sorted(ids)
        assert body["序号"].tolist() == list(range(1, len(ids) + 1))
        assert (body["城市名"] == city).all()
        rec = by_id.loc[body["统一社会信用代码"]]
        assert body["企业名称"].tolist() == rec["name"].tolist()
        assert body["企业性质"].tolist() == [type_names[str(c)] for c in rec["registration_type"]]
        assert body["所属行业"].tolist() == [div_names[str(c)[:2]] for c in rec["industry"]]
    rows = _rows(path, "备选企业")
    body = pd.DataFrame(rows[1:], columns=rows[0])
    cells = result.quotas.to_frame()
    open_cells = cells[(cells["city"].astype(str) == city) & (cells["quota"] > 0)]
    keys = ["section", "size_class", "state_owned"] + (
        ["industry_group"] if "industry_group" in sample else []
    )
    reserves = (
        sample[sample["role"] == "reserve"].merge(
            open_cells[keys].astype({"section": str, "size_class": str}).drop_duplicates().assign(_q=1),
            on=keys,
            how="inner",
        )
        if len(sample)
        else sample
    )
    assert sorted(body["统一社会信用代码"]) == sorted(reserves["enterprise_id"])
    # Ordered within each cell: 1, 2, ... as the sample ranks them.
    cell_of = ["门类", "规模", "所有制"]
    if "industry_group" in sample:  # cells of industry groups: C and C43 are two cells, shown as such
        groups = body["统一社会信用代码"].map(sample.set_index("enterprise_id")["industry_group"])
        assert body["行业组"].tolist() == groups.astype(str).tolist()
        cell_of.append("行业组")
    for _, cell in body.groupby(cell_of):
        assert cell["备选顺序"].tolist() == list(range(1, len(cell) + 1))


@pytest.mark.slow
@pytest.mark.parametrize("city", CITIES)
def test_notes_sheet(example, city):
    out, _, _ = example
    rows = _rows(out / "cities" / f"{city}.xlsx", "说明")
    text = "\n".join(str(v) for r in rows for v in r if v is not None)
    assert "合成数据" in rows[1][0]  # the synthetic-register warning comes first
    assert "人社部函〔2011〕308号" in text and "广东省全省企业用工定点监测扩面组织实施方案(2013)" in text
    industry = [r for r in rows if r[0] == "工业" and r[1] == "从业人员"]
    assert [r[3:6] for r in industry] == [[1000, 300, 20]]
    assert "国有企业(110)" in text and "国有联营企业(141)" in text and "国有独资公司(151)" in text
    assert "每月5日前" in text and "按备选顺序" in text
    contacts = {r[0]: r[1] for r in rows if r[0] in ("填报单位", "联系人", "联系电话", "电子邮箱")}
    assert contacts == dict.fromkeys(("填报单位", "联系人", "联系电话", "电子邮箱"))


def test_counties_get_apportioned_quotas_and_their_lists(tmp_path):
    from quotas import MOHRSS_2011, build_quotas
    from sampling import select

    # One city, one cell (G small non-state), 40 enterprises: 30 in 甲区, 10 in 乙县; quota 8.
    # Hamilton by eligible enterprises: 8 x 30/40 = 6, 8 x 10/40 = 2 (no remainders).
    n = 40
    frame = pd.DataFrame(
        {
            "enterprise_id": [f"E{i:02d}" for i in range(n)],
            "name": [f"企业{i}" for i in range(n)],
            "city": "珠海市",
            "county": ["甲区"] * 30 + ["乙县"] * 10,
            "section": "G",
            "size_class": "small",
            "state_owned": False,
            "industry": "51",
            "registration_type": "173",
            "employees": 50,
        }
    )
    structure = pd.DataFrame(
        {
            "city": ["珠海市"],
            "section": ["G"],
            "size_class": ["small"],
            "state_owned": [False],
            "enterprises": [n],
            "employment": [2000],
        }
    )
    quotas = build_quotas(structure, pd.Series({"珠海市": 8}), rules=MOHRSS_2011.replace(min_count=0))
    sample = select(frame, quotas, method="srs", reserves=1, random_state=3)
    books = write_city_workbooks(sample, quotas, tmp_path, register=frame)
    assert sorted(books.files["county"]) == ["", "乙县", "甲区"]
    city = _rows(tmp_path / "珠海市.xlsx", "县区任务")
    table = {r[0]: r[1:5] for r in city[3:] if r[0]}
    assert table["甲区"][0] == 6 and table["乙县"][0] == 2 and table["合计"][0] == 8
    drawn = sample.to_frame()
    drawn = drawn[drawn["role"] == "new"].merge(frame[["enterprise_id", "county"]])
    for county, quota in (("甲区", 6), ("乙县", 2)):
        rows = _rows(tmp_path / "珠海市" / f"{county}.xlsx", "新增企业名单")
        assert sorted(r[rows[0].index("统一社会信用代码")] for r in rows[1:]) == sorted(
            drawn.loc[drawn["county"] == county, "enterprise_id"]
        )
        grid = _rows(tmp_path / "珠海市" / f"{county}.xlsx", "配额")
        total = next(r for r in grid if r[0] == "合计")
        assert total[np.flatnonzero(np.array(grid[2], dtype=object) == "配额合计")[0]] == quota


def _group_cells():
    # Two cells of section C: the key industry C39 split off (20 enterprises, quota 6) and the
    # rest of C (20 enterprises, quota 6); all eligible.
    return pd.DataFrame(
        {
            "city": "珠海市",
            "section": ["C", "C"],
            "industry_group": ["C39", "C"],
            "size_class": "small",
            "state_owned": False,
            "quota": [6, 6],
            "panel": [0, 0],
            "available": [20, 20],
            "eligible": [20, 20],
        }
    )


def _group_register():
    # 甲区: all 20 of C39 and 10 of C; 乙县: the other 10 of C.
    return pd.DataFrame(
        {
            "enterprise_id": [f"E{i:02d}" for i in range(40)],
            "city": "珠海市",
            "county": ["甲区"] * 30 + ["乙县"] * 10,
            "section": "C",
            "industry_group": ["C39"] * 20 + ["C"] * 20,
            "size_class": "small",
            "state_owned": False,
        }
    )


def test_county_split_follows_the_industry_group_cells():
    from empmon.workbook import _county_quotas

    cells = _group_cells()
    counties = _county_quotas(cells, _group_register(), "county", "珠海市", cells_open=cells)
    got = counties.set_index(["county", "industry_group"])["quota"].to_dict()
    # Hamilton within each group cell by the counties' enterprises in it: C39 20:0 -> 6, 0;
    # C 10:10 -> 3, 3. (By section, C's 30:10 would have given 甲区 9 of the 12 cell by cell:
    # 4.5 of C39 to 甲区 and some to 乙县, which has no C39 enterprise.)
    assert got == {("乙县", "C"): 3, ("乙县", "C39"): 0, ("甲区", "C"): 3, ("甲区", "C39"): 6}
    assert counties.groupby("county")["quota"].sum().to_dict() == {"乙县": 3, "甲区": 9}


def test_county_grid_shows_the_industry_groups():
    from basis.xlsx import Workbook
    from empmon.workbook import _county_quotas
    from quotas.sheets import write_city_quotas

    cells = _group_cells()
    counties = _county_quotas(cells, _group_register(), "county", "珠海市", cells_open=cells)
    sheet = Workbook().add_sheet("配额")
    rows = write_city_quotas(
        sheet, counties[counties["county"] == "甲区"], title="珠海市甲区", subtitle="", task=None
    )
    xml = sheet._xml(selected=True).decode()
    # the rows are the groups: C (制造业 without C39) and C39 with its division's name
    assert ">C39<" in xml and ">C<" in xml
    assert rows["total"] > rows["secondary"]


def test_county_split_with_sections_when_the_register_has_no_groups():
    from empmon.workbook import _county_quotas

    # Cells whose groups are their sections split by section on a register without
    # industry_group; cells with a division split off cannot, and say what is missing.
    cells = _group_cells().assign(industry_group="C", quota=8, available=40, eligible=40).iloc[:1]
    register = _group_register().drop(columns="industry_group")
    counties = _county_quotas(cells, register, "county", "珠海市", cells_open=cells)
    # section C: 30 in 甲区, 10 in 乙县 -> 8 x 3/4 = 6 and 8 x 1/4 = 2 (no remainders)
    assert counties.set_index("county")["quota"].to_dict() == {"乙县": 2, "甲区": 6}
    assert "industry_group" not in counties.columns
    with pytest.raises(SampleError, match="C39.*no industry_group column"):
        _county_quotas(_group_cells(), register, "county", "珠海市", cells_open=_group_cells())


def test_rule_checks_worked_out_elsewhere_are_the_ones_shown(tmp_path):
    from quotas import MOHRSS_2011, build_quotas
    from sampling import select

    frame = pd.DataFrame(
        {
            "enterprise_id": [f"E{i:02d}" for i in range(20)],
            "name": [f"企业{i}" for i in range(20)],
            "city": "珠海市",
            "section": "G",
            "size_class": "small",
            "state_owned": False,
            "industry": "51",
            "registration_type": "173",
            "employees": 50,
        }
    )
    structure = frame.groupby(["city", "section", "size_class", "state_owned"], as_index=False).size()
    structure = structure.rename(columns={"size": "enterprises"}).assign(employment=1000)
    quotas = build_quotas(structure, pd.Series({"珠海市": 5}), rules=MOHRSS_2011.replace(min_count=0))
    sample = select(frame, quotas, method="srs", random_state=1)
    # The checks handed in (here QuotaTable.check with one message marked) are what the sheet shows.
    checks = quotas.check()
    checks.loc[0, "message_zh"] = "事先算好的检查"
    write_city_workbooks(sample, quotas, tmp_path, checks=checks)
    shown = [r for r in _rows(tmp_path / "珠海市.xlsx", "规则检查") if "事先算好的检查" in r]
    assert len(shown) == 1
    with pytest.raises(SampleError, match="message_zh"):
        write_city_workbooks(sample, quotas, tmp_path, checks=checks.drop(columns="message_zh"))


def test_county_workbooks_of_a_sample_drawn_on_industry_group_cells(tmp_path):
    from quotas import MOHRSS_2011, build_quotas
    from sampling import select

    # The register of _group_register with names and codes: C39 (20 in 甲区) is a key industry
    # split off C (10 in 甲区, 10 in 乙县); quota 6 in each group cell (12, split evenly by the
    # model: both cells have the same enterprises and employment).
    frame = _group_register().assign(
        name=[f"企业{i}" for i in range(40)],
        industry=["3911"] * 20 + ["1310"] * 20,
        registration_type="173",
        employees=50,
    )
    structure = pd.DataFrame(
        {
            "city": "珠海市",
            "industry_group": ["C39", "C"],
            "size_class": "small",
            "state_owned": False,
            "enterprises": [20, 20],
            "employment": [1000, 1000],
        }
    )
    quotas = build_quotas(
        structure,
        pd.Series({"珠海市": 12}),
        rules=MOHRSS_2011.replace(min_count=0, manufacturing_max=1.0),
        key_industries=pd.DataFrame({"city": ["珠海市"], "industry_group": ["C39"]}),
    )
    assert quotas.cells.set_index("industry_group")["quota"].to_dict() == {"C": 6, "C39": 6}
    sample = select(frame, quotas, method="srs", random_state=3)
    write_city_workbooks(sample, quotas, tmp_path, register=frame)
    # 乙县 has no C39 enterprise: its grid has the C row only, with C's half of 6 (10:10).
    grid = _rows(tmp_path / "珠海市" / "乙县.xlsx", "配额")
    total = grid[2].index("配额合计")
    rows = {r[0]: r[total] for r in grid[4:] if r[0] in ("C", "C39", "合计")}
    assert rows == {"C": 3, "合计": 3}
    grid = _rows(tmp_path / "珠海市" / "甲区.xlsx", "配额")
    rows = {r[0]: r[total] for r in grid[4:] if r[0] in ("C", "C39", "合计")}
    assert rows == {"C": 3, "C39": 6, "合计": 9}
