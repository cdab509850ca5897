"""empmon.figures and the audit's plot: every text a bureau reads is Chinese, the numbers drawn
are the allocation's and the audit's, and every glyph is in the shipped font (pytest turns
matplotlib's missing-glyph warning into an error when the figure is drawn)."""

from __future__ import annotations

import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from allocation import allocate_cities, explain
from empmon.figures import allocation_by_province, allocation_zh, audit_by_province, explanation_zh
from quotas.plotting import cjk_font
from sampling.auditing import audit

# Two or more Latin letters in a row: an English word or an id such as "min_count". Single
# letters (GB/T 4754 section codes such as "C") and numbers are what the documents print too.
ENGLISH = re.compile(r"[A-Za-z]{2,}")


def _texts(ax) -> list[str]:
    with cjk_font():
        ax.figure.savefig(io.BytesIO(), format="png")  # draws every text, in the shipped font
    return [t.get_text() for t in ax.figure.findobj(Text) if t.get_text()]


def _english(ax) -> list[str]:
    return [t for t in _texts(ax) if ENGLISH.search(t)]


@pytest.fixture(scope="module")
def report():
    rng = np.random.default_rng(1)
    n = 400
    register = pd.DataFrame(
        {
            "enterprise_id": [f"E{i:03d}" for i in range(n)],
            "city": rng.choice(["广州市", "韶关市", "南宁市"], n),
            "section": rng.choice(list("CFGH"), n),
            "size_class": rng.choice(["small", "medium", "large"], n),
            "state_owned": rng.random(n) < 0.2,
            "employees": rng.integers(20, 500, n),
        }
    )
    return audit(register.sample(90, random_state=1), rules="mohrss-2011", register=register)


PROVINCE = pd.Series({"广州市": "广东省", "韶关市": "广东省", "南宁市": "广西壮族自治区"})


def test_allocation_figure_in_chinese():
    stats = pd.DataFrame({"employment": [3.0, 1.0], "gdp": [1.0, 1.0]}, index=["广州市", "云浮市"])
    ax = allocation_zh(allocate_cities(stats, 1_000).plot(), total=1_000)
    assert ax.get_title() == "各市样本分配(共 1,000 户)" and ax.get_ylabel() == "样本数(户)"
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["分配数", "按比例理想值"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["广州市", "云浮市"]
    assert _english(ax) == []
    plt.close(ax.figure)


def test_explanation_figure_in_chinese():
    stats = pd.DataFrame(
        {"employment": [3.0, 1.0, 2.0], "gdp": [1.0, 1.0, 2.0]}, index=["广州市", "云浮市", "佛山市"]
    )
    result = explain(pd.Series({"广州市": 50, "云浮市": 20, "佛山市": 30}), stats)
    ax = explanation_zh(result.plot(), weights=result.weights)
    assert _english(ax) == []
    assert "从业人员" in ax.get_title() or "地区生产总值" in ax.get_title()
    plt.close(ax.figure)


def test_allocation_by_province_sums_the_units():
    stats = pd.DataFrame({"population": [3.0, 1.0, 2.0]}, index=["广州市", "韶关市", "南宁市"])
    alloc = allocate_cities(stats, 60, weights={"population": 1.0})
    ax = allocation_by_province(alloc, PROVINCE)
    # Hamilton on 3:1:2 of 60 gives 30, 10, 20 (exact quotas): 广东 40 over 2 units, 广西 20 over 1.
    assert [round(p.get_width()) for p in ax.patches] == [40, 20]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["广东省(2)", "广西壮族自治区(1)"]
    assert _english(ax) == []
    plt.close(ax.figure)


def test_allocation_by_province_names_a_unit_without_province():
    stats = pd.DataFrame({"population": [3.0, 1.0]}, index=["广州市", "三沙市"])
    alloc = allocate_cities(stats, 40, weights={"population": 1.0})
    with pytest.raises(ValueError, match="三沙市"):
        allocation_by_province(alloc, PROVINCE)


def test_audit_by_province_counts_units_at_the_worst_status(report):
    ax = audit_by_province(report, PROVINCE)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(
        pd.unique(report.results["city"].map(PROVINCE))
    )
    # A cell reads k/n: k units of the province at the check's worst status, n its units. Here
    # min_count (about 30 enterprises a unit, below the 2011 minimum): k counted from the report.
    fails = (
        report.results.query("rule == 'min_count' and status == 'fail'")["city"].map(PROVINCE).value_counts()
    )
    assert len(fails)
    column = list(pd.unique(report.results["rule"])).index("min_count")
    shown = {t.get_text() for t in ax.texts if round(t.get_position()[0]) == column}
    units = PROVINCE.value_counts()
    assert shown == {f"{fails[p]}/{units[p]}" for p in fails.index}
    assert _english(ax) == []
    plt.close(ax.figure)


def test_audit_heat_map_names_the_checks_in_chinese(report):
    ax = report.plot()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "监测企业数量下限" in labels and "min_count" not in labels
    assert _english(ax) == []
    plt.close(ax.figure)


@pytest.mark.parametrize("dimension", ["section", "sector", "size_class", "state_owned"])
def test_audit_share_plots_in_chinese(report, dimension):
    ax = report.plot(dimension=dimension)
    assert _english(ax) == []
    plt.close(ax.figure)
