"""Every check of a submission: a clean report passes; a report that breaks one rule fails (or
warns) on that rule only, with its message. The expected values are the form's rules worked by
hand (domain-rules.md, section 5)."""

import pandas as pd
import pytest

from monitoring.checks import RULES, ReportCheck, check_reports
from monitoring.exceptions import ReportError

LISTED = pd.DataFrame(
    {
        "enterprise_id": ["A", "B", "C", "D"],
        "city": ["韶关市", "韶关市", "韶关市", "佛山市"],
        "name": ["甲厂", "乙厂", "丙公司", "丁公司"],
        "registration_type": ["173", "110", "173", "159"],
        "industry": ["13", "34", "51", "39"],
    }
)


def clean() -> pd.DataFrame:
    """A correct month: A grows, B falls by layoffs (small), C unchanged, D falls by 'other'."""
    return pd.DataFrame(
        {
            "enterprise_id": ["A", "B", "C", "D"],
            "city": ["韶关市", "韶关市", "韶关市", "佛山市"],
            "month": "2013-02",
            # by hand: (5) = (4) - (3); (6) = (5) / (3) x 100 to 2 decimals
            # A: 120 - 100 = 20, 20.00; B: 285 - 300 = -15, -5.00; C: 0, 0.00; D: 57 - 60 = -3, -5.00
            "base_employment": [100, 300, 50, 60],
            "end_employment": [120, 285, 50, 57],
            "change": [20, -15, 0, -3],
            "change_rate": [20.0, -5.0, 0.0, -5.0],
            "closure": [None, None, None, None],
            "suspension": [None, None, None, None],
            "layoff": [None, -15, None, None],
            "moved_out": [None, None, None, None],
            "other": [None, None, None, -3],
            "reasons": [None, "4,6", None, "11"],
            "name": ["甲厂", "乙厂", "丙公司", "丁公司"],
            "registration_type": ["173", "110", "173", "159"],
            "industry": ["13", "34", "51", "39"],
            "source_row": [5, 6, 7, 5],
        }
    )


def problems(check: ReportCheck) -> list[tuple[str, str, str]]:
    f = check.failures()
    return list(zip(f["enterprise_id"].fillna(f["city"]), f["rule"], f["status"]))


def test_clean_month_passes_every_rule_in_every_city():
    check = check_reports(clean(), LISTED)
    assert check.passed and check.failures().empty
    # one pass row per city and rule that ran (late and base_continuity need more input)
    ran = set(RULES) - {"late", "base_continuity"}
    assert set(zip(check.results["city"], check.results["rule"])) == {
        (c, r) for c in ("佛山市", "韶关市") for r in ran
    }
    assert check.cities.set_index("city").loc["韶关市", ["listed", "reported"]].tolist() == [3, 3]
    assert any("lateness not checked" in n for n in check.notes)


def test_change_formula():
    r = clean()
    r.loc[0, "change"] = 25  # 120 - 100 = 20, not 25
    r.loc[0, "change_rate"] = 25.0
    check = check_reports(r, LISTED)
    row = check.failures().iloc[0]
    assert problems(check) == [("A", "change_formula", "fail")]
    assert row["message_zh"] == "A 甲厂：(5) 填报 25，(4)-(3) = 20"
    assert row["message_en"] == "A 甲厂: (5) reported 25, (4) - (3) = 20"
    assert row["source_row"] == 5


@pytest.mark.parametrize(
    ("rate", "ok"),
    [
        (-5.0, True),
        (-5.004, True),  # within half a unit of the second decimal of -5.00
        (-5.006, False),
        (5.0, False),  # a decrease carries the minus sign
        (-0.05, False),  # a share, not per cent
    ],
)
def test_change_rate_formula(rate, ok):
    r = clean()
    r.loc[1, "change_rate"] = rate  # by hand: -15 / 300 x 100 = -5.00
    check = check_reports(r, LISTED)
    if ok:
        assert check.passed
    else:
        assert problems(check) == [("B", "change_rate_formula", "fail")]
        assert (
            check.failures()["message_en"].iloc[0] == f"B 乙厂: (6) reported {rate}, (5) / (3) x 100 = -5.00"
        )


def test_change_rate_rounding_to_the_forms_decimals():
    r = clean()
    # 1 / 3 x 100 = 33.333...: 33.33 is right, 33.3 is not (two decimals)
    r.loc[2, ["base_employment", "end_employment", "change", "change_rate"]] = [3, 4, 1, 33.33]
    assert check_reports(r, LISTED).passed
    r.loc[2, "change_rate"] = 33.3
    assert problems(check_reports(r, LISTED)) == [("C", "change_rate_formula", "fail")]
    # with one decimal on the form, 33.3 is right
    assert check_reports(r, LISTED, rate_decimals=1).passed


