"""Official classifications: industries, sectors, enterprise size classes, ownership.

* Industries: GB/T 4754-2011 and GB/T 4754-2017 《国民经济行业分类》, sections A-T and
  two-digit divisions.
* Sectors: 三次产业划分规定 (国家统计局 2012, revised 2018): primary = section A except
  division 05; secondary = B, C, D, E except divisions 11 and 43; tertiary = the rest.
* Size classes: 统计上大中小微型企业划分办法 (国统字〔2011〕75号).
* Ownership: enterprise registration types of 国统字〔1998〕200号.

All functions accept scalars, lists, arrays or Series, and return a Series aligned on the
input's index (a scalar for a scalar input in :func:`section_of` and :func:`sector_of`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd

from basis.rows import rows_shown
from basis.threads import Workers
from quotas.exceptions import (
    SizeClassWarning,
    UnknownIndustryError,
    UnknownRegistrationTypeError,
)
from quotas.labels import OWNERSHIP_GROUP_OF_TYPE, SIZE_CLASSES, SIZE_LABELS_ZH

__all__ = [
    "DEFAULT_STATE_OWNED_CODES",
    "SIZE_CLASSES",
    "SIZE_LABELS_ZH",
    "divisions",
    "is_state_owned",
    "ownership_group",
    "registration_types",
    "section_of",
    "sections",
    "sector_of",
    "sector_of_section",
    "size_class",
    "size_thresholds",
]

Version = Literal["2011", "2017"]

DEFAULT_STATE_OWNED_CODES: frozenset[str] = frozenset({"110", "141", "151"})
"""国有企业, 国有联营企业, 国有独资公司: the purely state-owned registration types."""


def _read(name: str, **kwargs: Any) -> pd.DataFrame:
    with resources.files("quotas").joinpath("data", name).open("rb") as fh:
        return pd.read_csv(fh, **kwargs)


@cache
def _sections() -> pd.DataFrame:
    return _read("gbt4754_2011_sections.csv", dtype=str)


@cache
def _divisions(version: str) -> pd.DataFrame:
    df = _read(f"gbt4754_{version}_divisions.csv", dtype={"division": str, "section": str})
    return df


def _check_version(version: str) -> str:
    version = str(version)
    if version not in ("2011", "2017"):
        raise ValueError(f"version must be '2011' or '2017', got {version!r}")
    return version


def sections() -> pd.DataFrame:
    """The 20 sections (门类) A-T of GB/T 4754-2011.

    Returns
    -------
    DataFrame
        ``section, name_zh, name_en, first_division, last_division``; the names are the same in
        the 2017 edition. ``name_en`` is an unofficial short translation.

    References
    ----------
    GB/T 4754-2011 《国民经济行业分类》. Source of the table: ``quotas/data/SOURCES.md``.

    Examples
    --------
    >>> from quotas.classify import sections
    >>> s = sections()
    >>> s.loc[s.section == "C", "name_zh"].item()
    '制造业'
    """
    return _sections().copy()


def divisions(version: Version = "2011") -> pd.DataFrame:
    """The two-digit divisions (大类) of GB/T 4754, with their section and sector.

    Parameters
    ----------
    version : {"2011", "2017"}
        Edition of the standard. Codes from 79 upwards differ: 2017 inserted 79 土地管理业, so
        2011 divisions 79-96 are 2017 divisions 80-97.

    Returns
    -------
    DataFrame
        ``division`` (two-digit text), ``section``, ``name_zh``, ``name_en``, ``sector`` (1, 2
        or 3 by 三次产业划分规定).

    References
    ----------
    GB/T 4754-2011 and GB/T 4754-2017; 三次产业划分规定 (国家统计局, 2012; revised 2018).

    Examples
    --------
    >>> from quotas.classify import divisions
    >>> len(divisions("2011")), len(divisions("2017"))
    (96, 97)
    """
    return _divisions(_check_version(version)).copy()


def _as_series(values: Any, name: str) -> tuple[pd.Series, bool]:
    """Return (series, was_scalar)."""
    if isinstance(values, pd.Series):
        return values, False
    if isinstance(values, (str, bytes, int, np.integer, float, np.floating)) or values is None:
        return pd.Series([values], name=name), True
    if isinstance(values, Iterable):
        return pd.Series(list(values), name=name), False
    return pd.Series([values], name=name), True


def _code_text(value: Any) -> str | None:
    """Normalise one industry code to upper-case text without spaces, or None if blank."""
    if value is None:
        return None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value) or value != int(value):
            return None if np.isnan(value) else f"{value}"
        value = int(value)
    if isinstance(value, (int, np.integer)):
        text = str(int(value))
        # An integer loses its leading zero: 5 -> "05", 511 -> "0511".
        return text.zfill(2) if len(text) <= 2 else text.zfill(4) if len(text) <= 4 else text
    text = str(value).strip().upper()
    return text or None


def _parse_codes(values: pd.Series, version: str) -> tuple[np.ndarray, np.ndarray]:
    """Split industry codes into (two-digit division, four-digit class or "").

    Works on the distinct values only, so a frame of millions of rows costs little more than
    its few hundred distinct codes. Raises UnknownIndustryError naming every bad value and its
    row label.
    """
    table = _divisions(version)
    section_of_div = dict(zip(table["division"], table["section"]))
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    div_u = np.empty(len(uniques), dtype=object)
    cls_u = np.empty(len(uniques), dtype=object)
    ok_u = np.zeros(len(uniques), dtype=bool)
    for i, raw in enumerate(uniques):
        text = _code_text(raw)
        if text is None:
            continue
        letter = ""
        if text[:1].isalpha():
            letter, text = text[:1], text[1:]
        if text.isdigit() and len(text) in (2, 3, 4):
            div = text[:2]
            sec = section_of_div.get(div)
            if sec is not None and (not letter or letter == sec):
                div_u[i], cls_u[i], ok_u[i] = div, (text if len(text) == 4 else ""), True
    bad_rows = (codes < 0) | ~ok_u[np.maximum(codes, 0)]
    if bad_rows.any():
        rows = values[bad_rows]
        raise UnknownIndustryError(
            f"unknown GB/T 4754-{version} industry code(s): {rows_shown(rows.items())}; expected a division "
            f"such as '13', 13, 'C13' or a class such as '1311'"
        )
    return div_u[codes], cls_u[codes]


def _wrap(result: np.ndarray, values: pd.Series, scalar: bool, name: str) -> Any:
    out = pd.Series(result, index=values.index, name=name)
    return out.iloc[0] if scalar else out


def section_of(division: Any, *, version: Version = "2011") -> Any:
    """Section letter (门类, A-T) of GB/T 4754 industry codes.

    Parameters
    ----------
    division : str, int, sequence or Series
        Division codes ("13", 13), finer codes ("131", "1311") or codes with their section
        letter ("C13", "C1311").
    version : {"2011", "2017"}
        Edition the codes follow.

    Returns
    -------
    str or Series
        The section letter, aligned on the input's index.

    Raises
    ------
    UnknownIndustryError
        For any code that is not a division of that edition (the message names the value and
        its row), or whose letter contradicts its division ("A13").

    References
    ----------
    GB/T 4754-2011 《国民经济行业分类》, section ranges (A 01-05, B 06-12, C 13-43, ...).

    Examples
    --------
    >>> from quotas.classify import section_of
    >>> section_of("1311")
    'C'
    >>> section_of([5, "44", "C43"]).tolist()
    ['A', 'D', 'C']
    """
    version = _check_version(version)
    values, scalar = _as_series(division, "industry")
    div, _ = _parse_codes(values, version)
    lookup = _divisions(version).set_index("division")["section"]
    return _wrap(lookup.reindex(div).to_numpy(dtype=object), values, scalar, "section")


def sector_of(division: Any, *, version: Version = "2011") -> Any:
    """Sector (三次产业: 1 primary, 2 secondary, 3 tertiary) of GB/T 4754 industry codes.

    Parameters
    ----------
    division : str, int, sequence or Series
        Industry codes, in any form :func:`section_of` accepts.
    version : {"2011", "2017"}
        Edition the codes follow.

    Returns
    -------
    int or Series
        1, 2 or 3. Divisions 05 (agricultural services), 11 (mining support) and 43 (repair of
        metal products and machinery) are tertiary although their sections are A, B and C.

    References
    ----------
    国家统计局, 三次产业划分规定 (2012), based on GB/T 4754-2011; revised 2018 for GB/T 4754-2017.

    Examples
    --------
    >>> from quotas.classify import sector_of
    >>> sector_of(["01", "05", "13", "43", "44", "70"]).tolist()
    [1, 3, 2, 3, 2, 3]
    """
    version = _check_version(version)
    values, scalar = _as_series(division, "industry")
    div, _ = _parse_codes(values, version)
    lookup = _divisions(version).set_index("division")["sector"].astype(np.int64)
    return _wrap(lookup.reindex(div).to_numpy(dtype=np.int64), values, scalar, "sector")


_SECTOR_OF_SECTION: dict[str, int] = {
    s: 1 if s == "A" else 2 if s in "BCDE" else 3 for s in "ABCDEFGHIJKLMNOPQRST"
}


def sector_of_section(section: Any) -> Any:
    """Sector (1 primary, 2 secondary, 3 tertiary) of GB/T 4754-2011 sections (门类 A-T).

    The section-level reading of 三次产业划分规定: A primary, B-E secondary, F-T tertiary. It
    misplaces the three divisions whose sector differs from their section's (05 agricultural
    services, 11 mining support, 43 repair of metal products and machinery are tertiary): use
    :func:`sector_of` on the industry code where the division is known.

    Parameters
    ----------
    section : str, sequence or Series
        Section letters, in any letter case.

    Returns
    -------
    int or Series
        1, 2 or 3, aligned on the input's index.

    Raises
    ------
    UnknownIndustryError
        For a value that is not a section letter A-T (rows named).

    References
    ----------
    国家统计局, 三次产业划分规定 (2012); GB/T 4754-2011 《国民经济行业分类》.

    Examples
    --------
    >>> from quotas.classify import sector_of_section
    >>> sector_of_section(["A", "C", "E", "F", "t"]).tolist()
    [1, 2, 2, 3, 3]
    >>> sector_of_section("B")
    2
    """
    values, scalar = _as_series(section, "section")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    per_value = np.array(
        [_SECTOR_OF_SECTION.get(str(v).strip().upper(), 0) for v in uniques] + [0], dtype=np.int64
    )
    result = per_value[codes]
    bad = result == 0
    if bad.any():
        rows = values[bad]
        raise UnknownIndustryError(
            f"unknown GB/T 4754 section(s): {rows_shown(rows.items())}; expected a letter A-T"
        )
    return int(result[0]) if scalar else _wrap(result, values, scalar, "sector")


# --------------------------------------------------------------------------- size classes


@cache
def _thresholds() -> pd.DataFrame:
    return _read("enterprise_size_thresholds_2011.csv")


def size_thresholds() -> pd.DataFrame:
    """The size-class thresholds of 国统字〔2011〕75号 (lower limits of large, medium, small).

    Returns
    -------
    DataFrame
        One row per industry group and indicator: ``group, group_en, scope, indicator, unit,
        large, medium, small``. ``scope`` lists GB/T 4754-2011 sections, divisions or classes.

    References
    ----------
    国家统计局, 统计上大中小微型企业划分办法, 国统字〔2011〕75号 (2011-09-02); thresholds kept by
    国统字〔2017〕213号.

    Examples
    --------
    >>> from quotas.classify import size_thresholds
    >>> t = size_thresholds()
    >>> t.query("group == '工业' and indicator == 'employees'")[["large", "medium", "small"]].values.tolist()
    [[1000, 300, 20]]
    """
    return _thresholds().copy()


_OTHER_GROUP = "其他未列明行业"


@cache
def _group_scopes() -> dict[str, str]:
    """Map each scope token (section letter, division, class) to its group name."""
    scopes: dict[str, str] = {}
    for group, scope in _thresholds()[["group", "scope"]].drop_duplicates().itertuples(index=False):
        for token in scope.split():
            scopes[token] = group
    return scopes


def _to_2011(div: np.ndarray, cls: np.ndarray, version: str) -> tuple[np.ndarray, np.ndarray]:
    """Translate 2017 division/class codes to the 2011 codes the size document uses."""
    if version == "2011":
        return div, cls
    d = div.astype(int)
    new_div = np.where(d > 79, d - 1, d)
    out_div = np.array([f"{x:02d}" for x in new_div], dtype=object)
    out_cls = np.array([f"{nd:02d}{c[2:]}" if c else "" for nd, c in zip(new_div, cls)], dtype=object)
    # 2017 division 79 土地管理业 (section N) has no 2011 counterpart: sized with section N.
    out_div[d == 79] = "N79"
    return out_div, out_cls


def _group_of(div: str, cls: str, section: str) -> tuple[str, str]:
    """Return (group, basis) for one code; basis explains any fallback."""
    scopes = _group_scopes()
    if cls and cls in scopes:
        return scopes[cls], ""
    if div == "70":
        # Real estate is split by class (7010 development, 7020 property management, ...);
        # without a class the document cannot say which limits apply.
        return _OTHER_GROUP, "unlisted industry"
    if div in scopes:
        return scopes[div], ""
    if section in scopes:
        return scopes[section], ""
    return _OTHER_GROUP, "unlisted industry"


def size_class(
    industry: Any,
    employees: Any,
    revenue: Any = None,
    assets: Any = None,
    *,
    version: Version = "2011",
) -> pd.DataFrame:
    """Enterprise size class (large / medium / small / micro) by 国统字〔2011〕75号.

    Parameters
    ----------
    industry : sequence or Series
        GB/T 4754 codes; four-digit classes are needed to tell real-estate development (7010)
        from property management (7020).
    employees : sequence or Series
        从业人员, persons.
    revenue, assets : sequence or Series, optional
        营业收入 and 资产总额 in 万元. Missing values are allowed.
    version : {"2011", "2017"}
        Edition of the industry codes; 2017 codes are translated to the 2011 scopes of the
        document (国统字〔2017〕213号 kept the thresholds).

    Returns
    -------
    DataFrame
        Aligned on the input: ``size_class`` (one of :data:`SIZE_CLASSES`) and ``size_basis``:
        ``"document"`` when every indicator of the group was known; ``"employees only"`` when
        revenue or assets were missing and the class rests on employees alone;
        ``"incomplete indicators"`` when some but not all of the group's indicators were known
        (the class rests on those known);
        ``"unlisted industry"`` for industries the document does not size (finance J, railway
        53, education P, health 83, public administration S, international organisations T,
        real estate without a class), which are sized with the 其他未列明行业 employee limits.
        A :class:`~quotas.exceptions.SizeClassWarning` counts the rows not marked "document".

    Notes
    -----
    Large, medium and small must reach the lower limits of *all* listed indicators of their
    group; otherwise the enterprise moves down one class. Micro needs to meet only one, i.e.
    micro is whatever fails the small limits.

    References
    ----------
    国家统计局, 统计上大中小微型企业划分办法, 国统字〔2011〕75号, table and notes.

    Examples
    --------
    The document's own example: an industrial enterprise with 300 employees and 2,000万元
    revenue is medium; with 1,200 employees but 30,000万元 revenue it is still medium.

    >>> from quotas.classify import size_class
    >>> size_class(["1311", "1311"], [300, 1200], revenue=[2000, 30000])["size_class"].tolist()
    ['medium', 'medium']
    """
    version = _check_version(version)
    ind, _ = _as_series(industry, "industry")
    index = ind.index
    emp = _numeric(employees, index, "employees", required=True)
    rev = _numeric(revenue, index, "revenue", required=False)
    ast = _numeric(assets, index, "assets", required=False)
    # Everything below depends on the industry only through its distinct values.
    ind_codes, ind_uniques = pd.factorize(ind.astype(object), use_na_sentinel=True)
    if (ind_codes < 0).any():
        _parse_codes(ind, version)  # raises, naming the blank rows
    rank, basis = _size_codes(ind_codes, pd.Series(ind_uniques, dtype=object), emp, rev, ast, version=version)
    out = pd.DataFrame(
        {
            "size_class": pd.Categorical.from_codes(rank, categories=list(SIZE_CLASSES)),
            "size_basis": pd.Categorical.from_codes(basis, categories=list(SIZE_BASES)),
        },
        index=index,
    )
    message = _partial_message(basis)
    if message:
        warnings.warn(message, SizeClassWarning, stacklevel=2)
    return out


SIZE_BASES: tuple[str, ...] = ("document", "employees only", "incomplete indicators", "unlisted industry")
"""Values of ``size_basis`` in :func:`size_class`, in the order of its categories."""

_INDICATORS: tuple[str, ...] = ("employees", "revenue", "assets")


def _size_codes(
    ind_codes: np.ndarray,
    uniques: pd.Series,
    employees: np.ndarray,
    revenue: np.ndarray,
    assets: np.ndarray,
    *,
    version: str,
    workers: Workers | None = None,
    rows_per_task: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Size class and basis codes (int8, positions in SIZE_CLASSES and SIZE_BASES) per row.

    ``ind_codes`` index the distinct industry codes ``uniques`` (no missing codes); the three
    measures are float arrays, NaN where unknown. The rules of :func:`size_class` are applied
    to each distinct code once, then row by row through per-group limit tables, a slice of
    rows at a time (:data:`basis.threads.ROWS_PER_TASK` rows, on ``workers`` when given);
    each row's result depends on that row only.
    """
    div, cls = _parse_codes(uniques, version)
    sec = section_of(uniques, version=version).to_numpy(dtype=object)
    div, cls = _to_2011(div, cls, version)
    resolved = [_group_of(d, c, s_) for d, c, s_ in zip(div, cls, sec)]

    table = _thresholds()
    group_names = sorted({g for g, _ in resolved})
    n_groups = len(group_names)
    # has[g, k]: indicator k is listed for group g; lim[g, k]: its large/medium/small limits.
    has = np.zeros((n_groups, len(_INDICATORS)), dtype=bool)
    lim = np.zeros((n_groups, len(_INDICATORS), 3), dtype=float)
    position = {g: i for i, g in enumerate(group_names)}
    other = np.zeros(3, dtype=float)
    for g, indicator, lg, md, sm in table[["group", "indicator", "large", "medium", "small"]].itertuples(
        index=False
    ):
        limits = np.array([lg, md, sm], dtype=float)
        if g == _OTHER_GROUP and indicator == "employees":
            other = limits
        if g in position:
            k = _INDICATORS.index(indicator)
            has[position[g], k] = True
            lim[position[g], k] = limits
    group_u = np.array([position[g] for g, _ in resolved], dtype=np.intp)
    # basis codes: 0 document, 1 employees only, 2 incomplete indicators, 3 unlisted industry
    basis_u = np.array([3 if b else 0 for _, b in resolved], dtype=np.int8)

    n = len(ind_codes)
    rank = np.empty(n, dtype=np.int8)  # 0 large, 1 medium, 2 small, 3 micro
    basis = np.empty(n, dtype=np.int8)
    measures = (employees, revenue, assets)

    def fill(rows: slice) -> None:
        codes = ind_codes[rows]
        group = group_u[codes]
        present = np.zeros(len(codes), dtype=bool)
        partial = np.zeros(len(codes), dtype=bool)
        known_other = np.zeros(len(codes), dtype=bool)
        ok = np.ones((len(codes), 3), dtype=bool)
        for k, measure in enumerate(measures):
            listed = has[group, k]
            if not listed.any():
                continue
            v = measure[rows]
            known = ~np.isnan(v)
            used = listed & known
            present |= used
            partial |= listed & ~known
            if k:
                known_other |= used
            ok &= ~used[:, None] | (v[:, None] >= lim[group, k])
        # No indicator of the group known (e.g. construction without revenue or assets): fall
        # back on the employee limits of 其他未列明行业 and say so.
        none = ~present
        if none.any():
            ok[none] = employees[rows][none][:, None] >= other[None, :]
        rank[rows] = np.where(ok[:, 0], 0, np.where(ok[:, 1], 1, np.where(ok[:, 2], 2, 3)))
        sub_basis = basis_u[codes]
        fresh = (sub_basis == 0) & partial
        sub_basis[fresh & ~known_other] = 1
        sub_basis[fresh & known_other] = 2
        basis[rows] = sub_basis

    # Each slice writes its own rows only, so threads give the same result as a loop.
    (workers or Workers(1)).map_rows(fill, n, rows_per_task)
    return rank, basis


