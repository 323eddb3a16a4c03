"""Each derivative written once: Formula, and the two namespaces its formulas run in.

An op derived from Formula writes its derivative once, as `gradient(self, m, g)`, in Python's operators
(+ - * / ** and comparisons mean the same on arrays and on tensors) and the functions of the namespace m:

- m = ARRAYS on a plain backward: g and the saved values are NumPy arrays and the formula is NumPy arithmetic.
  Nothing is wrapped and no graph is recorded: as fast as a backward written on arrays by hand.
- m = TENSORS when the gradient must itself be differentiable (create_graph=True, a gradient of a gradient):
  g and the saved values are tensors in the graph (an input as that input's tensor, the saved output as this op's
  output) and the formula runs in glasstorch's differentiable ops, so it can be differentiated again, to any order.

For example sigmoid's backward, dL/dx = dL/dy y (1 - y), is the one line `(y,) = m.saved(self);
return g * y * (1 - y)`: the second derivative comes from differentiating that line.

An op whose formula needs what only tensors have (cumprod, einsum, narrow) sets `tensor_only = True`: its plain
backward then runs the same formula on tensors, with no graph recorded.
"""
import math

from ..autograd import function, grad_mode
from ..autograd.function import Function
from ..backend import xp
from ..kernels import unbroadcast


class Formula(Function):
    """An op whose derivative is the one formula `gradient(self, m, grad_output)` (see the module docstring): it
    returns one gradient per input of forward (None where none is wanted)."""

    tensor_only = False

    @staticmethod
    def backward(ctx, grad_output):
        if not ctx.tensor_only:
            return ctx.gradient(ARRAYS, grad_output)
        with grad_mode.no_grad():
            grads = ctx.gradient(TENSORS, function.Tensor._make(grad_output))
        return tuple(None if g is None else g._data for g in _as_tuple(grads))

    def backward_graph(self, grad_output):
        return _as_tuple(self.gradient(TENSORS, grad_output))

    def gradient(self, m, grad_output):
        raise NotImplementedError


def _as_tuple(grads):
    return grads if isinstance(grads, tuple) else (grads,)


def sign_array(x):
    """-1, 0 or 1, and 0 for NaN (PyTorch's sign and sgn)."""
    return xp.where(xp.isnan(x), 0, xp.sign(x)).astype(x.dtype, copy=False) if x.dtype.kind == "f" else xp.sign(x)


def sigmoid_array(x):
    """1 / (1 + e^-x), without overflow for large |x|."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


_erf_objects = xp.frompyfunc(math.erf, 1, 1)


def erf_array(x):
    """erf of every element of an array (math.erf's double precision), in x's dtype."""
    return xp.asarray(_erf_objects(x), dtype=x.dtype)


def sum_to(g, shape):
    """A tensor g summed over the axes it was broadcast along, back to `shape` (unbroadcast, in differentiable ops)."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    lead = g.dim() - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    return g.sum(axes, keepdim=True).reshape(shape)


class ARRAYS:
    """The formula on NumPy arrays (a plain backward)."""

    @staticmethod
    def saved(node):
        """What forward saved, as it saved it (refused if changed in place since)."""
        return node.saved_tensors

    @staticmethod
    def constant(array):
        return array

    sum_to = staticmethod(unbroadcast)          # g summed over the axes it was broadcast along, back to a shape
    where = staticmethod(xp.where)
    zeros_like = staticmethod(xp.zeros_like)

    @staticmethod
    def sum(x, axis):
        """x summed over `axis` (an int, a tuple or None for all), keeping the summed axes with size 1."""
        return xp.sum(x, axis=axis, keepdims=True)

    @staticmethod
    def cast(x, np_dtype):
        return x.astype(np_dtype, copy=False)

    @staticmethod
    def clamp_min(x, low):
        return xp.maximum(x, low)

    exp, log, log1p, sqrt = xp.exp, xp.log, xp.log1p, xp.sqrt
    sin, cos, tanh = xp.sin, xp.cos, xp.tanh
    sign, sigmoid, erf = staticmethod(sign_array), staticmethod(sigmoid_array), staticmethod(erf_array)


class TENSORS:
    """The formula in glasstorch's differentiable ops (a gradient that can be differentiated again)."""

    @staticmethod
    def saved(node):
        """What forward saved, as tensors of the graph: an input's array as that input, the output's as the op's
        output (so that the formula's dependence on them is differentiated), anything else as a constant."""
        Tensor = function.Tensor
        inputs = {id(t._data): t for t in getattr(node, "inputs", ()) if isinstance(t, Tensor)}
        values = []
        for index, array in enumerate(node.saved_tensors):
            if array is None:
                values.append(None)
            elif id(array) in inputs:
                values.append(inputs[id(array)])
            elif index == node.saved_output_index:
                values.append(node.output_tensor(array))
            else:
                values.append(Tensor._make(xp.asarray(array)))
        return tuple(values)

    @staticmethod
    def constant(array):
        return function.Tensor._make(xp.asarray(array))

    sum_to = staticmethod(lambda g, shape: sum_to(g, shape))

    @staticmethod
    def where(condition, a, b):
        if not isinstance(a, function.Tensor):      # a number: b is the tensor whose dtype it takes
            a = function.Tensor._make(xp.asarray(a, dtype=b._data.dtype))
        return a.where(condition, b)

    @staticmethod
    def zeros_like(x):
        return function.Tensor._make(xp.zeros(tuple(x.shape), dtype=x._data.dtype))

    @staticmethod
    def sum(x, axis):
        return x.sum(axis, keepdim=True)

    @staticmethod
    def cast(x, np_dtype):
        from .. import dtypes
        return x.to(dtypes.from_numpy_dtype(np_dtype))

    @staticmethod
    def clamp_min(x, low):
        return x.clamp(min=low)

    erf = staticmethod(lambda x: x.erf())
    exp = staticmethod(lambda x: x.exp())
    log = staticmethod(lambda x: x.log())
    log1p = staticmethod(lambda x: (1 + x).log())
    sqrt = staticmethod(lambda x: x.sqrt())
    sin = staticmethod(lambda x: x.sin())
    cos = staticmethod(lambda x: x.cos())
    tanh = staticmethod(lambda x: x.tanh())
    sign = staticmethod(lambda x: x.sign())
    sigmoid = staticmethod(lambda x: x.sigmoid())
