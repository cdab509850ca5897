"""W3 selection: this library and the programs a user would otherwise write or call.

Every function takes the same prepared input (:class:`SelectionInput`) and returns the frame
rows it selected, so :mod:`benchmarks.run` can time it and check that it filled each cell's
quota. Only the call that selects is timed; building the tool's own data structure (a polars
frame for svy, a dict of sizes for samplics, files for R) is done before, by ``prepare``.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

R_SCRIPT = Path(__file__).with_name("r") / "strata.R"


@dataclass
class SelectionInput:
    """A prepared frame with its cell codes and the quota of each cell."""

    frame: pd.DataFrame  # prepare_frame output (enterprise_id, city, section, size_class, ...)
    cell: np.ndarray  # int32 cell code of every row, 0..H-1
    quota: np.ndarray  # int64 quota of cell h
    quotas: pd.DataFrame  # the quota table (city, section, size_class, state_owned, quota, ...)


@dataclass
class Tool:
    """A prepared tool: ``run(setup())`` selects and is the only part timed."""

    label: str
    run: Callable[[Any], np.ndarray]
    setup: Callable[[], Any] = lambda: None


def check_selection(rows: np.ndarray, data: SelectionInput) -> str:
    """'ok' when the selected rows fill every cell's quota exactly, else what is wrong."""
    got = np.bincount(data.cell[rows], minlength=len(data.quota))
    if len(np.unique(rows)) != len(rows):
        return "duplicate rows selected"
    bad = np.flatnonzero(got != data.quota)
    return (
        "ok"
        if not len(bad)
        else f"{len(bad)} cells off quota (e.g. cell {bad[0]}: {got[bad[0]]} vs {data.quota[bad[0]]})"
    )


# --------------------------------------------------------------------------- this library


def empmon(method: str) -> Callable[[SelectionInput], Tool]:
    def prepare(data: SelectionInput) -> Tool:
        from sampling import select

        def call(_: Any) -> np.ndarray:
            sample = select(data.frame, data.quotas, method=method, random_state=1)
            chosen = sample.to_frame()
            return chosen.loc[chosen["role"].isin(["new", "panel"]), "enterprise_id"].to_numpy()

        return Tool(f"empmon sampling.select(method={method!r})", call)

    return prepare


# --------------------------------------------------------------------------- numpy sort


def numpy_lexsort(data: SelectionInput) -> Tool:
    """The plain program: lexsort by (cell, random number), take the first n of each cell."""
    cell, quota = data.cell, data.quota

    def call(_: Any) -> np.ndarray:
        u = np.random.default_rng(1).random(len(cell))
        order = np.lexsort((u, cell))
        sorted_cell = cell[order]
        starts = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=len(quota)))[:-1]])
        rank = np.arange(len(order)) - starts[sorted_cell]
        return order[rank < quota[sorted_cell]]

    return Tool("numpy: lexsort((u, cell)), first n per cell", call)


# --------------------------------------------------------------------------- svy


def _svy_draw(method: str, n: dict) -> Callable[[Any], np.ndarray]:
    """The timed svy call: draw ``n`` per stratum from a Sample, return the frame rows drawn."""

    def call(sample: Any) -> np.ndarray:
        if method == "pps_sys":
            out = sample.sampling.pps_sys(n=n, rstate=1, certainty_threshold=1.0)
        else:
            out = sample.sampling.srs(n=n, rstate=1)
        return out.data["row"].to_numpy()

    return call


def svy_select(method: str) -> Callable[[SelectionInput], Tool]:
    def prepare(data: SelectionInput) -> Tool:
        import polars as pl
        import svy

        df = pl.DataFrame(
            {
                "row": np.arange(len(data.cell)),
                "cell": data.cell,
                "employees": data.frame["employees"].to_numpy(),
            }
        )
        n = {int(h): int(q) for h, q in enumerate(data.quota)}
        design = (
            svy.Design(stratum="cell", mos="employees") if method == "pps_sys" else svy.Design(stratum="cell")
        )

        call = _svy_draw(method, n)
        # srs/pps_sys replace the Sample's data with the draw, so each run gets a fresh Sample;
        # building it (wrapping the polars frame) is setup, not timed.
        return Tool(f"svy {version('svy')} Sample.sampling.{method}", call, lambda: svy.Sample(df, design))

    return prepare


def svy_select_keys(method: str) -> Callable[[SelectionInput], Tool]:
    """svy as a user with the prepared frame would call it: the four quota-cell columns as
    the stratum, the quotas keyed by svy's stratum labels (every stratum listed, 0 skips one)."""

    def prepare(data: SelectionInput) -> Tool:
        import polars as pl
        import svy

        keys = ["city", "section", "size_class", "state_owned"]
        frame = data.frame[[*keys, "employees"]]
        df = pl.from_pandas(frame.assign(row=np.arange(len(frame))))
        quota = data.quotas.set_index(keys)["quota"]
        cells = frame.groupby(keys, observed=True).size().index

        def label(cell: tuple) -> str:  # svy joins stratum values with "__by__"
            return "__by__".join(str(v).lower() if isinstance(v, (bool, np.bool_)) else str(v) for v in cell)

        n = {label(cell): int(quota.get(cell, 0)) for cell in cells}
        design = (
            svy.Design(stratum=keys, mos="employees") if method == "pps_sys" else svy.Design(stratum=keys)
        )

        call = _svy_draw(method, n)
        return Tool(
            f"svy {version('svy')} Sample.sampling.{method}, stratum = the 4 key columns",
            call,
            lambda: svy.Sample(df, design),
        )

    return prepare


