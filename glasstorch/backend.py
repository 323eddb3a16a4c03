"""The array backend seam.

Every module reaches its array library through `xp`, so a second backend (CuPy on a GPU) can replace NumPy
here: CuPy has the same array API, `as_strided` (cupy.lib.stride_tricks) and strides. Only NumPy is provided
today; the NumPy-specific speed tricks live in the fast kernel set (glasstorch.kernels.blas).
"""
import numpy as xp
from numpy.lib.stride_tricks import as_strided

__all__ = ["xp", "as_strided", "repeats_elements"]


def repeats_elements(array):
    """True when several elements of `array` are one memory location (a broadcast: a stride of 0)."""
    return any(stride == 0 and size > 1 for stride, size in zip(array.strides, array.shape))
