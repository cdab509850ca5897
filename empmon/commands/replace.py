"""``empmon replace``: one authorised replacement batch on a written sample."""

from __future__ import annotations

import argparse

import pandas as pd

from basis.rows import rows_shown
from empmon.cli import command, inputs_outputs, say, write_output, write_with
from empmon.commands.quotas import prepared_register
from empmon.inputs import key_industries_of_quotas, read_input, with_cities
from empmon.outputs import UsageError
from empmon.progress import Progress

__all__ = ["add_parser"]

EXAMPLE = (
    "empmon replace sample.csv --frame frame.csv --quotas quotas.csv --seed 2013 \\\n"
    "       --invalid invalid.csv --authorised-by '人社部 2013年12月统一调整' --batch 2013-12 -o sample_2014.csv\n"
    "(invalid.csv: enterprise_id, reason; reason 关闭破产 or 不再符合条件)"
)


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from basis.tables import read_table
    from quotas.contract import QUOTA_TABLE
    from sampling.contract import SAMPLE
    from sampling.replace import replace, restore_sample

    if args.authorised_by is None and not args.unauthorised:
        raise UsageError(
            "--authorised-by is required: 更换企业样本必须在部里统一安排下进行 (人社部函〔2011〕308号); "
            "--unauthorised goes on anyway and records it"
        )
    from pathlib import Path

    if args.output and any(Path(args.output).resolve() == Path(p).resolve() for p in args.sample):
        raise UsageError(f"-o {args.output} is one of the SAMPLE files: write the new sample elsewhere")
    table = pd.concat([read_input(SAMPLE, path, "SAMPLE") for path in args.sample], ignore_index=True)
    table = with_cities(table, what="SAMPLE")
    quotas = with_cities(read_input(QUOTA_TABLE, args.quotas, "--quotas"), what=f"--quotas {args.quotas}")
    frame = prepared_register(
        read_table(args.frame, what="--frame"), progress, key_industries_of_quotas(quotas)
    )
    invalid = read_table(args.invalid, what="--invalid")
    missing = [c for c in ("enterprise_id", "reason") if c not in invalid.columns]
    if missing:
        raise UsageError(
            f"--invalid {args.invalid}: no column(s) {missing}; columns are {list(invalid.columns)}"
        )
    repeated = invalid["enterprise_id"].duplicated()
    if repeated.any():
        shown = rows_shown(invalid.loc[repeated, "enterprise_id"].items())
        raise UsageError(f"--invalid {args.invalid}: enterprises listed twice ({shown})")
    sample = restore_sample(
        table, frame, quotas.reset_index(drop=True), method=args.method, size=args.size, seed=args.seed
    )
    reasons = pd.Series(invalid["reason"].to_numpy(), index=invalid["enterprise_id"].astype(str).to_numpy())
    with progress.step(f"replacing {len(reasons):,} enterprises"):
        result = replace(
            sample,
            frame,
            invalid=reasons,
            authorised_by=args.authorised_by,
            batch=args.batch,
            unauthorised=args.unauthorised,
        )
    say(result.summary())
    if args.output:
        if args.output.lower().endswith(".xlsx"):
            write_with(args.output, result.to_excel)
        else:
            write_output(args.output, lambda path: SAMPLE.write(result.to_frame(), path))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "replace",
        "Remove invalid enterprises and fill their cells from the reserves, as one authorised batch.",
        EXAMPLE,
    )
    p.add_argument(
        "sample",
        metavar="SAMPLE",
        nargs="+",
        help="the sample's table (empmon select -o sample.csv; several files are joined)",
    )
    p.add_argument("--frame", required=True, help="the register the sample was drawn from")
    p.add_argument("--quotas", required=True, help="the long quota table of the draw (empmon quotas --csv)")
    p.add_argument("--invalid", required=True, help="file: enterprise_id, reason (关闭破产 or 不再符合条件)")
    p.add_argument(
        "--authorised-by", help="who arranged the batch (the ministry's notice); recorded on each row"
    )
    p.add_argument("--batch", help="label of the batch (default: the next number)")
    p.add_argument(
        "--unauthorised", action="store_true", help="go on without --authorised-by (warned and recorded)"
    )
    p.add_argument("--method", default="pareto", help="the draw's method (default pareto)")
    p.add_argument("--size", default="employees", help="the draw's size column (default employees)")
    p.add_argument("--seed", type=int, help="the draw's seed (needed when the frame has no prn column)")
    p.add_argument(
        "-o", "--output", help="write the new sample (.csv, .parquet, or .xlsx for the city bureaus)"
    )
    inputs_outputs(
        p,
        # SAMPLE takes several files, which the shared check does not: _run checks it.
        inputs=("frame", "quotas", "invalid"),
        outputs={"output": (".csv", ".xlsx", ".parquet")},
    )
    p.set_defaults(run=_run)
