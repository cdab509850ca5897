"""A synthetic month of reports, for examples and tests.

Real monthly reports are confidential like the register behind the sample, so :func:`make_month`
draws the reports a sample's enterprises might send: employment at the base (the register's
employees, or last month's end), at the end of the month, closures, suspensions and moves out
of the city, layoffs and other decreases with their reasons, some enterprises that do not report
and some reports with the mistakes the checks are there to catch. Every rate below is a module
constant chosen to look like a month of a manufacturing province; none is an official statistic.
The result is marked synthetic (``attrs["synthetic"]`` and ``attrs["note"]``), as the names of
the synthetic register's enterprises (合成企业...) are.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from monitoring.columns import DECREASE_TYPES, REPORT_COLUMNS, REPORT_DTYPES, form_rate, format_reasons
from monitoring.exceptions import ReportError
from monitoring.read import read_monitored

__all__ = [
    "EVENT_RATES",
    "LAYOFF_SHARE",
    "MISTAKES",
    "REASON_MIX",
    "SYNTHETIC_NOTE",
    "UNCHANGED_SHARE",
    "make_month",
]

SYNTHETIC_NOTE = (
    "合成数据：企业与数字均为模拟生成，不是真实企业的报表（SYNTHETIC reports, not real enterprises）"
)
"""The line every output of synthetic reports carries."""

EVENT_RATES: dict[str, float] = {"closure": 0.002, "suspension": 0.001, "moved_out": 0.001}
"""Monthly probability that an enterprise closes (end 0), is suspended (keeps 0-50% of its
workers) or moves out of the city (end 0)."""

UNCHANGED_SHARE = 0.4
"""Share of the other enterprises whose employment does not change in the month."""

CHANGE_MEAN, CHANGE_SD = -0.001, 0.025
"""Relative change of the enterprises that change: normal with this mean and standard deviation."""

LAYOFF_SHARE = 0.3
"""Share of the falls (other than closures, suspensions, moves) that are economic layoffs; the
rest are 'other' decreases (people leaving, contracts not renewed)."""

REASON_MIX: dict[str, dict[int, float]] = {
    "closure": {8: 0.4, 4: 0.3, 1: 0.2, 3: 0.1},
    "suspension": {3: 0.4, 8: 0.3, 4: 0.3},
    "moved_out": {6: 0.5, 1: 0.3, 9: 0.2},
    "layoff": {4: 0.3, 6: 0.2, 1: 0.15, 8: 0.1, 3: 0.08, 2: 0.07, 5: 0.05, 9: 0.05},
    "other": {7: 0.3, 10: 0.25, 11: 0.25, 6: 0.2},
}
"""Reason codes (column 12) by decrease type, with their probabilities; 1 to 3 reasons (with
probabilities 0.5, 0.3, 0.2) are drawn without replacement, in rank order."""

MISTAKES: tuple[str, ...] = (
    "change_formula",
    "change_rate_formula",
    "decrease_sign",
    "decrease_sum",
    "reason_code",
    "reason_missing",
    "name_mismatch",
    "duplicate",
    "not_on_list",
)
"""The kinds of mistake planted, each named as the rule of :func:`monitoring.checks.check_reports`
that catches it."""

_NEEDS_FALL = {"decrease_sign", "decrease_sum", "reason_code", "reason_missing"}


def _check_share(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share in [0, 1], got {value!r}")
    return float(value)


def _reasons(rng: np.random.Generator, kind: np.ndarray) -> list[str | None]:
    out: list[str | None] = []
    count = rng.choice([1, 2, 3], size=len(kind), p=[0.5, 0.3, 0.2])
    for k, n in zip(kind, count):
        if k is None:
            out.append(None)
            continue
        mix = REASON_MIX[k]
        codes = rng.choice(list(mix), size=min(n, len(mix)), replace=False, p=list(mix.values()))
        out.append(format_reasons(codes.tolist()))
    return out


def make_month(
    monitored: Any,
    *,
    month: str | pd.Period = "2013-01",
    previous: pd.DataFrame | None = None,
    response_rate: float = 0.97,
    mistakes: int | None = None,
    late_cities: int = 1,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Synthetic reports (附表一 rows) of a sample's enterprises for one month.

    Parameters
    ----------
    monitored : Sample or DataFrame
        The monitored enterprises (a :class:`sampling.Sample` or a list as
        :func:`monitoring.read.read_monitored` returns) with their ``employees``: the base
        employment of the first month (the register's employment, 建档期).
    month : str or Period
        The survey month.
    previous : DataFrame, optional
        Last month's reports: an enterprise's base is then last month's end (its ``employees``
        when it did not report last month).
    response_rate : float
        Share of the enterprises that report (drawn uniformly; the others are missing).
    mistakes : int, optional
        How many reports carry a planted mistake (one kind each, the kinds of :data:`MISTAKES`
        in turn). Default: one of each kind, or 0.5% of the reports if that is more.
    late_cities : int
        How many cities (drawn) submit after the 5th of the next month.
    random_state : int or numpy.random.Generator, optional
        Seed; the same seed gives the same month on every machine.

    Returns
    -------
    DataFrame
        :data:`monitoring.columns.REPORT_COLUMNS` then ``name, registration_type, industry``, one
        row per report. ``attrs``: ``synthetic`` (True), ``note`` (:data:`SYNTHETIC_NOTE`),
        ``mistakes`` (``enterprise_id, kind``: the planted mistakes), ``nonresponse`` (the ids that
        did not report), ``submitted`` (city -> the date its reports arrived).

    Raises
    ------
    ReportError
        A monitored enterprise without ``employees`` (and no report last month).
    ValueError
        A share outside [0, 1], a negative count.

    Examples
    --------
    >>> import pandas as pd
    >>> from monitoring.synthetic import make_month
    >>> listed = pd.DataFrame({"enterprise_id": [f"E{i}" for i in range(50)], "city": "韶关市",
    ...                        "name": [f"合成企业{i}" for i in range(50)], "employees": 100})
    >>> r = make_month(listed, month="2013-01", mistakes=0, random_state=1)
    >>> len(r), r.attrs["synthetic"], int(r["base_employment"].sum())
    (49, True, 4900)
    """
    response_rate = _check_share("response_rate", response_rate)
    if isinstance(late_cities, bool) or not isinstance(late_cities, (int, np.integer)) or late_cities < 0:
        raise ValueError(f"late_cities must be a whole number >= 0, got {late_cities!r}")
    if mistakes is not None and (
        isinstance(mistakes, bool) or not isinstance(mistakes, (int, np.integer)) or mistakes < 0
    ):
        raise ValueError(f"mistakes must be a whole number >= 0, got {mistakes!r}")
    period = pd.Period(month, freq="M")
    rng = (
        random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    )
    listed = monitored if isinstance(monitored, pd.DataFrame) else read_monitored(monitored)
    if not isinstance(monitored, pd.DataFrame):
        listed = listed.assign(employees=monitored.to_frame("sample")["employees"].to_numpy())
    listed = listed.reset_index(drop=True)
    for column in ("name", "registration_type", "industry"):
        if column not in listed.columns:
            listed[column] = pd.NA
    base = pd.to_numeric(listed["employees"], errors="coerce") if "employees" in listed.columns else None
    base = base if base is not None else pd.Series(np.nan, index=listed.index)
    if previous is not None:
        last = (
            previous.dropna(subset=["enterprise_id"])
            .drop_duplicates("enterprise_id")
            .set_index("enterprise_id")
        )
        carried = listed["enterprise_id"].map(last["end_employment"])
        base = pd.to_numeric(carried, errors="coerce").fillna(base)
    if base.isna().any():
        missing = listed.loc[base.isna(), "enterprise_id"].astype(str).tolist()
        raise ReportError(f"no base employment (employees) for {len(missing)} enterprise(s): {missing[:10]}")
    base = base.round().astype(np.int64).to_numpy()
    n = len(listed)
    # this month's events
    u = rng.random(n)
    event = np.full(n, None, dtype=object)
    edge = 0.0
    for kind, p in EVENT_RATES.items():
        event[(u >= edge) & (u < edge + p) & (base > 0)] = kind
        edge += p
    unchanged = rng.random(n) < UNCHANGED_SHARE
    growth = rng.normal(CHANGE_MEAN, CHANGE_SD, size=n)
    end = np.where(unchanged, base, np.maximum(np.round(base * (1 + growth)), 0)).astype(np.int64)
    end = np.where(np.isin(event, ["closure", "moved_out"]), 0, end)
    kept = np.floor(base * rng.uniform(0, 0.5, size=n)).astype(np.int64)
    end = np.where(event == "suspension", kept, end)
    change = end - base
    fell = change < 0
    kind = event.copy()
    ordinary = fell & (event == None)  # noqa: E711 - elementwise on an object array
    kind[ordinary] = np.where(rng.random(int(ordinary.sum())) < LAYOFF_SHARE, "layoff", "other")
    kind[~fell] = None
    table = pd.DataFrame(
        {
            "enterprise_id": listed["enterprise_id"].astype("string"),
            "city": listed["city"].astype("string"),
            "month": pd.Series([period] * n, dtype="period[M]"),
            "base_employment": base,
            "end_employment": end,
            "change": change,
            "change_rate": form_rate(change, base),
        }
    )
    for t in DECREASE_TYPES:
        table[t] = pd.array(np.where(kind == t, change, 0), dtype="Int64")
        table.loc[kind != t, t] = pd.NA
    table["reasons"] = pd.array(_reasons(rng, kind), dtype="string")
    for column in ("name", "registration_type", "industry"):
        table[column] = listed[column].astype("string")
    table["change_rate"] = table["change_rate"].where(table["base_employment"] != 0)
    table = table.astype(REPORT_DTYPES)
    # non-response
    responds = rng.random(n) < response_rate
    absent = table.loc[~responds, "enterprise_id"].tolist()
    table = table[responds].reset_index(drop=True)
    table, planted = _plant(table, rng, mistakes)
    table = table[[*REPORT_COLUMNS, "name", "registration_type", "industry"]].astype(REPORT_DTYPES)
    cities = sorted(listed["city"].dropna().astype(str).unique())
    due = (period + 1).to_timestamp() + pd.Timedelta(days=4)
    on_time = pd.Series(
        [due - pd.Timedelta(days=int(d)) for d in rng.integers(0, 4, size=len(cities))],
        index=cities,
        dtype="datetime64[ns]",
    )
    late = rng.choice(cities, size=min(late_cities, len(cities)), replace=False).tolist() if cities else []
    for city in late:
        on_time[city] = due + pd.Timedelta(days=int(rng.integers(1, 6)))
    table.attrs = {
        "synthetic": True,
        "note": SYNTHETIC_NOTE,
        "mistakes": planted,
        "nonresponse": absent,
        "submitted": on_time,
    }
    return table


