"""Run one piece of work in a forked child process beside the caller (a second core for output).

Drawing figures with matplotlib holds the GIL, and so does much of the Python that builds
workbooks, so threads cannot do that work beside the caller's. A forked child can: it starts
at once with the caller's memory (nothing is pickled on the way in, nothing imported again),
runs the function and exits; :meth:`Beside.join` waits for it, returns what the function
returned (pickled back through a pipe, so keep it small: a table of the files written, not the
files) and raises its error, if any, in the caller. Where there is no ``fork`` (Windows) the
function runs at once in the caller, with the same result.

The child writes files only (through :func:`basis.files.atomic_path`) and never touches the
caller's objects: changes it makes to them stay in the child.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["Beside", "BesideError", "run_beside"]

_DONE, _FAILED = b"R", b"E"


class BesideError(RuntimeError):
    """The work run beside the caller failed; the message carries the child's traceback."""


class Beside:
    """A piece of work running in a child process (see :func:`run_beside`)."""

    def __init__(
        self, pid: int | None, reader: int | None, error: BaseException | None = None, value: Any = None
    ) -> None:
        self._pid, self._reader, self._error = pid, reader, error
        self._value = value

    def join(self) -> Any:
        """Wait for the work to finish; return what the function returned.

        Joining again returns the same value.

        Raises
        ------
        BesideError
            With the child's traceback, or its exit status when it died without one.
        """
        if self._error is not None:
            error, self._error = self._error, None
            raise BesideError(f"{type(error).__name__}: {error}") from error
        if self._pid is None:
            return self._value
        with os.fdopen(self._reader, "rb") as pipe:
            message = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        code = os.waitstatus_to_exitcode(status)
        if code == 0 and message[:1] == _DONE:
            self._value = pickle.loads(message[1:])
            return self._value
        text = message[1:].decode("utf-8", "replace")
        raise BesideError(text or f"the child process ended with status {code}")


def run_beside(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Beside:
    """Start ``fn(*args, **kwargs)`` in a forked child; return a handle to :meth:`~Beside.join`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> work = run_beside(path.write_text, "written beside")
    >>> work.join()
    14
    >>> path.read_text()
    'written beside'
    """
    if not hasattr(os, "fork"):
        try:
            value = fn(*args, **kwargs)
        except Exception as exc:  # handed to join, as a child's error would be
            return Beside(None, None, exc)
        return Beside(None, None, value=value)
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run, send the value or the traceback through the pipe, never return
        os.close(reader)
        code = 0
        try:
            message = _DONE + pickle.dumps(fn(*args, **kwargs))
        except BaseException:
            message = _FAILED + traceback.format_exc().encode("utf-8", "replace")
            code = 1
        try:
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(message)
        finally:
            os._exit(code)
    os.close(writer)
    return Beside(pid, reader)
