"""Finite-difference gradient check in float64.

The numerical derivative of output element j with respect to input element i is the central difference
    J[i, j] ~= (f(x + eps e_i)_j - f(x - eps e_i)_j) / (2 eps),
compared with the analytic J[i, j] that backward computes from the one-hot output gradient e_j.
"""
import numpy as np

from . import function
from .engine import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised when an analytic gradient disagrees with its finite-difference estimate."""


def _as_outputs(result):
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def _function_name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check every input that requires grad; return True, or raise (or return False) on the first mismatch.

    Inputs should be float64: float32 has too few digits for eps=1e-6 differences.
    """
    Tensor = function.Tensor
    inputs = _as_outputs(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor with requires_grad=True")
    for i in checked:
        if inputs[i].dtype.name != "float64":
            raise TypeError(f"gradcheck: input {i} is {inputs[i].dtype}; use float64 (.double()) for a "
                            "meaningful finite-difference check")
    outputs = _as_outputs(fn(*inputs))
    outputs = [o for o in outputs if isinstance(o, Tensor) and o.requires_grad]

    for i in checked:
        x = inputs[i]
        flat = x._data.reshape(-1)   # a view: perturbing it perturbs the input in place
        for out_index, out in enumerate(outputs):
            numerical = np.zeros((flat.size, out.numel()))
            with no_grad():
                for k in range(flat.size):
                    original = flat[k]
                    flat[k] = original + eps
                    plus = _as_outputs(fn(*inputs))[out_index]._data.astype(np.float64).ravel()
                    flat[k] = original - eps
                    minus = _as_outputs(fn(*inputs))[out_index]._data.astype(np.float64).ravel()
                    flat[k] = original
                    numerical[k] = (plus - minus) / (2 * eps)
            analytic = np.zeros_like(numerical)
            for j in range(out.numel()):
                seed = np.zeros(out.numel())
                seed[j] = 1.0
                (g,) = autograd_grad([out], [x], [Tensor._make(seed.reshape(out.shape))],
                                     retain_graph=True, allow_unused=True)
                if g is not None:
                    analytic[:, j] = g._data.ravel()
            bad = ~np.isclose(analytic, numerical, atol=atol, rtol=rtol)
            if bad.any():
                k, j = np.argwhere(bad)[0]
                index = tuple(int(v) for v in np.unravel_index(k, x.shape)) if x.dim() else ()
                message = (f"gradcheck failed for {_function_name(fn)}: input {i}, element {index}, "
                           f"output {out_index} element {int(j)}: analytic {analytic[k, j]:.10g} vs "
                           f"numerical {numerical[k, j]:.10g} (atol={atol}, rtol={rtol})")
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, seed=0):
    """Check the second derivatives: gradcheck of the first gradient g(x, v) = d<fn(x), v>/dx.

    Its analytic gradient is backward through a graph built with create_graph=True, its numerical one is finite
    differences of g; v is `grad_outputs` or random (float64, requiring grad, so d g / d v is checked too).
    """
    Tensor = function.Tensor
    inputs = _as_outputs(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [Tensor._make(rng.standard_normal(tuple(o.shape))).requires_grad_()
                        for o in _as_outputs(fn(*inputs)) if isinstance(o, Tensor) and o.requires_grad]
    grad_outputs = list(_as_outputs(grad_outputs))
    count = len(inputs)

    def first_gradient(*args):
        with enable_grad():         # gradcheck evaluates it under no_grad for its finite differences
            return _gradient(args[:count], args[count:])

    def _gradient(xs, vs):
        outs = [o for o in _as_outputs(fn(*xs)) if isinstance(o, Tensor) and o.requires_grad]
        wanted = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        grads = autograd_grad(outs, wanted, list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    first_gradient.__qualname__ = f"the gradient of {_function_name(fn)}"
    return gradcheck(first_gradient, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
