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


def test_comparison_keys_of_near_duplicates():
    # Issue 14: full-width characters (NFKC), invisible characters (zero-width space U+200B,
    # byte-order mark U+FEFF, soft hyphen U+00AD, a tab), surrounding ideographic spaces, and
    # the letter case of an 18-character credit code; a short id keeps its case.
    from sampling.unique_ids import comparison_keys

    ids = pd.Series(
        [
            "Ａ１",
            "A\u200b1",
            "\ufeffA1",
            "A\u00ad1",
            "A\t1",
            "\u3000A1\u3000",
            "91440101ma5cxxxx01",
            "ab1",
            None,
        ],
        dtype="str",
    )
    keys = comparison_keys(ids)
    assert keys.tolist()[:8] == ["A1"] * 6 + ["91440101MA5CXXXX01", "ab1"]
    assert pd.isna(keys.iloc[8])


@given(ids=st.lists(st.text("AB019", max_size=20), max_size=30))
def test_plain_ascii_ids_are_their_own_keys(ids):
    # The fast path: upper-case ASCII letters and digits need no normalisation.
    from sampling.unique_ids import comparison_keys

    assert comparison_keys(pd.Series(ids, dtype="str")) is None
    assert comparison_keys(pd.Series(ids, dtype=object)) is None
