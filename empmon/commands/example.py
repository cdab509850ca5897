"""``empmon example``: run a worked example end to end and write its outputs."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

from empmon.cli import command, say
from empmon.outputs import UsageError
from empmon.progress import Progress

__all__ = ["add_parser"]


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from empmon import examples

    final = Path(args.out or ("output" if args.name == "guangdong" else "output/national"))
    if final.exists() and not final.is_dir():
        raise UsageError(f"--out {final}: is a file, not a folder")
    final.mkdir(parents=True, exist_ok=True)
    # The example writes into a hidden folder inside the output folder; each file is then
    # renamed into place, so Ctrl-C or a full disk leaves earlier outputs whole and no half file.
    staging = Path(tempfile.mkdtemp(prefix=".empmon-example.", dir=final))
    text = io.StringIO()
    try:
        with progress.step(f"running the {args.name} example"), contextlib.redirect_stdout(text):
            if args.name == "guangdong":
                examples.guangdong_2013(
                    staging, employment=args.employment, frame_size=args.frame_size or 300_000
                )
            else:
                examples.national(staging, frame_size=args.frame_size or 2_000_000)
        for path in sorted(p for p in staging.rglob("*") if p.is_file()):
            target = final / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(text.getvalue().replace(str(staging), str(final)).rstrip("\n"))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "example",
        "Run a worked example end to end and write its outputs.",
        "empmon example guangdong --out output\nempmon example national --frame-size 500000",
    )
    p.add_argument("name", choices=["guangdong", "national"], help="which example")
    p.add_argument("--out", help="output folder")
    p.add_argument(
        "--employment",
        default="population",
        choices=["population", "urban-units", "urban-units+private"],
        help="employment measure of the Guangdong allocation (default population)",
    )
    p.add_argument("--frame-size", type=int, help="enterprises in the synthetic register")
    p.set_defaults(run=_run)
