"""``python -m empmon``: the command line."""

from empmon.cli import main

raise SystemExit(main())
