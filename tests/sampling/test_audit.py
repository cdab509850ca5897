"""Tests for sampling.audit.

The base sample obeys every rule in both cities (several exactly at their limit); each "break"
test changes one city's enterprises so that exactly one check fails or warns there. Hand
calculations are written in the comments.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from quotas.checks import CHECK_COLUMNS, PROVINCE
from quotas.rules import GUANGDONG_2013, MOHRSS_2009, MOHRSS_2011
from sampling.auditing import AuditReport, audit, main_table
from sampling.exceptions import AuditError, FrameError

GZ, SG = "广州市", "韶关市"  # 2020 census: 18,676,605 and 2,855,131 -> minimum 60 each (>= 1 million)

# One city: 60 enterprises. Section C 24 (= 40%), E 16, G 20; large 12, medium 24, small 24
# (small + medium 80%); state-owned 20 (= 1/3); secondary (C, E) 40, tertiary (G) 20.
# Employees: large 1500, medium 200, small 60 -> all medium and small in the 50-300 band (80%).
BASE = [
    ("C", "large", True, 12),
    ("C", "medium", False, 12),
    ("E", "medium", True, 8),
    ("E", "small", False, 8),
    ("G", "medium", False, 4),
    ("G", "small", False, 16),
]
# A micro enterprise of 10 employees (industry: micro below 20) meets the unit-size minimum
# (min_employees, 10), so moving one into micro breaks micro_excluded alone.
EMPLOYEES = {"large": 1500, "medium": 200, "small": 60, "micro": 10}
SECTOR = {"C": 2, "E": 2, "G": 3, "H": 3, "Q": 3}
LOOSE = dict(max_dissimilarity=1.0, max_effect_size=10.0)  # representativeness never warns


def enterprises(rows, city: str, start: int = 0) -> pd.DataFrame:
    out = []
    k = start
    for section, size, owned, n in rows:
        for _ in range(n):
            out.append((f"{city}-{k:04d}", city, section, size, owned, EMPLOYEES[size], SECTOR[section]))
            k += 1
    return pd.DataFrame(
        out, columns=["enterprise_id", "city", "section", "size_class", "state_owned", "employees", "sector"]
    )


def make_sample(rows=None, city: str = SG) -> pd.DataFrame:
    parts = [enterprises(rows if (rows is not None and c == city) else BASE, c) for c in (GZ, SG)]
    return pd.concat(parts, ignore_index=True)


def make_structure() -> pd.DataFrame:
    """The base mix times 10 per city; plus micro enterprises in H and Q (H ranks 4th by
    employment, Q 5th; micro are left out of the representativeness comparison)."""
    rows = []
    emp = {"C": 5000, "E": 3000, "G": 2000}
    for c in (GZ, SG):
        for s, z, o, n in BASE:
            rows.append((c, s, z, o, 10 * n, emp[s] * n))
        rows.append((c, "H", "micro", False, 50, 900))
        rows.append((c, "Q", "micro", False, 50, 10))
    return pd.DataFrame(
        rows, columns=["city", "section", "size_class", "state_owned", "enterprises", "employment"]
    )


def move(rows, src, dst, k):
    out = {(s, z, o): n for s, z, o, n in rows}
    out[src] -= k
    out[dst] = out.get(dst, 0) + k
    return [(s, z, o, n) for (s, z, o), n in out.items() if n]


def broken(report: AuditReport):
    r = report.to_frame()
    return list(
        r.loc[r["status"].isin(["fail", "warn"]), ["city", "rule", "status"]].itertuples(
            index=False, name=None
        )
    )


TOP4 = MOHRSS_2011.replace(top_industries=4)


def run(sample, rules=TOP4, **kwargs) -> AuditReport:
    # top 4 sections by employment: C, E, G, H; Q is 5th.
    args = dict(register=make_structure(), key_industries={GZ: ["G"], SG: ["G"]})
    args.update(kwargs)
    return audit(sample, rules=rules, **args)


# --------------------------------------------------------------------------- base


def test_base_sample_passes():
    report = run(make_sample())
    assert broken(report) == []
    assert report.passed
    frame = report.to_frame()
    assert list(frame.columns[:7]) == list(CHECK_COLUMNS)
    # ownership_mix needs the register's registration types; the register here is a structure.
    skipped = frame[frame["status"] == "skipped"]
    assert set(skipped["rule"]) == {"ownership_mix"} and skipped["message_en"].str.contains("register").all()
    assert set(frame.loc[frame["status"] != "skipped", "status"]) == {"pass"}
    # representativeness: the sample's mix is the population's (micro left out), D = 0
    rep = report.representativeness
    assert np.allclose(rep["dissimilarity"], 0.0)
    assert set(rep["dimension"]) == {"section", "sector", "size_class", "state_owned"}


# --------------------------------------------------------------------------- one rule broken

BREAKS = {
    # 30 enterprises (every cell halved) < 60
    "min_count": (lambda: [(s, z, o, n // 2) for s, z, o, n in BASE], MOHRSS_2011, "fail"),
    # one G small enterprise moved to Q, the 5th section by employment
    "top_industries": (
        lambda: move(BASE, ("G", "small", False), ("Q", "small", False), 1),
        MOHRSS_2011,
        "fail",
    ),
    # every G (pillar) enterprise moved to H (4th by employment)
    "pillar_industries": (
        lambda: move(
            move(BASE, ("G", "small", False), ("H", "small", False), 16),
            ("G", "medium", False),
            ("H", "medium", False),
            4,
        ),
        MOHRSS_2011,
        "fail",
    ),
    # C 25/60 > 0.4
    "manufacturing_max": (
        lambda: move(BASE, ("E", "medium", True), ("C", "medium", True), 1),
        MOHRSS_2011,
        "warn",
    ),
    # large 25, small + medium 35/60 < 0.6
    "sme_min": (
        lambda: move(
            move(BASE, ("C", "medium", False), ("C", "large", False), 12),
            ("E", "medium", True),
            ("E", "large", True),
            1,
        ),
        MOHRSS_2011,
        "fail",
    ),
    # one micro
    "micro_excluded": (
        lambda: move(BASE, ("G", "small", False), ("G", "micro", False), 1),
        MOHRSS_2011,
        "warn",
    ),
    # 21/60 > 1/3
    "state_owned_max": (
        lambda: move(BASE, ("G", "small", False), ("G", "small", True), 1),
        MOHRSS_2011,
        "warn",
    ),
    # 13/60 > 0.2
    "large_max": (
        lambda: move(BASE, ("G", "small", False), ("G", "large", False), 1),
        MOHRSS_2011.replace(large_max=0.2),
        "fail",
    ),
    # size x ownership index 6/60 = 0.1 > 0.05
    "proportional_mix": (
        lambda: move(BASE, ("C", "large", True), ("C", "medium", True), 6),
        MOHRSS_2011.replace(proportional_mix=0.05),
        "warn",
    ),
}


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_break_exactly_one_rule(rule):
    make_rows, rules, status = BREAKS[rule]
    rules = rules.replace(top_industries=4)
    assert broken(run(make_sample(), rules, **LOOSE)) == []
    report = run(make_sample(make_rows()), rules, **LOOSE)
    assert broken(report) == [(SG, rule, status)]
    assert report.passed == (status == "warn")


def guangdong_args():
    return dict(
        sector_targets=pd.DataFrame({"secondary": [40, 40], "tertiary": [20, 20]}, index=[GZ, SG]), **LOOSE
    )


def test_break_sector_split():
    # Made hard here to see a failure; the preset's sector_split is soft.
    rules = GUANGDONG_2013.replace(top_industries=4, sector_split={"kind": "hard"})
    assert broken(run(make_sample(), rules, **guangdong_args())) == []
    # one E (secondary) small -> G (tertiary): 39 / 21 against 40 / 20
    report = run(
        make_sample(move(BASE, ("E", "small", False), ("G", "small", False), 1)), rules, **guangdong_args()
    )
    assert broken(report) == [(SG, "sector_split", "fail")]


def test_break_band_50_300_min():
    # SG's small enterprises get 10 employees (still small by employees alone: the test sample
    # carries its size class) -> band: GZ 48 + SG 24 (medium) = 72 / 120 = 0.6; SG medium too
    # at 400 employees -> (48 + 0) / 120 = 0.4 < 0.5 (a fixed minimum share).
    rules = GUANGDONG_2013.replace(top_industries=4, band_50_300_min=0.5)
    sample = make_sample()
    sample.loc[(sample.city == SG) & (sample.size_class == "small"), "employees"] = 10
    sample.loc[(sample.city == SG) & (sample.size_class == "medium"), "employees"] = 400
    report = run(sample, rules, **guangdong_args())
    assert broken(report) == [(PROVINCE, "band_50_300_min", "warn")]
    assert report.to_frame().query("rule == 'band_50_300_min'")["observed"].item() == pytest.approx(0.4)


def test_target():
    sample = make_sample(BASE + [("G", "small", False, 1)])
    report = run(sample, targets=pd.Series({GZ: 60, SG: 60}), **LOOSE)
    assert broken(report) == [(SG, "target", "warn")]
    report = run(make_sample(), targets=pd.Series({GZ: 60, SG: 61}), **LOOSE)
    assert broken(report) == [(SG, "target", "fail")]


def test_break_duplicates():
    sample = make_sample()
    dup = sample[sample.city == SG].iloc[[-1]]
    report = run(pd.concat([sample, dup], ignore_index=True), **LOOSE)
    assert broken(report) == [(SG, "duplicates", "fail")]
    row = report.to_frame().query("rule == 'duplicates' and city == @SG").iloc[0]
    assert row.observed == 1 and dup["enterprise_id"].item() in row.message_en


# --------------------------------------------------------------------------- frame checks


def make_frame_population():
    """Ten enterprises per sampled one, same cells: copy 0 is the sample."""
    copies = []
    for c in (GZ, SG):
        rows = [(s, z, o, 10 * n) for s, z, o, n in BASE]
        copies.append(enterprises(rows, c))
    return pd.concat(copies, ignore_index=True)


def frame_sample():
    frame = make_frame_population()
    # Every tenth enterprise of each cell: the base mix exactly.
    return (
        frame.groupby(["city", "section", "size_class", "state_owned"], sort=False)
        .apply(lambda g: g.iloc[::10], include_groups=False)
        .reset_index(level=[0, 1, 2, 3])
        .reset_index(drop=True)[frame.columns]
    )


def test_frame_population_passes():
    report = run(frame_sample(), register=make_frame_population())
    assert broken(report) == []
    # coverage: sampled employees / frame employees = 1/10 exactly (every tenth of each cell)
    assert np.allclose(report.coverage["coverage"], 0.1)


def test_break_absent_from_frame():
    sample = frame_sample()
    sample.loc[sample.index[sample.city == SG][0], "enterprise_id"] = "NOT-IN-FRAME"
    report = run(sample, register=make_frame_population())
    assert broken(report) == [(SG, "absent_from_frame", "fail")]
    assert (
        "NOT-IN-FRAME"
        in report.to_frame().query("rule == 'absent_from_frame' and city == @SG").message_en.item()
    )


def test_break_outside_city():
    # SG lists a GZ enterprise of the same cell instead of one of its own.
    frame = make_frame_population()
    sample = frame_sample()
    i = sample.index[(sample.city == SG) & (sample.section == "G") & (sample.size_class == "small")][0]
    gz_id = frame.loc[
        (frame.city == GZ) & (frame.section == "G") & (frame.size_class == "small"), "enterprise_id"
    ].iloc[5]
    sample.loc[i, "enterprise_id"] = gz_id
    report = run(sample, register=frame)
    assert broken(report) == [(SG, "outside_city", "fail")]
    assert (
        f"{gz_id} ({GZ})"
        in report.to_frame().query("rule == 'outside_city' and city == @SG").message_en.item()
    )


def test_sample_without_columns_takes_them_from_the_frame():
    sample = frame_sample()[["enterprise_id", "city"]]
    report = run(sample, register=make_frame_population())
    assert broken(report) == []
    with pytest.raises(AuditError, match="NOPE"):
        run(
            pd.concat([sample, pd.DataFrame({"enterprise_id": ["NOPE"], "city": [SG]})]),
            register=make_frame_population(),
        )


# --------------------------------------------------------------------------- reported size


def raw_sample(reported):
    # 国统字〔2011〕75号, 工业: medium needs >= 300 employees and >= 2000万元 revenue, large >= 1000
    # and >= 40000. 1311 with 300 / 2000 is medium (the document's example); 1311 with 1200
    # employees and 30000 revenue is still medium (revenue below 40000).
    return pd.DataFrame(
        {
            "enterprise_id": ["A1", "A2", "A3"],
            "city": ["韶关", "韶关", "韶关"],
            "industry": ["1311", "1311", "1311"],
            "registration_type": ["173", "173", "110"],
            "employees": [300, 1200, 50],
            "revenue": [2000.0, 30000.0, 500.0],
            "reported_size": reported,
        }
    )


def test_size_consistent():
    ok = audit(raw_sample(["中型", "中型企业", "small"]), rules=MOHRSS_2009)
    assert ok.to_frame().query("rule == 'size_consistent'")["status"].item() == "pass"
    bad = audit(raw_sample(["中型", "大型", "小型"]), rules=MOHRSS_2009)
    row = bad.to_frame().query("rule == 'size_consistent'").iloc[0]
    assert (row.status, row.observed) == ("fail", 1)
    assert "A2 large->medium" in row.message_en
    # nothing else changes
    a = ok.to_frame().query("rule != 'size_consistent'")
    b = bad.to_frame().query("rule != 'size_consistent'")
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_unknown_reported_size_is_named():
    with pytest.raises(AuditError, match="row 1: '巨型'"):
        audit(raw_sample(["中型", "巨型", "小型"]), rules=MOHRSS_2009)


# --------------------------------------------------------------------------- representativeness


def test_representativeness_hand_calculation():
    # SG: 6 C large state-owned -> C medium state-owned. Size shares (micro left out):
    # sample large 6/60 = .1, medium 30/60 = .5, small .4; population large .2, medium .4,
    # small .4 -> D = 0.5 * (.1 + .1 + 0) = 0.1.
    # Pearson: expected 12, 24, 24; observed 6, 30, 24 -> X2 = 36/12 + 36/24 = 4.5, df 2,
    # p = exp(-2.25); w = sqrt(4.5 / 60).
    report = run(
        make_sample(move(BASE, ("C", "large", True), ("C", "medium", True), 6)), max_dissimilarity=0.09
    )
    rep = report.representativeness.set_index(["city", "dimension"])
    row = rep.loc[(SG, "size_class")]
    assert row["dissimilarity"] == pytest.approx(0.1)
    assert row["statistic"] == pytest.approx(4.5)
    assert row["p_value"] == pytest.approx(np.exp(-2.25))
    assert row["w"] == pytest.approx(np.sqrt(4.5 / 60))
    assert broken(report) == [(SG, "represent_size_class", "warn")]
    # province: 66 + ... large 18/120 = .15 vs .2 -> D = .05
    assert rep.loc[(PROVINCE, "size_class"), "dissimilarity"] == pytest.approx(0.05)


def test_weights_rao_scott_and_kish():
    sample = make_sample()
    w = pd.Series(np.where(sample["size_class"] == "large", 2.0, 1.0), index=sample.index)
    report = run(sample, weights=w)
    rep = report.representativeness.set_index(["city", "dimension"])
    assert rep.loc[(SG, "size_class"), "method"] == "rao-scott-2"
    # weighted size shares: large 24 / 72 = 1/3, medium 24/72, small 24/72 vs .2 .4 .4
    # D = 0.5 * (2/15 + 1/15 + 1/15) = 2/15
    assert rep.loc[(SG, "size_class"), "dissimilarity"] == pytest.approx(2 / 15)
    # Kish per city: 12 weights 2, 48 weights 1: sum 72, sum of squares 96
    # n_eff = 72^2 / 96 = 54, deff = 60 / 54
    kish = report.weights.set_index("city")
    assert kish.loc[SG, "kish_n_eff"] == pytest.approx(54.0)
    assert kish.loc[SG, "deff_w"] == pytest.approx(60 / 54)


def test_weights_column_name_and_bad_weights():
    sample = make_sample().assign(weight=1.0)
    assert run(sample, weights="weight").weights.set_index("city").loc[SG, "deff_w"] == pytest.approx(1.0)
    with pytest.raises(AuditError, match="'wt' not in the sample"):
        run(sample, weights="wt")
    with pytest.raises(AuditError, match="row 3: -1"):
        run(sample.assign(weight=[1.0] * 3 + [-1.0] + [1.0] * 116), weights="weight")


# --------------------------------------------------------------------------- bad input


def test_not_a_sample():
    with pytest.raises(AuditError, match=r"not a sample: column\(s\) \['enterprise_id'\] not found"):
        audit(pd.DataFrame({"name": ["x"], "city": [SG]}))
    with pytest.raises(AuditError, match="not a sample the audit can classify"):
        audit(pd.DataFrame({"enterprise_id": ["1"], "city": [SG]}))
    with pytest.raises(AuditError, match="no enterprises"):
        audit(make_sample().iloc[:0])
    with pytest.raises(AuditError, match="DataFrame or a sampling.Sample"):
        audit([1, 2, 3])


def test_unknown_city_and_code_are_named():
    sample = make_sample()
    sample.loc[5, "city"] = "火星市"
    with pytest.raises(ValueError, match="火星市"):
        run(sample)
    raw = raw_sample(["中型", "中型", "小型"])
    raw.loc[1, "industry"] = "9999"
    with pytest.raises(FrameError, match="9999"):
        audit(raw, rules=MOHRSS_2009)
    raw = raw_sample(["中型", "中型", "小型"])
    raw.loc[2, "registration_type"] = "999"
    with pytest.raises(FrameError, match="999"):
        audit(raw, rules=MOHRSS_2009)


def test_register_that_is_neither():
    with pytest.raises(AuditError, match="neither a frame"):
        run(make_sample(), register=pd.DataFrame({"city": [GZ]}))


def test_roles_other_than_sample_are_left_out_and_noted():
    sample = make_sample()
    sample["role"] = "new"
    extra = sample.iloc[:3].assign(role="reserve", enterprise_id=["R1", "R2", "R3"])
    report = run(pd.concat([sample, extra], ignore_index=True))
    assert broken(report) == []
    assert any("3 reserve" in n for n in report.notes)


def test_input_not_mutated():
    sample = make_sample()
    before = sample.copy()
    run(sample, weights=pd.Series(1.0, index=sample.index))
    pd.testing.assert_frame_equal(sample, before)


# --------------------------------------------------------------------------- outputs


def test_outputs(tmp_path):
    report = run(make_sample(move(BASE, ("E", "medium", True), ("C", "medium", True), 1)))
    text = report.summary()
    assert text.startswith("Audit of 120 enterprises in 2 cities against 'mohrss-2011 (modified)': PASSED")
    assert "manufacturing_max" in text and str(report) == text
    assert repr(report) == f"<AuditReport: {text.splitlines()[0]}>"
    page = report._repr_html_()
    assert "#ffeb9c" in page  # the warning row is yellow
    # What needs attention leads: the one warning is the first row of the table, in Chinese;
    # the passes are counted by check (2 cities passed min_count) rather than listed.
    first_row = page.split("<tbody>")[1].split("</tr>")[0]
    assert "提示" in first_row and "制造业企业比例上限" in first_row and SG in first_row
    assert "监测企业数量下限 2 个城市" in page
    assert main_table(report).endswith("PASSED: 0 fail, 1 warn")
    path = tmp_path / "audit.xlsx"
    report.to_excel(path)
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets)[:3] == ["汇总", GZ, SG]
    assert sheets["汇总"].set_index("城市").loc[SG, "制造业企业比例上限"] == "提示"
    city = sheets[SG].set_index("规则代码")
    assert city.loc["manufacturing_max", ["检查项", "结果", "类型"]].tolist() == [
        "制造业企业比例上限",
        "提示",
        "原则性",
    ]
    ax = report.plot()
    ax.figure.savefig(io.BytesIO(), format="png")
    ax = report.plot(dimension="size_class")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["样本", "总体"]
    with pytest.raises(AuditError, match="unknown dimension 'age'"):
        report.plot(dimension="age")


# --------------------------------------------------------------------------- fast paths


def test_frame_aggregation_equals_structure():
    """The audit counts a frame with integer codes; the numbers are those of sampling.structure."""
    from sampling.auditing.inputs import frame_cells, without_sector
    from sampling.prepare import prepare_frame
    from sampling.structure import structure
    from sampling.synthetic import make_frame

    frame = prepare_frame(make_frame(5_000, random_state=3))
    keys = ["city", "section", "size_class", "state_owned"]
    ours = without_sector(frame_cells(frame)).sort_values(keys).reset_index(drop=True)
    # structure's cells are industry groups (prepare_frame splits divisions 05, 11, 43 off
    # their sections): added up by section they are the audit's cells
    ref = (
        structure(frame, min_employees=None)
        .groupby(keys)[["enterprises", "employment", "enterprises_50_300"]]
        .sum()
        .reset_index()
    )
    ref = ref.astype({"size_class": str}).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, ref, check_dtype=False)
    # sector counts equal the frame's own sector column
    by_sector = frame_cells(frame).groupby("sector")["enterprises"].sum()
    assert by_sector.to_dict() == frame["sector"].value_counts().to_dict()


def test_per_city_pearson_equals_chisquare_gof():
    """The audit's vectorised Pearson test per city gives chisquare_gof's numbers, and both give
    R's chisq.test."""
    from sampling.representativeness import chisquare_gof

    rows = move(
        move(BASE, ("C", "large", True), ("C", "medium", True), 5),
        ("G", "small", False),
        ("E", "small", False),
        7,
    )
    report = run(make_sample(rows))
    rep = report.representativeness.set_index(["city", "dimension"])
    # SG's sample: section C 24, E 23, G 13 against population 240 : 160 : 200 (expected 24,
    # 16, 20): X2 = 0 + 49/16 + 49/20 = 5.5125. Size large 7, medium 29, small 24 against
    # 120 : 240 : 240 (expected 12, 24, 24): X2 = 25/12 + 25/24 = 3.125. State-owned 20 of 60
    # = the population's 1/3: X2 = 0. R (tests/sampling/r/make_audit_refs.R, chisq.test):
    r_ref = {
        "section": (5.5125, 2, 0.0635295580680329, 0.303108891324554),
        "size_class": (3.125, 2, 0.209611387151098, 0.228217732293819),
        "state_owned": (0.0, 1, 1.0, 0.0),
    }
    for dim, (stat, df, p_value, w) in r_ref.items():
        got = rep.loc[(SG, dim)]
        assert got["statistic"] == pytest.approx(stat, rel=1e-12, abs=1e-12)
        assert got["df"] == df
        assert got["p_value"] == pytest.approx(p_value, rel=1e-9)
        assert got["w"] == pytest.approx(w, rel=1e-12, abs=1e-12)
    sample = make_sample(rows)
    pop = make_structure().query("size_class != 'micro'")
    for dim in ("section", "size_class", "state_owned"):
        obs = sample[sample.city == SG][dim].astype(str if dim != "state_owned" else bool).value_counts()
        ref = pop[pop.city == SG].groupby(dim)["enterprises"].sum()
        t = chisquare_gof(obs, ref)
        got = rep.loc[(SG, dim)]
        assert got["statistic"] == pytest.approx(t.statistic, rel=1e-12)
        assert got["p_value"] == pytest.approx(t.p_value, rel=1e-10)
        assert got["w"] == pytest.approx(t.w, rel=1e-12)
        assert got["df"] == t.df


