"""Sampling designs within cells: who is drawn, given each cell's numbers.

The methods of :func:`sampling.select`: simple random sampling by permanent random numbers
(the k smallest PRNs of a cell), systematic PPS, Pareto pi-ps and sequential Poisson sampling.
Everything is vectorised over enterprises and cells: the k smallest ranking keys per cell are
found by a linear pass keeping the rows below a generous per-cell bound, then sorting only
those (cells where the bound kept too few fall back to all their rows). There is no Python
loop over enterprises or cells.

References
----------
Ohlsson, E. (1995). Coordination of samples using permanent random numbers. In Cox, B. G. et
al. (eds), Business Survey Methods, Wiley, 153-169.

Rosén, B. (1997). On sampling with probability proportional to size. Journal of Statistical
Planning and Inference 62, 159-191 (Pareto pi-ps sampling).

Ohlsson, E. (1998). Sequential Poisson sampling. Journal of Official Statistics 14(2), 149-162.

Madow, W. G. (1949). On the theory of systematic sampling, II. Annals of Mathematical
Statistics 20, 333-354.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from basis import threads
from basis.threads import Workers
from sampling.cells import CELL_KEYS
from sampling.exceptions import SelectionError
from sampling.inclusion import grouped_inclusion
from sampling.prn import FramePrns

__all__ = [
    "draw_by_size",
    "draw_srs",
    "grouped_order",
    "ranking_keys",
    "smallest_per_cell",
    "systematic_hits",
]


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


def ranking_keys(method: str, prn: np.ndarray, pi: np.ndarray) -> np.ndarray:
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


def draw_srs(
    workers: Workers,
    slot: np.ndarray,
    prns: FramePrns,
    draw: np.ndarray,
    available: np.ndarray,
    reserves: np.ndarray,
    eligible: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """New rows, reserve rows (by cell, then rank) and the new rows' pi of simple random
    sampling: in each cell the ``draw`` eligible rows of smallest PRN, then the reserves.

    The k smallest PRNs per cell come straight from the full frame (:func:`_rows_below`), with
    no per-row pi or keys; ``pi = n / N`` is exact.
    """
    n_cells = len(draw)
    need = np.minimum(draw + reserves, available)
    rows = _rows_below(workers, slot, prns, need, _bounds(need, available), eligible)
    cell = slot[rows] - 1
    pos, rank = smallest_per_cell(cell, prns.at(rows), need, np.full(n_cells, np.inf))
    is_new = rank < draw[cell[pos]]
    new_rows, res_rows = rows[pos[is_new]], rows[pos[~is_new]]
    new_pi = (draw / np.maximum(available, 1))[slot[new_rows] - 1]
    return new_rows, res_rows, new_pi


_CELL_GROUPS = 8
"""Groups of cells drawn side by side by the size-based methods (a constant: see
:func:`draw_by_size`)."""


def _cell_groups(weight: np.ndarray, n_groups: int) -> np.ndarray:
    """Group of each cell: ``n_groups`` runs of consecutive cells of about equal total weight."""
    total = np.cumsum(weight, dtype=np.float64)
    if not len(total) or total[-1] <= 0:
        return np.zeros(len(weight), dtype=np.int64)
    return np.minimum((total - weight) * n_groups // total[-1], n_groups - 1).astype(np.int64)


def draw_by_size(
    *,
    workers: Workers,
    method: str,
    table: pd.DataFrame,
    slot: np.ndarray,
    eligible: np.ndarray | None,
    prns: FramePrns,
    sizes: np.ndarray | None,
    size_column: str | None,
    priority: np.ndarray | None,
    draw: np.ndarray,
    available: np.ndarray,
    reserves: np.ndarray,
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
            if not reserves.any():
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
    return pi, ranking_keys(method, prn, ranking_pi)


def _rows_below(
    workers: Workers,
    slot: np.ndarray,
    prns: FramePrns,
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


def grouped_order(cell: np.ndarray, prn: np.ndarray, order: str) -> np.ndarray:
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
    partial = partial[grouped_order(cell[partial], prn[partial], order)]
    target = draw - np.bincount(cell[certain], minlength=len(draw))
    hits = systematic_hits(cell[partial], pi[partial], starts, target)
    return np.sort(np.concatenate([np.flatnonzero(certain), partial[hits]]))
