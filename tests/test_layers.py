"""Imports go one way: basis <- allocation <- quotas <- sampling <- monitoring <- empmon.

Read from the source with :mod:`ast`, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["basis", "allocation", "quotas", "sampling", "monitoring", "empmon"]


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", [name for name in LAYERS if (ROOT / name).is_dir()])
def test_imports_go_one_way(layer):
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imported(path) & above)
        for path in sorted((ROOT / layer).rglob("*.py"))
        if _imported(path) & above
    }
    assert not wrong, f"{layer} imports from layers above it: {wrong}"


def test_allocation_ships_no_chinese_tables():
    # allocation knows nothing of China: its reference data and fonts live in quotas/data.
    assert not (ROOT / "allocation" / "data").exists()