@pytest.mark.parametrize("dtype", ["arrow", "object", "int"])
def test_frame_ids_of_any_dtype_are_matched(dtype):
    frame = make_frame_population()
    sample = frame_sample()
    if dtype == "int":
        number = {k: i for i, k in enumerate(frame["enterprise_id"])}
        frame["enterprise_id"] = frame["enterprise_id"].map(number).astype(np.int64)
        sample["enterprise_id"] = sample["enterprise_id"].map(number).astype(str)
    else:
        frame["enterprise_id"] = frame["enterprise_id"].astype(
            "string[pyarrow]" if dtype == "arrow" else object
        )
    sample.loc[sample.index[-1], "enterprise_id"] = "999999"
    report = run(sample, register=frame)
    assert broken(report) == [(SG, "absent_from_frame", "fail")]


def test_sample_drawn_by_select_passes():
    """sampling.select filling a quota table that obeys the rules gives a sample that passes:
    the quotas are the base design's counts, the frame has ten enterprises per quota unit."""
    from sampling import select

    frame = make_frame_population()
    quotas = pd.DataFrame(
        [(c, s, z, o, n) for c in (GZ, SG) for s, z, o, n in BASE],
        columns=["city", "section", "size_class", "state_owned", "quota"],
    )
    drawn = select(frame, quotas, method="pareto", size="employees", reserves=2, random_state=7)
    report = run(drawn, register=frame)
    assert broken(report) == [] and report.passed
    assert any("24 reserve" in n for n in report.notes)
    weighted = run(drawn.to_frame("sample"), register=frame, weights="weight")
    assert weighted.passed and len(weighted.weights)


