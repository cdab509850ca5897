"""The ``empmon`` command line: allocate | split | quotas | select | audit | example.

Every subcommand reads CSV, Excel (.xlsx) or Parquet and writes CSV or Excel (by the output's
suffix). Errors are one line on stderr and a non-zero exit code; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import warnings
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

__all__ = ["build_parser", "main"]

EXIT_ERROR = 2
EXIT_AUDIT_FAILED = 1

_FLOW = """\
the flow (each step reads the previous step's file):
  empmon allocate stats.csv --total 10000 --weight employment=0.5 --weight gdp=0.5 \\
         --minimum mohrss-2011 --existing panel.csv -o allocation.csv
  empmon split allocation.csv --shares sector_shares.csv \\
         --column-total secondary=5311 --column-total tertiary=4689 -o sector_targets.csv
  empmon quotas frame.csv --targets allocation.csv --rules guangdong-2013 \\
         --sector-targets sector_targets.csv -o quotas.xlsx --csv quotas.csv
  empmon select frame.csv --quotas quotas.csv --method pareto --reserves 2 --seed 2013 -o sample.xlsx
  empmon audit sample.xlsx --rules guangdong-2013 --population frame.csv --targets allocation.csv
  empmon example guangdong --out output      (all of the above on the shipped Guangdong data)
"""


def _version() -> str:
    try:
        return version("empmon")
    except PackageNotFoundError:  # a source tree that was not installed
        return "unknown"


class _CliError(Exception):
    """A user error to print as one line."""


def _read(path: str, what: str) -> pd.DataFrame:
    from sampling.frame import read_table

    p = Path(path)
    if not p.exists():
        raise _CliError(f"{what}: no such file {path}")
    return read_table(p)


def _pairs(values: Sequence[str] | None, what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values or []:
        key, sep, number = item.partition("=")
        if not sep:
            raise _CliError(f"{what} {item!r}: expected NAME=NUMBER")
        try:
            out[key.strip()] = float(number)
        except ValueError:
            raise _CliError(f"{what} {item!r}: {number!r} is not a number") from None
    return out


def _series(df: pd.DataFrame, city_column: str, value_column: str | None, what: str) -> pd.Series:
    if city_column not in df.columns:
        raise _CliError(f"{what}: no column {city_column!r}; columns are {list(df.columns)}")
    numeric = [c for c in df.columns if c != city_column]
    column = value_column or (numeric[0] if len(numeric) == 1 else None)
    if column is None or column not in df.columns:
        raise _CliError(f"{what}: say which column holds the numbers (columns: {numeric})")
    values = pd.to_numeric(df[column], errors="coerce")
    if values.isna().any():
        bad = df.loc[values.isna(), city_column].tolist()
        raise _CliError(f"{what}: column {column!r} is not a number for {bad}")
    return pd.Series(values.to_numpy(), index=_cities(df[city_column]), name=column)


def _cities(names: pd.Series) -> pd.Index:
    from quotas.cities import resolve_cities

    return pd.Index(resolve_cities(names.reset_index(drop=True)), name="city")


def _write(df: pd.DataFrame, path: str, *, index: bool) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.suffix.lower() == ".xlsx":
        df.to_excel(p, index=index)
    elif p.suffix.lower() == ".csv":
        df.to_csv(p, index=index, encoding="utf-8-sig")
    else:
        raise _CliError(f"output {path}: use a .csv or .xlsx file name")


def _allocation_targets(path: str) -> pd.Series:
    df = _read(path, "--targets")
    column = "allocated" if "allocated" in df.columns else None
    return _series(df, "city", column, f"targets {path}")


# ------------------------------------------------------------------ subcommands


def _cmd_allocate(args: argparse.Namespace) -> int:
    from allocation.cities import allocate_cities

    raw = _read(args.stats, "STATS")
    if args.city_column not in raw.columns:
        raise _CliError(f"STATS: no column {args.city_column!r}; columns are {list(raw.columns)}")
    stats = raw.drop(columns=[args.city_column]).apply(pd.to_numeric, errors="coerce")
    stats.index = _cities(raw[args.city_column])
    weights = _pairs(args.weight, "--weight") or None
    minimum: object = args.minimum
    if minimum is not None and str(minimum).isdigit():
        minimum = int(minimum)
    elif minimum is not None:
        from quotas.tiers import MINIMUM_SCHEMES, tier_minimum

        if minimum not in MINIMUM_SCHEMES:
            raise _CliError(
                f"--minimum: unknown scheme {minimum!r}; valid: {sorted(MINIMUM_SCHEMES)} or a number"
            )
        if args.population_column not in stats.columns:
            raise _CliError(
                f"--minimum {minimum}: STATS has no column {args.population_column!r} "
                f"(set --population-column); columns are {list(raw.columns)}"
            )
        minimum = tier_minimum(stats[args.population_column], scheme=minimum)
    existing = None
    if args.existing:
        df = _read(args.existing, "--existing")
        existing = _series(df, df.columns[0], None, f"existing {args.existing}").astype(int)
    tilt = _pairs(args.tilt, "--tilt")
    tilt = {_cities(pd.Series([k]))[0]: v for k, v in tilt.items()} or None
    result = allocate_cities(
        stats,
        args.total,
        weights=weights,
        minimum=minimum,
        tilt=tilt,
        existing=existing,
        method=args.method,
    )
    print(result.summary())
    if args.output:
        _write(result.to_frame(), args.output, index=False)
        print(f"wrote {args.output}")
    return 0


def _cmd_split(args: argparse.Namespace) -> int:
    from allocation.split import split

    targets = _allocation_targets(args.targets).astype(int)
    raw = _read(args.shares, "--shares")
    if "city" not in raw.columns:
        raise _CliError(f"--shares: no column 'city'; columns are {list(raw.columns)}")
    shares = raw.drop(columns=["city"]).apply(pd.to_numeric, errors="coerce")
    shares.index = _cities(raw["city"])
    totals = _pairs(args.column_total, "--column-total")
    result = split(
        targets,
        shares,
        column_totals=pd.Series(totals).astype(int) if totals else None,
        method=args.method,
    )
    print(result.to_string())
    print(
        f"total {int(result.to_numpy().sum()):,}: "
        + ", ".join(f"{c} {int(v):,}" for c, v in result.sum().items())
    )
    if args.output:
        _write(result, args.output, index=True)
        print(f"wrote {args.output}")
    return 0


def _structure_from(path: str) -> pd.DataFrame:
    from sampling.frame import prepare_frame, read_frame, structure

    raw = _read(path, "FRAME")
    if {"enterprises", "employment", "section", "size_class"} <= set(raw.columns):
        return raw
    return structure(prepare_frame(read_frame(raw)))


def _cmd_quotas(args: argparse.Namespace) -> int:
    from quotas.build import build_quotas
    from quotas.rules import get_rules

    population = _structure_from(args.frame)
    targets = _allocation_targets(args.targets).astype(int)
    sector_targets = None
    if args.sector_targets:
        raw = _read(args.sector_targets, "--sector-targets")
        sector_targets = raw.drop(columns=["city"]).apply(pd.to_numeric, errors="coerce").astype(int)
        sector_targets.index = _cities(raw["city"])
    table = build_quotas(population, targets, rules=get_rules(args.rules), sector_targets=sector_targets)
    print(table.summary())
    if args.output:
        table.to_excel(args.output)
        print(f"wrote {args.output}")
    if args.csv:
        _write(table.to_frame(), args.csv, index=False)
        print(f"wrote {args.csv}")
    return 0


def _cmd_select(args: argparse.Namespace) -> int:
    from basis.booleans import parse_yes_no
    from sampling.frame import prepare_frame, read_frame
    from sampling.select import select

    frame = prepare_frame(read_frame(_read(args.frame, "FRAME")))
    quotas = _read(args.quotas, "--quotas")
    for column in ("quota", "ideal", "available", "panel"):
        if column in quotas.columns:
            quotas[column] = pd.to_numeric(quotas[column], errors="coerce")
    if "state_owned" in quotas.columns:
        owned, bad = parse_yes_no(quotas["state_owned"], blank=None)
        if bad.any():
            lines = ", ".join(str(i + 2) for i in quotas.index[bad][:10])
            raise _CliError(
                f"--quotas: state_owned must be yes or no (True/False, 1/0, 是/否); bad at line(s) {lines}"
            )
        quotas["state_owned"] = owned
    sample = select(frame, quotas, method=args.method, reserves=args.reserves, random_state=args.seed)
    print(sample.summary())
    if args.output:
        p = Path(args.output)
        if p.suffix.lower() == ".xlsx":
            sample.to_excel(p)
        else:
            _write(sample.to_frame(), args.output, index=False)
        print(f"wrote {args.output}")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from quotas.rules import get_rules
    from sampling.audit import audit
    from sampling.frame import prepare_frame, read_frame
    from sampling.read import read_sample

    sample = read_sample(args.sample)
    population = (
        prepare_frame(read_frame(_read(args.population, "--population"))) if args.population else None
    )
    targets = _allocation_targets(args.targets).astype(int) if args.targets else None
    report = audit(sample, rules=get_rules(args.rules), population=population, targets=targets)
    print(report.summary())
    if args.output:
        report.to_excel(args.output)
        print(f"wrote {args.output}")
    return 0 if report.passed else EXIT_AUDIT_FAILED


def _cmd_example(args: argparse.Namespace) -> int:
    from empmon import examples

    if args.name == "guangdong":
        examples.guangdong_2013(
            args.out or "output", employment=args.employment, frame_size=args.frame_size or 300_000
        )
    else:
        examples.national(args.out or "output/national", frame_size=args.frame_size or 2_000_000)
    return 0


# ------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="empmon",
        description=(
            "Design and audit the enterprise samples of China's employment monitoring "
            "(企业用工定点监测, 失业动态监测)."
        ),
        epilog=_FLOW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"empmon {_version()}")
    parser.add_argument("--debug", action="store_true", help="show the traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog="example:\n" + textwrap.indent(example, "  "),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show the traceback on errors"
        )
        return p

    p = command(
        "allocate",
        "Allocate a total across cities by a weighted blend of their statistics.",
        "empmon allocate stats.csv --total 10000 --weight employment=0.5 --weight gdp=0.5 \\\n"
        "       --minimum mohrss-2011 --existing panel.csv --tilt 广州=1.15 -o allocation.xlsx",
    )
    p.add_argument("stats", metavar="STATS", help="one row per city: a city column and numeric columns")
    p.add_argument("--total", type=int, required=True, help="sample size to allocate")
    p.add_argument("--weight", action="append", metavar="COLUMN=W", help="blend weight of a column (repeat)")
    p.add_argument("--minimum", help="mohrss-2011, mohrss-2009 or a number")
    p.add_argument(
        "--population-column", default="population", help="column with population (for --minimum tiers)"
    )
    p.add_argument("--existing", help="file: city, existing panel count (floors)")
    p.add_argument("--tilt", action="append", metavar="CITY=X", help="multiplier on a city's share (repeat)")
    p.add_argument(
        "--method", default="huntington-hill", help="apportionment method (default huntington-hill)"
    )
    p.add_argument("--city-column", default="city", help="name of the city column (default city)")
    p.add_argument("-o", "--output", help="write the allocation table (.csv or .xlsx)")
    p.set_defaults(run=_cmd_allocate)

    p = command(
        "split",
        "Split each city's target across categories (secondary / tertiary industry).",
        "empmon split allocation.csv --shares shares.csv --column-total secondary=5311 \\\n"
        "       --column-total tertiary=4689 -o sector_targets.csv",
    )
    p.add_argument(
        "targets", metavar="TARGETS", help="file with city and allocated (e.g. empmon allocate's output)"
    )
    p.add_argument("--shares", required=True, help="file: city and one column per category")
    p.add_argument(
        "--column-total", action="append", metavar="COLUMN=N", help="fixed column total (biproportional)"
    )
    p.add_argument("--method", default="huntington-hill", help="apportionment method")
    p.add_argument("-o", "--output", help="write the split (.csv or .xlsx)")
    p.set_defaults(run=_cmd_split)

    p = command(
        "quotas",
        "Build quota tables (city x section x size x ownership) that meet a rule set.",
        "empmon quotas frame.csv --targets allocation.csv --rules guangdong-2013 -o quotas.xlsx --csv quotas.csv",
    )
    p.add_argument("frame", metavar="FRAME", help="enterprise register, or a structure table")
    p.add_argument("--targets", required=True, help="file with city and allocated")
    p.add_argument(
        "--rules", default="mohrss-2011", help="mohrss-2011 (default), mohrss-2009 or guangdong-2013"
    )
    p.add_argument("--sector-targets", help="file: city, secondary, tertiary (empmon split's output)")
    p.add_argument("-o", "--output", help="Excel workbook for the city bureaus")
    p.add_argument("--csv", help="the long quota table as CSV (input of empmon select)")
    p.set_defaults(run=_cmd_quotas)

    p = command(
        "select",
        "Select enterprises to fill the quotas, keeping the panel, with reserves.",
        "empmon select frame.csv --quotas quotas.csv --method pareto --reserves 2 --seed 2013 -o sample.xlsx",
    )
    p.add_argument("frame", metavar="FRAME", help="enterprise register")
    p.add_argument("--quotas", required=True, help="long quota table (empmon quotas --csv)")
    p.add_argument("--method", default="pareto", help="srs, systematic, pareto (default) or poisson")
    p.add_argument("--reserves", type=int, default=0, help="ordered reserves per cell")
    p.add_argument("--seed", type=int, default=None, help="seed of the permanent random numbers")
    p.add_argument(
        "-o", "--output", help="write the sample (.xlsx with the registration form's headers, or .csv)"
    )
    p.set_defaults(run=_cmd_select)

    p = command(
        "audit",
        "Check a proposed sample against the rules; exit 1 when a hard rule fails.",
        "empmon audit sample.xlsx --rules mohrss-2011 --population frame.csv -o audit.xlsx",
    )
    p.add_argument("sample", metavar="SAMPLE", help="proposed sample (.xlsx or .csv, registration layout)")
    p.add_argument(
        "--rules", default="mohrss-2011", help="mohrss-2011 (default), mohrss-2009 or guangdong-2013"
    )
    p.add_argument("--population", help="enterprise register to compare with")
    p.add_argument("--targets", help="file with city and allocated (checks each target is met)")
    p.add_argument("-o", "--output", help="write the report (.xlsx)")
    p.set_defaults(run=_cmd_audit)

    p = command(
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
    p.set_defaults(run=_cmd_example)

    from empmon import cli_explain

    cli_explain.register(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        with warnings.catch_warnings():
            # Warnings (e.g. sizes from employees alone) are part of the output, printed once.
            warnings.simplefilter("default")
            return int(args.run(args))
    except (_CliError, ValueError, FileNotFoundError, KeyError) as exc:
        if args.debug:
            raise
        message = str(exc).strip().splitlines()
        print(
            f"empmon {args.command}: error: {message[0] if message else type(exc).__name__}", file=sys.stderr
        )
        if len(message) > 1:
            print(textwrap.indent("\n".join(message[1:21]), "  "), file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
