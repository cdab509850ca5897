"""The roles an enterprise has in a sample, with their Chinese labels.

* ``panel`` - an enterprise of the existing panel, kept (原样本);
* ``new`` - drawn this time (新增);
* ``reserve`` - next in line in its cell, not monitored until it replaces someone (备选);
* ``removed`` - a panel or sampled enterprise taken out, with its reason (剔除).

The order of :data:`ROLES` is the order of the rows within a cell of a sample.
"""

from __future__ import annotations

__all__ = ["MONITORED_ROLES", "ROLES", "ROLE_LABELS_ZH"]

ROLES: tuple[str, ...] = ("panel", "new", "reserve", "removed")
"""Every role, in the order of the rows within a cell."""

MONITORED_ROLES: tuple[str, ...] = ("panel", "new")
"""The roles of the enterprises that report every month."""

ROLE_LABELS_ZH: dict[str, str] = {"panel": "原样本", "new": "新增", "reserve": "备选", "removed": "剔除"}
"""Chinese label of each role (the 样本类型 column of the city workbooks)."""