def test_partial_size_information_is_noted():
    # 1311 without revenue: sized on employees alone (国统字〔2011〕75号 needs both indicators)
    raw = raw_sample(["中型", "中型", "小型"]).drop(columns="revenue")
    report = audit(raw, rules=MOHRSS_2009)
    assert any("employees only" in n for n in report.notes)


def test_employment_basis_hand_calculation():
    # Population employment by section in each city (make_structure): C 5000 * 24 = 120,000,
    # E 3000 * 16 = 48,000, G 2000 * 20 = 40,000 (micro H, Q left out) -> shares
    # 120/208, 48/208, 40/208. Sample shares 24/60, 16/60, 20/60.
    # D = 0.5 * (|0.4 - 0.576923| + |0.266667 - 0.230769| + |0.333333 - 0.192308|)
    #   = 0.5 * (0.176923 + 0.035897 + 0.141026) = 0.176923
    report = run(make_sample(), basis="employment")
    d = report.representativeness.set_index(["city", "dimension"]).loc[(SG, "section"), "dissimilarity"]
    assert d == pytest.approx(
        0.5 * (abs(0.4 - 120 / 208) + abs(16 / 60 - 48 / 208) + abs(20 / 60 - 40 / 208))
    )
    assert d == pytest.approx(0.176923, abs=1e-6)
    with pytest.raises(AuditError, match=r"unknown basis 'jobs'; valid: \['enterprises', 'employment'\]"):
        run(make_sample(), basis="jobs")


