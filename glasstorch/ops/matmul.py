"""Matrix product with NumPy's matmul rules (1-D operands, broadcast batch dims)."""
from .. import kernels
from ..autograd import function
from ..autograd.function import Function
from ..backend import xp
from ..kernels import unbroadcast
from .formula import Formula
from .promotion import promote


class MatMul(Function):
    """Y = A B.  dL/dA = dL/dY B^T,  dL/dB = A^T dL/dY (summed over broadcast batch dims).

    A 1-D A is treated as a row (1, k), a 1-D B as a column (k, 1); those axes are dropped again.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.a_shape, ctx.b_shape = a.shape, b.shape
        ctx.save_for_backward(a if ctx.needs_grad(1) else None, b if ctx.needs_grad(0) else None)
        return xp.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_shape, b_shape = ctx.a_shape, ctx.b_shape
        a2_shape = (1,) + a_shape if len(a_shape) == 1 else a_shape
        b2_shape = b_shape + (1,) if len(b_shape) == 1 else b_shape
        if len(b_shape) == 1:
            g = g[..., None]
        if len(a_shape) == 1:
            g = xp.expand_dims(g, -2)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = unbroadcast(xp.matmul(g, xp.swapaxes(b.reshape(b2_shape), -1, -2)), a2_shape).reshape(a_shape)
        if ctx.needs_input_grad[1]:
            gb = unbroadcast(xp.matmul(xp.swapaxes(a.reshape(a2_shape), -1, -2), g), b2_shape).reshape(b_shape)
        return ga, gb

    def backward_graph(self, g):
        from .formula import sum_to

        self.check_saved_unchanged()
        a, b = self.input_tensor(0), self.input_tensor(1)
        a2 = a.unsqueeze(0) if a.dim() == 1 else a
        b2 = b.unsqueeze(-1) if b.dim() == 1 else b
        if b.dim() == 1:
            g = g.unsqueeze(-1)
        if a.dim() == 1:
            g = g.unsqueeze(-2)
        ga = sum_to(g @ b2.transpose(-1, -2), a2.shape).reshape(a.shape) if self.needs_input_grad[0] else None
        gb = sum_to(a2.transpose(-1, -2) @ g, b2.shape).reshape(b.shape) if self.needs_input_grad[1] else None
        return ga, gb


def matmul(a, b):
    if a.dim() == 0 or b.dim() == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.dim()}D and {b.dim()}D")
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.dim() == 1 else b.shape[-2]
    if k_a != k_b:
        left = "x".join(map(str, a.shape if a.dim() > 1 else (1,) + a.shape))
        right = "x".join(map(str, b.shape if b.dim() > 1 else b.shape + (1,)))
        raise RuntimeError(f"matmul: mat1 and mat2 shapes cannot be multiplied ({left} and {right})")
    if a._data.dtype != b._data.dtype and a._data.dtype.kind == "f" == b._data.dtype.kind:
        raise RuntimeError(f"matmul: expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")
    return MatMul.apply(*promote(a, b))


class Linear(Function):
    """y = x W^T + b, x: (..., in), W: (out, in).

    dL/dx = dL/dy W,  dL/dW = dL/dy^T x (over all leading axes),  dL/db = sum of dL/dy over leading axes.
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x if ctx.needs_grad(1) else None, weight if ctx.needs_grad(0) else None)
        ctx.has_bias = bias is not None
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        g_rows = g.reshape(-1, g.shape[-1])
        grad_x = g @ weight if ctx.needs_input_grad[0] else None
        grad_w = g_rows.T @ x.reshape(-1, x.shape[-1]) if ctx.needs_input_grad[1] else None
        grad_b = kernels.active().sum_rows(g_rows) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b

    def backward_graph(self, g):
        self.check_saved_unchanged()
        x, weight = self.input_tensor(0), self.input_tensor(1)
        g_rows = g.reshape(-1, g.shape[-1])
        grad_x = g @ weight if self.needs_input_grad[0] else None
        grad_w = g_rows.t() @ x.reshape(-1, x.shape[-1]) if self.needs_input_grad[1] else None
        grad_b = g_rows.sum(0) if self.has_bias and self.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b


def linear(input, weight, bias=None):
    if input.dim() == 0 or input.shape[-1] != weight.shape[-1]:
        raise RuntimeError(f"linear: input has {input.shape[-1] if input.dim() else 0} features (input shape "
                           f"{tuple(input.shape)}) but the weight of shape {tuple(weight.shape)} expects "
                           f"{weight.shape[-1]}")
    input, weight = promote(input, weight)
    if bias is not None:
        bias = bias.to(weight.dtype)
    return Linear.apply(input, weight, bias)


