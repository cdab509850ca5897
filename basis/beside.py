"""Run one piece of work in a forked child process beside the caller (a second core for output).

Drawing figures with matplotlib holds the GIL, so threads cannot draw beside the writing of
workbooks. A forked child can: it starts at once with the caller's memory (nothing is pickled,
nothing imported again), runs the function and exits; :meth:`Beside.join` waits for it and
raises its error, if any, in the caller. Where there is no ``fork`` (Windows) the function runs
at once in the caller, with the same result.

The child writes files only (through :func:`basis.files.atomic_path`); whatever it returns is
discarded, and it never touches the caller's objects.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["Beside", "BesideError", "run_beside"]


class BesideError(RuntimeError):
    """The work run beside the caller failed; the message carries the child's traceback."""


class Beside:
    """A piece of work running in a child process (see :func:`run_beside`)."""

    def __init__(self, pid: int | None, reader: int | None, error: BaseException | None = None) -> None:
        self._pid, self._reader, self._error = pid, reader, error

    def join(self) -> None:
        """Wait for the work to finish; raise :class:`BesideError` if it failed.

        Raises
        ------
        BesideError
            With the child's traceback, or its exit status when it died without one.
        """
        if self._error is not None:
            error, self._error = self._error, None
            raise BesideError(f"{type(error).__name__}: {error}") from error
        if self._pid is None:
            return
        with os.fdopen(self._reader, "rb") as pipe:
            message = pipe.read().decode("utf-8", "replace")
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise BesideError(message or f"the child process ended with status {code}")


def run_beside(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Beside:
    """Start ``fn(*args, **kwargs)`` in a forked child; return a handle to :meth:`~Beside.join`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> work = run_beside(path.write_text, "written beside")
    >>> work.join()
    >>> path.read_text()
    'written beside'
    """
    if not hasattr(os, "fork"):
        try:
            fn(*args, **kwargs)
        except Exception as exc:  # handed to join, as a child's error would be
            return Beside(None, None, exc)
        return Beside(None, None)
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run, report a failure through the pipe, never return
        os.close(reader)
        code = 0
        try:
            fn(*args, **kwargs)
        except BaseException:
            os.write(writer, traceback.format_exc().encode("utf-8", "replace"))
            code = 1
        finally:
            os.close(writer)
            os._exit(code)
    os.close(writer)
    return Beside(pid, reader)
