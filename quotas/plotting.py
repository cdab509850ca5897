"""Matplotlib settings shared by every plot of the library.

Labels are often Chinese (city, industry and size names). Matplotlib's default font has no
Chinese glyphs, so the package ships a small subset of Noto Sans CJK SC (SIL Open Font License,
``quotas/data/fonts/OFL.txt``) covering every name in the shipped tables and the plot
captions; :func:`cjk_font` puts it first in the font list, with DejaVu Sans behind it for
Latin text and any character the subset lacks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources

__all__ = ["cjk_font"]

_FONT_FILE = "NotoSansCJKsc-empmon-subset.otf"


@cache
def _register() -> str:
    """Add the shipped font to matplotlib's font manager once; return its family name."""
    from matplotlib import font_manager

    path = resources.files("quotas").joinpath("data", "fonts", _FONT_FILE)
    with resources.as_file(path) as file:
        font_manager.fontManager.addfont(str(file))
        return font_manager.FontProperties(fname=str(file)).get_name()


@contextmanager
def cjk_font() -> Iterator[None]:
    """Context in which matplotlib text can show Chinese labels.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from quotas.plotting import cjk_font
    >>> with cjk_font():
    ...     fig, ax = plt.subplots()
    ...     _ = ax.set_title("广州市 制造业")
    ...     fig.canvas.draw()
    >>> plt.close(fig)
    """
    import matplotlib

    family = _register()
    with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}):
        yield
