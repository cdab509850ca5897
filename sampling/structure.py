"""The population structure of a prepared register: enterprises and employment per quota cell.

:func:`structure` gives the table that :func:`quotas.build_quotas` takes. It counts only the
enterprises in business (:mod:`sampling.status`), as :func:`sampling.select` and
:func:`sampling.audit` do, so a quota never counts on an enterprise that cannot be drawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quotas.labels import SIZE_CLASSES
from sampling.cells import CELL_KEYS, cell_counts
from sampling.exceptions import FrameError
from sampling.status import in_business_rows

__all__ = ["panel_mask", "structure"]


_DERIVED = ("section", "size_class", "state_owned")


def structure(frame: pd.DataFrame, *, band: tuple[int, int] = (50, 300)) -> pd.DataFrame:
    """Aggregate a prepared frame into the population structure that :func:`quotas.build_quotas` takes.

    Only enterprises in business are counted (:func:`sampling.status.in_business` of the
    ``status`` column): a closed or bankrupt enterprise can be neither kept nor drawn, so the
    quotas must not count on it. :func:`sampling.select` counts the same enterprises.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`prepare_frame` (needs city, section, size_class, state_owned,
        employees; ``in_panel`` and ``status`` are used when present).
    band : (int, int), default (50, 300)
        Employee band counted in ``enterprises_50_300`` (the Guangdong plan's "50-300人" SMEs),
        inclusive at both ends.

    Returns
    -------
    DataFrame
        One row per cell with an enterprise in business, sorted: ``city, section, size_class,
        state_owned, enterprises, employment``, then ``enterprises_50_300`` and ``panel``
        (panel enterprises in business in the cell; 0 without an ``in_panel`` column).

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.prepare import prepare_frame
    >>> from sampling.structure import structure
    >>> df = pd.DataFrame({"enterprise_id": ["1", "2", "3", "4"], "city": ["广州"] * 4,
    ...                    "industry": ["13", "13", "51", "13"], "registration_type": ["173"] * 4,
    ...                    "employees": [60, 80, 30, 70], "revenue": [500.0, 900.0, 6000.0, 700.0],
    ...                    "status": ["", "停业整顿", "", "关闭破产"]})
    >>> structure(prepare_frame(df))[["section", "size_class", "enterprises", "employment"]].values.tolist()
    [['C', 'small', 2, 140], ['F', 'medium', 1, 30]]
    """
    missing = [c for c in ("city", *_DERIVED, "employees") if c not in frame.columns]
    if missing:
        raise FrameError(
            f"structure() needs a prepared frame; missing column(s) {missing} (call prepare_frame first)"
        )
    emp = frame["employees"].to_numpy(dtype=np.int64)
    lo, hi = band
    active = in_business_rows(frame)
    out = cell_counts(
        frame,
        CELL_KEYS,
        rows=None if active.all() else active,
        measures={
            "employment": emp,
            "enterprises_50_300": (emp >= lo) & (emp <= hi),
            "panel": panel_mask(frame),
        },
    )
    out["state_owned"] = out["state_owned"].astype(bool)
    for name in ("employment", "enterprises_50_300", "panel"):
        out[name] = out[name].round().astype(np.int64)
    order = pd.Categorical(out["size_class"], categories=list(SIZE_CLASSES)).codes
    out = (
        out.assign(_size=order)
        .sort_values(["city", "section", "_size", "state_owned"], kind="mergesort")
        .drop(columns="_size")
        .reset_index(drop=True)
    )
    for column in ("city", "section", "size_class"):
        out[column] = out[column].astype(str)
    return out


def panel_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows that are panel enterprises in business: ``in_panel`` true and the status not one of
    :data:`sampling.status.REMOVAL_STATUSES`."""
    if "in_panel" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return np.array(frame["in_panel"], dtype=bool) & in_business_rows(frame)
