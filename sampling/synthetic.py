"""Synthetic enterprise registers for examples, tests and benchmarks.

Real enterprise registers (the 名录库 behind a monitoring sample) are confidential, so
:func:`make_frame` draws a register that looks like one: enterprises spread over cities in
proportion to their population, a manufacturing-heavy industry mix, heavy-tailed employee
counts, revenue and assets consistent with size, and registration types with a realistic
state-owned share. Every parameter of the mix is a module constant documented below; none is an
official statistic, they are chosen so that the frame *behaves* like a Guangdong register in the
library (most enterprises micro or small, enough medium and large ones per city for quotas).

Speed: everything is vectorised over rows, with no Python loop per row; ten million rows take
seconds, not minutes (measured in ``benchmarks/results.md``). Text columns use pandas'
Arrow-backed string dtype and the others categoricals or fixed-width numbers, so a frame of ten
million rows holds about 830 MB (building it needs about three times that at its peak).
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from allocation.apportion import apportion
from basis.threads import Workers
from quotas.cities import resolve_cities
from quotas.classify import divisions, registration_types, size_class
from quotas.datasets import guangdong_2012, national_cities
from sampling.exceptions import FrameError
from sampling.frame import CANONICAL_COLUMNS
from sampling.status import CLOSED, MOVED_OUT, SUSPENDED

__all__ = [
    "COLUMNS",
    "DIVISION_MIX",
    "REGISTRATION_MIX",
    "SECTION_PROFILE",
    "make_frame",
]

COLUMNS: tuple[str, ...] = (*CANONICAL_COLUMNS, "in_panel", "status")
"""Columns of :func:`make_frame`, in order (the canonical frame columns of pipeline.md)."""

DIVISION_MIX: dict[str, float] = {
    # A agriculture 1.6
    "01": 0.5,
    "02": 0.2,
    "03": 0.4,
    "04": 0.3,
    "05": 0.2,
    # B mining 0.4
    "06": 0.05,
    "08": 0.05,
    "09": 0.05,
    "10": 0.2,
    "11": 0.05,
    # C manufacturing 40: Guangdong's electronics, electrical machinery, metal products,
    # plastics, apparel, footwear, furniture and toys weigh most.
    "13": 1.5,
    "14": 1.0,
    "15": 0.5,
    "17": 2.0,
    "18": 3.0,
    "19": 1.8,
    "20": 0.6,
    "21": 1.6,
    "22": 1.2,
    "23": 1.2,
    "24": 1.5,
    "25": 0.1,
    "26": 2.2,
    "27": 0.5,
    "28": 0.1,
    "29": 3.2,
    "30": 2.0,
    "31": 0.3,
    "32": 0.5,
    "33": 3.8,
    "34": 2.0,
    "35": 1.8,
    "36": 0.9,
    "37": 0.3,
    "38": 3.4,
    "39": 3.6,
    "40": 0.6,
    "41": 0.8,
    "42": 0.2,
    "43": 0.3,
    # D utilities 1.0
    "44": 0.5,
    "45": 0.2,
    "46": 0.3,
    # E construction 6.0
    "47": 2.0,
    "48": 1.5,
    "49": 1.0,
    "50": 1.5,
    # F wholesale 13, retail 5
    "51": 13.0,
    "52": 5.0,
    # G transport (without railway 53), storage, post 4.5
    "54": 2.5,
    "55": 0.2,
    "56": 0.1,
    "58": 1.0,
    "59": 0.5,
    "60": 0.2,
    # H accommodation and catering 2.7
    "61": 0.7,
    "62": 2.0,
    # I information and software 4.3
    "63": 0.3,
    "64": 1.0,
    "65": 3.0,
    # L leasing and business services 8.0
    "71": 1.0,
    "72": 7.0,
    # M research and technical services 4.5
    "73": 0.5,
    "74": 2.5,
    "75": 1.5,
    # N water, environment, public facilities 1.3
    "76": 0.2,
    "77": 0.6,
    "78": 0.5,
    # O resident services and repair 2.4
    "79": 0.8,
    "80": 0.8,
    "81": 0.8,
    # Q social work 0.3 (84; health 83 is left out, see below)
    "84": 0.3,
    # R culture, sports, entertainment 1.8
    "85": 0.3,
    "86": 0.5,
    "87": 0.3,
    "88": 0.3,
    "89": 0.4,
}
"""Relative number of enterprises per GB/T 4754-2011 division (percent before normalising).

