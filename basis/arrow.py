"""Arrow-backed text columns: detecting them and reading their buffers, through public API only.

pandas 3 stores text in pyarrow string arrays (``str``, ``string[pyarrow]``, or an
``ArrowDtype`` of ``string`` / ``large_string``). Working on the bytes of those arrays avoids
making millions of Python strings. The helpers here are the one place that knows how: the
array is obtained with ``pyarrow.array(series)`` (zero-copy, the pandas interchange protocol
``__arrow_array__``), never through private pandas attributes.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["TextBuffers", "array_buffers", "arrow_text", "is_arrow_text", "text_buffers", "text_pieces"]


class TextBuffers(NamedTuple):
    """The bytes of a text column: row i is ``data[offsets[i]:offsets[i + 1]]`` where
    ``valid[i]`` (a missing value has an empty range)."""

    offsets: np.ndarray
    data: np.ndarray
    valid: np.ndarray


def is_arrow_text(values: pd.Series | pd.Index) -> bool:
    """True for a text column stored in a pyarrow string array.

    Examples
    --------
    >>> import pandas as pd
    >>> from basis.arrow import is_arrow_text
    >>> is_arrow_text(pd.Series(["a"], dtype="string[pyarrow]")), is_arrow_text(pd.Series(["a"], dtype=object))
    (True, False)
    """
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    return False


def arrow_text(values: pd.Series | pd.Index) -> pa.ChunkedArray | None:
    """The pyarrow array behind an Arrow text column (no copy), or None for other storage."""
    if not is_arrow_text(values):
        return None
    array = pa.array(values.array)
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array], type=array.type)


def _chunk_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets as int64, data) of one string or large_string chunk, sliced to the chunk."""
    _, offset_buffer, data_buffer = chunk.buffers()
    offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offset_buffer, dtype=offset_type)[chunk.offset : chunk.offset + len(chunk) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64, copy=False), data


def text_pieces(values: pd.Series | pd.Index | np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(data, offsets)`` of each chunk of a column of strings, as Arrow holds them.

    Arrow text columns are read in place; anything else is converted to an Arrow array of its
    strings first (``pyarrow.ArrowTypeError`` or ``ArrowInvalid`` when some values are not
    strings). Empty chunks are left out.
    """
    array = arrow_text(values) if isinstance(values, (pd.Series, pd.Index)) else None
    if array is None:
        array = pa.chunked_array([pa.array(values, type=pa.large_string())])
    pieces = []
    for chunk in array.chunks:
        if len(chunk):
            offsets, data = _chunk_buffers(chunk)
            pieces.append((data, offsets))
    return pieces


def text_buffers(values: pd.Series) -> TextBuffers | None:
    """:class:`TextBuffers` of an Arrow text column (its chunks combined), or None for any
    other storage.

    Examples
    --------
    >>> import pandas as pd
    >>> from basis.arrow import text_buffers
    >>> b = text_buffers(pd.Series(["ab", None, "c"], dtype="string[pyarrow]"))
    >>> b.offsets.tolist(), bytes(b.data[: b.offsets[-1]]), b.valid.tolist()
    ([0, 2, 2, 3], b'abc', [True, False, True])
    """
    array = arrow_text(values)
    return None if array is None else array_buffers(array)


def array_buffers(array: pa.Array | pa.ChunkedArray) -> TextBuffers:
    """:class:`TextBuffers` of a pyarrow string or large_string array (chunks combined)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    offsets, data = _chunk_buffers(array)
    valid = array.is_valid().to_numpy(zero_copy_only=False) if array.null_count else np.ones(len(array), bool)
    return TextBuffers(offsets, data, valid)
