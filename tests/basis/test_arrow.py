"""Tests for basis.arrow: Arrow text detection and buffers, through public API only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basis.arrow import arrow_text, is_arrow_text, text_buffers, text_pieces

ARROW_DTYPES = [
    pd.StringDtype("pyarrow"),
    pd.StringDtype("pyarrow", na_value=np.nan),
    pd.ArrowDtype(pa.string()),
    pd.ArrowDtype(pa.large_string()),
]


@pytest.mark.parametrize("dtype", ARROW_DTYPES)
def test_arrow_text_is_recognised(dtype):
    assert is_arrow_text(pd.Series(["a"], dtype=dtype))


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(["a"], dtype=object),
        pd.Series(["a"], dtype=pd.StringDtype("python")),
        pd.Series(["a"], dtype="category"),
        pd.Series([1], dtype=pd.ArrowDtype(pa.int64())),
    ],
)
def test_other_storage_is_not(series):
    assert not is_arrow_text(series)
    assert arrow_text(series) is None and text_buffers(series) is None


def _chunked(values: list[str | None], cut: int, dtype: pd.api.extensions.ExtensionDtype) -> pd.Series:
    arrow_type = dtype.pyarrow_dtype if isinstance(dtype, pd.ArrowDtype) else pa.large_string()
    chunks = [values[:cut], values[cut:]]
    array = pa.chunked_array([pa.array(c, type=arrow_type) for c in chunks], type=arrow_type)
    return pd.Series(pd.array(array, dtype=dtype))


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.text(max_size=8)), max_size=30),
    cut=st.integers(0, 30),
    dtype=st.sampled_from(ARROW_DTYPES),
    start=st.integers(0, 3),
)
def test_buffers_give_back_every_value(values, cut, dtype, start):
    # Invariant: the bytes between the offsets are each value's UTF-8 text, whatever the
    # chunking, the offset width (string / large_string) and a slice's offset into its buffers.
    series = _chunked(values, min(cut, len(values)), dtype).iloc[start:]
    kept = values[start:]
    buffers = text_buffers(series)
    got = [
        bytes(buffers.data[buffers.offsets[i] : buffers.offsets[i + 1]]).decode()
        if buffers.valid[i]
        else None
        for i in range(len(kept))
    ]
    assert got == kept
    pieces = text_pieces(series.fillna(""))
    texts = [bytes(d[o[i] : o[i + 1]]).decode() for d, o in pieces for i in range(len(o) - 1)]
    assert texts == [v or "" for v in kept]


def test_pieces_of_plain_strings_and_of_mixed_objects():
    assert [bytes(d[o[0] : o[-1]]) for d, o in text_pieces(np.array(["ab", "c"], dtype=object))] == [b"abc"]
    with pytest.raises((pa.ArrowTypeError, pa.ArrowInvalid)):
        text_pieces(pd.Series(["a", 1], dtype=object))
