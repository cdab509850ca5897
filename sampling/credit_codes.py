"""The unified social credit code (统一社会信用代码) and its check character, GB 32100-2015.

A code has 18 characters over a 31-character alphabet (the digits and the capital letters
without I, O, S, V, Z): the registration authority, the kind of unit, the 6-digit
administrative division, the 9-character organisation code and a check character. With
``c_i`` the alphabet position of character i (i = 1 .. 17) and the weights
``W_i = 3^(i-1) mod 31`` (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), the
check character is the one at position ``31 - (sum c_i W_i mod 31)``, read as 0 when that is
31.

A register id of 18 letters and digits is taken for such a code; one whose check character is
wrong is almost surely mistyped (a letter O for a zero, two characters swapped), which is why
:func:`sampling.validate_frame` warns about it (:class:`~sampling.exceptions.CreditCodeWarning`).

References
----------
GB 32100-2015 法人和其他组织统一社会信用代码编码规则 (国家质量监督检验检疫总局, 国家标准化管理委员会).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from basis.arrow import text_buffers
from basis.threads import Workers

__all__ = ["ALPHABET", "LENGTH", "WEIGHTS", "check_character", "credit_code_problems"]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of a code, in the order of their values 0-30."""

LENGTH = 18
"""Characters in a code."""

WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(LENGTH - 1))
"""Weights of characters 1-17 in the check sum."""

# Per byte: its value 0-30 in the alphabet (either letter case) and a flag: 1 for the other
# letters (I, O, S, V, Z), 2 for anything that is not an ASCII letter or digit.
_VALUE = np.zeros(256, dtype=np.uint32)
_FLAG = np.full(256, 2, dtype=np.uint32)
for _letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _FLAG[ord(_letter)] = _FLAG[ord(_letter.lower())] = 1
for _position, _char in enumerate(ALPHABET):
    _VALUE[ord(_char)] = _VALUE[ord(_char.lower())] = _position
    _FLAG[ord(_char)] = _FLAG[ord(_char.lower())] = 0


