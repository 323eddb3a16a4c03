"""Element-wise arithmetic and math, each forward beside its derivative (written once: ops/formula.py).

Binary ops broadcast; their gradient sums dL/dy back to each operand's shape (sum_to). Activations are in
ops/activation.py, dropout in ops/dropout.py.
"""
import math

from .. import dtypes, kernels
from ..autograd import function
from ..autograd.function import Function
from ..backend import xp
from .formula import Formula, erf_array, sign_array
from .promotion import promote, result_dtype


# ---------------------------------------------------------------- arithmetic
class Add(Formula):
    """y = a + b.  dL/da = dL/dy,  dL/db = dL/dy.  Two arrays of one shape and dtype (a residual sum of two
    conv outputs) are the kernel set's add (kernels.reference.add)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (xp.shape(a), xp.shape(b))
        if isinstance(a, xp.ndarray) and isinstance(b, xp.ndarray) and a.shape == b.shape and a.dtype == b.dtype:
            return kernels.active().add(a, b)
        return a + b

    def gradient(self, m, g):
        return m.sum_to(g, self.shapes[0]), m.sum_to(g, self.shapes[1])


class Sub(Formula):
    """y = a - b.  dL/da = dL/dy,  dL/db = -dL/dy."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (xp.shape(a), xp.shape(b))
        return a - b

    def gradient(self, m, g):
        return m.sum_to(g, self.shapes[0]), (m.sum_to(-g, self.shapes[1]) if self.needs_input_grad[1] else None)


class Mul(Formula):
    """y = a * b.  dL/da = dL/dy * b,  dL/db = dL/dy * a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (xp.shape(a), xp.shape(b))
        ctx.save_for_backward(a if ctx.needs_grad(1) else None, b if ctx.needs_grad(0) else None)
        return a * b

    def gradient(self, m, g):
        a, b = m.saved(self)
        ga = m.sum_to(g * b, self.shapes[0]) if self.needs_input_grad[0] else None
        gb = m.sum_to(g * a, self.shapes[1]) if self.needs_input_grad[1] else None
        return ga, gb


class Div(Formula):
    """y = a / b.  dL/da = dL/dy / b,  dL/db = -dL/dy (a / b) / b (PyTorch's order of operations, which decides
    what the second derivative is where b = 0)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (xp.shape(a), xp.shape(b))
        ctx.save_for_backward(a if ctx.needs_grad(1) else None, b)
        return a / b

    def gradient(self, m, g):
        a, b = m.saved(self)
        ga = m.sum_to(g / b, self.shapes[0]) if self.needs_input_grad[0] else None
        gb = m.sum_to(-g * (a / b / b), self.shapes[1]) if self.needs_input_grad[1] else None
        return ga, gb


class Pow(Formula):
    """y = a ** b.  dL/da = dL/dy b a^(b-1), and 0 where b = 0;  dL/db = dL/dy y ln a, and 0 where a = 0 and b >= 0
    (PyTorch's choices at those points)."""

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.shapes = (xp.shape(a), xp.shape(b))
        ctx.save_for_backward(a, b, out if ctx.needs_grad(1) else None)
        return out

    def gradient(self, m, g):
        a, b, y = m.saved(self)
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = m.sum_to(m.where(b == 0, 0.0, g * (b * a ** (b - 1))), self.shapes[0])
        if self.needs_input_grad[1]:
            gb = m.sum_to(g * m.where((a == 0) & (b >= 0), 0.0, y * m.log(a)), self.shapes[1])
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


class Overwrite(Formula):
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

    def gradient(self, m, g):
        gx = m.zeros_like(g) if self.needs_input_grad[0] else None
        gv = m.cast(m.sum_to(g, self.shapes[1]), self.value_dtype) if self.needs_input_grad[1] else None
        return gx, gv


# ---------------------------------------------------------------- unary math
class _Unary(Formula):
    """y = f(x), dL/dx = dL/dy f'. A subclass gives f (on arrays) and its slope f' as a function of x, or of y
    where that is cheaper (uses_output: e^x, sqrt, sigmoid, tanh)."""

    uses_output = False

    @classmethod
    def forward(cls, ctx, x):
        y = cls.function(x)
        ctx.save_for_backward(y if cls.uses_output else x)
        return y

    def gradient(self, m, g):
        (value,) = m.saved(self)
        return g * self.slope(m, value)


class Exp(_Unary):
    """y = e^x.  dL/dx = dL/dy y."""

    function, uses_output = staticmethod(xp.exp), True
    slope = staticmethod(lambda m, y: y)


class Log(_Unary):
    """y = ln x.  dL/dx = dL/dy / x."""

    function = staticmethod(xp.log)
    slope = staticmethod(lambda m, x: 1 / x)


class Sqrt(_Unary):
    """y = sqrt(x).  dL/dx = dL/dy / (2 y)."""

    function, uses_output = staticmethod(xp.sqrt), True
    slope = staticmethod(lambda m, y: 1 / (2 * y))


