"""Many arrays as consecutive pieces of one flat buffer, so that an optimizer can update them all
with one NumPy operation per step instead of one per parameter (see ``Sequential`` and ``optim``).
"""

from __future__ import annotations

import numpy as np


def share_one_buffer(arrays: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Copy ``arrays`` (one dtype) into one new 1-D buffer; return it and views into it.

    arrays: k arrays of shapes s_1 ... s_k. Returns ``flat`` of shape (sum of sizes,) and k views
    with shapes s_1 ... s_k, in order, each C-contiguous and holding the values of its array.
    """
    dtypes = {a.dtype for a in arrays}
    if len(dtypes) != 1:
        raise ValueError(f"share_one_buffer: the arrays must share one dtype, got {sorted(map(str, dtypes))}.")
    flat = np.empty(sum(a.size for a in arrays), dtype=dtypes.pop())
    views = split(flat, [a.shape for a in arrays])
    for view, a in zip(views, arrays):
        view[...] = a
    return flat, views


def split(flat: np.ndarray, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """Consecutive views of the 1-D array ``flat`` with the given shapes, from its start."""
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(flat[start:start + size].reshape(shape))
        start += size
    return views


def joined(arrays: list[np.ndarray]) -> np.ndarray | None:
    """The 1-D buffer that ``arrays`` fill exactly, in order (as ``share_one_buffer`` made them), or None."""
    flat = arrays[0].base
    if flat is None or flat.ndim != 1 or not flat.flags.c_contiguous:
        return None
    address = flat.__array_interface__["data"][0]
    for a in arrays:
        if (a.base is not flat or a.dtype != flat.dtype or not a.flags.c_contiguous
                or a.__array_interface__["data"][0] != address):
            return None
        address += a.nbytes
    return flat if address == flat.__array_interface__["data"][0] + flat.nbytes else None
