"""Guangdong 2013: expand the monitored panel from 3,000 to 10,000 enterprises, end to end.

    python examples/guangdong_2013.py [--out output] [--employment population|urban-units|urban-units+private]
        [--targets official|computed] [--tilt-strength 0.5] [--national-target 1000]

Steps (each printed with its timing): load the 2012 city statistics, the existing panel and the
official task table (annex 1 of the plan); explain the official table (the employment + GDP blend
it follows and each city's tilt); compute the plan's allocation beside it (employment + GDP,
MOHRSS 2011 minimums, the panel as floors, the moderate tilt by the existing monitoring work) with
and without the tilt; build the quota tables on the official task and split under GUANGDONG_2013
on a synthetic register whose cells are industry groups (divisions 05, 11 and 43 tertiary, and the
example's key industries: 深圳 and 东莞 C39, 佛山 C38, at least 10% each, its documented choice from
the cities' pillar industries), so that each city's secondary / tertiary quotas equal annex 1
exactly; select the new enterprises with reserves, keeping the panel; mark the national subset
(两网合并: the 641 existing, about 1,000 in 广州, 深圳, 佛山) and audit it under the 2011 rules per
city; audit the whole sample (ownership groups against the register included); write everything
to --out (sector_split.csv and ownership.csv among it). The code of each step is in
empmon/examples.py (``guangdong_2013``).
"""

from __future__ import annotations

import argparse

from empmon.examples import EMPLOYMENT_MEASURES, guangdong_2013


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="output", help="output folder (default: output)")
    parser.add_argument(
        "--employment",
        default="population",
        choices=list(EMPLOYMENT_MEASURES),
        help="employment measure of the computed allocation (default: resident population, the documented proxy)",
    )
    parser.add_argument(
        "--targets",
        default="official",
        choices=["official", "computed"],
        help="what the quotas follow: the official task and split (default) or the computed allocation",
    )
    parser.add_argument(
        "--tilt-strength", type=float, default=0.5, help="exponent of the monitoring-work tilt (0: none)"
    )
    parser.add_argument(
        "--national-target",
        type=int,
        default=1000,
        help="size of the national subset (641 existing included)",
    )
    parser.add_argument(
        "--frame-size", type=int, default=300_000, help="enterprises in the synthetic register"
    )
    parser.add_argument("--seed", type=int, default=2013, help="random seed (same seed, same sample)")
    args = parser.parse_args()
    guangdong_2013(
        args.out,
        employment=args.employment,
        frame_size=args.frame_size,
        targets=args.targets,
        tilt_strength=args.tilt_strength,
        national_target=args.national_target,
        random_state=args.seed,
    )


if __name__ == "__main__":
    main()
