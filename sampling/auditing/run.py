"""The audit itself: :func:`audit` reads the sample and the register, runs the rule checks,
the data checks and the representativeness measures, and assembles the report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import pandas as pd

from basis.threads import Workers
from quotas.checks import PROVINCE, check_cells
from quotas.rules import MOHRSS_2011, RuleSet, get_rules
from sampling.auditing.checks import coverage, duplicates, frame_membership, size_consistency
from sampling.auditing.inputs import (
    check_thresholds,
    city_population_series,
    classify,
    frame_positions,
    register_cells,
    register_ownership,
    sample_cells,
    sample_table,
    sample_weights,
    take,
    without_sector,
)
from sampling.auditing.labels import DIMENSION_ZH, rule_zh
from sampling.auditing.report import RESULT_COLUMNS, AuditReport
from sampling.auditing.represent import design_of, representativeness, weights_table
from sampling.exceptions import AuditError

__all__ = ["audit"]

CityPopulation = Literal["census-2020"]
Basis = Literal["enterprises", "employment"]
_METHOD_ZH = {"pearson": "皮尔逊卡方检验", "rao-scott-2": "Rao-Scott 校正卡方检验", "none": "未检验"}


def audit(
    sample: Any,
    *,
    rules: RuleSet | str = MOHRSS_2011,
    register: pd.DataFrame | None = None,
    targets: pd.Series | None = None,
    weights: pd.Series | str | None = None,
    city_population: pd.Series | CityPopulation | None = "census-2020",
    municipality: pd.Series | None = None,
    key_industries: pd.DataFrame | Mapping[str, Any] | None = None,
    sector_targets: pd.DataFrame | None = None,
    max_dissimilarity: float = 0.2,
    max_effect_size: float = 0.3,
    exclude_micro: bool = True,
    basis: Basis = "enterprises",
    industry_version: Literal["2011", "2017"] = "2011",
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> AuditReport:
    """Check a proposed sample against a rule set and measure its representativeness.

    Parameters
    ----------
    sample : DataFrame or Sample
        One row per listed enterprise with ``enterprise_id`` and ``city``, and either the frame
        columns ``industry, registration_type, employees`` (optionally ``revenue, assets``,
        ``reported_size``), from which section, sector, size class and ownership are derived
        (:func:`sampling.prepare.prepare_frame`), or the derived columns ``section, size_class,
        state_owned`` themselves (used as given when present, as in a ``sampling.Sample``),
        or neither when ``register`` is a frame holding every
        listed enterprise. A ``sampling.Sample`` or a frame with a ``role`` column counts only
        the roles ``panel`` and ``new`` (reserves and removed enterprises are left out, and the
        notes say how many). Not modified.
    rules : RuleSet or str
        The rules (default :data:`quotas.rules.MOHRSS_2011`) or a preset name.
    register : DataFrame, optional
        The enterprise register the sample comes from: a frame (with ``enterprise_id``;
        prepared with :func:`sampling.prepare.prepare_frame` unless it already has section,
        size_class and state_owned) or a structure table (``city, section, size_class,
        state_owned, enterprises, employment``, as from :func:`sampling.structure.structure`).
        Needed by ``top_industries``, ``proportional_mix``, representativeness and employment
        coverage; a frame also allows ``absent_from_frame`` and ``outside_city``. Its cell
        counts are the finite population correction of the weighted test.
    targets : Series, optional
        City -> planned sample size; adds the ``target`` check (equal passes, below fails,
        above warns).
    weights : Series or str, optional
        Design weights aligned with the sample's rows, or the name of a sample column (e.g.
        ``"weight"`` of a selected Sample). With weights the sample's shares are weighted and
        the test is the second-order Rao-Scott test on the sample's own design
        (:func:`sampling.sample.survey_design`): strata are the quota cells (a cell's kept
        panel a take-all stratum of its own), the finite population correction is each
        cell's number of enterprises in the register, so take-all cells add no variance; a
        cell with a single enterprise drawn from several is treated as R's
        ``survey.lonely.psu = "adjust"``. Cells missing from the register are sized by the
        sum of their weights, and the notes say so. Kish's effective size and design effect
        are reported per city.
    city_population : Series, "census-2020" or None
        City -> population in persons for the ``min_count`` tiers. ``"census-2020"``
        (default): the 2020 census resident population of
        :func:`quotas.datasets.national_cities`. None skips tiered minimums.
    municipality, key_industries, sector_targets
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
    progress : callable, optional
        Called as ``progress(done, total)`` after each of its five stages (the sample read, the
        register classified, the rules checked, the lists compared, representativeness), for a
        progress display (the command line's); never prints.
    workers : int or None
        Threads (None: up to 4, see :mod:`basis.threads`; 1: none): the register's ownership
        groups are counted beside the matching of the sample to the register. The report does
        not depend on it.

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
    >>> from sampling.auditing import audit
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
    check_thresholds(max_dissimilarity, max_effect_size)
    if basis not in ("enterprises", "employment"):
        raise AuditError(f"unknown basis {basis!r}; valid: ['enterprises', 'employment']")
    notes: list[str] = []

    def tick(done: int) -> None:
        if progress is not None:
            progress(done, 5)

    table = sample_table(sample, notes)
    weight = sample_weights(table, weights)
    tick(1)
    pop_frame, pop_cells = register_cells(
        register,
        industry_version,
        groups="industry_group" in table.columns,
        min_employees=rule_set.limit("min_employees") if "min_employees" in rule_set else None,
        key_industries=key_industries,
    )
    with Workers(workers) as pool:
        # One more pass over the register, beside the matching of the sample to it.
        ownership = pool.submit(register_ownership, pop_frame, micro=rule_set.limit("micro_excluded") != 0)
        positions = (
            None if pop_frame is None else frame_positions(pop_frame["enterprise_id"], table["enterprise_id"])
        )
        register_owners = ownership.result()
    table, reported = classify(table, pop_frame, positions, industry_version, notes)
    if (
        "registration_type" not in table.columns
        and pop_frame is not None
        and positions is not None
        and (positions >= 0).all()
        and "registration_type" in pop_frame.columns
    ):
        # The ownership groups of a sample that lists only its cells come from the register.
        table = table.assign(registration_type=take(pop_frame["registration_type"], positions))
    pop_structure = None if pop_cells is None else without_sector(pop_cells)
    tick(2)

    cells = sample_cells(table, rule_set.limit("min_employees"))
    city_pop = city_population_series(city_population)
    checked = check_cells(
        cells,
        rule_set,
        targets=targets,
        population=city_pop,
        municipality=municipality,
        key_industries=key_industries,
        structure=pop_structure,
        sector_targets=sector_targets,
        register_ownership=register_owners,
    )
    kind = {r.id: r.kind for r in rule_set}
    checked["kind"] = checked["rule"].map(kind).fillna("hard")
    cities = list(pd.unique(checked.loc[checked["city"] != PROVINCE, "city"]))
    tick(3)

    extra = [duplicates(table, cities)]
    if pop_frame is not None:
        extra.extend(frame_membership(table, pop_frame, positions, cities))
    if reported is not None:
        extra.append(size_consistency(table, reported, cities, notes))
    else:
        notes.append("no reported size in the sample: size_consistent not checked")

    tick(4)
    design = None if weight is None or pop_cells is None else design_of(table, weight, pop_cells, notes)
    rep, shares = representativeness(
        table,
        weight,
        design,
        pop_cells,
        cities,
        exclude_micro,
        basis,
        max_dissimilarity,
        max_effect_size,
        notes,
    )
    results = _assemble(checked, extra, rep, cities, max_dissimilarity)
    covered = coverage(table, pop_structure, cities)
    kish = weights_table(table, weight, cities)
    tick(5)
    if pop_structure is None:
        notes.append(
            "no register given: top_industries, proportional_mix, representativeness and coverage not checked"
        )
    return AuditReport(
        results=results,
        representativeness=rep,
        shares=shares,
        coverage=covered,
        weights=kish,
        rules=rule_set,
        n_enterprises=len(table),
        notes=tuple(notes),
    )


def _assemble(
    checked: pd.DataFrame, extra: list[pd.DataFrame], rep: pd.DataFrame, cities: list[str], max_d: float
) -> pd.DataFrame:
    parts = [checked]
    for e in extra:
        parts.append(e.assign(kind="hard"))
    if len(rep):
        r = rep[rep["city"] != PROVINCE]
        # Plain lists: iterating pandas columns (Arrow text among them) per row costs more than
        # formatting the messages.
        dims, values = r["dimension"].tolist(), r["dissimilarity"].astype(float).tolist()
        methods = r["method"].tolist()
        text_w = ["—" if pd.isna(v) else f"{v:.3f}" for v in r["w"].tolist()]
        text_p = ["—" if pd.isna(v) else f"{v:.3g}" for v in r["p_value"].tolist()]
        parts.append(
            pd.DataFrame(
                {
                    "city": r["city"],
                    "rule": "represent_" + r["dimension"],
                    "observed": r["dissimilarity"].astype(float),
                    "limit": float(max_d),
                    "status": r["status"],
                    "message_zh": [
                        f"{DIMENSION_ZH[d]}结构与名录库的相异指数 {v:.3f}，效应量 w {w}，p 值 {p}（{_METHOD_ZH[m]}）"
                        for d, v, w, p, m in zip(dims, values, text_w, text_p, methods)
                    ],
                    "message_en": [
                        f"{d} dissimilarity {v:.3f}, Cohen's w {w.replace('—', 'n/a')}, p={p.replace('—', 'n/a')} ({m})"
                        for d, v, w, p, m in zip(dims, values, text_w, text_p, methods)
                    ],
                    "kind": "soft",
                }
            )
        )
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    order = {c: i for i, c in enumerate([*cities, PROVINCE])}
    out["_city"] = out["city"].map(order)
    out = out.sort_values("_city", kind="stable").drop(columns="_city").reset_index(drop=True)
    out["rule_zh"] = out["rule"].map(rule_zh)
    return out[list(RESULT_COLUMNS)]
