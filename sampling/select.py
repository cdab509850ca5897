"""Drawing enterprises to fill the quota cells, keeping the panel, with permanent random numbers.

:func:`select` puts the stages together: it checks the inputs, codes each register row into
its quota cell and counts the cells (:mod:`sampling.cells`), keeps the panel in business
(:mod:`sampling.status`), has the design draw the rest (:mod:`sampling.designs`) and builds
the :class:`~sampling.sample.Sample`. Everything is vectorised over enterprises and cells.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from basis.arrow import is_arrow_text
from basis.booleans import parse_yes_no
from basis.rows import row_name
from basis.threads import Workers
from sampling.cells import (
    CELL_KEYS,
    cell_index,
    cell_keys,
    cell_slots,
    check_groups_match,
    raise_absent,
    section_cells,
    slot_counts,
)
from sampling.designs import draw_by_size, draw_srs
from sampling.eligibility import MIN_EMPLOYEES, big_enough, check_min_employees
from sampling.exceptions import SelectionError
from sampling.prn import FramePrns, id_hash, seed_from
from sampling.roles import ROLES
from sampling.sample import SAMPLE_COLUMNS, Sample
from sampling.status import in_business_rows
from sampling.unique_ids import comparison_keys, duplicated_ids, repeated_hashes

__all__ = ["METHODS", "Method", "select"]

Method = Literal["srs", "systematic", "pareto", "poisson"]
METHODS: tuple[str, ...] = get_args(Method)
Order = Literal["prn", "frame"]
ORDERS: tuple[str, ...] = get_args(Order)

_EXTRA_COLUMNS = ("name", "industry", "registration_type", "employees")


def _check_choice(value: Any, valid: tuple[str, ...], what: str) -> None:
    if value not in valid:
        raise SelectionError(f"unknown {what} {value!r}; valid: {', '.join(valid)}")


def _check_reserves(reserves: Any) -> int:
    if isinstance(reserves, bool) or not isinstance(reserves, numbers.Integral) or reserves < 0:
        raise SelectionError(f"reserves must be a non-negative integer, got {reserves!r}")
    return int(reserves)


def _check_frame(frame: Any, size: str | None, priority: str | None) -> dict[str, np.ndarray]:
    """Checks the frame's columns; returns the ``size`` and ``priority`` columns as numpy
    arrays (integers as they are, anything else as floats)."""
    if not isinstance(frame, pd.DataFrame):
        raise SelectionError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    needed = ["enterprise_id", *CELL_KEYS] + [c for c in (size, priority) if c is not None]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise SelectionError(
            f"frame lacks columns {missing}; run sampling.prepare.prepare_frame to add "
            "section, sector, size_class and state_owned"
        )
    numeric = {}
    for column, allow_missing in ((size, False), (priority, True)):
        if column is None:
            continue
        raw = frame[column].to_numpy() if pd.api.types.is_integer_dtype(frame[column].dtype) else None
        if raw is not None and raw.dtype.kind in "iu":  # no missing or infinite integers
            numeric[column] = values = raw
            bad = values < 0 if column == size else np.zeros(len(values), dtype=bool)
        else:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
            numeric[column] = values
            bad = (np.isnan(values) & (not allow_missing or frame[column].notna().to_numpy())) | (
                np.isinf(values)
            )
            if column == size:
                bad |= values < 0
        if bad.any():
            rows = np.flatnonzero(bad)[:10]
            values = frame[column].iloc[rows].tolist()  # Python scalars for readable messages
            ids = frame["enterprise_id"].iloc[rows].tolist()
            shown = ", ".join(f"{i!r} ({v!r})" for i, v in zip(ids, values))
            raise SelectionError(
                f"column {column!r} must hold finite numbers"
                f"{' >= 0' if column == size else ''}; {int(bad.sum())} bad rows: {shown}"
            )
    return numeric


def _quota_frame(quotas: Any) -> pd.DataFrame:
    """The quotas as a DataFrame: a QuotaTable (anything with ``to_frame``) or a DataFrame.

    Its cells are industry groups when it has an ``industry_group`` column naming at least one
    division, sections otherwise (:func:`sampling.cells.section_cells`).
    """
    table = quotas if isinstance(quotas, pd.DataFrame) else None
    if table is None and hasattr(quotas, "to_frame"):
        table = quotas.to_frame()
    if not isinstance(table, pd.DataFrame):
        raise SelectionError(f"quotas must be a QuotaTable or a DataFrame, got {type(quotas).__name__}")
    keys = list(cell_keys(table))
    missing = [c for c in (*keys, "quota") if c not in table.columns]
    if missing:
        raise SelectionError(f"quotas lack columns {missing}")
    quota = pd.to_numeric(table["quota"], errors="coerce")
    bad = quota.isna() | (quota < 0) | (quota != np.floor(quota))
    if bad.any():
        shown = table.loc[bad, [*keys, "quota"]].head(10).to_string(index=False)
        raise SelectionError(f"quotas must be whole numbers >= 0:\n{shown}")
    duplicated = pd.MultiIndex.from_frame(table[keys]).duplicated(keep=False)
    if duplicated.any():
        shown = table.loc[duplicated, keys].head(10).to_string(index=False)
        raise SelectionError(f"quota cells listed more than once:\n{shown}")
    out = section_cells(table[keys]).reset_index(drop=True).copy()
    out["quota"] = quota.astype(np.int64).to_numpy()
    return out


def _check_unique_ids(
    frame: pd.DataFrame, hashes: np.ndarray, repeated: np.ndarray, keys: pd.Series | None
) -> None:
    """Duplicate ids: among the rows whose 64-bit hash is ``repeated``, or, when some ids are
    not plain ASCII, by their comparison ``keys`` (:func:`sampling.unique_ids.comparison_keys`).
    The message gives each repeated id's rows and spellings."""
    ids = frame["enterprise_id"]
    if keys is None:
        dup = duplicated_ids(ids, hashes, repeated)
    else:
        dup = keys.duplicated(keep=False).to_numpy() & keys.notna().to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup)
        key = (ids if keys is None else keys).iloc[rows].to_numpy(dtype=object)
        written = ids.iloc[rows].tolist()
        labels = ids.index[rows]
        groups = pd.Series(np.arange(len(rows))).groupby(key, sort=False).agg(list)
        shown = "; ".join(
            " = ".join(f"{written[k]!r} ({row_name(labels[k])})" for k in members)
            for members in groups.head(20)
        )
        more = f"; ... and {len(groups) - 20} more" if len(groups) > 20 else ""
        raise SelectionError(
            f"{len(groups)} enterprise ids occur more than once (compared after Unicode "
            f"normalisation): {shown}{more}"
        )


