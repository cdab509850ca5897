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
directly when pyarrow is installed), so ten million ids take well under a second.

References
----------
Steele, G. L., Lea, D., Flood, C. H. (2014). Fast splittable pseudorandom number generators.
OOPSLA 2014, 453-472.

Ohlsson, E. (1995). Coordination of samples using permanent random numbers. In Cox, B. G. et
al. (eds), Business Survey Methods, Wiley, 153-169.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from sampling.exceptions import SelectionError

__all__ = ["derive_prn", "frame_prn", "id_hash", "prn_from_hash", "seed_from"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SEED_BOUND = 2**63
_BLOCK = 65536


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """First SplitMix64 output for each uint64 state in ``x`` (arrays only: no overflow warnings)."""
    z = np.asarray(x, dtype=np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def _hash_rows(n: int, lengths: np.ndarray, block: Any, seed: int) -> np.ndarray:
    """Steps 2 and 3 of the module docstring for ``n`` byte strings.

    ``block(rows, width)`` returns the bytes of the strings in the slice ``rows`` as a uint8
    matrix of ``width`` columns, zero past each string's end. Blocks of rows keep the working
    arrays in cache.
    """
    h = np.empty(n, dtype=np.uint64)
    h0 = _splitmix64(np.array([seed], dtype=np.uint64))[0]
    width = -(-int(lengths.max()) // 8) if n else 0
    uniform = n > 0 and bool((lengths == lengths[0]).all())
    words = -(-lengths // 8)
    for begin in range(0, n, _BLOCK):
        rows = slice(begin, min(begin + _BLOCK, n))
        w = np.ascontiguousarray(block(rows, width * 8), dtype=np.uint8).view("<u8")
        g = np.full(rows.stop - rows.start, h0, dtype=np.uint64)
        for k in range(width):
            mixed = _splitmix64(g ^ w[:, k])
            g = mixed if uniform else np.where(k < words[rows], mixed, g)
        h[rows] = _splitmix64(g ^ lengths[rows].astype(np.uint64))
    return h


def _hash_numpy(texts: np.ndarray, seed: int) -> np.ndarray:
    """The id hash from a numpy unicode array (used when pyarrow is not installed)."""
    n = len(texts)
    if n == 0 or texts.dtype.itemsize == 0:
        return _hash_rows(n, np.zeros(n, dtype=np.int64), None, seed)
    codes = texts.view(np.uint32).reshape(n, -1)
    ascii_rows = (codes < 128).all(axis=1)
    if ascii_rows.all():  # code points are the UTF-8 bytes
        lengths = np.char.str_len(texts).astype(np.int64)
        return _hash_rows(n, lengths, lambda rows, width: _pad(codes[rows], width), seed)
    h = np.empty(n, dtype=np.uint64)
    h[ascii_rows] = _hash_numpy(texts[ascii_rows], seed)
    encoded = [text.encode("utf-8") for text in texts[~ascii_rows].tolist()]
    lengths = np.array([len(b) for b in encoded], dtype=np.int64)
    raw = np.frombuffer(b"".join(b.ljust(int(lengths.max()), b"\0") for b in encoded), np.uint8)
    raw = raw.reshape(len(encoded), -1)
    h[~ascii_rows] = _hash_rows(
        len(encoded), lengths, lambda rows, width: _pad(raw[rows], width), seed
    )
    return h


def _hash_arrow(values: Any, seed: int) -> np.ndarray:
    """The id hash read straight from Arrow string buffers (no Python string objects)."""
    import pyarrow as pa

    arr = pa.array(values, type=pa.large_string())
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    parts = [_hash_arrow_chunk(chunk, seed) for chunk in chunks if len(chunk)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _hash_arrow_chunk(arr: Any, seed: int) -> np.ndarray:
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    buffer = arr.buffers()[2]
    data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    starts = offsets[:-1]
    lengths = np.diff(offsets)
    if (lengths == lengths[0]).all() and lengths[0] > 0:
        matrix = data[starts[0] : starts[0] + n * lengths[0]].reshape(n, lengths[0])
        return _hash_rows(n, lengths, lambda rows, width: _pad(matrix[rows], width), seed)
    padded = np.concatenate([data, np.zeros(1, np.uint8)])

    def block(rows: slice, width: int) -> np.ndarray:
        j = np.arange(width)
        inside = j < lengths[rows, None]
        return padded[np.where(inside, starts[rows, None] + j, len(data))]

    return _hash_rows(n, lengths, block, seed)


def _pad(matrix: np.ndarray, width: int) -> np.ndarray:
    """Bytes (or ASCII code points) padded with zero columns to ``width``."""
    out = np.zeros((matrix.shape[0], width), dtype=np.uint8)
    out[:, : matrix.shape[1]] = matrix
    return out


def id_hash(ids: Any, *, seed: int = 0) -> np.ndarray:
    """The 64-bit hash ``z`` of step 3 of the module docstring for each id.

    Missing ids are an error. Uses pyarrow's string buffers when pyarrow is installed (the
    fast path for ten million ids) and numpy unicode arrays otherwise; both give the same hashes.
    """
    seed = _check_seed(seed)
    if not isinstance(ids, (pd.Series, pd.Index, np.ndarray)):
        ids = pd.Series(list(ids), dtype=object)
    missing = pd.isna(ids)
    if missing.any():
        raise SelectionError(f"{int(missing.sum())} enterprise ids are missing")
    try:
        import pyarrow as pa
    except ImportError:
        return _hash_numpy(_as_text(ids), seed)
    if pd.api.types.is_string_dtype(ids.dtype):
        try:
            return _hash_arrow(ids, seed)
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # objects that are not all str
            pass
    return _hash_arrow(_as_text(ids), seed)


def _as_text(values: Any) -> np.ndarray:
    values = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    # numpy converts object elements with str(), integers to their decimal text.
    return values if values.dtype.kind == "U" else values.astype(str)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < 2**64:
        raise SelectionError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    return int(seed)


def derive_prn(ids: Iterable[Any] | pd.Series, *, seed: int) -> pd.Series:
    """Permanent random numbers derived from enterprise ids and a seed.

    Parameters
    ----------
    ids : Series or iterable
        Enterprise ids (统一社会信用代码 or any text / integer id); hashed by their text.
    seed : int
        An integer in ``[0, 2**64)``. Keep it from year to year (or store the PRNs in the
        frame's ``prn`` column) to coordinate the samples.

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
    return pd.Series(prn_from_hash(id_hash(ids, seed=seed)), index=index, name="prn")


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
        raise SelectionError(
            f"random_state must be an int, a numpy Generator or None, got {random_state!r}"
        )
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