def test_ownership_must_be_boolean():
    sample = make_sample()
    sample["state_owned"] = sample["state_owned"].map({True: "是", False: "否"})
    with pytest.raises(ValueError, match="state_owned must be True or False, got '是'"):
        run(sample)


def test_sample_made_by_quotas_and_select_passes():
    """quotas.build_quotas on a frame's structure, then sampling.select: no check fails, and
    with the design weights the sample's composition matches the population's."""
    from quotas import build_quotas
    from sampling import select
    from sampling.prepare import prepare_frame
    from sampling.structure import structure
    from sampling.synthetic import make_frame

    frame = prepare_frame(
        make_frame(30_000, cities=pd.Series({"韶关": 1.0, "珠海": 1.0, "汕尾": 1.0}), random_state=5)
    )
    targets = pd.Series({"韶关市": 70, "珠海市": 60, "汕尾市": 65})
    quotas = build_quotas(structure(frame), targets)
    drawn = select(frame, quotas, method="srs", random_state=1)
    report = audit(drawn, register=frame, targets=targets)
    assert report.passed
    assert not (report.to_frame()["status"] == "fail").any()
    weighted = audit(drawn.to_frame("sample"), register=frame, targets=targets, weights="weight")
    # Ownership groups other than state-owned are not quota cells, and select does not yet skip
    # units below the minimum size: both are reported (soft warnings), the rest holds.
    reported = {"ownership_mix", "min_employees"}
    assert [b for b in broken(weighted) if b[1] not in reported] == []
    assert all(status == "warn" for _, rule, status in broken(weighted) if rule in reported)


