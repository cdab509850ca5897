"""Atomic output files: write to a temporary file beside the target, then rename it into place.

A rename within one folder is atomic on POSIX and on Windows (``os.replace``), so a reader, a
crash or a Ctrl-C sees either the old file or the complete new one, never half a workbook.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from basis.exceptions import OutputError

__all__ = ["OutputError", "atomic_path"]


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it to ``path``.

    The temporary file has the same suffix as ``path`` (writers such as pandas' ``to_excel``
    choose their format from it). If the body raises (including ``KeyboardInterrupt``) the
    temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or PathLike
        The file to write.
    overwrite : bool
        If False, an existing ``path`` is an :class:`OutputError` before anything is written.

    A device or a pipe (``/dev/stdout``, a FIFO) cannot be replaced by a rename: it is yielded
    itself and written in place.

    Raises
    ------
    OutputError
        The folder does not exist or cannot be written, ``path`` is a folder, ``path``
        exists and ``overwrite`` is False, or the writing failed (a full disk). The message
        names the path and the reason.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.csv") as tmp:
    ...     pd.DataFrame({"x": [1]}).to_csv(tmp, index=False)
    >>> (folder / "a.csv").read_text()
    'x\\n1\\n'
    >>> sorted(p.name for p in folder.iterdir())
    ['a.csv']
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.exists() and not target.is_file() and not target.is_dir():
        # A device or a pipe (/dev/stdout, a FIFO): written in place, as no rename can replace it.
        try:
            yield target
        except OSError as exc:
            if isinstance(exc, OutputError):
                raise
            raise OutputError(f"{target}: could not be written: {exc.strerror or exc}") from exc
        return
    if target.is_dir():
        raise OutputError(f"{target}: is a folder, not a file")
    if not folder.is_dir():
        raise OutputError(f"{target}: folder {folder} does not exist")
    if target.exists() and not overwrite:
        raise OutputError(f"{target}: already exists (say so to replace it)")
    # The temporary name is chosen before the file is created and the clean-up covers the
    # creation itself: an interrupt arriving just after the file appears still removes it.
    tmp: Path | None = None
    try:
        while tmp is None:
            tmp = folder / f".{target.stem}.{secrets.token_hex(4)}{target.suffix}"
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:  # another file by that name: not ours, try another name
                tmp = None
            except OSError as exc:
                tmp = None
                raise OutputError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from exc
        yield tmp
        if target.exists():
            # keep the permissions of the file being replaced
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"{target}: could not be written: {exc.strerror or exc}") from exc
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
