"""``empmon quotas``: quota tables (city x section x size x ownership) that meet a rule set."""

from __future__ import annotations

import argparse

import pandas as pd

from empmon.cli import command, inputs_outputs, say, write_output, write_with
from empmon.inputs import (
    add_min_employees,
    city_index,
    min_employees,
    read_input,
    read_key_industries,
    with_cities,
)
from empmon.outputs import UsageError
from empmon.progress import Progress

__all__ = ["add_parser"]


def population_structure(
    path: str,
    what: str,
    progress: Progress,
    key_industries: pd.DataFrame | None = None,
    min_units: int | None = None,
) -> pd.DataFrame:
    """The structure table of a register file (its cells split by the key industries, units of
    ``min_units`` employees or more counted), or the file itself if it is a structure table."""
    from basis.tables import header_key, read_table
    from quotas.contract import STRUCTURE

    raw = read_table(path, what=what)
    keys = {header_key(c) for c in raw.columns}
    if {"enterprises", "employment", "section", "sizeclass"} <= keys:
        return with_cities(STRUCTURE.read(raw, what=f"{what} {path}"), what=f"{what} {path}")
    frame = prepared_register(raw, progress, key_industries)
    from sampling.structure import structure

    with progress.step("counting the cells"):
        return structure(frame, min_employees=min_units)


def prepared_register(
    raw: pd.DataFrame, progress: Progress, key_industries: pd.DataFrame | None = None
) -> pd.DataFrame:
    """A register read by :func:`basis.tables.read_table`, checked and classified (industry
    groups by the key industries, when given)."""
    from sampling.exceptions import FrameError
    from sampling.frame import read_frame
    from sampling.prepare import prepare_frame

    with progress.step(f"checking and classifying {len(raw):,} enterprises"):
        try:
            return prepare_frame(read_frame(raw), key_industries=key_industries)
        except FrameError as exc:
            source = raw.attrs.get("source")
            if not source or len(exc.problems) == 0:
                raise
            # The file first, as every other error of a file names it.
            headline = str(exc).splitlines()[0]
            raise FrameError(f"{source}: {headline}", exc.problems) from exc


def _check_sector_targets(sector: pd.DataFrame, targets: pd.Series, what: str) -> None:
    """Each city's sector targets add up to its target: anything else is an error, not a rule to relax."""
    totals = sector.sum(axis=1)
    common = totals.index.intersection(targets.index)
    wrong = [(c, int(totals[c]), int(targets[c])) for c in common if int(totals[c]) != int(targets[c])]
    if wrong:
        shown = "; ".join(f"{c}: {s} against a target of {t}" for c, s, t in wrong[:5])
        more = f"; and {len(wrong) - 5} more" if len(wrong) > 5 else ""
        raise UsageError(f"{what}: the sector targets do not add up to the city targets ({shown}{more})")
    missing = targets.index.difference(sector.index)
    if len(missing):
        raise UsageError(f"{what}: no sector targets for {len(missing)} cities: {', '.join(missing[:5])}")


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from quotas.build import build_quotas
    from quotas.contract import ALLOCATION, QUOTA_TABLE, SECTOR_TARGETS
    from quotas.rules import get_rules

    rules = get_rules(args.rules)
    targets = city_index(
        read_input(ALLOCATION, args.targets, "--targets"), "allocated", what=f"--targets {args.targets}"
    )
    sector_targets = None
    if args.sector_targets:
        what = f"--sector-targets {args.sector_targets}"
        raw = with_cities(read_input(SECTOR_TARGETS, args.sector_targets, "--sector-targets"), what=what)
        sector_targets = raw.set_index("city").drop(columns=[c for c in ("province",) if c in raw.columns])
        _check_sector_targets(sector_targets, targets, what)
    key = read_key_industries(args.key_industries)
    population = population_structure(args.frame, "FRAME", progress, key, min_employees(args))
    with progress.step(f"building the quotas of {len(targets)} cities") as tick:
        table = build_quotas(
            population,
            targets,
            rules=rules,
            sector_targets=sector_targets,
            key_industries=key,
            progress=tick,
        )
    say(table.summary())
    if args.output:
        write_with(args.output, table.to_excel)
    if args.csv:
        write_output(args.csv, lambda path: QUOTA_TABLE.write(table.to_frame(), path))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "quotas",
        "Build quota tables (city x section x size x ownership) that meet a rule set.",
        "empmon quotas frame.csv --targets allocation.csv --rules guangdong-2013 -o quotas.xlsx --csv quotas.csv",
    )
    p.add_argument("frame", metavar="FRAME", help="enterprise register, or a structure table")
    p.add_argument("--targets", required=True, help="file with city and allocated (empmon allocate's output)")
    p.add_argument(
        "--rules", default="mohrss-2011", help="mohrss-2011 (default), mohrss-2009 or guangdong-2013"
    )
    p.add_argument("--sector-targets", help="file: city, secondary, tertiary (empmon split's output)")
    p.add_argument(
        "--key-industries",
        help="file: city, division (e.g. 39 or C39), optional min_share: each city's key industries, "
        "quota cells of their own",
    )
    add_min_employees(p)
    p.add_argument("-o", "--output", help="Excel workbook for the city bureaus (.xlsx)")
    p.add_argument("--csv", help="the long quota table, input of empmon select (.csv, .xlsx or .parquet)")
    inputs_outputs(
        p,
        inputs=("frame", "targets", "sector_targets", "key_industries"),
        outputs={"output": (".xlsx",), "csv": (".csv", ".xlsx", ".parquet")},
    )
    p.set_defaults(run=_run)
