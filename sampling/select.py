"""Drawing enterprises to fill the quota cells, keeping the panel, with permanent random numbers.

The cells are the quota cells (city, section, size_class, state_owned). Everything is
vectorised over enterprises and cells: rows get an integer cell code, quotas are mapped to
rows, and the k smallest ranking keys per cell are found by a linear pass keeping the rows
below a generous per-cell bound, then sorting only those (cells where the bound kept too few
fall back to all their rows). There is no Python loop over enterprises or cells.
"""

from __future__ import annotations

import numbers
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from basis import threads
from basis.arrow import is_arrow_text
from basis.booleans import parse_yes_no
from basis.threads import Workers
from sampling.cells import CELL_KEYS, cell_slots, raise_absent
from sampling.exceptions import SelectionError
from sampling.inclusion import grouped_inclusion
from sampling.prn import frame_prn, id_hash, prn_from_hash, seed_from
from sampling.roles import ROLES
from sampling.sample import SAMPLE_COLUMNS, Sample
from sampling.status import in_business_rows
from sampling.unique_ids import duplicated_ids, repeated_hashes

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
            f"frame lacks columns {missing}; run sampling.frame.prepare_frame to add "
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
    """The quotas as a DataFrame: a QuotaTable (anything with ``to_frame``) or a DataFrame."""
    table = quotas if isinstance(quotas, pd.DataFrame) else None
    if table is None and hasattr(quotas, "to_frame"):
        table = quotas.to_frame()
    if not isinstance(table, pd.DataFrame):
        raise SelectionError(f"quotas must be a QuotaTable or a DataFrame, got {type(quotas).__name__}")
    missing = [c for c in (*CELL_KEYS, "quota") if c not in table.columns]
    if missing:
        raise SelectionError(f"quotas lack columns {missing}")
    quota = pd.to_numeric(table["quota"], errors="coerce")
    bad = quota.isna() | (quota < 0) | (quota != np.floor(quota))
    if bad.any():
        shown = table.loc[bad, [*CELL_KEYS, "quota"]].head(10).to_string(index=False)
        raise SelectionError(f"quotas must be whole numbers >= 0:\n{shown}")
    duplicated = pd.MultiIndex.from_frame(table[list(CELL_KEYS)]).duplicated(keep=False)
    if duplicated.any():
        shown = table.loc[duplicated, list(CELL_KEYS)].head(10).to_string(index=False)
        raise SelectionError(f"quota cells listed more than once:\n{shown}")
    out = table[list(CELL_KEYS)].reset_index(drop=True).copy()
    out["quota"] = quota.astype(np.int64).to_numpy()
    return out


def _check_unique_ids(frame: pd.DataFrame, hashes: np.ndarray, repeated: np.ndarray) -> None:
    """Duplicate ids, found among the rows whose 64-bit hash is ``repeated``."""
    ids = frame["enterprise_id"]
    dup = ids[duplicated_ids(ids, hashes, repeated)]
    if len(dup):
        shown = ", ".join(repr(v) for v in pd.unique(dup)[:20])
        raise SelectionError(f"{dup.nunique()} enterprise ids occur more than once: {shown}")


def _cell_of_rows(frame: pd.DataFrame, quotas: pd.DataFrame) -> np.ndarray:
    """Index of each frame row's quota cell, -1 for rows in no quota cell."""
    return cell_slots(frame, quotas).astype(np.int64) - 1


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


def _check_capacity(quotas: pd.DataFrame, population: np.ndarray) -> None:
    over = quotas["quota"].to_numpy() > population
    if not over.any():
        return
    absent = over & (population == 0)
    if absent.any():
        raise_absent(quotas[absent])
    shown = quotas[over].assign(population=population[over])
    raise SelectionError(
        f"{int(over.sum())} quota cells ask for more enterprises than the cell has "
        f"(in business):\n{shown[[*CELL_KEYS, 'quota', 'population']].head(20).to_string(index=False)}"
    )


