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
