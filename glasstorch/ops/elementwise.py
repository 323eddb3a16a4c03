"""Element-wise ops and activations, each forward beside its backward.

Binary ops broadcast; their backward sums the gradient back to each operand's shape (unbroadcast).
"""
import math

from .. import dtypes, kernels
from ..autograd import function
from ..autograd.function import Function, TensorGradient
from ..backend import xp
from ..kernels import unbroadcast
from .promotion import promote, result_dtype


def sum_to(g, shape):
    """g summed over the axes it was broadcast along, back to `shape`: unbroadcast, in differentiable ops."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    lead = g.dim() - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    return g.sum(axes, keepdim=True).reshape(shape)


# ---------------------------------------------------------------- arithmetic
class Add(Function):
    """y = a + b.  dL/da = dL/dy,  dL/db = dL/dy.  Two arrays of one shape and dtype (a residual sum of two
    conv outputs) are the kernel set's add (kernels.reference.add)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (xp.shape(a), xp.shape(b))
        if isinstance(a, xp.ndarray) and isinstance(b, xp.ndarray) and a.shape == b.shape and a.dtype == b.dtype:
            return kernels.active().add(a, b)
        return a + b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), unbroadcast(g, sb)

    def backward_graph(self, g):
        return sum_to(g, self.shapes[0]), sum_to(g, self.shapes[1])


