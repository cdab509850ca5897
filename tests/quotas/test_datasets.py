"""Shipped data: sums and facts stated in the data README (its cross-checks)."""

from __future__ import annotations

import pytest

from quotas import datasets


def test_guangdong_2012_matches_the_readme_cross_checks():
    gd = datasets.guangdong_2012()
    assert len(gd) == 21
    # README: city GDPs sum to 60,435.04 亿元; 2020 census column sums to 126,012,510.
    assert gd["gdp"].sum() == pytest.approx(60435.04, abs=0.005)
    assert int(gd["population_census_2020"].sum()) == 126_012_510
    # README: 汕头's private/individual employment is blank in the source -> NaN, not 0.
    assert gd["employed_private_individual"].isna().sum() == 1
    assert gd["employed_private_individual"].isna()["汕头市"]
    # Index is the full official name, joined through the national division code.
    assert gd.loc["东莞市", "city_short"] == "东莞"


def test_panel_sums_to_3000():
    # Annex 1 of the Guangdong 2013 plan: the 3,000 existing monitoring enterprises.
    panel = datasets.guangdong_2013_panel()
    assert int(panel.sum()) == 3000
    assert int(panel["深圳市"]) == 300 and int(panel["云浮市"]) == 50


def test_national_cities_shape_and_gaps():
    nat = datasets.national_cities()
    # README: 337 rows = 293 prefecture cities, 30 autonomous prefectures, 7 prefectures, 3 leagues, 4 municipalities.
    assert nat["kind"].value_counts().to_dict() == {
        "prefecture_city": 293,
        "autonomous_prefecture": 30,
        "prefecture": 7,
        "municipality": 4,
        "league": 3,
    }
    # README: gdp empty for 41 rows; never zero.
    assert nat["gdp"].isna().sum() == 41
    assert (nat["gdp"].dropna() > 0).all()
    assert int(nat["population"].sum()) == 1_396_654_378


def test_monitoring_cities_2009():
    m = datasets.monitoring_cities_2009()
    assert len(m) == 98
    assert set(m.loc[m["municipality"], "city"]) == {"北京市", "天津市", "上海市", "重庆市"}


def test_loaders_return_fresh_copies():
    a = datasets.guangdong_2012()
    a.loc["广州市", "gdp"] = -1
    assert datasets.guangdong_2012().loc["广州市", "gdp"] == 13551.21


def test_guangdong_2013_task_table_totals_as_printed_in_the_annex():
    # Annex 1 of the Guangdong 2013 plan (全省10000家企业用工定点监测任务测算表) prints the column
    # totals 3,000 (3000家监测企业), 10,000 (10000家任务), 5,311 (第二产业) and 4,689 (第三产业);
    # the plan: "到2013年底, 全省企业用工定点监测企业扩大到10000家".
    task = datasets.guangdong_2013_task()
    assert len(task) == 21
    assert task[["panel_3000", "target_10000", "secondary", "tertiary"]].sum().to_dict() == {
        "panel_3000": 3000,
        "target_10000": 10000,
        "secondary": 5311,
        "tertiary": 4689,
    }
    # Every row: 第二产业 + 第三产业 = the city's task.
    assert (task["secondary"] + task["tertiary"] == task["target_10000"]).all()
    # The panel column is the same as the separate panel file, city by city.
    panel = datasets.guangdong_2013_panel()
    assert task["panel_3000"].to_dict() == panel.to_dict()
    # Rows read off the annex: 云浮 182 = 99 + 83; 广州 1,548 = 616 + 932; 东莞 1,096 = 767 + 329.
    assert task.loc["云浮市", ["target_10000", "secondary", "tertiary"]].tolist() == [182, 99, 83]
    assert task.loc["广州市", ["target_10000", "secondary", "tertiary"]].tolist() == [1548, 616, 932]
    assert task.loc["东莞市", ["secondary", "tertiary"]].tolist() == [767, 329]
    # Cities under their full official names, the same 21 as the 2012 statistics.
    assert set(task.index) == set(datasets.guangdong_2012().index)
    assert task.loc["汕尾市", "city_short"] == "汕尾"
    # "existing ... stay in the panel": no city's task is below its panel.
    assert (task["target_10000"] >= task["panel_3000"]).all()
