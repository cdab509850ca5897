"""The shipped CJK font covers every Chinese character the library can put on a plot."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt
from fontTools.ttLib import TTFont

from quotas.plotting import cjk_font

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("basis", "allocation", "quotas", "sampling", "monitoring", "empmon")
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _covered() -> set[str]:
    path = resources.files("quotas").joinpath("data", "fonts", "NotoSansCJKsc-empmon-subset.otf")
    with resources.as_file(path) as file:
        return {chr(code) for code in TTFont(str(file)).getBestCmap()}


def test_every_chinese_character_in_the_source_is_in_the_font():
    # A character outside the subset is drawn as an empty box; tools/subset_cjk_font.py adds
    # every character of the source, so rerun it when new Chinese text is written.
    used = {
        (char, str(path.relative_to(ROOT)))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for char in CJK.findall(path.read_text(encoding="utf-8"))
    }
    covered = _covered()
    missing = sorted({char for char, _ in used if char not in covered})
    where = sorted({where for char, where in used if char in missing})[:5]
    assert not missing, (
        f"not in the font: {''.join(missing)} (used in {where}); run "
        "python tools/subset_cjk_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc (Debian fonts-noto-cjk)"
    )


def test_shipped_city_names_are_covered():
    names = "广州市深圳市延边朝鲜族自治州阿拉善盟"  # from quotas/data/national_cities.csv
    assert set(names) <= _covered()


def test_a_chinese_title_draws_without_missing_glyph_warnings():
    # warnings are errors in this suite: a missing glyph would raise here
    with cjk_font():
        fig, ax = plt.subplots()
        ax.set_title("行业门类结构与名录库的相异指数")
        fig.canvas.draw()
    plt.close(fig)
