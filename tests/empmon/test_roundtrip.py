"""Every file one stage writes, the next stage reads: the command-line chain and the Python API
in every format the README promises (CSV UTF-8 and GB18030, xlsx, Parquet).

The inputs are the small files shipped in examples/data (four Guangdong cities, a synthetic
register of 6,000 enterprises). The checks are the contract between the stages, each stated by
the documents: the allocation adds up to the total given; each city's sector targets add up
to its allocation (split keeps row totals); each city's quotas add up to its target
(build_quotas meets targets exactly); the sample monitors exactly the quota of each city; the
audit of that sample, against the register it came from, reads it without a warning and
passes (the sample was built to meet the rules it is audited against).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from empmon.cli import main

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
INPUTS = ("stats", "panel", "sector_shares", "frame")


def _convert(source: Path, target: Path) -> None:
    """Write the CSV ``source`` in the format of ``target`` (GB18030 for a ``.gb.csv``)."""
    table = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if target.name.endswith(".gb.csv"):
        table.to_csv(target, index=False, encoding="gb18030")
    elif target.suffix == ".xlsx":
        table.to_excel(target, index=False)
    elif target.suffix == ".parquet":
        table.to_parquet(target, index=False)
    else:
        table.to_csv(target, index=False, encoding="utf-8")


def _gb18030(path: Path) -> None:
    """Save a file the library wrote (UTF-8 with BOM) as GB18030, as Excel in China does."""
    text = path.read_text(encoding="utf-8-sig")
    path.write_bytes(text.encode("gb18030"))


@pytest.mark.slow
@pytest.mark.parametrize("ext", [".csv", ".gb.csv", ".xlsx", ".parquet"])
def test_command_line_chain(ext, tmp_path, capsys):
    files = {name: tmp_path / f"{name}{ext}" for name in INPUTS}
    for name, path in files.items():
        _convert(DATA / f"{name}.csv", path)
    out = {
        name: tmp_path / f"{name}{ext if ext != '.gb.csv' else '.csv'}"
        for name in ("allocation", "sector_targets", "quotas", "sample", "audit")
    }

    def step(*args: str) -> None:
        code = main([*args, "--quiet"])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        assert "note:" not in captured.err, captured.err
        if ext == ".gb.csv":
            written = Path(args[args.index("-o") + 1]) if "-o" in args else None
            if written is not None and written.suffix == ".csv":
                _gb18030(written)

    step(
        "allocate",
        str(files["stats"]),
        "--total",
        "400",
        "--weight",
        "employment=0.5",
        "--weight",
        "gdp=0.5",
        "--minimum",
        "mohrss-2011",
        "--existing",
        str(files["panel"]),
        "-o",
        str(out["allocation"]),
    )
    step(
        "split",
        str(out["allocation"]),
        "--shares",
        str(files["sector_shares"]),
        "-o",
        str(out["sector_targets"]),
    )
    step(
        "quotas",
        str(files["frame"]),
        "--targets",
        str(out["allocation"]),
        "--rules",
        "guangdong-2013",
        "--sector-targets",
        str(out["sector_targets"]),
        "-o",
        str(tmp_path / "quotas_book.xlsx"),
        "--csv",
        str(out["quotas"]),
    )
    if ext == ".gb.csv":
        _gb18030(out["quotas"])
    step(
        "select",
        str(files["frame"]),
        "--quotas",
        str(out["quotas"]),
        "--reserves",
        "2",
        "--seed",
        "2013",
        "-o",
        str(out["sample"]),
    )
    step(
        "audit",
        str(out["sample"]),
        "--rules",
        "guangdong-2013",
        "--population",
        str(files["frame"]),
        "--targets",
        str(out["allocation"]),
        "-o",
        str(out["audit"]),
    )

    from quotas.contract import ALLOCATION, QUOTA_TABLE, SECTOR_TARGETS
    from sampling.contract import AUDIT_REPORT, SAMPLE

    allocation = ALLOCATION.read(out["allocation"]).set_index("city")["allocated"]
    assert allocation.sum() == 400
    sectors = SECTOR_TARGETS.read(out["sector_targets"]).set_index("city")
    assert sectors.sum(axis=1).to_dict() == allocation.to_dict()
    quotas = QUOTA_TABLE.read(out["quotas"]).groupby("city")["quota"].sum()
    assert quotas.to_dict() == allocation.to_dict()
    if ext != ".xlsx":  # the workbook is the bureaus' layout, read by read_sample in the audit
        sample = SAMPLE.read(out["sample"])
        monitored = sample[sample["role"].isin(["panel", "new"])].groupby("city").size()
        assert monitored.to_dict() == allocation.to_dict()
    report = AUDIT_REPORT.read(out["audit"]) if ext != ".xlsx" else None
    if report is not None:
        assert not (report["status"] == "fail").any()
        micro = report[report["rule"] == "micro_excluded"]
        assert (micro["status"] == "pass").all()


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_python_api_chain(suffix, tmp_path):
    from allocation.cities import allocate_cities
    from allocation.split import split
    from empmon.inputs import with_cities
    from quotas import build_quotas
    from quotas.contract import ALLOCATION, CITY_STATISTICS, QUOTA_TABLE, SECTOR_SHARES, SECTOR_TARGETS
    from quotas.rules import get_rules
    from sampling.auditing import audit
    from sampling.contract import SAMPLE
    from sampling.frame import read_frame
    from sampling.prepare import prepare_frame
    from sampling.read import read_sample
    from sampling.select import select
    from sampling.structure import structure

    stats = with_cities(CITY_STATISTICS.read(DATA / "stats.csv")).set_index("city")
    allocation = allocate_cities(
        stats[["employment", "gdp"]],
        300,
        weights={"employment": 0.5, "gdp": 0.5},
        minimum=pd.Series(60, index=stats.index),
    )
    ALLOCATION.write(allocation.to_frame(), tmp_path / f"allocation{suffix}")
    targets = ALLOCATION.read(tmp_path / f"allocation{suffix}").set_index("city")["allocated"]
    shares = with_cities(SECTOR_SHARES.read(DATA / "sector_shares.csv")).set_index("city")
    sector = split(targets, shares)
    SECTOR_TARGETS.write(sector.reset_index(names="city"), tmp_path / f"sector{suffix}")
    sector = SECTOR_TARGETS.read(tmp_path / f"sector{suffix}").set_index("city")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sizes of the synthetic register's enterprises without revenue
        frame = prepare_frame(read_frame(DATA / "frame.csv"))
    table = build_quotas(structure(frame), targets, rules=get_rules("guangdong-2013"), sector_targets=sector)
    QUOTA_TABLE.write(table.to_frame(), tmp_path / f"quotas{suffix}")
    quotas = QUOTA_TABLE.read(tmp_path / f"quotas{suffix}")
    sample = select(frame, quotas.reset_index(drop=True), reserves=1, random_state=7)
    path = tmp_path / f"sample{suffix}"
    if suffix == ".xlsx":
        sample.to_excel(path)
    else:
        SAMPLE.write(sample.to_frame(), path)
    read = read_sample(path)  # warnings are errors in this suite: none may be raised
    report = audit(read, rules=get_rules("guangdong-2013"), register=frame, targets=targets)
    assert report.passed
    results = report.to_frame()
    assert (results.loc[results["rule"] == "micro_excluded", "status"] == "pass").all()
    assert read["state_owned"].dtype == bool
