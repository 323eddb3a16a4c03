"""PyTorch's type promotion for binary ops.

Categories rank bool < integer < floating. The higher category wins; within a category the wider
dtype wins. A Python scalar or a 0-dim tensor only decides the category: `int64 tensor + 2.5` gives
the default float dtype (float32), `float32 tensor + 2.5` stays float32.
"""
import numbers

from .. import dtypes
from ..autograd import function
from ..backend import xp


def _category(np_dtype):
    return {"b": 0, "u": 1, "i": 1, "f": 2}[np_dtype.kind]


def _scalar_dtype(value):
    if isinstance(value, (bool, xp.bool_)):
        return xp.dtype(xp.bool_)
    if isinstance(value, numbers.Integral):
        return xp.dtype(xp.int64)
    if isinstance(value, numbers.Real):
        return dtypes.get_default_dtype().numpy
    raise TypeError(f"unsupported operand type {type(value).__name__}")


def result_dtype(*operands):
    """The NumPy dtype of an op on tensors and Python scalars (`a + b`, `clamp(x, lo, hi)`): the highest category
    among the operands decides; within it, dimensioned tensors outrank 0-dim tensors, which outrank scalars; the
    dtypes of the top rank are promoted together."""
    Tensor = function.Tensor

    def describe(x):  # (category, priority, dtype): dimensioned tensor 2, 0-dim tensor 1, Python scalar 0
        dtype, priority = (x._data.dtype, 2 if x._data.ndim else 1) if isinstance(x, Tensor) else (_scalar_dtype(x), 0)
        return _category(dtype), priority, dtype

    described = [describe(x) for x in operands]
    top = max(d[:2] for d in described)
    return xp.result_type(*(dtype for category, priority, dtype in described if (category, priority) == top))


def promote(a, b):
    """Cast a pair of operands (tensors or Python scalars) to their common dtype.

    Tensors come back as tensors (a cast is a differentiable op); scalars as 0-dim arrays.
    """
    array_a, array_b = getattr(a, "_data", None), getattr(b, "_data", None)
    if array_a is not None and array_b is not None and array_a.dtype == array_b.dtype:
        return a, b     # two tensors of one dtype, the common case
    Tensor = function.Tensor
    common = result_dtype(a, b)
    return _cast(a, common, Tensor), _cast(b, common, Tensor)


def _cast(x, np_dtype, tensor_type):
    if isinstance(x, tensor_type):
        return x if x._data.dtype == np_dtype else x.to(dtypes.from_numpy_dtype(np_dtype))
    return xp.asarray(x, dtype=np_dtype)
