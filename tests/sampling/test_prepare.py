"""Tests for sampling.prepare: checking a register's values and deriving the cells."""

from __future__ import annotations

import functools
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas.exceptions import SizeClassWarning
from sampling.exceptions import FrameError
from sampling.frame import read_frame
from sampling.prepare import prepare_frame, validate_frame


def test_validate_normalises_cities_codes_and_numbers(raw_register):
    out = validate_frame(read_frame(raw_register))
    assert out["city"].tolist() == ["广州市", "广州市", "广州市", "深圳市"]
    assert out["registration_type"].tolist() == ["110", "173", "150", "151"]
    assert out["employees"].tolist() == [300, 1200, 25, 80]
    assert pd.isna(out.loc[2, "revenue"])


def test_validate_collects_every_problem(raw_register):
    raw = read_frame(raw_register)
    raw.loc[1, "enterprise_id"] = "91440101A"  # duplicate of row 0
    raw.loc[2, "employees"] = "-4"
    raw.loc[3, "所属行业" if "所属行业" in raw else "industry"] = "99"
    raw.loc[0, "city"] = "广洲"
    raw.loc[2, "registration_type"] = "国营"
    with pytest.raises(FrameError) as info:
        validate_frame(raw)
    problems = info.value.problems
    got = set(zip(problems["row"], problems["column"]))
    assert got == {
        (0, "enterprise_id"),
        (1, "enterprise_id"),
        (2, "employees"),
        (3, "industry"),
        (0, "city"),
        (2, "registration_type"),
    }
    assert "'广洲' matches no city" in str(info.value)
    assert "99" in str(info.value)


def test_city_outside_the_allowed_set(raw_register):
    with pytest.raises(FrameError, match="深圳"):
        validate_frame(read_frame(raw_register), cities=["广州市"])


def test_prepare_frame_adds_derived_columns(raw_register):
    with pytest.warns(SizeClassWarning):
        out = prepare_frame(read_frame(raw_register))
    # Row 0: industry 1311 (C), 300 employees, 2000万元 -> medium (国统字〔2011〕75号 example);
    # row 1: 1200 employees, 30000万元 -> medium (revenue below 40000);
    # row 2: wholesale 51, 25 employees, revenue unknown -> medium on employees alone (>= 20);
    # row 3: 70 without a class -> sized as 其他未列明行业 (80 employees: small, >= 10).
    assert out["size_class"].tolist() == ["medium", "medium", "medium", "small"]
    assert out["section"].tolist() == ["C", "C", "F", "K"]
    assert out["sector"].tolist() == [2, 2, 3, 3]
    assert out["state_owned"].tolist() == [True, False, False, True]


_ID_CHARS = st.sampled_from(list("AB01 \t") + ["统", "\u3000", "é"])


@settings(max_examples=80, deadline=None)
@given(
    ids=st.lists(st.one_of(st.none(), st.text(_ID_CHARS, max_size=20)), min_size=1, max_size=40),
    chunks=st.integers(1, 3),
    offset=st.integers(0, 2),
)
def test_id_checks_agree_with_pandas(ids, chunks, offset):
    # Invariant: the blank and duplicate id checks (on pyarrow buffers and 64-bit hashes) flag
    # exactly the rows pandas' str.strip / duplicated(keep=False) flag, for sliced and chunked
    # arrays too.
    import pyarrow as pa

    values = ["pad"] * offset + ids
    parts = [values[i::chunks] for i in range(chunks)]
    flat = [v for part in parts for v in part][offset:]
    array = pa.chunked_array([pa.array(p, type=pa.large_string()) for p in parts]).slice(offset)
    series = pd.Series(
        pd.arrays.ArrowStringArray(array) if hasattr(pd.arrays, "ArrowStringArray") else array, dtype="str"
    )
    assert series.isna().tolist() == [v is None for v in flat]
    frame = pd.DataFrame(
        {
            "enterprise_id": series,
            "city": "广州",
            "industry": "13",
            "registration_type": "173",
            "employees": 5,
        }
    )
    text = series.str.strip()
    blank = series.isna() | (text == "")
    # ids are compared after NFKC (issue 14): U+3000 is a space, the rest unchanged
    key = text.map(lambda v: v if not isinstance(v, str) else unicodedata.normalize("NFKC", v).strip())
    dup = key.duplicated(keep=False) & ~blank
    expected = set(series.index[blank]) | set(series.index[dup])
    if expected:
        with pytest.raises(FrameError) as info:
            validate_frame(frame)
        assert set(info.value.problems["row"]) == expected
        problems = info.value.problems
        got_dup = problems.loc[problems["reason"].str.startswith("duplicate enterprise id"), "row"]
        assert set(got_dup) == set(series.index[dup])
    else:
        out = validate_frame(frame)
        pd.testing.assert_series_equal(out["enterprise_id"], text, check_names=False)


@functools.lru_cache(maxsize=1)
def _national_raw() -> pd.DataFrame:
    from sampling.synthetic import make_frame

    return make_frame(300, cities="national", random_state=11, invalid_rate=0.1)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 299), max_size=4), blank=st.floats(0, 1))
