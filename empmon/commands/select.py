"""``empmon select``: select enterprises to fill the quotas, keeping the panel, with reserves."""

from __future__ import annotations

import argparse

import pandas as pd

from empmon.cli import command, inputs_outputs, say, write_output, write_with
from empmon.commands.quotas import prepared_register
from empmon.inputs import add_min_employees, key_industries_of_quotas, min_employees, read_input, with_cities
from empmon.outputs import UsageError
from empmon.progress import Progress

__all__ = ["add_parser"]


def _scope(frame: pd.DataFrame, quotas: pd.DataFrame, only_quota_cities: bool) -> pd.DataFrame:
    """The register restricted to the quota table's cities, said out loud; an error unless asked."""
    from sampling.structure import panel_mask

    cities = set(quotas["city"])
    outside = ~frame["city"].isin(cities).to_numpy()
    if not outside.any():
        return frame
    others = sorted(set(frame.loc[outside, "city"]))
    panel = int(panel_mask(frame)[outside].sum())
    text = (
        f"the quotas cover {len(cities)} of the register's {len(cities) + len(others)} cities; "
        f"the other {len(others)} ({', '.join(others[:5])}{', ...' if len(others) > 5 else ''}) "
        f"have {int(outside.sum()):,} enterprises, {panel:,} of them in the panel"
    )
    if not only_quota_cities:
        raise UsageError(f"{text}; pass --only-quota-cities to select in the quota cities alone")
    say(f"note: {text}; selecting in the {len(cities)} quota cities only (--only-quota-cities)")
    return frame[~outside]


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from basis.tables import read_table
    from quotas.contract import QUOTA_TABLE
    from sampling.contract import SAMPLE
    from sampling.select import select

    quotas = with_cities(read_input(QUOTA_TABLE, args.quotas, "--quotas"), what=f"--quotas {args.quotas}")
    # The register's industry groups must be the quotas' cells: its key industries are the
    # quotas' own division groups.
    key = key_industries_of_quotas(quotas)
    frame = prepared_register(read_table(args.frame, what="FRAME"), progress, key)
    frame = _scope(frame, quotas, args.only_quota_cities)
    with progress.step(f"selecting in {len(quotas):,} cells") as tick:
        sample = select(
            frame,
            quotas.reset_index(drop=True),
            method=args.method,
            reserves=args.reserves,
            random_state=args.seed,
            min_employees=min_employees(args),
            progress=tick,
        )
    say(sample.summary())
    if args.output:
        if args.output.lower().endswith(".xlsx"):
            with progress.step("writing the workbook"):
                write_with(args.output, sample.to_excel)
        else:
            write_output(args.output, lambda path: SAMPLE.write(sample.to_frame(), path))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "select",
        "Select enterprises to fill the quotas, keeping the panel, with reserves.",
        "empmon select frame.csv --quotas quotas.csv --method pareto --reserves 2 --seed 2013 -o sample.xlsx",
    )
    p.add_argument("frame", metavar="FRAME", help="enterprise register")
    p.add_argument("--quotas", required=True, help="long quota table (empmon quotas --csv)")
    p.add_argument("--method", default="pareto", help="srs, systematic, pareto (default) or poisson")
    p.add_argument("--reserves", type=int, default=0, help="ordered reserves per cell")
    add_min_employees(p)
    p.add_argument("--seed", type=int, default=None, help="seed of the permanent random numbers")
    p.add_argument(
        "--only-quota-cities",
        action="store_true",
        help="select in the quota table's cities only when the register has more (said in the output)",
    )
    p.add_argument(
        "-o",
        "--output",
        help="write the sample (.xlsx with the registration form's headers, .csv or .parquet)",
    )
    inputs_outputs(p, inputs=("frame", "quotas"), outputs={"output": (".csv", ".xlsx", ".parquet")})
    p.set_defaults(run=_run)
