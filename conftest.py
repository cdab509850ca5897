"""Test-wide settings.

- a non-interactive matplotlib backend for doctests and tests;
- no Hypothesis deadline: speed is measured in benchmarks/, never asserted in tests, and a
  deadline only turns a loaded machine into a failing test.
"""

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")
settings.register_profile("empmon", deadline=None)
settings.load_profile("empmon")