def test_prepared_frame_equals_its_prepared_pieces(seed, cuts, blank):
    # Invariant: every derived value depends on its own row only, so preparing a frame equals
    # preparing its pieces and concatenating them (compared as values: the categories of a
    # piece are the values it holds).
    raw = _national_raw().copy()
    rng = np.random.default_rng(seed)
    raw.loc[rng.random(len(raw)) < blank, "revenue"] = np.nan
    raw.loc[rng.random(len(raw)) < blank, "assets"] = np.nan
    bounds = [0, *sorted(set(cuts)), len(raw)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SizeClassWarning)
        whole = prepare_frame(raw)
        pieces = pd.concat([prepare_frame(raw.iloc[a:b]) for a, b in zip(bounds, bounds[1:])])
    assert list(pieces.columns) == list(whole.columns)
    for column in whole.columns:
        pd.testing.assert_series_equal(
            whole[column].astype(object), pieces[column].astype(object), check_dtype=False
        )


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 64), spaces=st.booleans())
def test_workers_and_row_slices_do_not_change_the_prepared_frame(seed, rows, spaces):
    # Invariant: the row passes (the ids' strip check, the size classes, the duplicate hashes)
    # run in slices of ROWS_PER_TASK rows on threads; with tiny slices on three threads every
    # threaded branch runs, and the result is the serial one (workers=1) in one slice.
    from basis import threads

    raw = _national_raw().copy()
    rng = np.random.default_rng(seed)
    raw.loc[rng.random(len(raw)) < 0.3, "revenue"] = np.nan
    if spaces:
        raw["enterprise_id"] = (" " + raw["enterprise_id"]).astype(raw["enterprise_id"].dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SizeClassWarning)
        serial = prepare_frame(raw, workers=1)
        default = threads.ROWS_PER_TASK
        threads.ROWS_PER_TASK = rows
        try:
            threaded = prepare_frame(raw, workers=3)
        finally:
            threads.ROWS_PER_TASK = default
    pd.testing.assert_frame_equal(serial, threaded)


def test_workers_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="workers must be a positive integer or None, got 0"):
        validate_frame(_national_raw(), workers=0)


def test_near_duplicate_ids_show_both_spellings_and_rows():
    # Issue 14: full-width digits, another letter case of a credit code and an invisible
    # character do not make another enterprise; the message names both rows and spellings.
    frame = pd.DataFrame(
        {
            "enterprise_id": [
                "914403001922038216",
                "９１４４０３００１９２２０３８２１６",
                "A\u200b1",
                "A1",
                "B2",
            ],
            "city": "广州",
            "industry": "13",
            "registration_type": "173",
            "employees": 5,
        },
        index=[2, 3, 4, 5, 6],  # rows as the user sees them (header = row 1)
    )
    with pytest.raises(FrameError) as info:
        validate_frame(frame)
    problems = info.value.problems.set_index("row")
    assert problems.loc[2, "reason"] == (
        "duplicate enterprise id: also row 3, written '９１４４０３００１９２２０３８２１６' "
        "(the same after Unicode normalisation)"
    )
    assert problems.loc[5, "reason"] == (
        # repr shows the invisible character as \u200b
        "duplicate enterprise id: also row 4, written 'A\\u200b1' (the same after Unicode normalisation)"
    )
    assert set(problems.index) == {2, 3, 4, 5}


def test_exact_duplicates_name_the_other_row():
    frame = pd.DataFrame(
        {
            "enterprise_id": ["X1", "X2", "X1"],
            "city": "广州",
            "industry": "13",
            "registration_type": "173",
            "employees": 5,
        }
    )
    with pytest.raises(FrameError) as info:
        validate_frame(frame)
    assert info.value.problems["reason"].tolist() == [
        "duplicate enterprise id: also row 2",
        "duplicate enterprise id: also row 0",
    ]


def test_a_mistyped_credit_code_is_named_in_a_warning():
    # GB 32100-2015 check of 华为技术有限公司's code 914403001922038216 (its business licence),
    # by hand: characters 9 1 4 4 0 3 0 0 1 9 2 2 0 3 8 2 1 times the weights 3^(i-1) mod 31 =
    # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 give 9 + 3 + 36 + 108 + 0 + 78 + 0 + 0 +
    # 20 + 261 + 50 + 26 + 0 + 72 + 80 + 60 + 28 = 831; 831 mod 31 = 25; 31 - 25 = 6: the check
    # character is '6'. Its last digit typed as 5, or a letter O typed for a zero, is caught.
    from sampling.exceptions import CreditCodeWarning

    frame = pd.DataFrame(
        {
            "enterprise_id": ["914403001922038216", "914403001922038215", "9144O3001922038216", "E17"],
            "city": "广州",
            "industry": "13",
            "registration_type": "173",
            "employees": 5,
        }
    )
    with pytest.warns(CreditCodeWarning) as caught:
        validate_frame(frame)
    message = str(caught[0].message)
    assert message.startswith("2 enterprise id(s) look like a 统一社会信用代码")
    assert "row 1: '914403001922038215' (check character should be '6')" in message
    assert (
        "row 2: '9144O3001922038216' (a character outside the code's alphabet (no I, O, S, V, Z))" in message
    )
    assert "row 0" not in message


def test_valid_and_lower_case_credit_codes_pass_without_warning():
    # 914403001922038216 (hand calculation above) and the same code in lower case: no warning
    # (pytest turns warnings into errors).
    frame = pd.DataFrame(
        {
            "enterprise_id": ["914403001922038216"],
            "city": "广州",
            "industry": "13",
            "registration_type": "173",
            "employees": 5,
        }
    )
    validate_frame(frame)
