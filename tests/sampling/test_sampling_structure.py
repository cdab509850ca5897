"""Tests for sampling.structure: enterprises in business per quota cell (named apart from
tests/quotas/test_structure.py: pytest needs distinct test file names)."""

from __future__ import annotations

import warnings

import pandas as pd
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


def _grouped_register():
    # Non-state (173) enterprises; industrial ones with 100 employees and 1,000 (10k yuan)
    # revenue are small (国统字〔2011〕75号: 20-300 employees, 300-2,000 revenue), the retailer
    # with 30 and 300 too (10-50, 100-500).
    industries = ["3911", "3911", "1311", "3911", "3911", "3911", "1311", "1311", "4310", "4310", "5211"]
    cities = ["广州"] * 3 + ["深圳"] * 8
    return prepare_frame(
        read_frame(
            pd.DataFrame(
                {
                    "enterprise_id": [f"E{i}" for i in range(len(industries))],
                    "city": cities,
                    "industry": industries,
                    "registration_type": "173",
                    "employees": [30 if code == "5211" else 100 for code in industries],
                    "revenue": [300.0 if code == "5211" else 1000.0 for code in industries],
                }
            )
        ),
        key_industries={"深圳": ["39"]},
    )


def test_structure_cells_are_industry_groups():
    # Issue 16: key industries "as GB/T 4754 divisions per city ... through cells that split a
    # section where needed", and division 43 (tertiary, 三次产业划分规定) a group of its own
    # everywhere. 深圳's key industry C39 is a cell; 广州's 3911 enterprises stay in its C.
    s = structure(_grouped_register())
    assert s[
        ["city", "section", "industry_group", "size_class", "state_owned", "enterprises"]
    ].values.tolist() == [
        ["广州市", "C", "C", "small", False, 3],  # 3911, 3911, 1311
        ["深圳市", "C", "C", "small", False, 2],  # 1311, 1311
        ["深圳市", "C", "C39", "small", False, 3],
        ["深圳市", "C", "C43", "small", False, 2],
        ["深圳市", "F", "F", "small", False, 1],
    ]
    # the same cells from a frame prepared without key industries, given to structure instead
    plain = _grouped_register().drop(columns="industry_group")
    again = structure(plain, key_industries={"深圳": ["39"]})
    assert again.values.tolist() == s.values.tolist()
    # without groups at all: section cells, as before industry groups
    sections = structure(plain)
    assert "industry_group" not in sections.columns
    assert sections["enterprises"].tolist() == [3, 7, 1]


def test_structure_counts_what_select_can_draw():
    # Issue 16: "a minimum unit size rule (a documented default, a parameter)"; issue 13: the
    # structure counts the enterprises select may keep or draw, so the quotas never ask for
    # more. Of a cell's 5, 8, 12 and 40 employees (the 5 panel) the 8 cannot be drawn: 3 count
    # (5 + 12 + 40 = 57 employees); without a minimum all 4.
    frame = pd.DataFrame(
        {
            "enterprise_id": ["A", "B", "C", "D"],
            "city": "广州市",
            "section": "C",
            "size_class": "small",
            "state_owned": False,
            "employees": [5, 8, 12, 40],
            "in_panel": [True, False, False, False],
        }
    )
    s = structure(frame)
    assert s[["enterprises", "employment", "panel"]].values.tolist() == [[3, 57, 1]]
    assert structure(frame, min_employees=None)["enterprises"].tolist() == [4]
    with pytest.raises(FrameError, match="min_employees must be a non-negative integer"):
        structure(frame, min_employees=-1)
