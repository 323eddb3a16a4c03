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


def shares_storage(array, other):
    """Whether `array` lies in `other`'s storage: NumPy's may_share_memory, which answers False for an empty
    array; an empty view (x[:, 3:] of a 3-column x) is still a view of its base, as in PyTorch."""
    if xp.may_share_memory(array, other):
        return True
    return array.size == 0 and _owner(array) is _owner(other)


def _owner(array):
    """The array that owns the memory `array` views (NumPy links a view to the owner's base, not the view)."""
    while isinstance(array.base, xp.ndarray):
        array = array.base
    return array