def _panel_mask(frame: pd.DataFrame, panel: Any) -> np.ndarray:
    """Rows of the panel: the ``panel`` ids if given, else the frame's ``in_panel`` column."""
    if panel is None:
        if "in_panel" not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        flags, bad = parse_yes_no(frame["in_panel"])
        if bad.any():
            rows = np.flatnonzero(bad)[:10]
            shown = ", ".join(
                f"{i!r} ({v!r})"
                for i, v in zip(
                    frame["enterprise_id"].iloc[rows].tolist(), frame["in_panel"].iloc[rows].tolist()
                )
            )
            raise SelectionError(f"in_panel must be yes/no; {int(bad.sum())} bad rows: {shown}")
        return flags
    ids = pd.Series(list(panel) if not isinstance(panel, pd.Series) else panel.to_numpy())
    if ids.duplicated().any():
        raise SelectionError(
            f"panel ids listed more than once: {', '.join(map(repr, ids[ids.duplicated()].unique()[:20]))}"
        )
    mask = frame["enterprise_id"].isin(ids).to_numpy()
    if mask.sum() < len(ids):
        found = set(frame["enterprise_id"][mask].tolist())
        unknown = [v for v in ids.tolist() if v not in found]
        raise SelectionError(
            f"{len(unknown)} panel enterprises are not in the frame: {', '.join(map(repr, unknown[:20]))}"
        )
    return mask


