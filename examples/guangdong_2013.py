"""Guangdong 2013: expand the monitored panel from 3,000 to 10,000 enterprises, end to end.

    python examples/guangdong_2013.py [--out output] [--employment population|urban-units|urban-units+private]

Steps (each printed with its timing): load the 2012 city statistics; allocate 10,000 across the 21
cities (employment + GDP blend, MOHRSS 2011 minimums, the 3,000-enterprise panel as floors, a
moderate tilt to the national monitoring cities); split each city's target between secondary and
tertiary industry; build the quota tables under GUANGDONG_2013 on a synthetic register; select the
new enterprises with reserves, keeping the panel; audit; write everything to --out. The code of
each step is in empmon/examples.py (``guangdong_2013``).
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
        help="employment measure of the allocation (default: resident population, the documented proxy)",
    )
    parser.add_argument(
        "--frame-size", type=int, default=300_000, help="enterprises in the synthetic register"
    )
    parser.add_argument("--seed", type=int, default=2013, help="random seed (same seed, same sample)")
    args = parser.parse_args()
    guangdong_2013(args.out, employment=args.employment, frame_size=args.frame_size, random_state=args.seed)


if __name__ == "__main__":
    main()
