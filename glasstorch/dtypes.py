"""PyTorch-named dtypes mapped onto NumPy dtypes.

The names `float`, `int`, `bool` are shadowed on purpose (torch.float is float32).
"""
import builtins as _builtins

import numpy as np


class dtype:
    """A tensor element type: `glasstorch.float32` prints as `torch.float32`, like PyTorch."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed")

    def __init__(self, name, numpy_dtype):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.is_signed = self.numpy.kind in "fi"

    @property
    def itemsize(self):
        return self.numpy.itemsize

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_BY_NUMPY = {d.numpy: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}

_default_float = float32


# PyTorch's scalar type names (its messages say "Float", "Long"), by NumPy dtype name
SCALAR_TYPE_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
                     "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


class memory_format:
    """torch.memory_format: the order of a tensor's elements in memory. glasstorch's tensors are NumPy arrays in
    row-major order, so a requested format is accepted and changes nothing a program can see but the strides."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


preserve_format, contiguous_format, channels_last, channels_last_3d = (
    memory_format(name) for name in ("preserve_format", "contiguous_format", "channels_last", "channels_last_3d"))


# The legacy tensor type names (Tensor.type(), torch.FloatTensor ...): "FloatTensor" -> float32
LEGACY_TENSOR_TYPES = {f"{scalar}Tensor": _BY_NAME[name] for name, scalar in SCALAR_TYPE_NAMES.items()}


def from_type_name(name):
    """The dtype of a legacy tensor type name, as Tensor.type takes it: 'torch.FloatTensor' -> float32."""
    if name.startswith("torch.cuda."):
        raise RuntimeError(f"glasstorch runs on the CPU only: there is no {name} (torch.cuda.is_available() is "
                           "False here)")
    found = LEGACY_TENSOR_TYPES.get(name.removeprefix("torch."))
    if found is None:
        raise ValueError(f"invalid type: '{name}'")
    return found


def get_default_dtype():
    return _default_float


def set_default_dtype(d):
    global _default_float
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_float = d


def from_numpy_dtype(np_dtype):
    """The glasstorch dtype of a NumPy dtype (float64 stays float64, as in torch.from_numpy)."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}; the supported types are: "
                        + ", ".join(d.name for d in _ALL)) from None


def to_dtype(d):
    """Accept a glasstorch dtype, a NumPy dtype, a name ('float32') or a Python type."""
    if isinstance(d, dtype):
        return d
    if d is _builtins.float:
        return _default_float
    if d is _builtins.int:
        return int64
    if d is _builtins.bool:
        return bool
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d]
    return from_numpy_dtype(d)

