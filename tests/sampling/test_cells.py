"""Tests for sampling.cells: cell coding and counts shared by structure, select and audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling.cells import CELL_KEYS, cell_counts, cell_slots, key_codes
from sampling.exceptions import FrameError, SelectionError


def test_the_cell_keys():
    # pipeline.md: quota cells are city x section x size_class x state_owned.
    assert CELL_KEYS == ("city", "section", "size_class", "state_owned")


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["b", "a", None, "b"]),
        pd.Series(["b", "a", None, "b"], dtype="category"),
        pd.Series([True, False, False, True]),
        pd.Series([3, 1, 2, 3], dtype=np.int64),
        pd.Series([10**12, 1, 2, 3], dtype=np.int64),
        pd.Series(["b", "a", "c", "b"], dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
    ],
)
def test_codes_stand_for_the_values(column):
    codes, values = key_codes(column, sort=True)
    decoded = [None if c < 0 else values[c] for c in codes]
    assert decoded == [None if pd.isna(v) else v for v in column.tolist()]


def _frames() -> st.SearchStrategy[pd.DataFrame]:
    row = st.tuples(
        st.sampled_from(["广州市", "深圳市", "珠海市"]),
        st.sampled_from(list("ACG")),
        st.sampled_from(["large", "medium", "small", "micro"]),
        st.booleans(),
        st.integers(0, 500),
        st.booleans(),
    )
    return st.lists(row, min_size=1, max_size=60).map(
        lambda rows: pd.DataFrame(rows, columns=[*CELL_KEYS, "employees", "active"])
    )


@settings(max_examples=50, deadline=None)
@given(frame=_frames(), categorical=st.booleans())
def test_counts_equal_a_groupby(frame, categorical):
    # Reference: pandas' groupby of the counted rows, an independent computation.
    if categorical:
        frame = frame.astype({"city": "category", "size_class": "category"})
    active = frame["active"].to_numpy()
    got = cell_counts(frame, rows=active, measures={"employment": frame["employees"].to_numpy()})
    want = (
        frame[active]
        .astype({"city": object, "size_class": object})
        .groupby(list(CELL_KEYS))
        .agg(enterprises=("employees", "size"), employment=("employees", "sum"))
        .reset_index()
    )
    key = list(CELL_KEYS)
    got = got.astype({"city": object, "size_class": object}).sort_values(key).reset_index(drop=True)
    assert got[key].values.tolist() == want[key].values.tolist()
    assert got["enterprises"].tolist() == want["enterprises"].tolist()
    assert got["employment"].tolist() == want["employment"].astype(float).tolist()


@pytest.mark.parametrize("levels", [3, 5_000])
def test_counts_and_measures_of_counted_rows(levels):
    # 2,000 rows drawn from 5,000 values per key give some 1,650 x 1,650 key combinations,
    # past the dense table (4 x rows + 10**6 cells): the sparse branch. Reference: pandas'
    # groupby of the counted rows.
    rng = np.random.default_rng(levels)
    n = 2_000
    frame = pd.DataFrame(
        {
            "a": [f"a{i}" for i in rng.integers(0, levels, n)],
            "b": [f"b{i}" for i in rng.integers(0, levels, n)],
            "x": rng.integers(0, 400, n).astype(float),
        }
    )
    frame["band"] = frame["x"].between(50, 300)
    counted = rng.random(n) < 0.6
    got = cell_counts(
        frame,
        ["a", "b"],
        rows=counted,
        measures={"x": frame["x"].to_numpy(), "band": frame["band"].to_numpy()},
    )
    want = (
        frame[counted]
        .groupby(["a", "b"])
        .agg(enterprises=("x", "size"), x=("x", "sum"), band=("band", "sum"))
        .reset_index()
    )
    got = got.astype({"a": object, "b": object}).sort_values(["a", "b"]).reset_index(drop=True)
    assert got[["a", "b"]].values.tolist() == want[["a", "b"]].values.tolist()
    assert got["enterprises"].tolist() == want["enterprises"].tolist()
    assert got["x"].tolist() == want["x"].tolist()
    assert got["band"].tolist() == want["band"].astype(float).tolist()


def test_missing_key_values_are_refused():
    frame = pd.DataFrame({"city": ["广州市", None], "section": ["C", "C"]})
    with pytest.raises(FrameError, match="column 'city' has missing values"):
        cell_counts(frame, ["city", "section"])


@settings(max_examples=50, deadline=None)
@given(frame=_frames(), n_cells=st.integers(1, 10), seed=st.integers(0, 100))
def test_slots_find_each_rows_cell(frame, n_cells, seed):
    # Reference: a merge of the rows with the cell list.
    cells = frame[list(CELL_KEYS)].drop_duplicates().sample(frac=1, random_state=seed).head(n_cells)
    cells = cells.reset_index(drop=True)
    slot = cell_slots(frame, cells)
    merged = frame[list(CELL_KEYS)].merge(cells.reset_index(), on=list(CELL_KEYS), how="left")
    assert slot.tolist() == (merged["index"].fillna(-1).astype(int) + 1).tolist()


def test_a_quota_cell_absent_from_the_frame_is_named():
    frame = pd.DataFrame(
        {"city": ["广州市"], "section": ["C"], "size_class": ["small"], "state_owned": [False]}
    )
    cells = frame.assign(section="G", quota=3)
    with pytest.raises(SelectionError, match=r"(?s)1 quota cells are absent from the frame.*G"):
        cell_slots(frame, cells)
    assert cell_slots(frame, cells.assign(quota=0)).tolist() == [0]
