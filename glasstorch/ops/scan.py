"""Running sums and products along a dim.

cumsum: y_j = sum_{i<=j} x_i, linear, so dL/dx_i = sum_{j>=i} dL/dy_j (a cumsum of dL/dy from the end).
cumprod: y_j = prod_{i<=j} x_i, so dL/dx_i = sum_{j>=i} dL/dy_j prod_{k<=j, k!=i} x_k, which is
sum_{j>=i} dL/dy_j y_j / x_i where x_i != 0; lines holding a zero take the product without it directly.
"""
from ..autograd import function
from ..autograd.function import Function
from ..backend import xp
from .dims import normalize_dims


def reverse_cumsum(g, axis):
    return xp.flip(xp.cumsum(xp.flip(g, axis), axis=axis), axis)


class CumSum(Function):
    """y_j = sum_{i<=j} x_i.  dL/dx_i = sum_{j>=i} dL/dy_j."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return xp.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return reverse_cumsum(g, ctx.axis), None


class CumProd(Function):
    """y_j = prod_{i<=j} x_i.  dL/dx_i = sum_{j>=i} dL/dy_j prod_{k<=j, k!=i} x_k."""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        y = xp.cumprod(x, axis=axis)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        axis = ctx.axis
        with xp.errstate(divide="ignore", invalid="ignore"):
            grad = reverse_cumsum(g * y, axis) / x
        x_last, g_last = xp.moveaxis(x, axis, -1), xp.moveaxis(g, axis, -1)
        zero_lines = (x_last == 0).any(axis=-1)
        if zero_lines.any():
            xs, gs = x_last[zero_lines], g_last[zero_lines]
            exact = xp.zeros_like(xs)
            for i in range(xs.shape[-1]):       # the running product with x_i left out
                without = xs.copy()
                without[:, i] = 1
                exact[:, i] = (gs[:, i:] * xp.cumprod(without, axis=-1)[:, i:]).sum(axis=-1)
            moved = xp.moveaxis(grad, axis, -1).copy()
            moved[zero_lines] = exact
            grad = xp.moveaxis(moved, -1, axis)
        return grad, None

    def backward_graph(self, g):
        """dL/dx_i = sum_{j>=i} dL/dy_j prod_{k<=j,k!=i} x_k, as glasstorch ops: the masked products of x."""
        Tensor = function.Tensor
        x = self.input_tensor(0)
        axis, n = self.axis, x.shape[self.axis]
        if n == 0:
            return g, None      # nothing to differentiate along an empty dim
        grads = []
        for i in range(n):
            keep = xp.ones(x.shape, dtype=x._data.dtype)
            skip = xp.zeros(x.shape, dtype=x._data.dtype)
            index = (slice(None),) * axis + (i,)
            keep[index], skip[index] = 0, 1
            products = cumprod(x * Tensor._make(keep) + Tensor._make(skip), axis)    # x_i replaced by 1
            later = (slice(None),) * axis + (slice(i, None),)
            grads.append((g[later] * products[later]).sum(axis, keepdim=True))
        from .shape import cat

        return cat(grads, axis), None


def cumsum(input, dim, *, dtype=None):
    (axis,) = normalize_dims(dim, max(input.dim(), 1), "cumsum")
    x = input if dtype is None else input.to(dtype)
    if x.dtype.is_floating_point is False and dtype is None:
        x = x.long()        # PyTorch sums integers (and bools) in int64
    return CumSum.apply(x, axis) if x.dim() else x.clone()


def cumprod(input, dim, *, dtype=None):
    (axis,) = normalize_dims(dim, max(input.dim(), 1), "cumprod")
    x = input if dtype is None else input.to(dtype)
    if x.dtype.is_floating_point is False and dtype is None:
        x = x.long()
    return CumProd.apply(x, axis) if x.dim() else x.clone()
