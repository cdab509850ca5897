"""Validation of a population structure table (one row per city and cell).

A structure has one row per cell ``city x industry_group x size_class x state_owned`` with the
number of enterprises in the cell and their employment:

``city, section, industry_group, size_class, state_owned, enterprises, employment``

``industry_group`` (:mod:`quotas.industry_groups`) is the section, or a division split off it:
always 05, 11 and 43 (so that the cells carry the sector), and a city's key industries. A table
without it is read with the section as the group (the cells are then sections); a table with it
may leave out ``section``, which is derived.

and optionally ``enterprises_50_300`` (enterprises of the cell with 50-300 employees, for the
Guangdong plan's province-level control) and ``panel`` (panel enterprises already in the cell).
It may come from a frame (:func:`sampling.structure.structure`) or be typed from census tables.
A cell missing from the table has no enterprises.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from basis.booleans import parse_yes_no
from basis.rows import row_name, rows_shown
from quotas.cities import resolve_cities
from quotas.classify import SIZE_CLASSES
from quotas.exceptions import QuotaInputError
from quotas.industry_groups import check_groups, section_of_group

__all__ = ["CELL_COLUMNS", "SECTIONS", "STRUCTURE_COLUMNS", "band_share", "validate_structure"]

SECTIONS: tuple[str, ...] = tuple("ABCDEFGHIJKLMNOPQRST")
"""The 20 sections (门类) of GB/T 4754-2011, A-T."""

CELL_COLUMNS: tuple[str, ...] = ("city", "section", "size_class", "state_owned")
"""The columns that identify a cell in the register's tables (a structure adds
``industry_group``, which refines ``section``)."""

_KEY_COLUMNS: tuple[str, ...] = ("city", "industry_group", "size_class", "state_owned")

STRUCTURE_COLUMNS: tuple[str, ...] = (*CELL_COLUMNS, "enterprises", "employment")
"""Required columns of a structure table."""

_OPTIONAL_COUNTS: tuple[str, ...] = ("enterprises_50_300", "panel")


def _rows(index: pd.Index, mask: np.ndarray | pd.Series, values: pd.Series) -> str:
    """'row 3: 'X', row 7: 'Y'' for the first ten flagged rows, with a count of the rest."""
    mask = np.asarray(mask, dtype=bool)
    return rows_shown((i, values.loc[i]) for i in index[mask])


def _check_columns(df: pd.DataFrame, required: tuple[str, ...], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise QuotaInputError(f"{what} must be a DataFrame, got {type(df).__name__}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise QuotaInputError(
            f"{what} is missing column(s) {missing}; it needs {list(required)} (has {list(df.columns)})"
        )


def _check_section(values: pd.Series, what: str) -> pd.Series:
    text = values.astype(object).map(lambda v: str(v).strip().upper() if isinstance(v, str) else v)
    bad = ~text.isin(SECTIONS)
    if bad.any():
        raise QuotaInputError(
            f"{what}: unknown section(s) (expected a GB/T 4754 letter A-T): {_rows(values.index, bad, values)}"
        )
    return text.astype(object)


def _check_size(values: pd.Series, what: str) -> pd.Series:
    text = values.astype(object).map(lambda v: str(v).strip().lower() if isinstance(v, str) else v)
    bad = ~text.isin(SIZE_CLASSES)
    if bad.any():
        raise QuotaInputError(
            f"{what}: unknown size_class value(s) (expected one of {list(SIZE_CLASSES)}): "
            f"{_rows(values.index, bad, values)}"
        )
    return text.astype(object)


def _check_state_owned(values: pd.Series, what: str) -> pd.Series:
    parsed, bad = parse_yes_no(values, blank=None)
    if bad.any():
        raise QuotaInputError(
            f"{what}: state_owned must be yes or no (True/False, 1/0, 是/否): {_rows(values.index, bad, values)}"
        )
    return pd.Series(parsed, index=values.index)


def _check_count(values: pd.Series, name: str, what: str, *, integer: bool) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce").astype(float)
    bad = num.isna() | (num < 0) | ~np.isfinite(num.fillna(0.0))
    if integer:
        bad |= num.notna() & (num != np.round(num))
    if bad.any():
        kind = "a non-negative whole number" if integer else "a non-negative number"
        raise QuotaInputError(
            f"{what}: {name} must be {kind}; bad value(s) at {_rows(values.index, bad, values)}"
        )
    return num.astype(np.int64) if integer else num


def _check_duplicates(df: pd.DataFrame, what: str) -> None:
    dup = df.duplicated(list(_KEY_COLUMNS), keep=False)
    if dup.any():
        cells = df.loc[dup, list(_KEY_COLUMNS)]
        shown = ", ".join(
            f"{row_name(i)}: ({r.city}, {r.industry_group}, {r.size_class}, {'state' if r.state_owned else 'non-state'})"
            for i, r in list(cells.iterrows())[:10]
        )
        raise QuotaInputError(
            f"{what}: duplicated cell(s) (city, industry_group, size_class, state_owned): {shown}"
        )


def _check_industry(out: pd.DataFrame, what: str) -> None:
    """Fill ``section`` and ``industry_group`` from each other (in place) and check they agree."""
    if "industry_group" not in out.columns and "section" not in out.columns:
        raise QuotaInputError(
            f"{what} is missing column(s) ['section'] (or 'industry_group'); has {list(out.columns)}"
        )
    if "industry_group" in out.columns:
        out["industry_group"] = check_groups(out["industry_group"], f"{what}: industry_group")
        derived = section_of_group(out["industry_group"])
        if "section" in out.columns:
            section = _check_section(out["section"], what)
            bad = section != derived
            if bad.any():
                raise QuotaInputError(
                    f"{what}: industry_group outside its section: {_rows(out.index, bad, out['industry_group'])}"
                )
        out["section"] = derived.astype(object)
    else:
        out["section"] = _check_section(out["section"], what)
        out["industry_group"] = out["section"]


def validate_cells(df: pd.DataFrame, counts: dict[str, bool], what: str) -> pd.DataFrame:
    """Validate the cell columns and the named count columns (name -> integer?) of a table.

    Returns a copy with canonical city names, section letters, industry groups (the section
    when the table has none), size classes and booleans.
    Used for structures and for panels (``existing``).
    """
    _check_columns(df, ("city", "size_class", "state_owned", *counts), what)
    out = df.copy()
    if len(out) and out["city"].isna().any():
        raise QuotaInputError(f"{what}: missing city at {_rows(out.index, out['city'].isna(), out['city'])}")
    out["city"] = resolve_cities(out["city"]).to_numpy() if len(out) else out["city"]
    _check_industry(out, what)
    out["size_class"] = _check_size(out["size_class"], what)
    out["state_owned"] = _check_state_owned(out["state_owned"], what)
    for name, integer in counts.items():
        out[name] = _check_count(out[name], name, what, integer=integer)
    _check_duplicates(out, what)
    return out


def validate_structure(structure: pd.DataFrame) -> pd.DataFrame:
    """Check a structure table and return a clean copy.

    Parameters
    ----------
    structure : DataFrame
        One row per cell with ``city, section, size_class, state_owned, enterprises,
        employment`` and optionally ``industry_group`` (then ``section`` may be left out);
        optional ``enterprises_50_300`` and ``panel`` counts. Other columns are kept
        unchanged.

    Returns
    -------
    DataFrame
        A copy with full official city names (any alias of :func:`quotas.resolve_cities` is
        accepted), upper-case section letters, ``industry_group`` (the section when not
        given), lower-case size classes, boolean
        ``state_owned``, integer counts and float employment. The input is not modified.

    Raises
    ------
    QuotaInputError
        For a missing column, an unknown section, industry group or size class, a group outside
        the row's section, a state_owned value that is
        not boolean, a negative, fractional or missing count, negative or missing employment,
        ``enterprises_50_300`` or ``panel`` above ``enterprises``, or a duplicated cell; the
        message names the rows.
    UnknownCityError
        For a city name the alias table does not know (the message names it and its row).

    References
    ----------
    GB/T 4754-2011 sections; 统计上大中小微型企业划分办法 (国统字〔2011〕75号) size classes.

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas.structure import validate_structure
    >>> s = pd.DataFrame({"city": ["广州", "Guangzhou"], "section": ["c", "F"],
    ...                   "size_class": ["Small", "medium"], "state_owned": [0, 1],
    ...                   "enterprises": [12, 3], "employment": [900, 400]})
    >>> validate_structure(s)[["city", "section", "size_class", "state_owned"]].values.tolist()
    [['广州市', 'C', 'small', False], ['广州市', 'F', 'medium', True]]
    """
    what = "structure"
    counts = {"enterprises": True, "employment": False}
    counts.update({c: True for c in _OPTIONAL_COUNTS if c in getattr(structure, "columns", ())})
    out = validate_cells(structure, counts, what)
    for name in _OPTIONAL_COUNTS:
        if name in out.columns:
            over = out[name] > out["enterprises"]
            if over.any():
                raise QuotaInputError(
                    f"{what}: {name} exceeds enterprises in the cell at {_rows(out.index, over, out[name])}"
                )
    return out


def band_share(structure: pd.DataFrame, *, micro: bool = True) -> float:
    """The register's share of 50-300-employee enterprises in a (validated) structure.

    Parameters
    ----------
    structure : DataFrame
        With ``size_class``, ``enterprises`` and ``enterprises_50_300``.
    micro : bool, default True
        Whether micro enterprises count; False when the rules exclude them (they cannot be
        chosen, so they are no part of what the sample's share is compared with).

    Returns
    -------
    float
        ``sum(enterprises_50_300) / sum(enterprises)`` over the counted cells (NaN when empty).

    Examples
    --------
    >>> import pandas as pd
    >>> from quotas.structure import band_share
    >>> s = pd.DataFrame({"size_class": ["small", "micro"], "enterprises": [30, 70],
    ...                   "enterprises_50_300": [12, 0]})
    >>> band_share(s), band_share(s, micro=False)
    (0.12, 0.4)
    """
    rows = structure if micro else structure[structure["size_class"] != "micro"]
    total = float(rows["enterprises"].sum())
    return float(rows["enterprises_50_300"].sum()) / total if total else float("nan")