class Sub(Function):
    """y = a - b.  dL/da = dL/dy,  dL/db = -dL/dy."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (xp.shape(a), xp.shape(b))
        return a - b

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return unbroadcast(g, sa), (unbroadcast(-g, sb) if ctx.needs_input_grad[1] else None)

    def backward_graph(self, g):
        return sum_to(g, self.shapes[0]), (sum_to(-g, self.shapes[1]) if self.needs_input_grad[1] else None)


class Mul(Function):
    """y = a * b.  dL/da = dL/dy * b,  dL/db = dL/dy * a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (xp.shape(a), xp.shape(b))
        ctx.save_for_backward(a if ctx.needs_grad(1) else None, b if ctx.needs_grad(0) else None)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = unbroadcast(g * b, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * a, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return ga, gb

    def backward_graph(self, g):
        self.saved_tensors                          # refuses values changed in place since
        a, b = self.input_tensor(0), self.input_tensor(1)
        ga = sum_to(g * b, self.shapes[0]) if self.needs_input_grad[0] else None
        gb = sum_to(g * a, self.shapes[1]) if self.needs_input_grad[1] else None
        return ga, gb


class Div(TensorGradient):
    """y = a / b.  dL/da = dL/dy / b,  dL/db = -dL/dy (a / b) / b (PyTorch's order of operations, which decides
    what the second derivative is where b = 0)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (xp.shape(a), xp.shape(b))
        ctx.save_for_backward(a if ctx.needs_grad(1) else None, b)
        return a / b

    def gradient(self, g):
        a, b = self.input_tensor(0), self.input_tensor(1)
        ga = sum_to(g / b, self.shapes[0]) if self.needs_input_grad[0] else None
        gb = sum_to(-g * (a / b / b), self.shapes[1]) if self.needs_input_grad[1] else None
        return ga, gb


class Pow(TensorGradient):
    """y = a ** b.  dL/da = dL/dy b a^(b-1), and 0 where b = 0;  dL/db = dL/dy y ln a, and 0 where a = 0 and b >= 0
    (PyTorch's choices at those points)."""

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save_for_backward(a, b, out if ctx.needs_grad(1) else None)
        return out

    def gradient(self, g):
        a_array, b_array, out = self.saved_tensors
        a, b = self.input_tensor(0), self.input_tensor(1)
        ga = gb = None
        with xp.errstate(divide="ignore", invalid="ignore"):
            if self.needs_input_grad[0]:
                ga = sum_to(where(b_array == 0, 0.0, g * (b * a ** (b - 1))), xp.shape(a_array))
            if self.needs_input_grad[1]:
                at_zero = (a_array == 0) & (b_array >= 0)
                gb = sum_to(g * where(at_zero, 0.0, self.output_tensor(out) * log(a)), xp.shape(b_array))
        return ga, gb


class Neg(Function):
    """y = -x.  dL/dx = -dL/dy."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Cast(Function):
    """y = x converted to another dtype; the gradient converts back."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.source_dtype = x.dtype
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.source_dtype), None


class Overwrite(Function):
    """y = v broadcast to x's shape, in x's dtype (fill_, copy_, normal_: the old values are gone).
    dL/dx = 0,  dL/dv = dL/dy summed back to v's shape."""

    @staticmethod
    def forward(ctx, x, values):
        values = xp.asarray(values)
        ctx.shapes, ctx.value_dtype = (x.shape, values.shape), values.dtype
        try:
            return xp.broadcast_to(values, x.shape).astype(x.dtype)
        except ValueError:
            raise RuntimeError(f"the source of shape {tuple(values.shape)} cannot be broadcast to the destination "
                               f"of shape {tuple(x.shape)}") from None

    @staticmethod
    def backward(ctx, g):
        gx = xp.zeros_like(g) if ctx.needs_input_grad[0] else None
        gv = unbroadcast(g, ctx.shapes[1]).astype(ctx.value_dtype) if ctx.needs_input_grad[1] else None
        return gx, gv

    def backward_graph(self, g):
        gx = g * 0 if self.needs_input_grad[0] else None
        gv = sum_to(g, self.shapes[1]).to(_dtype_of(self.value_dtype)) if self.needs_input_grad[1] else None
        return gx, gv


# ---------------------------------------------------------------- unary math
class _FromInput(Function):
    """y = f(x), dL/dx = dL/dy * f'(x): a subclass names f and its derivative f' (both of x)."""

    @classmethod
    def forward(cls, ctx, x):
        ctx.save_for_backward(x)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return cls.function(x)

    @classmethod
    def backward(cls, ctx, g):
        (x,) = ctx.saved_tensors
        return g * cls.derivative(x)

    def backward_graph(self, g):
        self.saved_tensors
        return g * self.derivative_graph(self.input_tensor(0))


class _FromOutput(Function):
    """y = f(x), dL/dx = dL/dy * f'(x) where f' is cheaper from y: a subclass names f and f' as a function of y."""

    @classmethod
    def forward(cls, ctx, x):
        with xp.errstate(invalid="ignore"):
            out = cls.function(x)
        ctx.save_for_backward(out)
        return out

    @classmethod
    def backward(cls, ctx, g):
        (out,) = ctx.saved_tensors
        with xp.errstate(divide="ignore"):
            return g * cls.derivative(out)

    def backward_graph(self, g):
        (out,) = self.saved_tensors
        return g * self.derivative_graph(self.output_tensor(out))


class Exp(_FromOutput):
    """y = e^x.  dL/dx = dL/dy * y."""

    derivative_graph = staticmethod(lambda y: y)

    function = staticmethod(xp.exp)
    derivative = staticmethod(lambda y: y)


class Log(_FromInput):
    """y = ln x.  dL/dx = dL/dy / x."""

    derivative_graph = staticmethod(lambda x: 1 / x)

    function = staticmethod(xp.log)
    derivative = staticmethod(xp.reciprocal)


class Sqrt(_FromOutput):
    """y = sqrt(x).  dL/dx = dL/dy / (2 y)."""

    derivative_graph = staticmethod(lambda y: 0.5 / y)

    function = staticmethod(xp.sqrt)
    derivative = staticmethod(lambda y: 1 / (2 * y))


class Sin(_FromInput):
    """y = sin x.  dL/dx = dL/dy * cos x."""

    derivative_graph = staticmethod(lambda x: x.cos())

    function = staticmethod(xp.sin)
    derivative = staticmethod(xp.cos)


class Cos(_FromInput):
    """y = cos x.  dL/dx = -dL/dy * sin x."""

    derivative_graph = staticmethod(lambda x: -x.sin())

    function = staticmethod(xp.cos)
    derivative = staticmethod(lambda x: -xp.sin(x))


class Abs(_FromInput):
    """y = |x|.  dL/dx = dL/dy * sign(x) (0 at x = 0)."""

    derivative_graph = staticmethod(lambda x: x.sign())     # a constant of the graph: (|x|)'' = 0

    function = staticmethod(xp.abs)
    derivative = staticmethod(lambda x: sign_array(x))


def sign_array(x):
    """-1, 0 or 1, and 0 for NaN (PyTorch's sign and sgn)."""
    return xp.where(xp.isnan(x), 0, xp.sign(x)).astype(x.dtype, copy=False) if x.dtype.kind == "f" else xp.sign(x)


class Sign(Function):
    """y = sign(x): -1, 0 or 1 (0 for NaN).  dL/dx = 0 (a step function: flat wherever it is differentiable)."""

    piecewise_linear = True

    @staticmethod
    def forward(ctx, x):
        return x.copy() if x.dtype == xp.bool_ else sign_array(x)

    @staticmethod
    def backward(ctx, g):
        return xp.zeros_like(g)


class Clamp(TensorGradient):
    """y = min(max(x, lo), hi), each bound a number, a tensor or None; x wins a tie with either bound, a NaN
    anywhere gives NaN.  dL/dx = dL/dy where lo <= x <= hi; dL/dlo = dL/dy where x < lo <= hi;
    dL/dhi = dL/dy where max(x, lo) > hi (a bound above the other gives every element hi, and hi the gradient)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        out = x if lo is None else xp.where((x < lo) | (lo != lo), lo, x)
        out = out if hi is None else xp.where((out > hi) | (hi != hi), hi, out)
        return xp.array(out, dtype=x.dtype)     # a copy, and the array NumPy returns a 0-d where as a scalar

    def gradient(self, g):
        x, lo, hi = self.saved_tensors
        inside = xp.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        grad_lo = grad_hi = None
        if self.needs_input_grad[1]:
            below = (x < lo) if hi is None else (x < lo) & (lo <= hi)
            grad_lo = sum_to(g * function.Tensor._make(below.astype(g.dtype.numpy)), xp.shape(lo))
        if self.needs_input_grad[2]:
            above = xp.where(x < lo, lo, x) > hi if lo is not None else x > hi
            grad_hi = sum_to(g * function.Tensor._make(above.astype(g.dtype.numpy)), xp.shape(hi))
        return g * function.Tensor._make(inside.astype(g.dtype.numpy)), grad_lo, grad_hi


class _Extremum(Function):
    """y = max(a, b) (or min).  The gradient goes to an operand unless the other one is larger (smaller), half to
    each on ties: with a NaN neither loses, so both get it, as in PyTorch."""

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.asarray(xp.where(cls.wins(b, a) | (b != b), b, a))    # a on ties: max(-0.0, 0.0) is -0.0

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        share_a, share_b = ctx.shares(a, b, g.dtype)
        ga = unbroadcast(g * share_a, xp.shape(a)) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g * share_b, xp.shape(b)) if ctx.needs_input_grad[1] else None
        return ga, gb

    @classmethod
    def shares(cls, a, b, dtype):
        """The fractions of dL/dy that a and b get: 1 unless the other wins, 1/2 each on a tie."""
        tie = a == b
        return (xp.where(tie, 0.5, ~cls.wins(b, a)).astype(dtype), xp.where(tie, 0.5, ~cls.wins(a, b)).astype(dtype))

    def backward_graph(self, g):
        a, b = self.saved_tensors
        share_a, share_b = (function.Tensor._make(s) for s in self.shares(a, b, g._data.dtype))
        ga = sum_to(g * share_a, xp.shape(a)) if self.needs_input_grad[0] else None
        gb = sum_to(g * share_b, xp.shape(b)) if self.needs_input_grad[1] else None
        return ga, gb


class Maximum(_Extremum):
    @staticmethod
    def wins(a, b):
        return a > b


class Minimum(_Extremum):
    @staticmethod
    def wins(a, b):
        return a < b


class Where(Function):
    """y = a where cond else b.  dL/da = dL/dy * cond,  dL/db = dL/dy * (1 - cond)."""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition = condition
        ctx.shapes = (xp.shape(a), xp.shape(b))
        return xp.where(condition, a, b)

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        zero = xp.zeros((), dtype=g.dtype)
        ga = unbroadcast(xp.where(ctx.condition, g, zero), sa) if ctx.needs_input_grad[1] else None
        gb = unbroadcast(xp.where(ctx.condition, zero, g), sb) if ctx.needs_input_grad[2] else None
        return None, ga, gb

    def backward_graph(self, g):
        sa, sb = self.shapes
        ga = sum_to(where(self.condition, g, 0.0), sa) if self.needs_input_grad[1] else None
        gb = sum_to(where(self.condition, 0.0, g), sb) if self.needs_input_grad[2] else None
        return None, ga, gb


# ---------------------------------------------------------------- activations
class Relu(Function):
    """y = max(x, 0).  dL/dx = dL/dy * [x > 0] = dL/dy * [y > 0]  (kernels.reference.relu and relu_backward)."""

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


class Sigmoid(_FromOutput):
    """y = 1 / (1 + e^-x).  dL/dx = dL/dy * y (1 - y)."""

    derivative_graph = staticmethod(lambda y: y * (1 - y))

    function = staticmethod(lambda x: sigmoid_array(x))
    derivative = staticmethod(lambda y: y * (1 - y))


def sigmoid_array(x):
    """Numerically stable logistic: e^x / (1 + e^x) for x < 0, 1 / (1 + e^-x) otherwise."""
    z = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)


class Tanh(_FromOutput):
    """y = tanh x.  dL/dx = dL/dy * (1 - y^2)."""

    derivative_graph = staticmethod(lambda y: 1 - y * y)

    function = staticmethod(xp.tanh)
    derivative = staticmethod(lambda y: 1 - y * y)


_erf_objects = xp.frompyfunc(math.erf, 1, 1)


def _erf(x):
    """erf of every element of an array (math.erf's double precision), in x's dtype."""
    return xp.asarray(_erf_objects(x), dtype=x.dtype)


class Erf(Function):
    """y = erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt.  dL/dx = dL/dy * 2/sqrt(pi) e^(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (2 / math.sqrt(math.pi)) * xp.exp(-x * x)

    def backward_graph(self, g):
        x = self.input_tensor(0)
        return g * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()


# GELU's tanh approximation of the normal CDF (Hendrycks & Gimpel): Phi(x) ~= (1 + tanh(k (x + c x^3))) / 2
GELU_TANH_SLOPE = math.sqrt(2 / math.pi)     # k
GELU_TANH_CUBIC = 0.044715                   # c


class Gelu(TensorGradient):
    """y = x Phi(x), Phi the standard normal CDF.  dL/dx = dL/dy (Phi(x) + x phi(x)), phi = Phi' the normal density.

    approximate='tanh': Phi(x) ~= (1 + t) / 2 with t = tanh(k (x + c x^3)), so
    dL/dx = dL/dy ((1 + t) / 2 + x (1 - t^2) k (1 + 3 c x^2) / 2).
    """

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            cdf = 0.5 * (1 + xp.tanh(GELU_TANH_SLOPE * (x + GELU_TANH_CUBIC * x ** 3)))
        else:
            cdf = 0.5 * (1 + _erf(x / math.sqrt(2)))
        return xp.asarray(x * cdf, dtype=x.dtype)

    def gradient(self, g):
        x = self.input_tensor(0)
        if self.approximate == "tanh":
            t = (GELU_TANH_SLOPE * (x + GELU_TANH_CUBIC * x ** 3)).tanh()
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_TANH_SLOPE * (1 + 3 * GELU_TANH_CUBIC * x * x)), None
        cdf = 0.5 * (1 + Erf.apply(x / math.sqrt(2)))
        density = (-0.5 * x * x).exp() / math.sqrt(2 * math.pi)
        return g * (cdf + x * density), None


class Softplus(Function):
    """y = ln(1 + e^(beta x)) / beta (y = x where beta x > threshold).  dL/dx = dL/dy * sigmoid(beta x)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.params = (beta, threshold)
        bx = x * beta
        soft = (xp.logaddexp(0, bx) / beta).astype(x.dtype)
        return xp.where(bx > threshold, x, soft)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.params
        bx = x * beta
        return xp.where(bx > threshold, g, g * sigmoid_array(bx)), None, None

    def backward_graph(self, g):
        (x,) = self.saved_tensors
        beta, threshold = self.params
        return where(x * beta > threshold, g, g * (self.input_tensor(0) * beta).sigmoid()), None, None


class Elu(Function):
    """y = x if x > 0 else alpha (e^x - 1).  dL/dx = dL/dy * (1 if x > 0 else alpha e^x)."""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return xp.where(x > 0, x, (alpha * xp.expm1(xp.where(x > 0, 0, x))).astype(x.dtype))    # elu(-0.0) = -0.0

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return xp.where(x <= 0, g * (ctx.alpha * xp.exp(xp.minimum(x, 0))).astype(g.dtype), g), None

    def backward_graph(self, g):
        (x,) = self.saved_tensors
        # e^x of x < 0 only: PyTorch's second derivative is 0 at x = 0 (and at NaN), where the first is alpha
        return where(x <= 0, g * self.alpha * where(x < 0, self.input_tensor(0), 0.0).exp(), g), None


# ---------------------------------------------------------------- functional wrappers
def add(a, b, alpha=1):
    if alpha != 1:
        b = mul(b, alpha)
    return Add.apply(*promote(a, b))


def _refuse_bool(op, message, *operands):
    if all(getattr(x, "_data", xp.asarray(x)).dtype == xp.bool_ for x in operands):
        raise RuntimeError(f"{op}: {message}")


def sub(a, b, alpha=1):
    _refuse_bool("sub", "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                 "`logical_xor()` operator instead.", a, b)
    if alpha != 1:
        b = mul(b, alpha)
    return Sub.apply(*promote(a, b))


def mul(a, b):
    return Mul.apply(*promote(a, b))


def div(a, b):
    """a / b, true division: integers divide to the default float dtype (div with a rounding_mode: ops/division.py)."""
    from .. import dtypes
    Tensor = function.Tensor
    a, b = promote(a, b)
    if xp.result_type(*(x._data if isinstance(x, Tensor) else x for x in (a, b))).kind != "f":
        float_dtype = dtypes.get_default_dtype()
        a, b = (x.to(float_dtype) if isinstance(x, Tensor) else xp.asarray(x, dtype=float_dtype.numpy) for x in (a, b))
    return Div.apply(a, b)


def pow(a, b):
    a, b = promote(a, b)
    common = xp.result_type(*(getattr(x, "_data", x) for x in (a, b)))
    if common == xp.bool_:
        raise NotImplementedError("pow: \"pow\" not implemented for 'Bool'")
    if common.kind in "iu":
        return _integer_power(a, b)
    return Pow.apply(a, b)


def _integer_power(a, b):
    """Integer a ** b as PyTorch: a negative exponent gives 0, except for the bases 1 (1) and -1 (+-1)."""
    base, exponent = (getattr(x, "_data", x) for x in (a, b))
    negative = exponent < 0
    with xp.errstate(over="ignore"):
        powers = xp.power(base, xp.where(negative, 0, exponent))
    odd = xp.remainder(exponent, 2) == 1
    inverse = xp.where(base == 1, 1, xp.where(base == -1, xp.where(odd, -1, 1), 0))
    return function.Tensor._make(xp.asarray(xp.where(negative, inverse, powers)).astype(powers.dtype))


def neg(x):
    _refuse_bool("neg", "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
                 "a mask, use the `~` or `logical_not()` operator instead.", x)
    return Neg.apply(x)


def exp(x):
    return Exp.apply(_floating(x))


def log(x):
    return Log.apply(_floating(x))


def sqrt(x):
    return Sqrt.apply(_floating(x))


def sin(x):
    return Sin.apply(_floating(x))


def cos(x):
    return Cos.apply(_floating(x))


def abs(x):
    if x._data.dtype == xp.bool_:
        raise NotImplementedError('abs: "abs_cpu" not implemented for \'Bool\'')
    return Abs.apply(x)


def sign(x):
    return Sign.apply(x)


def clamp(x, min=None, max=None):
    """x limited to [min, max]; a bound is a number, a tensor (broadcast, and given its gradient) or None. The
    result's dtype promotes x with the bounds, as PyTorch's: an integer tensor clamped at 0.5 is float."""
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    bounds = [b for b in (min, max) if b is not None]
    dtype = dtypes.from_numpy_dtype(result_dtype(x, *bounds))

    def cast(value):
        if value is None or isinstance(value, function.Tensor):
            return value if value is None or value.dtype == dtype else value.to(dtype)
        return xp.asarray(value, dtype=dtype.numpy)
    return Clamp.apply(cast(x), cast(min), cast(max))


def require_tensor(value, op, position=2, name="other"):
    """PyTorch's binary ops such as maximum take tensors only: a Python number is a TypeError."""
    if not isinstance(value, function.Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}")


def maximum(a, b):
    require_tensor(b, "maximum")
    return Maximum.apply(*promote(a, b))


def minimum(a, b):
    require_tensor(b, "minimum")
    return Minimum.apply(*promote(a, b))


def where(condition, a, b):
    Tensor = function.Tensor
    cond = condition._data if isinstance(condition, Tensor) else xp.asarray(condition)
    if cond.dtype != xp.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {cond.dtype}")
    return Where.apply(cond, *promote(a, b))


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


def _dtype_of(np_dtype):
    from .. import dtypes

    return dtypes.from_numpy_dtype(np_dtype)


def _floating(x):
    """Integer tensors are promoted to the default float dtype by transcendental functions."""
    from .. import dtypes

    return x if x._data.dtype.kind == "f" else x.to(dtypes.get_default_dtype())


class Dropout(Function):
    """y = x * m / (1 - p), m ~ Bernoulli(1 - p).  dL/dx = dL/dy * m / (1 - p)."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x, scaled_mask):
        ctx.scaled_mask = scaled_mask
        return x * scaled_mask

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scaled_mask, None


def dropout(x, p=0.5, training=True, inplace=False, generator=None):
    """Each element zeroed with probability p, the rest scaled by 1/(1-p)."""
    return _dropout(x, p, training, inplace, generator, x.shape, "dropout")


def dropout2d(x, p=0.5, training=True, inplace=False, generator=None):
    """Whole channels zeroed with probability p: one draw per (sample, channel) of an (N, C, H, W) input,
    broadcast over the pixels. Other ranks as PyTorch 2 reads them, with its warnings: 3-D as (N, C, L),
    2-D as (N, C) (so elementwise), 5-D and up channel-wise over the rest; 1-D is refused."""
    import warnings

    if x.dim() < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input (dropout2d got shape "
                           f"{tuple(x.shape)})")
    if x.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", UserWarning, stacklevel=3)
    elif x.dim() != 4:
        warnings.warn(f"dropout2d: Received a {x.dim()}-D input to dropout2d, which is deprecated and will result in "
                      "an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", UserWarning, stacklevel=3)
    return _dropout(x, p, training, inplace, generator, tuple(x.shape[:2]) + (1,) * (x.dim() - 2), "dropout2d")


def _dropout(x, p, training, inplace, generator, mask_shape, op):
    from .. import random

    if not 0 <= p <= 1:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    keep = random.generator(generator).random(mask_shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    scaled_mask = (keep * scale).astype(x._data.dtype)
    if inplace:
        return x._inplace(lambda t: Dropout.apply(t, scaled_mask))
    return Dropout.apply(x, scaled_mask)
