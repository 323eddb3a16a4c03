"""PyTorch's older spellings that course programs still use: the typed tensor classes (torch.LongTensor([1, 2]),
torch.FloatTensor(2, 3), isinstance(x, torch.FloatTensor)), and the device queries answering "CPU only"."""
import numbers

from . import dtypes
from .backend import xp
from .tensor import Tensor, _array_from_data


class _TypedTensorMeta(type):
    """isinstance(x, torch.LongTensor) is true for a Tensor of that dtype, as in PyTorch."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype


class _TypedTensor(metaclass=_TypedTensorMeta):
    dtype = None

    def __new__(cls, *args):
        """cls(data) copies data into this dtype; cls(n, m, ...) or cls() is uninitialised (zeros here)."""
        if len(args) == 1 and isinstance(args[0], Tensor):
            return args[0].to(cls.dtype)
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            return Tensor._make(_array_from_data(args[0], cls.dtype))
        if all(isinstance(a, numbers.Integral) for a in args):
            return Tensor._make(xp.zeros(tuple(int(a) for a in args) or (0,), dtype=cls.dtype.numpy))
        raise TypeError(f"{cls.__name__}(): expected data or sizes, got {args!r}")


def _typed(name, dtype):
    return _TypedTensorMeta(name, (_TypedTensor,), {"dtype": dtype, "__doc__": f"A {dtype} tensor (legacy)."})


FloatTensor = _typed("FloatTensor", dtypes.float32)
DoubleTensor = _typed("DoubleTensor", dtypes.float64)
HalfTensor = _typed("HalfTensor", dtypes.float16)
LongTensor = _typed("LongTensor", dtypes.int64)
IntTensor = _typed("IntTensor", dtypes.int32)
ShortTensor = _typed("ShortTensor", dtypes.int16)
CharTensor = _typed("CharTensor", dtypes.int8)
ByteTensor = _typed("ByteTensor", dtypes.uint8)
BoolTensor = _typed("BoolTensor", dtypes.bool)

TYPED_TENSORS = (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor,
                 BoolTensor)