def _reserves_per_cell(quotas: pd.DataFrame, reserves: int) -> np.ndarray:
    """``reserves`` in cells of positive quota that are not micro, 0 elsewhere (issue 16:
    reserves replace monitored enterprises of their cell; micro enterprises are not monitored)."""
    wanted = (quotas["quota"].to_numpy() > 0) & (quotas["size_class"].astype(str).to_numpy() != "micro")
    return np.where(wanted, reserves, 0).astype(np.int64)


def _check_capacity(quotas: pd.DataFrame, population: np.ndarray) -> None:
    over = quotas["quota"].to_numpy() > population
    if not over.any():
        return
    absent = over & (population == 0)
    if absent.any():
        raise_absent(quotas[absent])
    shown = quotas[over].assign(population=population[over])
    keys = list(cell_keys(quotas))
    raise SelectionError(
        f"{int(over.sum())} quota cells ask for more enterprises than the cell has "
        f"(in business):\n{shown[[*keys, 'quota', 'population']].head(20).to_string(index=False)}"
    )


def _check_big_enough(
    quotas: pd.DataFrame, draw: np.ndarray, available: np.ndarray, min_employees: int | None
) -> None:
    """Cells that the new enterprises of at least ``min_employees`` employees cannot fill."""
    short = draw > available
    if not short.any():
        return
    keys = list(cell_keys(quotas))
    shown = quotas[short].assign(to_draw=draw[short], candidates=available[short])
    raise SelectionError(
        f"{int(short.sum())} quota cells cannot be filled with enterprises of at least "
        f"{min_employees} employees (min_employees; the panel is kept whatever its size): "
        f"'candidates' are the cell's enterprises in business outside the panel that are big "
        f"enough\n{shown[[*keys, 'quota', 'to_draw', 'candidates']].head(20).to_string(index=False)}"
    )


