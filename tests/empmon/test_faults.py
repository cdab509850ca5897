"""Faults while writing: an interrupt in the middle of a write, a read-only folder, a full disk.

The promise (basis.files.atomic_path, empmon.cli): an output is the old file or the complete
new one, never half of it; no temporary file is left behind; the command says what happened
in one line and exits 130 (interrupted) or 3 (output not written); its inputs are unchanged.
The tests run the real command line in a subprocess and send it real signals; the read-only
folder and the small full disk are real mounts (a tmpfs, remounted read-only), because the
tests run as root, for whom permission bits do not stop a write.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

# Runs the command line with the workbook writer stopped by a real signal (os.kill) in the
# middle of its write.
_INTERRUPTED_WRITER = textwrap.dedent(
    """
    import os, signal, sys, zipfile

    # Every xlsx writer (openpyxl, XlsxWriter) builds a zip archive: the signal arrives when
    # the archive's members are written and its directory is not, half a workbook on disk.
    real_close = zipfile.ZipFile.close

    def close(self):
        if self.mode == "r":  # archives read while importing
            return real_close(self)
        zipfile.ZipFile.close = real_close  # once: the archive's own clean-up may close it later
        os.kill(os.getpid(), signal.{signal})
        raise AssertionError("the signal should have stopped the write")

    zipfile.ZipFile.close = close
    from empmon.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _inputs(folder: Path) -> None:
    for name in ("stats.csv", "panel.csv"):
        shutil.copy(DATA / name, folder / name)


def _allocate(folder: Path, output: str) -> list[str]:
    return ["allocate", str(folder / "stats.csv"), "--total", "400", "--weight", "gdp=1", "-o", output]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("existing", [False, True], ids=["new file", "replacing a file"])
def test_interrupt_in_the_middle_of_a_write(sig, existing, tmp_path):
    _inputs(tmp_path)
    output = tmp_path / "allocation.xlsx"
    if existing:
        pd.DataFrame({"old": [1, 2]}).to_excel(output, index=False)
    before = _files(tmp_path)
    args = [*_allocate(tmp_path, str(output)), "--overwrite"]
    run = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_WRITER.replace("{signal}", sig), *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 130, run.stderr
    assert run.stderr.strip().splitlines()[-1] == (
        "empmon allocate: interrupted; no output was left half-written"
    )
    assert "Traceback" not in run.stderr
    assert _files(tmp_path) == before  # the old workbook (or none), no temporary file


def _quota_files(folder: Path) -> None:
    for name in ("frame.csv", "stats.csv", "panel.csv", "sector_shares.csv"):
        shutil.copy(DATA / name, folder / name)
    from empmon.cli import main

    allocation = ["allocate", str(folder / "stats.csv"), "--total", "400", "--weight", "gdp=1"]
    assert main([*allocation, "--minimum", "60", "-o", str(folder / "allocation.csv"), "--quiet"]) == 0
    quotas = ["quotas", str(folder / "frame.csv"), "--targets", str(folder / "allocation.csv")]
    assert main([*quotas, "--csv", str(folder / "quotas.csv"), "--quiet"]) == 0


