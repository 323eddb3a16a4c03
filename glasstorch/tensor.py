"""Tensor: an n-dimensional array that remembers how it was computed.

`_data` is the NumPy array holding the values;
`grad_fn` is the graph node that produced the tensor (None for a leaf);
`grad` receives dL/dtensor after `backward()`. Every operator delegates to a differentiable op in
`glasstorch.ops`.

Storage, views and versions follow PyTorch. A view (view/reshape when no copy is needed, permute/transpose/t,
squeeze/unsqueeze, expand, basic indexing and slicing, split/chunk, detach) shares its base's memory and its
version counter (`_version`); `.data` shares the memory with a fresh counter. That machinery is
autograd/history.py (TensorHistory); the operators and math methods are tensor_math.py (TensorMath); this module
keeps construction, properties, conversion, the graph methods and Python's protocol.
"""
import numbers

from . import autograd, dtypes, ops
from ._formatting import format_tensor, format_tensor_html
from .autograd import grad_mode
from .autograd.function import RemovableHandle, VersionCounter
from .autograd.history import _OVERLAP_MESSAGE, TensorHistory, _partially_overlap
from .backend import xp
from .tensor_math import TensorMath


class device:
    """A device name. glasstorch computes on the CPU (NumPy); 'cuda' is accepted as a name only."""

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        name, _, number = str(type).partition(":")
        self.type = name
        self.index = int(number) if number else index

    def __eq__(self, other):
        return str(self) == str(device(other)) if isinstance(other, (str, device)) else NotImplemented

    def __hash__(self):
        return hash(str(self))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"


def check_device(dev):
    if dev is not None and device(dev).type != "cpu":
        raise RuntimeError(f"glasstorch runs on the CPU only (NumPy backend); device {str(device(dev))!r} is "
                           "not available. Use 'cpu' (torch.cuda.is_available() is False here).")


def _array_from_data(data, dtype=None):
    """A fresh NumPy array from nested lists, scalars, arrays or tensors, with PyTorch's dtype inference."""
    if isinstance(data, Tensor):
        array = data._data.copy()
    else:
        array = xp.array(_unwrap_nested(data))
        from_numpy = isinstance(data, (xp.ndarray, xp.generic))   # NumPy data keeps its dtype, as in PyTorch
        if array.dtype.kind == "f" and not from_numpy:
            array = array.astype(dtypes.get_default_dtype().numpy)
        elif array.dtype.kind in "iu" and not from_numpy:
            array = array.astype(xp.int64)
        elif array.dtype.kind not in "biuf":
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if dtype is not None:
        array = array.astype(dtypes.to_dtype(dtype).numpy)
    return array