def select(
    frame: pd.DataFrame,
    quotas: Any,
    *,
    method: Method = "pareto",
    size: str = "employees",
    panel: Any = None,
    reserves: int = 0,
    priority: str | None = None,
    order: Order = "prn",
    random_state: int | np.random.Generator | None = None,
    min_employees: int | None = MIN_EMPLOYEES,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Sample:
    """Draw the enterprises that fill each quota cell, keeping the valid panel.

    In each cell (city, section, size_class, state_owned; or city, industry group, size_class,
    state_owned when the quotas carry ``industry_group``) the valid panel enterprises count
    first; the rest of the quota is drawn from the other enterprises in business in the cell
    that have at least ``min_employees`` employees. A cell whose quota reaches its population
    is taken whole. A cell where the panel alone exceeds the quota keeps the whole panel, and
    :meth:`Sample.summary` names it.

    Parameters
    ----------
    frame : DataFrame
        One row per enterprise with ``enterprise_id, city, section, size_class, state_owned``
        (``sampling.prepare.prepare_frame`` adds the last three, and ``industry_group``), the
        ``size`` column for the size-based methods, ``employees`` for ``min_employees``, and
        optionally ``in_panel`` (yes/no), ``status`` (enterprises not in business,
        :func:`sampling.status.in_business`, are neither kept nor drawn) and ``prn``.
    quotas : QuotaTable or DataFrame
        Anything with ``to_frame()`` (a ``quotas.QuotaTable``) or a DataFrame with columns
        ``city, section, size_class, state_owned, quota`` and optionally ``industry_group``.
        When some group is a division (``C39``, ``C43``: :mod:`quotas.industry_groups`), the
        cells are industry groups, filled from the frame's ``industry_group`` cells: prepare the
        frame with the key industries the quotas were built with
        (``prepare_frame(frame, key_industries=...)``). Otherwise the cells are sections.
    method : {"srs", "systematic", "pareto", "poisson"}
        ``srs``: the enterprises with the smallest PRNs, ``pi = n / N`` (exact). ``systematic``:
        systematic PPS on ``size`` with a random start per cell, in PRN order (or frame order,
        ``order="frame"``), pi exact. ``pareto``: Pareto pi-ps sampling, the smallest
        ``Q = (U / (1 - U)) / (pi / (1 - pi))``; ``poisson``: sequential Poisson sampling,
        the smallest ``U / pi``. For these two the reported pi is the target probability, the
        usual approximation of the true inclusion probability: very close for Pareto even in
        small cells (Rosén 1997); for sequential Poisson the gap is visible in cells drawing
        only a few enterprises (a few percent of pi at n = 6), so Pareto is the default.
        Size-based pi come from :func:`sampling.inclusion_probabilities` (certainty units pi = 1).
    size : str
        Size column of the size-based methods (ignored by ``srs``).
    panel : list, Series or None
        Enterprise ids of the existing panel; None uses the frame's ``in_panel`` column.
        Ids not in the frame are an error.
    reserves : int
        Reserves per cell: the next ``reserves`` candidates in ranking order (PRN order for srs
        and systematic), role ``reserve`` with ``reserve_rank`` 1, 2, ... Only cells with a
        positive quota get reserves, and never a cell of micro enterprises: a reserve stands in
        for a monitored enterprise of its cell, and micro enterprises are not monitored.
    priority : str or None
        A numeric column ordering the candidates before the method's ranking (smaller first;
        missing last), for preferring e.g. enterprises exposed to market or trade shocks. This
        is a user's choice, not a design: the enterprises actually drawn no longer have the
        reported pi, the weights are nominal, and the Sample says so (``design_weights``).
    order : {"prn", "frame"}
        Order of the systematic pass within a cell.
    random_state : int, Generator or None
        Seed of the PRNs when the frame has no ``prn`` column (an int is the seed; a Generator
        draws one), and of the systematic random starts. Keep the same int every year to
        coordinate the samples.
    min_employees : int or None, default 10
        The smallest number of employees of a new enterprise or a reserve: smaller ones (and
        those whose number is missing) are not drawn (:mod:`sampling.eligibility`: the 2009
        rules ask for units "of a certain size"; 10 is this library's default, and
        :func:`sampling.structure` counts the same enterprises). Panel enterprises are kept
        whatever their size. The design's population of a cell
        (``cells["population"]``, the ``fpc`` of :meth:`Sample.to_survey_design`) is then its
        panel plus its enterprises of at least that size: the weights represent those.
        None (or 0) draws without a minimum.
    workers : int or None
        Threads for the passes over the rows (None: up to 4, see :mod:`basis.threads`); 1 runs
        serially. The sample does not depend on it.
    progress : callable, optional
        Called as ``progress(done, total)`` after each of its four stages (the cells coded and
        counted, the draw, the sample's table, the id checks), for a progress display (the
        command line's); never prints.

    Returns
    -------
    Sample
        Panel (pi = 1, weight 1: the panel is a take-all part of the design), new enterprises
        (weight = 1 / pi, so that the Horvitz-Thompson estimator of a cell total is unbiased
        given the panel), reserves, and invalid panel enterprises with role ``removed``.

    Raises
    ------
    SelectionError
        On an unknown method, missing columns, duplicate ids, panel ids not in the frame, a
        quota cell absent from the frame or above its population, a cell that its enterprises
        of at least ``min_employees`` cannot fill, industry groups of the quotas that the frame
        does not have (or the other way round), or a size-based quota needing more enterprises
        of positive size than the cell has.

    Notes
    -----
    Big frames are worked in slices of rows (and, for the size-based methods, in fixed groups
    of cells) on up to ``workers`` threads; numpy and pyarrow release the GIL in these passes. The
    slices and groups are fixed by the data, not by the machine, and each cell's draw depends
    only on its own rows, so the sample is the same whatever the number of cores. Ten million
    enterprises take about a second on two cores (``benchmarks/results.md``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling import select
    >>> frame = pd.DataFrame({
    ...     "enterprise_id": [f"E{i:02d}" for i in range(12)],
    ...     "city": "广州市", "section": "C", "size_class": "small", "state_owned": False,
    ...     "employees": [60, 80, 100, 120, 150, 200, 220, 250, 280, 290, 295, 299],
    ...     "in_panel": [True] + [False] * 11,
    ... })
    >>> quotas = pd.DataFrame({"city": ["广州市"], "section": ["C"], "size_class": ["small"],
    ...                        "state_owned": [False], "quota": [4]})
    >>> s = select(frame, quotas, method="srs", reserves=2, random_state=2013)
    >>> s.to_frame()["role"].value_counts().sort_index().to_dict()
    {'new': 3, 'panel': 1, 'reserve': 2}
    >>> s.to_frame().query("role == 'new'")["pi"].round(4).unique().tolist()  # 3 of 11
    [0.2727]

    References
    ----------
    Rosén, B. (1997). On sampling with probability proportional to size. Journal of
    Statistical Planning and Inference 62, 159-191 (Pareto pi-ps sampling).

    Ohlsson, E. (1998). Sequential Poisson sampling. Journal of Official Statistics 14(2),
    149-162.

    Madow, W. G. (1949). On the theory of systematic sampling, II. Annals of Mathematical
    Statistics 20, 333-354.

    人力资源社会保障部办公厅关于进一步做好失业动态监测工作的通知 (人社部函〔2011〕308号):
    panel kept, yearly replacement of invalid enterprises.

    劳动和社会保障部, 关于开展失业动态监测工作的通知 (2009): the monitored enterprises are of
    a certain size (min_employees).
    """
    _check_choice(method, METHODS, "method")
    _check_choice(order, ORDERS, "order")
    reserves = _check_reserves(reserves)
    min_employees = check_min_employees(min_employees, SelectionError)
    size_column = None if method == "srs" else size
    numeric = _check_frame(frame, size_column, priority)
    table = _quota_frame(quotas)
    seed, rng = seed_from(random_state)
    starts = rng.random(len(table))
    n_cells = len(table)

    def tick(done: int) -> None:
        if progress is not None:
            progress(done, 4)

    # Hashing the ids, the duplicate check (a sort), the status test, the row slices of the
    # cell coding and counting, and the groups of cells drawn by the size-based methods
    # release the GIL, so they share the cores (basis.threads): the hashes are computed block
    # by block on the threads, and their sort runs as a task beside the rest.
    with Workers(workers) as pool:
        hashes = id_hash(frame["enterprise_id"], seed=seed, workers=pool)
        valid = in_business_rows(frame)
        in_panel = _panel_mask(frame, panel)
        big = big_enough(frame, min_employees, SelectionError)
        check_groups_match(frame, table, valid if big is None else valid & (big | in_panel))
        slot = cell_slots(frame, table, workers=pool)
        checked = "status" in frame.columns or bool(in_panel.any())
        population, panel_count = slot_counts(pool, slot, valid, in_panel, n_cells, checked)
        repeats = pool.submit(repeated_hashes, hashes)
        prns = FramePrns(frame, seed, hashes)
        draw = np.maximum(table["quota"].to_numpy() - panel_count, 0)
        available = np.maximum(population - panel_count, 0)
        eligible = valid & ~in_panel if checked else None
        _check_capacity(table, population)
        if big is not None:
            eligible = big if eligible is None else eligible & big
            available = np.bincount(slot[eligible], minlength=n_cells + 1)[1:]
            _check_big_enough(table, draw, available, min_employees)
            population = panel_count + available
        reserves_per_cell = _reserves_per_cell(table, reserves)
        tick(1)
        if method == "srs" and priority is None:
            new_rows, res_rows, new_pi = draw_srs(
                pool, slot, prns, draw, available, reserves_per_cell, eligible
            )
        else:
            new_rows, res_rows, new_pi = draw_by_size(
                workers=pool,
                method=method,
                table=table,
                slot=slot,
                eligible=eligible,
                prns=prns,
                sizes=numeric.get(size_column) if size_column else None,
                size_column=size_column,
                priority=numeric.get(priority) if priority else None,
                draw=draw,
                available=available,
                reserves=reserves_per_cell,
                starts=starts,
                order=order,
            )
        tick(2)
        # reserves come sorted by cell then rank
        res_cell = slot[res_rows] - 1
        res_rank = np.arange(len(res_rows)) - np.searchsorted(res_cell, np.arange(n_cells))[res_cell]

        panel_rows = np.flatnonzero(in_panel & valid)
        removed_rows = np.flatnonzero(in_panel & ~valid)
        rows = np.concatenate([panel_rows, new_rows, res_rows, removed_rows])
        counts = [len(panel_rows), len(new_rows), len(res_rows), len(removed_rows)]
        role = np.repeat(np.arange(len(ROLES), dtype=np.int8), counts)
        pi_out = np.concatenate([np.ones(counts[0]), new_pi, np.full(counts[2] + counts[3], np.nan)])
        reserve_rank = np.concatenate(
            [np.zeros(counts[0] + counts[1], np.int64), res_rank + 1, np.zeros(counts[3], np.int64)]
        )
        sample, sample_cell = _sample_table(
            frame,
            rows,
            role,
            pi_out,
            reserve_rank,
            prns.at(rows),
            slot,
            size_column,
            priority,
            pool,
            cell_keys(table),
        )
        cells = _cells_table(table, population, sample, sample_cell)
        tick(3)
        # last, so that the sort of the hashes overlaps the building of the sample
        keys = comparison_keys(frame["enterprise_id"])
        _check_unique_ids(frame, hashes, repeats.result(), keys)
        tick(4)
    return Sample(
        table=sample,
        cells=cells,
        method=method,
        size=size_column,
        seed=prns.seed,
        priority=priority,
        min_employees=min_employees,
    )


class _Taker:
    """``column.iloc[rows]`` with a fresh index for many columns and the same rows.

    Arrow string columns read from Parquet come in many chunks, and a take across chunks
    copies them all first; they are taken chunk by chunk instead, with the split of ``rows``
    by chunk worked out once per chunk layout.
    """

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows
        self._plans: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, Any]] = {}

    def _plan(self, lengths: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, Any]:
        if lengths not in self._plans:
            import pyarrow as pa

            bounds = np.cumsum((0, *lengths))
            order = np.argsort(self.rows, kind="stable")
            ordered = self.rows[order]
            splits = np.searchsorted(ordered, bounds)
            inverse = np.empty(len(order), dtype=np.int64)
            inverse[order] = np.arange(len(order))
            self._plans[lengths] = (ordered, splits, pa.array(inverse))
        return self._plans[lengths]

    def __call__(self, column: pd.Series) -> pd.Series:
        rows = self.rows
        if not is_arrow_text(column) or not len(rows):
            return column.iloc[rows].reset_index(drop=True)
        import pyarrow as pa

        chunked = pa.array(column)
        if not isinstance(chunked, pa.ChunkedArray) or chunked.num_chunks < 2:
            return column.iloc[rows].reset_index(drop=True)
        lengths = tuple(len(chunk) for chunk in chunked.chunks)
        ordered, splits, inverse = self._plan(lengths)
        start = 0
        pieces = []
        for k, length in enumerate(lengths):
            if splits[k + 1] > splits[k]:
                local = ordered[splits[k] : splits[k + 1]] - start
                pieces.append(chunked.chunk(k).take(pa.array(local)))
            start += length
        taken = pa.concat_arrays(pieces).take(inverse)
        return pd.Series(pd.array(taken, dtype=column.dtype))


