"""Benchmark W5: writing what the national example hands on (issue 17).

Workloads (one run each: the end-to-end ones take seconds and the machine is shared, so every
figure is read against a baseline measured in the same run):

* ``examples/national.py`` end to end in a fresh interpreter (337 units, 50,000 enterprises,
  a 2,000,000-row synthetic register; ``--quick``: 500,000 rows, 25,000 enterprises), wall time
  with the writing of every output included; its baseline is the same pipeline with the
  writing left out, run in the same interpreter as the writers below (the difference is the
  writing). Goal: under 10 s on 2 cores.
* the national sample's workbook (panel, new enterprises and reserves, about 71,000 rows, 3
  sheets): :func:`basis.xlsx.write_frames` (what ``Sample.to_excel`` uses) against pandas'
  ``to_excel`` with openpyxl (what it used before), openpyxl's write-only mode and XlsxWriter's
  constant-memory mode (when installed; not a dependency of the library);
* one workbook per city (336): :func:`empmon.workbook.write_city_workbooks`, and the quota
  table with a sheet per city (``QuotaTable.to_excel``).

``benchmarks/run.py`` calls :func:`run`; standalone: ``python benchmarks/bench_writing.py [--quick]``.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def _pipeline(quick: bool, out: Path) -> tuple[Any, float]:
    """The national example with its writing left out; the arguments its writer would get."""
    from empmon import examples

    captured: dict[str, Any] = {}
    original = examples._write_outputs

    def keep(*args: Any, **kwargs: Any) -> list[Path]:
        captured["args"], captured["kwargs"] = args, kwargs
        return []

    examples._write_outputs = keep
    try:
        start = time.perf_counter()
        result = examples.national(out, echo=lambda _: None, **_size(quick))
        seconds = time.perf_counter() - start
    finally:
        examples._write_outputs = original
    return result, seconds


def _size(quick: bool) -> dict[str, int]:
    return {"frame_size": 500_000, "total": 25_000} if quick else {"frame_size": 2_000_000, "total": 50_000}


def _end_to_end(quick: bool, out: Path) -> tuple[float, float, float]:
    """Wall time, CPU time (user + system) and the pipeline's own time of the example's run."""
    size = _size(quick)
    cmd = [
        sys.executable,
        str(ROOT / "examples" / "national.py"),
        "--out",
        str(out),
        "--frame-size",
        str(size["frame_size"]),
        "--total",
        str(size["total"]),
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = re.search(r"pipeline ran in ([0-9.]+) s", done.stdout)
    return wall, cpu, float(found.group(1)) if found else float("nan")


def _sample_sheets(sample: Any) -> dict[str, pd.DataFrame]:
    table = sample.to_frame()
    roles = table["role"].to_numpy()
    return {
        "样本": table[(roles == "panel") | (roles == "new")],
        "备选": table[roles == "reserve"],
        "剔除": table[roles == "removed"],
    }


def _openpyxl_pandas(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, part in sheets.items():
            part.to_excel(writer, sheet_name=name, index=False, na_rep="")


def _openpyxl_write_only(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, part in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(part.columns))
        for row in part.astype(object).where(part.notna(), None).itertuples(index=False, name=None):
            ws.append(list(row))
    wb.save(path)


def _xlsxwriter(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True})
    for name, part in sheets.items():
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, list(part.columns))
        for i, row in enumerate(
            part.astype(object).where(part.notna(), None).itertuples(index=False, name=None)
        ):
            ws.write_row(i + 1, 0, row)
    wb.close()


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(quick: bool) -> list[dict[str, Any]]:
    """Time the workloads of the module docstring.

    Returns
    -------
    list of dict
        ``workload, tool, seconds, note``; tools named ``empmon ...`` are each workload's
        reference for the ratio.
    """
    from basis.xlsx import write_frames
    from empmon.workbook import write_city_workbooks

    rows: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="empmon-bench-writing-"))
    size = _size(quick)
    units = f"{size['total']:,} enterprises, {size['frame_size']:,}-row register"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    total, cpu, pipeline_child = _end_to_end(quick, tmp / "end_to_end")
    result, pipeline = _pipeline(quick, tmp / "pipeline")
    workload = f"W5 national example end to end ({units})"
    rows.append(
        {
            "workload": workload,
            "tool": "empmon examples/national.py (writing included)",
            "seconds": total,
            "note": f"fresh interpreter, imports included; {cpu:.1f} s of CPU; its pipeline {pipeline_child:.1f} s, "
            f"the rest (imports, writing) {total - pipeline_child:.1f} s; load average at start {load}; "
            "goal < 10 s on 2 cores",
        }
    )
    rows.append(
        {
            "workload": workload,
            "tool": "baseline: the same pipeline without writing",
            "seconds": pipeline,
            "note": "same run, in this process (imports done)",
        }
    )
    sheets = _sample_sheets(result.sample)
    n = sum(len(p) for p in sheets.values())
    workload = f"W5 the national sample to xlsx ({n:,} rows, {len(sheets)} sheets)"
    writers = [
        ("empmon basis.xlsx.write_frames", lambda p: write_frames(p, sheets)),
        ("pandas to_excel, openpyxl (before)", lambda p: _openpyxl_pandas(p, sheets)),
        ("openpyxl write-only", lambda p: _openpyxl_write_only(p, sheets)),
    ]
    try:
        import xlsxwriter  # noqa: F401

        writers.append(("XlsxWriter constant_memory", lambda p: _xlsxwriter(p, sheets)))
    except ImportError:
        rows.append(
            {
                "workload": workload,
                "tool": "XlsxWriter constant_memory",
                "seconds": None,
                "note": "not installed",
            }
        )
    for tool, fn in writers:
        rows.append(
            {"workload": workload, "tool": tool, "seconds": _timed(lambda fn=fn: fn(tmp / "sample.xlsx"))}
        )
    cities = len(result.quotas.targets)
    books = _timed(lambda: write_city_workbooks(result.sample, result.quotas, tmp / "cities", synthetic=True))
    rows.append(
        {
            "workload": f"W5 one workbook per city ({cities} cities, 6 sheets each)",
            "tool": "empmon write_city_workbooks",
            "seconds": books,
            "note": "说明, 配额, 规则检查 (QuotaTable.check included), 新增企业名单, 备选企业, 现有监测企业",
        }
    )
    rows.append(
        {
            "workload": f"W5 quota table with a sheet per city ({cities} cities)",
            "tool": "empmon QuotaTable.to_excel",
            "seconds": _timed(lambda: result.quotas.to_excel(tmp / "quotas.xlsx")),
        }
    )
    return rows


if __name__ == "__main__":
    for row in run("--quick" in sys.argv[1:]):
        shown = f"{row['seconds']:8.2f} s" if row["seconds"] is not None else "     n/a  "
        print(f"{shown}  {row['tool']:<48} {row['workload']}  {row.get('note', '')}")