def _bounds(need: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Per-cell key bound keeping about ``need + 4 sqrt(need) + 8`` candidates.

    ``base`` is the expected number of candidates per unit of key (the cell's candidate count
    for PRNs, its sample size for Pareto and sequential Poisson keys, whose expected count below
    t is about ``t * n`` for small inclusion probabilities). Cells where the bound keeps too few
    are redone with all their candidates.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = (need + 4.0 * np.sqrt(need) + 8.0) / base
    return np.where(np.isfinite(bound), bound, np.inf)


def _cell_key_order(cell: np.ndarray, key: np.ndarray, n_cells: int, *tiebreak: np.ndarray) -> np.ndarray:
    """Permutation sorting by cell, then the tiebreak arrays (last first), then key, then position.

    Without tiebreaks: an argsort of the keys (stable only when keys tie, so that the result
    never depends on the sorting algorithm) followed by a stable sort of the cells, a radix
    sort when the cell codes fit 16 bits - several times faster than a lexsort.
    """
    if tiebreak:
        return np.lexsort((np.arange(len(key)), key, *tiebreak, cell))
    order = np.argsort(key)
    ordered = key[order]
    if len(key) > 1 and (ordered[1:] == ordered[:-1]).any():
        order = np.argsort(key, kind="stable")
    cells = cell[order]
    if n_cells <= 2**16:
        cells = cells.astype(np.uint16)
    return order[np.argsort(cells, kind="stable")]


def smallest_per_cell(
    cell: np.ndarray, key: np.ndarray, need: np.ndarray, bound: np.ndarray, *tiebreak: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and 0-based ranks of the ``need[c]`` smallest keys in each cell ``c``.

    Rows with ``key < bound[cell]`` are kept in one linear pass; cells that kept fewer than
    they need take all their rows; only the kept rows are sorted (by cell, key, then the
    ``tiebreak`` arrays, last most significant before key). Returns positions sorted by cell
    then rank.
    """
    n_cells = len(need)
    keep = (need > 0)[cell] & (key < bound[cell])
    short = need > np.bincount(cell[keep], minlength=n_cells)
    if short.any():
        keep |= short[cell]
    pos = np.flatnonzero(keep)
    pos = pos[_cell_key_order(cell[pos], key[pos], n_cells, *(t[pos] for t in tiebreak))]
    c = cell[pos]
    rank = np.arange(len(pos)) - np.searchsorted(c, np.arange(n_cells))[c]
    ok = rank < need[c]
    return pos[ok], rank[ok]


def systematic_hits(cell: np.ndarray, pi: np.ndarray, start: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Systematic PPS within cells, in the order the rows are given.

    The rows of a cell must be contiguous. Unit k of cell c is selected when an integer lies
    in ``(V_{k-1} - u_c, V_k - u_c]`` where ``V`` is the running sum of ``pi`` within the cell
    and ``u_c = start[c]`` in [0, 1) - the rule of R's ``sampling::UPsystematic``. ``pi`` must
    be strictly inside (0, 1); the last running sum of each cell is set to ``target[c]`` (the
    integer the ``pi`` sum to, up to rounding) so each cell gets exactly its sample size.
    """
    if len(cell) == 0:
        return np.zeros(0, dtype=bool)
    first = np.empty(len(cell), dtype=bool)
    first[0] = True
    np.not_equal(cell[1:], cell[:-1], out=first[1:])
    last = np.empty_like(first)
    last[:-1] = first[1:]
    last[-1] = True
    running = np.cumsum(pi)
    # within-cell running sums: subtract what came before the cell's first row
    at = np.flatnonzero(first)
    before = np.zeros(len(target))
    before[cell[at]] = running[at] - pi[at]
    running -= before[cell]
    running[last] = target[cell[last]]
    u = start[cell]
    below = running - pi
    below -= u
    running -= u
    np.floor(running, out=running)
    np.floor(below, out=below)
    return running > below


def _ranking_keys(method: str, prn: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """Ranking keys, smallest first: Pareto ``(U/(1-U)) / (pi/(1-pi))``, sequential Poisson ``U/pi``.

    Certainty units (pi = 1) get -1 and units of pi = 0 get +inf.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "pareto":
            key = prn * (1.0 - pi) / ((1.0 - prn) * pi)
        else:
            key = prn / pi
    key = np.where(pi >= 1.0, -1.0, key)
    return np.where(pi <= 0.0, np.inf, key)


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
    workers: int | None = None,
) -> Sample:
    """Draw the enterprises that fill each quota cell, keeping the valid panel.

    In each cell (city, section, size_class, state_owned) the valid panel enterprises count
    first; the rest of the quota is drawn from the other enterprises in business in the cell.
    A cell whose quota reaches its population is taken whole. A cell where the panel alone
    exceeds the quota keeps the whole panel, and :meth:`Sample.summary` names it.

    Parameters
    ----------
    frame : DataFrame
        One row per enterprise with ``enterprise_id, city, section, size_class, state_owned``
        (``sampling.frame.prepare_frame`` adds the last three), the ``size`` column for the
        size-based methods, and optionally ``in_panel`` (yes/no), ``status`` (enterprises
        not in business, :func:`sampling.status.in_business`, are neither kept nor drawn) and
        ``prn``.
    quotas : QuotaTable or DataFrame
        Anything with ``to_frame()`` (a ``quotas.QuotaTable``) or a DataFrame with columns
        ``city, section, size_class, state_owned, quota``.
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
        and systematic), role ``reserve`` with ``reserve_rank`` 1, 2, ...
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
    workers : int or None
        Threads for the passes over the rows (None: up to 4, see :mod:`basis.threads`); 1 runs
        serially. The sample does not depend on it.

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
        quota cell absent from the frame or above its population, or a size-based quota
        needing more enterprises of positive size than the cell has.

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
    """
    _check_choice(method, METHODS, "method")
    _check_choice(order, ORDERS, "order")
    reserves = _check_reserves(reserves)
    size_column = None if method == "srs" else size
    numeric = _check_frame(frame, size_column, priority)
    table = _quota_frame(quotas)
    seed, rng = seed_from(random_state)
    starts = rng.random(len(table))
    n_cells = len(table)
    # Hashing the ids, the duplicate check (a sort), the status test, the row slices of the
    # cell coding and counting, and the groups of cells drawn by the size-based methods
    # release the GIL, so they share the cores (basis.threads): the hashing and the sort run
    # as tasks beside the row passes.
    with Workers(workers) as pool:
        hashing = pool.submit(id_hash, frame["enterprise_id"], seed=seed)
        slot = cell_slots(frame, table, workers=pool)
        valid = in_business_rows(frame)
        in_panel = _panel_mask(frame, panel)
        checked = "status" in frame.columns or bool(in_panel.any())
        population, panel_count = _cell_counts(pool, slot, valid, in_panel, n_cells, checked)
        hashes = hashing.result()
        repeats = pool.submit(repeated_hashes, hashes)
        prns = _Prns(frame, seed, hashes)
        draw = np.maximum(table["quota"].to_numpy() - panel_count, 0)
        available = np.maximum(population - panel_count, 0)
        need = np.minimum(draw + reserves, available)
        eligible = valid & ~in_panel if checked else None
        _check_capacity(table, population)
        if method == "srs" and priority is None:
            # The k smallest PRNs per cell straight from the full frame: no per-row pi or keys.
            rows = _rows_below(pool, slot, prns, need, _bounds(need, available), eligible)
            cell = slot[rows] - 1
            pos, rank = smallest_per_cell(cell, prns.at(rows), need, np.full(n_cells, np.inf))
            is_new = rank < draw[cell[pos]]
            new_rows, res_rows = rows[pos[is_new]], rows[pos[~is_new]]
            new_pi = (draw / np.maximum(available, 1))[slot[new_rows] - 1]
        else:
            new_rows, res_rows, new_pi = _draw_by_size(
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
                reserves=reserves,
                starts=starts,
                order=order,
            )
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
            frame, rows, role, pi_out, reserve_rank, prns.at(rows), slot, size_column, priority, pool
        )
        cells = _cells_table(table, population, sample, sample_cell)
        # last, so that the sort of the hashes overlaps the building of the sample
        _check_unique_ids(frame, hashes, repeats.result())
    return Sample(
        table=sample, cells=cells, method=method, size=size_column, seed=prns.seed, priority=priority
    )


_CELL_GROUPS = 8
"""Groups of cells drawn side by side by the size-based methods (a constant: see
:func:`_draw_by_size`)."""


def _cell_groups(weight: np.ndarray, n_groups: int) -> np.ndarray:
    """Group of each cell: ``n_groups`` runs of consecutive cells of about equal total weight."""
    total = np.cumsum(weight, dtype=np.float64)
    if not len(total) or total[-1] <= 0:
        return np.zeros(len(weight), dtype=np.int64)
    return np.minimum((total - weight) * n_groups // total[-1], n_groups - 1).astype(np.int64)


def _draw_by_size(
    *,
    workers: Workers,
    method: str,
    table: pd.DataFrame,
    slot: np.ndarray,
    eligible: np.ndarray | None,
    prns: _Prns,
    sizes: np.ndarray | None,
    size_column: str | None,
    priority: np.ndarray | None,
    draw: np.ndarray,
    available: np.ndarray,
    reserves: int,
    starts: np.ndarray,
    order: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """New rows, reserve rows (by cell, then rank) and the new rows' pi, for every method but
    plain SRS.

    Cells are independent, so the candidates are split into :data:`_CELL_GROUPS` groups of
    consecutive cells of about equal size, drawn side by side on ``workers`` (for frames of more
    than :data:`basis.threads.ROWS_PER_TASK` rows; smaller ones are drawn group after group). The groups depend on
    the data only, never on the machine, so that floating-point sums (such as the running
    sums of systematic sampling) and hence the sample are the same everywhere.
    """
    n_cells = len(draw)
    need = np.minimum(draw + reserves, available)
    drawing = np.concatenate([[False], need > 0])
    n_groups = _CELL_GROUPS
    group = np.concatenate([[0], _cell_groups(np.where(need > 0, available, 0), n_groups)])

    def candidates(rows: slice) -> list[np.ndarray]:
        active = drawing[slot[rows]]
        if eligible is not None:
            active &= eligible[rows]
        found = np.flatnonzero(active) + rows.start
        g = group[slot[found]]
        return [found[g == k] for k in range(n_groups)]

    def gather(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        cand = np.concatenate([part[k] for part in parts])
        cell = slot[cand] - 1
        size = sizes[cand].astype(np.float64) if sizes is not None else None
        positive = np.bincount(cell[size > 0], minlength=n_cells) if size is not None else np.zeros(0)
        return cand, cell, prns.at(cand), size, positive

    def choose(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cand, cell, u, size, positive = gathered[k]
        pi, key = _design(method, cell, u, size, draw, available, positive)
        if priority is not None:
            rank_key = np.nan_to_num(priority[cand].astype(np.float64), nan=np.inf)
            pos, rank = smallest_per_cell(cell, key, need, np.full(n_cells, np.inf), rank_key)
            is_new = rank < draw[cell[pos]]
            new_pos, res_pos = pos[is_new], pos[~is_new]
        elif method == "systematic":
            new_pos = _systematic(cell, pi, u, starts, draw, order)
            if not reserves:
                return cand[new_pos], cand[:0], pi[new_pos]
            rest = np.ones(len(cand), dtype=bool)
            rest[new_pos] = False
            others = np.flatnonzero(rest)
            res_need = np.minimum(reserves, available - draw)
            res_pos, _ = smallest_per_cell(
                cell[others], u[others], res_need, _bounds(res_need, available - draw)
            )
            res_pos = others[res_pos]
        else:
            pos, rank = smallest_per_cell(cell, key, need, _bounds(need, np.maximum(draw, 1)))
            is_new = rank < draw[cell[pos]]
            new_pos, res_pos = pos[is_new], pos[~is_new]
        return cand[new_pos], cand[res_pos], pi[new_pos]

    each = workers.map if len(slot) > threads.ROWS_PER_TASK else _serial_map
    parts = workers.map_rows(candidates, len(slot))
    gathered = each(gather, range(n_groups))
    if sizes is not None:
        positive = np.sum([g[4] for g in gathered], axis=0)
        _check_positive_sizes(table, positive, draw, size_column or "")
    chosen = each(choose, range(n_groups))
    return (
        np.concatenate([c[0] for c in chosen]),
        np.concatenate([c[1] for c in chosen]),
        np.concatenate([c[2] for c in chosen]),
    )


def _serial_map(fn: Any, items: Any) -> list[Any]:
    return [fn(item) for item in items]


def _check_positive_sizes(table: pd.DataFrame, positive: np.ndarray, draw: np.ndarray, size: str) -> None:
    """``positive``: candidates of positive size per cell."""
    short = draw > positive
    if short.any():
        shown = table[short].assign(to_draw=draw[short], positive_size=positive[short])
        raise SelectionError(
            f"{int(short.sum())} cells must draw more enterprises than they have with "
            f"{size} > 0:\n{shown[[*CELL_KEYS, 'to_draw', 'positive_size']].head(20).to_string(index=False)}"
        )


def _design(
    method: str,
    cell: np.ndarray,
    prn: np.ndarray,
    sizes: np.ndarray | None,
    draw: np.ndarray,
    available: np.ndarray,
    positive: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Inclusion probability and ranking key of every candidate; ``positive`` counts the
    candidates of positive size in each cell (used only with ``sizes``)."""
    if sizes is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(available > 0, draw / available, 0.0)
        return rate[cell], prn
    # Cells drawing nothing still rank their candidates (for reserves) as if drawing one.
    ranking_n = np.where(draw > 0, draw, np.minimum(1, positive))
    ranking_pi = grouped_inclusion(sizes, cell, ranking_n)
    pi = np.where(draw[cell] > 0, ranking_pi, 0.0)
    if method == "systematic":
        return pi, prn
    return pi, _ranking_keys(method, prn, ranking_pi)


class _Prns:
    """The frame's PRNs, worked out only for the rows asked: its ``prn`` column, or else
    derived from the ids' hashes (then ``seed`` is the seed used, else None)."""

    def __init__(self, frame: pd.DataFrame, seed: int, hashes: np.ndarray) -> None:
        self.column, self.seed = frame_prn(frame, seed) if "prn" in frame.columns else (None, seed)
        self.hashes = hashes

    def at(self, rows: np.ndarray) -> np.ndarray:
        return self.column[rows] if self.column is not None else prn_from_hash(self.hashes[rows])

    def keys_below(self, bound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """An array ``key`` and limits ``limit`` such that ``key <= limit[c]`` keeps, in cell
        ``c``, the rows of PRN below about ``bound[c]`` (exactly a set of smallest PRNs).

        From the hashes, ``prn < b`` is tested as ``z >> 12 < floor(b 2**52)``, which keeps or
        drops all hashes of one PRN together, without converting every hash to a float.
        """
        if self.column is not None:
            return self.column, np.nextafter(bound, -np.inf)
        top = np.floor(np.clip(bound, 0.0, 1.0) * 2.0**52).astype(np.uint64)
        with np.errstate(over="ignore"):
            limit = (top << np.uint64(12)) - np.uint64(1)  # top = 2**52 wraps to 2**64 - 1
        return self.hashes, np.where(top > 0, limit, np.uint64(0))


def _cell_counts(
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


def _rows_below(
    workers: Workers,
    slot: np.ndarray,
    prns: _Prns,
    need: np.ndarray,
    bound: np.ndarray,
    eligible: np.ndarray | None,
) -> np.ndarray:
    """Frame rows whose PRN is below their cell's bound (cells short of ``need``: all rows).

    One linear pass over the frame, in row slices on ``workers``; ``eligible`` (or None for all
    rows) excludes the panel and enterprises out of business.
    """
    drawing = np.concatenate([[False], need > 0])
    key, cell_limit = prns.keys_below(bound)
    limit = np.concatenate([[cell_limit.dtype.type(0)], np.where(need > 0, cell_limit, 0)])

    def scan(rows: slice) -> np.ndarray:
        keep = key[rows] <= limit[slot[rows]]
        if eligible is not None:
            keep &= eligible[rows]
        return np.flatnonzero(keep) + rows.start

    rows = np.concatenate(workers.map_rows(scan, len(slot)))
    rows = rows[drawing[slot[rows]]]  # a key of 0 passes a limit of 0
    short = need > np.bincount(slot[rows] - 1, minlength=len(need))
    if short.any():
        more = np.concatenate([[False], short])[slot]
        more[rows] = False
        if eligible is not None:
            more &= eligible
        rows = np.sort(np.concatenate([rows, np.flatnonzero(more)]))
    return rows


def _grouped_order(cell: np.ndarray, prn: np.ndarray, order: str) -> np.ndarray:
    """Permutation sorting the rows by cell, then PRN (or not, ``order="frame"``), then position.

    Cell, the PRN's top bits and the row position are packed into one uint64 and sorted as
    values, much faster than an argsort or a lexsort; the rare runs of rows whose PRNs agree
    in those bits are then put in full PRN order, so the result never depends on how many
    bits were packed.
    """
    n = len(cell)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    index_bits = max(1, (n - 1).bit_length())
    cell_bits = max(1, int(cell.max()).bit_length())
    prn_bits = min(52, 64 - index_bits - cell_bits) if order == "prn" else 0
    if order == "prn" and prn_bits < 16:
        return np.lexsort((np.arange(n), prn, cell))
    packed = cell.astype(np.uint64) << np.uint64(index_bits + prn_bits)
    if prn_bits:
        packed |= (prn * float(2**prn_bits)).astype(np.uint64) << np.uint64(index_bits)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    out = (packed & np.uint64(2**index_bits - 1)).astype(np.int64)
    if prn_bits:
        head = packed >> np.uint64(index_bits)
        tie = head[1:] == head[:-1]
        if tie.any():
            in_run = np.zeros(n, dtype=bool)
            in_run[1:] |= tie
            in_run[:-1] |= tie
            at = np.flatnonzero(in_run)
            starts = np.ones(len(at), dtype=bool)
            starts[1:] = ~tie[at[1:] - 1]
            rows = out[at]
            out[at] = rows[np.lexsort((rows, prn[rows], np.cumsum(starts)))]
    return out


def _systematic(
    cell: np.ndarray, pi: np.ndarray, prn: np.ndarray, starts: np.ndarray, draw: np.ndarray, order: str
) -> np.ndarray:
    """Positions selected by systematic PPS: certainty units plus one systematic pass per cell."""
    certain = pi >= 1.0
    partial = np.flatnonzero((pi > 0.0) & ~certain)
    partial = partial[_grouped_order(cell[partial], prn[partial], order)]
    target = draw - np.bincount(cell[certain], minlength=len(draw))
    hits = systematic_hits(cell[partial], pi[partial], starts, target)
    return np.sort(np.concatenate([np.flatnonzero(certain), partial[hits]]))


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
) -> tuple[pd.DataFrame, np.ndarray]:
    """The sample rows ordered by cell, role, reserve rank and PRN; and their cell indices.

    ``role`` holds indices into :data:`ROLES`.
    """
    extra = [
        c
        for c in dict.fromkeys([*_EXTRA_COLUMNS, size, priority])
        if c is not None and c in frame.columns and c not in SAMPLE_COLUMNS
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
    names = ["enterprise_id", *CELL_KEYS, *extra]
    # pyarrow's take releases the GIL
    taken = dict(zip(names, workers.map(take, [frame[c] for c in names])))
    columns = {c: taken[c] for c in ["enterprise_id", *CELL_KEYS]}
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
    roles = ("panel", "new", "reserve", "removed")
    if cell is None:
        cell = _cell_of_rows(sample, table.assign(quota=0)) if len(sample) else np.zeros(0, np.int64)
    role = sample["role"].to_numpy()
    data: dict[str, Any] = {key: table[key].to_numpy() for key in CELL_KEYS}
    data["quota"] = table["quota"].to_numpy()
    data["population"] = pd.array(population, dtype="Int64")
    for name in roles:
        data[name] = np.bincount(cell[(role == name) & (cell >= 0)], minlength=len(table))
    cells = pd.DataFrame(data)
    outside = sample[cell < 0]
    if len(outside):
        extra = outside.groupby([*CELL_KEYS, "role"], dropna=False).size().unstack("role", fill_value=0)
        extra = extra.reindex(columns=list(roles), fill_value=0).reset_index()
        extra["quota"] = 0
        extra["population"] = pd.NA
        cells = pd.concat([cells, extra[cells.columns]], ignore_index=True)
        cells["population"] = cells["population"].astype("Int64")
    cells = cells.rename(columns={"reserve": "reserves"})
    cells["overshoot"] = cells["panel"].to_numpy() > cells["quota"].to_numpy()
    return cells[[*CELL_KEYS, "quota", "population", "panel", "new", "reserves", "removed", "overshoot"]]