def _plant(
    table: pd.DataFrame, rng: np.random.Generator, count: int | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plant ``count`` mistakes on distinct reports; return the table and ``enterprise_id, kind``."""
    if count is None:
        count = max(len(MISTAKES), round(0.005 * len(table)))
    kinds = [MISTAKES[i % len(MISTAKES)] for i in range(count)]
    table = table.copy()
    # decrease mistakes need a report whose employment fell; the others take one that did not
    fell = list(rng.permutation(np.flatnonzero((table["change"] < 0).to_numpy())))
    other = list(rng.permutation(np.flatnonzero((table["change"] >= 0).to_numpy())))
    planted: list[tuple[str, str]] = []
    extra: list[pd.DataFrame] = []
    for k, kind in enumerate(kinds):
        pool = fell if kind in _NEEDS_FALL else other
        if not pool:
            continue
        i = pool.pop()
        eid = str(table.at[i, "enterprise_id"])
        if kind == "change_formula":
            # upwards, so that (5) stays >= 0 and no decrease rule is touched
            table.at[i, "change"] = table.at[i, "change"] + int(rng.integers(1, 4))
            table.at[i, "change_rate"] = form_rate(table.at[i, "change"], table.at[i, "base_employment"])[0]
        elif kind == "change_rate_formula":
            # the rate written as a share, not per cent; a zero change gets a made-up rate
            rate = table.at[i, "change_rate"]
            table.at[i, "change_rate"] = round(float(rate) / 100, 4) if rate and not pd.isna(rate) else 1.0
        elif kind == "decrease_sign":
            t = next(t for t in DECREASE_TYPES if not pd.isna(table.at[i, t]))
            table.at[i, t] = -table.at[i, t]
        elif kind == "decrease_sum":
            t = next(t for t in DECREASE_TYPES if not pd.isna(table.at[i, t]))
            table.at[i, t] = table.at[i, t] + 1 if table.at[i, t] < -1 else table.at[i, t] - 1
        elif kind == "reason_code":
            table.at[i, "reasons"] = "12"
        elif kind == "reason_missing":
            table.at[i, "reasons"] = pd.NA
        elif kind == "name_mismatch":
            table.at[i, "name"] = f"{table.at[i, 'name']}（原名）"
        elif kind == "duplicate":
            extra.append(table.loc[[i]])
        elif kind == "not_on_list":
            stranger = table.loc[[i]].copy()
            stranger["enterprise_id"] = f"SYN-UNLISTED-{k + 1}"
            stranger["name"] = f"合成企业（名单外）{k + 1}"
            extra.append(stranger)
            eid = f"SYN-UNLISTED-{k + 1}"
        planted.append((eid, kind))
    if extra:
        table = pd.concat([table, *extra], ignore_index=True)
        table = table.sort_values("city", kind="stable").reset_index(drop=True)
    return table, pd.DataFrame(planted, columns=["enterprise_id", "kind"])
