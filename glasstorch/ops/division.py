"""Division that rounds: floor_divide (`//`), remainder (`%`), fmod and div(rounding_mode=...).

    floor_divide(a, b) = floor(a / b)        remainder(a, b) = a - b floor(a / b)   (the sign of b, as Python's %)
    trunc_divide(a, b) = trunc(a / b)        fmod(a, b)      = a - b trunc(a / b)   (the sign of a, as C's fmod)

The quotients are piecewise constant: no gradient flows through them. The remainders are linear in a with slope 1
and in b with slope -q (q the quotient, a constant of the graph). An integer divisor of 0 raises, as in PyTorch;
a float one gives inf or NaN.
"""
from ..autograd import function
from ..backend import xp
from .elementwise import div as true_divide
from .formula import Formula, sum_to
from .promotion import promote

ROUNDINGS = {"floor": xp.floor_divide, "trunc": lambda a, b: xp.trunc(a / b)}


def _arrays(a, b, op, kernel):
    """a, b promoted to their common dtype, as arrays; bools (PyTorch has no `kernel` for them) and an integer
    division by zero are refused."""
    if xp.result_type(*(getattr(x, "_data", xp.asarray(x)) for x in (a, b))).kind == "b":
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for 'Bool'")
    a, b = promote(a, b)
    a_array, b_array = (x._data if isinstance(x, function.Tensor) else x for x in (a, b))
    if xp.result_type(a_array, b_array).kind in "iub" and (xp.asarray(b_array) == 0).any():
        raise RuntimeError(f"ZeroDivisionError: {op}: integer division by zero (the divisor of shape "
                           f"{tuple(xp.shape(b_array))} has a 0)")
    return a, b, a_array, b_array


def _quotient(a_array, b_array, rounding):
    with xp.errstate(divide="ignore", invalid="ignore"):
        quotient = ROUNDINGS[rounding](a_array, b_array)
    return xp.asarray(quotient).astype(xp.result_type(a_array, b_array), copy=False)


def divide_rounded(a, b, rounding_mode):
    """div(a, b, rounding_mode='floor' or 'trunc'): the rounded quotient, outside the graph."""
    op = "floor_divide" if rounding_mode == "floor" else "div(rounding_mode='trunc')"
    _, _, a_array, b_array = _arrays(a, b, op, f"div_{rounding_mode}_cpu")
    return function.Tensor._make(_quotient(a_array, b_array, rounding_mode))


def div(a, b, rounding_mode=None):
    """a / b; rounding_mode 'floor' or 'trunc' rounds the quotient (keeping an integer dtype), None divides exactly
    (integers to the default float dtype)."""
    if rounding_mode is None:
        return true_divide(a, b)
    if rounding_mode not in ROUNDINGS:
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    return divide_rounded(a, b, rounding_mode)


def floor_divide(a, b):
    return divide_rounded(a, b, "floor")


class _Remainder(Formula):
    """r = a - b q, q = round(a / b) (a constant).  dL/da = dL/dr,  dL/db = -dL/dr q."""

    tensor_only = True      # written in tensor ops (see ops/formula.py)

    rounding = None

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.shapes = (xp.shape(a), xp.shape(b))
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.asarray(cls.remainder(a, b))

    def gradient(self, m, g):
        a, b = self.input_tensor(0), self.input_tensor(1)
        quotient = function.Tensor._make(_quotient(a._data, b._data, self.rounding))
        return sum_to(g, self.shapes[0]), sum_to(-g * quotient, self.shapes[1])


class Remainder(_Remainder):
    rounding = "floor"
    remainder = staticmethod(xp.remainder)


class Fmod(_Remainder):
    rounding = "trunc"
    remainder = staticmethod(xp.fmod)


def _remainder(op, name, a, b):
    a, b, _, _ = _arrays(a, b, name, f"{name}_cpu")
    return op.apply(a, b)


def remainder(a, b):
    return _remainder(Remainder, "remainder", a, b)


def fmod(a, b):
    return _remainder(Fmod, "fmod", a, b)