def test_sizes_from_employees_alone_are_not_compared_with_reported_sizes():
    # 国统字〔2011〕75号, industry: large needs >= 1000 employees AND >= 40000万元 revenue.
    # Row A1: 1200 employees, revenue 50000 -> large, reported 中型: a real inconsistency.
    # Row A2: 500 employees, revenue unknown -> medium on employees alone, reported 大型: the
    # thresholds need revenue too, so the two cannot be said to disagree; not counted.
    sample = pd.DataFrame(
        {
            "enterprise_id": ["A1", "A2"],
            "city": ["广州市", "广州市"],
            "industry": ["13", "13"],
            "registration_type": ["173", "173"],
            "employees": [1200, 500],
            "revenue": [50000.0, None],
            "reported_size": ["中型", "大型"],
        }
    )
    report = audit(sample, rules="mohrss-2011")
    row = report.to_frame().set_index("rule").loc["size_consistent"]
    assert (row["status"], row["observed"]) == ("fail", 1)
    assert any("1 reported sizes not compared" in n for n in report.notes)


def test_weighted_audit_uses_the_cells_and_fpc(design_sample):
    """The weighted test runs on the sample's own design: strata the quota cells (the kept panel
    a take-all stratum), fpc from the register, each city within its own cells. R:
    tests/sampling/r/make_design_refs.R (survey 4.1.1) on the same sample and weights."""
    units = design_sample.to_frame("sample")
    factor = np.array([0.9, 1.0, 1.1])[np.arange(len(units)) % 3]
    units["w2"] = np.where(units["role"] == "panel", units["weight"], units["weight"] * factor)
    register = pd.DataFrame(
        [
            ("广州市", "C", "small", False, 40, 4000),
            ("广州市", "G", "medium", False, 25, 5000),
            ("韶关市", "C", "small", False, 8, 800),
            ("韶关市", "G", "small", True, 30, 3000),
        ],
        columns=["city", "section", "size_class", "state_owned", "enterprises", "employment"],
    )
    report = audit(units, rules=MOHRSS_2009, register=register, weights="w2", city_population=None)
    rep = report.representativeness.set_index(["city", "dimension"])
    r_ref = {  # audit <name>: statistic, scale, df, p.value
        GZ: (0.0027084454433224567, 0.028183563966730777, 1.0000000000000002, 0.75656074110306215),
        SG: (0.00098425196850395803, 0.0085407219061011553, 0.99999999999999889, 0.73425307029230868),
        PROVINCE: (0.0020518304814963256, 0.029994853196212631, 0.99999999999999978, 0.79367181236003426),
    }
    for city, (stat, scale, df, p_value) in r_ref.items():
        got = rep.loc[(city, "section")]
        assert got["method"] == "rao-scott-2"
        assert got["statistic"] == pytest.approx(stat, rel=1e-9)
        assert got["scale"] == pytest.approx(scale, rel=1e-9)
        assert got["df"] == pytest.approx(df, rel=1e-9)
        assert got["p_value"] == pytest.approx(p_value, rel=1e-9)
    # With the design weights of simple random sampling the weighted cell shares are exact: no
    # sampling variance, X2 0 (R: scale NaN), and the audit says why there is no p-value.
    exact = audit(units, rules=MOHRSS_2009, register=register, weights="weight", city_population=None)
    row = exact.representativeness.set_index(["city", "dimension"]).loc[(GZ, "section")]
    assert row["statistic"] == pytest.approx(0.0, abs=1e-9) and np.isnan(row["p_value"])
    assert any("no sampling variance" in n for n in exact.notes)


