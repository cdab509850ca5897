"""empmon.figures: the allocation figure reads in Chinese, and every glyph is in the shipped font
(pytest turns matplotlib's missing-glyph warning into an error when the figure is drawn)."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd

from allocation import allocate_cities
from empmon.figures import allocation_zh
from quotas.plotting import cjk_font


def test_allocation_figure_in_chinese():
    stats = pd.DataFrame({"employment": [3.0, 1.0], "gdp": [1.0, 1.0]}, index=["广州市", "云浮市"])
    ax = allocation_zh(allocate_cities(stats, 1_000).plot(), total=1_000)
    assert ax.get_title() == "各市样本分配(共 1,000 户)" and ax.get_ylabel() == "样本数(户)"
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["分配数", "按比例理想值"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["广州市", "云浮市"]
    with cjk_font():
        ax.figure.savefig(io.BytesIO(), format="png")
    plt.close(ax.figure)