Illustrative, not an official table: about 41% manufacturing (section C), 19% wholesale and
retail, 8% leasing and business services, 6% construction, the rest spread over services, a
mix resembling the enterprise counts of a manufacturing province such as Guangdong. Left out
on purpose are the divisions that 国统字〔2011〕75号 does not size (railway 53, finance J, real
estate 70 without a four-digit class, education P, health 83, public administration S,
international organisations T): :func:`quotas.classify.size_class` would flag every such row,
and most of them are not enterprises of the monitoring programme anyway. Each city's mix
varies around this one (see :func:`make_frame`), so that quotas differ by city.
"""

SECTION_PROFILE: dict[str, tuple[float, float, float]] = {
    # section or division: (median employees, revenue per employee 万元, assets / revenue)
    "A": (8, 25, 1.2),
    "B": (20, 60, 1.5),
    "C": (20, 60, 0.9),
    "D": (30, 150, 2.5),
    "E": (25, 60, 1.1),
    "51": (6, 250, 0.6),
    "52": (5, 60, 0.5),
    "G": (12, 45, 1.2),
    "61": (12, 15, 1.5),
    "62": (10, 12, 0.6),
    "I": (10, 50, 1.0),
    "L": (6, 40, 1.5),
    "M": (8, 35, 1.0),
    "N": (10, 25, 1.5),
    "O": (5, 15, 0.6),
    "Q": (10, 15, 0.8),
    "R": (6, 30, 1.2),
}
"""Size and productivity by section (or division where the size document splits a section).

Employees follow a lognormal body with this median (log-sd :data:`_EMPLOYEE_SIGMA`) mixed with
a Pareto tail; revenue is employees x this productivity x a lognormal factor, assets revenue x
this ratio x a lognormal factor. Illustrative values: wholesale turns over far more per head
than catering, utilities hold far more assets per unit of revenue than retail.
"""

REGISTRATION_MIX: dict[str, tuple[float, float, float]] = {
    # code: relative weight among enterprises with < 50, 50-299 and >= 300 employees
    "110": (1.0, 2.0, 4.0),  # 国有企业
    "120": (1.0, 1.0, 0.5),  # 集体企业
    "130": (0.5, 0.5, 0.2),  # 股份合作企业
    "141": (0.05, 0.1, 0.3),  # 国有联营企业
    "142": (0.05, 0.05, 0.05),
    "143": (0.05, 0.05, 0.05),
    "149": (0.1, 0.1, 0.1),
    "151": (1.0, 3.0, 7.0),  # 国有独资公司
    "159": (18.0, 18.0, 18.0),  # 其他有限责任公司
    "160": (1.0, 3.0, 8.0),  # 股份有限公司
    "171": (8.0, 3.0, 1.0),  # 私营独资企业
    "172": (1.5, 0.5, 0.2),
    "173": (52.0, 40.0, 25.0),  # 私营有限责任公司
    "174": (1.0, 2.0, 4.0),
    "190": (0.5, 0.5, 0.3),
    "210": (0.8, 2.0, 3.0),  # Hong Kong, Macao, Taiwan
    "220": (0.2, 0.5, 1.0),
    "230": (2.5, 8.0, 10.0),
    "240": (0.1, 0.3, 1.0),
    "290": (0.2, 0.3, 0.3),
    "310": (0.6, 2.0, 4.0),  # foreign
    "320": (0.1, 0.3, 0.5),
    "330": (1.5, 4.0, 6.0),
    "340": (0.1, 0.3, 1.0),
    "390": (0.1, 0.2, 0.3),
}
"""Registration types (国统字〔1998〕200号 codes) by employee band, relative weights.

