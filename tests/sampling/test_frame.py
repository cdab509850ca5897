"""Reading, validating and aggregating enterprise frames."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotas.exceptions import SizeClassWarning
from sampling.exceptions import FrameError
from sampling.frame import canonical_columns, prepare_frame, read_frame, structure, validate_frame


def _raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "统一社会信用代码": ["91440101A", "91440101B", "91440101C", "91440101D"],
            "企业名称": ["甲", "乙", "丙", "丁"],
            "所在地市": ["广州", "广州市", "Guangzhou", "深圳"],
            "所属行业": ["1311", "C13", "51", "70"],
            "企业性质": ["国有企业", "173", "有限责任公司", "151"],
            "从业人员（人）": ["300", "1,200", "25", "80"],
            "营业收入（万元）": ["2000", "30000", "", "500"],
            "备注": ["", "", "", ""],
        }
    )


def test_headers_map_with_units_and_spaces():
    mapping = canonical_columns(["企业名称 ", "从业人员(人)", "营业收入（万元）", "Enterprise_ID"])
    assert mapping == {
        "企业名称 ": "name",
        "从业人员(人)": "employees",
        "营业收入（万元）": "revenue",
        "Enterprise_ID": "enterprise_id",
    }


def test_read_frame_keeps_unknown_columns_and_does_not_mutate(tmp_path):
    raw = _raw()
    before = raw.copy()
    frame = read_frame(raw)
    assert "备注" in frame.columns  # not dropped
    pd.testing.assert_frame_equal(raw, before)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_read_frame_from_files(tmp_path, suffix):
    path = tmp_path / f"frame{suffix}"
    raw = _raw()
    if suffix == ".csv":
        raw.to_csv(path, index=False, encoding="gb18030")  # a typical Chinese Excel export
    elif suffix == ".xlsx":
        raw.to_excel(path, index=False)
    else:
        raw.to_parquet(path)
    frame = read_frame(path)
    assert frame["enterprise_id"].tolist() == raw["统一社会信用代码"].tolist()
    assert frame["city"].tolist() == ["广州", "广州市", "Guangzhou", "深圳"]


def test_missing_required_column_lists_headers():
    with pytest.raises(FrameError, match=r"required column\(s\) \['employees'\].*企业名称"):
        read_frame(_raw().drop(columns=["从业人员（人）"]))


def test_explicit_column_mapping():
    raw = _raw().rename(columns={"从业人员（人）": "年末人数"})
    frame = read_frame(raw, columns={"年末人数": "employees"})
    assert "employees" in frame.columns


def test_validate_normalises_cities_codes_and_numbers():
    out = validate_frame(read_frame(_raw()))
    assert out["city"].tolist() == ["广州市", "广州市", "广州市", "深圳市"]
    assert out["registration_type"].tolist() == ["110", "173", "150", "151"]
    assert out["employees"].tolist() == [300, 1200, 25, 80]
    assert pd.isna(out.loc[2, "revenue"])


def test_validate_collects_every_problem():
    raw = read_frame(_raw())
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


def test_city_outside_the_allowed_set():
    with pytest.raises(FrameError, match="深圳"):
        validate_frame(read_frame(_raw()), cities=["广州市"])


def test_prepare_frame_adds_derived_columns():
    with pytest.warns(SizeClassWarning):
        out = prepare_frame(read_frame(_raw()))
    # Row 0: industry 1311 (C), 300 employees, 2000万元 -> medium (国统字〔2011〕75号 example);
    # row 1: 1200 employees, 30000万元 -> medium (revenue below 40000);
    # row 2: wholesale 51, 25 employees, revenue unknown -> medium on employees alone (>= 20);
    # row 3: 70 without a class -> sized as 其他未列明行业 (80 employees: small, >= 10).
    assert out["size_class"].tolist() == ["medium", "medium", "medium", "small"]
    assert out["section"].tolist() == ["C", "C", "F", "K"]
    assert out["sector"].tolist() == [2, 2, 3, 3]
    assert out["state_owned"].tolist() == [True, False, False, True]


def test_structure_counts_cells():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SizeClassWarning)
        frame = prepare_frame(read_frame(_raw()))
    frame["in_panel"] = [True, True, False, False]
    frame["status"] = ["", "关闭破产", "", ""]
    s = structure(frame)
    # Two medium C enterprises in 广州 (one state-owned, one closed), one medium F, one small K
    # in 深圳.
    assert s[
        ["city", "section", "size_class", "state_owned", "enterprises", "employment", "panel"]
    ].values.tolist() == [
        # the 1,200-employee C enterprise is in the panel but closed (关闭破产): out of business,
        # it is not counted at all (domain-rules.md "Sample maintenance": closed or bankrupt
        # units are removed), so its cell has no enterprise
        ["广州市", "C", "medium", True, 1, 300, 1],
        ["广州市", "F", "medium", False, 1, 25, 0],
        ["深圳市", "K", "small", True, 1, 80, 0],
    ]
    assert s["enterprises_50_300"].tolist() == [1, 0, 1]


def test_structure_needs_a_prepared_frame():
    with pytest.raises(FrameError, match="prepare_frame"):
        structure(read_frame(_raw()))


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
    dup = text.duplicated(keep=False) & ~blank
    expected = set(series.index[blank]) | set(series.index[dup])
    if expected:
        with pytest.raises(FrameError) as info:
            validate_frame(frame)
        assert set(info.value.problems["row"]) == expected
        got_dup = info.value.problems.query("reason == 'duplicate enterprise id'")["row"]
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
