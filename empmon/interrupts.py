"""Ctrl-C and SIGTERM on the command line: the work stops once, cleanly, and the exit code is 130.

Python's own SIGINT handler raises :class:`KeyboardInterrupt`; :func:`stopping_on_signals`
replaces it (and SIGTERM's) while a command runs, for three reasons:

* CPython remembers a plain ``KeyboardInterrupt`` that leaves code run by ``exec`` or ``eval``
  of a string (``dataclasses`` and ``collections.namedtuple`` build their methods that way while
  a module is imported, and the commands import the libraries when they start their work), even
  when the interrupt is caught further up; ``python -m empmon`` then kills itself with SIGINT
  at exit (status -2) after printing its one line and choosing exit code 130. The check
  compares the exact type, so a subclass (:class:`Interrupted`) is never remembered.
* Only the first signal raises. A second Ctrl-C would otherwise interrupt the clean-up of the
  first (a temporary file being removed, worker threads being joined); it is only noted.
* A library that swallows the interrupt (a bare ``except:``) cannot turn Ctrl-C into success:
  the signal is noted, and :attr:`Stop.signum` tells the command line to exit 130 anyway.

A process started with SIGINT ignored (``nohup``, a background job of a script) keeps it
ignored, as every Unix tool does.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Interrupted", "Stop", "Terminated", "stopping_on_signals"]


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) while a command runs."""


class Terminated(Interrupted):
    """SIGTERM, handled as Ctrl-C: temporary files are removed on the way out."""


class Stop:
    """The signal handler of one run: raises at the first signal, notes the others.

    Attributes
    ----------
    signum : int or None
        The first signal received, None if none.
    raising : bool
        Whether the first signal raises (False once the command has ended: a late signal is
        only noted).
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self.raising = True

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        first = self.signum is None
        if first:
            self.signum = signum
        if first and self.raising:
            raise Terminated if signum == signal.SIGTERM else Interrupted


@contextmanager
def stopping_on_signals() -> Iterator[Stop]:
    """Handle SIGINT and SIGTERM with a new :class:`Stop` inside the block; the previous
    handlers are put back after it. Outside the main thread (where Python cannot set signal
    handlers) the block runs with the handlers as they are.

    Examples
    --------
    >>> import os, signal
    >>> with stopping_on_signals() as stop:
    ...     try:
    ...         os.kill(os.getpid(), signal.SIGTERM)
    ...     except KeyboardInterrupt as exc:
    ...         print(type(exc).__name__)
    Terminated
    >>> stop.signum == signal.SIGTERM
    True
    """
    stop = Stop()
    previous: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(signum)
            if signum == signal.SIGINT and handler == signal.SIG_IGN:
                continue
            previous[signum] = signal.signal(signum, stop)
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
