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
from sampling.cells import CELL_KEYS
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
    units = table[["enterprise_id", *CELL_KEYS]].assign(weight=weight.to_numpy())
    if "role" in table.columns:
        units["role"] = table["role"].to_numpy()
    panel = (units["role"] == "panel").to_numpy() if "role" in units.columns else np.zeros(len(units), bool)
    keys = pd.MultiIndex.from_frame(units[list(CELL_KEYS)].astype({"size_class": str, "state_owned": bool}))
    counted = pd.DataFrame({"panel": panel, "drawn": ~panel, "w": np.where(panel, 0.0, units["weight"])})
    by_cell = counted.groupby(keys, sort=False).sum()
    sizes = (
        register_cells.assign(size_class=register_cells["size_class"].astype(str))
        .groupby(list(CELL_KEYS))["enterprises"]
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
    for dim in DIMENSIONS:
        values = table[dim].astype(str) if dim == "size_class" else table[dim]
        smp = pd.Series(w_all).groupby([city, values.to_numpy()]).sum().unstack(fill_value=0.0)
        ref = pop.groupby(["city", dim])[basis].sum().unstack(fill_value=0).astype(float)
        rows = [c for c in cities if c in ref.index]
        columns = ref.columns.union(smp.columns)
        s_w = smp.reindex(index=rows, columns=columns, fill_value=0.0)
        p_w = ref.reindex(index=rows, columns=columns, fill_value=0.0)
        s_w.loc[PROVINCE] = smp.reindex(columns=columns, fill_value=0.0).sum()
        p_w.loc[PROVINCE] = ref.reindex(columns=columns, fill_value=0.0).sum()
        s_tot = s_w.sum(axis=1).to_numpy()
        s_sh = s_w.to_numpy() / np.where(s_tot > 0, s_tot, np.nan)[:, None]
        p_sh = p_w.to_numpy() / p_w.sum(axis=1).to_numpy()[:, None]
        share_parts.append(
            pd.DataFrame(
                {
                    "city": np.repeat(s_w.index.to_numpy(), len(columns)),
                    "dimension": dim,
                    "category": np.tile(columns.to_numpy(), len(s_w)),
                    "sample_share": s_sh.ravel(),
                    "population_share": p_sh.ravel(),
                }
            )
        )
        n = table["city"].value_counts().reindex(s_w.index, fill_value=0).to_numpy().copy()
        n[-1] = len(table)  # the PROVINCE row
        d = 0.5 * np.nansum(np.abs(s_sh - p_sh), axis=1)
        d[s_tot == 0] = np.nan
        outside = ((s_w.to_numpy() > 0) & (p_w.to_numpy() == 0)).any(axis=1)
        k = (p_sh > 0).sum(axis=1)
        testable = ~outside & (k >= 2) & (s_tot > 0) & (n >= 2)
        for label, bad in zip(s_w.index, outside):
            if bad:
                cats = [
                    str(cat)
                    for cat, sv, pv in zip(columns, s_w.loc[label], p_w.loc[label])
                    if sv > 0 and pv == 0
                ]
                notes.append(f"{label}: sample has {dim} {cats} absent from the register; no test")
        part = pd.DataFrame({"city": s_w.index, "dimension": dim, "n": n, "dissimilarity": d})
        stats_cols = ["w", "statistic", "scale", "df", "p_value"]
        part[stats_cols] = np.nan
        groups = s_w.index[testable]
        if weight is None:
            res = pearson_by_group(s_w.loc[groups], p_w.loc[groups])
            part.loc[testable, ["w", "statistic", "df", "p_value"]] = res[
                ["w", "statistic", "df", "p_value"]
            ].to_numpy()
            part.loc[testable, "scale"] = 1.0
            part["method"] = "pearson"
        else:
            part.loc[testable, stats_cols] = _rao_scott(values, w_all, city, design, p_w.loc[groups])[
                stats_cols
            ].to_numpy()
            part["method"] = "rao-scott-2"
            exact = testable & part["scale"].isna().to_numpy()
            if exact.any():
                notes.append(
                    f"{dim}: no sampling variance in {int(exact.sum())} of the weighted tests (no p-value): "
                    "every enterprise of a cell shares its category, so under the cell-stratified design "
                    "with equal weights within each cell the weighted shares are exact; they differ from "
                    "the register's only where the weights do not add up to its cell counts"
                )
        part.loc[~testable, "method"] = "none"
        too_far = (part["dissimilarity"] > max_d + 1e-9) | (part["w"] > max_w + 1e-9)
        part["status"] = np.where(too_far, "warn", "pass")
        rep_parts.append(part[list(REPRESENT_COLUMNS)])
    rep = pd.concat(rep_parts, ignore_index=True)
    order = {c: i for i, c in enumerate([*cities, PROVINCE])}
    rep = rep.sort_values("city", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
    return rep, pd.concat(share_parts, ignore_index=True)


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
