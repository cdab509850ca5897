"""A catalogue of bad and awkward inputs to the command line and the API.

Each command-line case asserts: the exit code (2 bad input or usage, 3 output not written);
a first stderr line ``empmon <command>: error: ...`` with the words that name the problem (the
file, row, column, value or rule) and no traceback; no output file written or left partial
(no temporary file either); and the input files unchanged, byte for byte. The awkward inputs
that are not errors (a semicolon-separated file, GB18030, thousands separators, 是/否) must
give the same result as the plain input.

The good inputs are the small files of examples/data; the row numbers in the expected messages
are those a user sees (CSV line or Excel row, the header being row 1), counted by hand from
the files each case writes.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from empmon.cli import main

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """The examples' inputs and the outputs of each stage, made once."""
    d = tmp_path_factory.mktemp("good")
    for f in DATA.glob("*.csv"):
        shutil.copy(f, d / f.name)
    runs = [
        [
            "allocate",
            "stats.csv",
            "--total",
            "400",
            "--weight",
            "employment=0.5",
            "--weight",
            "gdp=0.5",
            "--minimum",
            "mohrss-2011",
            "--existing",
            "panel.csv",
            "-o",
            "allocation.csv",
        ],
        ["split", "allocation.csv", "--shares", "sector_shares.csv", "-o", "sector_targets.csv"],
        [
            "quotas",
            "frame.csv",
            "--targets",
            "allocation.csv",
            "--rules",
            "guangdong-2013",
            "--sector-targets",
            "sector_targets.csv",
            "--csv",
            "quotas.csv",
        ],
        ["select", "frame.csv", "--quotas", "quotas.csv", "--seed", "1", "-o", "sample.csv"],
    ]
    for args in runs:
        assert main([a if not a.endswith(".csv") else str(d / a) for a in args] + ["--quiet"]) == 0
    return d


