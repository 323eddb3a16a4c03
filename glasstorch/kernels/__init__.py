"""Kernel sets: the array work of the hot ops (convolution forward, dL/dx and dL/dW; max and average pooling
and their backward; ReLU; the add and concatenation of batches), behind one interface, in three implementations:

- `reference`: the notes' formulas, NCHW, short enough to read (start here);
- `fast`: channels-last im2col, three dL/dx algorithms, the batch split over threads (kernels/threads.py);
- `compiled`: the reference's loops compiled by Numba, parallel inside each kernel (the default; imported on first
  use; where Numba cannot be imported, the fast set, with one line that says so).

The ops in glasstorch.ops keep the math of the shapes, the checks and the autograd wiring, and call the set in
effect when they run forward (its backward uses the same set). `GLASSTORCH_KERNELS=reference|fast|compiled`
(default compiled) or `set_kernels(name)` chooses; `get_kernels()` says which is in effect. What a set implements is
written down in contract.py (KernelSet); another set is one more module that implements it, registered in SETS
(register checks it). Every kernel returns finished arrays.
"""
import math
import os

from . import contract, fast, reference
from .geometry import ConvGeometry, PoolGeometry, offset_slice, window_offsets

SETS = {}


def register(name, module):
    """Make the kernel set `module` (one that implements contract.KernelSet) available as `name`."""
    contract.check(name, module)
    SETS[name] = module


register("reference", reference)
register("fast", fast)
_active = {"set": None}
NAMES = ("reference", "fast", "compiled")


def _load(name):
    """The name of a registered set for `name`: the compiled set is imported on first use (Numba takes 0.3 s to
    import, which a program that chose another set should not pay); where Numba cannot be imported, one line
    says so and the fast set is used."""
    if name == "compiled" and name not in SETS:
        try:
            from . import compiled
        except ImportError as error:
            import sys

            from ..i18n import t

            print(t("kernels.no_numba", error=error), file=sys.stderr)
            return "fast"
        register("compiled", compiled)
        from .compile_ahead import compile_ahead

        compile_ahead()
    return name


def set_kernels(name):
    """Use the kernel set `name` ('reference', 'fast' or 'compiled') from now on."""
    name = _load(name)
    if name not in SETS:
        raise ValueError(f"set_kernels: unknown kernel set {name!r}; choose one of: {', '.join(NAMES)}")
    _active["set"] = SETS[name]


def get_kernels():
    """The name of the kernel set in effect."""
    in_effect = active()        # first: it may load (and register) the compiled set
    return next(name for name, module in SETS.items() if module is in_effect)


def active():
    """The kernel module in effect."""
    if _active["set"] is None:
        name = _load(os.environ.get("GLASSTORCH_KERNELS", "compiled"))
        if name not in SETS:
            raise ValueError(f"GLASSTORCH_KERNELS={name!r} is not a kernel set; choose one of: {', '.join(NAMES)}")
        _active["set"] = SETS[name]
    return _active["set"]


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape`: the adjoint of broadcasting `shape` up to `grad.shape` (every op, both sets).

    dL/dx = sum over the broadcast axes of dL/dy.
    """
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        inner = grad.shape[extra:]
        if grad.flags.c_contiguous and grad.size:
            grad = active().sum_rows(grad.reshape(-1, math.prod(inner))).reshape(inner)
        else:
            grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


__all__ = ["ConvGeometry", "PoolGeometry", "SETS", "active", "get_kernels", "offset_slice", "register",
           "set_kernels", "unbroadcast", "window_offsets"]
