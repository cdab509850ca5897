"""The replacement batch: take out invalid enterprises and fill their cells again.

The documents allow it only as one batch that the ministry arranges: "更换企业样本必须在部里统一安排下
进行，各地不应自主剔除、更换、补充" (人社部函〔2011〕308号; the 2011 adjustment was one coordinated batch
in December). So :func:`replace` asks who authorised the batch and records it on every row it
touches; without an authorisation it refuses, unless told to go on, and then warns loudly.
Only invalid units leave: closed or bankrupt (关闭破产) and no longer meeting the criteria
(不再符合条件) (剔除已关闭破产企业等无效监测样本); suspension, moving out and "other" are decrease
types of the monthly report, not reasons to drop a unit.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from basis.rows import rows_shown
from sampling.cells import INDUSTRY_GROUP, cell_keys
from sampling.cells import cell_index as _cell_of_rows
from sampling.designs import ranking_keys as _ranking_keys
from sampling.designs import smallest_per_cell
from sampling.eligibility import MIN_EMPLOYEES, big_enough, check_min_employees
from sampling.exceptions import SampleError, UnauthorisedReplacementWarning
from sampling.inclusion import grouped_inclusion
from sampling.prn import frame_prn, seed_from
from sampling.sample import Sample
from sampling.select import METHODS, _cells_table, _quota_frame
from sampling.status import KEPT_STATUSES, REMOVAL_STATUSES, in_business_rows

__all__ = ["UNAUTHORISED", "replace", "restore_sample"]

UNAUTHORISED = "未经部里安排 (not authorised)"
"""What ``authorised_by`` records for a batch run without an authorisation."""

_RULE = "更换企业样本必须在部里统一安排下进行，各地不应自主剔除、更换、补充"


def _check_invalid(invalid: Any, table: pd.DataFrame) -> pd.Series:
    if not isinstance(invalid, Mapping) and not isinstance(invalid, pd.Series):
        raise SampleError(f"invalid must map enterprise_id -> reason, got {type(invalid).__name__}")
    reasons = pd.Series(dict(invalid) if isinstance(invalid, Mapping) else invalid, dtype=object)
    kept = reasons[reasons.isin(KEPT_STATUSES)]
    if len(kept):
        shown = ", ".join(f"{i!r}: {r!r}" for i, r in kept.head(20).items())
        raise SampleError(
            f"{shown}: {', '.join(KEPT_STATUSES)} are decrease types of the monthly report, not "
            f"reasons to drop a unit; invalid units are {', '.join(REMOVAL_STATUSES)} "
            "(剔除已关闭破产企业等无效监测样本)"
        )
    unknown_reasons = reasons[~reasons.isin(REMOVAL_STATUSES)]
    if len(unknown_reasons):
        shown = ", ".join(f"{i!r}: {r!r}" for i, r in unknown_reasons.head(20).items())
        raise SampleError(f"unknown reasons {shown}; valid reasons: {', '.join(REMOVAL_STATUSES)}")
    active = table[table["role"].isin(["panel", "new", "reserve"])]
    unknown = reasons.index[~reasons.index.isin(active["enterprise_id"])]
    if len(unknown):
        removed = set(table.loc[table["role"] == "removed", "enterprise_id"])
        shown = ", ".join(f"{i!r}{' (already removed)' if i in removed else ''}" for i in unknown[:20])
        raise SampleError(f"{len(unknown)} enterprises are not in the sample: {shown}")
    return reasons


def restore_sample(
    table: pd.DataFrame,
    frame: pd.DataFrame,
    quotas: Any,
    *,
    method: str = "pareto",
    size: str = "employees",
    seed: int | None = None,
    min_employees: int | None = MIN_EMPLOYEES,
) -> Sample:
    """A :class:`Sample` again from its written table (``Sample.to_frame()``), for :func:`replace`.

    A sample saved to CSV or Parquet loses the draw's settings; they are given back here: the
    quotas it was drawn for, the method, the size column and the seed of the PRNs (not needed
    when the frame has a ``prn`` column). The seed is checked: it must give the PRNs the table
    records.

    Parameters
    ----------
    table : DataFrame
        Every row of the sample (panel, new, reserve and removed), with its canonical columns
        (``industry_group`` too when the quotas' cells are industry groups), ``reserve_rank``
        and ``prn``.
    frame : DataFrame
        The prepared frame the sample was drawn from.
    quotas : QuotaTable or DataFrame
        The quotas of the draw.
    method : {"srs", "systematic", "pareto", "poisson"}
    size : str
        The size column of the size-based methods.
    seed : int, optional
        The seed of the draw's PRNs.
    min_employees : int or None, default 10
        The draw's smallest size of a new enterprise (:func:`sampling.select`); replacements
        honour it too.

    Returns
    -------
    Sample

    Raises
    ------
    SampleError
        Missing columns, an unknown method or role, no seed where the frame has no PRNs, a seed
        that does not give the recorded PRNs.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling import select
    >>> from sampling.replace import restore_sample
    >>> frame = pd.DataFrame({"enterprise_id": [f"E{i}" for i in range(6)], "city": "广州市",
    ...     "section": "C", "size_class": "small", "state_owned": False, "employees": 50})
    >>> quotas = frame[["city", "section", "size_class", "state_owned"]].drop_duplicates().assign(quota=2)
    >>> s = select(frame, quotas, method="srs", reserves=1, random_state=5)
    >>> again = restore_sample(s.to_frame(), frame, quotas, method="srs", seed=5)
    >>> again.cells[["quota", "population", "new", "reserves"]].values.tolist()
    [[2, 6, 2, 1]]
    """
    from basis.booleans import parse_yes_no

    if method not in METHODS:
        raise SampleError(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    min_employees = check_min_employees(min_employees, SampleError)
    quota_table = _quota_frame(quotas)
    keys = list(cell_keys(quota_table))
    needed = ["enterprise_id", *keys, "role", "prn"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise SampleError(f"the sample table lacks columns {missing}; it has {list(table.columns)}")
    roles = ("panel", "new", "reserve", "removed")
    bad_role = ~table["role"].isin(roles)
    if bad_role.any():
        raise SampleError(
            f"unknown roles ({rows_shown(table.loc[bad_role.to_numpy(), 'role'].items())}); valid: {', '.join(roles)}"
        )
    owned, bad = parse_yes_no(table["state_owned"], blank=None)
    if bad.any():
        shown = rows_shown(table.loc[np.asarray(bad), "state_owned"].items())
        raise SampleError(f"state_owned must be yes or no; bad: {shown}")
    table = table.reset_index(drop=True).copy()
    owned = pd.Series(np.asarray(owned), index=table.index)
    table["state_owned"] = owned
    for column in ("pi", "weight", "prn"):
        if column in table.columns:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    rank = table["reserve_rank"] if "reserve_rank" in table.columns else pd.Series(pd.NA, index=table.index)
    table["reserve_rank"] = pd.to_numeric(rank, errors="coerce").astype("Int64")
    for column in ("reason", "replaces"):
        if column not in table.columns:
            table[column] = None
    _check_frame_groups(frame, keys)
    cell = _cell_of_rows(frame, quota_table)
    counted = in_business_rows(frame)
    big = big_enough(frame, min_employees, SampleError)
    if big is not None:  # as select counts a cell: its panel and the enterprises big enough
        counted &= (
            big | frame["enterprise_id"].isin(table.loc[table["role"] == "panel", "enterprise_id"]).to_numpy()
        )
    population = np.bincount(cell[counted & (cell >= 0)], minlength=len(quota_table))
    if "prn" not in frame.columns:
        if seed is None:
            raise SampleError("the frame has no prn column: give the seed the sample was drawn with")
        at = frame.set_index("enterprise_id").index.get_indexer(table["enterprise_id"])
        known = at >= 0
        derived = frame_prn(frame.iloc[at[known]], seed)[0]
        off = ~np.isclose(derived, table.loc[known, "prn"].to_numpy(dtype=np.float64), rtol=0, atol=1e-12)
        if off.any():
            raise SampleError(
                f"seed {seed} does not give the PRNs the sample records (e.g. "
                f"{table.loc[known, 'enterprise_id'].to_numpy()[off][0]!r}): give the seed of the draw"
            )
    return Sample(
        table=table,
        cells=_cells_table(quota_table, population, table),
        method=method,
        size=None if method == "srs" else size,
        seed=None if "prn" in frame.columns else seed,
        min_employees=min_employees,
    )


def _check_frame_groups(frame: pd.DataFrame, keys: list[str]) -> None:
    if INDUSTRY_GROUP in keys and INDUSTRY_GROUP not in frame.columns:
        raise SampleError(
            "the sample's cells are industry groups but the frame has no industry_group column: prepare "
            "it with the key industries of the quotas (sampling.prepare_frame(frame, key_industries=...))"
        )


def _check_authority(authorised_by: Any, unauthorised: bool) -> str:
    if authorised_by is not None:
        if not isinstance(authorised_by, str) or not authorised_by.strip():
            raise SampleError(f"authorised_by must name who arranged the batch, got {authorised_by!r}")
        return authorised_by.strip()
    if not unauthorised:
        raise SampleError(
            f"a replacement batch needs authorised_by (who arranged it): {_RULE} (人社部函〔2011〕308号). "
            "Pass unauthorised=True to go on anyway (it is recorded)."
        )
    warnings.warn(
        f"REPLACEMENT WITHOUT AUTHORISATION: {_RULE} (人社部函〔2011〕308号); the batch is recorded "
        f"as {UNAUTHORISED!r}",
        UnauthorisedReplacementWarning,
        stacklevel=3,
    )
    return UNAUTHORISED


def _check_batch(batch: Any, table: pd.DataFrame) -> str:
    used = set(table["batch"].dropna().astype(str)) if "batch" in table.columns else set()
    if batch is None:
        return str(len(used) + 1)
    if not isinstance(batch, str) or not batch.strip():
        raise SampleError(f"batch must be a label (text), got {batch!r}")
    if batch.strip() in used:
        raise SampleError(f"batch {batch!r} was already applied to this sample (used: {sorted(used)})")
    return batch.strip()


def replace(
    sample: Sample,
    frame: pd.DataFrame,
    *,
    invalid: Mapping[Any, str] | pd.Series,
    authorised_by: str | None = None,
    batch: str | None = None,
    unauthorised: bool = False,
    random_state: int | np.random.Generator | None = None,
) -> Sample:
    """Remove invalid enterprises and replace each within its own cell, as one authorised batch.

    Every other enterprise is kept. A removed enterprise keeps its row, with role
    ``removed`` and its reason. Its cell (its industry group's cell when the cells are industry
    groups) is filled back to the quota by the cell's reserves in ``reserve_rank`` order, then
    by the next enterprises of the frame in the method's ranking (PRN order for srs and
    systematic, the Pareto / sequential Poisson keys otherwise) that have at least the
    sample's ``min_employees``. A
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
        The frame the sample was drawn from (possibly updated: new enterprises can fill),
        prepared with the same key industries when the cells are industry groups.
    invalid : mapping or Series
        enterprise_id -> reason, 关闭破产 (closed or bankrupt) or 不再符合条件 (no longer
        meets the criteria). 停业整顿, 迁出本市 and 其他 are refused: they are decrease types of
        the monthly report. Reserves may be listed too (they leave the reserve list).
    authorised_by : str
        Who arranged the batch (e.g. the ministry's notice); recorded in ``authorised_by`` on
        every removed and replacing row. Required unless ``unauthorised=True``.
    batch : str, optional
        The batch's label, recorded in ``batch``; default the next number (``"1"`` for the
        first batch of a sample). A label already used is refused: a batch is applied once.
    unauthorised : bool, default False
        Go on without ``authorised_by``: an :class:`UnauthorisedReplacementWarning` says the
        documents do not allow it, and ``authorised_by`` records :data:`UNAUTHORISED`.
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
        No ``authorised_by`` (and ``unauthorised`` not set), a batch label already used, a
        reason that is a decrease type or unknown (the message lists the valid ones), an
        enterprise that is not in the sample.

    Warns
    -----
    UnauthorisedReplacementWarning
        When ``unauthorised=True`` and no ``authorised_by`` is given.

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
    >>> s2 = replace(s, frame, invalid={gone: "关闭破产"}, authorised_by="人社部 2013年12月统一调整")
    >>> t = s2.to_frame().set_index("enterprise_id")
    >>> t.loc[gone, "role"], t.loc[gone, "reason"], t.loc[first_reserve, "role"]
    ('removed', '关闭破产', 'new')
    >>> t.loc[first_reserve, ["batch", "authorised_by"]].tolist()
    ['1', '人社部 2013年12月统一调整']
    >>> bool(t.loc[first_reserve, "replaces"] == gone), float(round(t.loc[first_reserve, "pi"], 4))
    (True, 0.3333)

    References
    ----------
    人力资源社会保障部办公厅关于进一步做好失业动态监测工作的通知 (人社部函〔2011〕308号):
    "剔除已关闭破产企业等无效监测样本"; "更换企业样本必须在部里统一安排下进行，各地不应自主剔除、更换、
    补充" (the 2011 adjustment: one coordinated batch in December).

    Ohlsson, E. (1995). Coordination of samples using permanent random numbers. Business
    Survey Methods, Wiley, 153-169.
    """
    if not isinstance(sample, Sample):
        raise SampleError(f"sample must be a Sample, got {type(sample).__name__}")
    table = sample.table.copy()
    authority = _check_authority(authorised_by, unauthorised)
    label = _check_batch(batch, table)
    reasons = _check_invalid(invalid, table)
    before = table.set_index("enterprise_id")["role"]
    gone = table["enterprise_id"].isin(reasons.index).to_numpy()
    was_monitored = gone & table["role"].isin(["panel", "new"]).to_numpy()
    table.loc[gone, "reason"] = table.loc[gone, "enterprise_id"].map(reasons).to_numpy()
    table.loc[gone, "role"] = "removed"
    table.loc[gone, ["pi", "weight"]] = np.nan
    table.loc[gone, "reserve_rank"] = pd.NA

    cells = sample.cells
    keys = list(cell_keys(cells))
    _check_frame_groups(frame, keys)
    affected = table.loc[was_monitored, keys].drop_duplicates()
    affected = affected.merge(cells[[*keys, "quota"]], on=keys, how="left")
    affected["quota"] = affected["quota"].fillna(0).astype(np.int64)
    if len(affected):
        table = _refill(sample, table, frame, affected, table.loc[was_monitored], random_state)
    # The batch and its authority on every row whose role it changed (removed or replacing).
    changed = table["enterprise_id"].map(before).fillna("").to_numpy() != table["role"].to_numpy()
    for column in ("batch", "authorised_by"):
        if column not in table.columns:
            table[column] = pd.Series(pd.NA, index=table.index, dtype=object)
    table.loc[changed, "batch"] = label
    table.loc[changed, "authorised_by"] = authority
    table = _rerank_reserves(table, keys)
    # Removed enterprises (reserves too) leave their cell's population.
    left = table[table["enterprise_id"].isin(reasons.index)].groupby(keys).size()
    counts = cells[[*keys, "quota", "population"]].merge(
        left.rename("gone").reset_index(), on=keys, how="left"
    )
    population = counts["population"] - counts["gone"].fillna(0).astype(np.int64)
    new_cells = _cells_table(counts[[*keys, "quota"]], population.to_numpy(), table)
    return Sample(
        table=table,
        cells=new_cells,
        method=sample.method,
        size=sample.size,
        seed=sample.seed,
        priority=sample.priority,
        min_employees=sample.min_employees,
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
    big = big_enough(frame, sample.min_employees, SampleError)
    if big is not None:
        eligible &= big[rows]
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


def _rerank_reserves(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Renumber the remaining reserves 1, 2, ... per cell of ``keys``, in their old order."""
    reserve = table["role"].eq("reserve")
    ranks = table.loc[reserve].sort_values("reserve_rank").groupby(keys, sort=False).cumcount() + 1
    table.loc[ranks.index, "reserve_rank"] = ranks.to_numpy()
    role_order = table["role"].map({"panel": 0, "new": 1, "reserve": 2, "removed": 3})
    order = np.lexsort(
        (
            table["prn"].to_numpy(),
            table["reserve_rank"].fillna(0).to_numpy(dtype=np.int64),
            role_order.to_numpy(),
            *(pd.factorize(table[k], sort=True)[0] for k in reversed(keys)),
        )
    )
    return table.iloc[order].reset_index(drop=True)