def _pair_tables() -> np.ndarray:
    """One table per pair of positions (0-1, 2-3, ..., 16-17), indexed by the pair's two bytes
    read as a little-endian 16-bit number, so that a code is checked with 9 look-ups and sums.

    An entry holds, in bits 0-15, the two characters' values times their weights; in bits
    16-19 and 20-23, how many of them are other letters and not letters or digits; for the
    last pair, in bits 24-28, the value of the check character (which has no weight).
    """
    low = np.tile(np.arange(256), 256)
    high = np.repeat(np.arange(256), 256)
    tables = np.empty((LENGTH // 2, 1 << 16), dtype=np.uint32)
    for p in range(LENGTH // 2):
        counts = (((_FLAG[low] == 1).astype(np.uint32) + (_FLAG[high] == 1)) << 16) | (
            ((_FLAG[low] == 2).astype(np.uint32) + (_FLAG[high] == 2)) << 20
        )
        weighted = _VALUE[low] * WEIGHTS[2 * p]
        if 2 * p + 1 < LENGTH - 1:
            weighted = weighted + _VALUE[high] * WEIGHTS[2 * p + 1]
            tables[p] = weighted | counts
        else:
            tables[p] = weighted | counts | (_VALUE[high] << 24)
    return tables


_PAIRS = _pair_tables()


_REASONS = np.array(
    ["a character outside the code's alphabet (no I, O, S, V, Z)"]
    + [f"check character should be {c!r}" for c in ALPHABET],
    dtype=object,
)


def check_character(code: str) -> str:
    """The check character of a code, from its first 17 characters.

    Raises
    ------
    ValueError
        When the code has fewer than 17 characters or one of them is not in :data:`ALPHABET`.

    Examples
    --------
    >>> from sampling.credit_codes import check_character
    >>> check_character("91440300192203821")  # 华为技术有限公司, 914403001922038216
    '6'
    """
    head = code[: LENGTH - 1].upper()
    wrong = [c for c in head if c not in ALPHABET]
    if len(head) < LENGTH - 1 or wrong:
        raise ValueError(
            f"{code!r} is not the start of a credit code (GB 32100-2015): {wrong or 'too short'}"
        )
    total = sum(ALPHABET.index(c) * w for c, w in zip(head, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problems(ids: pd.Series, *, workers: Workers | None = None) -> pd.DataFrame:
    """Ids of 18 ASCII letters and digits that are not valid credit codes.

    Parameters
    ----------
    ids : Series
        Text ids (already stripped); other lengths and other characters are not checked.
    workers : Workers, optional
        Threads for slices of the rows.

    Returns
    -------
    DataFrame
        ``row`` (the index label), ``value``, ``reason`` (a character outside the alphabet, or
        the check character the code should have), one row per failing id.

    Examples
    --------
    >>> import pandas as pd
    >>> from sampling.credit_codes import credit_code_problems
    >>> ids = pd.Series(["914403001922038216", "914403001922038215", "A1"], index=[2, 3, 4])
    >>> credit_code_problems(ids)[["row", "reason"]].values.tolist()
    [[3, "check character should be '6'"]]
    """
    codes = _code_matrix(ids)
    if codes is None:
        return pd.DataFrame(columns=["row", "value", "reason"])
    rows, matrix = codes
    problem = np.zeros(len(rows), dtype=np.int8)  # 1 outside the alphabet, 2 wrong check
    expected = np.zeros(len(rows), dtype=np.int8)

    pairs = matrix.view("<u2")  # n x 9: two bytes per look-up

    def check(part: slice) -> None:
        block = pairs[part]
        total = _PAIRS[0][block[:, 0]]
        for k in range(1, LENGTH // 2):
            total += _PAIRS[k][block[:, k]]
        check_value = ((31 - (total & 0xFFFF) % 31) % 31).astype(np.int8)
        looks = (total >> 20) & 0xF == 0
        outside = (total >> 16) & 0xF > 0
        wrong = looks & ~outside & ((total >> 24) != check_value)
        problem[part] = np.where(looks & outside, 1, np.where(wrong, 2, 0))
        expected[part] = check_value

    (workers or Workers(1)).map_rows(check, len(rows))
    bad = np.flatnonzero(problem)
    reasons = _REASONS[np.where(problem[bad] == 1, 0, 1 + expected[bad].astype(np.int64))]
    at = rows[bad]
    return pd.DataFrame(
        {"row": ids.index[at], "value": ids.iloc[at].to_numpy(dtype=object), "reason": reasons}
    )


def _code_matrix(ids: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(positions, n x 18 byte matrix) of the ids that are 18 bytes long, or None if none is.

    Arrow text is read from its buffer (a view when every id has 18 bytes, as in registers of
    credit codes); other storage goes through Python strings.
    """
    buffers = text_buffers(ids)
    if buffers is None:
        text = ids.astype(object)
        lengths = text.map(lambda v: len(v.encode()) if isinstance(v, str) else -1).to_numpy()
        rows = np.flatnonzero(lengths == LENGTH)
        if not len(rows):
            return None
        joined = "".join(text.iloc[rows].tolist()).encode()
        return rows, np.frombuffer(joined, dtype=np.uint8).reshape(len(rows), LENGTH)
    offsets, data, valid = buffers
    lengths = np.diff(offsets)
    fixed = lengths == LENGTH
    fixed &= valid
    if fixed.all() and len(fixed) and offsets[-1] - offsets[0] == LENGTH * len(fixed):
        rows = np.arange(len(fixed))
        return rows, data[offsets[0] : offsets[-1]].reshape(len(fixed), LENGTH)
    rows = np.flatnonzero(fixed)
    if not len(rows):
        return None
    return rows, data[offsets[rows][:, None] + np.arange(LENGTH)]
