"""City-name resolution through the explicit alias table."""

from __future__ import annotations

import pytest

from quotas.cities import city_aliases, resolve_cities
from quotas.exceptions import UnknownCityError


def test_short_full_and_pinyin_names_resolve():
    assert (
        resolve_cities(["广州", "广州市", "Guangzhou", "guangzhou", "GUANGZHOU CITY"]).tolist()
        == ["广州市"] * 5
    )


def test_autonomous_prefectures_leagues_and_prefectures():
    names = ["延边", "延边州", "延边朝鲜族自治州", "阿拉善", "阿拉善盟", "阿里", "阿里地区", "博州"]
    assert resolve_cities(names).tolist() == [
        "延边朝鲜族自治州",
        "延边朝鲜族自治州",
        "延边朝鲜族自治州",
        "阿拉善盟",
        "阿拉善盟",
        "阿里地区",
        "阿里地区",
        "博尔塔拉蒙古自治州",
    ]


def test_renamed_units_of_the_2009_list():
    # 人社部发〔2009〕152号 lists 山南地区 and 日喀则地区, now 山南市 and 日喀则市.
    assert resolve_cities(["山南地区", "日喀则地区"]).tolist() == ["山南市", "日喀则市"]


def test_unknown_city_is_an_error_naming_it():
    with pytest.raises(UnknownCityError, match="'广洲' matches no city"):
        resolve_cities(["广州", "广洲"])


def test_within_restricts_the_match():
    with pytest.raises(UnknownCityError, match="'北京'"):
        resolve_cities(["北京"], within=["广州市", "深圳市"])


def test_every_alias_is_unique_or_reported():
    table = city_aliases()
    # 337 full names are all present (one row per unit at least).
    assert table["city"].nunique() == 337