def _sample_table(
    frame: pd.DataFrame,
    rows: np.ndarray,
    role: np.ndarray,
    pi: np.ndarray,
    reserve_rank: np.ndarray,
    prn: np.ndarray,
    slot: np.ndarray,
    size: str | None,
    priority: str | None,
    workers: Workers,
    keys: tuple[str, ...],
) -> tuple[pd.DataFrame, np.ndarray]:
    """The sample rows ordered by cell, role, reserve rank and PRN; and their cell indices.

    ``role`` holds indices into :data:`ROLES`; ``keys`` are the cells' keys.
    """
    extra = [
        c
        for c in dict.fromkeys([*_EXTRA_COLUMNS, size, priority])
        if c is not None and c in frame.columns and c not in SAMPLE_COLUMNS and c not in keys
    ]
    cell_code = np.where(slot[rows] > 0, slot[rows], np.iinfo(np.int32).max)
    order = np.lexsort((prn, reserve_rank, role, cell_code))
    rows, role, pi, reserve_rank, prn = (rows[order], role[order], pi[order], reserve_rank[order], prn[order])
    reserve = role == ROLES.index("reserve")
    reason = np.full(len(rows), None, dtype=object)
    removed = role == ROLES.index("removed")
    if "status" in frame.columns and removed.any():
        reason[removed] = _Taker(rows[removed])(frame["status"]).to_numpy()
    with np.errstate(divide="ignore"):
        weight = 1.0 / pi
    take = _Taker(rows)
    names = ["enterprise_id", *keys, *extra]
    # pyarrow's take releases the GIL
    taken = dict(zip(names, workers.map(take, [frame[c] for c in names])))
    columns = {c: taken[c] for c in ["enterprise_id", *keys]}
    columns.update(
        role=np.array(ROLES, dtype=object)[role],
        pi=pi,
        weight=weight,
        prn=prn,
        reason=reason,
        reserve_rank=pd.arrays.IntegerArray(np.where(reserve, reserve_rank, 0), ~reserve),
        replaces=np.full(len(rows), None, dtype=object),
    )
    columns.update({c: taken[c] for c in extra})
    return pd.DataFrame(columns), slot[rows].astype(np.int64) - 1


