"""The README's command-line section runs as written, from the repository root, on the files
shipped in examples/data (the last line, the full Guangdong example, is covered by
tests/empmon/test_examples.py and is left out here)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pandas as pd
import pytest

from empmon.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Command line") :]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    lines = block.replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True) for line in lines if line.strip()]


@pytest.mark.slow
def test_readme_commands_run_as_written(tmp_path, monkeypatch, capsys):
    commands = _commands()
    assert commands[0] == ["mkdir", "-p", "out"]
    assert commands[-1][:3] == ["empmon", "example", "guangdong"]
    shutil.copytree(ROOT / "examples" / "data", tmp_path / "examples" / "data")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    for command in commands[1:-1]:
        assert command[0] == "empmon"
        code = main([*command[1:], "--quiet"])
        assert code == 0, (command, capsys.readouterr().err)
    allocation = pd.read_csv("out/allocation.csv", encoding="utf-8-sig")
    assert allocation["allocated"].sum() == 400
    replaced = pd.read_csv("out/sample_2014.csv", encoding="utf-8-sig", dtype=str)
    gone = set(pd.read_csv("examples/data/invalid.csv", dtype=str)["enterprise_id"])
    monitored = replaced[replaced["role"].isin(["panel", "new"])]
    assert gone.isdisjoint(monitored["enterprise_id"]) and len(monitored) == 400
    # The inputs the README points at are unchanged by the run.
    for f in (ROOT / "examples" / "data").iterdir():
        assert (tmp_path / "examples" / "data" / f.name).read_bytes() == f.read_bytes()
