"""Progress of a command's long steps, shown on a terminal only.

Each step prints ``empmon select: drawing the sample ...`` on standard error and, when it
ends, the seconds it took on the same line. Nothing is shown with ``--quiet`` or when standard
error is not a terminal (a log file, a pipe, a test), so the output of scripts stays clean.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["Progress"]


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
    """

    def __init__(self, command: str, *, quiet: bool, stream: TextIO | None = None) -> None:
        self.command = command
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())

    @contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Show ``text`` while the body runs, then the time it took."""
        if not self.enabled:
            yield
            return
        start = time.perf_counter()
        end = "\n"  # an error or Ctrl-C ends the line, so that its message has a line of its own
        try:
            self.stream.write(f"empmon {self.command}: {text} ...")
            self.stream.flush()
            yield
            end = f" {time.perf_counter() - start:.1f} s\n"
        finally:
            self.stream.write(end)
            self.stream.flush()
