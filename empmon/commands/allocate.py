"""``empmon allocate``: allocate a total across cities by a weighted blend of their statistics."""

from __future__ import annotations

import argparse

import pandas as pd

from empmon.cli import command, inputs_outputs, say, write_output
from empmon.inputs import city_index, pairs, read_input, with_cities
from empmon.outputs import UsageError
from empmon.progress import Progress

__all__ = ["add_parser"]


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from allocation.cities import allocate_cities
    from quotas.contract import ALLOCATION, CITY_STATISTICS, EXISTING_PANEL

    raw = read_input(CITY_STATISTICS, args.stats, "STATS") if args.city_column == "city" else None
    if raw is None:
        from basis.tables import read_table

        table = read_table(args.stats, what="STATS")
        if args.city_column not in table.columns:
            raise UsageError(
                f"STATS {args.stats}: no column {args.city_column!r}; columns are {list(table.columns)}"
            )
        raw = CITY_STATISTICS.read(
            table.rename(columns={args.city_column: "city"}), what=f"STATS {args.stats}"
        )
    stats = (
        with_cities(raw, what=f"STATS {args.stats}")
        .set_index("city")
        .drop(columns=[c for c in ("province",) if c in raw.columns])
    )
    weights = pairs(args.weight, "--weight") or None
    if weights:
        unknown = [k for k in weights if k not in stats.columns]
        if unknown:
            raise UsageError(
                f"--weight {unknown[0]}: STATS has no column {unknown[0]!r}; columns are {list(stats.columns)}"
            )
    minimum: object = args.minimum
    if minimum is not None and str(minimum).isdigit():
        minimum = int(minimum)
    elif minimum is not None:
        from quotas.tiers import MINIMUM_SCHEMES, tier_minimum

        if minimum not in MINIMUM_SCHEMES:
            raise UsageError(
                f"--minimum: unknown scheme {minimum!r}; valid: {sorted(MINIMUM_SCHEMES)} or a number"
            )
        if args.population_column not in stats.columns:
            raise UsageError(
                f"--minimum {minimum}: STATS has no column {args.population_column!r} "
                f"(set --population-column); columns are {list(stats.columns)}"
            )
        minimum = tier_minimum(stats[args.population_column], scheme=minimum)
    existing = None
    if args.existing:
        table = read_input(EXISTING_PANEL, args.existing, "--existing")
        existing = city_index(table, "existing", what=f"--existing {args.existing}")
        extra = existing.index.difference(stats.index)
        if len(extra):
            raise UsageError(
                f"--existing {args.existing}: {len(extra)} cities not in STATS: {', '.join(extra[:5])}"
            )
        existing = existing.reindex(stats.index, fill_value=0).astype(int)
    tilt = pairs(args.tilt, "--tilt")
    if tilt:
        from quotas.cities import resolve_cities

        names = resolve_cities(pd.Series(list(tilt)), source="--tilt")
        tilt = dict(zip(names, tilt.values()))
    result = allocate_cities(
        stats,
        args.total,
        weights=weights,
        minimum=minimum,
        tilt=tilt or None,
        existing=existing,
        method=args.method,
    )
    say(result.summary())
    if args.output:
        write_output(args.output, lambda path: ALLOCATION.write(result.to_frame(), path))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "allocate",
        "Allocate a total across cities by a weighted blend of their statistics.",
        "empmon allocate stats.csv --total 10000 --weight employment=0.5 --weight gdp=0.5 \\\n"
        "       --minimum mohrss-2011 --existing panel.csv --tilt 广州=1.15 -o allocation.csv",
    )
    p.add_argument(
        "stats",
        metavar="STATS",
        help="one row per city: city (province optional) and numeric columns (yearbook statistics)",
    )
    p.add_argument("--total", type=int, required=True, help="sample size to allocate")
    p.add_argument("--weight", action="append", metavar="COLUMN=W", help="blend weight of a column (repeat)")
    p.add_argument("--minimum", help="mohrss-2011, mohrss-2009 or a number")
    p.add_argument(
        "--population-column", default="population", help="column with population (for --minimum tiers)"
    )
    p.add_argument("--existing", help="file: city, existing (enterprises already monitored; floors)")
    p.add_argument("--tilt", action="append", metavar="CITY=X", help="multiplier on a city's share (repeat)")
    p.add_argument(
        "--method", default="huntington-hill", help="apportionment method (default huntington-hill)"
    )
    p.add_argument("--city-column", default="city", help="name of the city column (default city)")
    p.add_argument("-o", "--output", help="write the allocation table (.csv, .xlsx or .parquet)")
    inputs_outputs(p, inputs=("stats", "existing"), outputs={"output": (".csv", ".xlsx", ".parquet")})
    p.set_defaults(run=_run)
