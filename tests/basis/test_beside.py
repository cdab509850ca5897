"""basis.beside: the work runs in another process, its files are there after join, its errors
come back to the caller."""

from __future__ import annotations

import os

import pytest

from basis.beside import BesideError, run_beside


def _write_pid(path):
    path.write_text(str(os.getpid()))


def _fail(message):
    raise ValueError(message)


def test_work_runs_in_another_process_and_is_done_after_join(tmp_path):
    path = tmp_path / "pid.txt"
    work = run_beside(_write_pid, path)
    work.join()
    assert path.exists()
    if hasattr(os, "fork"):
        assert int(path.read_text()) != os.getpid()


def test_an_error_in_the_work_is_raised_by_join():
    work = run_beside(_fail, "the figure could not be drawn")
    with pytest.raises(BesideError, match="ValueError: the figure could not be drawn"):
        work.join()


def test_join_twice_is_harmless(tmp_path):
    work = run_beside(_write_pid, tmp_path / "x.txt")
    work.join()
    work.join()


def test_join_returns_what_the_work_returned(tmp_path):
    # The value comes back from the other process through the pipe, pickled.
    work = run_beside(_write_pid, tmp_path / "x.txt")
    assert work.join() is None
    work = run_beside(divmod, 17, 5)
    assert work.join() == (3, 2)
    assert work.join() == (3, 2)


def test_a_value_that_cannot_be_pickled_is_an_error_in_the_caller():
    work = run_beside(lambda: lambda: None)
    with pytest.raises(BesideError, match="pickle"):
        work.join()