def _interrupt_at(command: list[str], marker: str | None) -> tuple[int, str]:
    """Run ``python -m empmon`` with standard error on a terminal (a pty, so that the steps are
    shown) and send SIGINT as soon as ``marker`` appears there (None: 0.2 s after the start, while
    the libraries are imported); return the exit code and standard error."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "empmon", *command],
        env=ENV,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    seen = b""
    sent = False
    if marker is None:
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        sent = True
    while True:
        if not select.select([master], [], [], 120)[0]:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the command ended: its side of the terminal is closed
            break
        seen += chunk
        if not sent and marker is not None and marker.encode() in seen:
            assert process.poll() is None, seen
            process.send_signal(signal.SIGINT)
            sent = True
    os.close(master)
    assert sent, seen
    return process.wait(timeout=120), seen.decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize(
    "marker",
    [None, "checking and classifying", "selecting in", "writing the workbook"],
    ids=["importing", "checking the register", "selecting", "writing"],
)
def test_interrupt_at_each_step_of_select(marker, tmp_path):
    # A real Ctrl-C at each step of `python -m empmon select ... -o sample.xlsx`: exit code 130
    # and one line, whatever the step (before this was fixed, the process at times ended by
    # SIGINT itself, status -2: see test_interrupt_inside_code_run_by_exec); the output is
    # absent (or, interrupted after its rename, a complete workbook) and no temporary file is left.
    _quota_files(tmp_path)
    inputs = _files(tmp_path)
    output = tmp_path / "sample.xlsx"
    command = ["select", str(tmp_path / "frame.csv"), "--quotas", str(tmp_path / "quotas.csv")]
    code, err = _interrupt_at([*command, "--reserves", "3", "--seed", "1", "-o", str(output)], marker)
    assert code == 130, err
    assert "Traceback" not in err
    said = [line for line in err.splitlines() if "interrupted" in line]
    assert said in (["empmon select: interrupted; no output was left half-written"], ["empmon: interrupted"])
    assert err.rstrip().splitlines()[-1] == said[0]
    if output.exists():
        with pd.ExcelFile(output) as book:
            assert book.sheet_names == ["样本", "备选", "剔除"]
    assert {p.name for p in tmp_path.iterdir()} - {"sample.xlsx"} == set(inputs)  # no temporary file
    assert {k: v for k, v in _files(tmp_path).items() if k in inputs} == inputs


_PROBE = """
import os, signal, sys
from empmon.interrupts import stopping_on_signals

with stopping_on_signals():
    try:
        # dataclasses and namedtuple build their methods with exec() of a string, at import
        exec("os.kill(os.getpid(), signal.SIGINT)\\nfor i in range(3): pass")
    except KeyboardInterrupt:
        pass
sys.exit(130)
"""


def test_interrupt_inside_code_run_by_exec(tmp_path):
    # CPython remembers a plain KeyboardInterrupt that left code run by exec() of a string, even
    # when it was caught, and `python -m` then ends by SIGINT (-2) instead of with the exit code
    # chosen. empmon's handler raises a subclass, which CPython does not remember.
    (tmp_path / "probe.py").write_text(_PROBE)
    env = {**ENV, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    run = subprocess.run([sys.executable, "-m", "probe"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 130, run.stderr


def test_a_swallowed_interrupt_still_ends_with_130(tmp_path, capsys, monkeypatch):
    # A library that swallows KeyboardInterrupt (a bare except) cannot turn Ctrl-C into
    # success: the command finishes its work (the output complete) and exits 130.
    _inputs(tmp_path)
    from allocation import cities
    from empmon.cli import main

    real = cities.allocate_cities

    def swallowing(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt:
            pass
        return real(*args, **kwargs)

    monkeypatch.setattr(cities, "allocate_cities", swallowing)
    code = main(_allocate(tmp_path, str(tmp_path / "allocation.csv")))
    assert code == 130
    assert capsys.readouterr().err.splitlines() == [
        "empmon allocate: interrupted; no output was left half-written"
    ]
    assert pd.read_csv(tmp_path / "allocation.csv", encoding="utf-8-sig")["allocated"].sum() == 400


def _mount(folder: Path, options: str) -> bool:
    run = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    return run.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True)


@pytest.fixture
def mount_point(tmp_path):
    folder = tmp_path / "mnt"
    folder.mkdir()
    yield folder
    _umount(folder)


def _read_only_folder(folder: Path) -> bool:
    """Make ``folder`` truly read-only: a tmpfs remounted read-only (as root), else mode 0o555."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return True
    if not _mount(folder, "size=1m"):
        return False
    return subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True).returncode == 0


