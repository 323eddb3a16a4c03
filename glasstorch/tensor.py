"""Tensor: an n-dimensional array that remembers how it was computed.

`_data` is the NumPy array holding the values;
`grad_fn` is the graph node that produced the tensor (None for a leaf);
`grad` receives dL/dtensor after `backward()`. Every operator delegates to a differentiable op in
`glasstorch.ops`.

Storage, views and versions follow PyTorch. A view (view/reshape when no copy is needed, permute/transpose/t,
squeeze/unsqueeze, expand, basic indexing and slicing, split/chunk, detach) shares its base's memory and its
version counter (`_version`); `.data` shares the memory with a fresh counter. Every in-place op writes into the
tensor's own memory, so the base and all its views see it, and bumps the counter; a value saved for backward
that changed since raises at backward. With autograd, an in-place op is a graph node like any other: the tensor
takes the op's grad_fn (on a view, the base's history gets a CopySlices node and the view is taken anew).
"""
import numbers

from . import autograd, dtypes, ops, random
from ._formatting import format_tensor
from .autograd import grad_mode
from .autograd.function import AccumulateGrad, RemovableHandle, VersionCounter
from .autograd.views import INTERNAL_OVERLAP_MESSAGE, CopySlices, view_of_tensor
from .backend import repeats_elements, xp


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


