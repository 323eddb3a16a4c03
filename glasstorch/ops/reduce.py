"""Reductions over dims (int, tuple or None; negatives allowed) with keepdim, each with its backward.

Backward of a reduction first restores the reduced axes (size 1), then broadcasts over them.
"""
import builtins
import collections
import math

from .. import dtypes
from ..autograd import function
from ..autograd.function import Function, LinearMap
from ..backend import xp
from .dims import normalize_dims
from .elementwise import where
from .formula import Formula
from .shape import cat

ValuesIndices = collections.namedtuple("ValuesIndices", ["values", "indices"])


def _expand_back_graph(g, shape, axes, keepdim):
    """_expand_back in differentiable ops."""
    if not keepdim:
        for axis in sorted(axes):
            g = g.unsqueeze(axis)
    return g.expand(shape)


def _expand_back(g, shape, axes, keepdim):
    """Reshape a reduced gradient to broadcast against the input: put back the reduced axes as size 1."""
    if not keepdim:
        g = xp.expand_dims(g, axes)
    return xp.broadcast_to(g, shape)


class Sum(Function):
    """y = sum_i x_i.  dL/dx_i = dL/dy."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.meta = (x.shape, axes, keepdim)
        return xp.sum(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, *ctx.meta), None, None


class Mean(Function):
    """y = (1/n) sum_i x_i.  dL/dx_i = dL/dy / n."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.meta = (x.shape, axes, keepdim)
        ctx.count = builtins.max(1, math.prod(x.shape[a] for a in axes))
        return xp.mean(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g / g.dtype.type(ctx.count), *ctx.meta), None, None


class AllExtremum(Function):
    """y = one element picked from all of x (max, min, median).  dL/dx is split evenly among the elements equal to y
    (among the NaNs when y is NaN), as PyTorch's evenly_distribute_backward."""

    @staticmethod
    def forward(ctx, x, pick):
        out = xp.asarray(pick(x))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def _share(x, out, dtype):
        mask = xp.isnan(x) if xp.isnan(out) else x == out
        return (mask / mask.sum()).astype(dtype)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return g * AllExtremum._share(x, out, g.dtype), None

    def backward_graph(self, g):
        """dL/dx = dL/dy m / |m| is linear in dL/dy; its adjoint sums u over the maxima m, divided by |m|."""
        x, out = self.saved_tensors
        share = self._share(x, out, g._data.dtype)
        return LinearMap.apply(g, lambda grad: grad * share, lambda u: xp.asarray((u * share).sum())), None


class Amax(Function):
    """y = max (or min) of x over `axes`.  dL/dx = dL/dy m / |m|, m the elements equal to their y: ties share the
    gradient evenly (a NaN maximum matches no element, so its slice gets NaN, as in PyTorch)."""

    linear_in = 0       # a fixed mask scaled by 1/|m|: linear in dL/dy

    @staticmethod
    def forward(ctx, x, axes, keepdim, pick):
        out = pick(x, axis=axes, keepdims=True)
        mask = x == out
        with xp.errstate(divide="ignore", invalid="ignore"):
            ctx.share = (mask / mask.sum(axis=axes, keepdims=True)).astype(x.dtype)
        ctx.meta = (x.shape, axes, keepdim)
        return out if keepdim else xp.squeeze(out, axes)

    @staticmethod
    def backward(ctx, g):
        with xp.errstate(invalid="ignore"):
            return _expand_back(g, *ctx.meta) * ctx.share, None, None, None


class DimExtremum(Function):
    """y_j = x_{j, k*} with k* = argmax (or argmin) along dim.  dL/dx_{j,k*} = dL/dy_j, 0 elsewhere."""

    linear_in = 0       # y = x picked at fixed indices

    @staticmethod
    def forward(ctx, x, axis, keepdim, indices):
        ctx.meta = (x.shape, axis, keepdim, indices)
        values = xp.take_along_axis(x, indices, axis=axis)
        return values if keepdim else xp.squeeze(values, axis)

    @staticmethod
    def backward(ctx, g):
        shape, axis, keepdim, indices = ctx.meta
        if not keepdim:
            g = xp.expand_dims(g, axis)
        grad = xp.zeros(shape, dtype=g.dtype)
        xp.put_along_axis(grad, indices, g, axis=axis)
        return grad, None, None, None


