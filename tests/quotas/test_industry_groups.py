"""Industry groups (quotas.industry_groups): the sector they carry, key industries, assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quotas.exceptions import QuotaInputError
from quotas.industry_groups import (
    SECTOR_DIVISIONS,
    check_groups,
    check_key_industries,
    group_matches,
    industry_group,
    sector_of_group,
)


def test_sector_divisions_are_the_three_of_the_rules():
    # 三次产业划分规定 (2012): primary = 农、林、牧、渔业 "不含农、林、牧、渔服务业" (05); secondary =
    # 采矿业 "不含开采辅助活动" (11), 制造业 "不含金属制品、机械和设备修理业" (43), D, E. The data
    # README counts 4 primary, 43 secondary and 49 tertiary divisions.
    assert SECTOR_DIVISIONS == ("A05", "B11", "C43")
    assert sector_of_group(["A", "A05", "B", "B11", "C", "C43", "D", "E", "F", "T"]).tolist() == [
        1, 3, 2, 3, 2, 3, 2, 2, 3, 3,
    ]  # fmt: skip


def test_groups_are_checked_against_their_section():
    assert check_groups(pd.Series(["c39", " G "])).tolist() == ["C39", "G"]
    with pytest.raises(QuotaInputError, match="row 1: 'C05'"):
        check_groups(pd.Series(["C", "C05"]))  # 05 is in section A
    with pytest.raises(QuotaInputError, match="'Z'"):
        check_groups(["Z"])


def test_section_keys_cover_their_divisions():
    assert group_matches(["C", "C39", "C43", "G"], "C").tolist() == [True, True, True, False]
    assert group_matches(["C", "C39", "C43", "G"], "C43").tolist() == [False, False, True, False]


def test_key_industries_table():
    table = pd.DataFrame(
        {"city": ["深圳", "Foshan", "东莞"], "division": [39, "C38", "c"], "min_share": [0.2, None, np.nan]}
    )
    out = check_key_industries(table)
    assert out["city"].tolist() == ["深圳市", "佛山市", "东莞市"]
    assert out["industry_group"].tolist() == ["C39", "C38", "C"]
    assert out["min_share"].isna().tolist() == [False, True, True]
    # Idempotent: a checked table is read again as it is.
    pd.testing.assert_frame_equal(check_key_industries(out), out)


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        (pd.DataFrame({"city": ["深圳"], "division": ["99"]}), "row 0: '99'"),
        (pd.DataFrame({"city": ["深圳"], "division": ["39"], "min_share": [1.5]}), "row 0: 1.5"),
        (pd.DataFrame({"city": ["深圳", "深圳市"], "division": ["39", "C39"]}), "twice"),
        (pd.DataFrame({"city": ["深圳"]}), "['division']"),
    ],
)
def test_bad_key_industries_name_the_row(table, needle):
    with pytest.raises(QuotaInputError) as err:
        check_key_industries(table)
    assert needle in str(err.value)


def test_city_without_target_is_an_error():
    with pytest.raises(QuotaInputError, match="cities without a target: row 0: '深圳'"):
        check_key_industries({"深圳": ["39"]}, cities=pd.Index(["广州市"]))


def test_enterprise_takes_the_most_specific_group_of_its_city():
    key = check_key_industries({"深圳市": ["39", "G"]})
    section = pd.Series(["C", "C", "C", "A", "B", "G", "C"], index=list("abcdefg"))
    division = pd.Series(["39", "39", "43", "05", "06", "51", "13"], index=section.index)
    city = pd.Series(
        ["深圳市", "广州市", "深圳市", "广州市", "深圳市", "深圳市", "深圳市"], index=section.index
    )
    out = industry_group(section, division, city, key_industries=key)
    # C39 only in 深圳; 43 and 05 always split; a section key (G) makes no group of its own.
    assert out.tolist() == ["C39", "C", "C43", "A05", "B", "G", "C"]
    assert list(out.index) == list("abcdefg")
