"""Old code against new code in the same run: each workload timed in child processes that
import the library from one source tree or the other, interleaved and repeated.

A machine shared with other work changes speed from minute to minute, so two runs made at
different times cannot be compared; here the two trees alternate (old first in odd rounds,
new first in even ones) on the same input files, and each tree's time is the median of its
rounds (each round itself the median of a few calls in one process).

Usage (the old tree is a checkout of an earlier commit, e.g. ``git worktree add /tmp/old
0bf1286``)::

    python benchmarks/compare.py --old /tmp/old --new . --rows 1000000 --rounds 3

Writes ``compare.json`` in the data folder and prints one line per workload: the old and new
medians, new / old (below 1: the new code is faster), every round and the range of the 1-minute
load average while the workload ran; ``--markdown PATH`` also writes them as a table.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SEED = 20130101
WORKLOADS = (
    "prepare_frame",
    "structure",
    "derive_prn",
    "select_srs",
    "select_systematic",
    "select_pareto",
    "audit",
    "build_quotas_national",
)


# ----------------------------------------------------------------------------- child side


def _median_seconds(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _setup(data: Path, rows: int, sample: int) -> None:
    """Frame (raw and prepared) and a proportional quota table, made once by this tree."""
    import numpy as np

    from allocation import apportion
    from sampling import prepare_frame
    from sampling.synthetic import make_frame

    raw = make_frame(rows, cities="national", random_state=SEED)
    raw.to_parquet(data / "raw.parquet")
    prepared = prepare_frame(raw)
    keys = ["city", "section", "size_class", "state_owned"]
    cells = prepared.groupby(keys, observed=True).size().rename("available").reset_index()
    weight = cells["available"].where(cells["size_class"].astype(str) != "micro", 0).astype(float)
    cells["quota"] = apportion(weight, sample, method="hamilton", upper=cells["available"]).to_numpy()
    cells["state_owned"] = cells["state_owned"].astype(bool)
    for column in ("city", "section", "size_class"):
        cells[column] = cells[column].astype(str)
    prepared.to_parquet(data / "frame.parquet")
    cells[[*keys, "quota"]].to_parquet(data / "quotas.parquet")
    np.save(data / "rows.npy", np.array([rows, sample]))
    _setup_quotas(data)


def _setup_quotas(data: Path) -> None:
    """The national input of ``bench_quotas`` (the synthetic structure of the 337 units,
    their targets), saved so that both trees get the same input; the rules are passed by preset
    name, so each tree applies its own version of the preset."""
    import pickle

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_quotas

    # Not the Guangdong case: the new preset makes its sector split hard on industry-group cells,
    # so the same call is not the same model in the two trees.
    cases = {"national": bench_quotas.inputs(quick=False)["national"]}
    for case in cases.values():  # each tree applies its own preset of the same name
        case["options"]["rules"] = case["options"]["rules"].name
    (data / "quota_inputs.pickle").write_bytes(pickle.dumps(cases))


def _frame(data: Path) -> Any:
    import pandas as pd

    frame = pd.read_parquet(data / "frame.parquet")
    for column in ("city", "section", "size_class", "industry", "registration_type", "size_basis"):
        if column in frame.columns and not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("category")
    return frame


def child(workload: str, data: Path, repeat: int) -> float:
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore")
    if workload == "prepare_frame":
        from sampling import prepare_frame

        raw = pd.read_parquet(data / "raw.parquet")
        return _median_seconds(lambda: prepare_frame(raw), repeat)
    frame = _frame(data)
    quotas = pd.read_parquet(data / "quotas.parquet")
    if workload == "structure":
        from sampling import structure

        return _median_seconds(lambda: structure(frame), repeat)
    if workload == "derive_prn":
        from sampling import derive_prn

        ids = frame["enterprise_id"]
        return _median_seconds(lambda: derive_prn(ids, seed=SEED), repeat)
    from sampling import select

    # The same job in both trees: select's later unit-size filter (min_employees) left off.
    options = {"min_employees": None} if "min_employees" in inspect.signature(select).parameters else {}
    if workload.startswith("select_"):
        method = workload.removeprefix("select_")
        return _median_seconds(
            lambda: select(frame, quotas, method=method, random_state=SEED, **options), repeat
        )
    if workload.startswith("build_quotas_"):
        import pickle

        from quotas import build_quotas

        case = pickle.loads((data / "quota_inputs.pickle").read_bytes())[
            workload.removeprefix("build_quotas_")
        ]
        return _median_seconds(
            lambda: build_quotas(case["structure"], case["targets"], **case["options"]), repeat
        )
    if workload == "audit":
        from sampling import audit

        sample = select(frame, quotas, method="srs", random_state=SEED, **options).to_frame("sample")
        keyword = "register" if "register" in inspect.signature(audit).parameters else "population"
        return _median_seconds(lambda: audit(sample, **{keyword: frame}), repeat)
    raise ValueError(f"unknown workload {workload!r}")


# ---------------------------------------------------------------------------- driver side


def _run_child(tree: Path, args: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env=env,
        cwd=str(tree),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{tree} {args}: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path)
    parser.add_argument("--new", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=None, help="quota total (default rows / 100)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="calls per child (median)")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup-quotas", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    args = parser.parse_args(argv)
    if args.setup_quotas:
        _setup_quotas(args.data)
        print("ok")
        return 0
    if args.setup:
        _setup(args.data, args.rows, args.sample)
        print("ok")
        return 0
    if args.child:
        print(json.dumps(child(args.child, args.data, args.repeat)))
        return 0
    data = args.data or Path(tempfile.mkdtemp(prefix="empmon-compare-"))
    data.mkdir(parents=True, exist_ok=True)
    sample = args.sample or args.rows // 100
    if not (data / "frame.parquet").exists():
        _run_child(
            args.new, ["--setup", "--data", str(data), "--rows", str(args.rows), "--sample", str(sample)]
        )
    elif not (data / "quota_inputs.pickle").exists():
        _run_child(args.new, ["--setup-quotas", "--data", str(data)])
    trees = {"old": args.old, "new": args.new}
    times: dict[str, dict[str, list[float]]] = {}
    loads: dict[str, list[float]] = {}
    lines = []
    for workload in args.workloads.split(","):
        times[workload] = {"old": [], "new": []}
        loads[workload] = [os.getloadavg()[0]]
        for r in range(args.rounds):
            for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
                seconds = json.loads(
                    _run_child(
                        trees[name], ["--child", workload, "--data", str(data), "--repeat", str(args.repeat)]
                    )
                )
                times[workload][name].append(seconds)
                loads[workload].append(os.getloadavg()[0])
        old, new = (statistics.median(times[workload][k]) for k in ("old", "new"))
        rounds = " / ".join(", ".join(f"{t:.3f}" for t in times[workload][k]) for k in ("old", "new"))
        load = f"{min(loads[workload]):.1f}-{max(loads[workload]):.1f}"
        size = "-" if workload.startswith("build_quotas_") else f"{args.rows:,}"
        lines.append(f"| {workload} | {size} | {old:.3f} | {new:.3f} | {new / old:.2f} | {rounds} | {load} |")
        print(
            f"{workload:22s} rows {args.rows:>10,}  old {old:8.3f} s  new {new:8.3f} s  new/old {new / old:5.2f}"
            f"  ({rounds}; load {load})",
            flush=True,
        )
    (data / "compare.json").write_text(
        json.dumps({"rows": args.rows, "sample": sample, "times": times, "load": loads}, indent=1)
    )
    if args.markdown:
        commits = {name: _commit(tree) for name, tree in trees.items()}
        args.markdown.write_text(
            f"old: {commits['old']} ({args.old.resolve()}), new: {commits['new']} ({args.new.resolve()}); "
            f"{args.rounds} rounds "
            f"of {args.repeat} calls each; 1-minute load average over each workload's rounds in the last column\n\n"
            "| workload | rows | old (s) | new (s) | new / old | rounds old / new | load |\n"
            "|---|---:|---:|---:|---:|---|---|\n" + "\n".join(lines) + "\n",
            encoding="utf-8",
        )
    return 0


def _commit(tree: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(tree), "log", "-1", "--format=%h %s"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()[:72] or "?"


if __name__ == "__main__":
    sys.exit(main())