def _variance(x, axes, correction, keepdim):
    """sum_i (x_i - m)^2 / (n - c) over `axes` (NaN for an empty slice or n <= c, as in PyTorch)."""
    n = math.prod(x.shape[a] for a in axes)
    with xp.errstate(divide="ignore", invalid="ignore"):
        centered = x - (x.mean(axis=axes, keepdims=True) if n else xp.zeros((), x.dtype))
        return (xp.sum(centered * centered, axis=axes, keepdims=keepdim) / builtins.max(n - correction, 0)).astype(
            x.dtype)


def _variance_gradient(node, g):
    """dL/dx_i = dL/dv 2 (x_i - m) / (n - c), in differentiable ops (n - c = 0 gives inf, and 0 inf = NaN, as in
    PyTorch's formula)."""
    shape, axes, keepdim = node.meta
    x = node.input_tensor(0)
    n = math.prod(shape[a] for a in axes)
    centered = x - x.mean(axes, keepdim=True) if n else x
    return _expand_back_graph(g, *node.meta) * centered * (2 / builtins.max(n - node.correction, 0)
                                                           if n > node.correction else math.inf)


class Var(Formula):
    """v = sum_i (x_i - m)^2 / (n - c).  dL/dx_i = dL/dv * 2 (x_i - m) / (n - c)."""

    tensor_only = True      # written in tensor ops (see ops/formula.py)

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        ctx.save_for_backward(x)
        ctx.meta, ctx.correction = (x.shape, axes, keepdim), correction
        return _variance(x, axes, correction, keepdim)

    def gradient(self, m, g):
        return _variance_gradient(self, g), None, None, None


class Std(Formula):
    """s = sqrt(v).  dL/dx = dL/dv(dL/ds / (2 s)), with 0 in place of dL/ds / (2 s) where s = 0 (a kink, as in
    PyTorch: all values equal give a zero gradient, not 0/0)."""

    tensor_only = True      # written in tensor ops (see ops/formula.py)

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        out = xp.sqrt(_variance(x, axes, correction, keepdim))
        ctx.save_for_backward(x, out)
        ctx.meta, ctx.correction = (x.shape, axes, keepdim), correction
        return out

    def gradient(self, m, g):
        std = self.output_tensor(self.saved_tensors[1])
        return _variance_gradient(self, where(std._data == 0, 0.0, g / (2 * std))), None, None, None