def _partial_message(basis: np.ndarray) -> str | None:
    """The SizeClassWarning text for basis codes (see :func:`_size_codes`), or None if all are
    "document". Counts are listed most frequent first, ties in order of first appearance."""
    counts = np.bincount(basis, minlength=len(SIZE_BASES))
    flagged = int(counts[1:].sum())
    if not flagged:
        return None
    present = [k for k in range(1, len(SIZE_BASES)) if counts[k]]
    present.sort(key=lambda k: int(np.argmax(basis == k)))
    ordered = pd.Series([int(counts[k]) for k in present], index=[SIZE_BASES[k] for k in present])
    detail = ", ".join(f"{n} {b}" for b, n in ordered.sort_values(ascending=False).items())
    return (
        f"size class of {flagged} of {len(basis)} enterprises rests on partial information "
        f"({detail}); see the size_basis column"
    )


def _numeric(values: Any, index: pd.Index, name: str, *, required: bool) -> np.ndarray:
    if values is None:
        if required:
            raise ValueError(f"{name} is required")
        return np.full(len(index), np.nan)
    s = values if isinstance(values, pd.Series) else pd.Series(list(np.atleast_1d(values)))
    if len(s) != len(index):
        raise ValueError(f"{name} has {len(s)} values but industry has {len(index)}")
    arr = pd.to_numeric(pd.Series(s.to_numpy(), index=index), errors="coerce")
    bad_text = arr.isna() & pd.Series(s.to_numpy(), index=index).notna()
    problems = arr.index[bad_text | (arr < 0) | (required & arr.isna())]
    if len(problems):
        raw = pd.Series(s.to_numpy(), index=index).astype(object)
        shown = rows_shown((i, raw[i]) for i in problems)
        raise ValueError(f"{name} must be a non-negative number; bad value(s) at {shown}")
    return arr.to_numpy(dtype=float)


