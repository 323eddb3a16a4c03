"""The kernel contract: every array function a kernel set implements, with its shapes and layouts.

A kernel set is a module (kernels/reference.py, kernels/fast.py) that defines each function of KernelSet below with
the same parameters. The ops in glasstorch.ops call the set in effect for the array work of the hot ops and nothing
else of it; `register(name, module)` checks a module against this contract, so a third set (compiled kernels, a GPU)
is one new module and one call.

Conventions every set keeps:
- arrays come in as NumPy arrays of one floating dtype and go out finished (no work left in flight);
- image batches are (N, C, H, W) by their shape; their memory may be C-contiguous, channels-last (NHWC, as
  PyTorch's channels_last tensors) or batch-innermost (CHWN, as the compiled set keeps its activations), and a set
  may return any of them: every set takes every layout;
- what is only needed for its shape is passed as a shape (x_shape, weight_shape), never as a stand-in array;
- geometry is kernels.geometry.ConvGeometry or PoolGeometry: kernel, stride, padding (top, bottom, left, right),
  dilation, groups (convolution), out_hw.
"""
import inspect
from typing import Protocol


class KernelSet(Protocol):
    """The functions of a kernel set. The docstrings give the shapes; kernels/reference.py gives the formulas."""

    def conv2d(self, x, weight, bias, geometry):
        """(y, kept): y (N, O, H', W') = conv2d(x (N, C, H, W), weight (O, C / groups, kh, kw)) + bias (O,) or
        None; kept is what conv2d_backward takes as x for dL/dW: x itself, or the set's own copy of x in the layout
        its loops read, made once by the forward pass for both."""

    def conv2d_backward(self, grad_output, x, weight, x_shape, weight_shape, geometry, need_x, need_w, need_b):
        """(dL/dx, dL/dW, dL/db) from dL/dy (N, O, H', W'), each None unless asked for (need_*). x is conv2d's
        kept or an (N, C, H, W) array (every set takes both); it may be None when dL/dW is not asked for, weight
        None when dL/dx is not; x_shape and weight_shape are always given."""

    def max_pool2d(self, x, geometry, track):
        """(y (N, C, H', W'), winners or None): the maximum of each window, padding counting as -inf; winners
        (kept when track) are what max_pool2d_backward needs to route dL/dy (the first maximum wins a tie)."""

    def max_pool2d_backward(self, grad_output, winners, x_shape, geometry):
        """dL/dx (x_shape): each window's dL/dy added onto its winner."""

    def avg_pool2d(self, x, geometry, scale):
        """y (N, C, H', W') = scale (H', W') * the sum of each window."""

    def avg_pool2d_backward(self, grad_output, x_shape, geometry, scale):
        """dL/dx (x_shape): each element of window (i, j) gets dL/dy[i, j] scale[i, j]."""

    def relu(self, x):
        """y = x where not x < 0, else 0 (keeps -0.0 and NaN), any shape."""

    def relu_backward(self, grad_output, y):
        """dL/dx = dL/dy where not y <= 0 (a NaN passes the gradient on)."""

    def add(self, a, b):
        """a + b for two arrays of one shape and dtype (a residual sum, two gradients of one tensor)."""

    def cat(self, arrays, axis):
        """The arrays joined along axis (an Inception module's branches)."""

    def sum_rows(self, matrix):
        """The column sums (n,) of a 2-D (m, n) array: a bias gradient, a gradient summed over broadcast rows."""


KERNELS = [name for name, value in vars(KernelSet).items() if inspect.isfunction(value) and not name.startswith("_")]


def check(name, module):
    """Refuse a module that does not implement the contract: a kernel missing, or taking other parameters."""
    for kernel in KERNELS:
        implementation = getattr(module, kernel, None)
        if not callable(implementation):
            raise TypeError(f"kernel set {name!r} ({module.__name__}) has no {kernel}(), which the kernel contract "
                            "(glasstorch/kernels/contract.py) requires")
        wanted = list(inspect.signature(getattr(KernelSet, kernel)).parameters)[1:]
        given = list(inspect.signature(implementation).parameters)
        if given != wanted:
            raise TypeError(f"kernel set {name!r}: {kernel}({', '.join(given)}) should take "
                            f"({', '.join(wanted)}) (glasstorch/kernels/contract.py)")
