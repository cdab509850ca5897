"""The population structure of a prepared register: enterprises and employment per quota cell.

:func:`structure` gives the table that :func:`quotas.build_quotas` takes. It counts only the
enterprises in business (:mod:`sampling.status`), as :func:`sampling.select` and
:func:`sampling.audit` do, so a quota never counts on an enterprise that cannot be drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from quotas.industry_groups import check_key_industries
from quotas.labels import SIZE_CLASSES
from sampling.cells import INDUSTRY_GROUP, cell_counts, cell_keys
from sampling.eligibility import MIN_EMPLOYEES, big_enough, check_min_employees
from sampling.exceptions import FrameError
from sampling.prepare import industry_groups
from sampling.status import in_business_rows

__all__ = ["panel_mask", "structure"]


_DERIVED = ("section", "size_class", "state_owned")


def structure(
    frame: pd.DataFrame,
    *,
    band: tuple[int, int] = (50, 300),
    key_industries: pd.DataFrame | Mapping[str, Any] | None = None,
    industry_version: Literal["2011", "2017"] = "2011",
    min_employees: int | None = MIN_EMPLOYEES,
) -> pd.DataFrame:
    """Aggregate a prepared frame into the population structure that :func:`quotas.build_quotas` takes.

    Only enterprises that can be in the sample are counted: those in business
    (:func:`sampling.status.in_business` of the ``status`` column: a closed or bankrupt
    enterprise can be neither kept nor drawn) that are panel enterprises or have at least
    ``min_employees`` employees (:mod:`sampling.eligibility`), so the quotas never count on an
    enterprise that cannot be drawn. :func:`sampling.select` counts the same enterprises.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`prepare_frame` (needs city, section, size_class, state_owned,
        employees; ``industry_group``, ``in_panel`` and ``status`` are used when present).
    band : (int, int), default (50, 300)
        Employee band counted in ``enterprises_50_300`` (the Guangdong plan's "50-300人" SMEs),
        inclusive at both ends.
    key_industries : DataFrame or mapping, optional
        The cities' key industries, as :func:`sampling.prepare.prepare_frame` takes them: the
        frame's industry groups are worked out again from its ``industry`` column with them.
        Without it the frame's own ``industry_group`` column makes the cells (that of
        ``prepare_frame(frame, key_industries=...)``); a frame without one has section cells.
    industry_version : {"2011", "2017"}
        The edition of the frame's industry codes, with ``key_industries``.
    min_employees : int or None, default 10
        Enterprises outside the panel with fewer employees are not counted (as
        :func:`sampling.select` does not draw them); None counts every size.

    Returns
    -------
    DataFrame
        One row per cell with an enterprise in business, sorted: ``city, section,
        industry_group`` (when the cells are industry groups), ``size_class, state_owned,
        enterprises, employment``, then ``enterprises_50_300`` and ``panel`` (panel enterprises
        in business in the cell; 0 without an ``in_panel`` column). The cells are those of
        :func:`sampling.cells.cell_keys`, which :func:`quotas.build_quotas` and
        :func:`sampling.select` key by too.

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

    With 广州's key industry 13 (agricultural and food processing) a division cell of its own:

    >>> cells = structure(prepare_frame(df), key_industries={"广州": ["13"]})
    >>> cells[["section", "industry_group", "enterprises"]].values.tolist()
    [['C', 'C13', 2], ['F', 'F', 1]]
    """
    missing = [c for c in ("city", *_DERIVED, "employees") if c not in frame.columns]
    if missing:
        raise FrameError(
            f"structure() needs a prepared frame; missing column(s) {missing} (call prepare_frame first)"
        )
    if key_industries is not None:
        if "industry" not in frame.columns:
            raise FrameError("structure(key_industries=...) needs the frame's industry column")
        key = check_key_industries(key_industries)
        frame = frame.assign(**{INDUSTRY_GROUP: industry_groups(frame, industry_version, key)})
    keys = cell_keys(frame)
    emp = frame["employees"].to_numpy(dtype=np.int64)
    lo, hi = band
    active = in_business_rows(frame)
    big = big_enough(frame, check_min_employees(min_employees, FrameError), FrameError)
    if big is not None:
        active = active & (big | _panel_flags(frame))
    out = cell_counts(
        frame,
        keys,
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
        .sort_values([k if k != "size_class" else "_size" for k in keys], kind="mergesort")
        .drop(columns="_size")
        .reset_index(drop=True)
    )
    for column in keys:
        if column != "state_owned":
            out[column] = out[column].astype(str)
    return out


def _panel_flags(frame: pd.DataFrame) -> np.ndarray:
    if "in_panel" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return np.array(frame["in_panel"], dtype=bool)


def panel_mask(frame: pd.DataFrame) -> np.ndarray:
    """Rows that are panel enterprises in business: ``in_panel`` true and the status not one of
    :data:`sampling.status.REMOVAL_STATUSES`."""
    if "in_panel" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return np.array(frame["in_panel"], dtype=bool) & in_business_rows(frame)