def _csv(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.write_bytes(text.encode(encoding))


def _edit(name: str, column: str, row: int, value: str) -> Callable[[Path], None]:
    """Set one cell of a CSV (``row`` as the user sees it: the header is row 1)."""

    def setup(d: Path) -> None:
        table = pd.read_csv(d / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        table.loc[row - 2, column] = value
        table.to_csv(d / name, index=False)

    return setup


def _drop(name: str, column: str) -> Callable[[Path], None]:
    def setup(d: Path) -> None:
        table = pd.read_csv(d / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        table.drop(columns=[column]).to_csv(d / name, index=False)

    return setup


def _write(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda d: _csv(d / name, text, encoding)


def _nothing(d: Path) -> None:
    pass


STATS = "city,employment,gdp,population\n广州,326.9,13551.21,12700800\n深圳,280,12950.06,10423973\n"
ALLOC = "city,allocated\n广州市,147\n深圳市,133\n珠海市,60\n韶关市,60\n"


@dataclass
class Case:
    id: str
    args: list[str]
    setup: Callable[[Path], None] = _nothing
    code: int = 2
    words: tuple[str, ...] = ()
    output: str | None = None
    existing_output: bool = False
    extra: dict[str, str] = field(default_factory=dict)


ALLOCATE = ["allocate", "stats.csv", "--total", "400", "--weight", "employment=0.5", "--weight", "gdp=0.5"]
SPLIT = ["split", "allocation.csv", "--shares", "sector_shares.csv"]
QUOTAS = ["quotas", "frame.csv", "--targets", "allocation.csv", "--rules", "guangdong-2013"]
SELECT = ["select", "frame.csv", "--quotas", "quotas.csv", "--seed", "1"]
AUDIT = ["audit", "sample.csv", "--rules", "guangdong-2013"]

CASES = [
    # ---------------------------------------------------------------- files
    Case(
        "missing file",
        ["allocate", "nothere.csv", "--total", "9", "-o", "a.csv"],
        words=("nothere.csv", "no such file"),
        output="a.csv",
    ),
    Case(
        "folder as file",
        ["allocate", "dir.csv", "--total", "9", "-o", "a.csv"],
        lambda d: (d / "dir.csv").mkdir(),
        words=("dir.csv", "is a folder"),
    ),
    Case(
        "empty file",
        [*ALLOCATE, "-o", "a.csv"],
        _write("stats.csv", ""),
        words=("stats.csv", "empty (0 bytes)"),
        output="a.csv",
    ),
    Case(
        "blank lines only",
        [*ALLOCATE, "-o", "a.csv"],
        _write("stats.csv", "\n\n"),
        words=("stats.csv", "no header line"),
        output="a.csv",
    ),
    Case(
        "old xls",
        ["allocate", "stats.xls", "--total", "9"],
        _write("stats.xls", "x"),
        words=("stats.xls", ".xls", "save it as .xlsx"),
    ),
    Case(
        "pdf",
        ["allocate", "stats.pdf", "--total", "9"],
        _write("stats.pdf", "x"),
        words=("stats.pdf", "unknown file type"),
    ),
    Case(
        "big5",
        [*ALLOCATE],
        _write("stats.csv", "城市,從業人員,國內生產總值\n廣州,1,2\n臺北,3,4\n", "big5"),
        words=("stats.csv", "Big5"),
    ),
    Case(
        "utf-16",
        [*ALLOCATE],
        lambda d: (d / "stats.csv").write_text(STATS, encoding="utf-16"),
        words=("stats.csv", "UTF-16"),
    ),
    Case(
        "pipe delimiter",
        [*ALLOCATE],
        _write("stats.csv", STATS.replace(",", "|")),
        words=("stats.csv", "one column only", "semicolons or tabs"),
    ),
    Case(
        "extra field",
        [*ALLOCATE],
        _write("stats.csv", STATS + "珠海,65.4,1503.76,1562530,9\n"),
        words=("stats.csv", "row 4", "5 values where the header has 4"),
    ),
    Case(
        "repeated header",
        [*ALLOCATE],
        _write("stats.csv", "city,gdp,gdp\n广州,1,2\n"),
        words=("header repeats", "'gdp'"),
    ),
    Case(
        "not a workbook",
        ["allocate", "stats.xlsx", "--total", "9"],
        _write("stats.xlsx", "not a zip"),
        words=("stats.xlsx", "not a readable Excel workbook"),
    ),
    Case(
        "not parquet",
        ["allocate", "stats.parquet", "--total", "9"],
        _write("stats.parquet", "nope"),
        words=("stats.parquet", "not a readable Parquet file"),
    ),
    # ---------------------------------------------------------------- numbers
    Case(
        "decimal comma",
        [*ALLOCATE],
        _edit("stats.csv", "gdp", 3, "12,5"),
        words=("row 3", "'gdp'", "'12,5'", "comma"),
    ),
    Case(
        "gdp 1e308",
        [*ALLOCATE],
        _edit("stats.csv", "gdp", 4, "1e308"),
        words=("row 4", "'gdp'", "1e308", "largest plausible"),
    ),
    Case("gdp inf", [*ALLOCATE], _edit("stats.csv", "gdp", 2, "inf"), words=("row 2", "not a finite number")),
    Case(
        "gdp beyond float", [*ALLOCATE], _edit("stats.csv", "gdp", 2, "1e400"), words=("row 2", "too large")
    ),
    Case("gdp blank", [*ALLOCATE], _edit("stats.csv", "gdp", 5, ""), words=("row 5", "'gdp'", "is blank")),
    Case(
        "gdp words",
        [*ALLOCATE],
        _edit("stats.csv", "gdp", 2, "n/a"),
        words=("row 2", "'n/a'", "is not a number"),
    ),
    Case(
        "negative employment",
        [*ALLOCATE],
        _edit("stats.csv", "employment", 3, "-5"),
        words=("row 3", "'-5'", "is negative"),
    ),
    Case(
        "existing fraction",
        [*ALLOCATE, "--existing", "panel.csv"],
        _edit("panel.csv", "existing", 2, "12.7"),
        words=("panel.csv", "row 2", "'12.7'", "not a whole number"),
    ),
    Case(
        "existing negative",
        [*ALLOCATE, "--existing", "panel.csv"],
        _edit("panel.csv", "existing", 3, "-5"),
        words=("row 3", "'-5'", "is negative"),
    ),
    Case(
        "existing 1e23",
        [*ALLOCATE, "--existing", "panel.csv"],
        _edit("panel.csv", "existing", 4, "1e23"),
        words=("row 4", "largest plausible"),
    ),
    Case(
        "existing unknown city",
        [*ALLOCATE, "--existing", "panel.csv"],
        _write("panel.csv", "city,existing\n杭州,3\n"),
        words=("--existing", "not in STATS", "杭州市"),
    ),
    Case(
        "targets fraction",
        [*SPLIT],
        _write("allocation.csv", ALLOC.replace("147", "188.6")),
        words=("allocation.csv", "row 2", "'188.6'", "not a whole number"),
    ),
    # ---------------------------------------------------------------- columns
    Case(
        "no city column",
        [*ALLOCATE],
        _write("stats.csv", "城市名,gdp\n广州,1\n"),
        words=("stats.csv", "no column 'city'", "accepted"),
    ),
    Case(
        "targets without allocated",
        [*SPLIT],
        _write("allocation.csv", "city,n\n广州,1\n"),
        words=("allocation.csv", "no column 'allocated'"),
    ),
    Case(
        "shares without city",
        [*SPLIT],
        _drop("sector_shares.csv", "city"),
        words=("sector_shares.csv", "no column 'city'"),
    ),
    Case(
        "shares blank",
        [*SPLIT],
        _edit("sector_shares.csv", "secondary", 3, ""),
        words=("row 3", "'secondary'", "is blank"),
    ),
    Case(
        "shares missing a city",
        [*SPLIT],
        _write("sector_shares.csv", "city,secondary,tertiary\n广州,1,2\n"),
        words=("only in targets",),
    ),
    Case(
        "sector targets without city",
        [*QUOTAS, "--sector-targets", "sector_targets.csv"],
        _drop("sector_targets.csv", "city"),
        words=("sector_targets.csv", "no column 'city'"),
    ),
    Case(
        "sector targets NaN",
        [*QUOTAS, "--sector-targets", "sector_targets.csv"],
        _edit("sector_targets.csv", "secondary", 2, "NaN"),
        words=("row 2", "'NaN'", "not a finite number"),
    ),
    Case(
        "sector targets negative",
        [*QUOTAS, "--sector-targets", "sector_targets.csv"],
        _edit("sector_targets.csv", "tertiary", 3, "-5"),
        words=("row 3", "'-5'", "is negative"),
    ),
    Case(
        "sector targets inconsistent",
        [*QUOTAS, "--sector-targets", "sector_targets.csv"],
        _edit("sector_targets.csv", "secondary", 4, "20"),
        words=("do not add up", "珠海市", "39 against a target of 60"),
    ),
    Case(
        "quotas state_owned word",
        [*SELECT],
        _edit("quotas.csv", "state_owned", 2, "maybe"),
        words=("quotas.csv", "row 2", "'state_owned'", "not a yes/no value"),
    ),
    Case(
        "quota fraction",
        [*SELECT],
        _edit("quotas.csv", "quota", 3, "12.7"),
        words=("row 3", "'quota'", "not a whole number"),
    ),
    Case(
        "quota repeated cell",
        [*SELECT],
        lambda d: (d / "quotas.csv").write_text(
            (d / "quotas.csv").read_text(encoding="utf-8-sig")
            + (d / "quotas.csv").read_text(encoding="utf-8-sig").splitlines()[1]
            + "\n",
            encoding="utf-8",
        ),
        words=("quotas.csv", "repeat"),
    ),
    Case(
        "register as quotas", ["select", "frame.csv", "--quotas", "frame.csv"], words=("no column 'section'",)
    ),
    Case(
        "register without id",
        [*QUOTAS],
        _drop("frame.csv", "enterprise_id"),
        words=("required column", "enterprise_id"),
    ),
    # A register's problems are named with the file first, then each row as the file has it.
    Case(
        "employees 1e23",
        [*QUOTAS],
        _edit("frame.csv", "employees", 9, "1e23"),
        words=(
            "error: FRAME ",
            "frame.csv: the frame has 1 problem",
            "     9 employees  1e23",
            "above 2,000,000",
        ),
    ),
    Case(
        "employees fraction",
        [*QUOTAS],
        _edit("frame.csv", "employees", 9, "12.5"),
        words=("error: FRAME ", "frame.csv: the frame has 1 problem", "     9 employees  12.5"),
    ),
    Case(
        "select on a register with a bad row",
        [*SELECT, "-o", "s.csv"],
        _edit("frame.csv", "employees", 12, "-4"),
        words=("error: FRAME ", "frame.csv: the frame has 1 problem", "    12 employees    -4 negative"),
        output="s.csv",
    ),
    # ---------------------------------------------------------------- places
    Case(
        "ambiguous 吉林",
        [*ALLOCATE],
        _edit("stats.csv", "city", 2, "吉林"),
        words=("'吉林' is ambiguous", "吉林市", "吉林省", "row 2"),
    ),
    Case(
        "ambiguous 朝阳",
        [*ALLOCATE],
        _edit("stats.csv", "city", 3, "朝阳"),
        words=("'朝阳' is ambiguous", "朝阳市", "北京市朝阳区"),
    ),
    Case(
        "ambiguous 海南",
        [*ALLOCATE],
        _edit("stats.csv", "city", 3, "海南"),
        words=("海南藏族自治州", "海南省"),
    ),
    Case(
        "ambiguous Taizhou",
        [*ALLOCATE],
        _edit("stats.csv", "city", 2, "Taizhou"),
        words=("台州市", "泰州市", "province column"),
    ),
    Case(
        "ambiguous Suzhou", [*ALLOCATE], _edit("stats.csv", "city", 2, "Suzhou"), words=("苏州市", "宿州市")
    ),
    Case(
        "unknown city",
        [*ALLOCATE],
        _edit("stats.csv", "city", 2, "广洲"),
        words=("'广洲' matches no city", "closest", "广州市"),
    ),
    Case("repeated city", [*ALLOCATE], _edit("stats.csv", "city", 3, "广州"), words=("repeat", "city")),
    Case("tilt unknown city", [*ALLOCATE, "--tilt", "火星=1.1"], words=("--tilt", "'火星' matches no city")),
    # ---------------------------------------------------------------- options
    Case("weight not a number", [*ALLOCATE[:-1], "gdp=x"], words=("--weight", "'x' is not a number")),
    Case(
        "weight unknown column", [*ALLOCATE, "--weight", "foo=1"], words=("--weight foo", "no column 'foo'")
    ),
    Case("weight without =", [*ALLOCATE, "--weight", "gdp"], words=("expected NAME=NUMBER",)),
    Case("unknown minimum", [*ALLOCATE, "--minimum", "bogus"], words=("unknown scheme 'bogus'",)),
    Case(
        "total below minimum",
        ["allocate", "stats.csv", "--total", "100", "--minimum", "mohrss-2011"],
        words=("below the sum of the lower bounds",),
    ),
    Case("unknown method", [*ALLOCATE, "--method", "bogus"], words=("unknown apportionment method 'bogus'",)),
    Case(
        "column total fraction",
        [*SPLIT, "--column-total", "secondary=12.5"],
        words=("--column-total", "not a whole number"),
    ),
    Case(
        "unknown rules",
        ["quotas", "frame.csv", "--targets", "allocation.csv", "--rules", "bogus"],
        words=("unknown rule set 'bogus'",),
    ),
    Case(
        "quota cities subset",
        [*SELECT, "-o", "s.csv"],
        lambda d: (
            pd.read_csv(d / "quotas.csv", encoding="utf-8-sig")
            .query("city == '珠海市'")
            .to_csv(d / "quotas.csv", index=False)
        ),
        words=("cover 1 of the register's 4 cities", "--only-quota-cities"),
        output="s.csv",
    ),
    # ---------------------------------------------------------------- outputs
    Case("output txt", [*ALLOCATE, "-o", "a.txt"], words=("a.txt", "cannot write '.txt'"), output="a.txt"),
    Case("output over input", [*ALLOCATE, "-o", "stats.csv"], words=("stats.csv", "is an input")),
    Case("select over register", [*SELECT, "-o", "frame.csv"], words=("frame.csv", "is an input")),
    Case(
        "output exists",
        [*ALLOCATE, "-o", "allocation.csv"],
        words=("allocation.csv", "already exists", "--overwrite"),
        output="allocation.csv",
        existing_output=True,
    ),
    Case("output folder missing", [*ALLOCATE, "-o", "no/such/a.csv"], code=3, words=("does not exist",)),
    Case(
        "output is a folder",
        [*ALLOCATE, "-o", "out.csv"],
        lambda d: (d / "out.csv").mkdir(),
        code=3,
        words=("out.csv", "is a folder"),
    ),
    Case(
        "two outputs one file",
        [*QUOTAS, "-o", "q.xlsx", "--csv", "q.xlsx"],
        words=("q.xlsx", "also given"),
        output="q.xlsx",
    ),
    Case("quotas book as csv", [*QUOTAS, "-o", "q.csv"], words=("q.csv", "'.csv'", ".xlsx"), output="q.csv"),
    Case("select txt", [*SELECT, "-o", "s.txt"], words=("cannot write '.txt'",), output="s.txt"),
    Case("audit txt", [*AUDIT, "-o", "a.txt"], words=("cannot write '.txt'",), output="a.txt"),
    # ---------------------------------------------------------------- samples
    Case("sample missing", ["audit", "nothere.csv"], words=("no such file",)),
    Case("sample empty", ["audit", "empty.csv"], _write("empty.csv", ""), words=("empty.csv", "empty")),
    Case("not a sample", ["audit", "stats.csv"], words=("stats.csv", "is not a sample")),
    Case(
        "sample state_owned word",
        [*AUDIT],
        _edit("sample.csv", "state_owned", 2, "perhaps"),
        words=("sample.csv", "'perhaps'", "yes/no"),
    ),
    Case(
        "audit targets fraction",
        [*AUDIT, "--targets", "allocation.csv"],
        _write("allocation.csv", ALLOC.replace("60\n", "60.5\n", 1)),
        words=("row 4", "not a whole number"),
    ),
]


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_catalogue_is_large_enough():
    assert len(CASES) + len(API_CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, good, tmp_path, capsys):
    d = tmp_path
    for f in good.iterdir():
        shutil.copy(f, d / f.name)
    case.setup(d)
    before = _digest(d)
    command = case.args[0]
    args = [
        str(d / a)
        if (d / a).exists() or a.endswith((".csv", ".xlsx", ".txt", ".xls", ".pdf", ".parquet"))
        else a
        for a in case.args[1:]
    ]
    code = main([command, *args])
    err = capsys.readouterr().err
    assert code == case.code, err
    first = err.splitlines()[0]
    assert first.startswith(f"empmon {command}: error: "), err
    for word in case.words:
        assert word in err, (word, err)
    assert "Traceback" not in err
    after = _digest(d)
    after.pop(next((k for k in after if k.endswith(".problems.csv")), ""), None)
    assert after == before  # inputs unchanged, no output, no temporary file
    if case.output:
        target = d / case.output
        assert target.exists() == case.existing_output


def test_long_lists_are_cut_and_written_whole(good, tmp_path, capsys):
    # 40 bad employee counts: ten shown, "... and N more", all of them in a file beside the output.
    for f in good.iterdir():
        shutil.copy(f, tmp_path / f.name)
    frame = pd.read_csv(tmp_path / "frame.csv", dtype=str, keep_default_na=False)
    frame.loc[:39, "employees"] = "-1"
    frame.to_csv(tmp_path / "frame.csv", index=False)
    code = main(
        [
            "select",
            str(tmp_path / "frame.csv"),
            "--quotas",
            str(tmp_path / "quotas.csv"),
            "-o",
            str(tmp_path / "s.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "... and 20 more" in err
    listed = pd.read_csv(tmp_path / "s.problems.csv", encoding="utf-8-sig")
    assert len(listed) == 40 and listed["row"].tolist() == list(range(2, 42))
    assert not (tmp_path / "s.csv").exists()


def test_five_hundred_bad_rows(good, tmp_path, capsys):
    # Issue 14's case: 500 bad rows. The first twenty are shown, then "... and 480 more" (the
    # line once dropped), and all 500 are written beside the output, rows as the file has them.
    for f in good.iterdir():
        shutil.copy(f, tmp_path / f.name)
    frame = pd.read_csv(tmp_path / "frame.csv", dtype=str, keep_default_na=False)
    frame.loc[:499, "employees"] = "-3"
    frame.to_csv(tmp_path / "frame.csv", index=False)
    before = _digest(tmp_path)
    code = main([*QUOTAS[:1], str(tmp_path / "frame.csv"), "--targets", str(tmp_path / "allocation.csv"),
                 "--csv", str(tmp_path / "q.csv")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[0].endswith("frame.csv: the frame has 500 problem(s) in 500 row(s)")
    assert err.splitlines()[-2:] == [
        "  ... and 480 more",
        f"  all 500 problems are listed in {tmp_path / 'q.problems.csv'}",
    ]
    listed = pd.read_csv(tmp_path / "q.problems.csv", encoding="utf-8-sig")
    assert listed["row"].tolist() == list(range(2, 502))
    after = _digest(tmp_path)
    after.pop("q.problems.csv")
    assert after == before


def test_a_semicolon_register_gives_the_same_sample(good, tmp_path, capsys):
    # A register saved by a European-locale Excel (";" between the fields, the GDP-style
    # thousands separators untouched): the same sample as the plain file.
    for f in good.iterdir():
        shutil.copy(f, tmp_path / f.name)
    _resave(tmp_path / "frame.csv", sep=";")
    args = [*SELECT[:1], str(tmp_path / "frame.csv"), "--quotas", str(tmp_path / "quotas.csv"), "--seed", "1"]
    assert main([*args, "-o", str(tmp_path / "again.csv"), "--quiet"]) == 0, capsys.readouterr().err
    again = pd.read_csv(tmp_path / "again.csv", encoding="utf-8-sig")
    reference = pd.read_csv(good / "sample.csv", encoding="utf-8-sig")
    assert again["enterprise_id"].tolist() == reference["enterprise_id"].tolist()


def _resave(path: Path, sep: str) -> None:
    pd.read_csv(path, dtype=str, keep_default_na=False).to_csv(path, sep=sep, index=False)


@pytest.mark.parametrize(
    "setup, expected",
    [
        (lambda d: _resave(d / "stats.csv", sep=";"), "semicolon"),
        (lambda d: _resave(d / "stats.csv", sep="\t"), "tab"),
        (
            lambda d: _csv(d / "stats.csv", (d / "stats.csv").read_text(encoding="utf-8"), "gb18030"),
            "gb18030",
        ),
        (
            lambda d: pd.read_csv(d / "stats.csv", dtype=str).to_excel(d / "stats.csv.xlsx", index=False),
            "xlsx",
        ),
    ],
    ids=["semicolon", "tab", "gb18030", "xlsx"],
)
def test_awkward_but_good_inputs_give_the_same_allocation(setup, expected, good, tmp_path, capsys):
    # The example's GDP column is written with thousands separators ("13,551.21").
    for f in good.iterdir():
        shutil.copy(f, tmp_path / f.name)
    reference = pd.read_csv(good / "allocation.csv", encoding="utf-8-sig")["allocated"].tolist()
    setup(tmp_path)
    stats = tmp_path / ("stats.csv.xlsx" if expected == "xlsx" else "stats.csv")
    args = [
        "allocate",
        str(stats),
        "--total",
        "400",
        "--weight",
        "employment=0.5",
        "--weight",
        "gdp=0.5",
        "--minimum",
        "mohrss-2011",
        "--existing",
        str(tmp_path / "panel.csv"),
        "-o",
        str(tmp_path / "again.csv"),
    ]
    assert main(args) == 0, capsys.readouterr().err
    assert pd.read_csv(tmp_path / "again.csv", encoding="utf-8-sig")["allocated"].tolist() == reference


def test_overwrite_replaces_an_existing_output(good, tmp_path):
    for f in good.iterdir():
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "old.csv").write_text("old")
    args = [
        "allocate",
        str(tmp_path / "stats.csv"),
        "--total",
        "400",
        "--weight",
        "gdp=1",
        "-o",
        str(tmp_path / "old.csv"),
    ]
    assert main(args) == 2
    assert (tmp_path / "old.csv").read_text() == "old"
    assert main([*args, "--overwrite"]) == 0
    assert "allocated" in (tmp_path / "old.csv").read_text(encoding="utf-8-sig")
    assert main([*args[:-1], str(tmp_path / "stats.csv"), "--overwrite"]) == 2  # never an input


# ---------------------------------------------------------------- the API


def _api_allocation_fraction():
    from quotas.contract import ALLOCATION

    ALLOCATION.read(pd.DataFrame({"city": ["广州"], "allocated": [12.7]}, index=[2]))


def _api_structure_state_owned():
    from quotas.contract import STRUCTURE

    STRUCTURE.read(
        pd.DataFrame(
            {
                "city": ["广州"],
                "section": ["C"],
                "size_class": ["small"],
                "state_owned": ["maybe"],
                "enterprises": [1],
                "employment": [9],
            }
        )
    )


def _api_city_ambiguous():
    from quotas.cities import resolve_cities

    resolve_cities(pd.Series(["吉林"], index=[7]))


def _api_read_folder(tmp_path):
    from basis.tables import read_table

    read_table(tmp_path)


def _api_write_txt(tmp_path):
    from basis.tables import write_table

    write_table(pd.DataFrame({"a": [1]}), tmp_path / "a.txt")


def _api_apportion_overflow():
    from allocation.apportion import apportion

    apportion(pd.Series([1e308, 1e308], index=["a", "b"]), 10)


def _api_register_employees():
    from sampling.prepare import prepare_frame

    prepare_frame(
        pd.DataFrame(
            {
                "enterprise_id": ["1"],
                "city": ["广州"],
                "industry": ["13"],
                "registration_type": ["173"],
                "employees": [1e15],
            }
        )
    )


def _api_sample_read_bad(tmp_path):
    from sampling.read import read_sample

    (tmp_path / "s.csv").write_text(
        "enterprise_id,city,section,size_class,state_owned,role\nA,广州,C,small,maybe,new\n", encoding="utf-8"
    )
    read_sample(tmp_path / "s.csv")


def _api_quota_target_negative():
    from quotas import build_quotas

    cells = pd.DataFrame(
        {
            "city": "珠海市",
            "section": ["C", "G"],
            "size_class": "small",
            "state_owned": False,
            "enterprises": 50,
            "employment": 100,
        }
    )
    build_quotas(cells, pd.Series({"珠海市": -5}))


def _api_numbers_overflow():
    from basis.exceptions import TableError
    from basis.numbers import read_numbers

    _, problems = read_numbers(pd.Series(["1e23"], index=[9]), column="employees", whole=True, maximum=2e6)
    raise TableError("employees", problems)


API_CASES = [
    (_api_quota_target_negative, "QuotaInputError", ("'珠海市': -5",)),
    (_api_numbers_overflow, "TableError", ("row 9", "'1e23'", "above 2,000,000")),
    (_api_allocation_fraction, "TableError", ("row 2", "'allocated'", "12.7", "not a whole number")),
    (_api_structure_state_owned, "TableError", ("'state_owned'", "'maybe'", "yes/no")),
    (_api_city_ambiguous, "UnknownCityError", ("'吉林' is ambiguous", "row 7")),
    (_api_read_folder, "TableError", ("is a folder",)),
    (_api_write_txt, "TableError", ("a.txt", "use .csv, .xlsx or .parquet")),
    (_api_apportion_overflow, "AllocationError", ("too large to add up",)),
    (_api_register_employees, "FrameError", ("above 2,000,000",)),
    (_api_sample_read_bad, "TableError", ("'maybe'", "yes/no", "state_owned")),
]


@pytest.mark.parametrize("call, kind, words", API_CASES, ids=[c[0].__name__ for c in API_CASES])
def test_bad_api_call(call, kind, words, tmp_path):
    import inspect

    with pytest.raises(ValueError) as info:
        call(tmp_path) if inspect.signature(call).parameters else call()
    assert type(info.value).__name__ == kind
    text = str(info.value)
    for word in words:
        assert word in text, (word, text)
    assert "np.int64" not in text and "np.float64" not in text


def test_only_quota_cities_is_an_explicit_reported_choice(good, tmp_path, capsys):
    for f in good.iterdir():
        shutil.copy(f, tmp_path / f.name)
    quotas = pd.read_csv(tmp_path / "quotas.csv", encoding="utf-8-sig")
    quotas[quotas["city"] == "珠海市"].to_csv(tmp_path / "quotas.csv", index=False)
    args = [
        "select",
        str(tmp_path / "frame.csv"),
        "--quotas",
        str(tmp_path / "quotas.csv"),
        "-o",
        str(tmp_path / "s.csv"),
    ]
    assert main([*args, "--only-quota-cities"]) == 0
    out = capsys.readouterr().out
    assert "selecting in the 1 quota cities only" in out and "in the panel" in out
    sample = pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig")
    assert set(sample["city"]) == {"珠海市"}


def test_progress_only_on_a_terminal():
    import io

    from empmon.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    shown, piped, quiet = Terminal(), io.StringIO(), Terminal()
    for stream, flag in ((shown, False), (piped, False), (quiet, True)):
        with Progress("select", quiet=flag, stream=stream).step("drawing the sample"):
            pass
    assert shown.getvalue().startswith("empmon select: drawing the sample ...") and shown.getvalue().endswith(
        " s\n"
    )
    assert piped.getvalue() == "" and quiet.getvalue() == ""