# --------------------------------------------------------------------------- samplics


def samplics_select(method: str) -> Callable[[SelectionInput], Tool]:
    def prepare(data: SelectionInput) -> Tool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from samplics.sampling import SampleSelection
            from samplics.utils.types import SelectMethod

        # samplics divides by the stratum sample size: strata with quota 0 give NaN
        # probabilities and fail, so it gets only the rows of cells with a positive quota.
        keep = np.flatnonzero(data.quota[data.cell] > 0)
        stratum = data.cell[keep]
        mos = data.frame["employees"].to_numpy()[keep].astype(float)
        n = {int(h): int(q) for h, q in enumerate(data.quota) if q > 0}
        kind = SelectMethod.pps_sys if method == "pps_sys" else SelectMethod.srs_wor

        def call(_: Any) -> np.ndarray:
            np.random.seed(1)  # noqa: NPY002 (samplics draws from the global state)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sel = SampleSelection(method=kind, strat=True, wr=False)
                if method == "pps_sys":
                    hit, _, _ = sel.select(samp_unit=keep, samp_size=n, stratum=stratum, mos=mos)
                else:
                    hit, _, _ = sel.select(samp_unit=keep, samp_size=n, stratum=stratum)
            return keep[np.asarray(hit, dtype=bool)]

        return Tool(f"samplics {version('samplics')} SampleSelection({kind.name})", call)

    return prepare


# --------------------------------------------------------------------------- R sampling::strata


@dataclass
class ChildRun:
    """A finished (or stopped) child process: exit code, wall time, peak RSS, output."""

    returncode: int | None
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    timed_out: bool


def run_child(cmd: list[str], timeout: float | None) -> ChildRun:
    """Run a command, stop it after ``timeout`` seconds, and read its own peak RSS (wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - start > timeout:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                timed_out = True
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            None if timed_out else proc.returncode,
            seconds,
            usage.ru_maxrss / 1024,
            out.read(),
            err.read(),
            timed_out,
        )


def run_r_strata(data: SelectionInput, method: str, runs: int, timeout: float) -> dict[str, Any]:
    """Time sampling::strata inside R (strata.R); files are written here, outside the timing."""
    version = subprocess.run(
        ["Rscript", "-e", 'cat(R.version$major, R.version$minor, as.character(packageVersion("sampling")))'],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    label = f"R {'.'.join(version[:2])} sampling {version[2] if len(version) > 2 else '?'} strata(method={method!r})"
    with tempfile.TemporaryDirectory(prefix="empmon-r-") as tmp:
        data.cell.astype(np.int32).tofile(os.path.join(tmp, "cell.bin"))
        data.quota.astype(np.int32).tofile(os.path.join(tmp, "quota.bin"))
        data.frame["employees"].to_numpy(dtype=np.float64).tofile(os.path.join(tmp, "mos.bin"))
        child = run_child(["Rscript", str(R_SCRIPT), tmp, method, str(runs)], timeout)
    if child.timed_out:
        return {
            "tool": label,
            "seconds": None,
            "peak_mb": child.peak_mb,
            "lower_bound": timeout,
            "note": f"stopped after {timeout:.0f} s: strata() scans the whole frame once per stratum",
        }
    lines = re.findall(r"elapsed=([\d.]+) rows=(\d+) maxmem_mb=([\d.]+)", child.stdout)
    if child.returncode or not lines:
        return {
            "tool": label,
            "seconds": None,
            "peak_mb": child.peak_mb,
            "note": f"failed: {child.stderr.strip()[-300:]}",
        }
    rows = int(lines[-1][1])
    return {
        "tool": label,
        "seconds": float(np.median([float(t) for t, _, _ in lines])),
        "runs": len(lines),
        "peak_mb": child.peak_mb,
        "check": "ok" if rows == int(data.quota.sum()) else f"selected {rows}, quota {int(data.quota.sum())}",
        "note": f"timed inside R around strata() only; R heap max {max(float(m) for _, _, m in lines):.0f} MB; "
        "peak RSS includes reading the input",
    }


TOOLS: dict[str, Callable[[SelectionInput], Tool]] = {
    "empmon-srs": empmon("srs"),
    "empmon-systematic": empmon("systematic"),
    "numpy-lexsort": numpy_lexsort,
    "svy-srs": svy_select("srs"),
    "svy-pps_sys": svy_select("pps_sys"),
    "svy-srs-keys": svy_select_keys("srs"),
    "svy-pps_sys-keys": svy_select_keys("pps_sys"),
    "samplics-srs": samplics_select("srs"),
    "samplics-pps_sys": samplics_select("pps_sys"),
}
"""Python tools by name: each maps prepared input to a :class:`Tool`."""

DESIGN = {
    "empmon-srs": "SRS",
    "numpy-lexsort": "SRS",
    "svy-srs": "SRS",
    "svy-srs-keys": "SRS",
    "samplics-srs": "SRS",
    "R-srswor": "SRS",
    "empmon-systematic": "PPS",
    "svy-pps_sys": "PPS",
    "svy-pps_sys-keys": "PPS",
    "samplics-pps_sys": "PPS",
    "R-systematic": "PPS",
}
"""Which design each tool draws: ratios compare SRS with empmon-srs and PPS with empmon-systematic."""
