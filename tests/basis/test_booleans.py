"""Tests for basis.booleans: one yes/no parser for registers, samples and quota tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basis.booleans import FALSE_WORDS, TRUE_WORDS, parse_yes_no

YES = ["是", "True", " true ", "TRUE", "yes", "Y", "t", "1", 1, 1.0, True, np.True_]
NO = ["否", "False", "false", "NO", "n", "F", "0", 0, 0.0, False, np.False_]


@pytest.mark.parametrize("value", YES)
def test_yes(value):
    flags, bad = parse_yes_no(pd.Series([value], dtype=object))
    assert flags.tolist() == [True] and bad.tolist() == [False]


@pytest.mark.parametrize("value", NO)
def test_no(value):
    flags, bad = parse_yes_no(pd.Series([value], dtype=object))
    assert flags.tolist() == [False] and bad.tolist() == [False]


@pytest.mark.parametrize("value", ["maybe", "2", 2, -1, 0.5, "是的", "yes please"])
def test_other_values_are_bad(value):
    flags, bad = parse_yes_no(pd.Series([value], dtype=object))
    assert bad.tolist() == [True] and flags.tolist() == [False]


def test_blank_is_no_by_default_or_bad_when_asked():
    values = pd.Series(["", None, np.nan, "  "], dtype=object)
    assert parse_yes_no(values)[1].tolist() == [False] * 4
    assert parse_yes_no(values, blank=None)[1].tolist() == [True] * 4
    assert parse_yes_no(values, blank=True)[0].tolist() == [True] * 4


def test_round_trip_through_text_is_read_back():
    # Issue 13, reproduction 1: a sample written to CSV has state_owned "False"/"True".
    owned = pd.Series([True, False, True])
    flags, bad = parse_yes_no(owned.astype(str))
    assert flags.tolist() == owned.tolist() and not bad.any()


def test_the_words_do_not_overlap():
    assert not TRUE_WORDS & FALSE_WORDS


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.sampled_from([*YES, *NO, "", None, "x"]), max_size=50),
    storage=st.sampled_from(["object", "category", "str"]),
)
def test_storage_does_not_change_the_answer(values, storage):
    # Invariant: each value is read the same alone and in any column storage.
    column = pd.Series(values, dtype=object)
    if storage != "object":
        column = column.map(lambda v: v if v is None else str(v)).astype(storage)
    flags, bad = parse_yes_no(column)
    one = [parse_yes_no(column.iloc[[i]].astype(object)) for i in range(len(column))]
    assert flags.tolist() == [bool(f[0][0]) for f in one]
    assert bad.tolist() == [bool(f[1][0]) for f in one]
