"""Tests for sampling.prn (permanent random numbers).

Independent sources: the published SplitMix64 outputs (Rosetta Code, "Pseudo-random
numbers/Splitmix64", from Vigna's splitmix64.c), and a plain-Python integer implementation of
the algorithm as written in the module docstring (no numpy), written out below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from basis.threads import Workers
from sampling import SelectionError, derive_prn, prn
from sampling.prn import (
    _splitmix64,
    frame_prn,
    id_hash,
    prn_from_hash,
    seed_from,
)

M64 = 2**64


def splitmix64_reference(x: int) -> int:
    """First output of SplitMix64 seeded with x, in Python integers (Steele et al. 2014)."""
    z = (x + 0x9E3779B97F4A7C15) % M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % M64
    return z ^ (z >> 31)


def prn_reference(text: str, seed: int) -> float:
    """The module docstring's steps 1-4 for one id, in Python integers."""
    b = text.encode("utf-8")
    length = len(b)
    b += b"\0" * (-length % 8)
    h = splitmix64_reference(seed)
    for i in range(0, len(b), 8):
        h = splitmix64_reference(h ^ int.from_bytes(b[i : i + 8], "little"))
    z = splitmix64_reference(h ^ length)
    return ((z >> 12) + 0.5) / 2**52


IDS = ["", "a", "foobar", "12345678", "91440101MA5CXXXX01", "é", "广州市某某有限公司", "x" * 37]


def test_splitmix64_published_outputs():
    # Rosetta Code: SplitMix64 with state 1234567 first yields 6457827717110365317; with
    # state 0 it yields 0xe220a8397b1dcdaf, then (state 0x9e3779b97f4a7c15) 0x6e789e6aa1b965f4.
    out = _splitmix64(np.array([1234567, 0, 0x9E3779B97F4A7C15], dtype=np.uint64))
    assert out.tolist() == [6457827717110365317, 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4]
    assert [splitmix64_reference(x) for x in (1234567, 0)] == out.tolist()[:2]


@pytest.mark.parametrize("seed", [0, 1, 2013, 2**64 - 1])
def test_matches_plain_python_reference(seed):
    got = derive_prn(IDS, seed=seed).tolist()
    assert got == [prn_reference(t, seed) for t in IDS]


def test_pinned_values_are_platform_independent():
    # Computed with prn_reference above (pure integer arithmetic, no numpy): any machine,
    # platform or numpy version must give these exact floats.
    assert prn_reference("91440101MA5CXXXX01", 2013) == derive_prn(["91440101MA5CXXXX01"], seed=2013)[0]
    assert derive_prn(["91440101MA5CXXXX01", "E00"], seed=2013).tolist() == [
        prn_reference("91440101MA5CXXXX01", 2013),
        prn_reference("E00", 2013),
    ]


def test_numpy_unicode_arrays_hashed_by_their_text():
    # numpy arrays go through Arrow too; the reference is the plain-Python hash above
    texts = np.array(IDS + [f"9144{i}" for i in range(300)])
    assert prn_from_hash(id_hash(texts, seed=7)).tolist() == [prn_reference(t, 7) for t in texts.tolist()]
    uniform = np.array([f"91440101MA{i:08d}" for i in range(1000)])
    assert prn_from_hash(id_hash(uniform, seed=7)).tolist() == [prn_reference(t, 7) for t in uniform.tolist()]


def test_ids_hashed_by_their_text():
    a = derive_prn([1, 23, 4567], seed=5)
    b = derive_prn(["1", "23", "4567"], seed=5)
    c = derive_prn(pd.Series(["1", 23, "4567"], dtype=object), seed=5)
    assert a.tolist() == b.tolist() == c.tolist()


def test_series_index_kept_and_range():
    ids = pd.Series([f"E{i}" for i in range(5000)], index=np.arange(5000) * 3)
    p = derive_prn(ids, seed=11)
    assert p.index.equals(ids.index)
    assert ((p > 0) & (p < 1)).all()


def test_uniform_and_seed_dependent():
    ids = [f"91440101MA{i:08d}" for i in range(50_000)]
    p = derive_prn(ids, seed=1).to_numpy()
    q = derive_prn(ids, seed=2).to_numpy()
    # Kolmogorov-Smirnov against U(0, 1); the ids are fixed, so the p-value is too.
    assert stats.kstest(p, "uniform").pvalue > 0.001
    # Two seeds give (nearly) uncorrelated numbers.
    assert abs(np.corrcoef(p, q)[0, 1]) < 4 / np.sqrt(len(ids))
    assert len(np.unique(p)) == len(ids)


