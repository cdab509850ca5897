"""The audit's inputs: the sample as listed, its weights, the register, and how each listed
enterprise is classified (section, sector, size class, ownership).

The register (an enterprise frame or a structure table) is counted here into cells with
integer codes, so that a ten-million-row frame takes a fraction of a second.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from basis.numbers import LARGEST_EMPLOYEES, read_numbers
from basis.rows import rows_shown
from quotas.cities import resolve_cities
from quotas.classify import ownership_group, sector_of_section
from quotas.datasets import national_cities
from quotas.exceptions import SizeClassWarning, UnknownRegistrationTypeError
from quotas.labels import OWNERSHIP_GROUPS
from sampling.cells import INDUSTRY_GROUP, cell_counts, key_codes
from sampling.eligibility import big_enough
from sampling.exceptions import AuditError, FrameError
from sampling.prepare import prepare_frame
from sampling.status import in_business_rows

__all__: list[str] = []

BAND = (50, 300)
"""The employee band of the ``band_50_300_min`` rule (the Guangdong plan's "50-300人")."""


def check_thresholds(max_dissimilarity: float, max_effect_size: float) -> None:
    for name, value in (("max_dissimilarity", max_dissimilarity), ("max_effect_size", max_effect_size)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value:
            raise AuditError(f"{name} must be a non-negative number, got {value!r}")


def sample_table(sample: Any, notes: list[str]) -> pd.DataFrame:
    if hasattr(sample, "to_frame") and hasattr(sample, "cells") and not isinstance(sample, pd.DataFrame):
        sample = sample.to_frame()
    if not isinstance(sample, pd.DataFrame):
        raise AuditError(f"sample must be a DataFrame or a sampling.Sample, got {type(sample).__name__}")
    missing = [c for c in ("enterprise_id", "city") if c not in sample.columns]
    if missing:
        raise AuditError(
            f"this is not a sample: column(s) {missing} not found; it has {list(sample.columns)} "
            "(use sampling.read_sample for files with Chinese headers)"
        )
    table = sample.copy()
    if "role" in table.columns:
        keep = table["role"].isin(["panel", "new"])
        if (~keep).any():
            counts = table.loc[~keep, "role"].value_counts().to_dict()
            notes.append(
                "left out rows that are not in the sample: "
                + ", ".join(f"{n} {r}" for r, n in counts.items())
            )
        table = table[keep]
    if len(table) == 0:
        raise AuditError("the sample has no enterprises")
    table["enterprise_id"] = table["enterprise_id"].astype(str).str.strip()
    table["city"] = resolve_cities(table["city"]).to_numpy()
    return table


def sample_weights(table: pd.DataFrame, weights: pd.Series | str | None) -> pd.Series | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in table.columns:
            raise AuditError(f"weights column {weights!r} not in the sample; it has {list(table.columns)}")
        w = table[weights]
    elif isinstance(weights, pd.Series):
        if not table.index.isin(weights.index).all():
            raise AuditError("weights must be aligned with the sample's rows (same index)")
        w = weights.reindex(table.index)
    else:
        raise AuditError(f"weights must be a Series or a column name, got {type(weights).__name__}")
    num = pd.to_numeric(w, errors="coerce")
    bad = num.isna() | (num <= 0)
    if bad.any():
        shown = rows_shown((i, w[i]) for i in num.index[bad])
        raise AuditError(f"weights must be positive numbers; bad: {shown}")
    return num.astype(float)


def register_cells(
    register: pd.DataFrame | None,
    version: str,
    *,
    groups: bool = False,
    min_employees: int | None = None,
    key_industries: Any = None,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(frame or None, the register's cells with sector) from a frame or a structure table.

    ``groups``: the cells carry ``industry_group`` where the register has it (a sample of
    industry-group cells); a raw frame is prepared with ``key_industries``. A frame's cells
    count the enterprises :func:`sampling.structure.structure` counts, with ``min_employees``.
    """
    if register is None:
        return None, None
    if not isinstance(register, pd.DataFrame):
        raise AuditError(f"register must be a frame or a structure DataFrame, got {type(register).__name__}")
    if "enterprise_id" in register.columns:
        frame = register
        if not {"section", "size_class", "state_owned"} <= set(frame.columns):
            frame = prepare_frame(frame, industry_version=version, key_industries=key_industries)
        return frame, frame_cells(frame, groups=groups, min_employees=min_employees)
    needed = ["city", "section", "size_class", "state_owned", "enterprises", "employment"]
    if groups and INDUSTRY_GROUP in register.columns:
        needed.insert(2, INDUSTRY_GROUP)
    missing = [c for c in needed if c not in register.columns]
    if missing:
        raise AuditError(
            f"register is neither a frame (no enterprise_id column) nor a structure table "
            f"(missing {missing}); it has {list(register.columns)}"
        )
    # A structure table's band count (sampling.structure writes it) serves band_50_300_min.
    band = ["enterprises_50_300"] if "enterprises_50_300" in register.columns else []
    cells = register[needed + band].copy()
    cells["sector"] = sector_of_section(cells["section"])
    return None, cells


def frame_cells(
    frame: pd.DataFrame, *, groups: bool = False, min_employees: int | None = None
) -> pd.DataFrame:
    """Enterprises in business and their employment by city, section (and industry group, with
    ``groups`` where the frame has it), sector, size class and ownership: the numbers of
    :func:`sampling.structure.structure` with the same ``min_employees``, with sector added
    (:func:`sampling.cells.cell_counts`)."""
    keys = ["city", "section", "sector", "size_class", "state_owned"]
    if groups and INDUSTRY_GROUP in frame.columns:
        keys.insert(2, INDUSTRY_GROUP)
    if "sector" not in frame.columns:
        frame = frame.assign(sector=sector_of_section(frame["section"]))
    active = in_business_rows(frame)
    big = big_enough(frame, min_employees, AuditError)
    if big is not None:
        panel = np.array(frame["in_panel"], dtype=bool) if "in_panel" in frame.columns else False
        active = active & (big | panel)
    emp = frame["employees"].to_numpy(dtype=float)
    out = cell_counts(
        frame,
        keys,
        rows=None if active.all() else active,
        measures={"employment": emp, "enterprises_50_300": (emp >= BAND[0]) & (emp <= BAND[1])},
    )
    out["size_class"] = out["size_class"].astype(str)
    if INDUSTRY_GROUP in keys:
        out[INDUSTRY_GROUP] = out[INDUSTRY_GROUP].astype(str)
    out["state_owned"] = out["state_owned"].astype(bool)
    out["sector"] = out["sector"].astype(np.int64)
    for name in ("employment", "enterprises_50_300"):
        out[name] = out[name].round().astype(np.int64)
    return out


def register_ownership(frame: pd.DataFrame | None, *, micro: bool = True) -> pd.DataFrame | None:
    """The register's enterprises in business by city and ownership group, micro left out when
    ``micro`` is False (None without a frame that has registration types).

    City and registration type are coded as integers (:func:`sampling.cells.key_codes`: a
    categorical's own codes) and counted with one ``bincount``; each registration type that
    occurs is classified once.
    """
    if frame is None or "registration_type" not in frame.columns:
        return None
    counted = in_business_rows(frame)
    if not micro:
        size_codes, sizes = key_codes(frame["size_class"])
        counted = counted & (size_codes != sizes.get_indexer(["micro"])[0])
    city_codes, cities = key_codes(frame["city"])
    type_codes, types = key_codes(frame["registration_type"])
    rows = counted & (city_codes >= 0)  # a row without a city is in no city's count
    width = len(types) + 1  # the last column counts missing registration types
    size = len(cities) * width
    pair = city_codes.astype(np.int32 if size < 2**31 - 1 else np.int64)
    pair *= width
    pair += type_codes
    if len(type_codes) and type_codes.min() < 0:
        pair[type_codes < 0] += width  # a missing type (-1) goes to the last column
    # Rows not counted go to bin 0, the pairs to 1..size (in place, as sampling.cells counts).
    pair += 1
    pair *= rows
    pairs = np.bincount(pair, minlength=size + 1)[1:].reshape(len(cities), width)
    used = np.flatnonzero(pairs[:, :-1].sum(axis=0))
    try:
        groups = ownership_group(pd.Series(types[used], dtype=object)).to_numpy()
    except UnknownRegistrationTypeError:
        groups = None
    if groups is None or pairs[:, -1].any():
        # An unknown or missing type: classify at each type's first counted row instead, so
        # that the error names a row of the register.
        codes = frame["registration_type"][counted]
        first = codes[~codes.duplicated()]
        group_of = dict(zip(first, ownership_group(first)))
        groups = np.array([group_of[t] for t in types[used]], dtype=object)
    labels = pd.Index(OWNERSHIP_GROUPS)
    member = np.zeros((len(used), len(labels)), dtype=np.int64)
    member[np.arange(len(used)), labels.get_indexer(groups)] = 1
    per_group = pairs[:, used] @ member
    city, group = np.nonzero(per_group)
    out = pd.DataFrame(
        {
            "city": np.asarray(cities, dtype=object)[city].astype(str),
            "ownership_group": labels[group].to_numpy(dtype=object),
            "enterprises": per_group[city, group],
        }
    )
    return out.sort_values(["city", "ownership_group"], ignore_index=True)


def without_sector(cells: pd.DataFrame) -> pd.DataFrame:
    keys = ["city", "section", "size_class", "state_owned"]
    counts = [c for c in ("enterprises", "employment", "enterprises_50_300") if c in cells.columns]
    return cells.groupby(keys, sort=True)[counts].sum().reset_index()


def frame_positions(frame_ids: pd.Series, sample_ids: pd.Series) -> np.ndarray:
    """Row of each sample id in the frame (its first occurrence), -1 when absent.

    Hashes the sample's ids (few) and streams the frame's (many) through them; Arrow-backed
    string columns are matched inside Arrow, without making ten million Python strings.
    """
    inverse, uniques = pd.factorize(sample_ids.astype(str).to_numpy())
    wanted = np.asarray(uniques, dtype=object)
    if hasattr(frame_ids.array, "__arrow_array__") and pd.api.types.is_string_dtype(frame_ids.dtype):
        hit = _arrow_index_in(frame_ids, wanted)
    else:
        hit = pd.Index(wanted).get_indexer(frame_ids.astype(str).to_numpy())
    rows = np.flatnonzero(hit >= 0)[::-1]
    first = np.full(len(wanted), -1, dtype=np.int64)
    first[hit[rows]] = rows  # rows in reverse order: the first occurrence is written last
    return first[inverse]


def take(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """Values of a (possibly categorical or Arrow) column at some rows, without converting the
    whole column."""
    values = column.iloc[rows].to_numpy()
    return values.astype(object) if values.dtype.kind not in "biuf" else values


def _arrow_index_in(frame_ids: pd.Series, wanted: np.ndarray) -> np.ndarray:
    """Position in ``wanted`` of every frame id (-1 if absent), matched inside Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = pa.chunked_array(pa.array(frame_ids.array))
    # The value set must have the column's exact type (string or large_string), or Arrow
    # casts every chunk first.
    found = pc.index_in(ids, value_set=pa.array(wanted.tolist(), type=ids.type))
    return np.asarray(found.fill_null(-1), dtype=np.int64)


def _employees(table: pd.DataFrame) -> np.ndarray:
    """A sample's employee counts as numbers (a file's are text), blank as NaN; a bad count is
    an error naming its row as the user sees it (``source_row`` when the sample came from a file)."""
    values = table["employees"]
    if "source_row" in table.columns:
        values = values.set_axis(table["source_row"].to_numpy())
    numbers, problems = read_numbers(values, column="employees", whole=True, maximum=LARGEST_EMPLOYEES)
    if len(problems):
        raise FrameError("the sample's employees must be whole numbers >= 0", problems)
    return numbers.to_numpy(dtype=float)


def classify(
    table: pd.DataFrame,
    frame: pd.DataFrame | None,
    positions: np.ndarray | None,
    version: str,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.Series | None]:
    """Add section, sector, size_class, state_owned; return the table and any reported size."""
    raw = {"industry", "registration_type", "employees"} <= set(table.columns)
    derived = {"section", "size_class", "state_owned"} <= set(table.columns)
    reported = table["reported_size"] if "reported_size" in table.columns else None
    if derived:
        out = table.copy()
        if "sector" not in out.columns:
            if (
                frame is not None
                and positions is not None
                and (positions >= 0).all()
                and "sector" in frame.columns
            ):
                # The frame knows the division-level sector; the section alone approximates it.
                out["sector"] = take(frame["sector"], positions)
            else:
                out["sector"] = sector_of_section(out["section"])
        if frame is not None and positions is not None and "employees" not in out.columns:
            emp = take(frame["employees"], np.maximum(positions, 0)).astype(float)
            out["employees"] = np.where(positions >= 0, emp, np.nan)
        elif "employees" in out.columns:
            out["employees"] = _employees(out)
        return out, reported
    if raw:
        # Duplicated ids are reported by the duplicates check; number them apart for the
        # frame validation so every listed row is still classified.
        work = table.drop(
            columns=[
                c
                for c in ("section", "sector", "size_class", "size_basis", "state_owned")
                if c in table.columns
            ]
        )
        occurrence = work.groupby("enterprise_id").cumcount()
        work["enterprise_id"] = work["enterprise_id"].where(
            occurrence == 0, work["enterprise_id"] + "#" + occurrence.astype(str)
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SizeClassWarning)
            prepared = prepare_frame(work, industry_version=version)
        for w in caught:
            if issubclass(w.category, SizeClassWarning):
                notes.append(f"sample: {w.message}")  # the report says it instead of a warning
            else:
                warnings.warn(w.message, w.category, stacklevel=3)
        prepared["enterprise_id"] = table["enterprise_id"].to_numpy()
        if INDUSTRY_GROUP not in table.columns:  # the sample's cells are sections
            prepared = prepared.drop(columns=INDUSTRY_GROUP, errors="ignore")
        return prepared, reported
    if frame is not None and positions is not None:
        pos = positions
        absent = table.loc[pos < 0, "enterprise_id"].tolist()
        if absent:
            raise AuditError(
                f"the sample has no industry, registration type or employees, and enterprise(s) "
                f"{absent[:10]} are not in the register to take them from"
            )
        out = table.copy()
        for col in ("section", "sector", "size_class", "state_owned", "employees"):
            if col in frame.columns:
                out[col] = take(frame[col], pos)
        if "sector" not in out.columns:
            out["sector"] = sector_of_section(out["section"])
        return out, None
    raise AuditError(
        f"this is not a sample the audit can classify: it needs industry, registration_type and "
        f"employees, or section, size_class and state_owned, or a register frame; it has {list(table.columns)}"
    )


def sample_cells(table: pd.DataFrame, min_employees: int | None = None) -> pd.DataFrame:
    keys = ["city", "section", "size_class", "state_owned", "sector"]
    if INDUSTRY_GROUP in table.columns:  # a sample of industry-group cells
        keys.insert(2, INDUSTRY_GROUP)
    work = table[keys].copy()
    work["size_class"] = work["size_class"].astype(str)
    if "employees" in table.columns and table["employees"].notna().all():
        emp = table["employees"].to_numpy(dtype=float)
        work["band_50_300"] = (emp >= BAND[0]) & (emp <= BAND[1])
        keys.append("band_50_300")
        if min_employees is not None:
            work["below_min_employees"] = emp < min_employees
            keys.append("below_min_employees")
    if "registration_type" in table.columns and table["registration_type"].notna().all():
        work["ownership_group"] = ownership_group(table["registration_type"]).to_numpy()
        keys.append("ownership_group")
    work["panel"] = (table["role"] == "panel").to_numpy() if "role" in table.columns else False
    grouped = work.groupby(keys, sort=False, observed=True)["panel"]
    return pd.DataFrame({"count": grouped.size(), "panel": grouped.sum().astype(np.int64)}).reset_index()


def city_population_series(city_population: pd.Series | str | None) -> pd.Series | None:
    if city_population is None or isinstance(city_population, pd.Series):
        return city_population
    if city_population != "census-2020":
        raise AuditError(f"unknown city_population {city_population!r}; valid: ['census-2020'] or a Series")
    nat = national_cities()
    return pd.Series(nat["population"].to_numpy(), index=nat["city"])
