"""Splitting row targets across columns: per row, or biproportionally with column totals.

Without column totals each row's target is apportioned over its shares on its own. With column
totals the result is the biproportional apportionment of Balinski & Demange: there are row
divisors and column multipliers such that every cell is the method's rounding of
``share * column multiplier / row divisor``, every row adds to its target and every column to
its total. It is computed by Pukelsheim's tie-and-transfer algorithm, started from a continuous
alternating scaling.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from allocation.apportion import (
    _SIGNPOSTS,
    Method,
    _count_above,
    _divisor_method,
    _method_name,
    _plain,
    apportion,
)
from allocation.exceptions import AllocationError, InfeasibleAllocationError

__all__ = ["split"]

_TIE = 1e-9  # relative tolerance for two priorities to count as tied


def _check_targets(targets: pd.Series, what: str) -> np.ndarray:
    if not isinstance(targets, pd.Series):
        raise AllocationError(f"{what} must be a Series, got {type(targets).__name__}")
    values = pd.to_numeric(targets, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        shown = ", ".join(f"{k!r}: {_plain(v)!r}" for k, v in targets[bad].items())
        raise AllocationError(f"{what} must be non-negative integers; bad: {shown}")
    return values.astype(np.int64)


def _check_shares(shares: pd.DataFrame, index: pd.Index) -> np.ndarray:
    if not isinstance(shares, pd.DataFrame):
        raise AllocationError(f"shares must be a DataFrame (rows x categories), got {type(shares).__name__}")
    only_t = index.difference(shares.index).tolist()
    only_s = shares.index.difference(index).tolist()
    if only_t or only_s:
        raise AllocationError(
            f"targets and shares must have the same rows; only in targets: {only_t[:10]}, only in shares: {only_s[:10]}"
        )
    if shares.index.has_duplicates or shares.columns.has_duplicates:
        raise AllocationError("shares has duplicate row or column labels")
    frame = shares.reindex(index)
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        cells = ", ".join(
            f"({index[i]!r}, {shares.columns[j]!r}): {_plain(frame.iat[i, j])!r}"
            for i, j in np.argwhere(bad)[:10]
        )
        raise AllocationError(f"shares must be non-negative finite numbers; bad at {cells}")
    return values


def _flow_conflict(
    w: np.ndarray, rows: np.ndarray, cols: np.ndarray, row_labels: pd.Index, col_labels: pd.Index
) -> str | None:
    """None if some matrix on the support of ``w`` has these margins; else which rows and columns conflict."""
    r, c = w.shape
    source, sink = r + c, r + c + 1
    big = int(rows.sum()) + 1
    i_idx, j_idx = np.nonzero(w > 0)
    tails = np.concatenate([np.full(r, source), i_idx, r + np.arange(c)])
    heads = np.concatenate([np.arange(r), r + j_idx, np.full(c, sink)])
    caps = np.concatenate([rows, np.full(len(i_idx), big), cols]).astype(np.int32)
    graph = csr_matrix((caps, (tails, heads)), shape=(r + c + 2, r + c + 2))
    flow = maximum_flow(graph, source, sink)
    if flow.flow_value == rows.sum():
        return None
    # Rows and columns reachable from the source in the residual graph form the conflict:
    # those rows need more than the columns they can use will take. (The flow is
    # antisymmetric, so capacity minus flow includes the reverse arcs.)
    residual = (graph - flow.flow).tocsr()
    seen = np.zeros(r + c + 2, dtype=bool)
    seen[source] = True
    queue = deque([source])
    while queue:
        u = queue.popleft()
        lo, hi = residual.indptr[u], residual.indptr[u + 1]
        for v in residual.indices[lo:hi][residual.data[lo:hi] > 0]:
            if not seen[v]:
                seen[v] = True
                queue.append(v)
    bad_rows = np.flatnonzero(seen[:r])
    bad_cols = np.flatnonzero(seen[r : r + c])
    need = int(rows[bad_rows].sum())
    room = int(cols[bad_cols].sum())
    return (
        f"rows {[row_labels[i] for i in bad_rows]} need {need} in total but the only columns "
        f"with a positive share in them, {[col_labels[j] for j in bad_cols]}, take {room}"
    )


def _fit_rows(v: np.ndarray, targets: np.ndarray, signpost) -> np.ndarray:
    """Each row of ``v`` apportioned to its target by the divisor method.

    Long rows go one by one through the bounded divisor search. Short rows are done together:
    from the seats at the divisor ``sum / target`` (within one unit per cell of the answer)
    each row gains its next-highest-priority unit, or loses its lowest-priority one, until it
    hits its target; seats at a divisor are a prefix of the priority order (ties: larger
    weight, then earlier column), and these steps keep them one.
    """
    r, c = v.shape
    if c > 64 or r <= 4:
        zeros, inf = np.zeros(c), np.full(c, np.inf)
        return np.vstack(
            [_divisor_method(v[i], int(targets[i]), zeros, inf, signpost) for i in range(r)]
        ).astype(np.int64)
    pos = v > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        q = v * np.where(targets > 0, targets / v.sum(axis=1), 0.0)[:, None]
    x = np.where(pos, _count_above(q, signpost), 0.0)
    order = np.arange(c)
    while True:
        diff = targets - x.sum(axis=1)
        if not diff.any():
            return x.astype(np.int64)
        for grow in (True, False):
            sel = np.flatnonzero(diff > 0 if grow else diff < 0)
            if not len(sel):
                continue
            vs, xs = v[sel], x[sel]
            d = signpost(xs if grow else np.maximum(xs - 1, 0))
            with np.errstate(divide="ignore", invalid="ignore"):
                pri = np.where(d > 0, vs / d, np.inf)
            if grow:
                pri = np.where(vs > 0, pri, -np.inf)
                best = (pri == pri.max(axis=1, keepdims=True)) & (vs > 0)
                wt = np.where(best, vs, -np.inf)
                best &= wt == wt.max(axis=1, keepdims=True)
                pick = np.argmax(best, axis=1)  # earliest column among the ties
            else:
                pri = np.where(xs > 0, pri, np.inf)
                best = (pri == pri.min(axis=1, keepdims=True)) & (xs > 0)
                wt = np.where(best, vs, np.inf)
                best &= wt == wt.min(axis=1, keepdims=True)
                pick = c - 1 - np.argmax(best[:, ::-1], axis=1)  # latest column among the ties
            x[sel, order[pick]] += 1 if grow else -1


def _priorities(
    v: np.ndarray, x: np.ndarray, signpost, can_give: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: the priority of its last unit (NaN where it cannot give one up) and of its
    next unit (NaN on zero cells; infinite where the signpost is 0)."""
    d_last = signpost(np.maximum(x - 1, 0).astype(float))
    d_next = signpost(x.astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        last = np.where(can_give, np.where(d_last > 0, v / d_last, np.inf), np.nan)
        nxt = np.where(v > 0, np.where(d_next > 0, v / d_next, np.inf), np.nan)
    return last, nxt


def _row_divisors(v: np.ndarray, x: np.ndarray, signpost) -> np.ndarray:
    """A divisor per row under which ``x`` is that row's apportionment of ``v``.

    Any divisor between the largest priority of a unit not given and the smallest priority of
    a unit given works; the geometric mean of the two is taken.
    """
    last, nxt = _priorities(v, x, signpost, (x > 0) & (v > 0))
    last = np.where(np.isnan(last), np.inf, last).min(axis=1)
    nxt = np.where(np.isnan(nxt), 0.0, nxt).max(axis=1)
    lam = np.where(
        np.isfinite(last) & (nxt > 0), np.sqrt(last * nxt), np.where(np.isfinite(last), last / 2, nxt * 2)
    )
    return np.where((lam > 0) & np.isfinite(lam), lam, 1.0)


def _biproportional(
    w: np.ndarray, rows: np.ndarray, cols: np.ndarray, signpost, row_labels: pd.Index, col_labels: pd.Index
) -> np.ndarray:
    r, c = w.shape
    pos = w > 0
    # Methods with d(0) = 0 give every positive cell at least one unit.
    floor = (pos & (signpost(np.zeros(1))[0] == 0)).astype(np.int64)
    conflict = (
        _flow_conflict(w, rows - floor.sum(axis=1), cols - floor.sum(axis=0), row_labels, col_labels)
        if np.all(rows >= floor.sum(axis=1)) and np.all(cols >= floor.sum(axis=0))
        else (
            "each positive share needs at least one unit under this method, more than the targets "
            f"of rows {[row_labels[i] for i in np.flatnonzero(rows < floor.sum(axis=1))]} or the "
            f"totals of columns {[col_labels[j] for j in np.flatnonzero(cols < floor.sum(axis=0))]} allow"
        )
    )
    if conflict:
        raise InfeasibleAllocationError(f"no biproportional apportionment exists: {conflict}")
    # Continuous alternating scaling gives column multipliers close to the final ones.
    gamma = np.ones(c)
    for _ in range(50):
        fitted = w * gamma
        rs = fitted.sum(axis=1)
        fitted = fitted * np.divide(rows, rs, out=np.zeros(r), where=rs > 0)[:, None]
        cs = fitted.sum(axis=0)
        gamma = gamma * np.divide(cols, cs, out=np.ones(c), where=cs > 0)
    # Then Pukelsheim's alternating scaling on the integers: fit the rows, then the columns,
    # each time taking the divisors the fit implies, while the error keeps falling.
    x = _fit_rows(w * gamma, rows, signpost)
    best_error, stale = np.abs(x.sum(axis=0) - cols).sum(), 0
    while best_error and stale < 3:
        rho = 1.0 / _row_divisors(w * gamma, x, signpost)
        y = _fit_rows((w * rho[:, None]).T, cols, signpost).T
        if not (y.sum(axis=1) - rows).any():
            return y
        gamma = 1.0 / _row_divisors((w * rho[:, None]).T, y.T, signpost)
        x = _fit_rows(w * gamma, rows, signpost)
        error = np.abs(x.sum(axis=0) - cols).sum()
        best_error, stale = (error, 0) if error < best_error else (best_error, stale + 1)

    for _ in range(100 * (int(rows.sum()) + r * c)):
        excess = x.sum(axis=0) - cols
        if not excess.any():
            return x
        v = w * gamma
        last, nxt = _priorities(v, x, signpost, (x > floor) & pos)
        # Breadth-first search over ties: column j -> column k through row i when the unit
        # j gives up in row i ties with the unit k would take there.
        parent: dict[int, tuple[int, int]] = {}
        reached = np.zeros(c, dtype=bool)
        reached[excess > 0] = True
        queue = deque(np.flatnonzero(excess > 0).tolist())
        target = -1
        while queue and target < 0:
            j = queue.popleft()
            givers = np.flatnonzero(~np.isnan(last[:, j]))
            if not len(givers):
                continue
            tie = np.isclose(nxt[givers], last[givers, j][:, None], rtol=_TIE, atol=0) & ~reached
            via = givers[tie.argmax(axis=0)]
            for k in np.flatnonzero(tie.any(axis=0)):
                reached[k] = True
                parent[k] = (j, int(via[k]))
                if excess[k] < 0:
                    target = k
                    break
                queue.append(k)
        if target >= 0:
            k = target
            while k in parent:
                j, i = parent[k]
                x[i, j] -= 1
                x[i, k] += 1
                k = j
            continue
        # No path: lower the multipliers of the reached columns until a new tie appears.
        give = last[:, reached]
        take = nxt[:, ~reached]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = take[:, None, :] / give[:, :, None]
        ratio = ratio[np.isfinite(ratio)]
        if ratio.size == 0:  # pragma: no cover - excluded by the flow check above
            raise InfeasibleAllocationError(
                f"no biproportional apportionment: columns {[col_labels[j] for j in np.flatnonzero(reached)]} cannot pass units on"
            )
        gamma[reached] *= ratio.max()
    raise InfeasibleAllocationError(  # pragma: no cover - the algorithm is finite
        "tie-and-transfer did not converge; please report this input"
    )


def split(
    targets: pd.Series,
    shares: pd.DataFrame,
    *,
    column_totals: pd.Series | None = None,
    method: Method = "huntington-hill",
) -> pd.DataFrame:
    """Split each row's integer target across columns in proportion to its shares.

    Parameters
    ----------
    targets : Series
        Non-negative integer target per row (e.g. each city's sample), indexed by row.
    shares : DataFrame
        Non-negative weights, one row per target (same labels) and one column per category
        (e.g. secondary and tertiary industry). Rows need not add to 1.
    column_totals : Series, optional
        Integer total per column (e.g. the province's sector totals), adding to the sum of
        the targets. With it the split is the biproportional apportionment: rows and columns
        both hold exactly.
    method : str
        Apportionment method of :func:`allocation.apportion` (a divisor method when
        ``column_totals`` is given). With Huntington-Hill, Adams or Dean every positive share
        receives at least one unit when the target allows.

    Returns
    -------
    DataFrame of int64
        Same rows (in the order of ``targets``) and columns as ``shares``; each row adds to
        its target, and each column to its total if given.

    Raises
    ------
    AllocationError
        Mismatched labels, bad targets or shares (named by row and column), a positive target
        on a row of zero shares.
    InfeasibleAllocationError
        Column totals that do not add to the sum of the targets, or a zero pattern that makes
        the margins impossible; the message names the conflicting rows and columns.

    Notes
    -----
    Biproportional apportionment (Balinski & Demange 1989) finds row divisors ``r_i`` and
    column multipliers ``g_j`` with ``x_ij = round_d(w_ij g_j / r_i)`` for the method's
    rounding, rows adding to the targets and columns to the totals. It exists whenever some
    non-negative integer matrix on the positive cells has those margins (checked first by a
    maximum flow). The algorithm: alternating scaling of the real matrix for starting
    multipliers, row-wise apportionment, then tie-and-transfer: a unit moves from an
    over-full column to an under-full one along a chain of rows where the two cells' seat
    priorities tie; when there is no such chain, the multipliers of the columns reachable from
    the over-full ones are lowered until a new tie appears. Each transfer lowers the total
    column error by 2, so the algorithm is finite.

    References
    ----------
    Balinski, M. L. and Demange, G. (1989). An axiomatic approach to proportionality between
    matrices. *Mathematics of Operations Research* 14(4), 700-719.
    Maier, S., Zachariassen, P. and Zachariasen, M. (2010). Divisor-based biproportional
    apportionment in electoral systems: a real-life benchmark study. *Management Science*
    56(2), 373-387 (tie-and-transfer).
    Pukelsheim, F. (2017). *Proportional Representation*, 2nd ed., Springer, chapters 14-15.

    Examples
    --------
    >>> import pandas as pd
    >>> from allocation import split
    >>> targets = pd.Series({"a": 10, "b": 5})
    >>> shares = pd.DataFrame({"secondary": [0.62, 0.3], "tertiary": [0.38, 0.7]}, index=["a", "b"])
    >>> split(targets, shares).to_dict("list")
    {'secondary': [6, 2], 'tertiary': [4, 3]}
    >>> split(targets, shares, column_totals=pd.Series({"secondary": 7, "tertiary": 8})).to_dict("list")
    {'secondary': [6, 1], 'tertiary': [4, 4]}
    """
    name = _method_name(method)
    rows = _check_targets(targets, "targets")
    w = _check_shares(shares, targets.index)
    empty = (rows > 0) & (w.sum(axis=1) == 0)
    if empty.any():
        raise AllocationError(
            f"rows with a positive target but no positive share: {targets.index[empty].tolist()[:10]}"
        )
    out = pd.DataFrame(0, index=targets.index, columns=shares.columns, dtype=np.int64)
    if column_totals is None:
        if name != "hamilton":
            out.iloc[:, :] = _fit_rows(w, rows, _SIGNPOSTS[name])
            return out
        for i, label in enumerate(targets.index):
            if rows[i] > 0:
                row = pd.Series(w[i], index=shares.columns)
                out.loc[label] = apportion(row, int(rows[i]), method=name).to_numpy()
        return out
    if name == "hamilton":
        raise AllocationError("biproportional apportionment needs a divisor method, not 'hamilton'")
    only_c = shares.columns.difference(column_totals.index).tolist()
    only_t = column_totals.index.difference(shares.columns).tolist()
    if only_c or only_t:
        raise AllocationError(
            f"column_totals must have the columns of shares; missing: {only_c}, unknown: {only_t}"
        )
    cols = _check_targets(column_totals.reindex(shares.columns), "column_totals")
    if cols.sum() != rows.sum():
        raise InfeasibleAllocationError(
            f"column totals add to {cols.sum()} but the row targets to {rows.sum()}: "
            f"{column_totals.reindex(shares.columns).to_dict()}"
        )
    x = _biproportional(w, rows, cols, _SIGNPOSTS[name], targets.index, shares.columns)
    out.iloc[:, :] = x
    return out
