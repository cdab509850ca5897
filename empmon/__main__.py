"""``python -m empmon`` and the ``empmon`` script: the command line.

Ctrl-C from the moment this module runs is answered with one line and exit code 130, also
while the libraries are being imported and after the command has ended (while Python shuts
down its worker threads); once the exit code is chosen, later signals are ignored, so that the
process never ends by the signal itself. See :mod:`empmon.interrupts`.
"""

from __future__ import annotations

import signal
import sys

from empmon.interrupts import Stop


def entry() -> int:
    """Import and run the command line; return its exit code."""
    stop = Stop()
    if signal.getsignal(signal.SIGINT) != signal.SIG_IGN:  # kept ignored under nohup
        signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        from empmon.cli import main

        stop.raising = False  # main handles the signals of the command itself
    except KeyboardInterrupt:
        print("empmon: interrupted", file=sys.stderr)
        code = 130
    else:
        code = main()
    # The exit code is chosen: a signal from now on would only end the process by itself.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    if stop.signum is not None and code != 130:  # a signal noted between the steps above
        print("empmon: interrupted", file=sys.stderr)
        code = 130
    return code


if __name__ == "__main__":
    sys.exit(entry())
