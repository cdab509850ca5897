"""The yearly replacement batch: take out invalid enterprises and fill their cells again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sampling.cells import CELL_KEYS as KEYS
from sampling.exceptions import SampleError
from sampling.inclusion import grouped_inclusion
from sampling.prn import frame_prn, seed_from
from sampling.sample import Sample
from sampling.select import (
    _cell_of_rows,
    _cells_table,
    _ranking_keys,
    smallest_per_cell,
)
from sampling.status import STATUSES as REASONS
from sampling.status import in_business_rows

__all__ = ["replace"]


def _check_invalid(invalid: Any, table: pd.DataFrame) -> pd.Series:
    if not isinstance(invalid, Mapping) and not isinstance(invalid, pd.Series):
        raise SampleError(f"invalid must map enterprise_id -> reason, got {type(invalid).__name__}")
    reasons = pd.Series(dict(invalid) if isinstance(invalid, Mapping) else invalid, dtype=object)
    unknown_reasons = reasons[~reasons.isin(REASONS)]
    if len(unknown_reasons):
        shown = ", ".join(f"{i!r}: {r!r}" for i, r in unknown_reasons.head(20).items())
        raise SampleError(f"unknown reasons {shown}; valid reasons: {', '.join(REASONS)}")
    active = table[table["role"].isin(["panel", "new", "reserve"])]
    unknown = reasons.index[~reasons.index.isin(active["enterprise_id"])]
    if len(unknown):
        removed = set(table.loc[table["role"] == "removed", "enterprise_id"])
        shown = ", ".join(f"{i!r}{' (already removed)' if i in removed else ''}" for i in unknown[:20])
        raise SampleError(f"{len(unknown)} enterprises are not in the sample: {shown}")
    return reasons


def replace(
    sample: Sample,
    frame: pd.DataFrame,
    *,
    invalid: Mapping[Any, str] | pd.Series,
    random_state: int | np.random.Generator | None = None,
) -> Sample:
    """Remove invalid enterprises and replace each within its own cell.

    Every other enterprise is kept. A removed enterprise keeps its row, with role
    ``removed`` and its reason. Its cell is filled back to the quota by the cell's reserves in
    ``reserve_rank`` order, then by the next enterprises of the frame in the method's ranking
    (PRN order for srs and systematic, the Pareto / sequential Poisson keys otherwise). A
    replacement's ``replaces`` column names the enterprise it stands in for. Removing an
    enterprise of a cell where the panel overshoots the quota needs no replacement.

    The removed enterprises leave the population of their cell, so the inclusion
    probabilities of the cell's new enterprises are recomputed on what remains: for srs
    ``n' / N'`` exactly (the result is a simple random sample of the remaining enterprises:
    the smallest PRNs); for the size-based methods the target pi of the remaining cell (an
    approximation; for systematic sampling the exactness is lost by the replacement).

    Parameters
    ----------
    sample : Sample
        The result of :func:`sampling.select` (or of an earlier ``replace``).
    frame : DataFrame
        The frame the sample was drawn from (possibly updated: new enterprises can fill).
    invalid : mapping or Series
        enterprise_id -> reason, one of 关闭破产 (closed or bankrupt), 停业整顿 (suspended),
        迁出本市 (moved out of the city), 不再符合条件 (no longer meets the criteria), 其他
        (other). Reserves may be listed too (they leave the reserve list).
    random_state : int, Generator or None
        Seed of the PRNs when the sample records none and the frame has no ``prn`` column;
        by default the seed recorded in the sample, so the PRNs are those of the draw.

    Returns
    -------
    Sample
        The new sample.

    Raises
    ------
    SampleError
        On an unknown reason (the message lists the valid ones) or an enterprise that is not
        in the sample.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling import replace, select
    >>> frame = pd.DataFrame({
    ...     "enterprise_id": [f"E{i:02d}" for i in range(10)],
    ...     "city": "广州市", "section": "C", "size_class": "small", "state_owned": False,
    ...     "employees": 100,
    ... })
    >>> quotas = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates()
    >>> s = select(frame, quotas.assign(quota=3), method="srs", reserves=2, random_state=1)
    >>> gone = s.to_frame().query("role == 'new'")["enterprise_id"].iloc[0]
    >>> first_reserve = s.to_frame().query("reserve_rank == 1")["enterprise_id"].iloc[0]
    >>> s2 = replace(s, frame, invalid={gone: "关闭破产"})
    >>> t = s2.to_frame().set_index("enterprise_id")
    >>> t.loc[gone, "role"], t.loc[gone, "reason"], t.loc[first_reserve, "role"]
    ('removed', '关闭破产', 'new')
    >>> bool(t.loc[first_reserve, "replaces"] == gone), float(round(t.loc[first_reserve, "pi"], 4))
    (True, 0.3333)

    References
    ----------
    人力资源社会保障部办公厅关于进一步做好失业动态监测工作的通知 (人社部函〔2011〕308号):
    invalid enterprises are removed and replaced once a year, in one batch.

    Ohlsson, E. (1995). Coordination of samples using permanent random numbers. Business
    Survey Methods, Wiley, 153-169.
    """
    if not isinstance(sample, Sample):
        raise SampleError(f"sample must be a Sample, got {type(sample).__name__}")
    table = sample.table.copy()
    reasons = _check_invalid(invalid, table)
    gone = table["enterprise_id"].isin(reasons.index).to_numpy()
    was_monitored = gone & table["role"].isin(["panel", "new"]).to_numpy()
    table.loc[gone, "reason"] = table.loc[gone, "enterprise_id"].map(reasons).to_numpy()
    table.loc[gone, "role"] = "removed"
    table.loc[gone, ["pi", "weight"]] = np.nan
    table.loc[gone, "reserve_rank"] = pd.NA

    cells = sample.cells
    affected = table.loc[was_monitored, list(KEYS)].drop_duplicates()
    affected = affected.merge(cells[[*KEYS, "quota"]], on=list(KEYS), how="left")
    affected["quota"] = affected["quota"].fillna(0).astype(np.int64)
    if len(affected):
        table = _refill(sample, table, frame, affected, table.loc[was_monitored], random_state)
    table = _rerank_reserves(table)
    # Removed enterprises (reserves too) leave their cell's population.
    left = table[table["enterprise_id"].isin(reasons.index)].groupby(list(KEYS)).size()
    counts = cells[[*KEYS, "quota", "population"]].merge(
        left.rename("gone").reset_index(), on=list(KEYS), how="left"
    )
    population = counts["population"] - counts["gone"].fillna(0).astype(np.int64)
    new_cells = _cells_table(counts[[*KEYS, "quota"]], population.to_numpy(), table)
    return Sample(
        table=table,
        cells=new_cells,
        method=sample.method,
        size=sample.size,
        seed=sample.seed,
        priority=sample.priority,
    )


def _refill(
    sample: Sample,
    table: pd.DataFrame,
    frame: pd.DataFrame,
    affected: pd.DataFrame,
    removed: pd.DataFrame,
    random_state: Any,
) -> pd.DataFrame:
    """Recompute pi in the affected cells and fill each back to its quota."""
    row_cell = _cell_of_rows(frame, affected)
    rows = np.flatnonzero(row_cell >= 0)
    cell = row_cell[rows]
    ids = frame["enterprise_id"].to_numpy()[rows]
    role = pd.Series(ids).map(table.set_index("enterprise_id")["role"]).to_numpy()
    rank = pd.Series(ids).map(table.set_index("enterprise_id")["reserve_rank"]).to_numpy()
    eligible = in_business_rows(frame)[rows] & (role != "removed") & (role != "panel")
    n_cells = len(affected)
    panel = np.bincount(cell[role == "panel"], minlength=n_cells)
    draw = np.maximum(affected["quota"].to_numpy() - panel, 0)
    new_now = np.bincount(cell[role == "new"], minlength=n_cells)
    shortfall = np.maximum(draw - new_now, 0)

    pool = np.flatnonzero(eligible)
    pcell = cell[pool]
    available = np.bincount(pcell, minlength=n_cells)
    draw = np.minimum(draw, available)
    if sample.seed is not None:
        seed = sample.seed
    elif "prn" in frame.columns:
        seed = 0
    else:
        if random_state is None:
            raise SampleError(
                "the sample's PRNs came from a prn column that this frame lacks; give the frame "
                "its prn column (or a random_state to derive new PRNs)"
            )
        seed, _ = seed_from(random_state)
    prn = frame_prn(frame.iloc[rows], seed)[0][pool]
    if sample.size is None:
        pi = np.where(available > 0, draw / np.maximum(available, 1), 0.0)[pcell]
        key = prn
    else:
        sizes = pd.to_numeric(frame[sample.size]).to_numpy(dtype=np.float64)[rows][pool]
        positive = np.bincount(pcell[sizes > 0], minlength=n_cells)
        draw = np.minimum(draw, positive)
        pi = grouped_inclusion(sizes, pcell, draw)
        key = prn if sample.method == "systematic" else _ranking_keys(sample.method, prn, pi)
    is_reserve = role[pool] == "reserve"
    order_key = np.where(is_reserve, pd.to_numeric(rank[pool], errors="coerce"), key)
    fill_from = role[pool] != "new"
    sub = np.flatnonzero(fill_from)
    pos, fill_rank = smallest_per_cell(
        pcell[sub], order_key[sub], shortfall, np.full(n_cells, np.inf), (~is_reserve[sub]).astype(np.int8)
    )
    chosen = pool[sub[pos]]

    by_id = table.set_index("enterprise_id")
    chosen_ids = ids[chosen]
    new_rows = frame.iloc[rows[chosen]]
    # Pair replacements with the removed enterprises of their cell, both in order.
    removed_cell = _cell_of_rows(removed, affected)
    removed_order = np.lexsort((np.arange(len(removed)), removed_cell))
    removed_rank = (
        np.arange(len(removed))
        - np.searchsorted(removed_cell[removed_order], np.arange(n_cells))[removed_cell[removed_order]]
    )
    pair = dict(
        zip(
            zip(removed_cell[removed_order], removed_rank), removed["enterprise_id"].to_numpy()[removed_order]
        )
    )
    replaces = [pair.get((c, r)) for c, r in zip(cell[chosen], fill_rank)]

    in_table = np.isin(chosen_ids, by_id.index)
    additions = pd.DataFrame({"enterprise_id": chosen_ids[~in_table]})
    for column in table.columns:
        if column != "enterprise_id" and column in new_rows.columns:
            additions[column] = new_rows[column].to_numpy()[~in_table]
    table = pd.concat([table, additions], ignore_index=True) if len(additions) else table
    index = pd.Index(table["enterprise_id"])
    at = index.get_indexer(chosen_ids)
    table.loc[at, "role"] = "new"
    table.loc[at, "reserve_rank"] = pd.NA
    table.loc[at, "prn"] = prn[sub[pos]]
    table.loc[at, "replaces"] = np.array(replaces, dtype=object)
    table.loc[at, "reason"] = None

    # New pi for every new enterprise of the affected cells.
    pool_ids = ids[pool]
    new_in_cells = table.index[table["role"].eq("new") & table["enterprise_id"].isin(pool_ids)]
    pi_of = pd.Series(pi, index=pool_ids)
    table.loc[new_in_cells, "pi"] = table.loc[new_in_cells, "enterprise_id"].map(pi_of).to_numpy()
    table.loc[new_in_cells, "weight"] = 1.0 / table.loc[new_in_cells, "pi"]
    return table


def _rerank_reserves(table: pd.DataFrame) -> pd.DataFrame:
    """Renumber the remaining reserves 1, 2, ... per cell, in their old order."""
    reserve = table["role"].eq("reserve")
    ranks = table.loc[reserve].sort_values("reserve_rank").groupby(list(KEYS), sort=False).cumcount() + 1
    table.loc[ranks.index, "reserve_rank"] = ranks.to_numpy()
    role_order = table["role"].map({"panel": 0, "new": 1, "reserve": 2, "removed": 3})
    order = np.lexsort(
        (
            table["prn"].to_numpy(),
            table["reserve_rank"].fillna(0).to_numpy(dtype=np.int64),
            role_order.to_numpy(),
            *(pd.factorize(table[k], sort=True)[0] for k in reversed(KEYS)),
        )
    )
    return table.iloc[order].reset_index(drop=True)
