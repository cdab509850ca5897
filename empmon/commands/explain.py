"""``empmon explain``: which blend of the city statistics a given allocation follows, and the tilts."""

from __future__ import annotations

import argparse

from empmon.cli import command, inputs_outputs, say, write_with
from empmon.inputs import city_index, pairs, with_cities
from empmon.outputs import UsageError
from empmon.progress import Progress

__all__ = ["add_parser"]

EXAMPLE = (
    "empmon explain task.xlsx --column target_10000 --stats stats.csv \\\n"
    "       --measure population --measure gdp -o explain.xlsx --plot explain.png\n"
    "empmon explain task.xlsx --column target_10000 --stats stats.csv \\\n"
    "       --weight population=0.5 --weight gdp=0.5      (tilts against a given blend)"
)


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from allocation.explain import explain
    from basis.tables import Column, TableKind, read_table
    from quotas.contract import CITY_STATISTICS

    table = read_table(args.allocation, what="ALLOCATION")
    if args.city_column not in table.columns:
        raise UsageError(
            f"ALLOCATION {args.allocation}: no column {args.city_column!r}; columns are {list(table.columns)}"
        )
    column = args.column or ("allocated" if "allocated" in table.columns else None)
    if column is None or column not in table.columns:
        raise UsageError(
            f"ALLOCATION {args.allocation}: say which column holds the counts (--column); "
            f"columns are {list(table.columns)}"
        )
    counts = TableKind(
        "allocation",
        "city and allocated count",
        (Column("city", "text", "城市"), Column("allocated", "count", "样本量")),
    ).read(
        table[[args.city_column, column]].rename(columns={args.city_column: "city", column: "allocated"}),
        what=f"ALLOCATION {args.allocation}",
    )
    allocation = city_index(counts, "allocated", what=f"ALLOCATION {args.allocation}")
    raw = read_table(args.stats, what="--stats")
    if args.city_column not in raw.columns:
        raise UsageError(
            f"--stats {args.stats}: no column {args.city_column!r}; columns are {list(raw.columns)}"
        )
    weights = pairs(args.weight, "--weight") or None
    # Every column is a measure unless named: a text column is an error naming it, not skipped.
    measures = args.measure or (
        list(weights) if weights else [c for c in raw.columns if c != args.city_column]
    )
    unknown = [m for m in measures if m not in raw.columns]
    if unknown:
        raise UsageError(f"--stats {args.stats}: no column {unknown[0]!r}; columns are {list(raw.columns)}")
    stats = CITY_STATISTICS.read(
        raw[[args.city_column, *measures]].rename(columns={args.city_column: "city"}),
        what=f"--stats {args.stats}",
    )
    stats = with_cities(stats, what=f"--stats {args.stats}").set_index("city")
    result = explain(allocation, stats, measures=measures, criterion=args.criterion, weights=weights)
    say(result.summary())
    if args.output:
        if args.output.lower().endswith(".xlsx"):
            write_with(args.output, result.to_excel)
        else:
            write_with(
                args.output, lambda tmp: result.to_frame().to_csv(tmp, index=False, encoding="utf-8-sig")
            )
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from quotas.plotting import cjk_font

        with cjk_font():
            ax = result.plot()
            write_with(args.plot, lambda tmp: ax.figure.savefig(tmp, dpi=110, bbox_inches="tight"))
        plt.close(ax.figure)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
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
    inputs_outputs(
        p, inputs=("allocation", "stats"), outputs={"output": (".xlsx", ".csv"), "plot": (".png",)}
    )
    p.set_defaults(run=_run)
