"""Benchmarks of empmon against the tools users would otherwise pick (issue 9).

Usage::

    python benchmarks/run.py            # 1M and 10M-row national frames (about 30-40 min)
    python benchmarks/run.py --quick    # small frames, a smoke run (under a minute)

Builds synthetic national frames with :func:`sampling.synthetic.make_frame`, then runs

* W1 allocation and W2 quotas: ``bench_allocation.run(quick)`` and ``bench_quotas.run(quick)``;
* W3 selection: this library's ``sampling.select`` (SRS and systematic PPS) against svy,
  samplics, R ``sampling::strata`` and the plain numpy lexsort program (``baselines_selection``),
  plus ``bench_selection.run(frame, quotas, quick)``;
* W4 audit: ``bench_audit.run(sample, frame, quick)``.

Every workload runs in its own child process, so its peak memory is that process's peak
resident set size (read with ``wait4``), input loading included. Times are medians of several
runs (one run where a single run takes over a minute). Prints the table and writes
``benchmarks/results.md``. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import baselines_selection as bs  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

SEED = 20130101
CASES = {  # name: (rows of the national frame, W3 sample size)
    "quick": [("50k", 50_000, 2_500)],
    "full": [("1M", 1_000_000, 10_000), ("10M", 10_000_000, 100_000)],
}
SLOW_TOOLS = {"samplics-srs", "samplics-pps_sys", "R-srswor", "R-systematic"}


# =========================================================================== worker side


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Any, setup: Any, repeat: int) -> tuple[float, int, Any]:
    """Median time of ``fn(setup())`` over up to ``repeat`` runs (one if a run exceeds 60 s)."""
    times, out = [], None
    for _ in range(repeat):
        arg = setup()
        start = time.perf_counter()
        out = fn(arg)
        times.append(time.perf_counter() - start)
        if times[-1] > 60:
            break
    return statistics.median(times), len(times), out


def _load(data_dir: Path) -> bs.SelectionInput:
    frame = pd.read_parquet(data_dir / "frame.parquet")
    for col in ("city", "section", "size_class", "industry", "registration_type"):
        if col in frame.columns and not isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype("category")
    return bs.SelectionInput(
        frame=frame,
        cell=np.load(data_dir / "cell.npy"),
        quota=np.load(data_dir / "quota.npy"),
        quotas=pd.read_parquet(data_dir / "quotas.parquet"),
    )


def worker_make_frame(n: int, repeat: int) -> list[dict[str, Any]]:
    from sampling.synthetic import make_frame

    seconds, runs, frame = _timed(
        lambda _: make_frame(n, cities="national", random_state=SEED), lambda: None, repeat
    )
    mb = frame.memory_usage(deep=True).sum() / 2**20
    return [
        {
            "tool": "empmon make_frame",
            "seconds": seconds,
            "runs": runs,
            "note": f"{n:,} rows over {frame['city'].nunique()} cities; the frame holds {mb:,.0f} MB",
        }
    ]


def worker_setup(n: int, sample: int, data_dir: Path, repeat: int) -> list[dict[str, Any]]:
    """Frame, derived columns, cells and a proportional quota table, saved for the workers."""
    from allocation import apportion
    from sampling import prepare_frame
    from sampling.synthetic import make_frame

    make_seconds, make_runs, frame = _timed(
        lambda _: make_frame(n, cities="national", random_state=SEED), lambda: None, repeat
    )
    start = time.perf_counter()
    prepared = prepare_frame(frame)
    prep_seconds = time.perf_counter() - start
    keys = ["city", "section", "size_class", "state_owned"]
    cell, uniques = pd.MultiIndex.from_frame(prepared[keys]).factorize()
    cells = pd.DataFrame(list(uniques), columns=keys)
    cells["available"] = np.bincount(cell, minlength=len(cells))
    # Quotas: the sample spread over the non-micro cells in proportion to their enterprises
    # (Hamilton, capped at the cell size): the shape of a monitoring quota table.
    weight = cells["available"].where(cells["size_class"].astype(str) != "micro", 0).astype(float)
    cells["quota"] = apportion(weight, sample, method="hamilton", upper=cells["available"]).to_numpy()
    cells["ideal"] = weight / weight.sum() * sample
    cells["panel"] = 0
    quotas = cells[["city", "section", "size_class", "state_owned", "quota", "ideal", "available", "panel"]]
    data_dir.mkdir(parents=True, exist_ok=True)
    prepared.to_parquet(data_dir / "frame.parquet")
    np.save(data_dir / "cell.npy", cell.astype(np.int32))
    np.save(data_dir / "quota.npy", cells["quota"].to_numpy(dtype=np.int64))
    quotas.to_parquet(data_dir / "quotas.parquet")
    return [
        {
            "workload": "make_frame (national, 337 cities)",
            "tool": "empmon make_frame",
            "seconds": make_seconds,
            "runs": make_runs,
            "note": "peak shared with prepare_frame",
        },
        {
            "workload": "prepare_frame (validate + classify)",
            "tool": "empmon prepare_frame",
            "seconds": prep_seconds,
            "runs": 1,
            "note": f"{len(cells):,} non-empty cells, {int((cells['quota'] > 0).sum()):,} with a quota",
        },
    ]


def worker_w3(tools: str, data_dir: Path, repeat: int, timeout: float) -> list[dict[str, Any]]:
    """Time each of the comma-separated tools on the saved input (one process for all)."""
    data = _load(data_dir)
    rows = []
    for tool in tools.split(","):
        if tool.startswith("R-"):
            row = bs.run_r_strata(data, tool[2:], 1 if tool in SLOW_TOOLS else repeat, timeout)
        else:
            row = _time_python_tool(tool, data, repeat, timeout)
        rows.append({"key": tool, **row})
    return rows


def _time_python_tool(tool: str, data: bs.SelectionInput, repeat: int, timeout: float) -> dict[str, Any]:
    prepared = bs.TOOLS[tool](data)
    input_mb = _rss_mb()

    def stop(signum: int, frame: Any) -> None:
        raise TimeoutError

    # The slow baselines loop in Python, so an alarm stops them; the time limit is then a
    # lower bound of their time.
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(int(timeout))
    try:
        seconds, runs, rows = _timed(prepared.run, prepared.setup, 1 if tool in SLOW_TOOLS else repeat)
    except TimeoutError:
        return {
            "tool": prepared.label,
            "seconds": None,
            "lower_bound": timeout,
            "note": f"stopped after {timeout:.0f} s; input loaded: {input_mb:,.0f} MB RSS",
        }
    finally:
        signal.alarm(0)
    rows = np.asarray(rows)
    if rows.dtype.kind not in "iu":  # enterprise ids -> frame rows
        rows = pd.Index(data.frame["enterprise_id"]).get_indexer(rows)
    return {
        "tool": prepared.label,
        "seconds": seconds,
        "runs": runs,
        "check": bs.check_selection(rows, data),
        "note": f"input loaded: {input_mb:,.0f} MB RSS",
    }


def _sample_for_audit(data: bs.SelectionInput) -> pd.DataFrame:
    from sampling import select

    return select(data.frame, data.quotas, method="srs", random_state=1).to_frame()


def worker_module(module: str, quick: bool, data_dir: Path | None) -> list[dict[str, Any]]:
    mod = importlib.import_module(module)
    if module == "bench_selection":
        data = _load(data_dir)  # type: ignore[arg-type]
        rows = mod.run(data.frame, data.quotas, quick)
    elif module == "bench_audit":
        data = _load(data_dir)  # type: ignore[arg-type]
        rows = mod.run(_sample_for_audit(data), data.frame, quick)
    else:
        rows = mod.run(quick)
    if isinstance(rows, pd.DataFrame):
        rows = rows.to_dict("records")
    return [dict(r) for r in rows]


def worker_main(args: argparse.Namespace) -> None:
    kind, _, name = args.worker.partition(":")
    data_dir = Path(args.data) if args.data else None
    try:
        if kind == "make_frame":
            rows = worker_make_frame(args.rows, args.repeat)
        elif kind == "setup":
            rows = worker_setup(args.rows, args.sample, data_dir, args.repeat)  # type: ignore[arg-type]
        elif kind == "w3":
            rows = worker_w3(name, data_dir, args.repeat, args.timeout)  # type: ignore[arg-type]
        else:
            rows = worker_module(name, args.quick, data_dir)
    except Exception as exc:  # a failing tool is a result, not the end of the benchmark
        rows = [{"seconds": None, "note": f"failed: {type(exc).__name__}: {str(exc)[:300]}"}]
        traceback.print_exc()
    Path(args.result).write_text(json.dumps(rows, default=str))


# =========================================================================== parent side


def machine_info() -> dict[str, str]:
    def out(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "not installed"

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(line.split()[1]) / 2**20
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        float("nan"),
    )
    versions = {}
    for pkg in (
        "numpy",
        "pandas",
        "pyarrow",
        "highspy",
        "pulp",
        "polars",
        "svy",
        "samplics",
        "apportionment",
    ):
        try:
            from importlib.metadata import version

            versions[pkg] = version(pkg)
        except Exception:
            versions[pkg] = "not installed"
    r = out(
        [
            "Rscript",
            "-e",
            'cat(R.version.string, "| sampling", as.character(packageVersion("sampling")), '
            '"| stratallo", if (requireNamespace("stratallo", quietly=TRUE)) '
            'as.character(packageVersion("stratallo")) else "not installed")',
        ]
    )
    return {
        "cpu": f"{cpu}, {os.cpu_count()} logical cores",
        "memory": f"{mem:.1f} GB",
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "R": r,
        "git": out(["git", "-C", str(HERE.parent), "log", "-1", "--format=%h %s"])[:100],
        "load average at start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def child(
    worker: str,
    result_dir: Path,
    *,
    rows: int = 0,
    sample: int = 0,
    data: Path | None = None,
    repeat: int = 3,
    timeout: float = 600,
    kill_after: float = 3600,
    quick: bool = False,
) -> list[dict[str, Any]]:
    """Run one worker in a fresh interpreter (stopped after ``kill_after`` s); attach its peak RSS."""
    result = result_dir / f"{worker.replace(':', '_').replace(',', '_')[:80]}-{rows}.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        worker,
        "--result",
        str(result),
        "--rows",
        str(rows),
        "--sample",
        str(sample),
        "--repeat",
        str(repeat),
        "--timeout",
        str(timeout),
    ]
    if data is not None:
        cmd += ["--data", str(data)]
    if quick:
        cmd.append("--quick")
    run = bs.run_child(cmd, kill_after)
    if run.timed_out or not result.exists():
        tail = run.stderr.strip().splitlines()[-1:] if run.stderr.strip() else []
        why = (
            f"stopped after {run.seconds:.0f} s"
            if run.timed_out
            else f"worker failed: {' '.join(tail)[:300]}"
        )
        return [
            {
                "tool": worker,
                "seconds": None,
                "peak_mb": run.peak_mb,
                "note": why,
                **({"lower_bound": run.seconds} if run.timed_out else {}),
            }
        ]
    out = json.loads(result.read_text())
    print(f"    ({worker}: {run.seconds:.1f} s wall)", flush=True)
    for row in out:
        row.setdefault("tool", worker)
        # R rows and modules that measure their own peak keep theirs; the rest get this
        # worker's peak RSS.
        if "peak_mb" in row and worker.startswith("module:"):
            row["note"] = "; ".join(x for x in (row.get("note"), "peak as reported by the module") if x)
        row.setdefault("peak_mb", run.peak_mb)
    return out


def _module_exists(name: str) -> bool:
    return (HERE / f"{name}.py").exists()


def run_all(
    quick: bool,
    only: set[str],
    repeat: int,
    timeout: float,
    data_root: Path,
    module_timeout: float,
    w3_tools: list[str],
) -> tuple[list[dict], list[str]]:
    results: list[dict] = []
    skipped: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="empmon-bench-"))

    def add(workload: str, case: str, rows: list[dict], group: str | None = None) -> None:
        for row in rows:
            row.setdefault("workload", workload)
            row["case"] = case
            row["group"] = group or row["workload"]
            results.append(row)
            sec = row.get("seconds")
            shown = f"{sec:9.3f} s" if isinstance(sec, (int, float)) else "      n/a  "
            print(
                f"  {shown} {row.get('peak_mb', float('nan')):8.0f} MB  {row['tool'][:60]:<60} {case}",
                flush=True,
            )

    cases = CASES["quick" if quick else "full"]
    biggest = cases[-1]
    for case, n, sample in cases:
        data = data_root / case
        if "frames" in only and not quick:
            print(f"[frame {case}] make_frame", flush=True)
            add("make_frame (national, 337 cities)", case, child("make_frame", tmp, rows=n, repeat=repeat))
        if only & {"W3", "W4"} and not (data / "frame.parquet").exists() or "frames" in only:
            print(f"[frame {case}] prepare_frame, cells, quotas", flush=True)
            rows = child("setup", tmp, rows=n, sample=sample, data=data, repeat=1 if not quick else repeat)
            # make_frame's own time and peak come from the separate run above (full runs).
            add(
                "prepare_frame (validate + classify)",
                case,
                [r for r in rows if quick or r.get("tool") != "empmon make_frame"],
            )
        if "W3" in only:
            print(f"[W3 {case}] selection of {sample:,} from {n:,}", flush=True)
            tools = w3_tools
            # Full runs isolate each tool in its own process (its own peak memory); the quick
            # smoke run shares one process to save interpreter start-ups.
            batches = [",".join(tools)] if quick else tools
            for batch in batches:
                rows = child(
                    f"w3:{batch}",
                    tmp,
                    rows=n,
                    data=data,
                    repeat=repeat,
                    timeout=timeout,
                    kill_after=(timeout + 20) * batch.count(",") + 60 if quick else timeout + 300,
                )
                for row in rows:
                    design = bs.DESIGN.get(row.pop("key", batch), "?")
                    if quick:
                        row["note"] = "; ".join(
                            x for x in (row.get("note"), "peak = all W3 tools in one process") if x
                        )
                    add(f"W3 select {sample:,} of {n:,} ({design})", case, [row], group=f"W3 {design}")
    modules = [
        ("W1", "bench_allocation", None),
        ("W2", "bench_quotas", None),
        ("W3", "bench_selection", data_root / biggest[0]),
        ("W4", "bench_audit", data_root / biggest[0]),
        ("W5", "bench_writing", None),
    ]
    for label, module, data in modules:
        if label not in only:
            continue
        if not _module_exists(module):
            skipped.append(f"{label}: benchmarks/{module}.py does not exist (yet); not run")
            print(f"[{label}] {module}.py missing, skipped", flush=True)
            continue
        print(f"[{label}] {module}.run", flush=True)
        rows = child(f"module:{module}", tmp, data=data, kill_after=module_timeout, quick=quick)
        for row in rows:
            row.setdefault("workload", f"{label} {module}")
            row["workload"] = (
                row["workload"] if row["workload"].startswith(label) else f"{label} {row['workload']}"
            )
            if "peak as reported" not in str(row.get("note")):
                row["note"] = "; ".join(x for x in (row.get("note"), "peak = whole module process") if x)
        add(label, biggest[0] if data else "-", rows)
    return results, skipped


def ratios(results: list[dict]) -> None:
    """ratio = time / time of this library's fastest row in the same group and case."""
    for row in results:
        same = [r for r in results if r["group"] == row["group"] and r["case"] == row["case"]]
        if all(str(r.get("tool", "")).startswith("empmon") for r in same):
            continue  # nothing to compare with
        ref = [
            r["seconds"]
            for r in same
            if str(r.get("tool", "")).startswith("empmon") and isinstance(r.get("seconds"), (int, float))
        ]
        sec = row.get("seconds")
        if ref and isinstance(sec, (int, float)):
            row["ratio"] = sec / min(ref)
        elif ref and row.get("lower_bound"):
            row["ratio_lower_bound"] = row["lower_bound"] / min(ref)