def register_with_types():
    """The frame population with registration types: in each city the enterprises numbered
    k % 10 in 0-4 are private (173), the rest state-owned (110), except in GZ (all private).
    SG also has 60 state-owned enterprises closed (关闭破产), 60 state-owned micro ones and
    one closed enterprise of an unknown type (999): none of them counts."""
    frame = make_frame_population()
    k = frame["enterprise_id"].str[-4:].astype(int)
    frame["registration_type"] = np.where((frame["city"] == GZ) | (k % 10 < 5), "173", "110")
    frame["status"] = "active"
    extra = enterprises([("C", "small", True, 60), ("C", "micro", True, 60)], SG, start=5000)
    extra["registration_type"] = "110"
    extra["status"] = np.repeat(["关闭破产", "active"], 60)
    odd = enterprises([("C", "small", False, 1)], SG, start=6000)
    odd["registration_type"], odd["status"] = "999", "关闭破产"
    return pd.concat([frame, extra, odd], ignore_index=True)


def test_ownership_mix_counts_the_register_in_business_without_micro():
    register = register_with_types()
    # the sample: enterprises k % 10 == 0 of the frame part (every tenth of each cell), private
    sample = register[register["enterprise_id"].str[-4:].astype(int) % 10 == 0].head(120)
    assert len(sample) == 120 and (sample["registration_type"] == "173").all()
    report = run(sample, register=register)
    mix = report.to_frame().set_index(["city", "rule"]).loc[(slice(None), "ownership_mix"), :]
    # GZ: sample 100% private, register 600 / 600 private: deviation 0.
    # SG: sample 100% private; register in business without micro: 300 private of 600, so
    # private 1.0 - 0.5 and state 0 - 0.5: worst deviation 0.5 > 0.10 -> warn. (Counting the
    # 60 closed and 60 micro state-owned would give 300 / 720 and a deviation of 0.583.)
    assert mix.loc[(GZ, "ownership_mix"), ["observed", "status"]].tolist() == [0.0, "pass"]
    assert mix.loc[(SG, "ownership_mix"), ["observed", "status"]].tolist() == [0.5, "warn"]
    assert "state 0.0% (register 50.0%)" in mix.loc[(SG, "ownership_mix"), "message_en"]


