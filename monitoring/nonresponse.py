"""Non-response: which monitored enterprises reported, and the weights the estimates use.

A monitored enterprise responded when its report has both the base employment (3) and the end
employment (4). An end left blank with the change (5) filled is taken as (3) + (5) (the form's
relation (5) = (4) - (3)), so a closure reported as a decrease of the whole base counts as a
respondent with end employment 0: closures are job losses, never non-response. An enterprise
without a report, or with a blank (4) and (5), did not respond.

Two documented adjustments (``method``):

``"cell"`` (default)
    Weighting-class adjustment within the design's strata (the quota cells, or, in the
    sample's survey design, each cell's panel and its drawn enterprises): the respondents of
    stratum h carry the weight of all its monitored enterprises,
    w*_i = w_i x (sum_{s_h} w) / (sum_{r_h} w). Under the response-homogeneity-group model
    (within a stratum every enterprise responds with the same probability, independently) the
    respondents are a stratified random sample of r_h from N_h, and the variance is the
    stratified formula with r_h in place of n_h (Särndal, Swensson and Wretman 1992, section
    15.6.2). A stratum with no respondent (``empty_cells``): ``"collapse"`` spreads the sum of
    its monitored enterprises' weights over the respondents of the nearest coarser group that
    has respondents (:meth:`monitoring.design.Design.collapse_levels`: its quota cell, then the
    same city, section and size class (other ownership), then the same city and section, then
    the same city), in proportion to their adjusted weights; a city with no respondent at all
    is an error (its estimates would rest on other cities). ``"error"`` raises an error naming
    the empty strata. The total weight is kept: the adjusted weights add up to the design
    weights of all monitored enterprises.

``"unchanged"``
    Each non-respondent is imputed as unchanged since its base (end = base, so it did not
    fall), with its design weight: the "no change" imputation of monthly business surveys, for
    enterprises that usually report late rather than change. It needs the base of every
    non-respondent (its row with (3) filled); the variance treats the imputed values as
    observed, so it is too small by the imputation's own variance.

References
----------
Särndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*.
Springer, section 15.6 (response homogeneity groups).
Kalton, G. and Flores-Cervantes, I. (2003). Weighting methods. *Journal of Official
Statistics* 19(2), 81-97 (weighting-class adjustment, collapsing cells).
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 9.2
(non-response adjustment within strata).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from basis.results import Result
from basis.rows import value_shown
from monitoring.design import Design, _label, as_design
from monitoring.exceptions import EstimationError

if TYPE_CHECKING:
    from sampling.sample import Sample

__all__ = ["EMPTY_CELLS", "NONRESPONSE", "Adjustment", "EmptyCells", "Nonresponse", "adjust_nonresponse"]

Nonresponse = Literal["cell", "unchanged"]
NONRESPONSE: tuple[str, ...] = ("cell", "unchanged")
EmptyCells = Literal["collapse", "error"]
EMPTY_CELLS: tuple[str, ...] = ("collapse", "error")

_NUMBERS = ("base_employment", "end_employment")


@dataclass(frozen=True, eq=False, repr=False)
class Adjustment(Result):
    """The enterprises the estimates use, with their adjusted weights, and the adjustment per cell.

    Attributes
    ----------
    data : DataFrame
        One row per enterprise used: the design's columns, ``base_employment, end_employment``,
        ``responded`` (False for an imputed non-respondent), ``design_weight`` and ``weight``
        (adjusted), then the report's other columns.
    cells : DataFrame
        One row per stratum: its keys, ``n`` (monitored), ``respondents``, ``enterprises``
        (N_h), ``factor`` (adjusted weight / design weight of its respondents) and
        ``collapsed_into`` (for a cell without respondents, the group that carries its weight).
    design : Design
        The design the enterprises come from.
    method : str
        ``"cell"`` or ``"unchanged"``.
    """

    data: pd.DataFrame
    cells: pd.DataFrame
    design: Design
    method: str

    def headline(self) -> str:
        monitored = int(self.cells["n"].sum())
        responded = int(self.cells["respondents"].sum())
        empty = int((self.cells["respondents"] == 0).sum())
        return (
            f"{responded:,} of {monitored:,} monitored enterprises responded "
            f"({responded / monitored:.1%}); adjustment {self.method!r}"
            + (f"; {empty} cells without respondents" if empty else "")
        )

    def to_frame(self) -> pd.DataFrame:
        return self.cells.copy()

    def summary(self) -> str:
        lines = [self.headline()]
        empty = self.cells[self.cells["respondents"] == 0]
        for row in empty.head(10).itertuples(index=False):
            key = _label(tuple(getattr(row, c) for c in self.design.strata))
            target = f"carried by {row.collapsed_into}" if row.collapsed_into else "imputed unchanged"
            lines.append(f"  {key}: {row.n} monitored, none responded; {target}")
        if len(empty) > 10:
            lines.append(f"  ... and {len(empty) - 10} more")
        return "\n".join(lines)


def adjust_nonresponse(
    reports: pd.DataFrame,
    design: Design | Sample | pd.DataFrame,
    *,
    method: Nonresponse = "cell",
    empty_cells: EmptyCells = "collapse",
) -> Adjustment:
    """Respondents and adjusted weights for one month's reports (module docstring).

    Parameters
    ----------
    reports : DataFrame
        One month's reports: ``enterprise_id, base_employment, end_employment`` and optionally
        ``change`` and the form's other columns.
    design : Design, Sample or DataFrame
        The monitored enterprises' design (:func:`monitoring.design.as_design`).
    method : {"cell", "unchanged"}
        The adjustment.
    empty_cells : {"collapse", "error"}
        With ``method="cell"``, what to do with a cell where nobody responded.

    Returns
    -------
    Adjustment

    Raises
    ------
    EstimationError
        A report of an enterprise not in the design, an enterprise reported twice, a negative
        or non-numeric employment, an end without a base; a cell without respondents under
        ``empty_cells="error"``, a city without respondents; a non-respondent without its base
        under ``method="unchanged"``.

    Examples
    --------
    One cell of 20 enterprises, 4 monitored with weight 5; one did not report, so the other
    three carry 20 / 15 of their weight:

    >>> import pandas as pd
    >>> design = pd.DataFrame({"enterprise_id": list("abcd"), "city": "广州市", "section": "C",
    ...     "size_class": "small", "state_owned": False, "weight": 5.0, "fpc": 20})
    >>> reports = pd.DataFrame({"enterprise_id": list("abc"), "base_employment": [10, 20, 30],
    ...                         "end_employment": [10, 0, 33]})
    >>> adjusted = adjust_nonresponse(reports, design)
    >>> adjusted.data["weight"].round(4).tolist()
    [6.6667, 6.6667, 6.6667]
    >>> adjusted.headline()
    "3 of 4 monitored enterprises responded (75.0%); adjustment 'cell'"
    """
    if method not in NONRESPONSE:
        raise ValueError(f"nonresponse must be one of {', '.join(map(repr, NONRESPONSE))}, got {method!r}")
    if empty_cells not in EMPTY_CELLS:
        raise ValueError(
            f"empty_cells must be one of {', '.join(map(repr, EMPTY_CELLS))}, got {empty_cells!r}"
        )
    design = as_design(design)
    reports = _report_numbers(reports, design)
    units = design.table
    extra = ["enterprise_id", *[c for c in reports.columns if c not in units.columns]]
    data = units.merge(reports[extra], on="enterprise_id", how="left", validate="one_to_one")
    data["responded"] = data["base_employment"].notna() & data["end_employment"].notna()
    data.insert(len(units.columns), "design_weight", data["weight"])
    strata = list(design.strata)
    stratum = data.groupby(strata, sort=True, dropna=False, observed=True).ngroup().to_numpy()
    cells = design.strata_table()[[*strata, "n", "fpc"]].copy()
    responded = data["responded"].to_numpy()
    cells["respondents"] = np.bincount(stratum[responded], minlength=len(cells))
    if method == "unchanged":
        data, cells = _unchanged(data, cells)
    else:
        data, cells = _reweight(data, cells, stratum, design, empty_cells)
    columns = [*units.columns, *[c for c in data.columns if c not in units.columns]]
    cells = cells[[*strata, "n", "respondents", "fpc", "factor", "collapsed_into"]]
    return Adjustment(data=data[columns].reset_index(drop=True), cells=cells, design=design, method=method)


def _report_numbers(reports: pd.DataFrame, design: Design) -> pd.DataFrame:
    """The reports' employment as floats, end taken from (3) + (5) where (4) is blank; checked."""
    if not isinstance(reports, pd.DataFrame):
        raise EstimationError(f"reports must be a DataFrame, got {type(reports).__name__}")
    missing = [c for c in ("enterprise_id", *_NUMBERS) if c not in reports.columns]
    if missing:
        raise EstimationError(f"reports: missing column(s) {', '.join(map(repr, missing))}")
    ids = reports["enterprise_id"]
    repeated = ids[ids.duplicated()].unique()
    if len(repeated):
        raise EstimationError(f"reports: enterprise(s) reported more than once: {_ids(repeated)}")
    unknown = ids[~ids.isin(design.table["enterprise_id"])]
    if len(unknown):
        raise EstimationError(f"reports: enterprise(s) not in the design (not monitored): {_ids(unknown)}")
    out = reports.copy()
    for column in (*_NUMBERS, "change"):
        if column not in out.columns:
            continue
        raw = out[column]
        value = pd.to_numeric(raw, errors="coerce").astype(float)
        bad = raw.notna() & value.isna()
        if column != "change":
            bad |= value < 0
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise EstimationError(
                f"reports: {column} of enterprise {ids.iloc[i]!r} must be a number >= 0, got {value_shown(raw.iloc[i])}"
            )
        out[column] = value
    if "change" in out.columns:
        derived = out["end_employment"].isna() & out["base_employment"].notna() & out["change"].notna()
        out.loc[derived, "end_employment"] = out.loc[derived, "base_employment"] + out.loc[derived, "change"]
        negative = derived & (out["end_employment"] < 0)
        if negative.any():
            i = int(np.flatnonzero(negative.to_numpy())[0])
            raise EstimationError(
                f"reports: enterprise {ids.iloc[i]!r} has end employment blank and a change "
                f"{out['change'].iloc[i]:g} larger than its base {out['base_employment'].iloc[i]:g}"
            )
    no_base = out["end_employment"].notna() & out["base_employment"].isna()
    if no_base.any():
        raise EstimationError(
            f"reports: end employment without base employment for enterprise(s) {_ids(ids[no_base])}"
        )
    return out