class Tensor:
    """A multi-dimensional array with autograd; the shape, dtype and methods follow torch.Tensor."""

    __array_priority__ = 1000   # NumPy defers `ndarray op Tensor` to our reflected operators
    _base = None                # the tensor whose storage a view shares (None: not a view)
    _view_steps = ()            # the view ops that make this view from _base: ((op, args, kwargs), ...)
    _view_version = 0           # the storage's version when this view's grad_fn was taken
    _accumulator = None         # a leaf's AccumulateGrad node, made when first needed

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

    # ------------------------------------------------------------ graph position, views and versions
    @property
    def grad_fn(self):
        if self._base is not None and self._view_version != self._version_counter.value:
            self._refresh_view()
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node):
        self._grad_fn = node

    @property
    def _version(self):
        """How many in-place changes this tensor's storage has had (shared with its views)."""
        return self._version_counter.value

    def _gradient_edge(self):
        """The node a gradient for this tensor goes to: its grad_fn, or (a leaf) its AccumulateGrad."""
        node = self.grad_fn
        if node is not None:
            return node
        if self._accumulator is None:
            self._accumulator = AccumulateGrad(self)
        return self._accumulator

    def _become_view(self, source, step):
        """Make this tensor (just computed from `source` by the view op `step`) a view of source's base."""
        if source._base is not None:
            self._base, self._view_steps = source._base, source._view_steps + (step,)
        else:
            self._base, self._view_steps = source, (step,)
        self._version_counter = source._version_counter
        self._view_version = self._version_counter.value

    def _refresh_view(self):
        """The base changed in place since this view's grad_fn was taken: take the view anew of the base's
        current history (PyTorch regenerates a view's grad_fn the same way)."""
        self._view_version = self._version_counter.value
        if self._base.requires_grad:
            with grad_mode.enable_grad():
                self._grad_fn = view_of_tensor(self._view_steps, self._base)._grad_fn
            self._requires_grad = True

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

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    @property
    def requires_grad(self):
        if self._base is not None and self._view_version != self._version_counter.value:
            self._refresh_view()
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
        """to(dtype), to(device), to(device, dtype), to(other): a converted tensor (self if nothing changes)."""
        target = kwargs.get("dtype")
        for arg in list(args) + [kwargs.get("device")]:
            if isinstance(arg, Tensor):
                target = arg.dtype
            elif isinstance(arg, (dtypes.dtype, type)) or (isinstance(arg, str) and arg in dtypes._BY_NAME):
                target = arg
            else:
                check_device(arg)
        if target is None or dtypes.to_dtype(target).numpy == self._data.dtype:
            return self
        return ops.elementwise.Cast.apply(self, dtypes.to_dtype(target).numpy)

    def type(self, dtype=None):
        if dtype is None:
            return {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "int64": "torch.LongTensor",
                    "bool": "torch.BoolTensor"}.get(self.dtype.name, f"torch.{self.dtype.name}")
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def cpu(self):
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

    # ------------------------------------------------------------ in-place
    def _inplace(self, compute, *operands, fills=False):
        """Make `self` hold compute(self), written into its own storage (so its base and views see it).

        With autograd the op is a graph node: compute runs on an alias of self with self's history; arrays
        it saved that live in self's storage are copied first (the old values its backward needs), and self
        (or, for a view, its base through CopySlices) takes the result's grad_fn. Only ops that `fill` in values
        may write into an expand()ed tensor, where several elements share one memory location (as in PyTorch).
        """
        recording = grad_mode.is_grad_enabled()
        if recording:
            self._check_inplace_allowed()
        for operand in operands:
            if isinstance(operand, Tensor) and _partially_overlap(self._data, operand._data):
                raise RuntimeError(_OVERLAP_MESSAGE)
        before = Tensor._make(self._data, self.requires_grad, self.grad_fn)
        before._version_counter = self._version_counter
        result = compute(before)
        if result._data.dtype.kind == "f" and self._data.dtype.kind in "biu":
            raise RuntimeError(f"result type {dtypes.SCALAR_TYPE_NAMES[result._data.dtype.name]} can't be cast to the "
                               f"desired output type {dtypes.SCALAR_TYPE_NAMES[self._data.dtype.name]}")
        node = result._grad_fn if recording and result.requires_grad else None
        if node is not None:
            node._protect_saved_from(self._version_counter)
        self._write(result._data, overlapping_ok=fills)
        if node is not None:
            node._output_moved_to(result, self)
            self._take_history(result)
        return self

    def _check_inplace_allowed(self):
        if self._base is None and self.requires_grad and self.is_leaf:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if self._base is not None and self._base.requires_grad:
            if self._base.is_leaf:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                                   "operation.")
            if self._grad_fn is None:   # taken before its base had a history: as PyTorch, still a leaf here
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    def _write(self, values, index=Ellipsis, overlapping_ok=False):
        """self[index] = values in place; one more version of the storage."""
        target = self._data
        if not target.flags.writeable or (repeats_elements(target) and not overlapping_ok):
            raise RuntimeError(INTERNAL_OVERLAP_MESSAGE)
        try:
            target[index] = values
        except ValueError as error:
            raise RuntimeError(f"cannot write values of shape {tuple(xp.shape(values))} into a tensor of shape "
                               f"{tuple(target.shape)}: {error}") from None
        self._version_counter.value += 1

    def _take_history(self, result):
        """After writing `result` into self: self's gradient now comes from result's graph."""
        if self._base is None:
            self._grad_fn, self._requires_grad = result._grad_fn, True
            return
        base = self._base
        base._grad_fn = CopySlices.record(base, self._view_steps, result, self._data)
        base._requires_grad = True
        self._refresh_view()

    def _bump_version(self):
        """Record an in-place change made to the storage from outside an op (an optimizer's update)."""
        self._version_counter.value += 1

    def add_(self, other, alpha=1):
        return self._inplace(lambda t: ops.elementwise.add(t, other, alpha=alpha), other)

    def sub_(self, other, alpha=1):
        return self._inplace(lambda t: ops.elementwise.sub(t, other, alpha=alpha), other)

    def mul_(self, other):
        return self._inplace(lambda t: ops.elementwise.mul(t, other), other)

    def div_(self, other, rounding_mode=None):
        return self._inplace(lambda t: ops.division.div(t, other, rounding_mode=rounding_mode), other)

    def pow_(self, exponent):
        return self._inplace(lambda t: ops.elementwise.pow(t, exponent), exponent)

    def clamp_(self, min=None, max=None):
        return self._inplace(lambda t: ops.elementwise.clamp(t, min, max), min, max)

    clip_ = clamp_

    def relu_(self):
        return self._inplace(ops.activation.relu)

    def sigmoid_(self):
        return self._inplace(ops.activation.sigmoid)

    def tanh_(self):
        return self._inplace(ops.activation.tanh)

    def exp_(self):
        return self._inplace(ops.elementwise.exp)

    def log_(self):
        return self._inplace(ops.elementwise.log)

    def sqrt_(self):
        return self._inplace(ops.elementwise.sqrt)

    def neg_(self):
        return self._inplace(ops.elementwise.neg)

    def abs_(self):
        return self._inplace(ops.elementwise.abs)

    def addcmul_(self, tensor1, tensor2, value=1):
        """self += value * tensor1 * tensor2."""
        return self._inplace(lambda t: ops.elementwise.add(t, ops.elementwise.mul(tensor1, tensor2), alpha=value),
                             tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, value=1):
        """self += value * tensor1 / tensor2."""
        return self._inplace(lambda t: ops.elementwise.add(t, ops.elementwise.div(tensor1, tensor2), alpha=value),
                             tensor1, tensor2)

    def masked_fill_(self, mask, value):
        return self._inplace(lambda t: t.masked_fill(mask, value), mask, value, fills=True)

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return self._overwrite(value, fills=True)

    def copy_(self, src, non_blocking=False):
        if not isinstance(src, Tensor):
            src = Tensor._make(xp.asarray(src))
        return self._overwrite(src, fills=_same_elements(self._data, src._data))   # x.copy_(x) writes nothing new

    def _overwrite(self, values, fills=False):
        """self[...] = values (a number, an array or a tensor, broadcast; differentiable in a tensor)."""
        return self._inplace(lambda t: ops.elementwise.Overwrite.apply(t, values), values, fills=fills)

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return self._overwrite(random.generator(generator).normal(mean, std, self._data.shape))

    def uniform_(self, a=0.0, b=1.0, generator=None):
        return self._overwrite(random.generator(generator).uniform(a, b, self._data.shape))

    def __setitem__(self, index, value):
        index = ops.shape.convert_index(index)
        region = self._data[index] if ops.shape.is_basic_index(index) else None     # the view written to
        if grad_mode.is_grad_enabled() and (self.requires_grad or (isinstance(value, Tensor) and value.requires_grad)):
            if not isinstance(value, Tensor):
                value = Tensor._make(xp.asarray(value, dtype=self._data.dtype))
            if isinstance(region, xp.ndarray) and _partially_overlap(region, value._data):
                raise RuntimeError(_OVERLAP_MESSAGE)
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

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other):
        return ops.elementwise.add(self, other)

    def __radd__(self, other):
        return ops.elementwise.add(other, self)

    def __sub__(self, other):
        return ops.elementwise.sub(self, other)

    def __rsub__(self, other):
        return ops.elementwise.sub(other, self)

    def __mul__(self, other):
        return ops.elementwise.mul(self, other)

    def __rmul__(self, other):
        return ops.elementwise.mul(other, self)

    def __truediv__(self, other):
        return ops.elementwise.div(self, other)

    def __rtruediv__(self, other):
        return ops.elementwise.div(other, self)

    def __floordiv__(self, other):
        return ops.division.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return ops.division.floor_divide(other, self)

    def __mod__(self, other):
        return ops.division.remainder(self, other)

    def __rmod__(self, other):
        return ops.division.remainder(other, self)

    def __pow__(self, other):
        return ops.elementwise.pow(self, other)

    def __rpow__(self, other):
        return ops.elementwise.pow(other, self)

    def __matmul__(self, other):
        return ops.matmul.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul.matmul(other, self)

    def __neg__(self):
        return ops.elementwise.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.elementwise.abs(self)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # comparisons: bool tensors, no gradient
    def _compare(self, other, compare):
        other = other._data if isinstance(other, Tensor) else other
        return Tensor._make(xp.asarray(compare(self._data, other)))

    def __eq__(self, other):
        return self._compare(other, xp.equal)

    def __ne__(self, other):
        return self._compare(other, xp.not_equal)

    def __lt__(self, other):
        return self._compare(other, xp.less)

    def __le__(self, other):
        return self._compare(other, xp.less_equal)

    def __gt__(self, other):
        return self._compare(other, xp.greater)

    def __ge__(self, other):
        return self._compare(other, xp.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __and__(self, other):
        return self._compare(other, xp.logical_and if self._data.dtype == bool else xp.bitwise_and)

    def __or__(self, other):
        return self._compare(other, xp.logical_or if self._data.dtype == bool else xp.bitwise_or)

    def __invert__(self):
        return Tensor._make(xp.logical_not(self._data) if self._data.dtype == bool else ~self._data)

    def equal(self, other):
        return self.shape == other.shape and bool(xp.array_equal(self._data, other._data))

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False):
        return bool(xp.allclose(self._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def all(self, dim=None, keepdim=False):
        axes = None if dim is None else ops.dims.normalize_dims(dim, self.dim(), "all")
        return Tensor._make(xp.asarray(xp.all(self._data, axis=axes, keepdims=keepdim)))

    def any(self, dim=None, keepdim=False):
        axes = None if dim is None else ops.dims.normalize_dims(dim, self.dim(), "any")
        return Tensor._make(xp.asarray(xp.any(self._data, axis=axes, keepdims=keepdim)))

    def isnan(self):
        return Tensor._make(xp.isnan(self._data))

    def isfinite(self):
        return Tensor._make(xp.isfinite(self._data))

    def sign(self):
        return ops.elementwise.sign(self)

    def masked_fill(self, mask, value):
        if mask.dtype != dtypes.bool:
            raise RuntimeError(f"masked_fill: expected the mask to be a bool tensor, got {mask.dtype.name}")
        if not isinstance(value, Tensor):
            value = Tensor._make(xp.asarray(value, dtype=self._data.dtype))
        return ops.elementwise.where(mask, value.to(self.dtype), self)

    # ------------------------------------------------------------ math methods
    def add(self, other, alpha=1):
        return ops.elementwise.add(self, other, alpha=alpha)

    def sub(self, other, alpha=1):
        return ops.elementwise.sub(self, other, alpha=alpha)

    def mul(self, other):
        return ops.elementwise.mul(self, other)

    def div(self, other, rounding_mode=None):
        return ops.division.div(self, other, rounding_mode=rounding_mode)

    def floor_divide(self, other):
        return ops.division.floor_divide(self, other)

    def remainder(self, other):
        return ops.division.remainder(self, other)

    def fmod(self, other):
        return ops.division.fmod(self, other)

    def pow(self, exponent):
        return ops.elementwise.pow(self, exponent)

    def matmul(self, other):
        return ops.matmul.matmul(self, other)

    mm = matmul

    def abs(self):
        return ops.elementwise.abs(self)

    def neg(self):
        return ops.elementwise.neg(self)

    def exp(self):
        return ops.elementwise.exp(self)

    def log(self):
        return ops.elementwise.log(self)

    def sqrt(self):
        return ops.elementwise.sqrt(self)

    def sin(self):
        return ops.elementwise.sin(self)

    def cos(self):
        return ops.elementwise.cos(self)

    def erf(self):
        return ops.elementwise.erf(self)

    def where(self, condition, other):
        """self where condition, else other (torch.where(condition, self, other))."""
        return ops.elementwise.where(condition, self, other)

    def clamp(self, min=None, max=None):
        return ops.elementwise.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return ops.elementwise.maximum(self, other)

    def minimum(self, other):
        return ops.elementwise.minimum(self, other)

    def relu(self):
        return ops.activation.relu(self)

    def sigmoid(self):
        return ops.activation.sigmoid(self)

    def tanh(self):
        return ops.activation.tanh(self)

    def softmax(self, dim):
        return ops.activation.softmax(self, dim)

    def log_softmax(self, dim):
        return ops.activation.log_softmax(self, dim)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """||x||_p over dim (ops/norms.py)."""
        return ops.norms.tensor_norm(self, p, dim, keepdim, dtype)

    def atan2(self, other):
        return ops.special.atan2(self, other)

    def xlogy(self, other):
        return ops.special.xlogy(self, other)

    # reductions
    def sum(self, dim=None, keepdim=False, dtype=None):
        return ops.reduce.sum(self, dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, dtype=None):
        return ops.reduce.mean(self, dim, keepdim, dtype)

    def max(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return ops.elementwise.maximum(self, dim)
        return ops.reduce.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return ops.elementwise.minimum(self, dim)
        return ops.reduce.min(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return ops.reduce.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return ops.reduce.argmin(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return ops.reduce.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return ops.reduce.amin(self, dim, keepdim)

    def median(self, dim=None, keepdim=False):
        return ops.reduce.median(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.reduce.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return ops.reduce.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim, keepdim=False):
        return ops.reduce.logsumexp(self, dim, keepdim)

    def prod(self, dim=None, keepdim=False):
        return ops.reduce.prod(self, dim, keepdim)

    # shape
    def reshape(self, *shape):
        return ops.shape.reshape(self, *shape)

    view = reshape

    def view_as(self, other):
        return ops.shape.reshape(self, other.shape)

    reshape_as = view_as

    def flatten(self, start_dim=0, end_dim=-1):
        return ops.shape.flatten(self, start_dim, end_dim)

    def permute(self, *dims):
        return ops.shape.permute(self, *dims)

    def flip(self, *dims):
        return ops.shape.flip(self, dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims)

    def transpose(self, dim0, dim1):
        return ops.shape.transpose(self, dim0, dim1)

    def t(self):
        return ops.shape.t(self)

    def unsqueeze(self, dim):
        return ops.shape.unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return ops.shape.squeeze(self, dim)

    def expand(self, *sizes):
        return ops.shape.expand(self, *sizes)

    def expand_as(self, other):
        return ops.shape.expand(self, other.shape)

    def repeat(self, *repeats):
        return ops.shape.repeat(self, *repeats)

    def movedim(self, source, destination):
        """The same tensor with axis `source` moved to position `destination` (a view)."""
        order = [d for d in range(self.dim()) if d != self._axis(source)]
        order.insert(self._axis(destination), self._axis(source))
        return self.permute(*order)

    def select(self, dim, index):
        """The slice at `index` along `dim` (a view, one dimension fewer)."""
        return self[(slice(None),) * self._axis(dim) + (index,)]

    def narrow(self, dim, start, length):
        """Elements start .. start + length - 1 along `dim` (a view)."""
        axis = self._axis(dim)
        if not 0 <= start % max(self.shape[axis], 1) <= self.shape[axis] - length or length < 0:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({self.shape[axis]}).")
        start %= max(self.shape[axis], 1)
        return self[(slice(None),) * axis + (slice(start, start + length),)]

    def split(self, split_size, dim=0):
        return ops.shape.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return ops.shape.chunk(self, chunks, dim)

    # indexing along a dim, sorting, scans
    def gather(self, dim, index):
        return ops.indexing.gather(self, dim, index)

    def scatter(self, dim, index, src=None, value=None, reduce=None):
        return ops.indexing.scatter(self, dim, index, src, value, reduce=reduce)

    def scatter_(self, dim, index, src=None, value=None, reduce=None):
        return self._inplace(lambda t: ops.indexing.scatter(t, dim, index, src, value, reduce=reduce), src)

    def scatter_add(self, dim, index, src):
        return ops.indexing.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim, index, src):
        return self._inplace(lambda t: ops.indexing.scatter_add(t, dim, index, src), src)

    def index_select(self, dim, index):
        return ops.indexing.index_select(self, dim, index)

    def masked_select(self, mask):
        return ops.indexing.masked_select(self, mask)

    def sort(self, dim=-1, descending=False, stable=False):
        return ops.indexing.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return ops.indexing.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return ops.indexing.topk(self, k, dim, largest, sorted)

    def nonzero(self, *, as_tuple=False):
        return ops.indexing.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return ops.indexing.unique(self, sorted, return_inverse, return_counts, dim)

    def cumsum(self, dim, dtype=None):
        return ops.scan.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim, dtype=None):
        return ops.scan.cumprod(self, dim, dtype=dtype)

    def bmm(self, mat2):
        return ops.matmul.bmm(self, mat2)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return ops.sampling.multinomial(self, num_samples, replacement, generator=generator)

    def bernoulli(self, p=None, *, generator=None):
        return ops.sampling.bernoulli(self, p, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None):
        return self._overwrite(ops.sampling.bernoulli(self, p._data if isinstance(p, Tensor) else p, generator=generator)._data)

    # creation helpers
    def new_zeros(self, *size):
        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return Tensor._make(xp.zeros(size, dtype=self._data.dtype))

    def new_ones(self, *size):
        size = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return Tensor._make(xp.ones(size, dtype=self._data.dtype))

    def new_tensor(self, data):
        return Tensor._make(_array_from_data(data).astype(self._data.dtype))


_OVERLAP_MESSAGE = ("unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
                    "single memory location. Please clone() the tensor before performing the operation.")


def _partially_overlap(a, b):
    """PyTorch's partial-overlap test for an in-place op's output a and input b: both non-overlapping and dense
    (each fills one block of memory), their blocks intersect, and they are not the same block. Anything harder
    to tell (a strided column, say) is let through, as in PyTorch."""
    if not xp.may_share_memory(a, b) or not (_dense(a) and _dense(b)):
        return False
    a_start, b_start = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    return (a_start, a.nbytes) != (b_start, b.nbytes)


def _same_elements(a, b):
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0] and a.shape == b.shape
            and a.strides == b.strides)


def _dense(array):
    """The elements of `array` fill a block of array.nbytes bytes (in some order of the axes), each once."""
    expected = array.itemsize
    for stride, size in sorted((abs(st), n) for st, n in zip(array.strides, array.shape) if n > 1):
        if stride != expected:
            return False
        expected *= size
    return True


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
