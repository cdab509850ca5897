"""Classifications against the official tables.

Reference values are read off the documents, not the code:
* GB/T 4754-2011 section ranges (A 01-05, B 06-12, C 13-43, D 44-46, E 47-50, ..., T 96) and
  the 2017 shift (new 79 土地管理业; 2011 80 = 2017 81 etc.);
* 三次产业划分规定 (2012): 05, 11 and 43 are tertiary although in sections A, B and C;
* 国统字〔2011〕75号, table of size thresholds and its example (an industrial enterprise with
  300 employees and 2,000万元 revenue is medium);
* 国统字〔1998〕200号: 110 国有企业, 141 国有联营企业, 151 国有独资公司 are purely state-owned.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas import classify
from quotas.exceptions import SizeClassWarning, UnknownIndustryError, UnknownRegistrationTypeError


def test_tables_have_the_documented_sizes():
    # GB/T 4754-2011: 20 sections, 96 divisions; GB/T 4754-2017: 97 divisions.
    assert len(classify.sections()) == 20
    assert len(classify.divisions("2011")) == 96
    assert len(classify.divisions("2017")) == 97


@pytest.mark.parametrize(
    ("code", "section"),
    [
        ("01", "A"),
        ("05", "A"),
        ("06", "B"),
        ("12", "B"),
        ("13", "C"),
        ("43", "C"),
        ("44", "D"),
        ("46", "D"),
        ("47", "E"),
        ("50", "E"),
        ("51", "F"),
        ("60", "G"),
        ("70", "K"),
        ("82", "P"),
        ("96", "T"),
    ],
)
def test_section_boundaries_2011(code, section):
    # Section ranges printed in GB/T 4754-2011 (A 01-05 ... T 96).
    assert classify.section_of(code) == section


def test_accepted_input_forms_give_the_same_section():
    forms = ["13", 13, "1311", 1311, "131", "C13", "c1311", " 13 "]
    assert classify.section_of(forms).tolist() == ["C"] * len(forms)
    # A one-digit integer lost its leading zero: 5 is division 05 (section A).
    assert classify.section_of(5) == "A"


def test_2017_codes_shift_from_79():
    # GB/T 4754-2017 inserts 79 土地管理业 (N); 2011 80 (修理业, O) is 2017 81 (O).
    assert classify.section_of("79", version="2017") == "N"
    assert classify.section_of("79", version="2011") == "O"
    assert classify.section_of("97", version="2017") == "T"
    with pytest.raises(UnknownIndustryError, match="'97'"):
        classify.section_of("97", version="2011")


def test_three_sector_rule_exceptions():
    # 三次产业划分规定 (2012): primary = A except 05; secondary = B-E except 11 and 43.
    codes = ["01", "04", "05", "06", "11", "13", "42", "43", "44", "50", "51", "96"]
    assert classify.sector_of(codes).tolist() == [1, 1, 3, 2, 3, 2, 2, 3, 2, 2, 3, 3]
    # Counts stated in the data README: 4 primary, 43 secondary, 49 tertiary (2011).
    counts = classify.divisions("2011")["sector"].value_counts().sort_index().tolist()
    assert counts == [4, 43, 49]


def test_unknown_industry_names_value_and_row():
    codes = pd.Series(["13", "99", "A13", "51"], index=["e1", "e2", "e3", "e4"])
    with pytest.raises(UnknownIndustryError) as info:
        classify.section_of(codes)
    message = str(info.value)
    assert "row e2: '99'" in message
    assert "row e3: 'A13'" in message  # letter contradicts the division
    assert "e4" not in message


def test_series_index_is_kept():
    codes = pd.Series(["13", "51"], index=[10, 20])
    assert classify.sector_of(codes).index.tolist() == [10, 20]


def _size(industry, employees, revenue=None, assets=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SizeClassWarning)
        return classify.size_class(industry, employees, revenue, assets)["size_class"].tolist()


def test_document_example_industrial_enterprise():
    # 国统字〔2011〕75号: industry (B, C, D) large >= 1000 employees AND >= 40000万元 revenue;
    # medium >= 300 AND >= 2000; small >= 20 AND >= 300; micro otherwise.
    # 300 employees, 2000万元 -> medium (both medium limits reached).
    # 1200 employees, 30000万元 -> medium (revenue below the large limit 40000).
    # 1200 employees, 40000万元 -> large.
    # 19 employees, 5000万元 -> micro (employees below the small limit 20).
    # 500 employees, 299万元 -> micro (revenue below 300).
    assert _size(["1311"] * 5, [300, 1200, 1200, 19, 500], [2000, 30000, 40000, 5000, 299]) == [
        "medium",
        "medium",
        "large",
        "micro",
        "micro",
    ]


def test_retail_and_wholesale_thresholds():
    # Retail (52): large >= 300 employees and >= 20000万元; medium >= 50 and >= 500;
    # small >= 10 and >= 100. Wholesale (51): large >= 200 and >= 40000; medium >= 20 and
    # >= 5000; small >= 5 and >= 1000.
    assert _size(["52", "52", "52", "51", "51"], [300, 60, 10, 20, 5], [20000, 600, 100, 5000, 999]) == [
        "large",
        "medium",
        "small",
        "medium",
        "micro",
    ]


def test_construction_uses_revenue_and_assets():
    # Construction (E): large revenue >= 80000 and assets >= 80000; medium >= 6000 and >= 5000;
    # small >= 300 and >= 300. Employees do not count.
    assert _size(["47", "47", "47"], [5, 5, 5], [80000, 6000, 6000], [80000, 5000, 4999]) == [
        "large",
        "medium",
        "small",
    ]


def test_missing_revenue_is_flagged_and_counted():
    with pytest.warns(SizeClassWarning, match="2 of 3 enterprises"):
        out = classify.size_class(["13", "13", "13"], [1200, 25, 400], [None, None, 2500])
    # Employees alone: 1200 >= 1000 -> large; 25 >= 20 -> small.
    assert out["size_class"].tolist() == ["large", "small", "medium"]
    assert out["size_basis"].tolist() == ["employees only", "employees only", "document"]


def test_unlisted_industry_uses_other_limits_and_is_flagged():
    # Finance (J, 66) is not sized by 国统字〔2011〕75号; the library uses the 其他未列明行业
    # employee limits (large >= 300, medium >= 100, small >= 10) and flags the row.
    with pytest.warns(SizeClassWarning, match="1 unlisted industry"):
        out = classify.size_class(["66"], [150])
    assert out["size_class"].tolist() == ["medium"]
    assert out["size_basis"].tolist() == ["unlisted industry"]


def test_social_work_is_division_84_in_2011_codes():
    # 其他未列明行业 includes 社会工作, 2011 division 84 (2017 division 85): sized there, not
    # flagged as unlisted. 2011 division 83 卫生 (health) is not in the document.
    with pytest.warns(SizeClassWarning, match="1 unlisted industry"):
        out = classify.size_class(["84", "85"], [150, 150], version="2017")
    assert out["size_basis"].tolist() == ["unlisted industry", "document"]


def test_size_class_bad_numbers_are_named():
    with pytest.raises(ValueError, match="employees.*row 1: -3"):
        classify.size_class(["13", "13"], [10, -3])


@settings(max_examples=60, deadline=None)
@given(
    employees=st.integers(min_value=0, max_value=5000),
    revenue=st.floats(min_value=0, max_value=100000, allow_nan=False),
    extra=st.integers(min_value=0, max_value=5000),
)
def test_size_class_is_monotone_in_the_indicators(employees, revenue, extra):
    # More employees and more revenue never give a smaller class (the limits are lower bounds).
    order = {c: i for i, c in enumerate(classify.SIZE_CLASSES)}
    small, big = _size(["13", "13"], [employees, employees + extra], [revenue, revenue + extra])
    assert order[big] <= order[small]


def test_state_owned_default_codes_and_names():
    # 国统字〔1998〕200号: 110 国有企业, 141 国有联营企业, 151 国有独资公司 are state-owned;
    # 150 有限责任公司, 159 and 143 (国有与集体联营) are not by default.
    values = [110, "141", "151", "国有独资公司", "150", "有限责任公司", "143", "173"]
    assert classify.is_state_owned(values).tolist() == [True, True, True, True, False, False, False, False]
    wider = classify.is_state_owned(values, codes={"110", "141", "143", "151"})
    assert wider.tolist()[6]


def test_unknown_registration_type_is_named():
    with pytest.raises(UnknownRegistrationTypeError, match=r"row 1: '999'"):
        classify.is_state_owned(["110", "999"])
    with pytest.raises(UnknownRegistrationTypeError, match=r"\['998'\]"):
        classify.is_state_owned(["110"], codes={"110", "998"})


def test_large_input_uses_distinct_values():
    rng = np.random.default_rng(0)
    codes = pd.Series(rng.choice(["13", "51", "61"], 50_000))
    assert set(classify.section_of(codes).unique()) == {"C", "F", "H"}


_BASES = np.array(["document", "employees only", "incomplete indicators", "unlisted industry"], dtype=object)


@settings(max_examples=60, deadline=None)
@given(
    industry=st.lists(
        st.sampled_from(
            ["1311", "05", "47", "51", "5110", "52", "70", "7010", "7020", "66", "83", "61", "72"]
        ),
        min_size=1,
        max_size=60,
    ),
    data=st.data(),
    threads=st.integers(1, 3),
    rows_per_task=st.integers(1, 9),
)
def test_size_codes_do_not_depend_on_slices_or_threads(industry, data, threads, rows_per_task):
    # Invariant: the row-by-row size rules give the same codes however the rows are sliced and
    # on however many threads, and the same as size_class on each row alone.
    n = len(industry)
    measure = st.one_of(st.just(np.nan), st.floats(0, 1e6, allow_nan=False))
    emp = np.array(data.draw(st.lists(st.integers(0, 3000), min_size=n, max_size=n)), dtype=float)
    rev = np.array(data.draw(st.lists(measure, min_size=n, max_size=n)), dtype=float)
    ast = np.array(data.draw(st.lists(measure, min_size=n, max_size=n)), dtype=float)
    codes, uniques = pd.factorize(pd.Series(industry, dtype=object))
    whole = classify._size_codes(codes, pd.Series(uniques, dtype=object), emp, rev, ast, version="2011")
    from basis.threads import Workers

    with Workers(threads) as workers:
        sliced = classify._size_codes(
            codes,
            pd.Series(uniques, dtype=object),
            emp,
            rev,
            ast,
            version="2011",
            workers=workers,
            rows_per_task=rows_per_task,
        )
    np.testing.assert_array_equal(whole[0], sliced[0])
    np.testing.assert_array_equal(whole[1], sliced[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SizeClassWarning)
        for i in range(0, n, max(1, n // 5)):
            one = classify.size_class([industry[i]], [emp[i]], revenue=[rev[i]], assets=[ast[i]])
            assert one["size_class"].iloc[0] == classify.SIZE_CLASSES[whole[0][i]]
            assert one["size_basis"].iloc[0] == _BASES[whole[1][i]]


@settings(max_examples=100, deadline=None)
@given(basis=st.lists(st.integers(0, 3), max_size=40))
def test_partial_message_counts_like_value_counts(basis):
    # Invariant: the warning lists the non-"document" bases as pandas value_counts orders them
    # (most frequent first, ties in order of first appearance).
    codes = np.array(basis, dtype=np.int8)
    labels = _BASES[codes]
    flagged = int((labels != "document").sum())
    if not flagged:
        assert classify._partial_message(codes) is None
        return
    counts = pd.Series(labels[labels != "document"]).value_counts().to_dict()
    detail = ", ".join(f"{n} {b}" for b, n in counts.items())
    assert classify._partial_message(codes) == (
        f"size class of {flagged} of {len(codes)} enterprises rests on partial information "
        f"({detail}); see the size_basis column"
    )


def test_sector_of_section_follows_the_2012_rules():
    # 三次产业划分规定 (国家统计局 2012), article 3: 第一产业 is 农、林、牧、渔业 (section A); 第二产业
    # is 采矿业 (B), 制造业 (C), 电力、热力、燃气及水生产和供应业 (D) and 建筑业 (E); 第三产业 is
    # everything else (F-T). The exceptions at division level (05, 11, 43) cannot be seen in a
    # section.
    expected = {s: 1 if s == "A" else 2 if s in "BCDE" else 3 for s in "ABCDEFGHIJKLMNOPQRST"}
    got = classify.sector_of_section(list(expected))
    assert dict(zip(expected, got.tolist())) == expected
    assert classify.sector_of_section("c") == 2


def test_sector_of_section_agrees_with_the_divisions_except_05_11_43():
    # The division table (quotas/data, from GB/T 4754-2011 and the 2012 rules) gives each
    # division's sector; the section-level sector must agree except for the three exceptions.
    divisions = classify.divisions("2011")
    by_section = classify.sector_of_section(divisions["section"])
    differ = divisions.loc[by_section.to_numpy() != divisions["sector"].to_numpy(), "division"]
    assert sorted(differ) == ["05", "11", "43"]


def test_unknown_section_is_named():
    with pytest.raises(UnknownIndustryError, match=r"unknown GB/T 4754 section\(s\): row 1: 'U'"):
        classify.sector_of_section(["A", "U"])


def test_size_and_sector_labels_cover_every_code():
    from quotas import labels

    # 国统字〔2011〕75号: 大型, 中型, 小型, 微型; 三次产业划分规定: 第一、二、三产业.
    assert list(labels.SIZE_LABELS_ZH.values()) == ["大型", "中型", "小型", "微型"]
    assert list(labels.SIZE_LABELS_ZH) == list(labels.SIZE_CLASSES) == list(labels.SIZE_LABELS_EN)
    assert list(labels.SECTOR_LABELS_ZH.values()) == ["第一产业", "第二产业", "第三产业"]
    assert list(labels.SECTOR_LABELS_ZH) == list(labels.SECTORS) == list(labels.SECTOR_NAMES)
    assert classify.SIZE_CLASSES is labels.SIZE_CLASSES


def test_ownership_groups_of_the_1998_registration_types():
    # 国统字〔1998〕200号 (registration_types_1998.csv): every code has a group; headings take the
    # group of their types; 国有独资公司 (151) is state-owned although a limited liability company;
    # 股份合作 (130) and the mixed joint operations (143, 149) are "other".
    from quotas.classify import DEFAULT_STATE_OWNED_CODES, ownership_group, registration_types
    from quotas.labels import OWNERSHIP_GROUPS

    codes = registration_types()["code"]
    groups = ownership_group(codes)
    assert groups.notna().all() and set(groups) == set(OWNERSHIP_GROUPS)
    by_code = dict(zip(codes, groups))
    assert [by_code[c] for c in ("110", "141", "151", "120", "142", "159", "160", "173")] == [
        "state", "state", "state", "collective", "collective", "corporate", "corporate", "private",
    ]  # fmt: skip
    assert [by_code[c] for c in ("130", "143", "149", "190", "230", "290", "330", "390")] == [
        "other", "other", "other", "other", "hmt", "hmt", "foreign", "foreign",
    ]  # fmt: skip
    # The state-owned group is exactly the default state-owned set of the 1/3 rule.
    assert set(codes[groups == "state"]) == set(DEFAULT_STATE_OWNED_CODES)
    assert ownership_group(["私营有限责任公司", "外资企业"]).tolist() == ["private", "foreign"]


def test_ownership_group_errors_name_every_bad_row():
    # Distinct values are classified once; the error still lists the rows as given.
    from quotas.classify import ownership_group
    from quotas.exceptions import UnknownRegistrationTypeError

    values = pd.Series(["173", "999", "110", "999", None], index=[10, 11, 12, 13, 14])
    with pytest.raises(UnknownRegistrationTypeError, match=r"row 11: '999'.*row 13: '999'.*row 14"):
        ownership_group(values)
    assert ownership_group(pd.Series(["173", "110", "173"], dtype="category")).tolist() == [
        "private", "state", "private",
    ]  # fmt: skip