State-owned (110, 141, 151) is about 2% of small, 5% of mid-sized and 11% of large
enterprises, about 3% overall; private and limited-liability companies are the majority;
Hong Kong / Macao / Taiwan and foreign investment grow with size (together about 6% of small
and 25% of large enterprises), as in Guangdong's export industries. Illustrative values.
"""

_EMPLOYEE_SIGMA = 1.25  # log-sd of the lognormal body of employees
_TAIL_SHARE = 0.03  # share of enterprises drawn from the Pareto tail instead
_TAIL_ALPHA = 1.15  # Pareto index of the tail (heavier than lognormal)
_TAIL_START = 3.0  # the tail starts at this multiple of the section's median
_MAX_EMPLOYEES = 300_000
_REVENUE_SIGMA = 0.6
_ASSET_SIGMA = 0.5
_CITY_MIX_SIGMA = 0.35  # log-sd of each city's section weights around DIVISION_MIX
_BANDS = (50, 300)  # employee bands of REGISTRATION_MIX

_NAME_PREFIX = "合成企业"
_STATUS_CATEGORIES = ("active", CLOSED, SUSPENDED, MOVED_OUT)
_USCC_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", dtype=np.uint8)
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_CHUNKS = np.array([list(f"{i:04d}".encode()) for i in range(10_000)], dtype=np.uint8)
_MAX_ROWS = 10**9 - 1  # row numbers must fit the 9 digits of the code

CitySpec = Literal["guangdong", "national"]


def _check_count(n_enterprises: object) -> int:
    if isinstance(n_enterprises, bool) or not isinstance(n_enterprises, (int, np.integer)):
        raise FrameError(f"n_enterprises must be an integer, got {n_enterprises!r}")
    if not 0 <= n_enterprises <= _MAX_ROWS:
        raise FrameError(f"n_enterprises must be between 0 and {_MAX_ROWS:,}, got {n_enterprises}")
    return int(n_enterprises)


def _check_rate(invalid_rate: float) -> float:
    if not (0.0 <= float(invalid_rate) <= 1.0):
        raise FrameError(f"invalid_rate must be between 0 and 1, got {invalid_rate!r}")
    return float(invalid_rate)


def _check_version(version: str) -> str:
    if version not in ("2011", "2017"):
        raise FrameError(f"industry_version must be one of '2011', '2017'; got {version!r}")
    return version


def _city_weights(cities: CitySpec | pd.Series | None) -> pd.Series:
    """Weights per full city name, in a fixed order."""
    if cities is None or (isinstance(cities, str) and cities == "guangdong"):
        return guangdong_2012()["population_census_2010"].astype(float)
    if isinstance(cities, str):
        if cities == "national":
            nat = national_cities()
            return pd.Series(
                nat["population"].to_numpy(dtype=float), index=pd.Index(nat["city"], name="city")
            )
        raise FrameError(f"unknown cities {cities!r}; valid: None, 'guangdong', 'national' or a Series")
    if not isinstance(cities, pd.Series):
        raise FrameError(
            f"cities must be None, 'guangdong', 'national' or a Series, got {type(cities).__name__}"
        )
    values = pd.to_numeric(cities, errors="coerce")
    bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float)) | (values < 0)
    if bad.any():
        shown = ", ".join(f"{k}: {cities[k]}" for k in cities.index[bad.to_numpy()][:10])
        raise FrameError(f"city weights must be finite and >= 0; bad: {shown}")
    if not values.sum() > 0:
        raise FrameError("city weights sum to 0")
    full = resolve_cities(pd.Series(cities.index, dtype=object))
    dup = full[full.duplicated(keep=False)]
    if len(dup):
        raise FrameError(
            f"cities names the same city twice: {sorted(set(cities.index[dup.index]))} -> {sorted(set(dup))}"
        )
    return pd.Series(values.to_numpy(dtype=float), index=pd.Index(full.to_numpy(), name="city"))


def _draw_by_group(group: np.ndarray, probs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Draw one category per row from row ``group``'s probabilities (rows of ``probs``).

    Inverse-CDF sampling for all groups at once: group g's cumulative probabilities are
    shifted to [g, g + 1], so one sorted array and one searchsorted serve every group.
    """
    k, m = probs.shape
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    cum[:, -1] = 1.0
    flat = (cum + np.arange(k)[:, None]).ravel()
    pos = np.searchsorted(flat, group + u, side="right")
    return np.minimum(pos - group * m, m - 1)