# --------------------------------------------------------------------------- ownership


@cache
def _registration() -> pd.DataFrame:
    return _read("registration_types_1998.csv", dtype={"code": str, "parent": str})


def registration_types() -> pd.DataFrame:
    """Enterprise registration types (企业登记注册类型) of 国统字〔1998〕200号.

    Returns
    -------
    DataFrame
        ``code, name_zh, name_en, parent, state_owned, added``; includes the two "other" types
        (290, 390) added by 国统字〔2011〕86号.

    References
    ----------
    国家统计局、国家工商行政管理局, 关于划分企业登记注册类型的规定, 国统字〔1998〕200号.

    Examples
    --------
    >>> from quotas.classify import registration_types
    >>> registration_types().set_index("code").loc["151", "name_zh"]
    '国有独资公司'
    """
    return _registration().copy()


def is_state_owned(
    registration_type: Any, *, codes: Iterable[str | int] = DEFAULT_STATE_OWNED_CODES
) -> pd.Series:
    """Whether each enterprise is state-owned by its registration type.

    Parameters
    ----------
    registration_type : sequence or Series
        Three-digit codes (110, "151") or the Chinese names of 国统字〔1998〕200号
        (国有企业, 有限责任公司, ...).
    codes : iterable of str or int
        The registration types counted as state-owned. The default, 110 国有企业, 141 国有联营企业
        and 151 国有独资公司, is the purely state-owned set used for the ministry's rule
        "国有企业原则上不超过1/3"; pass e.g. ``{"110", "141", "143", "151"}`` to widen it.

    Returns
    -------
    Series of bool

    Raises
    ------
    UnknownRegistrationTypeError
        For a code or name not in the 1998 table (message names the value and row).

    References
    ----------
    国统字〔1998〕200号; 人社部函〔2011〕308号 (state-owned at most one third).

    Examples
    --------
    >>> from quotas.classify import is_state_owned
    >>> is_state_owned([110, "151", "有限责任公司", "国有企业"]).tolist()
    [True, True, False, True]
    """
    table = _registration()
    valid = set(table["code"])
    wanted = {str(c).strip() for c in codes}
    unknown_codes = sorted(wanted - valid)
    if unknown_codes:
        raise UnknownRegistrationTypeError(
            f"codes contains unknown registration type code(s) {unknown_codes}"
        )
    values, _ = _as_series(registration_type, "registration_type")
    code = _registration_codes(values)
    return pd.Series(code.isin(wanted).to_numpy(), index=values.index, name="state_owned")


