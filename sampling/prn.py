"""Permanent random numbers (PRNs): one fixed uniform number per enterprise.

Selecting the enterprises with the smallest PRNs (or the smallest PRN-based ranking keys of
Pareto and sequential Poisson sampling) in each cell gives *positive coordination*: next year's
draw from an updated frame, with the same PRNs, keeps as much of this year's sample as the
design allows.

A frame may carry its own ``prn`` column (numbers in the open interval (0, 1)). Otherwise
:func:`derive_prn` computes them from the enterprise id and a seed, identically on every
machine, platform and numpy version, because it only uses exact 64-bit unsigned integer
arithmetic (wrap-around modulo 2**64) and an exact conversion to float. With
``splitmix64(x)`` the first output of Steele, Lea and Flood's SplitMix64 generator seeded
with ``x`` (``x + 0x9e3779b97f4a7c15`` through its avalanche finaliser):

1. ``b`` = the UTF-8 bytes of ``str(enterprise_id)``, ``L = len(b)``; an id is hashed by its
   text, so the integer 123 and the string "123" get the same PRN;
2. ``b`` padded with zero bytes to a multiple of 8 and read as little-endian 64-bit words
   ``w_1 ... w_m``;
3. ``h = splitmix64(seed)``, then ``h = splitmix64(h XOR w_i)`` for each word, then
   ``z = splitmix64(h XOR L)``;
4. ``prn = ((z >> 12) + 0.5) / 2**52``: the top 52 bits as a float strictly inside (0, 1)
   (52, not 53: ``2**53 - 0.5`` would round up to ``2**53``, making a PRN of exactly 1).

The hash is vectorised over ids (one numpy pass per 8-byte word, reading Arrow string buffers
directly), so ten million ids take well under a second.

References
----------
Steele, G. L., Lea, D., Flood, C. H. (2014). Fast splittable pseudorandom number generators.
OOPSLA 2014, 453-472.

Ohlsson, E. (1995). Coordination of samples using permanent random numbers. In Cox, B. G. et
al. (eds), Business Survey Methods, Wiley, 153-169.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from basis.arrow import text_pieces
from basis.threads import Workers
from sampling.exceptions import SelectionError

__all__ = ["FramePrns", "derive_prn", "frame_prn", "id_hash", "prn_from_hash", "seed_from"]

# 0-d arrays rather than numpy scalars: less overhead per ufunc call on a block.
_GOLDEN = np.array(0x9E3779B97F4A7C15, dtype=np.uint64)
_MIX1 = np.array(0xBF58476D1CE4E5B9, dtype=np.uint64)
_MIX2 = np.array(0x94D049BB133111EB, dtype=np.uint64)
_S30, _S27, _S31 = (np.array(s, dtype=np.uint64) for s in (30, 27, 31))
# _MASKS[r] keeps the low r bytes of a word (r = 0..8).
_MASKS = np.array([(1 << (8 * r)) - 1 for r in range(9)], dtype=np.uint64)
_SEED_BOUND = 2**63
# Rows per block: a block's two working arrays (512 KiB each) and its bytes stay in a core's L2.
_BLOCK = 65536
# More than _PARALLEL_ROWS rows go block by block to the caller's workers (numpy's ufuncs
# release the GIL). Each row's hash depends only on its own bytes, so neither the block size nor
# the number of threads changes any result.
_PARALLEL_ROWS = 200_000
_scratch = threading.local()  # each thread's _Scratch, reused from block to block


def _mix(g: np.ndarray, t: np.ndarray, out: np.ndarray | None = None) -> None:
    """SplitMix64 of each state in ``g``, in place (or into ``out``), using ``t`` as scratch."""
    add, xor, mul, shift = np.add, np.bitwise_xor, np.multiply, np.right_shift
    add(g, _GOLDEN, g)
    shift(g, _S30, t)
    xor(g, t, g)
    mul(g, _MIX1, g)
    shift(g, _S27, t)
    xor(g, t, g)
    mul(g, _MIX2, g)
    shift(g, _S31, t)
    xor(g, t, g if out is None else out)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """First SplitMix64 output for each uint64 state in ``x`` (arrays only: no overflow warnings)."""
    z = np.array(x, dtype=np.uint64, ndmin=1)
    _mix(z, np.empty_like(z))
    return z


class _Scratch:
    """One thread's working arrays, reused from block to block."""

    def __init__(self) -> None:
        self.g = np.empty(_BLOCK, dtype=np.uint64)
        self.t = np.empty(_BLOCK, dtype=np.uint64)
        self.w = np.empty(_BLOCK, dtype=np.uint64)
        self.lengths = np.empty(_BLOCK, dtype=np.int64)
        self.changes = np.empty(_BLOCK, dtype=bool)
        self.bytes = np.zeros(0, dtype=np.uint8)

    def padded(self, segment: np.ndarray, extra: int) -> np.ndarray:
        """``segment`` followed by ``extra`` zero bytes, in a reused buffer."""
        size = len(segment) + extra
        if len(self.bytes) < size:
            self.bytes = np.empty(max(size, 2 * len(self.bytes)), dtype=np.uint8)
        buf = self.bytes[:size]
        buf[: len(segment)] = segment
        buf[len(segment) :] = 0
        return buf


