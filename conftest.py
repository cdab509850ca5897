"""Test-wide settings: a non-interactive matplotlib backend for doctests and tests."""

import matplotlib

matplotlib.use("Agg")
