"""Tensor factories: tensor, zeros, ones, full, arange, linspace, eye and the random ones."""
import functools
import numbers

from . import dtypes, random
from .backend import xp
from .ops.out import with_keywords, write_into
from .ops.sampling import bernoulli, multinomial  # noqa: F401  (torch.multinomial, torch.bernoulli)
from .tensor import Tensor, _array_from_data, check_device


class layout:
    """torch.layout: how a tensor's elements are stored. glasstorch's tensors are dense: torch.strided."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


strided, sparse_coo = layout("strided"), layout("sparse_coo")


def factory(takes_out=True):
    """A factory with the keywords PyTorch's take beside dtype, device and requires_grad: out= (the result written
    into out, in out's dtype unless dtype= says otherwise; not for the *_like ones, as in PyTorch), layout=
    (torch.strided only), pin_memory= (False only: no accelerator), memory_format= (accepted, see memory_format)."""
    def wrap(fn):
        @functools.wraps(fn)
        def call(*args, layout=None, pin_memory=False, memory_format=None, **kwargs):
            if layout is not None and layout is not strided:
                raise RuntimeError(f"{fn.__name__}(): glasstorch's tensors are dense (torch.strided); layout={layout} "
                                   "is not supported")
            if pin_memory:
                raise RuntimeError("pin_memory=True requires a CUDA or other accelerator backend; no pinned memory "
                                   "allocator is available on this system.")
            out = kwargs.pop("out", None) if takes_out else None
            if out is None:
                return fn(*args, **kwargs)
            if kwargs.get("dtype") is None and isinstance(out, Tensor):
                kwargs["dtype"] = out.dtype
            return write_into(out, fn(*args, **kwargs), fn.__name__)

        keywords = dict(out=None) if takes_out else {}
        return with_keywords(call, fn, **keywords, layout=None, pin_memory=False, memory_format=None)
    return wrap


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _new(array, requires_grad=False, device=None):
    check_device(device)
    tensor = Tensor._make(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _float_dtype(dtype):
    return (dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()).numpy


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of `data` (floats -> float32, ints -> int64, bools -> bool)."""
    return _new(_array_from_data(data, dtype), requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or dtypes.to_dtype(dtype) == data.dtype):
        return data
    if isinstance(data, xp.ndarray):
        return from_numpy(data) if dtype is None else _new(data.astype(dtypes.to_dtype(dtype).numpy), False, device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A tensor sharing memory with `array` (its dtype kept)."""
    dtypes.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


@factory()
def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _new(xp.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


@factory()
def ones(*size, dtype=None, device=None, requires_grad=False):
    return _new(xp.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


@factory()
def empty(*size, dtype=None, device=None, requires_grad=False):
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


@factory()
def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = (dtypes.bool if isinstance(fill_value, bool) else
                 dtypes.int64 if isinstance(fill_value, int) else dtypes.get_default_dtype())
    return _new(xp.full(_size((size,)), fill_value, dtype=dtypes.to_dtype(dtype).numpy), requires_grad, device)


def _like(factory, x, dtype, requires_grad, **kwargs):
    return factory(x.shape, dtype=dtype if dtype is not None else x.dtype, requires_grad=requires_grad, **kwargs)


@factory(takes_out=False)
def zeros_like(x, dtype=None, requires_grad=False, device=None):
    return _like(zeros, x, dtype, requires_grad)


@factory(takes_out=False)
def ones_like(x, dtype=None, requires_grad=False, device=None):
    return _like(ones, x, dtype, requires_grad)


@factory(takes_out=False)
def empty_like(x, dtype=None, requires_grad=False, device=None):
    return _like(zeros, x, dtype, requires_grad)


@factory(takes_out=False)
def full_like(x, fill_value, dtype=None, requires_grad=False, device=None):
    return full(x.shape, fill_value, dtype=dtype if dtype is not None else x.dtype, requires_grad=requires_grad)


@factory(takes_out=False)
def rand_like(x, dtype=None, requires_grad=False, device=None):
    return _like(rand, x, dtype, requires_grad)


@factory(takes_out=False)
def randn_like(x, dtype=None, requires_grad=False, device=None):
    return _like(randn, x, dtype, requires_grad)


@factory()
def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is None:
        dtype = dtypes.int64 if all(isinstance(v, int) for v in values) else dtypes.get_default_dtype()
    return _new(xp.arange(*values).astype(dtypes.to_dtype(dtype).numpy), requires_grad, device)


@factory()
def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    return _new(xp.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad, device)


@factory()
def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    return _new(xp.eye(n, m).astype(_float_dtype(dtype)), requires_grad, device)


@factory()
def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform on [0, 1)."""
    array = random.generator(generator).random(_size(size)).astype(_float_dtype(dtype))
    return _new(array, requires_grad, device)


@factory()
def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal."""
    array = random.generator(generator).standard_normal(_size(size)).astype(_float_dtype(dtype))
    return _new(array, requires_grad, device)


@factory()
def randint(low, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False):
    """PyTorch's overloads: randint(high, size), randint(high, size=...), randint(low, high, size)."""
    if size is None and high is not None and not isinstance(high, numbers.Integral):
        low, high, size = 0, low, high          # randint(high, size)
    elif high is None:
        low, high = 0, low                      # randint(high, size=...)
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    array = random.generator(generator).integers(low, high, _size((size,)))
    return _new(array.astype(dtypes.to_dtype(dtype or dtypes.int64).numpy), requires_grad, device)


@factory()
def randperm(n, generator=None, dtype=None, device=None, requires_grad=False):
    array = random.generator(generator).permutation(n)
    return _new(array.astype(dtypes.to_dtype(dtype or dtypes.int64).numpy), requires_grad, device)


def normal(mean, std, size=None, generator=None, dtype=None, requires_grad=False):
    """Samples of N(mean, std^2); mean and std may be tensors (element-wise) or numbers with `size`."""
    mean_array = mean._data if isinstance(mean, Tensor) else mean
    std_array = std._data if isinstance(std, Tensor) else std
    shape = size if size is not None else xp.broadcast_shapes(xp.shape(mean_array), xp.shape(std_array))
    array = random.generator(generator).normal(mean_array, std_array, _size((shape,)))
    return _new(array.astype(_float_dtype(dtype)), requires_grad)
