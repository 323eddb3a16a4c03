"""Two-argument math that course code reaches for: atan2 and xlogy.

    atan2(a, b) = the angle of the point (b, a)      dL/da = dL/dy b / (a^2 + b^2),  dL/db = -dL/dy a / (a^2 + b^2)
    xlogy(x, y) = x ln y, and 0 where x = 0          dL/dx = dL/dz ln y (0 where x = 0 and y <= 0),  dL/dy = dL/dz x / y
"""
from .. import dtypes
from ..autograd import function
from ..backend import xp
from .elementwise import require_tensor, where
from .formula import Formula, sum_to
from .promotion import promote


def _floating_pair(a, b):
    """a, b promoted to a common dtype, and to the default float dtype when that is an integer or bool."""
    a, b = promote(a, b)
    Tensor = function.Tensor
    common = xp.result_type(*(x._data if isinstance(x, Tensor) else x for x in (a, b)))
    if common.kind == "f":
        return a, b
    target = dtypes.get_default_dtype()
    return tuple(x.to(target) if isinstance(x, Tensor) else xp.asarray(x, dtype=target.numpy) for x in (a, b))


class Atan2(Formula):
    """y = atan2(a, b).  dL/da = dL/dy b / (a^2 + b^2),  dL/db = -dL/dy a / (a^2 + b^2) (NaN at a = b = 0, as
    PyTorch's formula gives)."""

    tensor_only = True      # written in tensor ops (see ops/formula.py)

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.shapes = (xp.shape(a), xp.shape(b))
        return xp.asarray(xp.arctan2(a, b))

    def gradient(self, m, g):
        a, b = self.input_tensor(0), self.input_tensor(1)
        square = a * a + b * b          # 0 at the origin: its gradient is 0 there, as PyTorch masks it
        inverse_square = where(square._data == 0, 0.0, 1 / square)
        return sum_to(g * b * inverse_square, self.shapes[0]), sum_to(-g * a * inverse_square, self.shapes[1])


class Xlogy(Formula):
    """z = x ln y, 0 where x = 0 (unless y is NaN).  dL/dx = xlogy(dL/dz, y), 0 where x = 0 and y <= 0;
    dL/dy = dL/dz x / y."""

    tensor_only = True      # written in tensor ops (see ops/formula.py)

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        ctx.shapes = (xp.shape(x), xp.shape(y))
        with xp.errstate(divide="ignore", invalid="ignore"):
            return xp.asarray(xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log(y))).astype(
                xp.result_type(x, y), copy=False)

    def gradient(self, m, g):
        x, y = self.input_tensor(0), self.input_tensor(1)
        grad_x = where((x._data == 0) & (y._data <= 0), 0.0, Xlogy.apply(g, y))
        return sum_to(grad_x, self.shapes[0]), sum_to(g * x / y, self.shapes[1])


def atan2(a, b):
    require_tensor(b, "atan2")
    return Atan2.apply(*_floating_pair(a, b))


def xlogy(x, y):
    return Xlogy.apply(*_floating_pair(x, y))
