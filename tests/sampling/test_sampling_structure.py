"""Tests for sampling.structure: enterprises in business per quota cell (named apart from
tests/quotas/test_structure.py: pytest needs distinct test file names)."""

from __future__ import annotations

import warnings

import pytest

from quotas.exceptions import SizeClassWarning
from sampling.exceptions import FrameError
from sampling.frame import read_frame
from sampling.prepare import prepare_frame
from sampling.structure import structure


def test_structure_counts_cells(raw_register):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SizeClassWarning)
        frame = prepare_frame(read_frame(raw_register))
    frame["in_panel"] = [True, True, False, False]
    frame["status"] = ["", "关闭破产", "", ""]
    s = structure(frame)
    # Two medium C enterprises in 广州 (one state-owned, one closed), one medium F, one small K
    # in 深圳.
    assert s[
        ["city", "section", "size_class", "state_owned", "enterprises", "employment", "panel"]
    ].values.tolist() == [
        # the 1,200-employee C enterprise is in the panel but closed (关闭破产): out of business,
        # it is not counted at all (domain-rules.md "Sample maintenance": closed or bankrupt
        # units are removed), so its cell has no enterprise
        ["广州市", "C", "medium", True, 1, 300, 1],
        ["广州市", "F", "medium", False, 1, 25, 0],
        ["深圳市", "K", "small", True, 1, 80, 0],
    ]
    assert s["enterprises_50_300"].tolist() == [1, 0, 1]


def test_structure_needs_a_prepared_frame(raw_register):
    with pytest.raises(FrameError, match="prepare_frame"):
        structure(read_frame(raw_register))
