"""Tests for basis.threads: slices cover the rows once, in order, for any number of workers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basis import threads
from basis.threads import Workers, check_workers, default_workers, row_slices


@settings(deadline=None)
@given(n=st.integers(0, 5000), size=st.integers(1, 700))
def test_slices_cover_every_row_once_in_order(n, size):
    slices = row_slices(n, size)
    covered = np.concatenate([np.arange(n)[s] for s in slices])
    assert covered.tolist() == list(range(n))
    assert all(0 < s.stop - s.start <= size for s in slices) or n == 0


def test_empty_frame_gives_one_empty_slice():
    assert row_slices(0, 10) == [slice(0, 0)]


def test_default_slice_size_is_read_at_each_call(monkeypatch):
    # A test that lowers ROWS_PER_TASK must reach the threaded branches: no copy at import.
    monkeypatch.setattr(threads, "ROWS_PER_TASK", 3)
    assert row_slices(7) == [slice(0, 3), slice(3, 6), slice(6, 7)]


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.integers(-5, 5), max_size=3000), workers=st.integers(1, 4))
def test_map_rows_on_threads_equals_a_serial_loop(values, workers):
    x = np.array(values, dtype=np.int64)

    def part(rows: slice) -> np.ndarray:
        return np.flatnonzero(x[rows] > 0) + rows.start

    with Workers(workers) as pool:
        threaded = pool.map_rows(part, len(x), 97)
    with Workers(1) as serial:
        alone = serial.map_rows(part, len(x), 97)
    assert [a.tolist() for a in threaded] == [a.tolist() for a in alone]
    assert np.concatenate(threaded).tolist() == np.flatnonzero(x > 0).tolist()


def test_work_inside_a_task_runs_in_that_task():
    # No nested pools: a task that asks its Workers (or new ones) for more work runs it
    # serially, in its own thread.
    import threading

    with Workers(2) as pool:
        assert pool.threaded

        def task(_: int) -> set[int]:
            with Workers(3) as inner:
                assert not inner.threaded
                seen = inner.map(lambda _: threading.get_ident(), range(4))
            seen += pool.map(lambda _: threading.get_ident(), range(4))
            return {threading.get_ident(), *seen}

        for idents in pool.map(task, range(2)):
            assert len(idents) == 1


def test_workers_one_uses_no_pool_and_submit_runs_at_once():
    with Workers(1) as pool:
        assert not pool.threaded
        future = pool.submit(sum, [1, 2, 3])
        assert future.done() and future.result() == 6
        failed = pool.submit(int, "x")
        with pytest.raises(ValueError):
            failed.result()


def test_submit_runs_beside_the_caller():
    with Workers(2) as pool:
        assert pool.submit(sorted, [3, 1, 2]).result() == [1, 2, 3]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_workers_are_refused_by_name(bad):
    with pytest.raises(ValueError, match=f"workers must be a positive integer or None, got {bad!r}"):
        check_workers(bad)


def test_default_is_between_one_and_the_cap():
    assert 1 <= default_workers() <= threads.MAX_WORKERS
    assert check_workers(None) == default_workers()


def test_the_calling_thread_is_one_of_the_workers():
    # Workers(2) is the calling thread and one pool thread, and no third thread works. The
    # pool's only thread takes item 0 and waits there until another item has run: only the
    # caller, taking the items the pool has not started, can run one (without it the wait
    # times out and the test fails instead of hanging).
    import threading

    ran = threading.Event()

    def ident(i: int) -> int:
        if i == 0:
            assert ran.wait(timeout=10)
        else:
            ran.set()
        return threading.get_ident()

    with Workers(2) as pool:
        idents = pool.map(ident, range(8))
    caller = threading.get_ident()
    # The caller starts from the back; the pool, once free, may take more from the front.
    assert idents[0] != caller and idents[-1] == caller and len(set(idents)) == 2


def test_a_failing_item_fails_the_map():
    def item(i: int) -> int:
        if i == 5:
            raise ValueError("item 5")
        return i

    with Workers(2) as pool, pytest.raises(ValueError, match="item 5"):
        pool.map(item, range(8))