def _unwrap_nested(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        if all(type(d) in (int, float, bool) for d in data):      # a flat list of numbers: NumPy takes it as is
            return data
        return [_unwrap_nested(d) for d in data]
    return data


class Tensor(TensorHistory, TensorMath):
    """A multi-dimensional array with autograd; the shape, dtype and methods follow torch.Tensor."""

    __array_priority__ = 1000   # NumPy defers `ndarray op Tensor` to our reflected operators

    def __init__(self, *args):
        """Legacy constructor: Tensor([1., 2.]) or Tensor(2, 3) (uninitialised), always float32."""
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            array = _array_from_data(args[0], dtypes.float32)
        elif all(isinstance(a, numbers.Integral) for a in args):
            array = xp.zeros(args, dtype=xp.float32)
        else:
            raise TypeError(f"Tensor(): expected data or sizes, got {args!r}")
        self._init(array, False, None)

    def _init(self, array, requires_grad, grad_fn):
        self._data = array
        self._requires_grad = requires_grad
        self._grad_fn = grad_fn
        self.grad = None
        self._hooks = {}
        self._post_accumulate_grad_hooks = {}
        self._version_counter = VersionCounter()

    @classmethod
    def _make(cls, array, requires_grad=False, grad_fn=None):
        """Wrap an array without copying (the internal constructor)."""
        tensor = object.__new__(Tensor)
        tensor._init(array if isinstance(array, xp.ndarray) else xp.asarray(array), requires_grad, grad_fn)
        return tensor

    # ------------------------------------------------------------ properties
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self._data.shape[self._axis(dim)]

    def _axis(self, dim):
        bound = max(self._data.ndim, 1)
        if not -bound <= dim < bound:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], but got {dim})")
        return dim % bound

    def dim(self):
        return self._data.ndim

    ndim = property(dim)

    def numel(self):
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self):
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return device("cpu")

    @property
    def is_cuda(self):
        return False

    is_mps = is_xpu = is_meta = is_cuda

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    @property
    def requires_grad(self):
        self._refresh_view_if_stale()
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def data(self):
        """A tensor sharing this one's storage, detached from the graph (in-place changes are not recorded)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        array = value._data if isinstance(value, Tensor) else xp.asarray(value)
        if array.shape != self._data.shape and self.grad is not None:
            self.grad = None
        self._data = array

    @property
    def T(self):
        return self.permute(*reversed(range(self.dim())))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    # ------------------------------------------------------------ conversion
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def numpy(self, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def to(self, *args, **kwargs):
        """to(dtype), to(device), to(device, dtype), to(other), with non_blocking= and copy=: a converted tensor;
        self when nothing changes, unless copy=True."""
        target = kwargs.get("dtype")
        for arg in list(args) + [kwargs.get("device")]:
            if isinstance(arg, Tensor):
                target = arg.dtype
            elif isinstance(arg, (dtypes.dtype, type)) or (isinstance(arg, str) and arg in dtypes._BY_NAME):
                target = arg
            else:
                check_device(arg)
        if target is None or dtypes.to_dtype(target).numpy == self._data.dtype:
            return self.clone() if kwargs.get("copy") else self
        return ops.elementwise.Cast.apply(self, dtypes.to_dtype(target).numpy)

    def type(self, dtype=None, non_blocking=False):
        """type(): the legacy type name ('torch.FloatTensor'); type(t), t a dtype, a legacy class (torch.LongTensor)
        or its name ('torch.LongTensor'): the tensor converted (self when it has that type already)."""
        if dtype is None:
            return f"torch.{dtypes.SCALAR_TYPE_NAMES[self.dtype.name]}Tensor"
        if isinstance(dtype, str):
            return self.to(dtypes.from_type_name(dtype))
        return self.to(getattr(dtype, "dtype", dtype))

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self, memory_format=None):
        return self.to(dtypes.float32)

    def double(self, memory_format=None):
        return self.to(dtypes.float64)

    def half(self, memory_format=None):
        return self.to(dtypes.float16)

    def long(self, memory_format=None):
        return self.to(dtypes.int64)

    def int(self, memory_format=None):
        return self.to(dtypes.int32)

    def bool(self, memory_format=None):
        return self.to(dtypes.bool)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, *args, **kwargs):
        check_device("cuda")

    def contiguous(self, memory_format=None):
        """self when its memory is in row-major order, else a row-major copy (which no longer shares storage)."""
        return self if self._data.flags.c_contiguous else self.clone()

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    # ------------------------------------------------------------ graph
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute d(self)/d(leaf) for every leaf and add it into leaf.grad."""
        autograd.backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs)

    def detach(self):
        """The same storage and version counter, outside the graph."""
        out = Tensor._make(self._data)
        out._version_counter = self._version_counter
        return out

    def detach_(self):
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self, memory_format=None):
        # a same-dtype cast copies and keeps the graph
        return ops.elementwise.Cast.apply(self, self._data.dtype) if self.requires_grad else Tensor._make(self._data.copy())

    def register_hook(self, hook):
        """hook(grad) -> new grad or None, called with dL/dself during backward."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        hooks = self._hooks if self.grad_fn is None else self.grad_fn._hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        """hook(self), called during backward right after dL/dself has been added into self.grad (leaves only)."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        handle = RemovableHandle(self._post_accumulate_grad_hooks)
        self._post_accumulate_grad_hooks[handle.id] = hook
        return handle

    def retain_grad(self):
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retain_grad = self

    @property
    def retains_grad(self):
        return self.grad_fn is not None and self.grad_fn._retain_grad is self

    def __setitem__(self, index, value):
        index = ops.shape.convert_index(index)
        region = self._data[index] if ops.shape.is_basic_index(index) else None     # the view written to
        if grad_mode.is_grad_enabled() and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
            if not isinstance(value, Tensor):
                value = Tensor._make(xp.asarray(value, dtype=self._data.dtype))
            if isinstance(region, xp.ndarray) and _partially_overlap(region, value._data):
                raise RuntimeError(_OVERLAP_MESSAGE)
            if region is not None:
                # as PyTorch, self[index].copy_(value): the in-place op is on the view self[index], whose base is
                # self's base, so self itself keeps the history it had (read again when next asked for)
                self[index]._overwrite(value.to(self.dtype), fills=True)
                return
            self._inplace(lambda t: ops.shape.IndexPut.apply(t, index, value.to(self.dtype)), fills=True)
            return
        if isinstance(value, Tensor) and isinstance(region, xp.ndarray) and _partially_overlap(region, value._data):
            raise RuntimeError(_OVERLAP_MESSAGE)
        self._write(value._data if isinstance(value, Tensor) else value, index, overlapping_ok=True)

    def index_put_(self, indices, values, accumulate=False):
        """self[indices] = values (or += with accumulate=True, repeated indices adding up)."""
        if accumulate:
            return self._inplace(lambda t: ops.shape.IndexAdd.apply(t, ops.shape.convert_index(tuple(indices)), values))
        self[tuple(indices)] = values
        return self

    # ------------------------------------------------------------ python protocol
    def __repr__(self):
        return format_tensor(self)

    def _repr_html_(self):
        return format_tensor_html(self)

    def __format__(self, spec):
        """f"{t:.2f}" formats a one-element tensor's value, as PyTorch does; other tensors as their repr."""
        if self.dim() == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__

    def __getitem__(self, index):
        return ops.shape.getitem(self, index)

    # creation helpers
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return self._new_like(xp.zeros(_size_of(size), dtype=self._new_dtype(dtype)), device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return self._new_like(xp.ones(_size_of(size), dtype=self._new_dtype(dtype)), device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return self._new_like(xp.empty(_size_of(size), dtype=self._new_dtype(dtype)), device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
                 pin_memory=False):
        return self._new_like(xp.full(_size_of((size,)), fill_value, dtype=self._new_dtype(dtype)), device,
                              requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        return self._new_like(_array_from_data(data).astype(self._new_dtype(dtype)), device, requires_grad)

    def _new_dtype(self, dtype):
        """A new_* factory's dtype: the one asked for, else this tensor's (PyTorch's rule)."""
        return self._data.dtype if dtype is None else dtypes.to_dtype(dtype).numpy

    @staticmethod
    def _new_like(array, device, requires_grad):
        check_device(device)
        tensor = Tensor._make(array)
        return tensor.requires_grad_(True) if requires_grad else tensor


class Size(tuple):
    """A tensor's shape: a tuple that prints as torch.Size([2, 3])."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


from .autograd import function as _function  # noqa: E402

_function.Tensor = Tensor


def _size_of(size):
    """The shape of a factory call: f(2, 3), f((2, 3)) or f([2, 3])."""
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list, Size)) else tuple(size)
