"""Quota cells of a register: the cell keys, integer coding of the rows' cells, counts per cell.

A cell is one combination of the :data:`CELL_KEYS` (city, section, size class, ownership), or,
when the tables carry an ``industry_group`` column (:mod:`quotas.industry_groups`: the section,
or a division split off it such as ``C39`` or ``C43``), of the :data:`GROUPED_KEYS` (the group
refines the section, which stays beside it). :func:`cell_keys` says which of the two a table has;
a table without the column is a table of section cells, as before industry groups. The
register's structure (:func:`sampling.structure`), the selection (:func:`sampling.select`) and
the audit (:func:`sampling.audit`) all code rows into cells and count them here, so that they
see the same cells and the same numbers.

Rows are coded without hashing where the column allows it (categoricals, booleans, small
integers): a register of ten million rows is coded and counted in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from basis.threads import Workers
from quotas.structure import CELL_COLUMNS
from sampling.exceptions import FrameError, SelectionError

__all__ = [
    "CELL_KEYS",
    "GROUPED_KEYS",
    "INDUSTRY_GROUP",
    "cell_counts",
    "cell_index",
    "cell_keys",
    "cell_slots",
    "check_groups_match",
    "key_codes",
    "raise_absent",
    "section_cells",
    "slot_counts",
    "with_cell_keys",
]

CELL_KEYS: tuple[str, ...] = CELL_COLUMNS
"""The columns that define a quota cell of sections: ``city, section, size_class, state_owned``
(the one definition is :data:`quotas.structure.CELL_COLUMNS`, which the quota model uses)."""

INDUSTRY_GROUP = "industry_group"
"""The optional cell key that refines ``section`` (:mod:`quotas.industry_groups`)."""

GROUPED_KEYS: tuple[str, ...] = (*CELL_KEYS[:2], INDUSTRY_GROUP, *CELL_KEYS[2:])
"""The columns that define a quota cell of industry groups: ``city, section, industry_group,
size_class, state_owned`` (the section is implied by the group and kept beside it)."""


def cell_keys(table: pd.DataFrame | Sequence[str]) -> tuple[str, ...]:
    """The cell keys of a table (or of its column names): :data:`GROUPED_KEYS` when it has an
    ``industry_group`` column, :data:`CELL_KEYS` otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.cells import cell_keys
    >>> cell_keys(["city", "section", "industry_group", "size_class", "state_owned", "quota"])
    ('city', 'section', 'industry_group', 'size_class', 'state_owned')
    >>> cell_keys(pd.DataFrame(columns=["city", "section", "size_class", "state_owned"]))
    ('city', 'section', 'size_class', 'state_owned')
    """
    columns = table.columns if isinstance(table, pd.DataFrame) else table
    return GROUPED_KEYS if INDUSTRY_GROUP in columns else CELL_KEYS


def with_cell_keys(columns: Sequence[str], keys: Sequence[str]) -> list[str]:
    """``columns`` with ``industry_group`` inserted after ``section`` when ``keys`` has it
    (e.g. a table's canonical columns for grouped cells).

    Examples
    --------
    >>> from sampling.cells import GROUPED_KEYS, with_cell_keys
    >>> with_cell_keys(["enterprise_id", "city", "section", "size_class"], GROUPED_KEYS)
    ['enterprise_id', 'city', 'section', 'industry_group', 'size_class']
    """
    out = [c for c in columns if c != INDUSTRY_GROUP]
    if INDUSTRY_GROUP in keys:
        out.insert(out.index("section") + 1, INDUSTRY_GROUP)
    return out


def section_cells(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without its ``industry_group`` column when every group is its own section.

    A quota table built from a structure of sections (:func:`quotas.build_quotas` then copies
    each section into ``industry_group``) names no division: its cells are sections, and they
    are matched to a register by section, whatever groups the register carries. A table with at
    least one division group (``C39``, ``C43``) is kept as it is. The input is not modified.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.cells import section_cells
    >>> quotas = pd.DataFrame({"section": ["C", "G"], "industry_group": ["C", "G"]})
    >>> list(section_cells(quotas).columns), list(section_cells(quotas.assign(industry_group=["C39", "G"])).columns)
    (['section'], ['section', 'industry_group'])
    """
    if INDUSTRY_GROUP not in table.columns or "section" not in table.columns:
        return table
    groups = table[INDUSTRY_GROUP].astype(object).to_numpy()
    if len(groups) and (groups != table["section"].astype(object).to_numpy()).any():
        return table
    return table.drop(columns=INDUSTRY_GROUP)


def key_codes(column: pd.Series, *, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a key column (-1 for missing) and the values they stand for.

    Categoricals use their own codes and categories, booleans code False 0 and True 1, and
    integers spanning fewer than 1024 values code as their offset from the smallest: none of
    them is hashed. Other columns are factorised (``sort``: codes in the values' sorted order).

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.cells import key_codes
    >>> codes, values = key_codes(pd.Series(["b", "a", "b"]), sort=True)
    >>> codes.tolist(), values.tolist()
    ([1, 0, 1], ['a', 'b'])
    """
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories)
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return column.to_numpy().view(np.int8), pd.Index([False, True], dtype=object)
    if pd.api.types.is_integer_dtype(dtype) and dtype.kind in "iu" and len(column):
        values = column.to_numpy()
        lo, hi = int(values.min()), int(values.max())
        if hi - lo < 1024:
            # One pass into 16 bits: a register's ten million rows need no 64-bit copies.
            codes = np.subtract(values, lo, dtype=np.int16, casting="unsafe")
            return codes, pd.Index(np.arange(lo, hi + 1))
    codes, uniques = pd.factorize(column, sort=sort)
    return codes, pd.Index(uniques)


def cell_counts(
    frame: pd.DataFrame,
    keys: Sequence[str] = CELL_KEYS,
    *,
    rows: np.ndarray | None = None,
    measures: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Rows and sums of measures per non-empty cell.

    Parameters
    ----------
    frame : DataFrame
        Has the ``keys`` columns, without missing values.
    keys : sequence of str
        The columns that make a cell (default :data:`CELL_KEYS`).
    rows : array of bool, optional
        The rows to count (default all), e.g. the enterprises in business.
    measures : mapping of str to array, optional
        Per-row numbers (one per frame row) summed per cell, as floats.

    Returns
    -------
    DataFrame
        The ``keys`` columns, ``enterprises`` (rows in the cell), then one column per measure;
        one row per cell holding at least one counted row, in the order of the key codes
        (sorted values, or category order for categoricals).

    Raises
    ------
    FrameError
        When a key column has missing values.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sampling.cells import cell_counts
    >>> frame = pd.DataFrame({"city": ["广州市", "广州市", "深圳市"], "section": ["C", "C", "G"]})
    >>> cell_counts(frame, ["city", "section"], measures={"employment": np.array([10, 20, 5])})
      city section  enterprises  employment
    0  广州市       C            2        30.0
    1  深圳市       G            1         5.0
    """
    codes, levels = [], []
    for key in keys:
        c, u = key_codes(frame[key], sort=True)
        if len(c) and (c < 0).any():
            raise FrameError(f"column {key!r} has missing values (call prepare_frame first)")
        codes.append(c)
        levels.append(u)
    dims = tuple(max(len(u), 1) for u in levels)
    size = int(np.prod(dims, dtype=np.float64))
    # Mixed radix, in place and in 32 bits where the product allows: fewer passes over the rows
    # than numpy.ravel_multi_index, which also checks every code against its bound.
    flat = np.zeros(len(frame), dtype=np.int32 if size < 2**31 - 1 else np.int64)
    for c, d in zip(codes, dims):
        flat *= d
        flat += c
    if size <= 4 * len(flat) + 1_000_000:
        # Rows left out go to bin 0, the cells to 1..size (in place: code + 1, times the row's
        # flag), rather than being copied out: on a large register, bincount over every row
        # costs less than selecting the counted ones.
        if rows is not None:
            flat += 1
            flat *= np.asarray(rows, dtype=bool)
        skip = 0 if rows is None else 1
        count = np.bincount(flat, minlength=size + skip)[skip:]
        used = np.flatnonzero(count)
        sums = {name: _bin_sums(flat, values, size, skip)[used] for name, values in (measures or {}).items()}
        count = count[used]
    else:  # a sparse product of many levels: count the cells that occur
        weights = {name: np.asarray(values) for name, values in (measures or {}).items()}
        if rows is not None:
            flat = flat[rows]
            weights = {name: values[rows] for name, values in weights.items()}
        used, inverse = np.unique(flat, return_inverse=True)
        count = np.bincount(inverse, minlength=len(used))
        sums = {name: _bin_sums(inverse, w, len(used), 0) for name, w in weights.items()}
    where = np.unravel_index(used, dims)
    out = pd.DataFrame({key: level[part] for key, level, part in zip(keys, levels, where)})
    out["enterprises"] = count.astype(np.int64)
    for name, values in sums.items():
        out[name] = values
    return out


def _bin_sums(bins: np.ndarray, values: np.ndarray, size: int, skip: int) -> np.ndarray:
    """Sum of ``values`` per bin ``skip .. skip + size - 1`` as floats (bins below ``skip`` hold
    rows left out); a boolean measure is counted, which needs no float copy of the rows."""
    values = np.asarray(values)
    if values.dtype.kind == "b":
        return np.bincount(bins[values], minlength=size + skip)[skip:].astype(np.float64)
    return np.bincount(bins, weights=values.astype(np.float64, copy=False), minlength=size + skip)[skip:]


def cell_slots(frame: pd.DataFrame, cells: pd.DataFrame, *, workers: Workers | None = None) -> np.ndarray:
    """1 + the index of each frame row's cell in ``cells``, 0 for rows in none of them (int32).

    The cells' keys are :func:`cell_keys` of ``cells`` (the frame must have them). The key
    columns are coded separately and combined in mixed radix; a dense lookup table (or, for a
    sparse product of many levels, an index) maps the combined code to the cell. Slices of rows
    are coded on ``workers``.

    Raises
    ------
    SelectionError
        When a cell of positive ``quota`` (if ``cells`` has that column) has no frame row's key
        values.
    """
    keys = cell_keys(cells)
    parts = [key_codes(frame[key]) for key in keys]
    widths = [len(uniques) + 1 for _, uniques in parts]  # code 0 stands for a missing value
    radix = int(np.prod(widths, dtype=np.float64))
    dtype = np.int32 if radix < 2**31 else np.int64
    cell_combined = np.zeros(len(cells), dtype=np.int64)
    absent = np.zeros(len(cells), dtype=bool)
    for key, (_, uniques), width in zip(keys, parts, widths):
        positions = uniques.get_indexer(cells[key])
        absent |= positions < 0
        cell_combined = cell_combined * width + (positions + 1)
    if absent.any() and "quota" in cells.columns:
        raise_absent(cells[absent])
    dense = radix <= 4 * len(frame) + 1_000_000
    if dense:
        lookup = np.zeros(radix, dtype=np.int32)
        # cells absent from the frame map to nothing (their code is incomplete)
        lookup[cell_combined[~absent]] = np.arange(1, len(cells) + 1, dtype=np.int32)[~absent]
    else:
        cell_combined[absent] = -1
        index = pd.Index(cell_combined)
    # the +1 of every key, carried through the later multiplications
    offset = 0
    for width in widths:
        offset = offset * width + 1
    out = np.empty(len(frame), dtype=np.int32)

    def code(rows: slice) -> None:
        combined = np.full(rows.stop - rows.start, offset, dtype=dtype)
        scale = radix
        for (codes, _), width in zip(parts, widths):
            scale //= width
            combined += codes[rows].astype(dtype) * dtype(scale) if scale > 1 else codes[rows]
        out[rows] = lookup[combined] if dense else index.get_indexer(combined) + 1

    (workers or Workers(1)).map_rows(code, len(frame))
    return out


def check_groups_match(frame: pd.DataFrame, cells: pd.DataFrame, rows: np.ndarray | None = None) -> None:
    """Check that a register carries the industry groups of quota cells that are groups.

    A register and quotas made with different key industries disagree on which divisions are
    cells of their own; drawing anyway would leave a division's enterprises out of the draw,
    or look in vain for a division cell. Only the division groups (``C39``, ``C43``) are
    compared, city by city, over the counted ``rows`` (default all; :func:`sampling.select`
    passes the enterprises in business): a division group of the register is a mismatch where
    the quotas have cells of its section in the city but none of the group, and a division
    group of the quotas with a positive quota is a mismatch where the register has no
    enterprise in it in the city. Cells without ``industry_group`` need nothing.

    Raises
    ------
    SelectionError
        When ``cells`` are groups and the register has no ``industry_group`` column, or the
        groups do not match; the message names the cities and groups.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.cells import check_groups_match
    >>> quotas = pd.DataFrame({"city": ["深圳市"], "section": ["C"], "industry_group": ["C39"],
    ...                        "size_class": ["small"], "state_owned": [False], "quota": [2]})
    >>> register = pd.DataFrame({"city": ["深圳市"], "section": ["C"], "industry_group": ["C"]})
    >>> check_groups_match(register, quotas)
    Traceback (most recent call last):
    ...
    sampling.exceptions.SelectionError: the register's industry groups do not match the quotas' ...
    """
    if INDUSTRY_GROUP not in cells.columns:
        return
    divisional = cells[INDUSTRY_GROUP].astype(str).str.len() > 1
    if INDUSTRY_GROUP not in frame.columns:
        listed = ", ".join(
            sorted(
                {
                    f"{c} {g}"
                    for c, g in zip(cells.loc[divisional, "city"], cells.loc[divisional, INDUSTRY_GROUP])
                }
            )
        )
        raise SelectionError(
            f"the quotas' cells are industry groups ({listed or 'sections'}) but the register has no "
            "industry_group column: prepare it with the key industries the quotas were built with "
            "(sampling.prepare_frame(register, key_industries=...))"
        )
    codes, groups = key_codes(frame[INDUSTRY_GROUP])
    division_codes = np.flatnonzero(np.array([len(str(g)) > 1 for g in groups], dtype=bool))
    counted = np.isin(codes, division_codes)
    if rows is not None:
        counted &= rows
    at = np.flatnonzero(counted)
    register = set(zip(frame["city"].iloc[at].astype(object), np.asarray(groups, dtype=object)[codes[at]]))
    quota_groups = set(zip(cells.loc[divisional, "city"], cells.loc[divisional, INDUSTRY_GROUP]))
    sections = set(zip(cells["city"], cells["section"].astype(str)))
    wanted = cells.loc[divisional & (cells["quota"] > 0) if "quota" in cells else divisional]
    problems = [
        f"{city}: the register's {group} is no quota cell, though section {group[0]} has quota cells"
        for city, group in sorted(register - quota_groups)
        if (city, str(group)[0]) in sections
    ] + [
        f"{city}: the quotas' {group} has no enterprise in the register"
        for city, group in sorted(set(zip(wanted["city"], wanted[INDUSTRY_GROUP])) - register)
    ]
    if problems:
        shown = "; ".join(problems[:20]) + (
            f"; ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        )
        raise SelectionError(
            "the register's industry groups do not match the quotas' (prepare the register with the "
            f"key industries the quotas were built with: sampling.prepare_frame(register, key_industries=...)): {shown}"
        )


def raise_absent(cells: pd.DataFrame) -> None:
    """Raise :class:`SelectionError` listing the cells of positive quota among ``cells``."""
    cells = cells[cells["quota"] > 0]
    if len(cells):
        shown = cells[[*cell_keys(cells), "quota"]].head(20).to_string(index=False)
        raise SelectionError(f"{len(cells)} quota cells are absent from the frame:\n{shown}")


def cell_index(frame: pd.DataFrame, quotas: pd.DataFrame) -> np.ndarray:
    """Index of each frame row's quota cell, -1 for rows in no quota cell."""
    return cell_slots(frame, quotas).astype(np.int64) - 1


def slot_counts(
    workers: Workers,
    slot: np.ndarray,
    valid: np.ndarray,
    in_panel: np.ndarray,
    n_cells: int,
    checked: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Enterprises in business and valid panel enterprises per quota cell."""

    def count(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        s = slot[rows]
        in_business = np.where(valid[rows], s, 0) if checked else s
        kept = np.where(valid[rows] & in_panel[rows], s, 0) if checked else np.zeros(1, np.int32)
        return (
            np.bincount(in_business, minlength=n_cells + 1),
            np.bincount(kept, minlength=n_cells + 1),
        )

    parts = workers.map_rows(count, len(slot))
    return (
        np.sum([p[0] for p in parts], axis=0)[1:],
        np.sum([p[1] for p in parts], axis=0)[1:],
    )