def _fixed_block(
    data: np.ndarray, offset: int, length: int, h0: np.uint64, out: np.ndarray, s: _Scratch
) -> None:
    """Hashes of ``len(out)`` consecutive strings of ``length`` bytes from ``data[offset]`` on.

    Word ``k`` of every row is one strided little-endian uint64 view of ``data``; the bytes
    past a row's end in its last word (the next row's) are masked off. The caller makes sure
    that the last row's last word lies inside ``data``.
    """
    b = len(out)
    g, t = s.g[:b], s.t[:b]
    if length == 0:
        g.fill(h0)
    for k in range(-(-length // 8)):
        word = np.ndarray((b,), dtype="<u8", buffer=data, offset=offset + 8 * k, strides=(length,))
        if length - 8 * k < 8:
            word = np.bitwise_and(word, _MASKS[length - 8 * k], out=t)
        if k == 0:
            _first_words(word, h0, g, s)
        else:
            np.bitwise_xor(g, word, out=g)
            _mix(g, t)
    np.bitwise_xor(g, np.uint64(length), out=g)
    _mix(g, t, out)


def _first_words(word: np.ndarray, h0: np.uint64, g: np.ndarray, s: _Scratch) -> None:
    """``g = splitmix64(h0 ^ word)``, once per run of equal words when there are few runs.

    Ids sorted by their text share their first 8 bytes over long runs (for a 统一社会信用代码,
    the registering authority, the kind of entity and the county code), and all rows of a run
    then have the same state after the first word.
    """
    b = len(g)
    t, w = s.t[:b], s.w[:b]
    sample = word[:: max(b // 16, 1)]
    if b < 1024 or np.count_nonzero(sample[1:] != sample[:-1]) > 4:
        np.bitwise_xor(word, h0, out=g)
        _mix(g, t)
        return
    np.copyto(w, word)
    changes = np.not_equal(w[1:], w[:-1], out=s.changes[: b - 1])
    if np.count_nonzero(changes) > 64:
        np.bitwise_xor(w, h0, out=g)
        _mix(g, t)
        return
    bounds = [0, *(np.flatnonzero(changes) + 1).tolist(), b]
    states = _splitmix64(w[bounds[:-1]] ^ h0)
    for begin, end, state in zip(bounds[:-1], bounds[1:], states):
        g[begin:end] = state


def _variable_block(
    data: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    h0: np.uint64,
    out: np.ndarray,
    s: _Scratch,
) -> None:
    """Hashes of the strings ``data[starts[i] : starts[i] + lengths[i]]`` (``starts`` ascending)."""
    b = len(out)
    g, t, w = s.g[:b], s.t[:b], s.w[:b]
    g.fill(h0)
    first = int(starts[0])
    width = -(-int(lengths.max()) // 8)
    shortest = int(lengths.min())
    # The block's bytes, then zeros so that every row's word k (k < width) can be read whole.
    buf = s.padded(data[first : int(starts[-1] + lengths[-1])], 8 * width + 8)
    words = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    at = starts - first
    for k in range(width):
        w[:] = words[at]  # (faster than np.take from this unaligned view)
        left = lengths - 8 * k
        if shortest - 8 * k < 8:
            np.bitwise_and(w, _MASKS[np.clip(left, 0, 8)], out=w)
        np.bitwise_xor(w, g, out=w)
        _mix(w, t)
        if shortest > 8 * k:
            g, w = w, g
        else:
            np.copyto(g, w, where=left > 0)
        at += 8
    np.bitwise_xor(g, lengths.astype(np.uint64), out=g)
    _mix(g, t, out)


def _hash_block(data: np.ndarray, offsets: np.ndarray, h0: np.uint64, out: np.ndarray, s: _Scratch) -> None:
    """Hashes of ``len(out)`` consecutive strings with the ``len(out) + 1`` ``offsets`` into
    ``data``; when these strings are all of one length (and the last one's last word can be
    read whole), the words are read straight from ``data``.
    """
    b = len(out)
    first, length = int(offsets[0]), int(offsets[1] - offsets[0])
    lengths = np.subtract(offsets[1:], offsets[:-1], out=s.lengths[:b])
    starts = offsets[:-1]
    if bool((lengths == length).all()):
        # Rows whose last word ends inside ``data``; the few others (at its end) are copied.
        room = len(data) - first - 8 * -(-length // 8)
        safe = b if length == 0 else min(b, room // length + 1) if room >= 0 else 0
        if safe:
            _fixed_block(data, first, length, h0, out[:safe], s)
        if safe == b:
            return
        starts, lengths, out = starts[safe:], lengths[safe:], out[safe:]
    _variable_block(data, starts, lengths, h0, out, s)


def _hash_strings(pieces: list[tuple[np.ndarray, np.ndarray]], seed: int, workers: Workers) -> np.ndarray:
    """The id hash of the strings of each ``(data, offsets)`` piece, in order.

    A piece holds the strings ``data[offsets[i] : offsets[i + 1]]``. Rows go in blocks of
    ``_BLOCK`` to ``workers`` when there are more than ``_PARALLEL_ROWS`` of them.
    """
    sizes = [len(offsets) - 1 for _, offsets in pieces]
    h = np.empty(sum(sizes), dtype=np.uint64)
    h0 = _splitmix64(np.array([seed], dtype=np.uint64))[0]
    tasks = []
    begin = 0
    for (data, offsets), size in zip(pieces, sizes):
        for a in range(0, size, _BLOCK):
            z = min(a + _BLOCK, size)
            tasks.append((data, offsets[a : z + 1], h[begin + a : begin + z]))
        begin += size

    def run(task: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        scratch = getattr(_scratch, "value", None)
        if scratch is None or len(scratch.g) != _BLOCK:
            scratch = _scratch.value = _Scratch()
        data, offsets, out = task
        _hash_block(data, offsets, h0, out, scratch)

    if len(h) > _PARALLEL_ROWS:
        workers.map(run, tasks)
    else:
        for task in tasks:
            run(task)
    return h


def id_hash(ids: Any, *, seed: int = 0, workers: Workers | None = None) -> np.ndarray:
    """The 64-bit hash ``z`` of step 3 of the module docstring for each id.

    Missing ids are an error. Reads the bytes straight from pyarrow's string buffers; big
    columns are hashed in blocks on ``workers``.
    """
    seed = _check_seed(seed)
    workers = workers or Workers(1)
    if not isinstance(ids, (pd.Series, pd.Index, np.ndarray)):
        ids = pd.Series(list(ids), dtype=object)
    missing = pd.isna(ids)
    if missing.any():
        raise SelectionError(f"{int(missing.sum())} enterprise ids are missing")
    if pd.api.types.is_string_dtype(ids.dtype):
        try:
            return _hash_strings(text_pieces(ids), seed, workers)
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # objects that are not all str
            pass
    return _hash_strings(text_pieces(_as_text(ids)), seed, workers)


def _as_text(values: Any) -> np.ndarray:
    """The ids as text: integers as their decimal text, other objects through ``str``."""
    values = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    if values.dtype.kind in "Uiub":
        return values.astype(str)
    # not through numpy's unicode dtype, which drops trailing NUL characters
    return np.array([str(v) for v in values.tolist()], dtype=object)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < 2**64:
        raise SelectionError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    return int(seed)


def derive_prn(ids: Iterable[Any] | pd.Series, *, seed: int, workers: int | None = None) -> pd.Series:
    """Permanent random numbers derived from enterprise ids and a seed.

    Parameters
    ----------
    ids : Series or iterable
        Enterprise ids (统一社会信用代码 or any text / integer id); hashed by their text.
    seed : int
        An integer in ``[0, 2**64)``. Keep it from year to year (or store the PRNs in the
        frame's ``prn`` column) to coordinate the samples.
    workers : int or None
        Threads for hashing a big column (None: up to 4, see :mod:`basis.threads`); 1 runs
        serially. The numbers do not depend on it.

    Returns
    -------
    Series
        Floats strictly inside (0, 1), named ``prn``, on the index of ``ids`` when it is a Series.
        The algorithm (SplitMix64 over the id's UTF-8 bytes, top 52 bits) is given in the module
        docstring.

    Examples
    --------
    >>> from sampling import derive_prn
    >>> p = derive_prn(["91440101MA5CXXXX01", "91440101MA5CXXXX02"], seed=2013)
    >>> bool(((p > 0) & (p < 1)).all()), p.name
    (True, 'prn')
    >>> bool((derive_prn([123], seed=7) == derive_prn(["123"], seed=7)).all())
    True

    References
    ----------
    Ohlsson, E. (1995). Coordination of samples using permanent random numbers. Business Survey
    Methods, Wiley, 153-169.
    """
    seed = _check_seed(seed)
    index = ids.index if isinstance(ids, pd.Series) else None
    with Workers(workers) as pool:
        hashes = id_hash(ids, seed=seed, workers=pool)
    return pd.Series(prn_from_hash(hashes), index=index, name="prn")


def prn_from_hash(z: np.ndarray) -> np.ndarray:
    """Step 4 of the module docstring: the top 52 bits of each hash as a float in (0, 1)."""
    return ((z >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52


def seed_from(random_state: int | np.random.Generator | None) -> tuple[int, np.random.Generator]:
    """A PRN seed and a generator from ``random_state``.

    An int is the seed itself (and seeds the generator); a Generator draws one integer in
    ``[0, 2**63)``; None draws fresh entropy (a result that cannot be repeated).
    """
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, _SEED_BOUND)), random_state
    if random_state is None:
        rng = np.random.default_rng()
        return int(rng.integers(0, _SEED_BOUND)), rng
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise SelectionError(f"random_state must be an int, a numpy Generator or None, got {random_state!r}")
    seed = _check_seed(random_state)
    return seed, np.random.default_rng(seed)


def frame_prn(
    frame: pd.DataFrame, seed: int, hashes: np.ndarray | None = None
) -> tuple[np.ndarray, int | None]:
    """The frame's PRNs (its ``prn`` column if present, else derived) and the seed used.

    Returns ``(prn, None)`` when the frame has a ``prn`` column, which must hold numbers
    strictly inside (0, 1). ``hashes`` are the ids' :func:`id_hash` with this seed, if already
    computed.
    """
    if "prn" in frame.columns:
        prn = pd.to_numeric(frame["prn"], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~((prn > 0) & (prn < 1))
        if bad.any():
            rows = np.flatnonzero(bad)[:10]
            shown = ", ".join(
                f"{frame['enterprise_id'].iloc[r]!r} (prn {frame['prn'].iloc[r]!r})" for r in rows
            )
            raise SelectionError(
                f"{int(bad.sum())} prn values are not numbers strictly between 0 and 1: {shown}"
            )
        return prn, None
    if hashes is None:
        hashes = id_hash(frame["enterprise_id"], seed=seed)
    return prn_from_hash(hashes), seed


class FramePrns:
    """The frame's PRNs, worked out only for the rows asked: its ``prn`` column, or else
    derived from the ids' hashes (then ``seed`` is the seed used, else None)."""

    def __init__(self, frame: pd.DataFrame, seed: int, hashes: np.ndarray) -> None:
        self.column, self.seed = frame_prn(frame, seed) if "prn" in frame.columns else (None, seed)
        self.hashes = hashes

    def at(self, rows: np.ndarray) -> np.ndarray:
        return self.column[rows] if self.column is not None else prn_from_hash(self.hashes[rows])

    def keys_below(self, bound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """An array ``key`` and limits ``limit`` such that ``key <= limit[c]`` keeps, in cell
        ``c``, the rows of PRN below about ``bound[c]`` (exactly a set of smallest PRNs).

        From the hashes, ``prn < b`` is tested as ``z >> 12 < floor(b 2**52)``, which keeps or
        drops all hashes of one PRN together, without converting every hash to a float.
        """
        if self.column is not None:
            return self.column, np.nextafter(bound, -np.inf)
        top = np.floor(np.clip(bound, 0.0, 1.0) * 2.0**52).astype(np.uint64)
        with np.errstate(over="ignore"):
            limit = (top << np.uint64(12)) - np.uint64(1)  # top = 2**52 wraps to 2**64 - 1
        return self.hashes, np.where(top > 0, limit, np.uint64(0))