def test_rate_with_zero_base_must_be_blank():
    r = clean()
    r.loc[2, ["base_employment", "end_employment", "change", "change_rate"]] = [0, 5, 5, 100.0]
    check = check_reports(r, LISTED)
    assert problems(check) == [("C", "change_rate_formula", "fail")]
    assert "(3) is 0" in check.failures()["message_en"].iloc[0]
    r.loc[2, "change_rate"] = None
    assert check_reports(r, LISTED).passed


def test_missing_value():
    r = clean()
    r.loc[0, "end_employment"] = None
    check = check_reports(r, LISTED)
    assert problems(check) == [("A", "missing_value", "fail")]
    row = check.failures().iloc[0]
    assert (row["message_zh"], row["message_en"]) == (
        "A 甲厂：未填 调查期期末就业人数",
        "A 甲厂: not filled: end_employment",
    )


def test_negative_employment():
    r = clean()
    r.loc[2, ["base_employment", "end_employment", "change", "change_rate"]] = [50, -1, -51, -102.0]
    r.loc[2, ["other", "reasons"]] = [-51, "11"]
    check = check_reports(r, LISTED)
    assert problems(check)[0] == ("C", "negative_employment", "fail")
    assert check.failures()["message_en"].iloc[0] == "C 丙公司: (3)/(4) negative: 50/-1"


def test_decrease_sign():
    r = clean()
    r.loc[1, "layoff"] = 15  # must be -15
    check = check_reports(r, LISTED)
    assert ("B", "decrease_sign", "fail") in problems(check)
    assert check.failures().query("rule == 'decrease_sign'")["message_en"].iloc[0] == (
        "B 乙厂: 经济性裁员 positive; decreases carry a minus sign"
    )


def test_decrease_without_fall():
    r = clean()
    r.loc[0, "other"] = -2  # A grew by 20
    check = check_reports(r, LISTED)
    assert problems(check) == [("A", "decrease_without_fall", "fail")]
    assert check.failures()["message_en"].iloc[0] == (
        "A 甲厂: employment did not fall ((5) = 20) but decrease types add to -2"
    )


def test_zero_in_decrease_types_without_fall_is_not_a_problem():
    r = clean()
    r.loc[0, list(("closure", "suspension", "layoff", "moved_out", "other"))] = 0
    assert check_reports(r, LISTED).passed


def test_decrease_sum():
    r = clean()
    r.loc[1, ["layoff", "other"]] = [-10, -3]  # -13, not -15
    check = check_reports(r, LISTED)
    assert problems(check) == [("B", "decrease_sum", "fail")]
    assert check.failures()["message_zh"].iloc[0] == "B 乙厂：(7)至(11)之和 -13，(5) = -15"


def test_decrease_types_missing_when_employment_fell():
    r = clean()
    r.loc[3, "other"] = None  # D fell by 3 with no type: the types add to 0
    assert problems(check_reports(r, LISTED)) == [("D", "decrease_sum", "fail")]


@pytest.mark.parametrize(
    ("reasons", "rule", "message"),
    [
        ("4,12", "reason_code", "B 乙厂: reason code(s) 12 not among 1-11"),
        ("0", "reason_code", "B 乙厂: reason code(s) 0 not among 1-11"),
        ("4,6,8,1", "reason_count", "B 乙厂: 4 reasons given, at most 3"),
        ("4,4", "reason_repeated", "B 乙厂: reasons 4,4 repeat a code"),
    ],
)
def test_reason_codes(reasons, rule, message):
    r = clean()
    r.loc[1, "reasons"] = reasons
    check = check_reports(r, LISTED)
    assert problems(check) == [("B", rule, "fail")]
    assert check.failures()["message_en"].iloc[0] == message


def test_reasons_only_with_a_decrease():
    r = clean()
    r.loc[0, "reasons"] = "7"  # A grew
    check = check_reports(r, LISTED)
    assert problems(check) == [("A", "reason_without_fall", "fail")]
    assert check.failures()["message_zh"].iloc[0] == "A 甲厂：就业人数未减少却填了原因 7"


def test_reason_missing_warns():
    r = clean()
    r.loc[3, "reasons"] = None
    check = check_reports(r, LISTED)
    assert check.passed  # a warning does not fail the submission
    assert problems(check) == [("D", "reason_missing", "warn")]
    assert check.failures()["message_en"].iloc[0] == "D 丁公司: employment fell but no reason is given"


