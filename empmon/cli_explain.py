"""``empmon explain``: which blend of the city statistics a given allocation follows, and the tilts."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]

EXAMPLE = (
    "empmon explain task.xlsx --column target_10000 --stats stats.csv \\\n"
    "       --measure population --measure gdp -o explain.xlsx --plot explain.png\n"
    "empmon explain task.xlsx --column target_10000 --stats stats.csv \\\n"
    "       --weight population=0.5 --weight gdp=0.5      (tilts against a given blend)"
)


def run(args: argparse.Namespace) -> int:
    """Run the subcommand (the parser's ``run``)."""
    from allocation.explain import explain
    from empmon.cli import _cities, _CliError, _pairs, _read, _series

    table = _read(args.allocation, "ALLOCATION")
    column = args.column or ("allocated" if "allocated" in table.columns else None)
    allocation = _series(table, args.city_column, column, f"ALLOCATION {args.allocation}")
    raw = _read(args.stats, "--stats")
    if args.city_column not in raw.columns:
        raise _CliError(f"--stats: no column {args.city_column!r}; columns are {list(raw.columns)}")
    stats = raw.drop(columns=[args.city_column])
    stats.index = _cities(raw[args.city_column])
    weights = _pairs(args.weight, "--weight") or None
    # Every column is a measure unless named: a text column is an error naming it, not skipped.
    measures = args.measure or (list(weights) if weights else list(stats.columns))
    result = explain(allocation, stats, measures=measures, criterion=args.criterion, weights=weights)
    print(result.summary())
    if args.output:
        if not args.output.lower().endswith((".xlsx", ".csv")):
            raise _CliError(f"output {args.output}: use a .csv or .xlsx file name")
        if args.output.lower().endswith(".xlsx"):
            result.to_excel(args.output)
        else:
            from basis.files import atomic_path

            with atomic_path(args.output) as tmp:
                result.to_frame().to_csv(tmp, index=False, encoding="utf-8-sig")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from basis.files import atomic_path
        from quotas.plotting import cjk_font

        with cjk_font():
            ax = result.plot()
            with atomic_path(args.plot) as tmp:
                ax.figure.savefig(tmp, dpi=110, bbox_inches="tight")
        plt.close(ax.figure)
    return 0


def register(command: Any) -> None:
    """Add the subcommand through the parser's ``command(name, help, example)`` helper."""
    p = command(
        "explain",
        "Find the blend of city statistics an allocation follows and each city's implied tilt.",
        EXAMPLE,
    )
    p.add_argument("allocation", metavar="ALLOCATION", help="file: city and the allocated count")
    p.add_argument("--column", help="column of ALLOCATION with the counts (default allocated)")
    p.add_argument("--stats", required=True, help="file: city and one numeric column per measure")
    p.add_argument("--measure", action="append", help="a column of --stats to blend (repeat; default all)")
    p.add_argument(
        "--criterion",
        default="shares-ls",
        choices=["shares-ls", "seats-l1"],
        help="least squares on shares (default) or least absolute difference in units",
    )
    p.add_argument(
        "--weight", action="append", metavar="COLUMN=W", help="give the blend instead of fitting it (repeat)"
    )
    p.add_argument("--city-column", default="city", help="name of the city column (default city)")
    p.add_argument("-o", "--output", help="write the table (.xlsx with notes, or .csv)")
    p.add_argument("--plot", help="write the tilt chart (.png)")
    p.set_defaults(run=run)