def _unchanged(data: pd.DataFrame, cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    no_base = data["base_employment"].isna()
    if no_base.any():
        raise EstimationError(
            "nonresponse='unchanged' needs the base employment of every non-respondent; "
            f"none for enterprise(s) {_ids(data.loc[no_base, 'enterprise_id'])}"
        )
    data = data.copy()
    data["end_employment"] = data["end_employment"].where(data["responded"], data["base_employment"])
    cells["factor"] = 1.0
    cells["collapsed_into"] = ""
    return data, cells


def _reweight(
    data: pd.DataFrame, cells: pd.DataFrame, stratum: np.ndarray, design: Design, empty_cells: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    strata = list(design.strata)
    responded = data["responded"].to_numpy()
    weight = data["weight"].to_numpy()
    cells_n = len(cells)
    sampled = np.bincount(stratum, weights=weight, minlength=cells_n)
    kept = np.bincount(stratum[responded], weights=weight[responded], minlength=cells_n)
    empty = kept == 0
    factor = np.divide(sampled, kept, out=np.ones(cells_n), where=~empty)
    adjusted = np.where(responded, weight * factor[stratum], 0.0)
    collapsed_into = np.full(cells_n, "", dtype=object)
    if empty.any():
        if empty_cells == "error":
            shown = "; ".join(_label(tuple(cells.loc[h, strata])) for h in np.flatnonzero(empty)[:10])
            raise EstimationError(
                f"{int(empty.sum())} cell(s) with no respondent: {shown}; choose empty_cells='collapse' "
                "to let the respondents of the same city and section carry their weight"
            )
        levels = design.collapse_levels()
        columns = list(dict.fromkeys(c for level in levels for c in level))
        keys = (
            data.groupby(strata, sort=True, dropna=False, observed=True)[columns]
            .first()
            .reset_index(drop=True)
        )
        adjusted = _collapse(cells, strata, keys, levels, stratum, adjusted, sampled, empty, collapsed_into)
    cells = cells.copy()
    factor_after = np.bincount(stratum, weights=adjusted, minlength=cells_n)
    cells["factor"] = np.divide(factor_after, kept, out=np.full(cells_n, np.nan), where=~empty)
    cells["collapsed_into"] = collapsed_into
    data = data.assign(weight=adjusted)
    return data[responded].copy(), cells


def _collapse(
    cells: pd.DataFrame,
    strata: Sequence[str],
    keys: pd.DataFrame,
    levels: list[list[str]],
    stratum: np.ndarray,
    adjusted: np.ndarray,
    sampled: np.ndarray,
    empty: np.ndarray,
    collapsed_into: np.ndarray,
) -> np.ndarray:
    """Spread each empty stratum's weight over the respondents of its nearest group with
    respondents (``levels``, finest first; ``keys`` has each stratum's group columns)."""
    adjusted = adjusted.copy()
    waiting = empty.copy()
    for level in levels:
        group = keys.groupby(level, sort=False, dropna=False, observed=True).ngroup().to_numpy()
        groups = group.max() + 1
        has_respondents = np.bincount(group[~empty], minlength=groups) > 0
        moving = waiting & has_respondents[group]
        if not moving.any():
            continue
        extra = np.bincount(group[moving], weights=sampled[moving], minlength=groups)
        unit_group = group[stratum]
        carried = np.bincount(unit_group, weights=adjusted, minlength=groups)
        gain = np.divide(extra, carried, out=np.zeros(groups), where=carried > 0)
        adjusted = adjusted * (1 + gain[unit_group])
        for h in np.flatnonzero(moving):
            collapsed_into[h] = _label(tuple(keys.loc[h, level]))
        waiting &= ~moving
    if waiting.any():
        shown = "; ".join(_label(tuple(cells.loc[h, strata])) for h in np.flatnonzero(waiting)[:10])
        if not levels:
            raise EstimationError(
                f"{int(waiting.sum())} stratum/strata with no respondent and no coarser group to collapse into: {shown}"
            )
        top = levels[-1]
        names = sorted({_label(tuple(keys.loc[h, top])) for h in np.flatnonzero(waiting)})
        raise EstimationError(
            f"no enterprise responded in {'+'.join(top)} {', '.join(names)}: its estimates cannot be made "
            "from its own reports (collect them, or estimate without it)"
        )
    return adjusted


def _ids(ids: pd.Series | np.ndarray) -> str:
    values = list(pd.unique(pd.Series(ids)))
    return ", ".join(map(repr, values[:10])) + (f" and {len(values) - 10} more" if len(values) > 10 else "")