def test_base_continuity_against_last_month():
    last = clean().assign(month="2013-01")
    this = clean()
    # last month's (4) becomes this month's (3): A 120 -> base must be 120, not 100
    this["base_employment"] = [120, 285, 50, 57]
    this["end_employment"] = [120, 285, 50, 57]
    this["change"] = 0
    this["change_rate"] = 0.0
    this[["layoff", "other", "reasons"]] = None
    assert check_reports(this, LISTED, previous=last).passed
    this.loc[0, ["base_employment", "change", "change_rate"]] = [118, 2, 1.69]  # 2 / 118 = 1.69%
    check = check_reports(this, LISTED, previous=last)
    assert problems(check) == [("A", "base_continuity", "fail")]
    assert check.failures()["message_en"].iloc[0] == "A 甲厂: (3) reported 118, last month's (4) was 120"


def test_previous_must_be_the_month_before():
    with pytest.raises(ReportError, match="previous must be the reports of 2013-01; found \\['2012-11'\\]"):
        check_reports(clean(), LISTED, previous=clean().assign(month="2012-11"))


def test_not_reported_listed_per_city():
    r = clean().drop(index=[1, 3])
    check = check_reports(r, LISTED)
    assert problems(check) == [("D", "not_reported", "fail"), ("B", "not_reported", "fail")]
    assert check.cities.set_index("city")["not_reported"].to_dict() == {"佛山市": 1, "韶关市": 1}
    assert check.failures()["message_zh"].tolist() == [
        "D 丁公司：佛山市 监测企业未上报",
        "B 乙厂：韶关市 监测企业未上报",
    ]
    assert "Not reported: 佛山市 1, 韶关市 1" in check.summary()


def test_not_on_list_and_duplicate():
    r = clean()
    extra = r.iloc[[2]].assign(enterprise_id="Z", name="戊厂", source_row=8)
    again = r.iloc[[2]].assign(source_row=9)
    check = check_reports(pd.concat([r, extra, again], ignore_index=True), LISTED)
    assert sorted(problems(check)) == [
        ("C", "duplicate", "fail"),
        ("C", "duplicate", "fail"),
        ("Z", "not_on_list", "fail"),
    ]
    assert (
        check.failures().query("rule == 'duplicate'")["message_en"].tolist()
        == ["C 丙公司: reported 2 times"] * 2
    )
    assert check.failures().query("rule == 'not_on_list'")["message_en"].tolist() == [
        "Z 戊厂: not on the monitored list"
    ]
    # 3 listed enterprises of 韶关 reported, in 5 rows (one repeated, one not on the list)
    assert check.cities.set_index("city").loc["韶关市", ["reported", "rows", "not_on_list"]].tolist() == [
        3,
        5,
        1,
    ]


def test_rows_without_an_id_are_not_on_the_list():
    r = clean()
    r.loc[2, "enterprise_id"] = None
    check = check_reports(r, LISTED)
    assert (None, "not_on_list", "fail") in [(None if pd.isna(e) else e, u, s) for e, u, s in zip(
        check.failures()["enterprise_id"], check.failures()["rule"], check.failures()["status"]
    )]  # fmt: skip
    assert ("C", "not_reported", "fail") in problems(check)


@pytest.mark.parametrize(
    ("column", "value", "rule", "status", "message"),
    [
        ("city", "佛山市", "city_mismatch", "fail", "A 甲厂: city reported 佛山市, the list has 韶关市"),
        ("name", "甲厂有限公司", "name_mismatch", "warn", "A 甲厂有限公司: name reported 甲厂有限公司, the list has 甲厂"),
        ("registration_type", "171", "registration_mismatch", "warn",
         "A 甲厂: registration_type reported 171, the list has 173"),
        ("industry", "14", "industry_mismatch", "warn", "A 甲厂: industry reported 14, the list has 13"),
    ],
)  # fmt: skip
def test_matches_the_monitored_list(column, value, rule, status, message):
    r = clean()
    r.loc[0, column] = value
    check = check_reports(r, LISTED)
    assert problems(check) == [("A", rule, status)]
    assert check.failures()["message_en"].iloc[0] == message


def test_name_differing_only_by_spaces_matches():
    r = clean()
    r.loc[0, "name"] = "甲 厂"
    assert check_reports(r, LISTED).failures().empty


