"""Tests for sampling.rowwise: slices cover the rows once, in order, whatever the pool."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling.rowwise import map_rows, row_slices, thread_count


@given(n=st.integers(0, 5000), size=st.integers(1, 700))
def test_slices_cover_every_row_once_in_order(n, size):
    slices = row_slices(n, size)
    covered = np.concatenate([np.arange(n)[s] for s in slices])
    assert covered.tolist() == list(range(n))
    assert all(0 < s.stop - s.start <= size for s in slices) or n == 0


def test_empty_frame_gives_one_empty_slice():
    assert row_slices(0, 10) == [slice(0, 0)]


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.integers(-5, 5), max_size=3000))
def test_map_rows_on_a_pool_equals_a_plain_loop(values):
    x = np.array(values, dtype=np.int64)

    def part(rows: slice) -> np.ndarray:
        return np.flatnonzero(x[rows] > 0) + rows.start

    with ThreadPoolExecutor(3) as pool:
        threaded = map_rows(pool, part, len(x), 97)
    serial = map_rows(None, part, len(x), 97)
    assert [a.tolist() for a in threaded] == [a.tolist() for a in serial]
    assert np.concatenate(threaded).tolist() == np.flatnonzero(x > 0).tolist()


def test_thread_count_is_between_one_and_four():
    assert 1 <= thread_count() <= 4
