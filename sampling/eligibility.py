"""Which enterprises may be drawn as new units: the minimum unit size.

The 2009 rules ask for monitored enterprises "of a certain size" (具有一定规模的企业) without a
number; the Guangdong review found 40 sampled units with fewer than 10 employees. This library
takes 10 employees as the default minimum (:data:`quotas.rules.MIN_EMPLOYEES`, the limit of the
``min_employees`` rule). An enterprise below it is not drawn and is no
reserve; a panel enterprise is kept whatever its size. The register's structure
(:func:`sampling.structure`) and the selection (:func:`sampling.select`) apply the same minimum,
so that a quota never counts on an enterprise that cannot be drawn.

References
----------
劳动和社会保障部, 关于开展失业动态监测工作的通知 (2009): monitored units are enterprises of a
certain size.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from quotas.rules import MIN_EMPLOYEES

__all__ = ["MIN_EMPLOYEES", "big_enough", "check_min_employees"]


def check_min_employees(min_employees: Any, error: type[ValueError]) -> int | None:
    """``min_employees`` as an int (None for no minimum), or ``error`` naming the bad value."""
    if min_employees is None:
        return None
    if (
        isinstance(min_employees, bool)
        or not isinstance(min_employees, numbers.Integral)
        or min_employees < 0
    ):
        raise error(f"min_employees must be a non-negative integer or None, got {min_employees!r}")
    return int(min_employees)


def big_enough(frame: pd.DataFrame, min_employees: int | None, error: type[ValueError]) -> np.ndarray | None:
    """Rows with at least ``min_employees`` employees (a missing number is not); None when every
    row is, or when there is no minimum (None or 0).

    Raises
    ------
    error
        When there is a minimum and the frame has no ``employees`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.eligibility import big_enough
    >>> big_enough(pd.DataFrame({"employees": [5, 10, None]}), 10, ValueError).tolist()
    [False, True, False]
    """
    if not min_employees:
        return None
    if "employees" not in frame.columns:
        raise error(
            f"min_employees={min_employees} needs the frame's employees column; pass min_employees=None "
            "for no minimum size"
        )
    employees = frame["employees"]
    if pd.api.types.is_integer_dtype(employees.dtype) and employees.dtype.kind in "iu":
        big = employees.to_numpy() >= min_employees
    else:
        big = pd.to_numeric(employees, errors="coerce").to_numpy(dtype=np.float64) >= min_employees
    return None if big.all() else big
