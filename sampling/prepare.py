"""Checking a register's values and deriving what the cells need.

:func:`validate_frame` checks every value of a register with canonical columns (see
:mod:`sampling.frame`) and returns a clean copy; :func:`prepare_frame` adds, on that copy, the
derived columns ``section`` (A-T), ``sector`` (1/2/3), ``size_class``
(large/medium/small/micro), ``size_basis`` and ``state_owned``. Every check and conversion
runs once per distinct value and is then mapped to the rows, so ten million rows take seconds.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from basis.arrow import TextBuffers, text_buffers
from basis.booleans import parse_yes_no
from basis.numbers import LARGEST_EMPLOYEES
from basis.rows import row_labels, row_name
from basis.threads import Workers
from quotas import classify
from quotas.cities import resolve_cities
from quotas.exceptions import ClassificationError, SizeClassWarning
from quotas.industry_groups import check_key_industries, industry_group
from quotas.labels import SIZE_CLASSES
from sampling.credit_codes import credit_code_problems
from sampling.exceptions import CreditCodeWarning, FrameError
from sampling.frame import REQUIRED_COLUMNS
from sampling.prn import id_hash
from sampling.unique_ids import comparison_keys, duplicate_pairs, duplicated_ids, repeated_hashes

__all__ = ["prepare_frame", "validate_frame"]


_NO_PROBLEMS = pd.DataFrame(columns=["row", "column", "value", "reason"])
"""The empty problem table (made once: building an empty frame costs more than a check)."""


def _problem_rows(mask: pd.Series | np.ndarray, df: pd.DataFrame, column: str, reason: str) -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return _NO_PROBLEMS
    return pd.DataFrame(
        {"row": df.index[mask], "column": column, "value": df[column].to_numpy()[mask], "reason": reason}
    )


class _Distinct:
    """A column as codes into its distinct values, so that a check or conversion runs once per
    distinct value and is then mapped to the rows (cheap on millions of rows).

    ``codes[i]`` is the position of row i's value in ``uniques``, -1 where it is missing.
    Categorical columns use their own codes; ``uniques`` then lists every category, and
    ``used`` says which of them occur (the others are neither checked nor converted).
    """

    def __init__(self, values: pd.Series, *, complete: bool = False) -> None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy()
            n_cat = len(values.cat.categories)
            if complete:
                # Built by _by_distinct from a column without missing values: every category
                # occurs and no code is -1.
                self.missing = False
                self.used = np.ones(n_cat, dtype=bool)
            elif codes.dtype.itemsize <= 2:
                # -1 read as unsigned is the largest value, above every category code.
                counts = np.bincount(codes.view(codes.dtype.str.replace("i", "u")), minlength=n_cat)
                self.missing = bool(counts[n_cat:].any())
                self.used = counts[:n_cat] > 0
            else:
                present = codes >= 0
                self.missing = not bool(present.all())
                self.used = np.bincount(codes[present], minlength=n_cat) > 0
            self.codes = codes
            self.uniques = np.asarray(values.cat.categories.astype(object))
        else:
            self.codes, uniques = pd.factorize(values, use_na_sentinel=True)
            self.uniques = np.asarray(uniques, dtype=object)
            self.used = np.ones(len(self.uniques), dtype=bool)
            self.missing = bool((self.codes < 0).any())

    def observed(self) -> list[Any]:
        """The distinct values that occur, as a list."""
        return list(self.uniques[self.used])

    def take(self, per_value: Any, missing: Any) -> np.ndarray:
        """Rows' results from ``per_value`` (one per :meth:`observed` value); ``missing`` for
        missing rows."""
        per_value = np.asarray(per_value)
        table = np.empty(
            len(self.uniques) + 1, dtype=per_value.dtype if len(per_value) else np.asarray(missing).dtype
        )
        table[:-1][self.used] = per_value
        table[:-1][~self.used] = missing
        table[-1] = missing  # code -1
        return table[self.codes]


def _bad_by_unique(values: pd.Series | _Distinct, check: Any) -> tuple[np.ndarray, dict[Any, str]]:
    """Run ``check`` on each distinct value; return (bad-row mask, {value: error text})."""
    distinct = values if isinstance(values, _Distinct) else _Distinct(values)
    uniques = distinct.observed()
    errors: dict[Any, str] = {}
    bad_u = np.zeros(len(uniques), dtype=bool)
    try:
        check(list(uniques))
        good = True
    except ClassificationError:
        good = False
    for i, value in enumerate([] if good else uniques):
        try:
            check([value])
        except ClassificationError as exc:
            bad_u[i] = True
            text = re.sub(r"^unknown city name\(s\): |\s*\(at row .*\)$", "", str(exc))
            errors[value] = text.split(";")[0]
    return distinct.take(bad_u, True), errors


def _strip_is_identity(text: TextBuffers, workers: Workers) -> bool:
    """True when no value can lose characters to ``str.strip()``: every value starts and ends
    with a printable ASCII character other than space (whitespace of any kind is either ASCII
    at most 0x20 or a non-ASCII character)."""
    offsets, data, valid = text

    def suspect(rows: slice) -> bool:
        starts, ends = offsets[rows], offsets[1:][rows]
        filled = valid[rows] & (ends > starts)
        first = data[starts[filled]]
        last = data[ends[filled] - 1]
        return bool(((first <= 0x20) | (first >= 0x7F) | (last <= 0x20) | (last >= 0x7F)).any())

    return not any(workers.map_rows(suspect, len(valid)))


def _duplicates(ids: pd.Series, skip: np.ndarray, arrow: bool, workers: Workers) -> pd.DataFrame:
    """Problem rows for the ids that occur more than once, compared after Unicode
    normalisation (:func:`sampling.unique_ids.comparison_keys`); ``skip`` covers every missing
    id. Each row names the other row and, when it is written differently, both spellings.

    Plain pyarrow text (``arrow``) goes through the ids' 64-bit hashes
    (:mod:`sampling.unique_ids`)."""
    keys = comparison_keys(ids)
    if keys is not None:
        skip = skip | (keys == "").to_numpy()
        dup = keys.duplicated(keep=False).to_numpy() & ~skip
    elif not arrow:
        dup = ids.duplicated(keep=False).to_numpy() & ~skip
    else:
        rows = np.flatnonzero(~skip)
        present = ids if len(rows) == len(ids) else ids.iloc[rows]
        hashes = id_hash(present, seed=0, workers=workers)
        dup = np.zeros(len(ids), dtype=bool)
        dup[rows] = duplicated_ids(present, hashes, repeated_hashes(hashes))
    if not dup.any():
        return _NO_PROBLEMS
    pairs = duplicate_pairs(ids, keys, dup)
    reasons = [
        f"duplicate enterprise id: also {row_name(other)}"
        if mine == theirs
        else f"duplicate enterprise id: also {row_name(other)}, written {theirs!r} (the same after Unicode normalisation)"
        for other, mine, theirs in zip(pairs["other_row"], pairs["value"], pairs["other_value"])
    ]
    return pd.DataFrame(
        {"row": pairs["row"], "column": "enterprise_id", "value": pairs["value"], "reason": reasons}
    )


def _to_number(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    text = series.astype(str).str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text.replace({"": np.nan, "nan": np.nan, "None": np.nan}), errors="coerce")


def validate_frame(
    df: pd.DataFrame,
    *,
    cities: Iterable[str] | None = None,
    industry_version: Literal["2011", "2017"] = "2011",
    workers: int | None = None,
) -> pd.DataFrame:
    """Check a frame with canonical columns and return a clean copy.

    Every problem is collected first; then one :class:`~sampling.exceptions.FrameError` lists
    them all (its ``.problems`` DataFrame has ``row, column, value, reason``).

    Parameters
    ----------
    df : DataFrame
        A frame with canonical column names (see :func:`read_frame`). Not modified.
    cities : iterable of str, optional
        The full names of the cities the frame may contain (e.g. one province's); a city that
        resolves outside them is a problem.
    industry_version : {"2011", "2017"}
        GB/T 4754 edition of the industry codes.
    workers : int or None
        Threads for the passes over the rows (None: up to 4, see :mod:`basis.threads`); 1 runs
        serially. The result does not depend on it.

    Returns
    -------
    DataFrame
        A copy with: ``enterprise_id`` as text; ``city`` as the full official name
        (``广州`` -> ``广州市``); ``industry`` as text; ``registration_type`` as the three-digit
        code; ``employees`` as int64; ``revenue`` and ``assets`` as float (NaN where blank);
        ``in_panel`` as bool and ``status`` as text where present.

    Raises
    ------
    FrameError
        Duplicate ids; missing, non-numeric or negative employees; negative or non-numeric
        revenue/assets; unknown industry or registration codes; unknown or ambiguous cities;
        unreadable ``in_panel`` values.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.prepare import validate_frame
    >>> df = pd.DataFrame({"enterprise_id": ["1", "2"], "city": ["广州", "Shenzhen"],
    ...                    "industry": ["13", "51"], "registration_type": ["国有企业", "173"],
    ...                    "employees": ["300", "25"]})
    >>> out = validate_frame(df)
    >>> out["city"].tolist(), out["registration_type"].tolist()
    (['广州市', '深圳市'], ['110', '173'])
    """
    with Workers(workers) as pool:
        return _validate(df, cities=cities, industry_version=industry_version, workers=pool)


def _validate(
    df: pd.DataFrame, *, cities: Iterable[str] | None, industry_version: str, workers: Workers
) -> pd.DataFrame:
    _check_columns(df)
    # A shallow copy: with copy-on-write (pandas 3) changing it never changes df, and the
    # columns replaced below are not copied for nothing.
    out = df.copy(deep=False)
    # Problems name rows as the user sees them: a form's source_row where a reader carried it.
    out.index = row_labels(df)
    for col in ("name", "revenue", "assets"):
        if col not in out.columns:
            out[col] = np.nan if col != "name" else ""
    problems: list[pd.DataFrame] = []

    ids = out["enterprise_id"]
    if pd.api.types.is_string_dtype(ids):
        text = text_buffers(ids)
        if text is None or not _strip_is_identity(text, workers):
            id_text = ids.str.strip()
            text = text_buffers(id_text)
        else:
            id_text = ids
    else:
        id_text = ids.astype(str).str.strip()
        text = text_buffers(id_text)
    if text is not None:
        offsets, _, valid = text
        blank_id = ~valid | (offsets[1:] == offsets[:-1])
    else:
        blank_id = (ids.isna() | (id_text == "")).to_numpy()
    problems.append(_problem_rows(blank_id, out, "enterprise_id", "missing enterprise id"))
    problems.append(_duplicates(id_text, blank_id, arrow=text is not None, workers=workers))
    # beside the other checks: its look-ups release the GIL
    checking_codes = workers.submit(credit_code_problems, id_text)

    emp = _to_number(out["employees"])
    e = emp.to_numpy()
    if e.dtype.kind in "fiu":
        emp_missing = np.isnan(e) if e.dtype.kind == "f" else np.zeros(len(e), dtype=bool)
        problems.append(_problem_rows(emp_missing, out, "employees", "missing or not a number"))
        problems.append(_problem_rows(e < 0, out, "employees", "negative"))
        problems.append(
            _problem_rows(
                e > LARGEST_EMPLOYEES,
                out,
                "employees",
                f"above {LARGEST_EMPLOYEES:,}, more than any enterprise",
            )
        )
        if e.dtype.kind == "f":
            problems.append(
                _problem_rows(
                    (np.remainder(e, 1) != 0) & ~emp_missing, out, "employees", "not a whole number"
                )
            )
    else:
        problems.append(_problem_rows(emp.isna(), out, "employees", "missing or not a number"))
        problems.append(_problem_rows(emp < 0, out, "employees", "negative"))
        problems.append(
            _problem_rows(
                emp > LARGEST_EMPLOYEES,
                out,
                "employees",
                f"above {LARGEST_EMPLOYEES:,}, more than any enterprise",
            )
        )
        problems.append(_problem_rows((emp % 1 != 0) & emp.notna(), out, "employees", "not a whole number"))
    numbers = {}
    for col in ("revenue", "assets"):
        raw = out[col]
        num = _to_number(raw)
        if pd.api.types.is_numeric_dtype(raw):
            unreadable = pd.Series(False, index=raw.index)
        else:
            unreadable = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        problems.append(_problem_rows(unreadable, out, col, "not a number"))
        problems.append(_problem_rows(num < 0, out, col, "negative"))
        numbers[col] = num

    industry = _Distinct(out["industry"])
    ind_bad, ind_err = _bad_by_unique(industry, lambda v: classify.section_of(v, version=industry_version))
    problems.append(
        _problem_rows(ind_bad, out, "industry", f"unknown GB/T 4754-{industry_version} industry code")
    )
    registration = _Distinct(out["registration_type"])
    reg_bad, _ = _bad_by_unique(registration, classify.is_state_owned)
    problems.append(
        _problem_rows(reg_bad, out, "registration_type", "unknown registration type (国统字〔1998〕200号)")
    )

    allowed = list(cities) if cities is not None else None
    city = _Distinct(out["city"])
    city_bad, city_err = _bad_by_unique(city, lambda v: resolve_cities(v, within=allowed))
    if city_bad.any():
        reasons = out["city"].map(lambda v: city_err.get(v, "blank city")).to_numpy()
        problems.append(
            pd.DataFrame(
                {
                    "row": out.index[city_bad],
                    "column": "city",
                    "value": out["city"].to_numpy()[city_bad],
                    "reason": reasons[city_bad],
                }
            )
        )

    panel = None
    if "in_panel" in out.columns:
        panel, panel_bad = parse_yes_no(out["in_panel"])
        problems.append(_problem_rows(panel_bad, out, "in_panel", "not a yes/no value"))

    found = [p for p in problems if len(p)]
    if found:
        table = pd.concat(found, ignore_index=True)
        raise FrameError(f"the frame has {len(table)} problem(s) in {table['row'].nunique()} row(s)", table)

    out["enterprise_id"] = id_text
    out["city"] = _by_distinct(out["city"], lambda u: resolve_cities(u).tolist(), distinct=city)
    out["industry"] = _by_distinct(
        out["industry"], lambda u: [_industry_text(v) for v in u], distinct=industry
    )
    out["registration_type"] = _by_distinct(
        out["registration_type"],
        lambda u: classify._registration_codes(pd.Series(u, dtype=object)).tolist(),
        distinct=registration,
    )
    out["employees"] = emp.astype(np.int64)
    out["revenue"] = numbers["revenue"]
    out["assets"] = numbers["assets"]
    if panel is not None:
        out["in_panel"] = panel
    if "status" in out.columns:
        status = out["status"]
        if not (isinstance(status.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(status.dtype)):
            status = status.astype(object)
        out["status"] = _by_distinct(status, lambda u: [str(v).strip() for v in u], missing="")
    _warn_credit_codes(checking_codes.result())
    out.index = df.index
    return out


def _warn_credit_codes(bad: pd.DataFrame) -> None:
    """A :class:`CreditCodeWarning` naming the ids that look like a 统一社会信用代码 (18 letters and
    digits) but fail its check character (GB 32100-2015), from
    :func:`sampling.credit_codes.credit_code_problems`."""
    if len(bad):
        shown = "; ".join(
            f"{row_name(r)}: {v!r} ({why})" for r, v, why in bad.head(10).itertuples(index=False)
        )
        more = f"; ... and {len(bad) - 10} more" if len(bad) > 10 else ""
        warnings.warn(
            f"{len(bad)} enterprise id(s) look like a 统一社会信用代码 (18 letters and digits) but fail "
            f"its check (GB 32100-2015), probably mistyped: {shown}{more}",
            CreditCodeWarning,
            stacklevel=4,
        )


def _by_distinct(
    values: pd.Series, convert: Any, *, missing: Any = None, distinct: _Distinct | None = None
) -> pd.Categorical:
    """Convert each distinct value once and return a categorical (cheap on millions of rows).

    The categories are the sorted distinct converted values. Missing values are converted as
    ``missing`` when it is given (as if filled with it first).
    """
    distinct = distinct if distinct is not None else _Distinct(values)
    if distinct.missing and missing is None:
        # pd.factorize codes -1 would pick the last distinct value; validated columns have no
        # missing values, so this keeps the plain computation for the other cases.
        codes, uniques = pd.factorize(values)
        converted = pd.Series(convert(list(uniques)), dtype=object)
        categories, inverse = np.unique(converted.to_numpy(dtype=str), return_inverse=True)
        return pd.Categorical.from_codes(inverse[codes], categories=categories)
    uniques = distinct.observed()
    if distinct.missing:
        uniques.append(missing)
    converted = pd.Series(convert(uniques), dtype=object)
    categories, inverse = np.unique(converted.to_numpy(dtype=str), return_inverse=True)
    inverse = inverse.astype(_code_dtype(len(categories)))
    if distinct.missing:
        codes = distinct.take(inverse[:-1], inverse[-1])
    else:
        codes = distinct.take(inverse, -1)
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def _code_dtype(n_categories: int) -> np.dtype:
    """The smallest signed integer type holding the codes -1 .. n_categories - 1 (a narrow
    type keeps the row-by-row take cheap; pandas converts the codes if it keeps them otherwise)."""
    return np.min_scalar_type(-max(n_categories, 1))


def _industry_text(value: Any) -> str:
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and float(value).is_integer()):
        text = str(int(value))
        return text.zfill(2) if len(text) <= 2 else text.zfill(4)
    return str(value).strip().upper()


def _check_columns(df: pd.DataFrame) -> None:
    if not isinstance(df, pd.DataFrame):
        raise FrameError(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise FrameError(
            f"the frame lacks required column(s) {missing}; it has {list(df.columns)} "
            "(use read_frame to map Chinese headers)"
        )


def prepare_frame(
    df: pd.DataFrame,
    *,
    cities: Iterable[str] | None = None,
    industry_version: Literal["2011", "2017"] = "2011",
    state_owned_codes: Iterable[str | int] = classify.DEFAULT_STATE_OWNED_CODES,
    key_industries: pd.DataFrame | Mapping[str, Any] | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Validate a frame and add the derived columns used by quotas, selection and audit.

    Parameters
    ----------
    df : DataFrame
        Canonical columns (see :func:`read_frame`). Not modified.
    cities, industry_version
        As in :func:`validate_frame`.
    state_owned_codes : iterable
        Registration types counted as state-owned (default 110, 141, 151).
    key_industries : DataFrame or mapping, optional
        Each city's key and pillar industries: ``city, division[, min_share]`` or a mapping
        city -> divisions (:func:`quotas.industry_groups.check_key_industries`). Their
        enterprises get the division as their ``industry_group`` in that city.
    workers : int or None
        Threads for the passes over the rows (None: up to 4, see :mod:`basis.threads`); 1 runs
        serially. The result does not depend on it.

    Returns
    -------
    DataFrame
        The validated copy plus ``section``, ``industry_group`` (the cell's industry:
        :func:`quotas.industry_groups.industry_group`, the section or a division split off it),
        ``sector``, ``size_class`` (categorical large /
        medium / small / micro), ``size_basis`` (see :func:`quotas.classify.size_class`) and
        ``state_owned`` (bool). A :class:`~quotas.exceptions.SizeClassWarning` is issued when
        some sizes rest on partial information.

    References
    ----------
    GB/T 4754-2011; 三次产业划分规定 (2012); 国统字〔2011〕75号; 国统字〔1998〕200号.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.prepare import prepare_frame
    >>> df = pd.DataFrame({"enterprise_id": ["1"], "city": ["广州"], "industry": ["1311"],
    ...                    "registration_type": ["110"], "employees": [300], "revenue": [2000.0]})
    >>> row = prepare_frame(df).iloc[0]
    >>> row["section"], row["industry_group"], int(row["sector"]), row["size_class"], bool(row["state_owned"])
    ('C', 'C', 2, 'medium', True)
    >>> prepare_frame(df, key_industries={"广州": ["13"]}).loc[0, "industry_group"]
    'C13'
    """
    key = check_key_industries(key_industries) if key_industries is not None else None
    with Workers(workers) as pool:
        out = _prepare(df, cities, industry_version, state_owned_codes, pool)
    out["industry_group"] = industry_groups(out, industry_version, key)
    return out


def industry_groups(out: pd.DataFrame, industry_version: str, key: pd.DataFrame | None) -> pd.Categorical:
    """Each row's industry group (:func:`quotas.industry_groups.industry_group`) of a validated
    frame, worked out once per distinct industry (and city, with key industries ``key``
    checked by :func:`quotas.industry_groups.check_key_industries`) and taken row by row."""
    industry = _Distinct(out["industry"])

    def groups(codes: list[Any]) -> list[str]:
        values = pd.Series(codes, dtype=object)
        division = classify._parse_codes(values, industry_version)[0]
        section = classify.section_of(values, version=industry_version)
        return industry_group(section, pd.Series(division, dtype=object)).tolist()

    base = _by_distinct(out["industry"], groups, distinct=industry)
    if key is None or not (key["industry_group"].str.len() > 1).any():
        return base
    # A key division is a group in its city only: work out each distinct (city, industry) pair.
    city_codes, city_names = pd.factorize(out["city"].astype(object))
    ind_codes = industry.codes.astype(np.int64)
    pairs, inverse = np.unique(
        city_codes.astype(np.int64) * (len(industry.uniques) + 1) + ind_codes, return_inverse=True
    )
    cities = pd.Series(
        np.asarray(city_names, dtype=object)[pairs // (len(industry.uniques) + 1)], dtype=object
    )
    codes = pd.Series(
        np.asarray(industry.uniques, dtype=object)[pairs % (len(industry.uniques) + 1)], dtype=object
    )
    division = pd.Series(classify._parse_codes(codes, industry_version)[0], dtype=object)
    section = classify.section_of(codes, version=industry_version)
    distinct = industry_group(section, division, cities, key_industries=key).to_numpy(dtype=str)
    categories, positions = np.unique(distinct, return_inverse=True)
    return pd.Categorical.from_codes(positions[inverse.ravel()], categories=categories)


def _prepare(
    df: pd.DataFrame,
    cities: Iterable[str] | None,
    industry_version: str,
    state_owned_codes: Iterable[str | int],
    workers: Workers,
) -> pd.DataFrame:
    out = _validate(df, cities=cities, industry_version=industry_version, workers=workers)
    # Derived text columns are categoricals: cheap to build and to group on millions of rows.
    # Everything derived from the industry or the registration type is worked out once per
    # distinct code and then taken row by row through the categorical codes.
    industry = _Distinct(out["industry"], complete=True)
    out["section"] = _by_distinct(
        out["industry"],
        lambda u: classify.section_of(u, version=industry_version).tolist(),
        distinct=industry,
    )
    sector = classify.sector_of(pd.Series(industry.observed(), dtype=object), version=industry_version)
    out["sector"] = industry.take(sector.to_numpy(dtype=np.int64), 0)
    rank, basis = classify._size_codes(
        industry.codes,
        pd.Series(industry.uniques, dtype=object),
        out["employees"].to_numpy(dtype=float),
        out["revenue"].to_numpy(dtype=float),
        out["assets"].to_numpy(dtype=float),
        version=classify._check_version(industry_version),
        workers=workers,
    )
    message = classify._partial_message(basis)
    if message:
        warnings.warn(message, SizeClassWarning, stacklevel=3)  # prepare_frame's caller
    out["size_class"] = pd.Categorical.from_codes(rank, categories=list(SIZE_CLASSES), validate=False)
    out["size_basis"] = pd.Categorical.from_codes(basis, categories=list(classify.SIZE_BASES), validate=False)
    registration = _Distinct(out["registration_type"], complete=True)
    owned = classify.is_state_owned(pd.Series(registration.observed(), dtype=object), codes=state_owned_codes)
    out["state_owned"] = registration.take(owned.to_numpy(dtype=bool), False)
    return out
