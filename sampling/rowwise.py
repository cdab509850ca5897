"""Passes over the rows of a big frame, shared between threads.

numpy releases the GIL inside its loops, so threads each working on a slice of the rows use
all the cores. Each slice's result depends only on its rows, and results are combined in
slice order, so the outcome is the same for any number of threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TypeVar

__all__ = ["ROWS_PER_TASK", "map_rows", "row_slices", "thread_count"]

ROWS_PER_TASK = 1 << 18
"""Rows per slice: big enough to keep the per-task overhead small, small enough that a
slice's working arrays stay in the cache."""

T = TypeVar("T")


def thread_count() -> int:
    """Threads for row-parallel passes: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def row_slices(n: int, size: int | None = None) -> list[slice]:
    """Consecutive slices of ``size`` rows (default :data:`ROWS_PER_TASK`) covering
    ``range(n)``; one empty slice if n is 0."""
    size = size or ROWS_PER_TASK
    return [slice(start, min(start + size, n)) for start in range(0, n, size)] or [slice(0, 0)]


def map_rows(pool: Executor | None, fn: Callable[[slice], T], n: int, size: int | None = None) -> list[T]:
    """``fn`` applied to each of :func:`row_slices` ``(n, size)``, in order; on ``pool`` if given."""
    slices = row_slices(n, size)
    if pool is None or len(slices) == 1:
        return [fn(rows) for rows in slices]
    return list(pool.map(fn, slices))
