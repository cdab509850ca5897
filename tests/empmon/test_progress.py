"""Progress within the long steps: shown on a terminal, never with --quiet or off a terminal.

The commands run in-process with standard error replaced by a fake terminal (``isatty`` True).
The counts expected are those of the example files: 4 cities in the allocation (so 4 quota
blocks), select's 4 stages and audit's 5 (documented in their ``progress`` parameters).
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from empmon.cli import main
from empmon.progress import Progress

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("progress")
    for name in ("frame.csv", "stats.csv"):
        shutil.copy(DATA / name, d / name)
    allocate = ["allocate", str(d / "stats.csv"), "--total", "400", "--weight", "gdp=1", "--minimum", "60"]
    assert main([*allocate, "-o", str(d / "allocation.csv"), "--quiet"]) == 0
    return d


def _commands(d: Path, out: Path) -> dict[str, list[str]]:
    frame, quotas, sample = str(d / "frame.csv"), str(out / "quotas.csv"), str(out / "sample.csv")
    return {
        "quotas": ["quotas", frame, "--targets", str(d / "allocation.csv"), "--csv", quotas],
        "select": ["select", frame, "--quotas", quotas, "--seed", "1", "-o", sample],
        "audit": ["audit", sample, "--register", frame],
    }


def _run(argv: list[str], monkeypatch) -> str:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    main(argv)
    monkeypatch.undo()
    return screen.getvalue()


def test_counts_within_the_long_steps_on_a_terminal(inputs, tmp_path, monkeypatch, capsys):
    commands = _commands(inputs, tmp_path)
    shown = {name: _run(argv, monkeypatch) for name, argv in commands.items()}
    assert "\rempmon quotas: building the quotas of 4 cities ... 4/4" in shown["quotas"]
    assert "\rempmon select: selecting in " in shown["select"] and " cells ... 4/4" in shown["select"]
    assert "\rempmon audit: auditing " in shown["audit"] and " enterprises ... 5/5" in shown["audit"]
    for text in shown.values():
        # every step's line ends with its time, on a line of its own
        last = text.rstrip("\n").split("\n")[-1].split("\r")[-1]
        assert last.rstrip().endswith(" s"), text


def test_quiet_shows_nothing(inputs, tmp_path, monkeypatch, capsys):
    for name, argv in _commands(inputs, tmp_path).items():
        text = _run([*argv, "--quiet"], monkeypatch)
        assert "..." not in text and "/" not in text, (name, text)


def test_off_a_terminal_nothing_is_shown(inputs, tmp_path, capsys):
    commands = _commands(inputs, tmp_path)
    for argv in commands.values():
        main(argv)
    assert "..." not in capsys.readouterr().err


def test_a_count_is_redrawn_at_most_ten_times_a_second_and_always_at_the_end():
    screen = Terminal()
    with Progress("select", quiet=False, stream=screen).step("drawing") as tick:
        for done in range(1, 1001):
            tick(done, 1000)
    text = screen.getvalue()
    assert "1,000/1,000" in text
    assert text.count("\r") < 1000  # most of the thousand calls drew nothing
    assert text.endswith("\n") and text.rstrip().endswith(" s")


def test_an_interrupted_step_ends_its_line():
    screen = Terminal()
    with pytest.raises(KeyboardInterrupt):
        with Progress("select", quiet=False, stream=screen).step("drawing") as tick:
            tick(1, 4)
            raise KeyboardInterrupt
    assert screen.getvalue().endswith("\n")
