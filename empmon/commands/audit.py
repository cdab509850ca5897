"""``empmon audit``: check a proposed sample against the rules; exit 1 when a hard rule fails."""

from __future__ import annotations

import argparse

import pandas as pd

from empmon.cli import EXIT_AUDIT_FAILED, command, inputs_outputs, say, write_output, write_with
from empmon.commands.quotas import prepared_register
from empmon.inputs import city_index, read_input, read_key_industries
from empmon.progress import Progress

__all__ = ["add_parser"]

_DERIVED = ("section", "size_class", "state_owned")


def _with_register_classes(sample: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """The sample with section, size class and ownership taken from the register where the
    sample lacks them: the register's sizes rest on employees, revenue and assets, the sample's
    often on employees alone."""
    if set(_DERIVED) <= set(sample.columns):
        return sample
    classes = register.drop_duplicates("enterprise_id").set_index("enterprise_id")[list(_DERIVED)]
    ids = sample["enterprise_id"].astype(str).str.strip()
    if not ids.isin(classes.index).all():
        return sample  # the audit reports the enterprises absent from the register
    out = sample.copy()
    for column in _DERIVED:
        out[column] = classes[column].reindex(ids).to_numpy()
    return out


def _run(args: argparse.Namespace, progress: Progress) -> int:
    from basis.tables import read_table
    from quotas.contract import ALLOCATION
    from quotas.rules import get_rules
    from sampling.auditing import audit
    from sampling.contract import AUDIT_REPORT
    from sampling.read import read_sample

    rules = get_rules(args.rules)
    targets = None
    if args.targets:
        allocation = read_input(ALLOCATION, args.targets, "--targets")
        targets = city_index(allocation, "allocated", what=f"--targets {args.targets}")
    sample = read_sample(args.sample)
    key = read_key_industries(args.key_industries)
    register = None
    if args.register:
        register = prepared_register(read_table(args.register, what="--register"), progress, key)
        sample = _with_register_classes(sample, register)
    with progress.step(f"auditing {len(sample):,} enterprises") as tick:
        report = audit(
            sample, rules=rules, register=register, targets=targets, key_industries=key, progress=tick
        )
    say(report.summary())
    if args.output:
        if args.output.lower().endswith(".xlsx"):
            write_with(args.output, report.to_excel)
        else:
            write_output(args.output, lambda path: AUDIT_REPORT.write(report.to_frame(), path))
    return 0 if report.passed else EXIT_AUDIT_FAILED


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "audit",
        "Check a proposed sample against the rules; exit 1 when a hard rule fails.",
        "empmon audit sample.xlsx --rules mohrss-2011 --register frame.csv -o audit.xlsx",
    )
    p.add_argument("sample", metavar="SAMPLE", help="proposed sample (.xlsx or .csv, registration layout)")
    p.add_argument(
        "--rules", default="mohrss-2011", help="mohrss-2011 (default), mohrss-2009 or guangdong-2013"
    )
    p.add_argument(
        "--register", "--population", dest="register", help="the enterprise register to compare with"
    )
    p.add_argument("--targets", help="file with city and allocated (checks each target is met)")
    p.add_argument(
        "--key-industries", help="file: city, division, optional min_share (as given to empmon quotas)"
    )
    p.add_argument("-o", "--output", help="write the report (.xlsx, .csv or .parquet)")
    inputs_outputs(
        p,
        inputs=("sample", "register", "targets", "key_industries"),
        outputs={"output": (".xlsx", ".csv", ".parquet")},
    )
    p.set_defaults(run=_run)
