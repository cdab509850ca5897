"""Chinese figures for the example pipelines: what a provincial or national office hands on.

:meth:`allocation.CityAllocation.plot` and :meth:`allocation.AllocationExplanation.plot` keep
English labels: the allocation layer knows nothing of China. A bureau reads Chinese:
:func:`allocation_zh` and :func:`explanation_zh` relabel their Axes in place. A national run
has 337 units, too many for a bar or a row each on one figure: :func:`allocation_by_province`
and :func:`audit_by_province` draw one bar or row per province (the cities' figures are in
their workbooks and the audit's table). Every text uses the font list of
:func:`quotas.plotting.cjk_font`, so that the glyphs are found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from quotas.plotting import cjk_font
from sampling.auditing.labels import STATUS_COLOURS, STATUS_ZH, rule_zh

if TYPE_CHECKING:
    from allocation.cities import CityAllocation
    from sampling.auditing.report import AuditReport

__all__ = ["allocation_by_province", "allocation_zh", "audit_by_province", "explanation_zh"]

_LEGEND = {"allocated": "分配数", "ideal": "按比例理想值"}
_MEASURES = {"employment": "从业人员", "gdp": "地区生产总值", "population": "常住人口"}
_WORST = ("fail", "warn", "skipped", "pass")


def _chinese_fonts(ax: Any) -> Any:
    """Texts made before the font list was set (tick labels, the title object) keep the font
    they were made with: give every text of the figure the current list."""
    import matplotlib
    from matplotlib.text import Text

    family = matplotlib.rcParams["font.family"]
    for text in ax.figure.findobj(Text):
        text.set_fontfamily(family)
    return ax


def allocation_zh(ax: Any, *, total: int) -> Any:
    """Relabel the Axes of :meth:`allocation.CityAllocation.plot` in Chinese; return it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> from allocation import allocate_cities
    >>> alloc = allocate_cities(pd.DataFrame({"employment": [3.0, 1.0], "gdp": [1.0, 1.0]},
    ...                                      index=["广州市", "云浮市"]), 100)
    >>> ax = allocation_zh(alloc.plot(), total=100)
    >>> ax.get_title(), ax.get_ylabel(), sorted(t.get_text() for t in ax.get_legend().get_texts())
    ('各市样本分配(共 100 户)', '样本数(户)', ['分配数', '按比例理想值'])
    >>> plt.close(ax.figure)
    """
    with cjk_font():
        ax.set_title(f"各市样本分配(共 {total:,} 户)")
        ax.set_ylabel("样本数(户)")
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(handles, [_LEGEND.get(label, label) for label in labels])
        _chinese_fonts(ax)
    return ax


def explanation_zh(ax: Any, *, weights: pd.Series) -> Any:
    """Relabel the Axes of :meth:`allocation.AllocationExplanation.plot` in Chinese; return it.

    Parameters
    ----------
    ax : matplotlib Axes
        As drawn by the explanation's ``plot``.
    weights : Series
        The explanation's ``weights`` (measure -> weight), named in the title.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> from allocation import explain
    >>> stats = pd.DataFrame({"employment": [3.0, 1.0, 2.0], "gdp": [1.0, 1.0, 2.0]},
    ...                      index=["广州市", "云浮市", "佛山市"])
    >>> result = explain(pd.Series({"广州市": 50, "云浮市": 20, "佛山市": 30}), stats)
    >>> ax = explanation_zh(result.plot(), weights=result.weights)
    >>> ax.get_title().startswith("各市任务相对于"), ax.get_ylabel()
    (True, '任务数 / 按比例分配数')
    >>> plt.close(ax.figure)
    """
    blend = " + ".join(f"{w:.2f} {_MEASURES.get(k, k)}" for k, w in weights.items() if w > 0)
    with cjk_font():
        ax.set_title(f"各市任务相对于按比例分配({blend})的倾斜")
        ax.set_ylabel("任务数 / 按比例分配数")
        _chinese_fonts(ax)
    return ax


def allocation_by_province(alloc: CityAllocation, province: pd.Series, *, ax: Any = None) -> Any:
    """Each province's allocated enterprises (its units summed), the proportional ideal marked.

    Parameters
    ----------
    alloc : CityAllocation
        The allocation over the units.
    province : Series
        Unit -> province; every allocated unit must have one.
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        A unit without a province.

    Examples
    --------
    >>> import matplotlib.pyplot as plt, pandas as pd
    >>> from allocation import allocate_cities
    >>> alloc = allocate_cities(pd.DataFrame({"population": [3.0, 1.0, 2.0]},
    ...     index=["广州市", "云浮市", "南宁市"]), 60, weights={"population": 1.0})
    >>> ax = allocation_by_province(alloc, pd.Series({"广州市": "广东省", "云浮市": "广东省", "南宁市": "广西壮族自治区"}))
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_title()
    (['广东省(2)', '广西壮族自治区(1)'], '各省样本分配(共 60 户, 3 个地市)')
    >>> plt.close(ax.figure)
    """
    from matplotlib.figure import Figure

    table = alloc.table
    of = _provinces(table.index, province)
    by = table[["allocated", "ideal"]].groupby(of.to_numpy(), sort=False).sum()
    units = of.value_counts().reindex(by.index)
    with cjk_font():
        if ax is None:
            ax = Figure(figsize=(8, 1.5 + 0.28 * len(by)), layout="constrained").add_subplot()
        y = np.arange(len(by))
        ax.barh(y, by["allocated"], color="tab:blue", label="分配数")
        ax.scatter(by["ideal"], y, color="tab:red", marker="|", s=200, zorder=3, label="按比例理想值")
        ax.set_yticks(y, [f"{p}({n})" for p, n in units.items()])
        ax.invert_yaxis()
        ax.set_xlabel("样本数(户); 括号内为地市数")
        ax.set_title(f"各省样本分配(共 {int(by['allocated'].sum()):,} 户, {len(of)} 个地市)")
        ax.legend(loc="lower right")
    return ax


def audit_by_province(report: AuditReport, province: pd.Series, *, ax: Any = None) -> Any:
    """Provinces x checks: the worst status among the province's units, and how many have it.

    A cell's colour is the worst status of the check among the province's units (不通过 before
    提示 before 未核对 before 通过); its text ``k/n`` counts the units at that status out of
    the province's n (blank where all pass). Checks are named in Chinese
    (:func:`sampling.auditing.labels.rule_zh`).

    Parameters
    ----------
    report : AuditReport
    province : Series
        Unit -> province; every audited unit must have one (province-wide rows are left out).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        A unit without a province.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from quotas.checks import PROVINCE

    res = report.results[report.results["city"] != PROVINCE]
    of = _provinces(pd.Index(pd.unique(res["city"])), province)
    prov = res["city"].map(of).to_numpy()
    rank = res["status"].map({s: i for i, s in enumerate(_WORST)}).fillna(len(_WORST) - 1).to_numpy()
    table = pd.DataFrame({"province": prov, "rule": res["rule"].to_numpy(), "rank": rank})
    rules = list(pd.unique(res["rule"]))
    provinces = list(pd.unique(of))
    worst = table.groupby(["province", "rule"], sort=False)["rank"].min()
    table = table.join(worst.rename("worst"), on=["province", "rule"])
    at_worst = table[table["rank"] == table["worst"]].groupby(["province", "rule"], sort=False).size()
    units = of.value_counts()
    grid = worst.unstack("rule").reindex(index=provinces, columns=rules)
    counts = at_worst.unstack("rule").reindex(index=provinces, columns=rules)
    colours = [STATUS_COLOURS[s] for s in _WORST]
    with cjk_font():
        if ax is None:
            ax = Figure(
                figsize=(2.5 + 0.45 * len(rules), 2.0 + 0.3 * len(provinces)), layout="constrained"
            ).add_subplot()
        values = grid.to_numpy(dtype=float)
        ax.imshow(
            np.ma.masked_invalid(values), cmap=ListedColormap(colours), vmin=-0.5, vmax=3.5, aspect="auto"
        )
        for i, p in enumerate(provinces):
            for j, _r in enumerate(rules):
                if np.isfinite(values[i, j]) and values[i, j] < len(_WORST) - 1:
                    # Inside the image: the layout need not measure them (a second pass over 600 texts).
                    text = f"{int(counts.iat[i, j])}/{units[p]}"
                    ax.text(j, i, text, ha="center", va="center", fontsize=6, in_layout=False)
        ax.set_xticks(range(len(rules)), [rule_zh(r) for r in rules], rotation=60, ha="right")
        ax.set_yticks(range(len(provinces)), provinces)
        ax.set_xlabel("检查项")
        ax.set_title(f"各省样本核对结果({len(of)} 个地市; 格内: 该结果的地市数/全省地市数)")
        ax.legend(
            handles=[Patch(color=STATUS_COLOURS[s], label=STATUS_ZH[s]) for s in _WORST],
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
        )
    return ax


def _provinces(units: pd.Index, province: pd.Series) -> pd.Series:
    of = pd.Series(units, index=units).map(province)
    missing = of.index[of.isna()]
    if len(missing):
        raise ValueError(f"no province for {len(missing)} unit(s): {missing.tolist()[:10]}")
    return of.astype(str)