class LogSumExp(Formula):
    """y = m + ln sum_i e^(x_i - m), m = max x (no overflow).  dL/dx_i = dL/dy * softmax(x)_i = dL/dy e^(x_i - y)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        m = xp.max(x, axis=axes, keepdims=True, initial=-xp.inf)      # -inf over nothing: ln 0 = -inf, as PyTorch
        m = xp.where(xp.isfinite(m), m, 0)
        out = xp.log(xp.sum(xp.exp(x - m), axis=axes, keepdims=True)) + m
        out = out if keepdim else xp.squeeze(out, axes)
        ctx.save_for_backward(x, out)
        ctx.kept_shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
        return out

    def gradient(self, m, g):
        x, y = m.saved(self)
        return g.reshape(self.kept_shape) * m.exp(x - y.reshape(self.kept_shape)), None, None


class Prod(Formula):
    """y = prod_i x_i.  dL/dx_i = dL/dy prod_{j != i} x_j, which PyTorch computes, and so glasstorch, as dL/dy y / x_i
    when no element of x is 0 (NaN where x_i is inf or NaN), else as the product of the x before i times the
    product of the x after i (two exclusive running products: exact with zeros, and differentiable again)."""

    tensor_only = True      # written in tensor ops (see ops/formula.py)

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        y = xp.asarray(xp.prod(x)) if axis is None else xp.prod(x, axis=axis, keepdims=keepdim)
        ctx.save_for_backward(x, y)
        ctx.meta = (axis, keepdim)
        return y

    def gradient(self, m, g):
        x_array, y_array = self.saved_tensors
        x, y = self.input_tensor(0), self.output_tensor(y_array)
        axis, keepdim = self.meta
        if x.dim() == 0:
            return g, None, None
        if axis is not None and not keepdim:
            g, y = g.unsqueeze(axis), y.unsqueeze(axis)
        if not (x_array == 0).any():
            return g * (y / x), None, None
        line, along = (x.reshape(-1), 0) if axis is None else (x, axis)
        n = line.shape[along]
        ones = function.Tensor._make(xp.ones_like(xp.take(x_array.reshape(line.shape), [0], axis=along)))
        before = cat([ones, line.narrow(along, 0, n - 1)], along).cumprod(along)
        after = cat([ones, line.narrow(along, 1, n - 1).flip([along])], along).cumprod(along).flip([along])
        return g * (before * after).reshape(x.shape), None, None


# ---------------------------------------------------------------- functional wrappers
def _check_dim(x, dim, op):
    return normalize_dims(dim, x.dim(), op)


def sum(x, dim=None, keepdim=False, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    elif x._data.dtype.kind in "bui":
        x = x.long()
    return Sum.apply(x, _check_dim(x, dim, "sum"), keepdim)


def mean(x, dim=None, keepdim=False, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point "
                           f"or complex dtype. Got: {x.dtype.name.capitalize()}")
    return Mean.apply(x, _check_dim(x, dim, "mean"), keepdim)


def _check_not_empty(x, dim, name, error=IndexError):
    """PyTorch's refusal of a max, min or arg-extremum with no element to pick."""
    if dim is None:
        if x.numel() == 0:
            raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                        f"reduction dim with the 'dim' argument (input of shape {tuple(x.shape)}).")
        return None
    (axis,) = _check_dim(x, dim, name)
    if x.dim() and x.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size (input of shape "
                         f"{tuple(x.shape)}).")
    return axis


def _extremum(x, dim, keepdim, name, pick, arg):
    Tensor = function.Tensor
    axis = _check_not_empty(x, dim, name, RuntimeError)
    if dim is None:
        return AllExtremum.apply(x, pick)
    indices = arg(x._data, axis=axis, keepdims=True)
    values = DimExtremum.apply(x, axis, keepdim, indices)
    if not keepdim:
        indices = xp.squeeze(indices, axis)
    return ValuesIndices(values, Tensor._make(indices.astype(xp.int64)))


def max(x, dim=None, keepdim=False):
    return _extremum(x, dim, keepdim, "max", xp.max, xp.argmax)


def min(x, dim=None, keepdim=False):
    return _extremum(x, dim, keepdim, "min", xp.min, xp.argmin)


def _amax(x, dim, keepdim, name, pick):
    axes = _check_dim(x, dim, name) if x.dim() else (_check_dim(x, dim, name), ())[1]
    if dim is None:
        _check_not_empty(x, None, name, RuntimeError)
    elif any(x.shape[a] == 0 for a in axes):
        raise IndexError(f"{name}(): Expected reduction dim {axes[0]} to have non-zero size (input of shape "
                         f"{tuple(x.shape)})")
    if x._data.dtype == xp.bool_:
        return function.Tensor._make(xp.asarray(pick(x._data, axis=axes, keepdims=keepdim)))
    return Amax.apply(x, axes, keepdim, pick)


def amax(x, dim=(), keepdim=False):
    """The largest value over `dim` (all dims by default); ties share the gradient evenly."""
    return _amax(x, dim if dim != () else None, keepdim, "amax", xp.max)


