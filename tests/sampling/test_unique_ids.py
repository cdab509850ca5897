"""Tests for sampling.unique_ids against pandas' own duplicated(keep=False)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sampling.prn import id_hash
from sampling.unique_ids import duplicated_ids, repeated_hashes

IDS = st.lists(st.sampled_from(["9144A", "9144B", "9144C", "中文1", "", "x y", "9144A "]), max_size=60)


@given(ids=IDS)
def test_matches_pandas_with_the_prn_hash(ids):
    series = pd.Series(ids, dtype="str")
    hashes = id_hash(series, seed=0)
    got = duplicated_ids(series, hashes, repeated_hashes(hashes))
    assert got.tolist() == series.duplicated(keep=False).tolist()


@given(ids=IDS)
def test_colliding_hashes_make_no_false_duplicates(ids):
    # A deliberately poor hash (the text's length) collides all the time; the text comparison
    # of the candidates must still give pandas' answer.
    series = pd.Series(ids, dtype="str")
    hashes = series.str.len().to_numpy().astype(np.uint64)
    got = duplicated_ids(series, hashes, repeated_hashes(hashes))
    assert got.tolist() == series.duplicated(keep=False).tolist()


def test_repeated_hashes_lists_each_extra_copy():
    # 5 three times and 2 twice: two extra 5s and one extra 2
    assert repeated_hashes(np.array([5, 1, 5, 2, 5, 2], dtype=np.uint64)).tolist() == [2, 5, 5]
