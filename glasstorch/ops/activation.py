"""Activations: ReLU and its relatives, sigmoid, tanh, GELU, softplus, ELU, and softmax / log-softmax along a dim
(computed stably by subtracting the max first). Each forward beside its derivative (ops/formula.py); ReLU runs on
the kernel set in effect (kernels.reference.relu and relu_backward)."""
import math
import warnings

from .. import kernels
from ..autograd.function import Function
from ..backend import xp
from .dims import normalize_dims
from .elementwise import _floating, _Unary
from .formula import ARRAYS, Formula, sigmoid_array

# GELU's tanh approximation of the normal CDF (Hendrycks & Gimpel): Phi(x) ~= (1 + tanh(k (x + c x^3))) / 2
GELU_TANH_SLOPE = math.sqrt(2 / math.pi)     # k
GELU_TANH_CUBIC = 0.044715                   # c


# ---------------------------------------------------------------- piecewise linear: f'' = 0, so f' is a constant
class Relu(Function):
    """y = max(x, 0), keeping -0.0 and NaN.  dL/dx = dL/dy [not y <= 0] (a NaN passes the gradient on)."""

    piecewise_linear = True

    @staticmethod
    def forward(ctx, x):
        kernel_set = ctx.kernels = kernels.active()
        out = kernel_set.relu(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return ctx.kernels.relu_backward(g, y)


class LeakyRelu(Function):
    """y = x if x > 0 else s x.  dL/dx = dL/dy * (1 if x > 0 else s)."""

    piecewise_linear = True

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.slope = negative_slope
        return xp.where(x > 0, x, x * x.dtype.type(negative_slope))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return xp.where(x > 0, g, g * g.dtype.type(ctx.slope)), None


class Hardtanh(Function):
    """y = min(max(x, lo), hi).  dL/dx = dL/dy where lo < x < hi, else 0 (the flat ends and their corners; a NaN
    passes the gradient on, as in PyTorch)."""

    piecewise_linear = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return xp.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ~((x <= ctx.lo) | (x >= ctx.hi)), None, None


# ---------------------------------------------------------------- smooth
class Sigmoid(_Unary):
    """y = 1 / (1 + e^-x).  dL/dx = dL/dy y (1 - y)."""

    function, uses_output = staticmethod(sigmoid_array), True
    slope = staticmethod(lambda m, y: y * (1 - y))


class Tanh(_Unary):
    """y = tanh x.  dL/dx = dL/dy (1 - y^2)."""

    function, uses_output = staticmethod(xp.tanh), True
    slope = staticmethod(lambda m, y: 1 - y * y)


class Gelu(Formula):
    """y = x Phi(x), Phi the standard normal CDF.  dL/dx = dL/dy (Phi(x) + x phi(x)), phi = Phi' the normal density.

    approximate='tanh': Phi(x) ~= (1 + t) / 2 with t = tanh(k (x + c x^3)), so
    dL/dx = dL/dy ((1 + t) / 2 + x (1 - t^2) k (1 + 3 c x^2) / 2).
    """

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        return xp.asarray(x * _normal_cdf(ARRAYS, x, approximate), dtype=x.dtype)

    def gradient(self, m, g):
        (x,) = m.saved(self)
        if self.approximate == "tanh":
            t = m.tanh(GELU_TANH_SLOPE * (x + GELU_TANH_CUBIC * x ** 3))
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_TANH_SLOPE * (1 + 3 * GELU_TANH_CUBIC * x * x)), None
        density = m.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return g * (_normal_cdf(m, x, "none") + x * density), None


def _normal_cdf(m, x, approximate):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, or its tanh approximation, in namespace m (ARRAYS for the forward)."""
    if approximate == "tanh":
        return 0.5 * (1 + m.tanh(GELU_TANH_SLOPE * (x + GELU_TANH_CUBIC * x ** 3)))
    return 0.5 * (1 + m.erf(x / math.sqrt(2)))


class Softplus(Formula):
    """y = ln(1 + e^(beta x)) / beta (y = x where beta x > threshold).  dL/dx = dL/dy sigmoid(beta x)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.params = (beta, threshold)
        bx = x * beta
        soft = (xp.logaddexp(0, bx) / beta).astype(x.dtype)
        return xp.where(bx > threshold, x, soft)

    def gradient(self, m, g):
        (x,) = m.saved(self)
        beta, threshold = self.params
        return m.where(x * beta > threshold, g, g * m.sigmoid(x * beta)), None, None


class Elu(Formula):
    """y = x if x > 0 else alpha (e^x - 1).  dL/dx = dL/dy (1 if x > 0 else alpha e^x); the second derivative is
    PyTorch's: alpha e^x for x < 0 only (0 at x = 0 and at NaN, where the first is alpha)."""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return xp.where(x > 0, x, (alpha * xp.expm1(xp.where(x > 0, 0, x))).astype(x.dtype))    # elu(-0.0) = -0.0

    def gradient(self, m, g):
        (x,) = m.saved(self)
        return m.where(x <= 0, g * self.alpha * m.exp(m.where(x < 0, x, 0.0)), g), None


# ---------------------------------------------------------------- softmax
def log_softmax_array(x, axis):
    """log softmax(x)_i = x_i - m - ln sum_j e^(x_j - m), m = max_j x_j (no overflow for |x| ~ 1e4)."""
    shifted = x - xp.max(x, axis=axis, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))


class Softmax(Formula):
    """s = softmax(x).  dL/dx = s * (dL/ds - sum_j dL/ds_j s_j)."""

    @staticmethod
    def forward(ctx, x, axis):
        out = xp.exp(log_softmax_array(x, axis))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    def gradient(self, m, g):
        (s,) = m.saved(self)
        return s * (g - m.sum(g * s, self.axis)), None


class LogSoftmax(Formula):
    """y = log softmax(x).  dL/dx = dL/dy - softmax(x) * sum_j dL/dy_j."""

    @staticmethod
    def forward(ctx, x, axis):
        out = log_softmax_array(x, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    def gradient(self, m, g):
        (y,) = m.saved(self)
        return g - m.exp(y) * m.sum(g, self.axis), None


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


def _in_place_or_not(x, inplace, op, *args):
    """op(x, *args), written into x itself when `inplace` (a graph node all the same: Tensor._inplace)."""
    return x._inplace(lambda t: op.apply(t, *args)) if inplace else op.apply(x, *args)


def relu(x, inplace=False):
    if x._data.dtype == xp.bool_:
        raise RuntimeError("relu: Boolean inputs not supported for relu")
    return _in_place_or_not(x, inplace, Relu)


def leaky_relu(x, negative_slope=0.01, inplace=False):
    return _in_place_or_not(x, inplace, LeakyRelu, negative_slope)


def hardtanh(x, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _in_place_or_not(x, inplace, Hardtanh, min_val, max_val)


def relu6(x, inplace=False):
    """y = min(max(x, 0), 6)."""
    return hardtanh(x, 0.0, 6.0, inplace)


def sigmoid(x):
    return Sigmoid.apply(_floating(x))


def tanh(x):
    return Tanh.apply(_floating(x))


def gelu(x, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(x, approximate)


def softplus(x, beta=1.0, threshold=20.0):
    return Softplus.apply(x, beta, threshold)


def elu(x, alpha=1.0, inplace=False):
    return _in_place_or_not(x, inplace, Elu, alpha)
