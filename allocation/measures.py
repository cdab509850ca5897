"""The measures an allocation is proportional to (employment, GDP, ...), read as numbers.

:func:`allocation.allocate_cities` blends them with weights and :func:`allocation.explain`
fits the blend an allocation follows; both need every unit to have a non-negative, finite
number in each measure, and no measure may sum to zero (it would have no shares).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from allocation.apportion import _plain
from allocation.exceptions import AllocationError


def check_measures(stats: pd.DataFrame, columns: Sequence[str], *, what: str, unit: str) -> pd.DataFrame:
    """``stats[columns]`` as floats, or an :class:`AllocationError` naming the bad units.

    ``what`` names a column in the message (``"column"``, ``"measure"``), ``unit`` a row
    (``"city"``, ``"unit"``). Values that are not numbers count as missing.
    """
    data = stats[list(columns)].apply(pd.to_numeric, errors="coerce")
    for col in columns:
        values = data[col]
        bad = values.isna() | ~np.isfinite(values.fillna(0)) | (values < 0)
        if bad.any():
            shown = ", ".join(f"{c!r}: {_plain(stats.at[c, col])!r}" for c in values.index[bad][:10])
            raise AllocationError(
                f"{what} {col!r} needs a non-negative number for every {unit}; missing, negative "
                f"or infinite at {shown}"
            )
        if values.sum() == 0:
            raise AllocationError(f"{what} {col!r} sums to zero: no shares can be taken of it")
    return data