def _profile_of(divs: list[str], section: dict[str, str]) -> np.ndarray:
    return np.array([SECTION_PROFILE.get(d, SECTION_PROFILE.get(section[d])) for d in divs], dtype=float)


def _serial_digits(serial: np.ndarray) -> np.ndarray:
    """ASCII digit matrix (n x 9) of row numbers below 10**9, zero-padded.

    Built from a table of all four-digit chunks: two gathers instead of nine divisions.
    """
    out = np.empty((len(serial), 9), dtype=np.uint8)
    out[:, 0] = serial // 10**8 + 48
    out[:, 1:5] = _CHUNKS[(serial // 10**4) % 10**4]
    out[:, 5:9] = _CHUNKS[serial % 10**4]
    return out


def _text_column(matrix: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Fixed-width UTF-8 byte rows -> Arrow-backed pandas strings, without Python objects."""
    n, width = matrix.shape
    offsets = np.arange(n + 1, dtype=np.int64) * width
    arrow = pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(matrix))
    )
    return pd.array(arrow, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _credit_codes(region: np.ndarray, city: np.ndarray, serial: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """18-character codes shaped like a 统一社会信用代码 (GB 32100-2015).

    ``91`` (registered by the market regulator, enterprise) + the city's 6-digit division code
    (``region[city]``) + the 9-digit row number (``digits``) + check character
    ``(31 - sum(value_i * 3**i mod 31) mod 31) mod 31`` over the standard's 31-character
    alphabet. The row number is not an organisation code, so the codes are unique within a
    frame but are no real enterprise's.
    """
    head = np.empty((len(region), 8), dtype=np.uint8)
    head[:, 0:2] = np.frombuffer(b"91", dtype=np.uint8)
    head[:, 2:8] = np.array([list(f"{r:06d}".encode()) for r in region], dtype=np.uint8).reshape(-1, 6)
    head_sum = (head.astype(np.int64) - 48) @ _USCC_WEIGHTS[:8]
    m = np.empty((len(city), 18), dtype=np.uint8)
    m[:, 0:8] = head[city]
    m[:, 8:17] = digits
    # Weighted sum of the row-number digits by the same four-digit chunks as _serial_digits.
    total = (
        head_sum[city]
        + (serial // 10**8) * _USCC_WEIGHTS[8]
        + ((_CHUNKS.astype(np.int64) - 48) @ _USCC_WEIGHTS[9:13])[(serial // 10**4) % 10**4]
        + ((_CHUNKS.astype(np.int64) - 48) @ _USCC_WEIGHTS[13:17])[serial % 10**4]
    )
    m[:, 17] = _USCC_ALPHABET[(31 - total % 31) % 31]
    return m


def _region_codes(city_names: pd.Index) -> np.ndarray:
    nat = national_cities().set_index("city")["adcode"]
    return nat.reindex(city_names).fillna("000000").astype(np.int64).to_numpy()


def _check_panel(panel: pd.Series, cities: pd.Index) -> pd.Series:
    if not isinstance(panel, pd.Series):
        raise FrameError(f"panel must be a Series city -> number of enterprises, got {type(panel).__name__}")
    values = pd.to_numeric(panel, errors="coerce")
    bad = values.isna() | (values < 0) | (values != np.round(values))
    if bad.any():
        shown = ", ".join(f"{k}: {panel[k]}" for k in panel.index[bad.to_numpy()][:10])
        raise FrameError(f"panel counts must be non-negative integers; bad: {shown}")
    full = resolve_cities(pd.Series(panel.index, dtype=object))
    outside = sorted(set(full) - set(cities))
    if outside:
        raise FrameError(f"panel names cities that are not in the frame: {outside}")
    out = pd.Series(values.to_numpy(dtype=np.int64), index=full.to_numpy())
    return out.groupby(level=0).sum().reindex(cities, fill_value=0)


# Divisions of agriculture (A) and construction (E): the size document sizes them by revenue
# and assets only, so even a one-person firm there may be small or larger. Same codes in 2017.
_NO_EMPLOYEE_LIMIT: frozenset[str] = frozenset(
    divisions("2011").loc[lambda t: t["section"].isin(["A", "E"]), "division"]
)


def _mark_panel(
    panel: pd.Series,
    city: np.ndarray,
    cities: pd.Index,
    industry: pd.Series,
    employees: np.ndarray,
    revenue: np.ndarray,
    assets: np.ndarray,
    version: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """Choose ``panel[c]`` non-micro enterprises in each city c, larger ones more likely.

    Weighted sampling without replacement with weight = employees (Efraimidis & Spirakis
    2006): key = Exp(1) / employees, keep the smallest keys of each city.
    """
    # Only enterprises with >= 5 employees, or in sections sized without employees (A, E), can
    # be small or larger; classifying just those keeps large frames fast.
    sized_without_employees = industry.isin(_NO_EMPLOYEE_LIMIT).to_numpy()
    maybe = np.flatnonzero((employees >= 5) | sized_without_employees)
    cls = size_class(
        industry.iloc[maybe].reset_index(drop=True),
        employees[maybe],
        revenue=revenue[maybe],
        assets=assets[maybe],
        version=version,
    )["size_class"].to_numpy()
    cand = maybe[cls != "micro"]
    key = rng.exponential(size=len(cand)) / employees[cand]
    order = np.lexsort((key, city[cand]))
    sorted_city = city[cand][order]
    starts = np.searchsorted(sorted_city, np.arange(len(cities)))
    rank = np.arange(len(order)) - starts[sorted_city]
    want = panel.to_numpy()
    available = np.bincount(sorted_city, minlength=len(cities))
    short = np.flatnonzero(available < want)
    if len(short):
        shown = ", ".join(f"{cities[i]} wants {want[i]}, has {available[i]}" for i in short[:10])
        raise FrameError(f"too few non-micro enterprises for the panel: {shown}; make a larger frame")
    marked = np.zeros(len(city), dtype=bool)
    marked[cand[order[rank < want[sorted_city]]]] = True
    return marked


def make_frame(
    n_enterprises: int,
    *,
    cities: CitySpec | pd.Series | None = None,
    panel: pd.Series | None = None,
    invalid_rate: float = 0.0,
    random_state: int | np.random.Generator | None = None,
    industry_version: Literal["2011", "2017"] = "2011",
    workers: int | None = None,
) -> pd.DataFrame:
    """A synthetic enterprise register with the canonical frame columns.

    Parameters
    ----------
    n_enterprises : int
        Number of rows.
    cities : None, "guangdong", "national" or Series
        Where the enterprises are. ``None`` / ``"guangdong"``: Guangdong's 21 cities weighted
        by their 2010 census resident population (``population_census_2010`` of
        :func:`quotas.datasets.guangdong_2012`, the census nearest to the 2012 plan and a
        proxy for employment, which no per-city table measures completely). ``"national"``:
        the 337 units of :func:`quotas.datasets.national_cities` weighted by 2020
        population. A Series maps city names (any alias :func:`quotas.cities.resolve_cities`
        accepts) to non-negative weights.
    panel : Series, optional
        City -> number of enterprises already in the monitoring panel (e.g.
        :func:`quotas.datasets.guangdong_2013_panel`). That many enterprises of each city
        get ``in_panel = True``, drawn among the non-micro ones with probability growing with
        employees. Without it ``in_panel`` is all False.
    invalid_rate : float
        Share of enterprises (rounded to a whole number, drawn uniformly, panel or not) whose
        ``status`` is 关闭破产 (closed or bankrupt: out of business, removed from the panel)
        or 停业整顿 / 迁出本市 (decrease types of the monthly report: still units), see
        :mod:`sampling.status`; for maintenance demos. The rest are ``"active"``.
    random_state : int or numpy.random.Generator, optional
        Seed; the same seed gives the same frame on every machine.
    industry_version : {"2011", "2017"}
        Edition of the GB/T 4754 division codes in ``industry`` (2017 shifts 2011's 79-96 up by
        one).
    workers : int, optional
        Threads (default :func:`basis.threads.default_workers`; 1: none): the identifiers and
        names, which use no random numbers, are built beside the random draws. The frame is the
        same for any number.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`: ``enterprise_id`` (18-character 统一社会信用代码-shaped text:
        ``91``, the city's division code, the row number, a GB 32100 check character),
        ``name`` (合成企业 + row number), ``city`` (categorical, full names in the order of the
        weights), ``industry`` (categorical, two-digit division codes, all divisions of the
        edition as categories), ``registration_type`` (categorical, three-digit codes),
        ``employees`` (int64, >= 1), ``revenue`` and ``assets`` (float, 万元, 0.1 precision),
        ``in_panel`` (bool), ``status`` (categorical). Rows are grouped by city.

    Raises
    ------
    FrameError
        For a negative or non-integer size, bad weights, an unknown ``cities`` name, panel
        cities outside the frame, or a city with fewer non-micro enterprises than its panel.
    UnknownCityError
        For a city name in ``cities`` or ``panel`` that matches no city.

    Notes
    -----
    City counts are proportional to the weights, rounded by the largest-remainder (Hamilton)
    method of :func:`allocation.apportion` so that they sum exactly to ``n_enterprises``
    (ties: larger weight, then the city listed first). Each city's industry mix is
    :data:`DIVISION_MIX` with every section's weight multiplied by a lognormal factor (log-sd
    0.35) drawn per city. Employees: lognormal body around the section median of
    :data:`SECTION_PROFILE` (log-sd 1.25), 3% from a Pareto tail (index 1.15) starting at three
    times the median, rounded up, at most 300,000. Revenue = employees x section productivity x
    lognormal (log-sd 0.6); assets = revenue x section ratio x lognormal (log-sd 0.5).
    Registration types follow :data:`REGISTRATION_MIX` by employee band (< 50, 50-299, >= 300).
    All of these are illustrative choices, not official statistics.

    References
    ----------
    Efraimidis, P. S. and Spirakis, P. G. (2006), Weighted random sampling with a reservoir,
    *Information Processing Letters* 97(5), 181-185 (panel draw). GB 32100-2015 法人和其他组织
    统一社会信用代码编码规则 (code shape). 国统字〔2011〕75号 (size classes), 国统字〔1998〕200号
    (registration types), GB/T 4754-2011 (industries).

    Examples
    --------
    >>> from sampling.synthetic import make_frame
    >>> df = make_frame(1000, random_state=1)
    >>> list(df.columns) == list(COLUMNS)
    True
    >>> int(df["city"].value_counts()["广州市"])  # 12,700,800 / 104,310,395 x 1000 = 121.76
    122
    >>> df["enterprise_id"].str.len().unique().tolist()
    [18]
    """
    n = _check_count(n_enterprises)
    rate = _check_rate(invalid_rate)
    version = _check_version(industry_version)
    rng = np.random.default_rng(random_state)
    weights = _city_weights(cities)
    names = weights.index
    counts = apportion(weights, n, method="hamilton").to_numpy()
    city = np.repeat(np.arange(len(names), dtype=np.int32), counts)

    with Workers(workers) as pool:
        text = pool.submit(_text_columns, names, city)
        frame = _draw_frame(city, names, rng, version, text)

    if panel is not None:
        wanted = _check_panel(panel, names)
        numbers = (frame[c].to_numpy() for c in ("employees", "revenue", "assets"))
        frame["in_panel"] = _mark_panel(wanted, city, names, frame["industry"], *numbers, version, rng)
    n_invalid = int(round(rate * n))
    if n_invalid:
        rows = rng.choice(n, size=n_invalid, replace=False)
        status = frame["status"].cat.codes.to_numpy().copy()
        status[rows] = rng.integers(1, len(_STATUS_CATEGORIES), size=n_invalid)
        frame["status"] = pd.Categorical.from_codes(status, categories=list(_STATUS_CATEGORIES))
    return frame


def _draw_frame(
    city: np.ndarray, names: pd.Index, rng: np.random.Generator, version: str, text: Future
) -> pd.DataFrame:
    """The frame's random columns, drawn in a fixed order from ``rng``, and the ``text`` columns
    (identifiers and names, built beside the draws) once they are ready."""
    n = len(city)
    # Industry: DIVISION_MIX with per-city section factors.
    table = divisions("2011")
    section = dict(zip(table["division"], table["section"]))
    divs = list(DIVISION_MIX)
    base = np.array([DIVISION_MIX[d] for d in divs])
    sec_codes, sec_names = pd.factorize(pd.Series([section[d] for d in divs]))
    factors = np.exp(_CITY_MIX_SIGMA * rng.standard_normal((len(names), len(sec_names))))
    div = _draw_by_group(city, base[None, :] * factors[:, sec_codes], rng.random(n))

    # Employees, revenue, assets.
    profile = _profile_of(divs, section)
    median, productivity, asset_ratio = (profile[div, j] for j in range(3))
    emp = median * np.exp(_EMPLOYEE_SIGMA * rng.standard_normal(n))
    tail = rng.random(n) < _TAIL_SHARE
    emp[tail] = _TAIL_START * median[tail] * (1.0 - rng.random(int(tail.sum()))) ** (-1.0 / _TAIL_ALPHA)
    employees = np.ceil(np.minimum(emp, _MAX_EMPLOYEES)).astype(np.int64)
    revenue = np.round(employees * productivity * np.exp(_REVENUE_SIGMA * rng.standard_normal(n)), 1)
    assets = np.round(revenue * asset_ratio * np.exp(_ASSET_SIGMA * rng.standard_normal(n)), 1)
    # A tiny firm can round to 0.0; keep every indicator positive.
    revenue = np.maximum(revenue, 0.1)
    assets = np.maximum(assets, 0.1)

    # Registration type by employee band.
    codes = list(REGISTRATION_MIX)
    band = np.searchsorted(np.array(_BANDS), employees, side="right")
    reg = _draw_by_group(band, np.array([REGISTRATION_MIX[c] for c in codes]).T, rng.random(n))

    ids, name_text = text.result()
    if version == "2017":
        div_labels = [f"{int(d) + 1:02d}" if int(d) >= 79 else d for d in divs]
    else:
        div_labels = divs
    industry = pd.Categorical.from_codes(
        pd.Index(divisions(version)["division"]).get_indexer(div_labels)[div],
        categories=divisions(version)["division"].tolist(),
    )
    frame = pd.DataFrame(
        {
            "enterprise_id": ids,
            "name": name_text,
            "city": pd.Categorical.from_codes(city, categories=names.tolist()),
            "industry": industry,
            "registration_type": pd.Categorical.from_codes(
                pd.Index(registration_types()["code"]).get_indexer(codes)[reg],
                categories=registration_types()["code"].tolist(),
            ),
            "employees": employees,
            "revenue": revenue,
            "assets": assets,
            "in_panel": np.zeros(n, dtype=bool),
            "status": pd.Categorical.from_codes(
                np.zeros(n, dtype=np.int8), categories=list(_STATUS_CATEGORIES)
            ),
        }
    )
    return frame


def _text_columns(names: pd.Index, city: np.ndarray) -> tuple[pd.arrays.ArrowStringArray, ...]:
    """``enterprise_id`` and ``name`` of each row: they depend on the row's number and city only."""
    n = len(city)
    serial = np.arange(n, dtype=np.int64)
    digits = _serial_digits(serial)
    width = max(7, len(str(max(n - 1, 0))))
    prefix = np.frombuffer(_NAME_PREFIX.encode(), dtype=np.uint8)
    name_bytes = np.concatenate([np.broadcast_to(prefix, (n, len(prefix))), digits[:, 9 - width :]], axis=1)
    ids = _credit_codes(_region_codes(names), city, serial, digits)
    return _text_column(ids), _text_column(name_bytes)
