"""Benchmark of :mod:`allocation`: bounded apportionment and exact optimal allocation.

Workloads (times are medians of several runs, one core):

* bounded apportionment (Huntington-Hill, Webster, Hamilton) of 30,000 units over the 333
  prefecture-level units of :func:`quotas.datasets.national_cities` (2020 census
  population; the 4 municipalities left out), lower bound from the MOHRSS 2011 tiers;
* bounded apportionment of 2,000,000 over 100,000 synthetic strata (lognormal weights, fixed
  seed), lower 2, upper the stratum size;
* :func:`allocation.optimal` for the same 100,000 strata (fixed total 2,000,000, 2 <= n_h <= N_h);
* the PyPI package ``apportionment`` (1.0) where its methods overlap: it has no bounds, so the
  comparison is unbounded Huntington-Hill / Webster / Hamilton on the 333 units and on 2,000
  synthetic units (1,000 in quick mode). Its divisor methods hand out seats one at a time
  (quadratic), so 2,000 units already take seconds; above 52 units it needs party names
  (the default names are the 52 ASCII letters), which are passed. Every compared result is
  checked equal to ours.

Run ``python benchmarks/bench_allocation.py [--quick]``; ``benchmarks/run.py`` calls
:func:`run`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
from timing import median_time

from allocation import apportion, optimal, split
from quotas.datasets import national_cities
from quotas.tiers import tier_minimum

SEED = 20130101


def _units_333() -> tuple[pd.Series, pd.Series]:
    cities = national_cities()
    cities = cities[cities["kind"] != "municipality"].set_index("city")
    pop = cities["population"].astype(float)
    return pop, tier_minimum(cities["population"])


def _strata(n: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    rng = np.random.default_rng(SEED)
    size = pd.Series(rng.integers(20, 2_000, n), name="N")
    sd = pd.Series(rng.lognormal(3.0, 1.0, n), name="S")
    return size, sd, size * sd


def _package(method: str, weights: pd.Series, total: int) -> Callable[[], list[int]]:
    import apportionment.methods as am

    votes = weights.astype(np.int64).tolist()
    names = [str(k) for k in weights.index]
    return lambda: list(am.compute(method, votes, total, parties=names))


def run(quick: bool = False) -> list[dict]:
    repeat = 3 if quick else 7
    rows: list[dict] = []

    pop, tiers = _units_333()
    for method in ("huntington-hill", "webster", "hamilton"):
        sec, out = median_time(lambda m=method: apportion(pop, 30_000, method=m, lower=tiers), repeat)
        rows.append(
            {
                "workload": f"apportion 30,000 over 333 cities, lower = MOHRSS 2011 tiers ({method})",
                "tool": "empmon allocation.apportion",
                "seconds": sec,
                "note": f"sum {int(out.sum()):,}, min {int(out.min())}",
            }
        )

    size, sd, weight = _strata(100_000)
    total = 2_000_000
    for method in ("huntington-hill", "webster", "hamilton"):
        sec, out = median_time(
            lambda m=method: apportion(weight, total, method=m, lower=2, upper=size), repeat
        )
        held = bool((out >= 2).all() and (out <= size).all() and out.sum() == total)
        rows.append(
            {
                "workload": f"apportion 2,000,000 over 100,000 strata, 2 <= n <= N ({method})",
                "tool": "empmon allocation.apportion",
                "seconds": sec,
                "note": f"exact total and bounds: {held}; goal < 0.1 s",
            }
        )
    sec, out = median_time(lambda: optimal(size, sd, total, lower=2), repeat)
    rows.append(
        {
            "workload": "optimal (exact Neyman) 2,000,000 over 100,000 strata, 2 <= n <= N",
            "tool": "empmon allocation.optimal",
            "seconds": sec,
            "note": f"exact total: {int(out.sum()) == total}",
        }
    )

    # Biproportional split of the 333 cities' allocation over 20 sections (synthetic shares),
    # holding synthetic section totals.
    alloc = apportion(pop, 30_000, lower=tiers)
    shares = pd.DataFrame(np.random.default_rng(SEED).lognormal(0.0, 1.0, (len(pop), 20)), index=pop.index)
    col_totals = apportion(shares.sum(), 30_000, method="webster")
    sec, out = median_time(lambda: split(alloc, shares, column_totals=col_totals), repeat)
    rows.append(
        {
            "workload": "split 30,000 over 333 cities x 20 sections, biproportional (huntington-hill)",
            "tool": "empmon allocation.split",
            "seconds": sec,
            "note": f"rows and columns exact: {bool((out.sum(axis=1) == alloc).all() and (out.sum() == col_totals).all())}",
        }
    )

    try:
        import apportionment  # noqa: F401
    except ImportError:
        rows.append(
            {
                "workload": "apportion, unbounded (overlap with PyPI apportionment)",
                "tool": "apportionment (PyPI)",
                "seconds": None,
                "note": "package not installed (pip install apportionment)",
            }
        )
        return rows
    rng = np.random.default_rng(SEED)
    big = 1_000 if quick else 2_000
    synthetic = pd.Series(rng.integers(10_000, 10_000_000, big), index=[f"u{i}" for i in range(big)])
    cases = [
        ("333 cities, 10,000", pop, 10_000, 1 if quick else 3),
        (f"{big:,} units, {10 * big:,}", synthetic, 10 * big, 1),
    ]
    for label, weights, seats, pkg_repeat in cases:
        for ours, theirs in (
            ("huntington-hill", "huntington"),
            ("webster", "saintelague"),
            ("hamilton", "largest_remainder"),
        ):
            workload = f"apportion {label}, unbounded ({ours})"
            sec, out = median_time(lambda w=weights, s=seats, m=ours: apportion(w, s, method=m), repeat)
            rows.append(
                {"workload": workload, "tool": "empmon allocation.apportion", "seconds": sec, "note": ""}
            )
            psec, pout = median_time(_package(theirs, weights, seats), pkg_repeat)
            same = list(pout) == out.tolist()
            how = "sorts remainders" if ours == "hamilton" else "one seat at a time: quadratic"
            rows.append(
                {
                    "workload": workload,
                    "tool": f"apportionment 1.0 (PyPI) {theirs}",
                    "seconds": psec,
                    "note": f"same result as empmon: {same}; no bounds; {how}; party names passed (> 52 units)",
                }
            )
    return rows


if __name__ == "__main__":
    results = run(quick="--quick" in sys.argv)
    ref: dict[str, float] = {}
    for row in results:
        if row["tool"].startswith("empmon") and row["seconds"] is not None:
            ref[row["workload"]] = row["seconds"]
    for row in results:
        sec = row["seconds"]
        ratio = (
            f"{sec / ref[row['workload']]:8.1f}x" if sec is not None and row["workload"] in ref else " " * 9
        )
        shown = f"{sec:8.4f} s" if sec is not None else "     n/a  "
        print(f"{shown} {ratio}  {row['tool']:<42} {row['workload']}  [{row['note']}]")
