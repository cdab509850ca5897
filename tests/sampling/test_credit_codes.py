"""Tests for sampling.credit_codes: the GB 32100-2015 check character."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling.credit_codes import ALPHABET, WEIGHTS, check_character, credit_code_problems


def test_alphabet_and_weights_of_the_standard():
    # GB 32100-2015: 31 characters, the digits and the capitals without I, O, S, V, Z; the
    # weights of positions 1-17 are 3^(i-1) mod 31.
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_check_character_of_a_published_code():
    # 华为技术有限公司, 914403001922038216 (its business licence); the sum written out in
    # tests/sampling/test_prepare.py::test_a_mistyped_credit_code_is_named_in_a_warning: 831,
    # 831 mod 31 = 25, 31 - 25 = 6.
    assert check_character("914403001922038216") == "6"
    with pytest.raises(ValueError, match="not the start of a credit code"):
        check_character("9144O3001922038216")


@settings(max_examples=60, deadline=None)
@given(
    head=st.lists(st.text(ALPHABET, min_size=17, max_size=17), min_size=1, max_size=30),
    storage=st.sampled_from(["object", "str"]),
    lower=st.booleans(),
)
def test_the_vectorised_check_agrees_with_the_scalar_one(head, storage, lower):
    # Invariant: the codes completed with their check character pass; changing the check
    # character to any other makes them fail, whatever the storage and letter case.
    good = [h + check_character(h) for h in head]
    bad = [g[:-1] + ALPHABET[(ALPHABET.index(g[-1]) + 1) % 31] for g in good]
    codes = [c.lower() if lower else c for c in good + bad]
    ids = pd.Series(codes, dtype=storage)
    problems = credit_code_problems(ids)
    assert problems["row"].tolist() == list(range(len(good), 2 * len(good)))
    assert problems["reason"].tolist() == [f"check character should be {g[-1]!r}" for g in good]


def test_only_18_letters_and_digits_are_checked():
    ids = pd.Series(["91440300192203821", "9144030019220382165", "91440300-922038216", None, ""])
    assert credit_code_problems(ids).empty
    assert credit_code_problems(pd.Series(np.array([], dtype=object))).empty