def test_read_only_folder_is_refused_before_the_work(mount_point, tmp_path, capsys):
    _inputs(tmp_path)
    if not _read_only_folder(mount_point):
        pytest.skip("cannot make a read-only folder here (no mount permission)")
    from empmon.cli import main

    before = _files(tmp_path)
    code = main(_allocate(tmp_path, str(mount_point / "allocation.csv")))
    err = capsys.readouterr().err
    assert code == 3
    first = err.splitlines()[0]
    assert first.startswith("empmon allocate: error: --output") and "Read-only file system" in first
    assert list(mount_point.iterdir()) == []
    assert _files(tmp_path) == before


def test_full_device(tmp_path, capsys):
    _inputs(tmp_path)
    from empmon.cli import main

    before = _files(tmp_path)
    code = main(_allocate(tmp_path, "/dev/full"))
    err = capsys.readouterr().err
    assert code == 3
    assert (
        err.splitlines()[0]
        == "empmon allocate: error: /dev/full: could not be written: No space left on device"
    )
    assert _files(tmp_path) == before


def test_full_disk_keeps_the_old_file(mount_point, tmp_path, capsys):
    # A 64 KB disk holding an old sample: the new workbook does not fit. The write fails with
    # exit 3, the old file is intact and no temporary file is left.
    if os.geteuid() != 0 or not _mount(mount_point, "size=64k"):
        pytest.skip("cannot mount a small disk here")
    for name in ("frame.csv", "stats.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    from empmon.cli import main

    assert (
        main(
            [
                "allocate",
                str(tmp_path / "stats.csv"),
                "--total",
                "400",
                "--weight",
                "gdp=1",
                "--minimum",
                "60",
                "-o",
                str(tmp_path / "allocation.csv"),
                "--quiet",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "quotas",
                str(tmp_path / "frame.csv"),
                "--targets",
                str(tmp_path / "allocation.csv"),
                "--csv",
                str(tmp_path / "quotas.csv"),
                "--quiet",
            ]
        )
        == 0
    )
    old = mount_point / "sample.csv"
    old.write_text("old sample\n")
    capsys.readouterr()
    code = main(
        [
            "select",
            str(tmp_path / "frame.csv"),
            "--quotas",
            str(tmp_path / "quotas.csv"),
            "--reserves",
            "20",
            "-o",
            str(old),
            "--overwrite",
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 3, err
    assert "No space left on device" in err.splitlines()[0] and "sample.csv" in err.splitlines()[0]
    assert old.read_text() == "old sample\n"
    assert [p.name for p in mount_point.iterdir()] == ["sample.csv"]


def test_broken_pipe_is_quiet_and_the_file_is_written(tmp_path):
    _inputs(tmp_path)
    output = tmp_path / "allocation.csv"
    script = f"{sys.executable} -m empmon {' '.join(_allocate(tmp_path, str(output)))} | head -1"
    run = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], env=ENV, capture_output=True, text=True, timeout=120
    )
    assert run.stderr == ""
    assert run.stdout.startswith("City allocation of 400")
    assert pd.read_csv(output, encoding="utf-8-sig")["allocated"].sum() == 400


@pytest.mark.slow
def test_interrupted_example_leaves_earlier_outputs_whole(tmp_path):
    # Ctrl-C during `empmon example`: the outputs of an earlier run stay as they were, and
    # nothing half-written (nor the hidden folder the example writes into) is left.
    out = tmp_path / "output"
    out.mkdir()
    (out / "sample.xlsx").write_bytes(b"an earlier run's workbook")
    process = subprocess.Popen(
        [sys.executable, "-m", "empmon", "example", "guangdong", "--out", str(out)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=300)
    assert process.returncode in (0, 130), err
    assert "Traceback" not in err
    if process.returncode == 130:
        assert [p.name for p in out.iterdir()] == ["sample.xlsx"]
        assert (out / "sample.xlsx").read_bytes() == b"an earlier run's workbook"
    else:
        with pd.ExcelFile(out / "sample.xlsx") as book:
            assert "样本" in book.sheet_names
