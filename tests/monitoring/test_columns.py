"""The report contract: columns and headers as pipeline.md and the form (domain-rules.md, section 5)
have them, and the parsing of column (12)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.columns import (
    DECREASE_TYPES,
    FORM_NUMBERS,
    HEADERS_ZH,
    REASONS_EN,
    REASONS_ZH,
    REPORT_COLUMNS,
    REPORT_DTYPES,
    empty_reports,
    format_reasons,
    parse_reasons,
)
from monitoring.exceptions import ReportError


def test_columns_as_pipeline_md_lists_them():
    # pipeline.md, "Monthly report": enterprise_id, city, month, base_employment (3),
    # end_employment (4), change (5), change_rate (6), closure ... other (7)-(11), reasons (12)
    assert REPORT_COLUMNS == (
        "enterprise_id", "city", "month", "base_employment", "end_employment", "change",
        "change_rate", "closure", "suspension", "layoff", "moved_out", "other", "reasons",
    )  # fmt: skip
    assert [FORM_NUMBERS[c] for c in REPORT_COLUMNS[3:]] == [str(n) for n in range(3, 13)]
    assert set(REPORT_DTYPES) == set(REPORT_COLUMNS) | {"name", "registration_type", "industry"}


def test_headers_are_the_forms_words():
    # domain-rules.md section 5: 单位名称 (甲), 企业性质 (1), 企业所属行业 (2), 建档期期末就业人数 (3),
    # 调查期期末就业人数 (4), 关闭破产, 停业整顿, 经济性裁员, 企业迁出本市, 其他 (7)-(11),
    # 就业人数减少主要原因 (12)
    assert [HEADERS_ZH[c] for c in ("name", "registration_type", "industry")] == [
        "单位名称", "企业性质", "企业所属行业",
    ]  # fmt: skip
    assert HEADERS_ZH["base_employment"] == "建档期期末就业人数"
    assert HEADERS_ZH["end_employment"] == "调查期期末就业人数"
    assert [HEADERS_ZH[t] for t in DECREASE_TYPES] == [
        "关闭破产",
        "停业整顿",
        "经济性裁员",
        "企业迁出本市",
        "其他",
    ]
    assert HEADERS_ZH["reasons"] == "就业人数减少主要原因"


def test_eleven_reasons():
    # domain-rules.md section 5 lists codes 1-11, 11 = other
    assert sorted(REASONS_ZH) == sorted(REASONS_EN) == list(range(1, 12))
    assert REASONS_ZH[11] == "其他" and REASONS_EN[4] == "too few orders"


def test_empty_reports_dtypes():
    t = empty_reports()
    assert list(t.columns) == list(REPORT_DTYPES)
    assert {c: str(t[c].dtype) for c in t.columns} == REPORT_DTYPES


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("4,6,8", (4, 6, 8)),
        ("4、6、8", (4, 6, 8)),
        ("4，6", (4, 6)),
        (" 4 6 ", (4, 6)),
        ("（4）（11）", (4, 11)),
        (6, (6,)),
        (6.0, (6,)),
        ("", ()),
        (None, ()),
        (float("nan"), ()),
        ([1, "2"], (1, 2)),
    ],
)
def test_parse_reasons(cell, codes):
    assert parse_reasons(cell) == codes


@pytest.mark.parametrize("cell", ["4;x", "4.5", 4.5, "订单不足", True])
def test_parse_reasons_rejects_text_that_is_not_codes(cell):
    with pytest.raises(ReportError, match="reason codes"):
        parse_reasons(cell)


@given(st.lists(st.integers(min_value=1, max_value=11), max_size=3))
def test_format_then_parse_round_trips(codes):
    assert parse_reasons(format_reasons(codes)) == tuple(codes)
