"""``empmon split``: split each city's target across categories (secondary / tertiary industry)."""

from __future__ import annotations

import argparse

import pandas as pd

from empmon.cli import command, inputs_outputs, say, write_output
from empmon.inputs import city_index, pairs, read_input, with_cities
from empmon.progress import Progress

__all__ = ["add_parser"]


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from allocation.split import split
    from quotas.contract import ALLOCATION, SECTOR_SHARES, SECTOR_TARGETS

    targets = city_index(
        read_input(ALLOCATION, args.targets, "TARGETS"), "allocated", what=f"TARGETS {args.targets}"
    )
    raw = with_cities(read_input(SECTOR_SHARES, args.shares, "--shares"), what=f"--shares {args.shares}")
    shares = raw.set_index("city").drop(columns=[c for c in ("province",) if c in raw.columns])
    totals = pairs(args.column_total, "--column-total", whole=True)
    result = split(
        targets,
        shares,
        column_totals=pd.Series(totals).astype(int) if totals else None,
        method=args.method,
    )
    say(result.to_string())
    say(
        f"total {int(result.to_numpy().sum()):,}: "
        + ", ".join(f"{c} {int(v):,}" for c, v in result.sum().items())
    )
    if args.output:
        write_output(args.output, lambda path: SECTOR_TARGETS.write(result.reset_index(names="city"), path))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "split",
        "Split each city's target across categories (secondary / tertiary industry).",
        "empmon split allocation.csv --shares sector_shares.csv --column-total secondary=5311 \\\n"
        "       --column-total tertiary=4689 -o sector_targets.csv",
    )
    p.add_argument(
        "targets", metavar="TARGETS", help="file with city and allocated (empmon allocate's output)"
    )
    p.add_argument(
        "--shares", required=True, help="file: city and one column per category (weights or shares)"
    )
    p.add_argument(
        "--column-total", action="append", metavar="COLUMN=N", help="fixed column total (biproportional)"
    )
    p.add_argument("--method", default="huntington-hill", help="apportionment method")
    p.add_argument("-o", "--output", help="write the split (.csv, .xlsx or .parquet)")
    inputs_outputs(p, inputs=("targets", "shares"), outputs={"output": (".csv", ".xlsx", ".parquet")})
    p.set_defaults(run=_run)
