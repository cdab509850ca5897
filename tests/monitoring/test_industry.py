"""Industry codes of the three GB/T 4754 editions converted to 2011 (and 2017) divisions.

Reference values: the division names of the editions (GB/T 4754-2002, the shipped 2011 and 2017
tables), compared by hand; the derivation is in monitoring/data/SOURCES.md."""

import pytest

from monitoring.exceptions import IndustryConversionError
from monitoring.industry import SPLIT_2002, convert_industry, divisions_2002
from quotas.classify import divisions


def test_the_2002_table():
    t = divisions_2002()
    # GB/T 4754-2002: 20 sections, 95 divisions; codes 12, 38 and 64 unused
    assert len(t) == 95 and t["section"].nunique() == 20
    assert not {"12", "38", "64"} & set(t["division"])
    assert set(t.loc[t["also_2011"] != "", "division"]) == set(SPLIT_2002)
    # every 2011 counterpart is a 2011 division
    assert set(t["division_2011"]) <= set(divisions("2011")["division"])


@pytest.mark.parametrize(
    ("code_2002", "code_2011"),
    [
        ("40", "39"),  # 通信设备、计算机及其他电子设备制造业 -> 计算机、通信和其他电子设备制造业
        ("39", "38"),  # 电气机械及器材制造业 -> 电气机械和器材制造业
        ("29", "29"),  # 橡胶制品业 -> 橡胶和塑料制品业
        ("30", "29"),  # 塑料制品业 -> 橡胶和塑料制品业 (merged)
        ("11", "12"),  # 其他采矿业
        ("53", "54"),  # 城市公共交通业 -> 道路运输业
        ("63", "51"),  # 批发业 (2002 section H, 2011 section F)
        ("67", "62"),  # 餐饮业
        ("78", "74"),  # 地质勘查业 -> 专业技术服务业
        ("86", "93"),  # 社会保障业 (2002 Q) -> 社会保障 (2011 S)
        ("98", "96"),  # 国际组织
    ],
)
def test_2002_to_2011(code_2002, code_2011):
    assert convert_industry(code_2002, version="2002").item() == code_2011
    # the names confirm it: 2002 name and 2011 name of the same activity
    t = divisions_2002().set_index("division")
    assert t.loc[code_2002, "division_2011"] == code_2011


def test_accepted_forms_of_a_code():
    got = convert_industry(
        [40, "4011", "C40", " 40 ", "通信设备、计算机及其他电子设备制造业", None, ""], version="2002"
    )
    assert got.tolist()[:5] == ["39"] * 5 and got.isna().tolist()[5:] == [True, True]


def test_split_divisions_are_named_unless_main_is_asked():
    with pytest.raises(IndustryConversionError) as err:
        convert_industry(["13", "37", "60"], version="2002")
    assert err.value.problems["value"].tolist() == ["37", "60"]
    assert "交通运输设备制造业 was split between 2011 divisions 36 and 37" in str(err.value)
    assert convert_industry(["37", "60"], version="2002", on_split="main").tolist() == ["36", "63"]


def test_2011_and_2017():
    # 2017 inserted 79 土地管理业: 2011 79-96 = 2017 80-97
    assert convert_industry(["78", "79", "96"], version="2011", to="2017").tolist() == ["78", "80", "97"]
    assert convert_industry(["78", "80", "97"], version="2017").tolist() == ["78", "79", "96"]
    with pytest.raises(IndustryConversionError, match="79 土地管理业 has no GB/T 4754-2011 counterpart"):
        convert_industry("79", version="2017")
    # 2002 -> 2017 through 2011: 2002 82 居民服务业 -> 2011 79 -> 2017 80
    assert convert_industry("82", version="2002", to="2017").item() == "80"
    assert divisions("2017").set_index("division").loc["80", "name_zh"] == "居民服务业"


def test_unknown_codes_listed_with_their_rows():
    import pandas as pd

    values = pd.Series(["13", "38", "xx", "38"], index=[5, 6, 7, 8])
    with pytest.raises(IndustryConversionError) as err:
        convert_industry(values, version="2002", column="企业所属行业")
    assert err.value.problems[["row", "column", "value"]].values.tolist() == [
        [6, "企业所属行业", "38"],
        [7, "企业所属行业", "xx"],
        [8, "企业所属行业", "38"],
    ]
    assert "not a GB/T 4754-2002 division" in str(err.value)


def test_bad_edition_names_the_valid_ones():
    with pytest.raises(ValueError, match="version must be one of \\['2002', '2011', '2017'\\], got '1994'"):
        convert_industry("13", version="1994")