def test_same_report_with_or_without_threads():
    # basis.threads: the register's ownership counts are made beside the id matching with
    # workers=2, one after the other with workers=1; the report is the same.
    register = register_with_types()
    sample = register[register["enterprise_id"].str[-4:].astype(int) % 10 == 0].head(120)
    serial, threaded = (run(sample, register=register, workers=w).to_frame() for w in (1, 2))
    pd.testing.assert_frame_equal(serial, threaded)
    assert (serial["rule"] == "ownership_mix").any()


def test_unknown_registration_type_in_the_register_is_named_by_row():
    register = register_with_types()
    register.loc[7, "registration_type"] = "999"  # in business: counted, so classified
    sample = register[register["enterprise_id"].str[-4:].astype(int) % 10 == 0].head(120)
    with pytest.raises(ValueError, match=r"unknown registration type\(s\): row 7: '999'"):
        run(sample, register=register)


def test_jupyter_view_counts_skipped_and_passed_checks_and_caps_the_list():
    from quotas import datasets
    from sampling.auditing import report as report_module

    # 40 cities of the shipped national table, one small-size enterprise each: min_count fails in every city (under any
    # minimum), pillar_industries is skipped (no pillars given), so the skipped check is one
    # counted line, not 40 rows.
    cities = datasets.national_cities()["city"].head(40).tolist()
    s = pd.DataFrame(
        {
            "enterprise_id": [f"E{i}" for i in range(40)],
            "city": cities,
            "section": "G",
            "size_class": "small",
            "state_owned": False,
        }
    )
    report = audit(s, rules="mohrss-2011")
    page = report._repr_html_()
    skipped = report.results.query("status == 'skipped'")
    for rule_zh, n in skipped.groupby("rule_zh", sort=False).size().items():
        assert f"{rule_zh} {n:,} 个城市" in page
    listed = page.split("<tbody>")[1].split("</tbody>")[0].count("<tr")
    flagged = int(report.results["status"].isin(["fail", "warn"]).sum())
    assert listed == flagged  # all of them: fewer than the cap
    original = report_module._HTML_ROWS
    report_module._HTML_ROWS = 5
    try:
        capped = report._repr_html_()
    finally:
        report_module._HTML_ROWS = original
    assert capped.split("<tbody>")[1].split("</tbody>")[0].count("<tr") == 5
    assert f"另有 {flagged - 5:,} 行" in capped


