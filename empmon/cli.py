"""The ``empmon`` command line: allocate | split | quotas | select | audit | example.

Every subcommand reads CSV (UTF-8 or GB18030), Excel (.xlsx) or Parquet and writes the format
of the output's extension (.csv, .xlsx, .parquet). Outputs are checked before any work (the
extension, the folder, never over an input, an existing file only with ``--overwrite``) and
written atomically. Errors are one line on stderr naming the file, row, column and value
(``--debug`` shows the traceback); a list of bad values is cut after ten with "... and N more"
and written whole to a file next to the output.

Exit codes:

====  ==============================================================================
0     done
1     ``empmon audit``: the sample fails a hard rule
2     bad input or usage (a bad value, a missing column, an output that would replace a file)
3     an output could not be written (folder missing or read-only, disk full); named, with why
4     an internal error (a bug: please report it with the ``--debug`` output)
130   interrupted (Ctrl-C; SIGTERM likewise): no output is left half-written
====  ==============================================================================

A closed standard output (``empmon allocate ... | head -3``) is not an error: the rest of the
printed text is dropped and the command still writes its files.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TextIO

from basis.exceptions import OutputError
from basis.files import atomic_path
from empmon.interrupts import stopping_on_signals
from empmon.outputs import check_outputs, problems_path, write_problems
from empmon.progress import Progress

__all__ = [
    "EXIT_AUDIT_FAILED",
    "EXIT_ERROR",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OUTPUT",
    "build_parser",
    "command",
    "inputs_outputs",
    "main",
    "say",
    "write_output",
]

EXIT_AUDIT_FAILED = 1
EXIT_ERROR = 2
EXIT_OUTPUT = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130

_FLOW = """\
the flow, from the repository root on the files of examples/data (each step reads the previous
step's file; mkdir -p out first):
  empmon allocate examples/data/stats.csv --total 400 --weight employment=0.5 --weight gdp=0.5 \\
         --minimum mohrss-2011 --existing examples/data/panel.csv -o out/allocation.csv
  empmon split out/allocation.csv --shares examples/data/sector_shares.csv -o out/sector_targets.csv
  empmon quotas examples/data/frame.csv --targets out/allocation.csv --rules guangdong-2013 \\
         --sector-targets out/sector_targets.csv -o out/quotas.xlsx --csv out/quotas.csv
  empmon select examples/data/frame.csv --quotas out/quotas.csv --reserves 2 --seed 2013 -o out/sample.csv
  empmon audit out/sample.csv --rules guangdong-2013 --register examples/data/frame.csv \\
         --targets out/allocation.csv -o out/audit.xlsx
  empmon example guangdong --out output      (the whole Guangdong 2013 plan on its real figures)

exit codes: 0 done, 1 audit failed a hard rule, 2 bad input or usage, 3 output not written,
            4 internal error, 130 interrupted
"""


def _version() -> str:
    try:
        return version("empmon")
    except PackageNotFoundError:  # a source tree that was not installed
        return "unknown"


class _Stdout:
    """Standard output that goes quiet when the reader has gone (``| head``): the command still
    writes its files, and Python does not complain at exit."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.closed_by_reader = False

    def write(self, text: str) -> int:
        if self.closed_by_reader:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        if self.closed_by_reader:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def _gone(self) -> None:
        self.closed_by_reader = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # not a real file descriptor (a test's capture)
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def say(text: str) -> None:
    """Print a command's result text (dropped quietly if standard output was closed)."""
    print(text)


def write_output(path: str, write: Callable[[str], Any]) -> None:
    """Call ``write(path)`` (a writer that goes through :func:`basis.files.atomic_path`) and
    report the file."""
    write(path)
    say(f"wrote {path}")


def write_with(path: str, write: Callable[[Path], Any]) -> None:
    """Write ``path`` atomically with a writer that takes the temporary path."""
    with atomic_path(path) as tmp:
        write(tmp)
    say(f"wrote {path}")


def command(
    sub: argparse._SubParsersAction, name: str, help_text: str, example: str
) -> argparse.ArgumentParser:
    """Add a subcommand with the options every command has (``--debug``, ``--quiet``,
    ``--overwrite``)."""
    p = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog="example:\n" + textwrap.indent(example, "  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common_options(p, default=argparse.SUPPRESS)
    p.set_defaults(inputs=(), outputs={})
    return p


def inputs_outputs(
    parser: argparse.ArgumentParser,
    *,
    inputs: Iterable[str] = (),
    outputs: Mapping[str, Iterable[str]] | None = None,
) -> None:
    """Declare a command's input files and output files (argument destinations, and the
    extensions each output accepts), so that the outputs are checked before any work."""
    parser.set_defaults(inputs=tuple(inputs), outputs={k: tuple(v) for k, v in (outputs or {}).items()})


def _common_options(p: argparse.ArgumentParser, *, default: Any) -> None:
    p.add_argument("--debug", action="store_true", default=default, help="show the traceback on errors")
    p.add_argument("--quiet", action="store_true", default=default, help="no progress on the terminal")
    p.add_argument(
        "--overwrite",
        action="store_true",
        default=default,
        help="replace output files that exist (never the command's own inputs)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="empmon",
        description=(
            "Design and audit the enterprise samples of China's employment monitoring "
            "(企业用工定点监测, 失业动态监测)."
        ),
        epilog=_FLOW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"empmon {_version()}")
    _common_options(parser, default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from empmon.commands import COMMANDS

    for name in COMMANDS:
        importlib.import_module(f"empmon.commands.{name}").add_parser(sub)
    return parser


def _option_name(parser: argparse.ArgumentParser, command: str, dest: str) -> str:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in sub.choices[command]._actions:
        if action.dest == dest:
            if not action.option_strings:
                return str(action.metavar or dest)
            return next((o for o in action.option_strings if o.startswith("--")), action.option_strings[0])
    return dest


def _paths(value: Any) -> list[str | None]:
    """An input option's value as a list (options with ``nargs`` give several files)."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _say_error(command: str, exc: BaseException, outputs: list[str | None]) -> None:
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    print(f"empmon {command}: error: {lines[0]}", file=sys.stderr)
    if len(lines) > 1:
        print(textwrap.indent("\n".join(lines[1:]), "  "), file=sys.stderr)
    problems = getattr(exc, "problems", None)
    if problems is not None and len(problems) > 10:
        path = write_problems(problems, problems_path(outputs, command))
        if path is not None:
            print(f"  all {len(problems)} problems are listed in {path}", file=sys.stderr)


def _show_warning(command: str) -> Callable[..., None]:
    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        print(f"empmon {command}: note: {message}", file=sys.stderr)

    return show


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Ctrl-C or SIGTERM at any moment of a command gives exit code 130 and one line (see
    :mod:`empmon.interrupts`); the outputs are then the old files or the complete new ones.
    """
    name, debug = "", False
    with stopping_on_signals() as stop:
        try:
            try:
                parser = build_parser()
                args = parser.parse_args(argv)
                name, debug = args.command or "", args.debug
                code = _run(parser, args)
            finally:
                stop.raising = False  # the command has ended: a signal from now on is only noted
        except SystemExit as exc:  # --help, --version, or a usage error (argparse's exit code 2)
            code = int(exc.code or 0)
        except KeyboardInterrupt:
            if debug:
                raise
            code = EXIT_INTERRUPTED
    if stop.signum is not None:
        # A signal that a library swallowed, or that came as the command ended: still an interrupt.
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED:
        said = (
            f"empmon {name}: interrupted; no output was left half-written" if name else "empmon: interrupted"
        )
        print(said, file=sys.stderr)
    return code


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Check the outputs and run the command; errors become exit codes (interrupts are raised)."""
    if args.command is None:
        parser.print_help()
        return 0
    stdout = sys.stdout
    sys.stdout = _Stdout(stdout)
    outputs = [getattr(args, dest) for dest in args.outputs]
    try:
        with warnings.catch_warnings():
            # Warnings (e.g. sizes from employees alone) are part of the output, printed once.
            warnings.simplefilter("default")
            # Files left open by an import that Ctrl-C cut short are not the user's business.
            warnings.simplefilter("ignore", ResourceWarning)
            warnings.showwarning = _show_warning(args.command)
            check_outputs(
                {
                    _option_name(parser, args.command, dest): (getattr(args, dest), suffixes)
                    for dest, suffixes in args.outputs.items()
                },
                [path for dest in args.inputs for path in _paths(getattr(args, dest))],
                overwrite=args.overwrite,
            )
            progress = Progress(args.command, quiet=args.quiet)
            return int(args.run(args, progress))
    except OutputError as exc:
        if args.debug:
            raise
        _say_error(args.command, exc, [])
        return EXIT_OUTPUT
    except (ValueError, FileNotFoundError) as exc:
        if args.debug:
            raise
        _say_error(args.command, exc, outputs)
        return EXIT_ERROR
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"empmon {args.command}: internal error: {type(exc).__name__}: {exc} "
            "(a bug: please report it with the output of --debug)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        wrapped, sys.stdout = sys.stdout, stdout
        wrapped.flush()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
