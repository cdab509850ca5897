"""The audit's representativeness: each city's (and the province's) composition against the
register's, with the test the sample's design calls for.

Without weights the sample is compared as counts: Pearson's test (:func:`pearson_by_group`).
With weights it is the design that :func:`sampling.sample.survey_design` defines: strata are
the quota cells (each cell's kept panel a take-all stratum of its own), the finite population
correction is the cell's number of enterprises in the register, and the test is the
second-order Rao-Scott test (:func:`rao_scott_by_group`, as R's ``svygofchisq``). The numbers
themselves (dissimilarity, Cohen's w, the tests, Kish's effective size) are computed by
:mod:`sampling.representativeness`; this module only arranges the audit's tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quotas.checks import PROVINCE
from sampling.cells import CELL_KEYS, INDUSTRY_GROUP, cell_keys
from sampling.representativeness import kish_by_group, pearson_by_group, rao_scott_by_group
from sampling.sample import survey_design

__all__ = ["DIMENSIONS", "REPRESENT_COLUMNS", "SHARE_COLUMNS"]

DIMENSIONS: tuple[str, ...] = ("section", "sector", "size_class", "state_owned")
"""The compositions compared with the register."""

REPRESENT_COLUMNS: tuple[str, ...] = (
    "city",
    "dimension",
    "method",
    "n",
    "dissimilarity",
    "w",
    "statistic",
    "scale",
    "df",
    "p_value",
    "status",
)
SHARE_COLUMNS: tuple[str, ...] = ("city", "dimension", "category", "sample_share", "population_share")


def design_of(
    table: pd.DataFrame, weight: pd.Series, register_cells: pd.DataFrame, notes: list[str]
) -> pd.DataFrame:
    """The sample's design (stratum and fpc of each listed enterprise, in the table's order).

    The cell sizes come from the register. A cell the register lacks is sized by the sum of its
    weights (exact for simple random sampling in the cell) and a cell the register makes
    smaller than the sample is taken as sampled whole; the notes say so.
    """
    # the strata of industry-group cells where the register has their sizes
    cells = list(cell_keys(table)) if INDUSTRY_GROUP in register_cells.columns else list(CELL_KEYS)
    units = table[["enterprise_id", *cells]].assign(weight=weight.to_numpy())
    if "role" in table.columns:
        units["role"] = table["role"].to_numpy()
    panel = (units["role"] == "panel").to_numpy() if "role" in units.columns else np.zeros(len(units), bool)
    keys = pd.MultiIndex.from_frame(units[cells].astype({"size_class": str, "state_owned": bool}))
    counted = pd.DataFrame({"panel": panel, "drawn": ~panel, "w": np.where(panel, 0.0, units["weight"])})
    by_cell = counted.groupby(keys, sort=False).sum()
    sizes = (
        register_cells.assign(size_class=register_cells["size_class"].astype(str))
        .groupby(cells)["enterprises"]
        .sum()
    )
    size = sizes.reindex(by_cell.index).astype(float)
    missing = size.isna() & (by_cell["drawn"] > 0)
    if missing.any():
        size[missing] = by_cell.loc[missing, "panel"] + by_cell.loc[missing, "w"].round()
        notes.append(
            f"design: {int(missing.sum())} cells of the sample are not in the register; their size is "
            "estimated by the sum of their weights (exact for simple random sampling in the cell)"
        )
    short = size < by_cell["panel"] + by_cell["drawn"]
    if short.any():
        size[short] = (by_cell["panel"] + by_cell["drawn"])[short]
        notes.append(
            f"design: {int(short.sum())} cells have more enterprises in the sample than in the register; "
            "they are taken as sampled whole (no variance)"
        )
    units["state_owned"] = units["state_owned"].astype(bool)
    units["size_class"] = units["size_class"].astype(str)
    return survey_design(units, cell_sizes=size.fillna(0))


def representativeness(
    table: pd.DataFrame,
    weight: pd.Series | None,
    design: pd.DataFrame | None,
    pop_cells: pd.DataFrame | None,
    cities: list[str],
    exclude_micro: bool,
    basis: str,
    max_d: float,
    max_w: float,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per city and dimension, the shares compared) with :data:`PROVINCE` last."""
    if pop_cells is None:
        return pd.DataFrame(columns=list(REPRESENT_COLUMNS)), pd.DataFrame(columns=list(SHARE_COLUMNS))
    w_all = weight.to_numpy() if weight is not None else np.ones(len(table))
    pop = pop_cells
    if exclude_micro:
        # Micro enterprises are the micro_excluded rule's business; compare the rest.
        keep = (table["size_class"].astype(str) != "micro").to_numpy()
        table, w_all = table[keep], w_all[keep]
        design = None if design is None else design[keep]
        pop = pop[pop["size_class"] != "micro"]
    if design is not None:
        _note_lonely(design, notes)
    rep_parts: list[pd.DataFrame] = []
    share_parts: list[pd.DataFrame] = []
    city = table["city"].to_numpy()
    # Cities as integer codes once: the rows are the sample's cities that the register has
    # (in the order of ``cities``), then the province; other cities count in the province only.
    in_register = set(pd.unique(pop["city"]))
    rows = pd.Index([c for c in cities if c in in_register])
    labels = rows.append(pd.Index([PROVINCE]))
    s_row = _row_codes(rows.get_indexer(city), len(rows))
    p_row = _row_codes(rows.get_indexer(pop["city"]), len(rows))
    n = np.bincount(s_row, minlength=len(rows) + 1)
    n[-1] = len(table)
    p_basis = pop[basis].to_numpy(dtype=float)
    for dim in DIMENSIONS:
        values = table[dim].astype(str) if dim == "size_class" else table[dim]
        s_codes, s_values = pd.factorize(values.to_numpy())
        p_codes, p_values = pd.factorize(pop[dim])
        # the categories of either side, sorted (as a groupby's would be)
        columns = pd.Index(p_values).union(pd.Index(s_values))
        s_w = _crossed(s_row, columns.get_indexer(s_values)[s_codes], w_all, len(labels), len(columns))
        p_w = _crossed(p_row, columns.get_indexer(p_values)[p_codes], p_basis, len(labels), len(columns))
        s_tot = s_w.sum(axis=1)
        s_sh = s_w / np.where(s_tot > 0, s_tot, np.nan)[:, None]
        p_sh = p_w / p_w.sum(axis=1)[:, None]
        share_parts.append(
            pd.DataFrame(
                {
                    "city": np.repeat(labels.to_numpy(), len(columns)),
                    "dimension": dim,
                    "category": np.tile(columns.to_numpy(), len(labels)),
                    "sample_share": s_sh.ravel(),
                    "population_share": p_sh.ravel(),
                }
            )
        )
        d = 0.5 * np.nansum(np.abs(s_sh - p_sh), axis=1)
        d[s_tot == 0] = np.nan
        absent = (s_w > 0) & (p_w == 0)
        outside = absent.any(axis=1)
        k = (p_sh > 0).sum(axis=1)
        testable = ~outside & (k >= 2) & (s_tot > 0) & (n >= 2)
        for label, bad in zip(labels[outside], absent[outside]):
            cats = [str(cat) for cat in columns[bad]]
            notes.append(f"{label}: sample has {dim} {cats} absent from the register; no test")
        stats = np.full((len(labels), 5), np.nan)  # w, statistic, scale, df, p_value
        tested = labels[testable]
        expected = pd.DataFrame(p_w[testable], index=tested, columns=columns)
        if weight is None:
            res = pearson_by_group(pd.DataFrame(s_w[testable], index=tested, columns=columns), expected)
            stats[testable] = res.assign(scale=1.0)[["w", "statistic", "scale", "df", "p_value"]].to_numpy()
            method = "pearson"
        else:
            stats[testable] = _rao_scott(values, w_all, city, design, expected)[
                ["w", "statistic", "scale", "df", "p_value"]
            ].to_numpy()
            method = "rao-scott-2"
            exact = testable & np.isnan(stats[:, 2])
            if exact.any():
                notes.append(
                    f"{dim}: no sampling variance in {int(exact.sum())} of the weighted tests (no p-value): "
                    "every enterprise of a cell shares its category, so under the cell-stratified design "
                    "with equal weights within each cell the weighted shares are exact; they differ from "
                    "the register's only where the weights do not add up to its cell counts"
                )
        too_far = (d > max_d + 1e-9) | (stats[:, 0] > max_w + 1e-9)
        rep_parts.append(
            pd.DataFrame(
                {
                    "city": labels,
                    "dimension": dim,
                    "method": np.where(testable, method, "none"),
                    "n": n,
                    "dissimilarity": d,
                    "w": stats[:, 0],
                    "statistic": stats[:, 1],
                    "scale": stats[:, 2],
                    "df": stats[:, 3],
                    "p_value": stats[:, 4],
                    "status": np.where(too_far, "warn", "pass"),
                }
            )
        )
    rep = pd.concat(rep_parts, ignore_index=True)
    order = {c: i for i, c in enumerate([*cities, PROVINCE])}
    rep = rep.sort_values("city", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
    return rep, pd.concat(share_parts, ignore_index=True)


def _row_codes(positions: np.ndarray, n_rows: int) -> np.ndarray:
    """Row of each unit: its city's position, or the province row ``n_rows`` for a city not
    compared."""
    return np.where(positions >= 0, positions, n_rows)


def _crossed(
    row: np.ndarray, column: np.ndarray, weight: np.ndarray, n_rows: int, n_columns: int
) -> np.ndarray:
    """Rows x columns table of summed weights whose last row (the province) sums every unit;
    units without a category (code -1) are left out, as a groupby leaves them."""
    keep = column >= 0
    out = np.bincount(
        (row * n_columns + column)[keep], weights=weight[keep], minlength=n_rows * n_columns
    ).reshape(n_rows, n_columns)
    out[-1] = out.sum(axis=0)
    return out


def _rao_scott(
    values: pd.Series, w: np.ndarray, city: np.ndarray, design: pd.DataFrame, expected: pd.DataFrame
) -> pd.DataFrame:
    """Each city's test within the city's cells, and the province's over all cells."""
    index = pd.RangeIndex(len(values))
    # Categories, cities and strata as integer codes: converting and hashing (Arrow) strings
    # once instead of in every call.
    codes, uniques = pd.factorize(values)
    labels = expected.columns.union(pd.Index(uniques), sort=False)
    cats = pd.Series(labels.get_indexer(uniques)[codes], index=index)
    expected = expected.reindex(columns=labels, fill_value=0.0).set_axis(range(len(labels)), axis=1)
    weights = pd.Series(w, index=index)
    # integer codes: the labels are long strings, and hashing them once is enough
    strata = pd.Series(pd.factorize(design["stratum"])[0], index=index)
    fpc = pd.Series(design["fpc"].to_numpy(), index=index)
    per_city = expected.drop(index=[PROVINCE], errors="ignore")
    parts = []
    if len(per_city):
        parts.append(
            rao_scott_by_group(
                cats,
                weights,
                per_city,
                groups=pd.Series(city, index=index),
                strata=strata,
                fpc=fpc,
                lonely="adjust",
            )
        )
    if PROVINCE in expected.index:
        parts.append(
            rao_scott_by_group(
                cats,
                weights,
                expected.loc[[PROVINCE]],
                groups=pd.Series(PROVINCE, index=index),
                strata=strata,
                fpc=fpc,
                lonely="adjust",
            )
        )
    return pd.concat(parts).reindex(expected.index)


def _note_lonely(design: pd.DataFrame, notes: list[str]) -> None:
    size = design.groupby("stratum", sort=False)["fpc"].agg(["size", "first"])
    lonely = int(((size["size"] == 1) & (size["first"] > 1)).sum())
    if lonely:
        notes.append(
            f"design: {lonely} cells have a single enterprise drawn from several; its variance is taken "
            "uncentred, as R's survey.lonely.psu = 'adjust' (conservative)"
        )


def weights_table(table: pd.DataFrame, weight: pd.Series | None, cities: list[str]) -> pd.DataFrame:
    """Kish's effective size and design effect of the weights by city, then the province."""
    cols = ["city", "n", "kish_n_eff", "deff_w"]
    if weight is None:
        return pd.DataFrame(columns=cols)
    w = pd.Series(weight.to_numpy(dtype=float))
    by_city = kish_by_group(w, pd.Series(table["city"].to_numpy()))
    by_city = by_city.reindex([c for c in cities if c in by_city.index])
    province = kish_by_group(w, pd.Series(PROVINCE, index=w.index))
    out = pd.concat([by_city, province])
    return out.rename_axis("city").reset_index()[cols]
