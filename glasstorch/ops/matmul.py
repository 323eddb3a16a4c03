"""Matrix product with NumPy's matmul rules (1-D operands, broadcast batch dims)."""
from ..autograd.function import Function
from ..backend import sum_rows, unbroadcast, xp
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
        from .elementwise import sum_to

        self.saved_tensors
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
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({left} and {right})")
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
        grad_b = sum_rows(g_rows) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b

    def backward_graph(self, g):
        self.saved_tensors
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
