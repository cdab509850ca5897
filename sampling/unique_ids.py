"""Duplicate enterprise ids, found through the 64-bit hashes of their text.

Sorting ten million 64-bit integers is much faster than a hash table of ten million strings;
only the rows whose hash occurs more than once are then compared as text, so hash collisions
never make a false duplicate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["duplicated_ids", "repeated_hashes"]


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
