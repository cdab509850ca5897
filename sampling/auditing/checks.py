"""The audit's data checks, all hard: an enterprise listed twice, enterprises absent from the
register or listed in another city, reported sizes that contradict the size thresholds; and the
share of the register's employment the sample covers."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from basis.rows import rows_shown
from quotas.checks import CHECK_COLUMNS
from quotas.classify import SIZE_CLASSES, SIZE_LABELS_ZH
from sampling.auditing.inputs import take
from sampling.exceptions import AuditError

__all__: list[str] = []

_DATA_CHECKS = {
    "duplicates": ("企业重复列报", "an enterprise listed more than once"),
    "absent_from_frame": ("企业不在名录库中", "enterprises not in the register"),
    "outside_city": ("企业不在所报地市", "enterprises whose register city differs from the sample city"),
    "size_consistent": ("填报规模与划型标准不一致", "reported size differs from the size thresholds"),
}
_SIZE_FROM_TEXT = {
    **{v: k for k, v in SIZE_LABELS_ZH.items()},
    **{k: k for k in SIZE_CLASSES},
    "大": "large",
    "中": "medium",
    "小": "small",
    "微": "micro",
}


def _rows(
    rule: str, cities: list[str], counts: pd.Series, detail: Mapping[str, tuple[str, str]]
) -> pd.DataFrame:
    """One row per city: pass when the count is 0, else fail with the first cases named
    (``detail``: city -> (Chinese, English) text)."""
    zh, en = _DATA_CHECKS[rule]
    out = []
    for city in cities:
        k = float(counts.get(city, 0))
        if k == 0:
            out.append((city, rule, 0.0, 0.0, "pass", f"无{zh}", f"no {en}"))
        else:
            d_zh, d_en = detail.get(city, ("", ""))
            more_zh = " 等" if k > 5 else ""
            more_en = f" (and {int(k) - 5} more)" if k > 5 else ""
            out.append(
                (
                    city,
                    rule,
                    k,
                    0.0,
                    "fail",
                    f"{zh} {int(k)} 户:{d_zh}{more_zh}",
                    f"{int(k)} {en}: {d_en}{more_en}",
                )
            )
    return pd.DataFrame(out, columns=list(CHECK_COLUMNS))


def _ids_by_city(rows: pd.DataFrame) -> dict[str, tuple[str, str]]:
    out = {}
    for city, ids in rows.groupby("city", sort=False)["enterprise_id"]:
        shown = list(pd.unique(ids))[:5]
        out[city] = ("、".join(shown), ", ".join(shown))
    return out


def duplicates(table: pd.DataFrame, cities: list[str]) -> pd.DataFrame:
    dup = table["enterprise_id"].duplicated(keep="first")
    rows = table[dup]
    return _rows("duplicates", cities, rows.groupby("city").size(), _ids_by_city(rows))


def frame_membership(
    table: pd.DataFrame, frame: pd.DataFrame, positions: np.ndarray, cities: list[str]
) -> list[pd.DataFrame]:
    absent = table[positions < 0]
    found = positions >= 0
    frame_city = np.full(len(table), None, dtype=object)
    frame_city[found] = take(frame["city"], positions[found])
    moved_mask = found & (frame_city != table["city"].to_numpy())
    moved = table[moved_mask]
    moved_city = frame_city[moved_mask]
    moved_detail: dict[str, tuple[str, str]] = {}
    for city, part in pd.DataFrame(
        {"city": moved["city"], "id": moved["enterprise_id"], "other": moved_city}
    ).groupby("city", sort=False):
        first = part.head(5)
        moved_detail[city] = (
            "、".join(f"{i}(名录库在{o})" for i, o in zip(first["id"], first["other"])),
            ", ".join(f"{i} ({o})" for i, o in zip(first["id"], first["other"])),
        )
    return [
        _rows("absent_from_frame", cities, absent.groupby("city").size(), _ids_by_city(absent)),
        _rows("outside_city", cities, moved.groupby("city").size(), moved_detail),
    ]


def size_consistency(
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
        shown = rows_shown(unknown.items())
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
        pairs = list(zip(sub["enterprise_id"][:5], mapped.iloc[idx], derived[idx]))
        detail[city] = (
            "、".join(f"{i} 填报{SIZE_LABELS_ZH[r]}、应为{SIZE_LABELS_ZH[d]}" for i, r, d in pairs),
            ", ".join(f"{i} {r}->{d}" for i, r, d in pairs),
        )
    return _rows("size_consistent", cities, rows.groupby("city").size(), detail)


def coverage(table: pd.DataFrame, struct: pd.DataFrame | None, cities: list[str]) -> pd.DataFrame:
    """Each city's sampled employment against the register's (each enterprise counted once)."""
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
