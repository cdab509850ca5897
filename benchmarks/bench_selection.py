"""W3 selection: this library's ``sampling.select`` on a big frame, timed per method.

``run(frame, quotas, quick)`` times SRS (the smallest PRNs per cell) and the PPS methods
(systematic, Pareto; sequential Poisson unless ``quick``) over the quota cells of ``frame``,
PRNs derived from the enterprise ids, and once more with the PRNs stored in a ``prn`` column
(the usual set-up of a PRN system). Each row: workload, tool, seconds (median of the runs),
peak_mb (the largest extra memory numpy allocated during a run, traced with tracemalloc; the
frame itself is not counted), note.

Standalone: ``python benchmarks/bench_selection.py [n_rows] [sample]`` builds a national
synthetic frame with ``sampling.synthetic.make_frame`` and ``sampling.prepare.prepare_frame``.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from typing import Any

import pandas as pd

from sampling import select
from sampling.prn import frame_prn

METHODS_QUICK = ("srs", "systematic", "pareto")
METHODS_FULL = ("srs", "systematic", "pareto", "poisson")


def _measure(call: Any, runs: int) -> tuple[float, float, Any]:
    """Median seconds over ``runs`` (untraced) and the peak traced MB of one traced run."""
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    tracemalloc.reset_peak()
    call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20, result


def run(frame: pd.DataFrame, quotas: pd.DataFrame, quick: bool) -> list[dict[str, Any]]:
    """Time ``sampling.select`` for each method on ``frame`` and ``quotas``."""
    runs = 1 if quick else 3
    n_quota = int(quotas["quota"].sum())
    cells = int((quotas["quota"] > 0).sum())
    rows: list[dict[str, Any]] = []
    size = f"{n_quota:,} of {len(frame):,} over {cells:,} cells"
    for method in METHODS_QUICK if quick else METHODS_FULL:
        seconds, peak, sample = _measure(
            lambda m=method: select(frame, quotas, method=m, random_state=2013), runs
        )
        drawn = len(sample.to_frame("sample"))
        rows.append(
            {
                "workload": f"W3 select {method} ({'SRS' if method == 'srs' else 'PPS'})",
                "tool": f"empmon sampling.select(method={method!r})",
                "seconds": seconds,
                "peak_mb": peak,
                "note": f"{size}; PRNs hashed from ids; {drawn:,} in the sample; median of {runs}",
            }
        )
    with_prn = frame.assign(prn=frame_prn(frame, 2013)[0])
    for method in ("srs",) if quick else ("srs", "systematic"):
        seconds, peak, _ = _measure(
            lambda m=method: select(with_prn, quotas, method=m, random_state=2013), runs
        )
        rows.append(
            {
                "workload": f"W3 select {method} ({'SRS' if method == 'srs' else 'PPS'})",
                "tool": f"empmon sampling.select(method={method!r}), prn column",
                "seconds": seconds,
                "peak_mb": peak,
                "note": f"{size}; PRNs read from the frame; median of {runs}",
            }
        )
    return rows


def _national(n_rows: int, sample: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from allocation import apportion
    from sampling import prepare_frame
    from sampling.synthetic import make_frame

    frame = prepare_frame(make_frame(n_rows, cities="national", random_state=1))
    keys = ["city", "section", "size_class", "state_owned"]
    cells = frame.groupby(keys, observed=True).size().rename("available").reset_index()
    weight = cells["available"].where(cells["size_class"].astype(str) != "micro", 0).astype(float)
    cells["quota"] = apportion(weight, sample, method="hamilton", upper=cells["available"]).to_numpy()
    return frame, cells


if __name__ == "__main__":
    n_rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sample = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    frame, quotas = _national(n_rows, sample)
    result = pd.DataFrame(run(frame, quotas, quick=False))
    with pd.option_context("display.max_colwidth", 90, "display.width", 200):
        print(result.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
