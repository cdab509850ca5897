"""``empmon example``: run a worked example end to end and write its outputs."""

from __future__ import annotations

import argparse

from empmon.cli import command
from empmon.progress import Progress

__all__ = ["add_parser"]


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from empmon import examples

    if args.name == "guangdong":
        examples.guangdong_2013(
            args.out or "output", employment=args.employment, frame_size=args.frame_size or 300_000
        )
    else:
        examples.national(args.out or "output/national", frame_size=args.frame_size or 2_000_000)
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
