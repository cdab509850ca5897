"""All prefecture-level cities with the MOHRSS 2011 rules on a synthetic national register.

    python examples/national.py [--out output/national] [--frame-size 2000000] [--gdp impute|population-only]

41 units have no 2020 GDP in the shipped table: ``--gdp impute`` (default) fills them with
population x their province's GDP per person and lists them; ``--gdp population-only`` allocates
by population alone. Never a silent zero. Besides the tables, the audit and two figures by
province, every unit gets its work package, ``<out>/cities/<province>/<unit>.xlsx``, listed in
``<out>/cities/工作包清单.xlsx``. The code is in empmon/examples.py (``national``).
"""

from __future__ import annotations

import argparse

from empmon.examples import national


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="output/national", help="output folder")
    parser.add_argument("--total", type=int, default=50_000, help="national sample size")
    parser.add_argument(
        "--frame-size", type=int, default=2_000_000, help="enterprises in the synthetic register"
    )
    parser.add_argument(
        "--gdp", default="impute", choices=["impute", "population-only"], help="how to handle missing GDP"
    )
    parser.add_argument("--seed", type=int, default=2011, help="random seed")
    args = parser.parse_args()
    national(args.out, total=args.total, frame_size=args.frame_size, gdp=args.gdp, random_state=args.seed)


if __name__ == "__main__":
    main()
