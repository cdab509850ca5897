"""Benchmark of :func:`quotas.build_quotas`: Guangdong (21 cities) and the national case.

Both structures are synthetic, drawn with a fixed seed from the cities' 2020 census population
(:func:`quotas.datasets.national_cities`): enterprises per cell are Poisson with a mean
proportional to population, a section mix weighted towards manufacturing and trade, size
shares large 2% / medium 10% / small 40% / micro 48% and one enterprise in ten state-owned.

* Guangdong: 21 cities x 20 sections x 4 sizes x 2 ownerships with ``enterprises_50_300``,
  10,000 enterprises under ``GUANGDONG_2013`` (the 50-300 band couples the cities: one joint
  model).
* National: 337 units (333 prefecture-level units and the 4 municipalities) x 20 sections x
  3 sizes (no micro rows) x 2 ownerships, targets at the MOHRSS 2011 minimum plus one per
  100,000 residents, under ``MOHRSS_2011``: one model per city.

Run ``python benchmarks/bench_quotas.py [--quick]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from quotas import GUANGDONG_2013, MOHRSS_2011, build_quotas
from quotas.datasets import national_cities
from quotas.tiers import tier_minimum

_SECTION_WEIGHT = np.array(
    [2, 1, 30, 2, 1, 8, 20, 4, 3, 2, 2, 3, 3, 2, 4, 3, 2, 2, 2, 0.2], dtype=float
)  # A-T
_SIZE_SHARE = {"large": 0.02, "medium": 0.10, "small": 0.40, "micro": 0.48}
_MEAN_EMPLOYEES = {"large": 1500.0, "medium": 450.0, "small": 60.0, "micro": 8.0}
_BAND_SHARE = {"large": 0.0, "medium": 0.6, "small": 0.45, "micro": 0.0}


def synthetic_structure(cities: pd.DataFrame, *, sizes: tuple[str, ...], seed: int) -> pd.DataFrame:
    """A structure table for the given cities (``city, population``), fixed seed."""
    rng = np.random.default_rng(seed)
    sections = list("ABCDEFGHIJKLMNOPQRST")
    sec_share = _SECTION_WEIGHT / _SECTION_WEIGHT.sum()
    rows = []
    for city, pop in zip(cities["city"], cities["population"]):
        firms = max(pop / 60.0, 5_000.0)  # one enterprise per 60 residents, at least 5,000 (三沙市)
        tilt = rng.lognormal(0.0, 0.4, size=len(sections))  # city-specific industry mix
        share = sec_share * tilt / (sec_share * tilt).sum()
        for s, sh in zip(sections, share):
            for z in sizes:
                for owned, os in ((True, 0.1), (False, 0.9)):
                    n = int(rng.poisson(firms * sh * _SIZE_SHARE[z] * os))
                    emp = float(rng.gamma(4.0, _MEAN_EMPLOYEES[z] / 4.0, size=n).sum()) if n else 0.0
                    rows.append((city, s, z, owned, n, round(emp), int(rng.binomial(n, _BAND_SHARE[z]))))
    return pd.DataFrame(
        rows,
        columns=[
            "city",
            "section",
            "size_class",
            "state_owned",
            "enterprises",
            "employment",
            "enterprises_50_300",
        ],
    )


def _largest_remainder(weights: pd.Series, total: int) -> pd.Series:
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    extra = (raw - out).sort_values(ascending=False, kind="mergesort").index[: total - int(out.sum())]
    out[extra] += 1
    return out


def _time(fn, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def inputs(quick: bool = False) -> dict[str, dict]:
    """The two cases: ``{"guangdong": {...}, "national": {...}}``, each with ``structure``,
    ``targets``, ``options`` (the other keywords of build_quotas) and ``units``."""
    nat = national_cities()
    gd = nat[nat["province"] == "广东"].reset_index(drop=True)
    gd_structure = synthetic_structure(gd, sizes=("large", "medium", "small", "micro"), seed=2013)
    gd_targets = _largest_remainder(gd.set_index("city")["population"], 10_000)
    gd_targets = gd_targets.clip(lower=60)
    gd_targets.iloc[0] += 10_000 - int(gd_targets.sum())
    # Secondary / tertiary targets in proportion to each city's employment in B-E and F-T.
    secondary = gd_structure[gd_structure["section"].isin(list("BCDE"))].groupby("city")["employment"].sum()
    tertiary = gd_structure[gd_structure["section"] >= "F"].groupby("city")["employment"].sum()
    share = (secondary / (secondary + tertiary)).reindex(gd_targets.index)
    sec_targets = pd.DataFrame({"secondary": np.round(gd_targets * share).astype(np.int64)})
    sec_targets["tertiary"] = gd_targets - sec_targets["secondary"]

    units = nat if not quick else nat.iloc[:60]
    structure = synthetic_structure(units, sizes=("large", "medium", "small"), seed=333)
    pop = units.set_index("city")["population"]
    minimum = tier_minimum(pop, municipality=units.set_index("city")["kind"].eq("municipality"))
    targets = minimum + (pop // 100_000).astype(np.int64)
    return {
        "guangdong": {
            "structure": gd_structure,
            "targets": gd_targets,
            # The plan's split is hard on industry-group cells; these synthetic cells are
            # sections, so it is met as closely as sections allow (soft).
            "options": {
                "rules": GUANGDONG_2013.replace(sector_split={"kind": "soft"}),
                "sector_targets": sec_targets,
            },
            "units": len(gd),
        },
        "national": {
            "structure": structure,
            "targets": targets,
            "options": {"rules": MOHRSS_2011},
            "units": len(units),
        },
    }


def run(quick: bool = False) -> list[dict]:
    """Time build_quotas on Guangdong and the national case; one dict per workload and tool."""
    cases = inputs(quick)
    gd, national = cases["guangdong"], cases["national"]
    # CBC is not timed: the joint model is the slow case for it.
    seconds = _time(lambda: build_quotas(gd["structure"], gd["targets"], **gd["options"]), 1 if quick else 3)
    results: list[dict] = [
        {
            "workload": "quotas Guangdong 21 cities x 160 cells, 10,000, GUANGDONG_2013, split soft (joint)",
            "tool": "empmon build_quotas (highs)",
            "seconds": seconds,
            "note": "sector split and the 50-300 band (couples the cities: one joint model)",
        }
    ]
    seconds = _time(
        lambda: build_quotas(national["structure"], national["targets"], **national["options"]), 1
    )
    results.append(
        {
            "workload": f"quotas national {national['units']} units x 120 cells, "
            f"{int(national['targets'].sum()):,}, MOHRSS_2011",
            "tool": "empmon build_quotas (highs)",
            "seconds": seconds,
            "note": "one model per city, one core" + (" (quick: first 60 units)" if quick else ""),
        }
    )
    return results


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(f"{row['seconds']:8.3f} s  {row['tool']:<40} {row['workload']}  [{row['note']}]")
