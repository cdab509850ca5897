"""Work on slices of rows in threads: the one pool policy of the library.

numpy and pyarrow release the GIL inside their loops, so threads each working on a slice of
the rows of a big register use several cores. The rules, kept here and nowhere else:

* a public function that works this way takes ``workers=`` (an int, or None for
  :func:`default_workers`) and opens one :class:`Workers` for the whole call;
* ``workers=1`` runs everything in the calling thread; with more, the calling thread is one
  of them (a pool of ``workers - 1`` threads and the caller share the items of a map);
* a task running on a pool never opens or feeds another pool: work asked for from inside a
  task runs serially in that task (no nested pools);
* one task may be submitted to run beside the row passes (:meth:`Workers.submit`, e.g. a
  sort whose result is needed only at the end); it holds one of the threads meanwhile;
* slices and groups are fixed by the data (:data:`ROWS_PER_TASK`), never by the number of
  threads, and results are combined in slice order, so the result is the same for any
  ``workers``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["MAX_WORKERS", "ROWS_PER_TASK", "Workers", "check_workers", "default_workers", "row_slices"]

ROWS_PER_TASK = 1 << 18
"""Rows per slice: big enough to keep the per-task overhead small, small enough that a
slice's working arrays stay in the cache. Read at each call (tests lower it)."""

MAX_WORKERS = 4
"""The default thread cap: the row passes are memory-bound, and more threads gain little."""

T = TypeVar("T")
R = TypeVar("R")

_local = threading.local()


def default_workers() -> int:
    """Threads used when ``workers=None``: the CPUs this process may use, at most
    :data:`MAX_WORKERS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def check_workers(workers: Any) -> int:
    """The number of threads for ``workers`` (None: :func:`default_workers`).

    Raises
    ------
    ValueError
        When ``workers`` is not None or a positive integer.
    """
    if workers is None:
        return default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer or None, got {workers!r}")
    return workers


def row_slices(n: int, size: int | None = None) -> list[slice]:
    """Consecutive slices of ``size`` rows (default :data:`ROWS_PER_TASK`) covering
    ``range(n)``; one empty slice if n is 0."""
    size = size or ROWS_PER_TASK
    return [slice(start, min(start + size, n)) for start in range(0, n, size)] or [slice(0, 0)]


class Workers:
    """The threads of one public call: a context manager holding at most one pool.

    Examples
    --------
    >>> import numpy as np
    >>> from basis.threads import Workers
    >>> x = np.arange(10)
    >>> with Workers(2) as workers:
    ...     parts = workers.map_rows(lambda rows: int(x[rows].sum()), len(x), size=4)
    >>> parts
    [6, 22, 17]
    """

    def __init__(self, workers: int | None = None) -> None:
        self.count = check_workers(workers)
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.count > 1 and not _in_task():
            # The calling thread is one of the ``count``: it works on map's items too.
            self._pool = ThreadPoolExecutor(self.count - 1)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    @property
    def threaded(self) -> bool:
        """True when work goes to a pool (not ``workers=1``, not inside a pool's task)."""
        return self._pool is not None and not _in_task()

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(item) for item in items]``, on the pool and the calling thread when there is a
        pool.

        The pool takes the items from the front while the calling thread takes those not yet
        started from the back (a future cancelled before it runs is the caller's to run), so
        the ``count`` threads share the work without a queue of their own.
        """
        items = list(items)
        pool = self._pool
        if pool is None or _in_task() or len(items) < 2:
            return [fn(item) for item in items]
        task = _as_task(fn)
        futures = [pool.submit(task, item) for item in items]
        done: dict[int, R] = {}
        try:
            for i in range(len(items) - 1, -1, -1):
                if futures[i].cancel():
                    done[i] = task(items[i])
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return [done[i] if i in done else futures[i].result() for i in range(len(items))]

    def map_rows(self, fn: Callable[[slice], R], n: int, size: int | None = None) -> list[R]:
        """``fn`` applied to each of :func:`row_slices` ``(n, size)``, results in slice order."""
        return self.map(fn, row_slices(n, size))

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        """``fn(*args, **kwargs)`` on the pool, beside the caller's work; without a pool it runs
        at once. Either way the returned future holds its result or its exception."""
        pool = self._pool
        if pool is not None and not _in_task():
            return pool.submit(_as_task(lambda _: fn(*args, **kwargs)), None)
        done: Future[R] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller through the future, as a pool would
            done.set_exception(exc)
        return done


def _in_task() -> bool:
    return getattr(_local, "in_task", False)


def _as_task(fn: Callable[[T], R]) -> Callable[[T], R]:
    """``fn`` marked, while it runs, as a pool task (so that it opens no pool of its own)."""

    def task(item: T) -> R:
        _local.in_task = True
        try:
            return fn(item)
        finally:
            _local.in_task = False

    return task
