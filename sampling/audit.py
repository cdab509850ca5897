"""Audit a proposed monitoring sample: the ministry's rules, data checks and representativeness.

:func:`audit` takes one city's (or a province's) list of monitoring enterprises, as read by
:func:`sampling.read.read_sample` or returned by :func:`sampling.select`, and returns an
:class:`AuditReport` with one row per city and check:

* every rule of the rule set, checked by :func:`quotas.checks.check_cells` on the sample's
  counts (status ``pass``, ``fail`` for a broken hard rule, ``warn`` for a broken soft rule,
  ``skipped`` when its data were not given);
* data checks, all hard: ``duplicates`` (an enterprise listed twice), ``absent_from_frame`` and
  ``outside_city`` (when the population is an enterprise frame), ``size_consistent`` (a reported
  size that differs from the size re-derived by 国统字〔2011〕75号 from employees, revenue and
  assets) and ``target`` (when targets are given);
* representativeness, soft: ``represent_section``, ``represent_sector``,
  ``represent_size_class`` and ``represent_state_owned`` compare the sample's shares with the
  population's (dissimilarity index and Cohen's w, with a chi-square or Rao-Scott test).

``report.passed`` is False exactly when some row has status ``fail``, so a submission can be
gated on it.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from os import PathLike
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from quotas.checks import CHECK_COLUMNS, PROVINCE, check_cells
from quotas.cities import resolve_cities
from quotas.classify import SIZE_CLASSES, SIZE_LABELS_ZH, sector_of_section
from quotas.datasets import national_cities
from quotas.exceptions import SizeClassWarning
from quotas.plotting import cjk_font
from quotas.rules import MOHRSS_2011, RuleSet, get_rules
from sampling.cells import cell_counts
from sampling.exceptions import AuditError
from sampling.frame import prepare_frame
from sampling.representativeness import rao_scott_by_group
from sampling.status import in_business_rows

__all__ = ["DIMENSIONS", "AuditReport", "audit", "main_table"]

DIMENSIONS: tuple[str, ...] = ("section", "sector", "size_class", "state_owned")
"""The compositions compared with the population."""

CityPopulation = Literal["census-2020"]
Basis = Literal["enterprises", "employment"]

_DATA_CHECKS = {
    "duplicates": ("企业重复列报", "an enterprise listed more than once"),
    "absent_from_frame": ("企业不在名录库中", "enterprises not in the population frame"),
    "outside_city": ("企业不在所报地市", "enterprises whose frame city differs from the sample city"),
    "size_consistent": ("填报规模与划型标准不一致", "reported size differs from the size thresholds"),
}
_STATUS_COLOURS = {"pass": "#c6efce", "warn": "#ffeb9c", "fail": "#ffc7ce", "skipped": "#e7e6e6"}
_STATUS_ZH = {"pass": "通过", "warn": "提示", "fail": "不通过", "skipped": "未核对"}
_SIZE_FROM_TEXT = {
    **{v: k for k, v in SIZE_LABELS_ZH.items()},
    **{k: k for k in SIZE_CLASSES},
    "大": "large",
    "中": "medium",
    "小": "small",
    "微": "micro",
}
_BAND = (50, 300)


@dataclass(frozen=True, eq=False)
class AuditReport:
    """The result of :func:`audit`.

    Attributes
    ----------
    results : DataFrame
        One row per city and check: ``city, rule, observed, limit, status, message_zh,
        message_en, kind`` (``kind`` hard / soft).
    representativeness : DataFrame
        One row per city (and :data:`quotas.checks.PROVINCE` for the whole sample) and
        dimension: ``city, dimension, method, n, dissimilarity, w, statistic, scale, df,
        p_value, status``.
    shares : DataFrame
        ``city, dimension, category, sample_share, population_share`` (weighted sample shares
        when weights were given).
    coverage : DataFrame
        ``city, sample_employment, population_employment, coverage`` (empty without employees
        or a population).
    weights : DataFrame
        ``city, n, kish_n_eff, deff_w`` (empty without weights).
    rules : RuleSet
        The rule set checked.
    notes : tuple of str
        What the audit did not check or left out, and why.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.audit import audit
    >>> s = pd.DataFrame({"enterprise_id": ["A1", "A2", "A2"], "city": "韶关", "section": "G",
    ...                   "size_class": "small", "state_owned": False})
    >>> report = audit(s, rules="mohrss-2009")
    >>> report.passed
    False
    >>> print(report.summary().splitlines()[0])
    Audit of 3 enterprises in 1 cities against 'mohrss-2009': FAILED (2 fail, 0 warn, 1 skipped, 1 pass)
    >>> report.to_frame().query("status == 'fail'")[["rule", "observed", "limit"]].values.tolist()
    [['min_count', 3.0, 30.0], ['duplicates', 1.0, 0.0]]
    """

    results: pd.DataFrame
    representativeness: pd.DataFrame
    shares: pd.DataFrame
    coverage: pd.DataFrame
    weights: pd.DataFrame
    rules: RuleSet
    n_enterprises: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """True when no check failed (warnings and skipped checks do not fail a sample)."""
        return not (self.results["status"] == "fail").any()

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`results`: the pipeline's audit columns first, then ``kind``."""
        return self.results.copy()

    def counts(self) -> dict[str, int]:
        """Number of rows per status."""
        vc = self.results["status"].value_counts()
        return {s: int(vc.get(s, 0)) for s in ("pass", "fail", "warn", "skipped")}

    def summary(self) -> str:
        """Plain text: the verdict, then every row that did not pass, then the notes."""
        c = self.counts()
        cities = self.results.loc[self.results["city"] != PROVINCE, "city"].nunique()
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"Audit of {self.n_enterprises} enterprises in {cities} cities against {self.rules.name!r}: "
            f"{verdict} ({c['fail']} fail, {c['warn']} warn, {c['skipped']} skipped, {c['pass']} pass)"
        ]
        problems = self.results[self.results["status"] != "pass"]
        if len(problems):
            lines.append(_text_table(problems))
        if len(self.coverage):
            cov = self.coverage
            lines.append(
                "Employment covered: "
                + ", ".join(
                    f"{r.city} {100 * r.coverage:.1f}%" for r in cov.itertuples() if pd.notna(r.coverage)
                )
            )
        if len(self.weights):
            lines.append(
                "Weights (Kish): "
                + ", ".join(
                    f"{r.city} n_eff {r.kish_n_eff:.1f}, deff {r.deff_w:.2f}"
                    for r in self.weights.itertuples()
                )
            )
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        c = self.counts()
        verdict = "通过 PASSED" if self.passed else "不通过 FAILED"
        head = "".join(f"<th>{h}</th>" for h in (*CHECK_COLUMNS, "kind"))
        body = []
        for row in self.results.itertuples(index=False):
            colour = _STATUS_COLOURS.get(row.status, "#ffffff")
            cells = [
                row.city,
                row.rule,
                _num(row.observed),
                _num(row.limit),
                row.status,
                row.message_zh,
                row.message_en,
                row.kind,
            ]
            body.append(
                f'<tr style="background-color:{colour}">'
                + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells)
                + "</tr>"
            )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<p><b>Audit against {html.escape(self.rules.name)}: {verdict}</b> "
            f"({c['fail']} fail, {c['warn']} warn, {c['skipped']} skipped, {c['pass']} pass)</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            + (f"<ul>{notes}</ul>" if notes else "")
        )

    def to_excel(self, path: str | PathLike[str]) -> None:
        """Write a workbook: a summary sheet (cities x checks, coloured by status, then the
        notes), one sheet per city with its rows (Chinese and English headers), and the
        representativeness table."""
        from openpyxl import Workbook
        from openpyxl.styles import PatternFill

        # openpyxl directly: pandas' ExcelWriter looks sheets up in time quadratic in their
        # number, and a national audit has 300+ city sheets.
        fills = {
            s: PatternFill("solid", start_color=c[1:], end_color=c[1:]) for s, c in _STATUS_COLOURS.items()
        }
        pivot = self.results.pivot_table(
            index="city", columns="rule", values="status", aggfunc="first", sort=False
        )
        pivot = pivot.reindex(columns=list(pd.unique(self.results["rule"])))
        headers = [
            "城市 city",
            "规则 rule",
            "观测值 observed",
            "限值 limit",
            "结果 status",
            "说明",
            "explanation",
            "类型 kind",
        ]
        used: set[str] = set()
        wb = Workbook()
        ws = wb.active
        ws.title = _sheet_name("汇总 summary", used)
        ws.append(["city", *pivot.columns])
        for city, statuses in zip(pivot.index, pivot.itertuples(index=False, name=None)):
            ws.append([city, *(_STATUS_ZH.get(v, "") if isinstance(v, str) else "" for v in statuses)])
            for col, status in enumerate(statuses, start=2):
                if isinstance(status, str):
                    ws.cell(row=ws.max_row, column=col).fill = fills[status]
        ws.append([])
        ws.append(["PASSED 通过" if self.passed else "FAILED 不通过"])
        for note in self.notes:
            ws.append([note])
        ws.freeze_panes = "B2"
        for city, rows in self.results.groupby("city", sort=False):
            sheet = wb.create_sheet(_sheet_name(str(city), used))
            sheet.append(headers)
            for row in rows[[*CHECK_COLUMNS, "kind"]].itertuples(index=False, name=None):
                sheet.append([None if isinstance(v, float) and np.isnan(v) else v for v in row])
                sheet.cell(row=sheet.max_row, column=5).fill = fills.get(row[4], PatternFill())
            sheet.freeze_panes = "A2"
        if len(self.representativeness):
            sheet = wb.create_sheet(_sheet_name("代表性 representativeness", used))
            sheet.append(list(self.representativeness.columns))
            for row in self.representativeness.itertuples(index=False, name=None):
                sheet.append(
                    [
                        None
                        if isinstance(v, float) and np.isnan(v)
                        else (v.item() if hasattr(v, "item") else v)
                        for v in row
                    ]
                )
        wb.save(path)

    def plot(
        self, *, dimension: Literal["section", "sector", "size_class", "state_owned"] = "size_class"
    ) -> Any:
        """A matplotlib Figure: a cities x checks heat map of the statuses, and the sample's
        against the population's shares over ``dimension`` for the whole sample.

        Chinese labels use the font subset shipped with the package
        (:func:`quotas.plotting.cjk_font`).
        """
        from matplotlib.colors import ListedColormap
        from matplotlib.figure import Figure

        if dimension not in DIMENSIONS:
            raise AuditError(f"unknown dimension {dimension!r}; valid: {list(DIMENSIONS)}")
        with cjk_font():
            fig = Figure(
                figsize=(12, min(5 + 0.25 * self.results["city"].nunique(), 30)), layout="constrained"
            )
            ax_map, ax_bar = fig.subplots(1, 2, width_ratios=[3, 2])
            order = ["pass", "warn", "fail", "skipped"]
            pivot = self.results.pivot_table(
                index="city", columns="rule", values="status", aggfunc="first", sort=False
            )
            pivot = pivot.reindex(columns=list(pd.unique(self.results["rule"])))
            codes = pivot.apply(lambda col: col.map({s: i for i, s in enumerate(order)})).to_numpy(
                dtype=float
            )
            cmap = ListedColormap([_STATUS_COLOURS[s] for s in order])
            ax_map.imshow(np.ma.masked_invalid(codes), cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto")
            ax_map.set_xticks(range(pivot.shape[1]), list(pivot.columns), rotation=60, ha="right")
            ax_map.set_yticks(range(pivot.shape[0]), list(pivot.index))
            ax_map.set_title("checks: green pass, yellow warn, red fail, grey skipped")
            shares = self.shares[(self.shares["city"] == PROVINCE) & (self.shares["dimension"] == dimension)]
            x = np.arange(len(shares))
            ax_bar.bar(x - 0.2, shares["sample_share"], width=0.4, label="sample")
            ax_bar.bar(x + 0.2, shares["population_share"], width=0.4, label="population")
            ax_bar.set_xticks(x, [str(v) for v in shares["category"]])
            ax_bar.set_ylabel("share")
            ax_bar.set_title(f"shares by {dimension}")
            ax_bar.legend()
        return fig


def main_table(report: AuditReport) -> str:
    """Every row of a report as a plain-text table (for the command line), then the verdict.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.audit import audit, main_table
    >>> s = pd.DataFrame({"enterprise_id": [f"E{i}" for i in range(30)], "city": "韶关",
    ...                   "industry": "4411", "registration_type": "173", "employees": 100, "revenue": 5000.0})
    >>> print(main_table(audit(s, rules="mohrss-2009")).splitlines()[-1])
    PASSED: 0 fail, 0 warn
    """
    c = report.counts()
    verdict = "PASSED" if report.passed else "FAILED"
    return _text_table(report.results) + f"\n{verdict}: {c['fail']} fail, {c['warn']} warn"


# --------------------------------------------------------------------------- audit


def audit(
    sample: Any,
    *,
    rules: RuleSet | str = MOHRSS_2011,
    population: pd.DataFrame | None = None,
    targets: pd.Series | None = None,
    weights: pd.Series | str | None = None,
    city_population: pd.Series | CityPopulation | None = "census-2020",
    municipality: pd.Series | None = None,
    pillars: Mapping[str, Iterable[str]] | None = None,
    sector_targets: pd.DataFrame | None = None,
    max_dissimilarity: float = 0.2,
    max_effect_size: float = 0.3,
    exclude_micro: bool = True,
    basis: Basis = "enterprises",
    industry_version: Literal["2011", "2017"] = "2011",
) -> AuditReport:
    """Check a proposed sample against a rule set and measure its representativeness.

    Parameters
    ----------
    sample : DataFrame or Sample
        One row per listed enterprise with ``enterprise_id`` and ``city``, and either the frame
        columns ``industry, registration_type, employees`` (optionally ``revenue, assets``,
        ``reported_size``), from which section, sector, size class and ownership are derived
        (:func:`sampling.frame.prepare_frame`), or the derived columns ``section, size_class,
        state_owned`` themselves (used as given when present, as in a ``sampling.Sample``),
        or neither when ``population`` is a frame holding every
        listed enterprise. A ``sampling.Sample`` or a frame with a ``role`` column counts only
        the roles ``panel`` and ``new`` (reserves and removed enterprises are left out, and the
        notes say how many). Not modified.
    rules : RuleSet or str
        The rules (default :data:`quotas.rules.MOHRSS_2011`) or a preset name.
    population : DataFrame, optional
        The population: an enterprise frame (with ``enterprise_id``; prepared with
        :func:`sampling.frame.prepare_frame` unless it already has section, size_class and
        state_owned) or a structure table (``city, section, size_class, state_owned,
        enterprises, employment``, as from :func:`sampling.frame.structure`). Needed by
        ``top_industries``, ``proportional_mix``, representativeness and employment coverage;
        a frame also allows ``absent_from_frame`` and ``outside_city``.
    targets : Series, optional
        City -> planned sample size; adds the ``target`` check (equal passes, below fails,
        above warns).
    weights : Series or str, optional
        Design weights aligned with the sample's rows, or the name of a sample column (e.g.
        ``"weight"`` of a selected Sample). With weights the sample's shares are weighted and
        the test is the second-order Rao-Scott test (each enterprise its own unit, with
        replacement); Kish's effective size and design effect are reported per city.
    city_population : Series, "census-2020" or None
        City -> population in persons for the ``min_count`` tiers. ``"census-2020"``
        (default): the 2020 census resident population of
        :func:`quotas.datasets.national_cities`. None skips tiered minimums.
    municipality, pillars, sector_targets
        As in :func:`quotas.checks.check_cells`.
    max_dissimilarity : float, default 0.2
        A dimension whose dissimilarity index exceeds this warns: more than a fifth of the
        sample would have to change category to match the population.
    max_effect_size : float, default 0.3
        A dimension whose Cohen's w exceeds this warns; 0.3 is Cohen's "medium" effect. The
        test's p-value is reported but not used: with large samples every small difference is
        significant.
    basis : {"enterprises", "employment"}, default "enterprises"
        The population shares the sample's are compared with: of enterprises (does the sample,
        weighted if weights are given, look like the population of enterprises?) or of
        employment (does the sample's enterprise mix follow the employment mix, as the quotas
        of :func:`quotas.build_quotas` do by default?).
    exclude_micro : bool, default True
        Leave micro enterprises out of the compositions compared, on both sides: the rules
        exclude them from the sample, and the ``micro_excluded`` check reports any listed.
    industry_version : {"2011", "2017"}
        GB/T 4754 edition of the industry codes.

    Returns
    -------
    AuditReport

    Raises
    ------
    AuditError
        When the input is not a sample (no enterprise_id or city column, nothing to classify
        the enterprises by), is empty, or weights are misaligned.
    FrameError
        For unknown industry or registration codes, bad employee counts or unknown cities in
        the sample (every problem listed with its row).

    References
    ----------
    人社部函〔2011〕308号; 国统字〔2011〕75号; Duncan & Duncan (1955); Cohen (1988); Rao & Scott
    (1981, 1984); Kish (1965). See :mod:`sampling.representativeness`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.audit import audit
    >>> s = pd.DataFrame({"enterprise_id": [f"E{i}" for i in range(40)], "city": "韶关市",
    ...                   "industry": ["1311"] * 20 + ["5211"] * 20, "registration_type": "173",
    ...                   "employees": 120, "revenue": 3000.0})
    >>> report = audit(s)
    >>> report.passed
    False
    >>> report.to_frame().query("status == 'fail'")[["city", "rule", "observed", "limit"]].values.tolist()
    [['韶关市', 'min_count', 40.0, 60.0]]
    """
    rule_set = get_rules(rules)
    _check_thresholds(max_dissimilarity, max_effect_size)
    if basis not in ("enterprises", "employment"):
        raise AuditError(f"unknown basis {basis!r}; valid: ['enterprises', 'employment']")
    notes: list[str] = []
    table = _sample_table(sample, notes)
    weight = _sample_weights(table, weights)
    pop_frame, pop_cells = _population(population, industry_version)
    positions = (
        None if pop_frame is None else _frame_positions(pop_frame["enterprise_id"], table["enterprise_id"])
    )
    table, reported = _classify(table, pop_frame, positions, industry_version, notes)
    pop_structure = None if pop_cells is None else _without_sector(pop_cells)

    cells = _cells(table)
    city_pop = _city_population(city_population)
    checked = check_cells(
        cells,
        rule_set,
        targets=targets,
        population=city_pop,
        municipality=municipality,
        key_industries=pillars,
        structure=pop_structure,
        sector_targets=sector_targets,
    )
    kind = {r.id: r.kind for r in rule_set}
    checked["kind"] = checked["rule"].map(kind).fillna("hard")
    cities = list(pd.unique(checked.loc[checked["city"] != PROVINCE, "city"]))

    extra = [_duplicates(table, cities)]
    if pop_frame is not None:
        extra.extend(_frame_membership(table, pop_frame, positions, cities))
    if reported is not None:
        extra.append(_size_consistency(table, reported, cities, notes))
    else:
        notes.append("no reported size in the sample: size_consistent not checked")

    rep, shares = _representativeness(
        table, weight, pop_cells, cities, exclude_micro, basis, max_dissimilarity, max_effect_size, notes
    )
    results = _assemble(checked, extra, rep, cities, max_dissimilarity)
    coverage = _coverage(table, pop_structure, cities)
    weights_table = _weights_table(table, weight, cities)
    if pop_structure is None:
        notes.append(
            "no population given: top_industries, proportional_mix, representativeness and coverage not checked"
        )
    return AuditReport(
        results=results,
        representativeness=rep,
        shares=shares,
        coverage=coverage,
        weights=weights_table,
        rules=rule_set,
        n_enterprises=len(table),
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- inputs


def _check_thresholds(max_dissimilarity: float, max_effect_size: float) -> None:
    for name, value in (("max_dissimilarity", max_dissimilarity), ("max_effect_size", max_effect_size)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value:
            raise AuditError(f"{name} must be a non-negative number, got {value!r}")


def _sample_table(sample: Any, notes: list[str]) -> pd.DataFrame:
    if hasattr(sample, "to_frame") and hasattr(sample, "cells") and not isinstance(sample, pd.DataFrame):
        sample = sample.to_frame()
    if not isinstance(sample, pd.DataFrame):
        raise AuditError(f"sample must be a DataFrame or a sampling.Sample, got {type(sample).__name__}")
    missing = [c for c in ("enterprise_id", "city") if c not in sample.columns]
    if missing:
        raise AuditError(
            f"this is not a sample: column(s) {missing} not found; it has {list(sample.columns)} "
            "(use sampling.read_sample for files with Chinese headers)"
        )
    table = sample.copy()
    if "role" in table.columns:
        keep = table["role"].isin(["panel", "new"])
        if (~keep).any():
            counts = table.loc[~keep, "role"].value_counts().to_dict()
            notes.append(
                "left out rows that are not in the sample: "
                + ", ".join(f"{n} {r}" for r, n in counts.items())
            )
        table = table[keep]
    if len(table) == 0:
        raise AuditError("the sample has no enterprises")
    table["enterprise_id"] = table["enterprise_id"].astype(str).str.strip()
    table["city"] = resolve_cities(table["city"]).to_numpy()
    return table


def _sample_weights(table: pd.DataFrame, weights: pd.Series | str | None) -> pd.Series | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in table.columns:
            raise AuditError(f"weights column {weights!r} not in the sample; it has {list(table.columns)}")
        w = table[weights]
    elif isinstance(weights, pd.Series):
        if not table.index.isin(weights.index).all():
            raise AuditError("weights must be aligned with the sample's rows (same index)")
        w = weights.reindex(table.index)
    else:
        raise AuditError(f"weights must be a Series or a column name, got {type(weights).__name__}")
    num = pd.to_numeric(w, errors="coerce")
    bad = num.isna() | (num <= 0)
    if bad.any():
        shown = ", ".join(f"row {i!r}: {w[i]}" for i in num.index[bad][:10])
        raise AuditError(f"weights must be positive numbers; bad: {shown}")
    return num.astype(float)


def _population(
    population: pd.DataFrame | None, version: str
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(frame or None, population cells with sector) from a frame or a structure table."""
    if population is None:
        return None, None
    if not isinstance(population, pd.DataFrame):
        raise AuditError(
            f"population must be a frame or a structure DataFrame, got {type(population).__name__}"
        )
    if "enterprise_id" in population.columns:
        frame = population
        if not {"section", "size_class", "state_owned"} <= set(frame.columns):
            frame = prepare_frame(frame, industry_version=version)
        return frame, _frame_cells(frame)
    needed = ["city", "section", "size_class", "state_owned", "enterprises", "employment"]
    missing = [c for c in needed if c not in population.columns]
    if missing:
        raise AuditError(
            f"population is neither a frame (no enterprise_id column) nor a structure table "
            f"(missing {missing}); it has {list(population.columns)}"
        )
    cells = population[needed].copy()
    cells["sector"] = sector_of_section(cells["section"])
    return None, cells


def _frame_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Enterprises in business and their employment by city, section, sector, size class and
    ownership: the numbers of :func:`sampling.frame.structure`, with sector added
    (:func:`sampling.cells.cell_counts`)."""
    keys = ["city", "section", "sector", "size_class", "state_owned"]
    if "sector" not in frame.columns:
        frame = frame.assign(sector=sector_of_section(frame["section"]))
    active = in_business_rows(frame)
    out = cell_counts(
        frame,
        keys,
        rows=None if active.all() else active,
        measures={"employment": frame["employees"].to_numpy(dtype=float)},
    )
    out["size_class"] = out["size_class"].astype(str)
    out["state_owned"] = out["state_owned"].astype(bool)
    out["sector"] = out["sector"].astype(np.int64)
    out["employment"] = out["employment"].round().astype(np.int64)
    return out


def _without_sector(cells: pd.DataFrame) -> pd.DataFrame:
    keys = ["city", "section", "size_class", "state_owned"]
    return cells.groupby(keys, sort=True)[["enterprises", "employment"]].sum().reset_index()


def _frame_positions(frame_ids: pd.Series, sample_ids: pd.Series) -> np.ndarray:
    """Row of each sample id in the frame (its first occurrence), -1 when absent.

    Hashes the sample's ids (few) and streams the frame's (many) through them; Arrow-backed
    string columns are matched inside Arrow, without making ten million Python strings.
    """
    inverse, uniques = pd.factorize(sample_ids.astype(str).to_numpy())
    wanted = np.asarray(uniques, dtype=object)
    if hasattr(frame_ids.array, "__arrow_array__") and pd.api.types.is_string_dtype(frame_ids.dtype):
        hit = _arrow_index_in(frame_ids, wanted)
    else:
        hit = pd.Index(wanted).get_indexer(frame_ids.astype(str).to_numpy())
    rows = np.flatnonzero(hit >= 0)[::-1]
    first = np.full(len(wanted), -1, dtype=np.int64)
    first[hit[rows]] = rows  # rows in reverse order: the first occurrence is written last
    return first[inverse]


def _take(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """Values of a (possibly categorical or Arrow) column at some rows, without converting the
    whole column."""
    values = column.iloc[rows].to_numpy()
    return values.astype(object) if values.dtype.kind not in "biuf" else values


def _arrow_index_in(frame_ids: pd.Series, wanted: np.ndarray) -> np.ndarray:
    """Position in ``wanted`` of every frame id (-1 if absent), matched inside Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = pa.chunked_array(pa.array(frame_ids.array))
    # The value set must have the column's exact type (string or large_string), or Arrow
    # casts every chunk first.
    found = pc.index_in(ids, value_set=pa.array(wanted.tolist(), type=ids.type))
    return np.asarray(found.fill_null(-1), dtype=np.int64)


def _classify(
    table: pd.DataFrame,
    frame: pd.DataFrame | None,
    positions: np.ndarray | None,
    version: str,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.Series | None]:
    """Add section, sector, size_class, state_owned; return the table and any reported size."""
    raw = {"industry", "registration_type", "employees"} <= set(table.columns)
    derived = {"section", "size_class", "state_owned"} <= set(table.columns)
    reported = table["reported_size"] if "reported_size" in table.columns else None
    if derived:
        out = table.copy()
        if "sector" not in out.columns:
            if (
                frame is not None
                and positions is not None
                and (positions >= 0).all()
                and "sector" in frame.columns
            ):
                # The frame knows the division-level sector; the section alone approximates it.
                out["sector"] = _take(frame["sector"], positions)
            else:
                out["sector"] = sector_of_section(out["section"])
        if frame is not None and positions is not None and "employees" not in out.columns:
            emp = _take(frame["employees"], np.maximum(positions, 0)).astype(float)
            out["employees"] = np.where(positions >= 0, emp, np.nan)
        return out, reported
    if raw:
        # Duplicated ids are reported by the duplicates check; number them apart for the
        # frame validation so every listed row is still classified.
        work = table.drop(
            columns=[
                c
                for c in ("section", "sector", "size_class", "size_basis", "state_owned")
                if c in table.columns
            ]
        )
        occurrence = work.groupby("enterprise_id").cumcount()
        work["enterprise_id"] = work["enterprise_id"].where(
            occurrence == 0, work["enterprise_id"] + "#" + occurrence.astype(str)
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SizeClassWarning)
            prepared = prepare_frame(work, industry_version=version)
        for w in caught:
            if issubclass(w.category, SizeClassWarning):
                notes.append(f"sample: {w.message}")  # the report says it instead of a warning
            else:
                warnings.warn(w.message, w.category, stacklevel=3)
        prepared["enterprise_id"] = table["enterprise_id"].to_numpy()
        return prepared, reported
    if frame is not None and positions is not None:
        pos = positions
        absent = table.loc[pos < 0, "enterprise_id"].tolist()
        if absent:
            raise AuditError(
                f"the sample has no industry, registration type or employees, and enterprise(s) "
                f"{absent[:10]} are not in the population frame to take them from"
            )
        out = table.copy()
        for col in ("section", "sector", "size_class", "state_owned", "employees"):
            if col in frame.columns:
                out[col] = _take(frame[col], pos)
        if "sector" not in out.columns:
            out["sector"] = sector_of_section(out["section"])
        return out, None
    raise AuditError(
        f"this is not a sample the audit can classify: it needs industry, registration_type and "
        f"employees, or section, size_class and state_owned, or a population frame; it has {list(table.columns)}"
    )


def _cells(table: pd.DataFrame) -> pd.DataFrame:
    keys = ["city", "section", "size_class", "state_owned", "sector"]
    work = table[keys].copy()
    work["size_class"] = work["size_class"].astype(str)
    if "employees" in table.columns and table["employees"].notna().all():
        emp = table["employees"].to_numpy(dtype=float)
        work["band_50_300"] = (emp >= _BAND[0]) & (emp <= _BAND[1])
        keys.append("band_50_300")
    work["panel"] = (table["role"] == "panel").to_numpy() if "role" in table.columns else False
    return (
        work.groupby(keys, sort=False, observed=True)
        .agg(count=("panel", "size"), panel=("panel", "sum"))
        .reset_index()
    )


def _city_population(city_population: pd.Series | str | None) -> pd.Series | None:
    if city_population is None or isinstance(city_population, pd.Series):
        return city_population
    if city_population != "census-2020":
        raise AuditError(f"unknown city_population {city_population!r}; valid: ['census-2020'] or a Series")
    nat = national_cities()
    return pd.Series(nat["population"].to_numpy(), index=nat["city"])


# --------------------------------------------------------------------------- data checks


def _rows(rule: str, cities: list[str], counts: pd.Series, detail: Mapping[str, str]) -> pd.DataFrame:
    zh, en = _DATA_CHECKS[rule]
    out = []
    for city in cities:
        k = float(counts.get(city, 0))
        if k == 0:
            out.append((city, rule, 0.0, 0.0, "pass", f"无{zh}", f"no {en}"))
        else:
            d = detail.get(city, "")
            out.append((city, rule, k, 0.0, "fail", f"{zh}: {int(k)} 户 {d}", f"{int(k)} {en}: {d}"))
    return pd.DataFrame(out, columns=list(CHECK_COLUMNS))


def _ids_by_city(rows: pd.DataFrame) -> dict[str, str]:
    out = {}
    for city, ids in rows.groupby("city", sort=False)["enterprise_id"]:
        shown = list(pd.unique(ids))
        out[city] = ", ".join(shown[:5]) + (f" (and {len(shown) - 5} more)" if len(shown) > 5 else "")
    return out


def _duplicates(table: pd.DataFrame, cities: list[str]) -> pd.DataFrame:
    dup = table["enterprise_id"].duplicated(keep="first")
    rows = table[dup]
    return _rows("duplicates", cities, rows.groupby("city").size(), _ids_by_city(rows))


def _frame_membership(
    table: pd.DataFrame, frame: pd.DataFrame, positions: np.ndarray, cities: list[str]
) -> list[pd.DataFrame]:
    absent = table[positions < 0]
    found = positions >= 0
    frame_city = np.full(len(table), None, dtype=object)
    frame_city[found] = _take(frame["city"], positions[found])
    moved_mask = found & (frame_city != table["city"].to_numpy())
    moved = table[moved_mask]
    moved_city = frame_city[moved_mask]
    moved_detail: dict[str, str] = {}
    for city, ident, other in zip(moved["city"], moved["enterprise_id"], moved_city):
        text = moved_detail.get(city, "")
        if text.count("(") < 5:
            moved_detail[city] = f"{text}, {ident} ({other})" if text else f"{ident} ({other})"
    return [
        _rows("absent_from_frame", cities, absent.groupby("city").size(), _ids_by_city(absent)),
        _rows("outside_city", cities, moved.groupby("city").size(), moved_detail),
    ]


def _size_consistency(
    table: pd.DataFrame, reported: pd.Series, cities: list[str], notes: list[str]
) -> pd.DataFrame:
    text = (
        reported.astype(str)
        .str.strip()
        .str.lower()
        .str.replace("企业", "", regex=False)
        .str.replace("型", "", regex=False)
    )
    mapped = text.map(lambda v: _SIZE_FROM_TEXT.get(v, _SIZE_FROM_TEXT.get(v + "型")))
    unknown = reported[mapped.isna() & reported.notna() & (reported.astype(str).str.strip() != "")]
    if len(unknown):
        shown = ", ".join(f"row {i!r}: {v!r}" for i, v in unknown.head(10).items())
        raise AuditError(
            f"unknown reported size(s): {shown}; expected 大型/中型/小型/微型 or large/medium/small/micro"
        )
    derived = table["size_class"].astype(str).to_numpy()
    # A size derived from employees alone (no revenue or assets in the list) cannot contradict
    # the reported one: the thresholds need both indicators.
    comparable = np.ones(len(table), dtype=bool)
    if "size_basis" in table.columns:
        comparable = (table["size_basis"].astype(str) == "document").to_numpy()
        partial = int((~comparable & mapped.notna().to_numpy()).sum())
        if partial:
            notes.append(
                f"size_consistent: {partial} reported sizes not compared (derived size rests on partial information)"
            )
    differs = comparable & mapped.notna().to_numpy() & (mapped.to_numpy() != derived)
    rows = table[differs]
    detail = {}
    for city, sub in rows.groupby("city", sort=False):
        idx = table.index.get_indexer(sub.index[:5])
        detail[city] = ", ".join(
            f"{i} {mapped.iloc[j]}->{derived[j]}" for i, j in zip(sub["enterprise_id"][:5], idx)
        )
    return _rows("size_consistent", cities, rows.groupby("city").size(), detail)


# --------------------------------------------------------------------------- representativeness


def _representativeness(
    table: pd.DataFrame,
    weight: pd.Series | None,
    pop_cells: pd.DataFrame | None,
    cities: list[str],
    exclude_micro: bool,
    basis: str,
    max_d: float,
    max_w: float,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rep_cols = [
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
    ]
    share_cols = ["city", "dimension", "category", "sample_share", "population_share"]
    if pop_cells is None:
        return pd.DataFrame(columns=rep_cols), pd.DataFrame(columns=share_cols)
    w_all = weight.to_numpy() if weight is not None else np.ones(len(table))
    pop = pop_cells
    if exclude_micro:
        # Micro enterprises are the micro_excluded rule's business; compare the rest.
        keep = (table["size_class"].astype(str) != "micro").to_numpy()
        table, w_all = table[keep], w_all[keep]
        pop = pop[pop["size_class"] != "micro"]
    rep_parts: list[pd.DataFrame] = []
    share_parts: list[pd.DataFrame] = []
    for dim in DIMENSIONS:
        values = table[dim].astype(str) if dim == "size_class" else table[dim]
        smp = (
            pd.Series(w_all)
            .groupby([table["city"].to_numpy(), values.to_numpy()])
            .sum()
            .unstack(fill_value=0.0)
        )
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
        positive = p_sh > 0
        k = positive.sum(axis=1)
        testable = ~outside & (k >= 2) & (s_tot > 0) & (n >= 2)
        for label, bad in zip(s_w.index, outside):
            if bad:
                cats = [
                    str(cat)
                    for cat, sv, pv in zip(columns, s_w.loc[label], p_w.loc[label])
                    if sv > 0 and pv == 0
                ]
                notes.append(f"{label}: sample has {dim} {cats} absent from the population; no test")
        with np.errstate(divide="ignore", invalid="ignore"):
            w_eff = np.sqrt(np.where(positive, (s_sh - p_sh) ** 2 / p_sh, 0.0).sum(axis=1))
        part = pd.DataFrame({"city": s_w.index, "dimension": dim, "n": n, "dissimilarity": d})
        if weight is None:
            # Pearson's X2 = n * sum (s - p)^2 / p over the categories with p > 0, as chisquare_gof.
            x2 = s_tot * w_eff**2
            df = (k - 1).astype(float)
            part["method"] = "pearson"
            part["w"] = w_eff
            part["statistic"] = x2
            part["scale"] = 1.0
            part["df"] = df
            part["p_value"] = stats.chi2.sf(x2, np.maximum(df, 1))
        else:
            # Sums of squared weights by city and category give each city's Rao-Scott test
            # without going back to the units (each enterprise its own cluster).
            sq = (
                pd.Series(w_all**2)
                .groupby([table["city"].to_numpy(), values.to_numpy()])
                .sum()
                .unstack(fill_value=0.0)
            )
            sq = sq.reindex(index=rows, columns=columns, fill_value=0.0)
            sq.loc[PROVINCE] = sq.sum()
            part[["w", "statistic", "scale", "df", "p_value"]] = np.nan
            groups = s_w.index[testable]
            if len(groups):
                res = rao_scott_by_group(
                    s_w.loc[groups], sq.loc[groups], pd.Series(n, index=s_w.index), p_w.loc[groups]
                )
                part.loc[testable, ["w", "statistic", "scale", "df", "p_value"]] = res[
                    ["w", "statistic", "scale", "df", "p_value"]
                ].to_numpy()
            part["method"] = "rao-scott-2"
        part.loc[~testable, ["w", "statistic", "scale", "df", "p_value"]] = np.nan
        part.loc[~testable, "method"] = "none"
        too_far = (part["dissimilarity"] > max_d + 1e-9) | (part["w"] > max_w + 1e-9)
        part["status"] = np.where(too_far, "warn", "pass")
        rep_parts.append(part[rep_cols])
    rep = pd.concat(rep_parts, ignore_index=True)
    order = {c: i for i, c in enumerate([*cities, PROVINCE])}
    rep = rep.sort_values("city", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)
    shares = pd.concat(share_parts, ignore_index=True)
    return rep, shares


def _assemble(
    checked: pd.DataFrame, extra: list[pd.DataFrame], rep: pd.DataFrame, cities: list[str], max_d: float
) -> pd.DataFrame:
    parts = [checked]
    for e in extra:
        parts.append(e.assign(kind="hard"))
    if len(rep):
        r = rep[rep["city"] != PROVINCE]
        text_w = r["w"].map(lambda v: "n/a" if pd.isna(v) else f"{v:.3f}")
        text_p = r["p_value"].map(lambda v: "n/a" if pd.isna(v) else f"{v:.3g}")
        parts.append(
            pd.DataFrame(
                {
                    "city": r["city"],
                    "rule": "represent_" + r["dimension"],
                    "observed": r["dissimilarity"].astype(float),
                    "limit": float(max_d),
                    "status": r["status"],
                    "message_zh": [
                        f"{d}结构相异指数 {v:.3f},Cohen w {w},p={p}"
                        for d, v, w, p in zip(r["dimension"], r["dissimilarity"], text_w, text_p)
                    ],
                    "message_en": [
                        f"{d} dissimilarity {v:.3f}, Cohen's w {w}, p={p} ({m})"
                        for d, v, w, p, m in zip(
                            r["dimension"], r["dissimilarity"], text_w, text_p, r["method"]
                        )
                    ],
                    "kind": "soft",
                }
            )
        )
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    order = {c: i for i, c in enumerate([*cities, PROVINCE])}
    out["_city"] = out["city"].map(order)
    out = out.sort_values("_city", kind="stable").drop(columns="_city").reset_index(drop=True)
    return out[[*CHECK_COLUMNS, "kind"]]


def _coverage(table: pd.DataFrame, struct: pd.DataFrame | None, cities: list[str]) -> pd.DataFrame:
    cols = ["city", "sample_employment", "population_employment", "coverage"]
    if struct is None or "employees" not in table.columns:
        return pd.DataFrame(columns=cols)
    first = ~table["enterprise_id"].duplicated()
    smp = table[first].groupby("city")["employees"].sum().reindex(cities, fill_value=0).astype(float)
    pop = struct.groupby("city")["employment"].sum().reindex(cities).astype(float)
    return pd.DataFrame(
        {
            "city": cities,
            "sample_employment": smp.to_numpy(),
            "population_employment": pop.to_numpy(),
            "coverage": (smp / pop.where(pop > 0)).to_numpy(),
        }
    )


def _weights_table(table: pd.DataFrame, weight: pd.Series | None, cities: list[str]) -> pd.DataFrame:
    cols = ["city", "n", "kish_n_eff", "deff_w"]
    if weight is None:
        return pd.DataFrame(columns=cols)
    # Kish (1965): n_eff = (sum w)^2 / sum w^2 and deff = n / n_eff, by city in one pass
    # (kish_effective_size and design_effect_weights for one group).
    w = weight.to_numpy(dtype=float)
    sums = pd.DataFrame({"n": 1, "s": w, "q": w**2}).groupby(table["city"].to_numpy()).sum()
    sums = sums.reindex([c for c in cities if c in sums.index])
    sums.loc[PROVINCE] = [len(w), w.sum(), (w**2).sum()]
    n_eff = sums["s"] ** 2 / sums["q"]
    return pd.DataFrame(
        {
            "city": sums.index,
            "n": sums["n"].astype(int).to_numpy(),
            "kish_n_eff": n_eff.to_numpy(),
            "deff_w": (sums["n"] / n_eff).to_numpy(),
        }
    )


# --------------------------------------------------------------------------- output helpers


def _num(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return f"{v:.4g}" if isinstance(v, float) and not float(v).is_integer() else f"{v:,.0f}"


def _text_table(rows: pd.DataFrame) -> str:
    shown = pd.DataFrame(
        {
            "city": rows["city"],
            "rule": rows["rule"],
            "status": rows["status"],
            "observed": rows["observed"].map(_num),
            "limit": rows["limit"].map(_num),
            "message": rows["message_en"],
        }
    )
    return shown.to_string(index=False)


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "sheet"
    base, k = clean, 2
    while clean in used:
        suffix = f" ({k})"
        clean = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(clean)
    return clean
