"""Build the small CJK font shipped for plot labels (quotas/data/fonts).

Noto Sans CJK SC (SIL Open Font License 1.1) is subset to the characters the library can put on
a plot: every city and province name of the shipped national table, the GB/T 4754 section and
division names, the registration types, the city aliases, the captions below and every Chinese
character in the source of the library's packages (labels, titles, messages), so that a test can
check that nothing the library writes falls outside the font. Run it from the repository root
with the full font's path:

    python tools/subset_cjk_font.py NotoSansCJKsc-Regular.otf
    python tools/subset_cjk_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

The full font comes from Google's Noto CJK release (Debian's fonts-noto-cjk, a collection whose
font 2 is the SC one; also bundled in the PyPI package mplfonts).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd
from fontTools import subset

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("basis", "allocation", "quotas", "sampling", "monitoring", "empmon")
# CJK punctuation and ideographs; Latin and digits come from DejaVu Sans behind the subset.
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
SC_IN_COLLECTION = 2  # Noto Sans CJK SC in NotoSansCJK-Regular.ttc
CAPTIONS = (
    "大型中型小型微型国有非国有样本总体份额城市规则通过失败警告跳过配额理想分配门类行业规模所有制"
    "省汇总合计总计全省二三产业第一第二第三产业企业数量比例现有新增备选监测倾斜无上下限"
    "一二三四五六七八九十百千万亿元人年月日"
    # the monthly report's form (monitoring.columns: headers, decrease types, reasons, titles)
    "、上不与业主产人他价企位保停关其况净减出分动包化升单原变口名后员因困型城大失季少就属工市建态性总"
    "情成所技招括排收改政数整料期末本术材构查档汇汰测济涨淘率用监省破社称税等策类素级经结能节落行表裁"
    "要订调质资足迁退重金闭难革顿（）"
    # empmon.figures (titles and legends) and short Chinese rule names for plots
    "各市样本分配共户数按比例理想值检查结果绿提示红不灰未全省与总体的按最低前支柱重点制造中下限含结构相适应目标可选现有重复在名录本代表性"
)


def characters() -> str:
    text = [CAPTIONS]
    text += (
        pd.read_csv(ROOT / "quotas/data/national_cities.csv", dtype=str)[["province", "city"]]
        .stack()
        .tolist()
    )
    for name in (
        "gbt4754_2011_sections.csv",
        "gbt4754_2011_divisions.csv",
        "gbt4754_2017_divisions.csv",
        "registration_types_1998.csv",
    ):
        text += pd.read_csv(ROOT / "quotas/data" / name, dtype=str)["name_zh"].tolist()
    text += pd.read_csv(ROOT / "quotas/data/city_aliases.csv", dtype=str)["alias"].tolist()
    text += source_characters()
    return "".join(sorted({c for c in "".join(text) if ord(c) > 0x2E7F}))


def source_characters() -> list[str]:
    """Every CJK character in the library's Python source."""
    return [
        "".join(CJK.findall(path.read_text(encoding="utf-8")))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    ]


def main(source: str) -> None:
    chars = characters()
    out = ROOT / "quotas/data/fonts/NotoSansCJKsc-empmon-subset.otf"
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    if source.lower().endswith(".ttc"):
        options.font_number = SC_IN_COLLECTION
    font = subset.load_font(source, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    subset.save_font(font, str(out), options)
    print(f"{len(chars)} characters -> {out} ({out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
