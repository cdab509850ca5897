"""Duplicate enterprise ids: the same id however it is written, found through 64-bit hashes.

Two ids are the same enterprise when they agree after Unicode normalisation
(:func:`comparison_keys`): NFKC (full-width digits and letters, as typed with a Chinese input
method, become ASCII), invisible characters removed (zero-width spaces, byte-order marks, soft
hyphens, control characters), surrounding spaces removed, and the letters of an 18-character
code (a 统一社会信用代码, whose letters are capitals) case-folded. Ids that are plain ASCII
are their own keys, so a register of well-typed ids costs one pass over its bytes.

Sorting ten million 64-bit integers is much faster than a hash table of ten million strings;
only the rows whose hash occurs more than once are then compared as text, so hash collisions
never make a false duplicate.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from basis.arrow import array_buffers, arrow_text

__all__ = ["comparison_key", "comparison_keys", "duplicate_pairs", "duplicated_ids", "repeated_hashes"]

_CODE_LENGTH = 18  # a unified social credit code (GB 32100-2015)


def comparison_key(text: str) -> str:
    """An id as it is compared: NFKC, invisible characters and surrounding spaces removed,
    letters upper-cased in an 18-character code of letters and digits.

    Examples
    --------
    >>> from sampling.unique_ids import comparison_key
    >>> comparison_key("９１４４０３００１９２２０３８２１６")  # full-width digits
    '914403001922038216'
    >>> comparison_key("91440101ma5cxxxx0\\u200b1")  # lower case and a zero-width space
    '91440101MA5CXXXX01'
    """
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc")).strip()
    if len(text) == _CODE_LENGTH and text.isascii() and text.isalnum():
        text = text.upper()
    return text


def comparison_keys(ids: pd.Series) -> pd.Series | None:
    """:func:`comparison_key` of every id, or None when each id is already its own key.

    Only the ids that are not plain printable ASCII (and 18-character ids with lower-case
    letters) are normalised one by one; for Arrow text the common case is decided from the
    smallest and largest byte of the column's buffer. Missing values stay missing.
    """
    array = arrow_text(ids)
    if array is None:
        try:
            array = pa.chunked_array([pa.array(ids.to_numpy(dtype=object), type=pa.large_string())])
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # not all text: compare the text of each
            array = pa.chunked_array([pa.array([None if pd.isna(v) else str(v) for v in ids])])
    if all(_plain_bytes(chunk) for chunk in array.chunks):
        return None
    chunk = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    plain = pc.and_(pc.string_is_ascii(chunk), pc.ascii_is_alnum(chunk))
    code = pc.equal(pc.binary_length(chunk), _CODE_LENGTH)
    lower = pc.not_equal(chunk, pc.ascii_upper(chunk))
    needs = pc.or_(pc.invert(plain), pc.and_(code, lower)).fill_null(False)
    rows = np.flatnonzero(np.asarray(needs.to_numpy(zero_copy_only=False), dtype=bool))
    written = chunk.take(pa.array(rows)).to_pylist()
    changed = [comparison_key(v) for v in written]
    if changed == written:
        return None
    keys = np.asarray(chunk.to_numpy(zero_copy_only=False), dtype=object).copy()
    keys[rows] = changed
    return pd.Series(keys, index=ids.index, dtype=object)


def _plain_bytes(chunk: pa.Array) -> bool:
    """True when every byte of the chunk's strings is printable ASCII other than a space, a
    lower-case letter or one of {|}~ (bytes 33-96): then each id is its own key."""
    offsets, data, _ = array_buffers(chunk)
    used = data[offsets[0] : offsets[-1]] if len(chunk) else data[:0]
    return not len(used) or bool(used.min() > 0x20 and used.max() < 0x61)


def repeated_hashes(hashes: np.ndarray) -> np.ndarray:
    """The values occurring more than once in ``hashes`` (sorted, one entry per extra copy)."""
    ordered = np.sort(hashes)
    return ordered[1:][ordered[1:] == ordered[:-1]]


def duplicated_ids(ids: pd.Series, hashes: np.ndarray, repeated: np.ndarray) -> np.ndarray:
    """``ids.duplicated(keep=False)`` as a boolean array, given each id's hash (equal ids,
    equal hashes) and :func:`repeated_hashes` of them."""
    out = np.zeros(len(ids), dtype=bool)
    if len(repeated):
        candidates = np.flatnonzero(np.isin(hashes, repeated))
        out[candidates] = ids.iloc[candidates].duplicated(keep=False).to_numpy()
    return out


def duplicate_pairs(ids: pd.Series, keys: pd.Series | None, duplicated: np.ndarray) -> pd.DataFrame:
    """For each duplicated row, the other row it repeats and how each is written.

    Parameters
    ----------
    ids : Series
        The ids as written (index: the rows as the user sees them).
    keys : Series or None
        Their :func:`comparison_keys` (None: the ids themselves).
    duplicated : array of bool
        The rows whose key occurs more than once.

    Returns
    -------
    DataFrame
        ``row, value, other_row, other_value``: each duplicated row with the first other row of
        the same key (for the first row of a key, the second).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sampling.unique_ids import comparison_keys, duplicate_pairs
    >>> ids = pd.Series(["A1", "Ａ1", "B2"], index=[2, 3, 4])
    >>> keys = comparison_keys(ids)
    >>> duplicate_pairs(ids, keys, np.array([True, True, False])).values.tolist()
    [[2, 'A1', 3, 'Ａ1'], [3, 'Ａ1', 2, 'A1']]
    """
    rows = np.flatnonzero(duplicated)
    key = (keys if keys is not None else ids).iloc[rows].to_numpy(dtype=object)
    order = pd.Series(np.arange(len(rows))).groupby(key, sort=False)
    first = order.transform("first").to_numpy()
    second = order.transform(lambda g: g.iloc[1] if len(g) > 1 else g.iloc[0]).to_numpy()
    other = np.where(first == np.arange(len(rows)), second, first)
    written = ids.iloc[rows].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "row": ids.index[rows],
            "value": written,
            "other_row": ids.index[rows[other]],
            "other_value": written[other],
        }
    )
