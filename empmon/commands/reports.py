"""``empmon reports check|summary|estimate``: a month's reports (附表一) checked, summed, estimated.

* ``check``: the checks of :func:`monitoring.check_reports` against the monitored list; exit 1
  when a check fails.
* ``summary``: 附表二 by city and by industry, with the five industries whose employment fell
  most (:func:`monitoring.summarize`).
* ``estimate``: the province's and the domains' estimates with standard errors
  (:func:`monitoring.estimate`) on the sample's design.

With ``--list``, ``summary`` and ``estimate`` set aside (and say so) the reports of enterprises not
on the list and repeated reports, as the checks name them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from empmon.cli import EXIT_AUDIT_FAILED, command, inputs_outputs, say, write_output
from empmon.progress import Progress

__all__ = ["add_parser"]

EXAMPLE = (
    "empmon reports check 附表一_2013-01.xlsx --list sample.xlsx --submitted submitted.csv -o 审核结果.xlsx\n"
    "empmon reports summary 附表一_2013-01.xlsx --list sample.xlsx -o 附表二.xlsx\n"
    "empmon reports estimate 附表一_2013-01.xlsx --design design.csv --by city --by section -o 估计.xlsx"
)


def _reports(args: argparse.Namespace, listed: pd.DataFrame | None) -> pd.DataFrame:
    from monitoring.read import read_reports

    return read_reports(
        args.reports,
        month=args.month,
        city=args.city,
        monitored=listed,
        industry_version=args.industry_version,
        on_split=args.on_split,
    )


def _listed(args: argparse.Namespace) -> pd.DataFrame | None:
    from monitoring.read import read_monitored

    if not args.list:
        return None
    return read_monitored(args.list, industry_version=args.industry_version, on_split=args.on_split)


def _usable(reports: pd.DataFrame, listed: pd.DataFrame | None) -> pd.DataFrame:
    from empmon.monthly import usable_reports

    if listed is None:
        return reports
    usable, notes = usable_reports(reports, listed)
    for note in notes:
        say(note)
    return usable


def _submitted(path: str | None) -> pd.Series | None:
    from basis.tables import read_table

    if not path:
        return None
    table = read_table(path, what="--submitted")
    missing = [c for c in ("city", "submitted") if c not in table.columns]
    if missing:
        raise ValueError(f"--submitted {path}: needs the columns city and submitted; missing {missing}")
    from quotas.cities import resolve_cities

    return pd.Series(
        pd.to_datetime(table["submitted"]).to_numpy(), index=resolve_cities(table["city"]).to_numpy()
    )


def _check(args: argparse.Namespace, progress: Progress) -> int:
    from monitoring.checks import check_reports

    listed = _listed(args)
    if listed is None:
        raise ValueError(
            "reports check needs the monitored list: --list FILE (the sample or the ministry's list)"
        )
    reports = _reports(args, listed)
    previous = (
        _reports(argparse.Namespace(**{**vars(args), "reports": args.previous}), listed)
        if args.previous
        else None
    )
    with progress.step(f"checking {len(reports):,} reports"):
        check = check_reports(
            reports,
            listed,
            previous=previous,
            submitted=_submitted(args.submitted),
            deadline_day=args.deadline_day,
            deadline=args.deadline,
            layoff_persons=args.layoff_persons,
            layoff_share=args.layoff_share,
        )
    say(check.summary())
    if args.output:
        if args.output.lower().endswith(".xlsx"):
            write_output(args.output, check.to_excel)
        else:
            write_output(args.output, lambda path: _write_frame(check.to_frame(), path))
    return 0 if check.passed else EXIT_AUDIT_FAILED


def _summary(args: argparse.Namespace, progress: Progress) -> int:
    from monitoring.forms import summarize

    listed = _listed(args)
    reports = _usable(_reports(args, listed), listed)
    with progress.step(f"summing {len(reports):,} reports"):
        summary = summarize(reports, industry_level=args.industry_level)
    say(summary.summary())
    if args.output:
        if args.output.lower().endswith(".xlsx"):
            write_output(args.output, summary.to_excel)
        else:
            write_output(args.output, lambda path: _write_frame(summary.to_frame(), path))
    return 0


def _estimate(args: argparse.Namespace, progress: Progress) -> int:
    from monitoring.design import as_design
    from monitoring.estimate import estimate

    if not args.design:
        raise ValueError(
            "reports estimate needs the sample's design: --design FILE (design.csv of the example)"
        )
    listed = _listed(args)
    reports = _usable(_reports(args, listed), listed)
    design = as_design(_read_design(args.design))
    by = [tuple(b.split("+")) if "+" in b else b for b in (args.by or ["city", "section", "size_class"])]
    with progress.step(f"estimating from {len(reports):,} reports"):
        result = estimate(reports, design, by=by, nonresponse=args.nonresponse)
    say(result.summary())
    if args.output:
        if args.output.lower().endswith(".xlsx"):
            write_output(args.output, result.to_excel)
        else:
            write_output(args.output, lambda path: _write_frame(result.to_frame(), path))
    return 0


def _read_design(path: str) -> pd.DataFrame:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"--design: no such file {path}")
    if p.suffix.lower() == ".parquet":
        return pd.read_parquet(p)
    if p.suffix.lower() in (".csv", ".txt"):
        return pd.read_csv(p, dtype={"enterprise_id": str}, encoding="utf-8-sig")
    raise ValueError(f"--design {path}: use the .csv or .parquet design table (Design.to_frame())")


def _write_frame(frame: pd.DataFrame, path: str) -> None:
    from basis.files import atomic_path

    with atomic_path(path) as tmp:
        if path.lower().endswith(".parquet"):
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")


_RUN = {"check": _check, "summary": _summary, "estimate": _estimate}


def _run(args: argparse.Namespace, progress: Progress) -> int:
    return _RUN[args.action](args, progress)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = command(
        sub,
        "reports",
        "A month's reports (附表一): check them, sum them into 附表二, or estimate with standard errors.",
        EXAMPLE,
    )
    p.add_argument("action", choices=list(_RUN), help="check, summary or estimate")
    p.add_argument(
        "reports", metavar="REPORTS", help="the month's reports (.xlsx, .csv or .parquet; 附表一 layout)"
    )
    p.add_argument("--list", help="monitored list (the sample's file or the ministry's 监测企业名单)")
    p.add_argument("--month", help="survey month, e.g. 2013-01 (default: from the file's title)")
    p.add_argument("--city", help="the city of a one-city file (default: from the file)")
    p.add_argument(
        "--industry-version",
        default="2011",
        choices=["2002", "2011", "2017"],
        help="GB/T 4754 edition of (2)",
    )
    p.add_argument(
        "--on-split",
        default="error",
        choices=["error", "main"],
        help="a split 2002 division: an error, or its main 2011 successor",
    )
    check = p.add_argument_group("check")
    check.add_argument("--previous", help="last month's reports ((3) must equal last month's (4))")
    check.add_argument("--submitted", help="file: city, submitted (the date each city's reports arrived)")
    check.add_argument(
        "--deadline-day", type=int, default=5, help="day of the next month reports are due (5)"
    )
    check.add_argument("--deadline", help="the deadline itself, e.g. 2013-02-04 (a holiday)")
    check.add_argument("--layoff-persons", type=int, default=20, help="layoff needing 专项说明: people (20)")
    check.add_argument("--layoff-share", type=float, default=0.10, help="... or share of (3) (0.10)")
    summary = p.add_argument_group("summary")
    summary.add_argument(
        "--industry-level", default="section", choices=["section", "division"], help="rows by industry"
    )
    est = p.add_argument_group("estimate")
    est.add_argument(
        "--design", help="the sample's design table (.csv or .parquet: design.csv of the example)"
    )
    est.add_argument(
        "--by",
        action="append",
        help="a domain column (repeat; a+b for crossed); default city, section, size_class",
    )
    est.add_argument(
        "--nonresponse", default="cell", choices=["cell", "unchanged"], help="non-response adjustment"
    )
    p.add_argument("-o", "--output", help="write the result (.xlsx, .csv or .parquet)")
    inputs_outputs(
        p,
        inputs=("reports", "list", "previous", "submitted", "design"),
        outputs={"output": (".xlsx", ".csv", ".parquet")},
    )
    p.set_defaults(run=_run)