def _fmt_time(row: dict) -> str:
    sec = row.get("seconds")
    if isinstance(sec, (int, float)):
        return f"{sec:.3f}" if sec < 10 else f"{sec:.1f}"
    return f"> {row['lower_bound']:.0f}" if row.get("lower_bound") else "n/a"


def _fmt_ratio(row: dict) -> str:
    if "ratio" in row:
        return f"{row['ratio']:.2f}"
    if "ratio_lower_bound" in row:
        return f"> {row['ratio_lower_bound']:.0f}"
    return ""


def table(results: list[dict]) -> str:
    head = "| workload | case | tool | time (s) | runs | peak RSS (MB) | ratio | check / note |\n|---|---|---|---:|---:|---:|---:|---|\n"
    lines = []
    for r in results:
        note = "; ".join(str(x) for x in (r.get("check"), r.get("note")) if x)
        lines.append(
            f"| {r['workload']} | {r['case']} | {r['tool']} | {_fmt_time(r)} | {r.get('runs', '')} | "
            f"{r.get('peak_mb', float('nan')):,.0f} | {_fmt_ratio(r)} | {note} |"
        )
    return head + "\n".join(lines) + "\n"


def goals(
    results: list[dict], quick: bool, only: set[str] = frozenset({"W1", "W2", "W3", "W4"})
) -> list[str]:
    """Check the goals of issue 9 (of the parts run) on the largest case; say where one is not met."""
    out: list[str] = []
    big = CASES["quick" if quick else "full"][-1][0]

    def find(tool: str, group: str) -> dict | None:
        return next(
            (
                r
                for r in results
                if r["case"] == big and r["group"] == group and str(r.get("tool", "")).startswith(tool)
            ),
            None,
        )

    for design, mine in (
        (
            ("SRS", "empmon sampling.select(method='srs')"),
            ("PPS", "empmon sampling.select(method='systematic')"),
        )
        if "W3" in only
        else ()
    ):
        me = find("empmon", f"W3 {design}")
        if not me or not isinstance(me.get("seconds"), (int, float)):
            out.append(
                f"W3 {design}: this library's {mine} has no time ({me and me.get('note')}); goals not checked"
            )
            continue
        svys = [
            r
            for r in results
            if r["case"] == big and r["group"] == f"W3 {design}" and str(r.get("tool", "")).startswith("svy")
        ]
        for tool, factor, other in [*(("svy", 3, r) for r in svys), ("R", 20, find("R", f"W3 {design}"))]:
            if not other:
                continue
            tool = (
                "svy"
                + (
                    " (stratum = the 4 key columns)"
                    if "key columns" in other["tool"]
                    else " (integer cell codes given)"
                )
                if tool == "svy"
                else tool
            )
            ratio = other.get("ratio", other.get("ratio_lower_bound"))
            if ratio is None:
                out.append(f"W3 {design} vs {tool}: no ratio ({other.get('note')})")
                continue
            bound = "at least " if "ratio" not in other else ""
            met = "met" if ratio >= factor else "NOT met"
            out.append(f"W3 {design} ({big}): {bound}{ratio:.1f}x faster than {tool} (goal {factor}x): {met}")
        peak = me.get("peak_mb", float("nan"))
        out.append(
            f"W3 {design} ({big}): peak RSS {peak:,.0f} MB, frame loading included (goal < 4,096 MB): "
            f"{'met' if peak < 4096 else 'NOT met'}"
        )
    for label, needle, limit in (("W1", "100,000", 0.1), ("W2", "national", 10.0), ("W4", "", 5.0)):
        if label not in only:
            continue
        rows = [
            r
            for r in results
            if r["workload"].startswith(label)
            and needle in r["workload"]
            and str(r.get("tool", "")).startswith("empmon")
            and isinstance(r.get("seconds"), (int, float))
        ]
        if not rows:
            out.append(f"{label}: no measurement of this library found (goal < {limit} s)")
        for r in rows:
            met = "met" if r["seconds"] < limit else "NOT met"
            out.append(
                f"{label} `{r['workload']}` / {r['tool']}: {r['seconds']:.3f} s (goal < {limit} s): {met}"
            )
    return out