class Sin(_Unary):
    """y = sin x.  dL/dx = dL/dy cos x."""

    function = staticmethod(xp.sin)
    slope = staticmethod(lambda m, x: m.cos(x))


class Cos(_Unary):
    """y = cos x.  dL/dx = -dL/dy sin x."""

    function = staticmethod(xp.cos)
    slope = staticmethod(lambda m, x: -m.sin(x))


class Abs(_Unary):
    """y = |x|.  dL/dx = dL/dy sign(x) (0 at x = 0; sign's own slope is 0, so (|x|)'' = 0)."""

    function = staticmethod(xp.abs)
    slope = staticmethod(lambda m, x: m.sign(x))


class Erf(_Unary):
    """y = erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt.  dL/dx = dL/dy 2/sqrt(pi) e^(-x^2)."""

    function = staticmethod(erf_array)
    slope = staticmethod(lambda m, x: 2 / math.sqrt(math.pi) * m.exp(-x * x))


class Sign(Function):
    """y = sign(x): -1, 0 or 1 (0 for NaN).  dL/dx = 0 (a step function: flat wherever it is differentiable)."""

    piecewise_linear = True

    @staticmethod
    def forward(ctx, x):
        return x.copy() if x.dtype == xp.bool_ else sign_array(x)

    @staticmethod
    def backward(ctx, g):
        return xp.zeros_like(g)


class Clamp(Formula):
    """y = min(max(x, lo), hi), each bound a number, a tensor or None; x wins a tie with either bound, a NaN
    anywhere gives NaN.  dL/dx = dL/dy where lo <= x <= hi; dL/dlo = dL/dy where x < lo <= hi;
    dL/dhi = dL/dy where max(x, lo) > hi (a bound above the other gives every element hi, and hi the gradient)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        out = x if lo is None else xp.where((x < lo) | (lo != lo), lo, x)
        out = out if hi is None else xp.where((out > hi) | (hi != hi), hi, out)
        return xp.array(out, dtype=x.dtype)     # a copy, and the array NumPy returns a 0-d where as a scalar

    def gradient(self, m, g):
        x, lo, hi = self.saved_tensors          # the masks are constants of the graph: dy/dx is 0 or 1
        inside = xp.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        grad_lo = grad_hi = None
        if self.needs_input_grad[1]:
            below = (x < lo) if hi is None else (x < lo) & (lo <= hi)
            grad_lo = m.sum_to(g * m.constant(below), xp.shape(lo))
        if self.needs_input_grad[2]:
            above = xp.where(x < lo, lo, x) > hi if lo is not None else x > hi
            grad_hi = m.sum_to(g * m.constant(above), xp.shape(hi))
        return g * m.constant(inside), grad_lo, grad_hi


class _Extremum(Formula):
    """y = max(a, b) (or min): a unless b wins or is NaN, so a on ties (max(-0.0, 0.0) is -0.0, as PyTorch).
    The gradient goes to an operand unless the other one is larger (smaller), half to each on ties: with a NaN
    neither loses, so both get it, as in PyTorch."""

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp.asarray(xp.where(cls.wins(b, a) | (b != b), b, a))

    def gradient(self, m, g):
        a, b = self.saved_tensors               # the shares are constants of the graph
        tie = a == b
        share_a = xp.where(tie, 0.5, ~self.wins(b, a)).astype(xp.result_type(a, b))
        share_b = xp.where(tie, 0.5, ~self.wins(a, b)).astype(share_a.dtype)
        ga = m.sum_to(g * m.constant(share_a), xp.shape(a)) if self.needs_input_grad[0] else None
        gb = m.sum_to(g * m.constant(share_b), xp.shape(b)) if self.needs_input_grad[1] else None
        return ga, gb


class Maximum(_Extremum):
    @staticmethod
    def wins(a, b):
        return a > b


class Minimum(_Extremum):
    @staticmethod
    def wins(a, b):
        return a < b


class Where(Formula):
    """y = a where cond else b.  dL/da = dL/dy * cond,  dL/db = dL/dy * (1 - cond)."""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition = condition
        ctx.shapes = (xp.shape(a), xp.shape(b))
        return xp.where(condition, a, b)

    def gradient(self, m, g):
        sa, sb = self.shapes
        ga = m.sum_to(m.where(self.condition, g, 0.0), sa) if self.needs_input_grad[1] else None
        gb = m.sum_to(m.where(self.condition, 0.0, g), sb) if self.needs_input_grad[2] else None
        return None, ga, gb


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


def erf(x):
    return Erf.apply(_floating(x))


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
    if len({isinstance(b, function.Tensor) for b in bounds}) > 1:
        raise TypeError("clamp(): the bounds must be both tensors or both numbers, got "
                        f"min={type(min).__name__} and max={type(max).__name__}")
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


def _floating(x):
    """Integer tensors are promoted to the default float dtype by transcendental functions."""
    from .. import dtypes

    return x if x._data.dtype.kind == "f" else x.to(dtypes.get_default_dtype())


