"""Kernel sets: the array work of the hot ops (convolution forward, dL/dx and dL/dW; max and average pooling
and their backward; ReLU), behind one interface, in two implementations:

- `reference`: the notes' formulas, NCHW, synchronous, short enough to read (start here);
- `fast`: channels-last im2col, three dL/dx algorithms, the batch split over threads, asynchronous.

The ops in glasstorch.ops keep the math of the shapes, the checks and the autograd wiring, and call the set in
effect when they run forward (its backward uses the same set). `GLASSTORCH_KERNELS=reference|fast` (default fast)
or `set_kernels(name)` chooses; `get_kernels()` says which is in effect. A third set (CuPy on a GPU) would be
one more module with these functions, registered in SETS.
"""
import os

from . import fast, reference
from .geometry import ConvGeometry, PoolGeometry, offset_slice, window_offsets

SETS = {"reference": reference, "fast": fast}
_active = {"set": None}


def set_kernels(name):
    """Use the kernel set `name` ('reference' or 'fast') from now on."""
    if name not in SETS:
        raise ValueError(f"set_kernels: unknown kernel set {name!r}; choose one of: {', '.join(SETS)}")
    from .. import parallel

    parallel.sync()                 # nothing of the previous set still running
    _active["set"] = SETS[name]


def prepare(kernel_set, *arrays):
    """The one readiness call of an op that hands arrays to a kernel set: the fast set reads them slice by slice
    as its threads finish them (Function.apply has settled what it must); the reference set reads them whole."""
    if not kernel_set.asynchronous:
        from .. import parallel

        parallel.settle(*arrays, whole=True)


def get_kernels():
    """The name of the kernel set in effect."""
    return next(name for name, module in SETS.items() if module is active())


def active():
    """The kernel module in effect."""
    if _active["set"] is None:
        name = os.environ.get("GLASSTORCH_KERNELS", "fast")
        if name not in SETS:
            raise ValueError(f"GLASSTORCH_KERNELS={name!r} is not a kernel set; choose one of: {', '.join(SETS)}")
        _active["set"] = SETS[name]
    return _active["set"]


__all__ = ["ConvGeometry", "PoolGeometry", "SETS", "active", "get_kernels", "offset_slice", "prepare", "set_kernels",
           "window_offsets"]
