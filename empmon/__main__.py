"""``python -m empmon`` and the ``empmon`` script: the command line.

Ctrl-C while the libraries are still being imported is answered like Ctrl-C during a command:
one line and exit code 130, no traceback.
"""

from __future__ import annotations

import signal
import sys


def entry() -> int:
    """Import and run the command line; return its exit code."""
    try:
        from empmon.cli import main
    except KeyboardInterrupt:
        print("empmon: interrupted", file=sys.stderr)
        return 130
    code = main()
    # The command has ended (its outputs written or cleaned up): a late Ctrl-C while Python
    # shuts down its worker threads changes nothing and must not turn into a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


if __name__ == "__main__":
    sys.exit(entry())