def amin(x, dim=(), keepdim=False):
    return _amax(x, dim if dim != () else None, keepdim, "amin", xp.min)


def _lower_median_index(values, axis):
    """Per slice along `axis`: the index of the lower median (the ((n - 1) // 2)-th smallest; with a NaN, the
    first NaN, since a NaN makes the median NaN)."""
    order = xp.argsort(values, axis=axis, kind="stable")        # NaNs sort last
    middle = xp.take(order, [(values.shape[axis] - 1) // 2], axis=axis)
    nan = xp.isnan(values) if values.dtype.kind == "f" else xp.zeros(values.shape, bool)
    first_nan = xp.argmax(nan, axis=axis, keepdims=True)
    return xp.where(nan.any(axis=axis, keepdims=True), first_nan, middle)


def median(x, dim=None, keepdim=False):
    """The lower median: for n values, the ((n - 1) // 2)-th smallest (no average of the two middle ones), NaN if
    any is NaN. Without dim the gradient is shared by the elements equal to it; with dim it goes to the index."""
    Tensor = function.Tensor
    if dim is None:
        flat = x._data.reshape(-1)
        if flat.size == 0:      # NaN, in the graph (its gradient is empty)
            return AllExtremum.apply(x, lambda a: xp.asarray(xp.nan, dtype=flat.dtype))
        return AllExtremum.apply(x, lambda a: flat[_lower_median_index(flat, 0)[0]])
    (axis,) = _check_dim(x, dim, "median")
    if x.dim() and x.shape[axis] == 0:
        raise IndexError(f"median(): Expected reduction dim {axis} to have non-zero size (input of shape "
                         f"{tuple(x.shape)})")
    if x.dim() == 0:
        return ValuesIndices(x.clone(), Tensor._make(xp.asarray(0, dtype=xp.int64)))
    indices = _lower_median_index(x._data, axis)
    values = DimExtremum.apply(x, axis, keepdim, indices)
    if not keepdim:
        indices = xp.squeeze(indices, axis)
    return ValuesIndices(values, Tensor._make(indices.astype(xp.int64)))


def _arg_extremum(x, dim, keepdim, arg):
    Tensor = function.Tensor
    if x._data.dtype == xp.bool_:
        raise RuntimeError(f"{arg.__name__}(): does not support bool input")
    _check_not_empty(x, dim, arg.__name__)
    if dim is None:
        return Tensor._make(xp.asarray(arg(x._data.reshape(-1)), dtype=xp.int64))
    (axis,) = _check_dim(x, dim, arg.__name__)
    return Tensor._make(xp.asarray(arg(x._data, axis=axis, keepdims=keepdim), dtype=xp.int64))


def argmax(x, dim=None, keepdim=False):
    return _arg_extremum(x, dim, keepdim, xp.argmax)


def argmin(x, dim=None, keepdim=False):
    return _arg_extremum(x, dim, keepdim, xp.argmin)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return Var.apply(x, _check_dim(x, dim, "var"), _correction(unbiased, correction), keepdim)


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return Std.apply(x, _check_dim(x, dim, "std"), _correction(unbiased, correction), keepdim)


def logsumexp(x, dim, keepdim=False):
    if not x.dtype.is_floating_point:
        x = x.to(dtypes.get_default_dtype())       # integers and bools give the default float, as in PyTorch
    return LogSumExp.apply(x, _check_dim(x, dim, "logsumexp"), keepdim)


def prod(x, dim=None, keepdim=False, *, dtype=None):
    """The product over dim (all elements by default), computed in `dtype` when given (x cast first)."""
    x = x if dtype is None else x.to(dtype)
    if dim is None:
        return Prod.apply(x, None, False)
    (axis,) = _check_dim(x, dim, "prod")
    return Prod.apply(x, axis, keepdim)
