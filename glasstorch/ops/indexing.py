"""Indexing along a dim: gather, scatter, scatter_add, index_select, masked_select, sort, topk, and the
integer-valued queries (nonzero, unique). gather is the one differentiable pick-by-index the others reuse.

gather and scatter are adjoint: y = gather(x, d, idx) has dL/dx = scatter_add(0, d, idx, dL/dy), and
y = scatter_add(x, d, idx, s) has dL/ds = gather(dL/dy, d, idx).
"""
import collections

from ..autograd import function
from ..autograd.function import Function
from ..backend import xp
from .dims import normalize_dims
from .shape import add_at, getitem

ValuesIndices = collections.namedtuple("ValuesIndices", ["values", "indices"])


def along_axis(index, axis):
    """The fancy index that picks x[i_0, ..., index[i], ..., i_n] for every position i of `index`
    (PyTorch's gather/scatter addressing: index may be smaller than x in every dim)."""
    grid = list(xp.indices(index.shape, sparse=True))
    grid[axis] = index
    return tuple(grid)


class Gather(Function):
    """y[i] = x[i with i_d replaced by idx[i]].  dL/dx = dL/dy added into the picked places (repeats add up)."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x, axis, index):
        ctx.x_shape, ctx.picked = x.shape, along_axis(index, axis)
        return x[ctx.picked]

    @staticmethod
    def backward(ctx, g):
        grad = xp.zeros(ctx.x_shape, dtype=g.dtype)
        add_at(grad, ctx.picked, g)
        return grad, None, None


class Scatter(Function):
    """y = x with y[i with i_d = idx[i]] = s[i] (or += s[i] with accumulate).

    dL/dx = dL/dy, zeroed where scatter overwrote (not with accumulate);  dL/ds = dL/dy gathered at idx."""

    @staticmethod
    def forward(ctx, x, source, axis, index, accumulate):
        ctx.placed, ctx.accumulate = along_axis(index, axis), accumulate
        ctx.source_shape, ctx.index_shape = xp.shape(source), index.shape
        values = source[tuple(slice(0, n) for n in index.shape)] if xp.ndim(source) else source
        out = x.copy()
        if accumulate:
            add_at(out, ctx.placed, values)
        else:
            out[ctx.placed] = values
        return out

    @staticmethod
    def backward(ctx, g):
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = g
            if not ctx.accumulate:
                gx = g.copy()
                gx[ctx.placed] = 0
        if ctx.needs_input_grad[1]:
            gs = xp.zeros(ctx.source_shape, dtype=g.dtype)
            gs[tuple(slice(0, n) for n in ctx.index_shape)] = g[ctx.placed]
        return gx, gs, None, None, None

    def backward_graph(self, g):
        Tensor = function.Tensor
        from .shape import pad

        gx = gs = None
        if self.needs_input_grad[0]:
            gx = g
            if not self.accumulate:
                kept = xp.ones(g.shape, g._data.dtype)
                kept[self.placed] = 0
                gx = g * Tensor._make(kept)
        if self.needs_input_grad[1]:
            gs = getitem(g, self.placed)
            widths = [w for n, s in zip(reversed(self.index_shape), reversed(self.source_shape)) for w in (0, s - n)]
            gs = pad(gs, widths) if any(widths) else gs
        return gx, gs, None, None, None


def _check_index(x, dim, index, op, source=None):
    (axis,) = normalize_dims(dim, x.dim(), op)
    array = index._data if hasattr(index, "_data") else xp.asarray(index)
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
    array = array.astype(xp.int64, copy=False)
    if array.ndim != x.dim() and not (array.ndim <= 1 and x.dim() <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d, n in enumerate(array.shape):
        if d != axis and n > (x.shape[d] if x.dim() else 1):
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(array.shape)} to be "
                               f"smaller than self {list(x.shape)} apart from dimension {axis}")
        if source is not None and n > source.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(array.shape)} to be "
                               f"smaller than src {list(source.shape)}")
    if array.size and (array.min() < -x.shape[axis] or array.max() >= x.shape[axis]):
        raise RuntimeError(f"{op}(): index {int(array.max() if array.max() >= x.shape[axis] else array.min())} is "
                           f"out of bounds for dimension {axis} with size {x.shape[axis]}")
    return axis, array.reshape(array.shape if x.dim() else ())


def gather(input, dim, index, *, sparse_grad=False):
    axis, array = _check_index(input, dim, index, "gather")
    return Gather.apply(input, axis, array)


def _scatter(input, dim, index, src, accumulate, op):
    Tensor = function.Tensor
    source = src if isinstance(src, Tensor) else None
    axis, array = _check_index(input, dim, index, op, source)
    if source is not None and source.dtype != input.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    return Scatter.apply(input, src, axis, array, accumulate)


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is deprecated in PyTorch; use scatter_add or scatter_reduce")
    return _scatter(input, dim, index, src if src is not None else value, False, "scatter")


def scatter_add(input, dim, index, src):
    return _scatter(input, dim, index, src, True, "scatter_add")


def index_select(input, dim, index):
    (axis,) = normalize_dims(dim, input.dim(), "index_select")
    array = index._data if hasattr(index, "_data") else xp.asarray(index)
    if array.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if array.dtype.kind not in "iu":
        raise IndexError("index_select(): Expected dtype int32 or int64 for index")
    size = input.shape[axis] if input.dim() else 1
    outside = array[(array < -size) | (array >= size)]
    if outside.size:
        raise IndexError(f"index_select(): index {int(outside[0])} is out of range for dim {axis} of size {size}")
    return getitem(input, (slice(None),) * axis + (array.reshape(-1),))


def masked_select(input, mask):
    Tensor = function.Tensor
    mask = mask._data if isinstance(mask, Tensor) else xp.asarray(mask)
    if mask.dtype != bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = xp.broadcast_shapes(tuple(input.shape), mask.shape)
    return getitem(input.expand(*shape), xp.broadcast_to(mask, shape))


def _order(array, axis, descending, stable):
    """Positions that sort `array` along axis; ties keep their order (PyTorch's stable sort, also descending)."""
    if descending:
        flipped = xp.flip(array, axis)
        order = xp.flip(xp.argsort(flipped, axis=axis, kind="stable"), axis)
        return (array.shape[axis] - 1 - order) if array.ndim else order
    return xp.argsort(array, axis=axis, kind="stable")


def sort(input, dim=-1, descending=False, stable=False):
    """values = x sorted along dim, indices = where each came from; values = gather(x, dim, indices)."""
    if input.dim() == 0:
        return ValuesIndices(input.clone(), _long(xp.zeros((), xp.int64)))
    (axis,) = normalize_dims(dim, input.dim(), "sort")
    indices = _order(input._data, axis, descending, stable)
    return ValuesIndices(Gather.apply(input, axis, indices), _long(indices))


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending, stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    (axis,) = normalize_dims(dim, input.dim(), "topk")
    size = input.shape[axis] if input.dim() else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"topk: selected index k out of range (k = {k}, dim {axis} has {size} elements)")
    indices = _order(input._data, axis, largest, True)
    indices = indices[(slice(None),) * axis + (slice(0, k),)] if input.dim() else indices
    return ValuesIndices(Gather.apply(input, axis, indices) if input.dim() else input.clone(), _long(indices))


def _long(array):
    Tensor = function.Tensor
    return Tensor._make(xp.ascontiguousarray(array, dtype=xp.int64))


def nonzero(input, *, as_tuple=False):
    positions = xp.argwhere(input._data)
    if as_tuple:
        if input.dim() == 0:
            return (_long(xp.zeros(int(bool(input._data)), xp.int64)),)
        return tuple(_long(positions[:, k]) for k in range(input.dim()))
    return _long(positions)


def argwhere(input):
    return nonzero(input)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    Tensor = function.Tensor
    if dim is not None:
        (dim,) = normalize_dims(dim, input.dim(), "unique")
    values, inverse, counts = xp.unique(input._data, return_inverse=True, return_counts=True, axis=dim)
    out = [Tensor._make(values)]
    if return_inverse:
        out.append(_long(inverse.reshape(input.shape) if dim is None else inverse.reshape(-1)))
    if return_counts:
        out.append(_long(counts))
    return out[0] if len(out) == 1 else tuple(out)
