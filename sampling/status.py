"""Enterprise statuses as the documents have them, and which of them take a unit out of the panel.

Sample maintenance removes invalid units: those closed or bankrupt and those no longer meeting
the monitoring criteria (剔除已关闭破产企业等无效监测样本). Suspension (停业整顿), moving out of
the city (迁出本市) and "other" (其他) are *decrease types* of the monthly report (附表一, columns
7-11): an enterprise in that state keeps reporting, and is not by itself a reason to drop it.

A register's ``status`` column may hold any of :data:`STATUSES`; a blank, ``active`` or any
other value means the enterprise is in business. Every stage (the register's structure, the
selection, the audit) asks :func:`in_business`, so they count the same enterprises.

References
----------
人力资源社会保障部办公厅关于进一步做好失业动态监测工作的通知 (人社部函〔2011〕308号): remove
invalid units; replacing, removing or adding units only when the ministry arranges it.

人力资源社会保障部, 失业动态监测报表制度 附表一 (监测城市就业人员变化情况表): decrease types
关闭破产, 停业整顿, 经济性裁员, 企业迁出本市, 其他.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from basis.arrow import arrow_text

__all__ = [
    "CLOSED",
    "KEPT_STATUSES",
    "MOVED_OUT",
    "NOT_ELIGIBLE",
    "OTHER",
    "REMOVAL_STATUSES",
    "STATUSES",
    "STATUS_LABELS_EN",
    "SUSPENDED",
    "in_business",
    "in_business_rows",
]

CLOSED = "关闭破产"
"""Closed or bankrupt: removed from the panel."""
NOT_ELIGIBLE = "不再符合条件"
"""No longer meeting the monitoring criteria: removed from the panel."""
SUSPENDED = "停业整顿"
"""Suspended for rectification: a decrease type of the monthly report; the unit stays."""
MOVED_OUT = "迁出本市"
"""Moved out of the city: a decrease type of the monthly report; the unit stays."""
OTHER = "其他"
"""Other decrease: a decrease type of the monthly report; the unit stays."""

STATUSES: tuple[str, ...] = (CLOSED, SUSPENDED, MOVED_OUT, NOT_ELIGIBLE, OTHER)
"""Every status the library knows (the ``status`` column and the reasons of a removal)."""

REMOVAL_STATUSES: tuple[str, ...] = (CLOSED, NOT_ELIGIBLE)
"""Statuses that take an enterprise out of the panel and out of the population drawn from."""

KEPT_STATUSES: tuple[str, ...] = (SUSPENDED, MOVED_OUT, OTHER)
"""Decrease types of the monthly report: the enterprise stays a monitored unit."""

STATUS_LABELS_EN: dict[str, str] = {
    CLOSED: "closed or bankrupt",
    SUSPENDED: "suspended",
    MOVED_OUT: "moved out of the city",
    NOT_ELIGIBLE: "no longer meeting the criteria",
    OTHER: "other",
}
"""English label of each status."""


def in_business(status: Any) -> Any:
    """Whether enterprises are still units of the monitoring (not closed, bankrupt or ineligible).

    Parameters
    ----------
    status : scalar, array or Series
        Status values; missing, blank and unknown values count as in business.

    Returns
    -------
    bool or ndarray of bool
        False exactly for the :data:`REMOVAL_STATUSES` (surrounding spaces ignored).

    Examples
    --------
    >>> from sampling.status import in_business
    >>> in_business("停业整顿"), in_business("关闭破产")
    (True, False)
    >>> in_business(["", "不再符合条件", None, "迁出本市"]).tolist()
    [True, False, True, True]
    """
    if isinstance(status, str) or status is None or not hasattr(status, "__len__"):
        return not (isinstance(status, str) and status.strip() in REMOVAL_STATUSES)
    values = status if isinstance(status, pd.Series) else pd.Series(np.asarray(status, dtype=object))
    if isinstance(values.dtype, pd.CategoricalDtype):  # one test per category
        kept = [not (isinstance(v, str) and v.strip() in REMOVAL_STATUSES) for v in values.cat.categories]
        return np.array([*kept, True], dtype=bool)[values.cat.codes.to_numpy()]
    array = arrow_text(values)
    if array is not None:
        # Arrow text is tested inside Arrow; a missing status is not in the set.
        removal = pa.array(REMOVAL_STATUSES, type=array.type)
        out = pc.is_in(pc.utf8_trim_whitespace(array), value_set=removal)
        return ~out.to_numpy(zero_copy_only=False)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    per_value = [not (isinstance(v, str) and v.strip() in REMOVAL_STATUSES) for v in uniques]
    return np.array([*per_value, True], dtype=bool)[codes]


def in_business_rows(frame: pd.DataFrame) -> np.ndarray:
    """:func:`in_business` of a register's ``status`` column (all rows when it has none)."""
    if "status" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return in_business(frame["status"])
