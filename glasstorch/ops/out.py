"""PyTorch's `out=` keyword: `torch.add(a, b, out=c)` computes a + b and writes it into c, which it returns."""
import functools
import inspect
import warnings

from .. import dtypes
from ..autograd import function, grad_mode

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def accepts_out(fn, exact_dtype=False, computes_in_out_dtype=False):
    """fn with PyTorch's out= keyword (the functions glasstorch exports as torch.*; internal calls go without).
    exact_dtype: out must have the result's dtype (PyTorch's abs, neg, clamp, amax, amin, matmul, bmm), where
    other ops cast into it. computes_in_out_dtype: a floating input is first converted to a wider floating out's
    dtype, as PyTorch's cumsum, cumprod, std and var compute in it (a cast of the result would differ)."""
    @functools.wraps(fn)
    def call(*args, out=None, **kwargs):
        if out is not None and computes_in_out_dtype and isinstance(args[0], function.Tensor):
            source, target = args[0].array.dtype, getattr(out, "array", args[0].array).dtype
            if source.kind == target.kind == "f" and target.itemsize > source.itemsize:
                args = (args[0].to(dtypes.from_numpy_dtype(target)), *args[1:])
        result = fn(*args, **kwargs)
        return result if out is None else write_into(out, result, fn.__name__, exact_dtype)

    return with_keywords(call, fn, out=None)


# The code of the wrappers that add keywords and pass the rest on to the function they wrap: a keyword the function
# does not take fails inside one of them, and glasstorch run names the program's line instead (runner.py)
KEYWORD_WRAPPERS = set()


def with_keywords(wrapper, fn, **defaults):
    """wrapper, whose signature (for inspect and help()) is fn's with these keyword-only parameters added."""
    KEYWORD_WRAPPERS.add(wrapper.__code__)
    signature = inspect.signature(fn)
    added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)
             for name, default in defaults.items() if name not in signature.parameters]
    parameters = [p for p in signature.parameters.values() if p.kind != p.VAR_KEYWORD]
    position = next((i for i, p in enumerate(parameters) if p.kind == p.KEYWORD_ONLY), len(parameters))
    wrapper.__signature__ = signature.replace(parameters=parameters[:position] + added + parameters[position:]
                                              + [p for p in signature.parameters.values() if p.kind == p.VAR_KEYWORD])
    return wrapper


def write_into(out, result, op, exact_dtype=False):
    """The result written into `out` as PyTorch does: refused when a gradient is wanted or the dtype would lose
    its kind (float into int); `out` takes the result's shape, with PyTorch's warning when it held elements."""
    if not isinstance(out, function.Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_mode.is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, but "
                           "one of the arguments requires grad.")
    source, target = result.array.dtype, out.array.dtype
    if exact_dtype and source != target:
        raise RuntimeError(f"{op}(): Found dtype {dtypes.SCALAR_TYPE_NAMES[target.name]} but expected "
                           f"{dtypes.SCALAR_TYPE_NAMES[source.name]}")
    if _CATEGORY[source.kind] > _CATEGORY[target.kind]:
        raise RuntimeError(f"{op}(): result type {dtypes.SCALAR_TYPE_NAMES[source.name]} can't be cast to the desired "
                           f"output type {dtypes.SCALAR_TYPE_NAMES[target.name]}")
    values = result.array.astype(target, copy=False)
    if tuple(out.shape) != tuple(result.shape):
        if out.numel():
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(out.shape)}, "
                          f"which does not match the required output shape {list(result.shape)}. This behavior is "
                          "deprecated, and in a future PyTorch release outputs will not be resized unless they have "
                          "zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          "elements with t.resize_(0).", UserWarning, stacklevel=3)
        out.data = function.Tensor._make(values.copy())
    else:
        out.write_(values)
    return out
