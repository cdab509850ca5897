"""atomic_path: the old file or the complete new one, never a partial file or a stray temporary."""

from __future__ import annotations

import pytest

from basis import OutputError, atomic_path


def test_success_renames_into_place(tmp_path):
    target = tmp_path / "out.csv"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".csv" and tmp != target
        tmp.write_text("a\n1\n")
        assert not target.exists()
    assert target.read_text() == "a\n1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_failure_leaves_the_old_file(tmp_path, error):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(type(error)):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise error
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_missing_folder_and_folder_as_file_are_named(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        with atomic_path(tmp_path / "nope" / "out.csv"):
            pass
    with pytest.raises(OutputError, match="is a folder"):
        with atomic_path(tmp_path):
            pass


def test_permissions_of_a_replaced_file_are_kept(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.stat().st_mode & 0o777 == 0o640