def write_results(
    path: Path,
    results: list[dict],
    skipped: list[str],
    info: dict[str, str],
    quick: bool,
    wall: float,
    only: set[str],
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python benchmarks/run.py{' --quick' if quick else ''}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {wall / 60:.1f} min. "
        "Times are medians of the runs shown (one run when a run exceeds 60 s); peak RSS is the "
        "peak resident memory of the child process that ran the workload, loading its input "
        "included (R: the R process). Ratio = time / time of this library in the same workload "
        "and case (SRS tools against `select(method='srs')`, PPS tools against "
        "`select(method='systematic')`); above 1 means this library is faster.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "## Results",
        "",
        table(results),
        "## Goals (issue 9)",
        "",
        *[f"- {g}" for g in goals(results, quick, only)],
        "",
    ]
    if skipped:
        lines += ["## Not run", "", *[f"- {s}" for s in skipped], ""]
    lines += ["## Notes", "", *[f"- {n}" for n in NOTES], ""]
    path.write_text("\n".join(lines))


NOTES = [
    "Frames: `make_frame(n, cities='national')`, 337 units (333 prefecture-level units and the 4 "
    "municipalities) weighted by 2020 census population; W3 cells are city x section x size_class "
    "x state_owned; quotas spread the sample over the non-micro cells in proportion to their "
    "enterprises (Hamilton, capped at the cell size).",
    "svy: the `Sample` wrapping the polars frame is rebuilt before each run and not timed (its "
    "srs/pps_sys replace the sample's data); all strata are passed, zero quotas included; "
    "`pps_sys` with `certainty_threshold=1.0`.",
    "samplics: gets only the rows of cells with a positive quota (with a zero quota it divides "
    "0 by 0 and fails); its stratified selection scans the frame once per stratum. It is "
    "archived upstream and warns so.",
    "R `sampling::strata`: reads int32/float64 files written by run.py, `system.time` wraps the "
    "`strata()` call only. It loops over strata and scans the whole frame for each, so its time "
    "grows with rows x strata; runs that exceed the time limit are reported as a lower bound.",
    "R `stratallo` is not installed (not packaged for Debian; CRAN is not reachable from this "
    "machine), so it is not compared.",
    "Peak memory of the W1/W2/W4 module rows is the peak of the whole module's process, shared "
    "by all rows of that module.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small frames: a smoke run under a minute")
    parser.add_argument(
        "--only", default="frames,W1,W2,W3,W4", help="comma-separated parts to run (frames, W1, W2, W3, W4)"
    )
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement (default 3, quick 2)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds before a W3 tool is stopped (default 600, quick 10)",
    )
    parser.add_argument(
        "--module-timeout",
        type=float,
        default=None,
        help="seconds before a bench_*.py module is stopped (default 3600, quick 10)",
    )
    parser.add_argument("--tools", default=None, help="comma-separated W3 tools (default: all)")
    parser.add_argument(
        "--append",
        action="store_true",
        help="add this run as a new section of the results file instead of replacing it",
    )
    parser.add_argument(
        "--data", default=None, help="directory for the prepared frames (default: a temp dir)"
    )
    parser.add_argument("--out", default=str(HERE / "results.md"), help="results file")
    # worker mode (internal)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--sample", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.repeat = args.repeat or 3
        args.timeout = args.timeout or 600
        worker_main(args)
        return 0
    repeat = args.repeat or (2 if args.quick else 3)
    timeout = args.timeout or (10 if args.quick else 600)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    data_root = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="empmon-bench-data-"))
    start = time.perf_counter()
    info = machine_info()
    print("\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    module_timeout = args.module_timeout or (10 if args.quick else 3600)
    w3_tools = args.tools.split(",") if args.tools else [*bs.TOOLS, "R-srswor", "R-systematic"]
    unknown = sorted(set(w3_tools) - set(bs.DESIGN))
    if unknown:
        parser.error(f"unknown W3 tool(s) {unknown}; valid: {sorted(bs.DESIGN)}")
    results, skipped = run_all(args.quick, only, repeat, timeout, data_root, module_timeout, w3_tools)
    ratios(results)
    wall = time.perf_counter() - start
    info["load average at end (1/5/15 min)"] = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print()
    print(table(results))
    for g in goals(results, args.quick, only):
        print(g)
    for s in skipped:
        print(s)
    if args.append and Path(args.out).exists():
        command = "python benchmarks/run.py " + " ".join(
            a for a in (argv if argv is not None else sys.argv[1:])
        )
        section = [
            "",
            f"## Re-run: `{command}`",
            "",
            f"On {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {wall / 60:.1f} min; git "
            f"{info['git'][:7]}; load average at start {info['load average at start (1/5/15 min)']}, at end "
            f"{info['load average at end (1/5/15 min)']}.",
            "",
            table(results),
            *[f"- {g}" for g in goals(results, args.quick, only)],
            "",
        ]
        with Path(args.out).open("a") as fh:
            fh.write("\n".join(section))
    else:
        write_results(Path(args.out), results, skipped, info, args.quick, wall, only)
    print(f"\nwrote {args.out} ({wall:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