@pytest.mark.parametrize(
    ("column", "base", "decrease", "flagged"),
    [
        ("closure", 300, -15, True),  # any closure
        ("suspension", 300, -15, True),
        ("moved_out", 300, -15, True),
        ("layoff", 300, -15, False),  # 15 < 20 people and 15 / 300 = 5% < 10%
        ("layoff", 300, -20, True),  # 20 people (劳动合同法 art. 41)
        ("layoff", 100, -10, True),  # 10 / 100 = 10%
        ("layoff", 101, -10, False),  # 10 / 101 = 9.9%
        ("other", 300, -150, False),  # 'other' needs no special explanation
    ],
)
def test_special_explanation(column, base, decrease, flagged):
    r = clean()
    end = base + decrease
    rate = round(decrease / base * 100 + 1e-12, 2)
    r.loc[1, ["base_employment", "end_employment", "change", "change_rate", "layoff"]] = [
        base, end, decrease, rate, None,
    ]  # fmt: skip
    r.loc[1, column] = decrease
    check = check_reports(r, LISTED)
    assert problems(check) == ([("B", "special_explanation", "warn")] if flagged else [])
    if flagged:
        row = check.failures().iloc[0]
        assert row["value"] == f"{column}={decrease}"
        assert row["message_zh"].endswith("，需报送专项说明")


def test_special_explanation_thresholds_are_parameters():
    r = clean()  # B: layoff 15 of 300
    assert problems(check_reports(r, LISTED, layoff_persons=15)) == [("B", "special_explanation", "warn")]
    assert problems(check_reports(r, LISTED, layoff_share=0.05)) == [("B", "special_explanation", "warn")]
    with pytest.raises(ValueError, match="layoff_share must be a share in \\(0, 1\\], got 10"):
        check_reports(r, LISTED, layoff_share=10)


def test_late_submission_against_the_5th():
    # February's reports are due 5 March 2013 (2011 rules)
    submitted = {"韶关市": "2013-03-05", "佛山市": "2013-03-07"}
    check = check_reports(clean(), LISTED, submitted=submitted)
    assert problems(check) == [("佛山市", "late", "fail")]
    assert (
        check.failures()["message_en"].iloc[0]
        == "佛山市: submitted 2013-03-07, due 2013-03-05, 2 day(s) late"
    )
    assert check.parameters["deadline"] == "2013-03-05"
    # the 2009 rules: the 10th
    assert check_reports(clean(), LISTED, submitted=submitted, deadline_day=10).passed
    # a holiday moves the deadline earlier
    early = check_reports(clean(), LISTED, submitted=submitted, deadline="2013-03-04")
    assert sorted(problems(early)) == [("佛山市", "late", "fail"), ("韶关市", "late", "fail")]


def test_one_month_only():
    r = clean()
    r.loc[0, "month"] = "2013-03"
    with pytest.raises(ReportError, match="reports must be of one month; found \\['2013-02', '2013-03'\\]"):
        check_reports(r, LISTED)


def test_failures_first_and_outputs(tmp_path):
    r = clean()
    r.loc[0, ["change", "change_rate"]] = [25, 25.0]
    r.loc[3, "reasons"] = None
    check = check_reports(r, LISTED)
    statuses = check.results["status"].tolist()
    assert statuses[:2] == ["fail", "warn"] and set(statuses[2:]) == {"pass"}
    html = check._repr_html_()
    assert html.index("change_formula") < html.index("reason_missing")
    assert repr(check).startswith("<ReportCheck: 2013-02: 4 of 4 monitored enterprises reported")
    path = tmp_path / "check.xlsx"
    check.to_excel(path)
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == ["审核结果", "未报企业", "分市汇总"]
    assert book["审核结果"]["结果"].tolist()[:2] == ["不通过", "提示"]
    assert list(book["分市汇总"].columns) == [
        "城市", "监测企业数", "已报企业数", "未报数", "报表行数", "非名单企业", "不通过", "提示",
    ]  # fmt: skip


def test_check_workbook_reads_back_as_the_results(tmp_path):
    r = clean()
    r.loc[0, ["change", "change_rate"]] = [25, 25.0]
    check = check_reports(r, LISTED)
    path = tmp_path / "check.xlsx"
    check.to_excel(path)
    book = pd.read_excel(path, sheet_name=None, dtype={"企业代码": str, "填报值": str})
    results = check.to_frame()
    back = book["审核结果"]
    assert back["企业代码"].fillna("").tolist() == results["enterprise_id"].fillna("").tolist()
    assert back["规则"].tolist() == results["rule"].tolist()
    assert back["填报值"].fillna("").tolist() == results["value"].fillna("").tolist()
    # line numbers as numbers, not text (empty where a check has no line)
    pd.testing.assert_series_equal(back["行号"], results["source_row"].astype(float), check_names=False)
    assert back["message"].tolist() == results["message_en"].tolist()
    pd.testing.assert_frame_equal(
        book["分市汇总"].set_axis(check.cities.columns, axis=1), check.cities, check_dtype=False
    )
