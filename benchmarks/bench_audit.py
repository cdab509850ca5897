"""Benchmark W4: auditing a sample against a large enterprise frame.

Workloads (medians of several runs; one run with ``--quick``):

* ``audit(sample, register=frame)``: every rule of MOHRSS 2011, duplicates, membership in
  the frame and city checks, representativeness by section, sector, size class and ownership,
  and employment coverage, for a sample of about 100,000 enterprises against a prepared
  national frame (10 million rows in the full run). Goal: under 5 s at 10 million rows.
* the same audit against the frame's structure table (no enterprise-level membership checks),
  which shows how much of the time goes into the frame itself.

``benchmarks/run.py`` calls :func:`run` with the prepared frame and a sample drawn by
``sampling.select``. Standalone: ``python benchmarks/bench_audit.py [--quick] [--rows N]``
draws a synthetic national frame and a stratified sample itself.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import pandas as pd
from timing import median_time

from sampling import structure
from sampling.auditing import audit

SEED = 20130101


def run(sample: pd.DataFrame, frame: pd.DataFrame, quick: bool) -> list[dict[str, Any]]:
    """Time the audit of ``sample`` against ``frame`` (prepared: with section, size_class and
    state_owned) and against its structure table.

    Returns
    -------
    list of dict
        One per workload: ``workload, tool, seconds, note``.
    """
    repeat = 1 if quick else 3
    n, big_n = len(sample), len(frame)
    rows: list[dict[str, Any]] = []
    seconds, report = median_time(lambda: audit(sample, register=frame), repeat)
    c = report.counts()
    rows.append(
        {
            "workload": f"W4 audit {n:,} against a {big_n:,}-row frame",
            "tool": "empmon audit(register=frame)",
            "seconds": seconds,
            "note": f"{len(report.results):,} result rows ({c['fail']} fail, {c['warn']} warn, {c['skipped']} skipped); goal < 5 s at 10 million rows",
        }
    )
    start = time.perf_counter()
    table = structure(frame)
    st_seconds = time.perf_counter() - start
    seconds, report = median_time(lambda: audit(sample, register=table), repeat)
    rows.append(
        {
            "workload": f"W4 audit {n:,} against the structure of a {big_n:,}-row frame",
            "tool": "empmon audit(register=structure)",
            "seconds": seconds,
            "note": f"{len(table):,} cells; building the structure took {st_seconds:.2f} s (not included)",
        }
    )
    return rows


def _standalone(argv: list[str]) -> None:
    from sampling import prepare_frame
    from sampling.synthetic import make_frame

    quick = "--quick" in argv
    big_n = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else (1_000_000 if quick else 10_000_000)
    frame = prepare_frame(make_frame(big_n, cities="national", random_state=SEED))
    # About 100,000 enterprises: a share of every non-micro cell (a stand-in for a selection).
    eligible = frame[frame["size_class"].astype(str) != "micro"]
    sample = eligible.sample(n=min(100_000, len(eligible)), random_state=SEED)
    sample = sample[["enterprise_id", "city", "section", "size_class", "state_owned"]].reset_index(drop=True)
    for row in run(sample, frame, quick):
        print(f"{row['workload']:<60} {row['tool']:<36} {row['seconds']:8.2f} s  {row['note']}")


if __name__ == "__main__":
    _standalone(sys.argv[1:])
