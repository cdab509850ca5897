"""Progress of a command's long steps, shown on a terminal only.

Each step prints ``empmon quotas: building the quotas of 21 cities ...`` on standard error and,
when it ends, the seconds it took on the same line. Within a step the libraries report how far
they are through one callback, ``progress(done, total)`` (``build_quotas`` after each city,
``select`` and ``audit`` after each stage of their work), which :meth:`Progress.step` hands out:
the line then shows ``5/21`` until the step ends. The libraries never print. Nothing is shown
with ``--quiet`` or when standard error is not a terminal (a log file, a pipe, a test), so the
output of scripts stays clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["Progress", "Tick"]

Tick = Callable[[int, int], None]
"""The callback the libraries take as ``progress=``: called with (done, total)."""

_REDRAW_SECONDS = 0.1
"""Least time between two redraws of a step's count (the last count is always drawn)."""


def _silent(done: int, total: int) -> None:
    """The callback of a step that shows nothing."""


class Progress:
    """Steps of one command, shown on a terminal.

    Parameters
    ----------
    command : str
        The command's name, put before each step.
    quiet : bool
        Show nothing.
    stream : file, optional
        Where to show the steps (default standard error).

    Examples
    --------
    >>> import io
    >>> class Terminal(io.StringIO):
    ...     def isatty(self):
    ...         return True
    >>> screen = Terminal()
    >>> with Progress("quotas", quiet=False, stream=screen).step("building the quotas") as tick:
    ...     tick(1, 2)
    ...     tick(2, 2)
    >>> screen.getvalue().split("\\r")[-1].split(" ...")[0]
    'empmon quotas: building the quotas'
    >>> "2/2" in screen.getvalue()
    True
    """

    def __init__(self, command: str, *, quiet: bool, stream: TextIO | None = None) -> None:
        self.command = command
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())

    @contextmanager
    def step(self, text: str) -> Iterator[Tick]:
        """Show ``text`` while the body runs, then the time it took.

        Yields
        ------
        callable
            ``tick(done, total)``, to pass as a library's ``progress=``: shows ``done/total`` on
            the step's line (does nothing when the steps are not shown).
        """
        if not self.enabled:
            yield _silent
            return
        head = f"empmon {self.command}: {text} ..."
        start = time.perf_counter()
        shown = {"width": 0, "at": 0.0}

        def tick(done: int, total: int) -> None:
            now = time.perf_counter()
            if done < total and now - shown["at"] < _REDRAW_SECONDS:
                return
            count = f" {done:,}/{total:,}"
            shown["width"], shown["at"] = max(shown["width"], len(count)), now
            self.stream.write(f"\r{head}{count}")
            self.stream.flush()

        end = "\n"  # an error or Ctrl-C ends the line, so that its message has a line of its own
        try:
            self.stream.write(head)
            self.stream.flush()
            yield tick
            took = f" {time.perf_counter() - start:.1f} s"
            end = f"\r{head}{took.ljust(shown['width'])}\n" if shown["width"] else f"{took}\n"
        finally:
            self.stream.write(end)
            self.stream.flush()