def ownership_group(registration_type: Any) -> pd.Series:
    """The ownership group of each enterprise by its registration type.

    Parameters
    ----------
    registration_type : sequence or Series
        Three-digit codes or the Chinese names of 国统字〔1998〕200号.

    Returns
    -------
    Series of str
        Codes of :data:`quotas.labels.OWNERSHIP_GROUPS` (``state``, ``collective``,
        ``corporate``, ``private``, ``hmt``, ``foreign``, ``other``), same index.

    Raises
    ------
    UnknownRegistrationTypeError
        For a code or name not in the 1998 table (message names the value and row).

    References
    ----------
    国统字〔1998〕200号; 人社部函〔2011〕308号 ("兼顾各类所有制企业").

    Examples
    --------
    >>> from quotas.classify import ownership_group
    >>> ownership_group([110, "173", "有限责任公司", "230", "310", "130"]).tolist()
    ['state', 'private', 'corporate', 'hmt', 'foreign', 'other']
    """
    values, _ = _as_series(registration_type, "registration_type")
    # Each distinct value is classified once; a missing or unknown one is looked up again over
    # all rows, for an error that names them.
    codes, uniques = pd.factorize(values)
    if (codes < 0).any():
        _registration_codes(values)
    try:
        groups = _registration_codes(pd.Series(np.asarray(uniques, dtype=object))).map(
            OWNERSHIP_GROUP_OF_TYPE
        )
    except UnknownRegistrationTypeError:
        _registration_codes(values)
        raise
    return pd.Series(groups.to_numpy(dtype=object)[codes], index=values.index, name="ownership_group")


def _registration_codes(values: pd.Series) -> pd.Series:
    """Map codes or Chinese names to three-digit code text; error on anything unknown."""
    table = _registration()
    by_name = dict(zip(table["name_zh"], table["code"]))
    by_code = {c: c for c in table["code"]}

    def one(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, (int, np.integer)) or (isinstance(v, float) and v == int(v)):
            return by_code.get(str(int(v)))
        text = str(v).strip()
        return by_code.get(text) or by_name.get(text)

    uniques = pd.unique(values.astype(object))
    mapping = {u: one(u) for u in uniques}
    out = values.astype(object).map(mapping)
    bad = out.isna()
    if bad.any():
        shown = rows_shown(values[bad].items())
        raise UnknownRegistrationTypeError(
            f"unknown registration type(s): {shown}; expected a 国统字〔1998〕200号 code "
            f"such as 110 or 173, or its name such as 国有企业"
        )
    return out
