"""The subcommands of ``empmon``, one module each.

A command module defines ``add_parser(subparsers)``: it adds its parser with
:func:`empmon.cli.command` (which gives every command ``--debug``, ``--quiet`` and
``--overwrite``), declares its inputs and outputs with :func:`empmon.cli.inputs_outputs` (so
that outputs are checked before any work), and sets ``run=`` to a function taking the parsed
arguments and a :class:`empmon.progress.Progress` and returning the exit code. To add a command,
write its module here and add its name to :data:`COMMANDS`.
"""

from __future__ import annotations

__all__ = ["COMMANDS"]

COMMANDS: tuple[str, ...] = (
    "allocate",
    "split",
    "quotas",
    "select",
    "audit",
    "explain",
    "replace",
    "reports",
    "example",
)
"""Module names under :mod:`empmon.commands`, in the order ``empmon --help`` lists them."""