def test_employment_covered_from_the_librarys_own_sample_file(tmp_path) -> None:
    """A sample file in the library's own layout carries employees as text; the coverage adds
    them as numbers (it once concatenated the strings and reported 1e140 %)."""
    from sampling.contract import SAMPLE
    from sampling.read import read_sample

    register = pd.DataFrame(
        {
            "enterprise_id": ["A1", "A2", "A3", "A4"],
            "city": GZ,
            "industry": ["13", "13", "51", "51"],
            "registration_type": "173",
            "employees": [60, 200, 40, 100],
            "revenue": [2000.0, 9000.0, 5000.0, 9000.0],
        }
    )
    sample = pd.DataFrame(
        {
            "enterprise_id": ["A1", "A2"],
            "city": GZ,
            "section": "C",
            "size_class": ["small", "medium"],
            "state_owned": False,
            "role": "new",
            "employees": [60, 200],
        }
    )
    path = tmp_path / "sample.csv"
    SAMPLE.write(sample, path)
    report = audit(read_sample(path), rules=MOHRSS_2011, register=register, city_population=None)
    row = report.coverage.set_index("city").loc[GZ]
    # Hand calculation: sampled 60 + 200 = 260 employees of the register's 60 + 200 + 40 + 100 = 400.
    assert row["sample_employment"] == 260
    assert row["population_employment"] == 400
    assert row["coverage"] == pytest.approx(260 / 400)


def test_bad_employee_count_in_a_sample_file_is_named_by_its_line(tmp_path) -> None:
    path = tmp_path / "sample.csv"
    path.write_text(
        "enterprise_id,city,section,size_class,state_owned,role,employees\n"
        f"A1,{GZ},C,small,False,new,60\n"
        f"A2,{GZ},C,medium,False,new,2O0\n",
        encoding="utf-8",
    )
    from sampling.read import read_sample

    with pytest.raises(FrameError, match="employees") as info:
        audit(read_sample(path), rules=MOHRSS_2011, city_population=None)
    # The header is line 1, so the second enterprise is line 3.
    assert info.value.problems[["row", "value"]].values.tolist() == [[3, "2O0"]]


def test_band_50_300_checked_against_the_register_frame() -> None:
    """``band_50_300_min`` (Guangdong 2013: "参考统计部门数据, 通过全省总量控制的方式, 适度增加"):
    the minimum is the register's share of 50-300-employee enterprises times BAND_FACTOR, so an
    audit given the register frame checks it instead of skipping it."""
    employees = [60, 100, 200, 400, 400, 30, 30, 25]
    register = pd.DataFrame(
        {
            "enterprise_id": [f"R{i}" for i in range(8)],
            "city": GZ,
            "industry": "13",
            "registration_type": "173",
            "employees": employees,
            "revenue": 50_000.0,  # 5亿元: no unit is micro (manufacturing micro: < 20 persons or < 300万)
        }
    )
    sample = register[register["enterprise_id"].isin(["R0", "R1", "R3", "R5"])]
    report = audit(sample, rules=GUANGDONG_2013, register=register, city_population=None, **LOOSE)
    row = report.results.set_index(["city", "rule"]).loc[(PROVINCE, "band_50_300_min")]
    # Register: 3 of 8 in 50-300 (60, 100, 200) = 0.375; minimum 1.2 x 0.375 = 0.45.
    # Sample: 60 and 100 of 60, 100, 400, 30 = 2 of 4 = 0.5 >= 0.45.
    assert row["status"] == "pass"
    assert row["observed"] == pytest.approx(0.5)
    assert row["limit"] == pytest.approx(0.45)


def test_every_audit_module_imports_under_its_own_name():
    # The function sampling.audit once shadowed its own subpackage (sampling/audit/), so that
    # ``import sampling.audit.checks as checks`` failed; the subpackage is sampling.auditing.
    import sampling
    import sampling.auditing.checks as checks
    import sampling.auditing.run as run

    assert sampling.audit is run.audit
    assert checks.__name__ == "sampling.auditing.checks"
