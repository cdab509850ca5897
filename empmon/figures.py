"""Chinese titles and labels for the figures the example pipelines hand to city bureaus.

:meth:`allocation.CityAllocation.plot` keeps English labels: the allocation layer knows nothing
of China. A bureau reads Chinese: :func:`allocation_zh` relabels the drawn Axes in place, in the
font list of :func:`quotas.plotting.cjk_font` so that the glyphs are found, and returns it.
"""

from __future__ import annotations

from typing import Any

from quotas.plotting import cjk_font

__all__ = ["allocation_zh"]

_LEGEND = {"allocated": "分配数", "ideal": "按比例理想值"}


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
    import matplotlib
    from matplotlib.text import Text

    with cjk_font():
        ax.set_title(f"各市样本分配(共 {total:,} 户)")
        ax.set_ylabel("样本数(户)")
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(handles, [_LEGEND.get(label, label) for label in labels])
        # Texts made before (tick labels, the title object) keep the font they were made with.
        family = matplotlib.rcParams["font.family"]
        for text in ax.figure.findobj(Text):
            text.set_fontfamily(family)
    return ax
