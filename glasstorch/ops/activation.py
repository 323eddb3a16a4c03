"""Softmax and log-softmax along a dim, computed stably by subtracting the max first."""
import warnings

from ..autograd.function import Function
from ..backend import xp
from .dims import normalize_dims


def log_softmax_array(x, axis):
    """log softmax(x)_i = x_i - m - ln sum_j e^(x_j - m), m = max_j x_j (no overflow for |x| ~ 1e4)."""
    shifted = x - xp.max(x, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


class Softmax(Function):
    """s = softmax(x).  dL/dx = s * (dL/ds - sum_j dL/ds_j s_j)."""

    @staticmethod
    def forward(ctx, x, axis):
        out = xp.exp(log_softmax_array(x, axis))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return s * (g - xp.sum(g * s, axis=ctx.axis, keepdims=True)), None

    def backward_graph(self, g):
        s = self.output_tensor(self.saved_tensors[0])
        return s * (g - (g * s).sum(self.axis, keepdim=True)), None


class LogSoftmax(Function):
    """y = log softmax(x).  dL/dx = dL/dy - softmax(x) * sum_j dL/dy_j."""

    @staticmethod
    def forward(ctx, x, axis):
        out = log_softmax_array(x, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g - xp.exp(out) * xp.sum(g, axis=ctx.axis, keepdims=True), None

    def backward_graph(self, g):
        y = self.output_tensor(self.saved_tensors[0])
        return g - y.exp() * g.sum(self.axis, keepdim=True), None


def _softmax_axis(x, dim, name):
    if dim is None:
        dim = 0 if x.dim() in (0, 1, 3) else 1
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                      "as an argument.", UserWarning, stacklevel=3)
    axis = normalize_dims(dim, x.dim(), name)[0]
    return axis if x.dim() else None       # a 0-d tensor: its one element is the whole softmax


def _check_floating(x, op):
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f"{op}: \"{op}_lastdim_kernel_impl\" not implemented for "
                                  f"'{x.dtype.name.capitalize()}' (pass dtype=torch.float32)")


def softmax(x, dim=None, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    _check_floating(x, "softmax")
    return Softmax.apply(x, _softmax_axis(x, dim, "softmax"))


def log_softmax(x, dim=None, dtype=None):
    if dtype is not None:
        x = x.to(dtype)
    _check_floating(x, "log_softmax")
    return LogSoftmax.apply(x, _softmax_axis(x, dim, "log_softmax"))