def _cells_table(
    table: pd.DataFrame, population: np.ndarray, sample: pd.DataFrame, cell: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per quota cell (plus cells holding panel enterprises but no quota).

    ``cell`` is the quota cell index of each sample row (-1 for none), if already known.
    """
    roles = ROLES
    keys = list(cell_keys(table))
    if cell is None:
        cell = cell_index(sample, table.assign(quota=0)) if len(sample) else np.zeros(0, np.int64)
    role = sample["role"].to_numpy()
    data: dict[str, Any] = {key: table[key].to_numpy() for key in keys}
    data["quota"] = table["quota"].to_numpy()
    data["population"] = pd.array(population, dtype="Int64")
    for name in roles:
        data[name] = np.bincount(cell[(role == name) & (cell >= 0)], minlength=len(table))
    cells = pd.DataFrame(data)
    outside = sample[cell < 0]
    if len(outside):
        extra = outside.groupby([*keys, "role"], dropna=False).size().unstack("role", fill_value=0)
        extra = extra.reindex(columns=list(roles), fill_value=0).reset_index()
        extra["quota"] = 0
        extra["population"] = pd.NA
        cells = pd.concat([cells, extra[cells.columns]], ignore_index=True)
        cells["population"] = cells["population"].astype("Int64")
    cells = cells.rename(columns={"reserve": "reserves"})
    cells["overshoot"] = cells["panel"].to_numpy() > cells["quota"].to_numpy()
    return cells[[*keys, "quota", "population", "panel", "new", "reserves", "removed", "overshoot"]]
