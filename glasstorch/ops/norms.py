"""Vector and matrix norms (torch.linalg.vector_norm, matrix_norm, norm and Tensor.norm).

    ||x||_p = (sum_i |x_i|^p)^(1/p),   ||x||_inf = max |x_i|,   ||x||_-inf = min |x_i|,   ||x||_0 = #{x_i != 0}

    dL/dx_i = dL/dn sign(x_i) |x_i|^(p-1) / n^(p-1)     (p = 2: dL/dn x_i / n)

At x = 0 the norm has a kink; the gradient there is 0, the subgradient PyTorch defines (not the 0/0 = NaN of the
formula). For p = +-inf the gradient is shared by the elements of largest (smallest) size, with their signs.
Matrix norms: 'fro' is the 2-norm of all entries; 1 and inf are the largest column and row sums of |A|
(-1, -inf the smallest), built from vector norms and amax, so their gradients come from those ops.
"""
import math

from ..autograd import function
from ..backend import xp
from .dims import normalize_dims
from .elementwise import where
from .formula import Formula
from .reduce import _expand_back_graph, amax, amin


class VectorNorm(Formula):
    """n = ||x||_p over `axes` (see the module docstring for the gradient)."""

    tensor_only = True      # written in tensor ops (see ops/formula.py)

    @staticmethod
    def forward(ctx, x, ord, axes, keepdim):
        ctx.ord, ctx.meta = ord, (x.shape, axes, keepdim)
        size = xp.abs(x)
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if ord == 0:
                out = xp.sum(size != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
            elif ord == math.inf:
                out = xp.max(size, axis=axes, keepdims=keepdim)
            elif ord == -math.inf:
                out = xp.min(size, axis=axes, keepdims=keepdim)
            elif ord == 1:
                out = xp.sum(size, axis=axes, keepdims=keepdim)
            elif ord == 2:
                out = xp.sqrt(xp.sum(size * size, axis=axes, keepdims=keepdim))
            else:
                out = xp.sum(size ** ord, axis=axes, keepdims=keepdim) ** (1 / ord)
        out = xp.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        return out

    def gradient(self, m, g):
        x, p = self.input_tensor(0), self.ord
        g = _expand_back_graph(g, *self.meta)
        if p == 0:
            return g * 0, None, None, None
        if p == 1:
            return g * x.sign(), None, None, None
        norm = _expand_back_graph(self.output_tensor(self.saved_tensors[1]), *self.meta)
        size = x.abs()
        if math.isinf(p):
            picked = (size._data == norm._data) | xp.isnan(size._data)
            mask = function.Tensor._make(picked.astype(x._data.dtype))
            count = function.Tensor._make(picked.sum(axis=self.meta[1], keepdims=True).astype(x._data.dtype))
            return x.sign() * (g / count * mask), None, None, None
        at_zero = norm._data == 0         # where() takes a bool array as its condition
        if p == 2:                        # PyTorch's form, whose second derivative is NaN at x = 0 (0 / 0)
            return g * where(at_zero, 0.0, x / norm), None, None, None
        if p < 1:
            scaled = where(x._data == 0, 0.0, x.sign() * size ** (p - 1))
            return scaled * g * norm ** (1 - p), None, None, None
        scaled = x * size ** (p - 2) if p >= 2 else x.sign() * size ** (p - 1)
        return scaled * where(at_zero, 0.0, g / norm ** (p - 1)), None, None, None


def _check_floating(x, op):
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {x.dtype.name.capitalize()}")


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """||x||_ord over `dim` (all dims by default), as if x were flattened."""
    if dtype is not None:
        x = x.to(dtype)
    _check_floating(x, "linalg.vector_norm")
    if not isinstance(ord, (int, float)) or isinstance(ord, bool):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    axes = normalize_dims(dim, x.dim(), "linalg.vector_norm") if x.dim() else ()
    if ord < 0 or math.isinf(ord):
        empty = x.numel() == 0 if dim is None else any(x.shape[a] == 0 for a in axes)
        if empty:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
                               f"operation does not have an identity (input of shape {tuple(x.shape)})")
    return VectorNorm.apply(x, ord, axes, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """||A||_ord of the matrices on the two dims `dim`: 'fro', 1, -1, inf, -inf."""
    if dtype is not None:
        A = A.to(dtype)
    _check_floating(A, "linalg.matrix_norm")
    if A.dim() < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions (got shape "
                           f"{tuple(A.shape)})")
    rows, cols = normalize_dims(dim[0], A.dim(), "linalg.matrix_norm")[0], \
        normalize_dims(dim[1], A.dim(), "linalg.matrix_norm")[0]
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs singular values, which glasstorch does "
                                  "not compute; use 'fro', 1, -1, inf or -inf")
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    summed, over = (rows, cols) if abs(ord) == 1 else (cols, rows)
    pick = amax if ord > 0 else amin
    result = pick(vector_norm(A, 1, summed, keepdim=True), over, keepdim=True)
    return result if keepdim else result.squeeze((rows, cols))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: a vector norm over one dim (or all, when ord is None), a matrix norm over two."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or dim is None and ord is not None and A.dim() == 2:
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if dim is None and ord is not None and A.dim() != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.dim()}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def tensor_norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm / Tensor.norm: 'fro' is the 2-norm of the entries over `dim`, 'nuc' a matrix norm, a number p
    the vector p-norm over `dim` (all dims by default)."""
    if p == "nuc":
        return matrix_norm(x, p, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(x, 2 if p == "fro" else p, dim, keepdim, dtype=dtype)