def test_prn_from_hash_extremes():
    # top 52 bits all 0 -> 0.5 / 2**52; all 1 -> (2**52 - 0.5) / 2**52: strictly inside (0, 1)
    p = prn_from_hash(np.array([0, 2**64 - 1], dtype=np.uint64))
    assert p.tolist() == [0.5 / 2**52, (2**52 - 0.5) / 2**52]
    assert 0 < p[0] and p[1] < 1


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True, "7"])
def test_bad_seed(seed):
    with pytest.raises(SelectionError, match="seed must be an integer"):
        derive_prn(["a"], seed=seed)


def test_missing_ids():
    with pytest.raises(SelectionError, match="2 enterprise ids are missing"):
        derive_prn(pd.Series(["a", None, np.nan]), seed=1)


def test_seed_from():
    assert seed_from(42)[0] == 42
    # a Generator draws one integer: the same generator state gives the same seed
    assert seed_from(np.random.default_rng(3))[0] == seed_from(np.random.default_rng(3))[0]
    with pytest.raises(SelectionError, match="random_state must be an int"):
        seed_from("x")


def test_frame_prn_column():
    frame = pd.DataFrame({"enterprise_id": ["a", "b"], "prn": [0.25, 0.75]})
    prn, seed = frame_prn(frame, 9)
    assert prn.tolist() == [0.25, 0.75] and seed is None
    frame2 = pd.DataFrame({"enterprise_id": ["a", "b"]})
    prn2, seed2 = frame_prn(frame2, 9)
    assert seed2 == 9 and prn2.tolist() == [prn_reference("a", 9), prn_reference("b", 9)]


@pytest.mark.parametrize("bad", [0.0, 1.0, np.nan, "x"])
def test_frame_prn_out_of_range(bad):
    frame = pd.DataFrame({"enterprise_id": ["a", "b"], "prn": pd.Series([0.5, bad], dtype=object)})
    with pytest.raises(SelectionError, match=r"1 prn values are not numbers strictly between 0 and 1: 'b'"):
        frame_prn(frame, 1)


@settings(max_examples=60, deadline=None)
@given(
    ids=st.lists(st.text(max_size=30), min_size=1, max_size=400),
    cut=st.integers(min_value=0, max_value=400),
    block=st.sampled_from([1, 3, 64, 1024]),
    threads=st.sampled_from([1, 2]),
)
def test_blocks_and_threads_do_not_change_hashes(ids, cut, block, threads):
    # Each id's hash depends only on its own bytes: hashing the list in blocks of any size, on
    # any number of threads, or in two pieces gives the plain-Python reference for every id.
    cut = min(cut, len(ids))
    expected = [prn_reference(t, 3) for t in ids]
    with pytest.MonkeyPatch.context() as patch, Workers(threads) as workers:
        patch.setattr(prn, "_BLOCK", block)
        patch.setattr(prn, "_PARALLEL_ROWS", 0)
        whole = prn_from_hash(id_hash(pd.Series(ids, dtype="str"), seed=3, workers=workers))
        pieces = np.concatenate(
            [prn_from_hash(id_hash(part, seed=3, workers=workers)) for part in (ids[:cut], ids[cut:]) if part]
        )
    assert whole.tolist() == pieces.tolist() == expected


def test_mixed_object_ids_keep_trailing_nul():
    # Objects that are not all str are hashed by their text, without numpy's unicode dtype
    # (which would turn "a\0" into "a").
    ids = pd.Series([7, "a\x00"], dtype=object)
    got = prn_from_hash(id_hash(ids, seed=3)).tolist()
    assert got == [prn_reference("7", 3), prn_reference("a\x00", 3)]
    assert got[1] != prn_reference("a", 3)


@pytest.mark.parametrize("length", [0, 1, 7, 8, 9, 18, 40])
def test_fixed_length_ids_across_blocks_and_chunks(monkeypatch, length):
    # Ids of one length are read as strided words straight from Arrow's buffer; the last rows
    # of each chunk (whose last word would run past the buffer) take the other path.
    import pyarrow as pa

    monkeypatch.setattr(prn, "_BLOCK", 5)
    ids = [f"{i:0{length}d}"[-length:] if length else "" for i in range(23)]
    chunked = pa.chunked_array([ids[:11], ids[11:]], type=pa.large_string())
    got = prn_from_hash(id_hash(pd.Series(pd.arrays.ArrowExtensionArray(chunked)), seed=9))
    assert got.tolist() == [prn_reference(t, 9) for t in ids]
