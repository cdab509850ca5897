"""The command line's outputs: checked before any work, written atomically, never over an input.

Before a command starts its work, :func:`check_outputs` checks every output it was asked to
write: the extension is one the command writes; the folder exists and accepts a new file; the
file is not one of the command's inputs, nor another of its outputs; and it does not exist
yet unless ``--overwrite`` was given. Each refusal is one line, before anything is computed.
Writing then goes through :func:`basis.files.atomic_path` (a temporary file in the target
folder, renamed into place), so an interrupted or failed write leaves the old file or none.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from basis.exceptions import OutputError, TableError
from basis.files import atomic_path

__all__ = ["UsageError", "check_outputs", "problems_path", "write_problems"]


class UsageError(ValueError):
    """A command line that cannot run as given (a bad option, an output that would replace a file)."""


def _same(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _folder_writable(folder: Path) -> str | None:
    """None if a file can be created in ``folder``, else the reason (tried for real: a read-only
    mount, an immutable folder or a full disk are not always visible to ``os.access``)."""
    probe = folder / f".empmon-check.{secrets.token_hex(4)}"  # named first: Ctrl-C removes it too
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(probe)
    return None


def check_outputs(
    outputs: Mapping[str, tuple[str | None, Iterable[str]]],
    inputs: Iterable[str | None],
    *,
    overwrite: bool,
) -> None:
    """Refuse, before any work, outputs that cannot or must not be written.

    Parameters
    ----------
    outputs : mapping
        Option -> (path or None, accepted extensions).
    inputs : iterable of path
        The command's input files (None for an option not given).
    overwrite : bool
        Whether an existing output file may be replaced.

    Raises
    ------
    UsageError
        A wrong extension, an output that is an input or another output, or an existing file
        without ``overwrite``.
    OutputError
        A folder that does not exist or cannot be written, or an output that is a folder.
    """
    given = {option: (Path(path), tuple(s)) for option, (path, s) in outputs.items() if path}
    sources = [Path(p) for p in inputs if p]
    seen: dict[Path, str] = {}
    for option, (path, suffixes) in given.items():
        device = path.exists() and not path.is_file() and not path.is_dir()
        if path.suffix.lower() not in suffixes and not device:
            raise UsageError(
                f"{option} {path}: cannot write {path.suffix or 'a file without extension'!r}; "
                f"use {', '.join(suffixes)}"
            )
        if path.is_dir():
            raise OutputError(f"{option} {path}: is a folder, not a file")
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(f"{option} {path}: the folder {folder} does not exist")
        for source in sources:
            if _same(path, source) or path.resolve() == source.resolve():
                raise UsageError(f"{option} {path}: is an input of this command; write to another file")
        key = path.resolve()
        if key in seen:
            raise UsageError(f"{option} {path}: is also given as {seen[key]}; use two file names")
        seen[key] = option
        if device:
            continue
        if path.exists() and not overwrite:
            raise UsageError(f"{option} {path}: already exists; pass --overwrite to replace it")
        reason = _folder_writable(folder)
        if reason is not None:
            raise OutputError(f"{option} {path}: cannot write in {folder}: {reason}")


def problems_path(outputs: Iterable[str | None], command: str) -> Path:
    """Where the full list of an error's problems goes: beside the first output, else the
    current folder."""
    first = next((Path(p) for p in outputs if p), None)
    if first is not None and first.parent.is_dir() and (first.is_file() or not first.exists()):
        return first.with_name(f"{first.stem}.problems.csv")
    return Path(f"empmon-{command}-problems.csv")


def write_problems(problems: pd.DataFrame, path: Path) -> Path | None:
    """Write every problem of an error to ``path`` (atomically); None if that fails too."""
    try:
        with atomic_path(path) as tmp:
            problems.to_csv(tmp, index=False, encoding="utf-8-sig")
    except (OutputError, TableError):
        return None
    return path