def bmm(input, mat2):
    """Batched matrix product (b, n, m) @ (b, m, p) -> (b, n, p); no broadcasting, as in PyTorch."""
    if input.dim() != 3 or mat2.dim() != 3:
        raise RuntimeError(f"bmm: batch{1 if input.dim() != 3 else 2} must be a 3D tensor (got shapes "
                           f"{tuple(input.shape)} and {tuple(mat2.shape)})")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{input.shape[0]}, "
                           f"{input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    return matmul(input, mat2)


def _einsum_subscripts(equation, shapes):
    """Explicit per-operand subscripts and output subscripts, '...' spelled out in spare letters."""
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(terms) else "einsum(): fewer operands were provided than specified "
                           "in the equation")
    used = set(c for c in equation if c.isalpha())
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    ellipsis_rank = max((len(shape) - len(term.replace("...", "")) for term, shape in zip(terms, shapes)
                         if "..." in term), default=0)
    dots = "".join(spare[:ellipsis_rank])
    explicit = []
    for term, shape in zip(terms, shapes):
        if "..." in term:
            k = len(shape) - len(term.replace("...", ""))
            term = term.replace("...", dots[ellipsis_rank - k:])
        if len(term) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(term)}) does not match the "
                               f"number of dimensions ({len(shape)}) for operand and no ellipsis was given")
        explicit.append(term)
    if arrow:
        output = output.replace("...", dots)
    else:
        letters = "".join(explicit)
        output = dots + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in dots))
    return explicit, output


class Einsum(Formula):
    """y = einsum(eq, A_1, ..., A_n), a sum of products over the letters missing from the output.

    dL/dA_k = the same sum with A_k's place taken by dL/dy, over A_k's distinct letters (an einsum again, so
    differentiable to any order): a letter only A_k has is broadcast back, and a repeated letter ('ii', A_k's
    diagonal) puts the sum on the diagonal, through a Kronecker delta: dL/dA_ij = dL/dy_i delta_ij for 'ii->i'."""

    tensor_only = True      # written in tensor ops (see ops/formula.py)

    @staticmethod
    def forward(ctx, terms, output, *operands):
        ctx.terms, ctx.output = terms, output
        ctx.save_for_backward(*operands)
        return xp.asarray(xp.einsum(",".join(terms) + "->" + output, *operands, optimize=len(operands) > 2))

    def gradient(self, m, g):
        operands = [self.input_tensor(k) for k in range(2, len(self.inputs))]
        return (None, None) + tuple(_einsum_operand_grad(self.terms, self.output, operands, k, g)
                                    if self.needs_input_grad[k + 2] else None for k in range(len(operands)))


def _einsum_operand_grad(terms, output, operands, k, g):
    """dL/dA_k for Einsum (see there), in differentiable ops."""
    term, operand = terms[k], operands[k]
    others = [t for j, t in enumerate(terms) if j != k]
    available = set(output).union(*others)
    distinct = "".join(dict.fromkeys(term))
    grad = einsum(",".join([output] + others) + "->" + "".join(c for c in distinct if c in available),
                  g, *(o for j, o in enumerate(operands) if j != k))
    sizes = dict(zip(term, operand.shape))
    for axis, c in enumerate(distinct):
        if c not in available:              # summed over in A_k alone: every position got the same dL/dy
            grad = grad.unsqueeze(axis)
    grad = grad.expand(*(sizes[c] for c in distinct))
    if distinct == term:
        return grad
    spare = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in "".join(terms) + output)
    renamed, deltas = "", []
    for c in term:                          # 'ii' -> 'iA' with delta_iA
        if c in renamed:
            deltas.append((c, next(spare)))
            renamed += deltas[-1][1]
        else:
            renamed += c
    eyes = [function.Tensor._make(xp.eye(sizes[c], dtype=g.dtype.numpy)) for c, _ in deltas]
    return einsum(",".join([distinct] + [c + d for c, d in deltas]) + "->" + renamed, grad, *eyes)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, output = _einsum_subscripts(equation, [tuple(o.shape) for o in operands])
    sizes = {}
    for term, operand in zip(terms, operands):
        for c, n in zip(term, operand.shape):
            if sizes.setdefault(c, n) != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes (original->remapped): "
                                   f"subscript {c} has size {sizes[c]} and {n}")
    return Einsum.apply(tuple(terms), output, *operands)
