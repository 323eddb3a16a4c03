"""Max, average and adaptive-average pooling over (N, C, H, W): shapes, checks and autograd wiring; the window
arithmetic is the kernel set's (glasstorch/kernels/reference.py: max_pool2d, avg_pool2d and their backward).

Output size: Ho = floor((H + 2 pad - dilation (k - 1) - 1) / stride) + 1 (ceil in ceil_mode, where the
last window must still start inside the input or its left padding).
"""
import functools
import math

from .. import kernels
from ..autograd import function
from ..autograd.function import Function, LinearMap
from ..backend import xp
from .conv import _pair


def pool_output_size(size, kernel, stride, pad, dilation, ceil_mode):
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _padded_extent(size, kernel, stride, pad, dilation, out):
    """Rows the windows reach: the input plus its padding, plus what ceil_mode's last window overhangs."""
    return max(size + 2 * pad, (out - 1) * stride + dilation * (kernel - 1) + 1)


def _pool_geometry(x_shape, kernel, stride, padding, dilation, ceil_mode):
    _, _, h, w = x_shape
    out_h = pool_output_size(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
    out_w = pool_output_size(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
    extent_h = _padded_extent(h, kernel[0], stride[0], padding[0], dilation[0], out_h)
    extent_w = _padded_extent(w, kernel[1], stride[1], padding[1], dilation[1], out_w)
    pads = (padding[0], extent_h - h - padding[0], padding[1], extent_w - w - padding[1])
    return kernels.PoolGeometry(tuple(kernel), tuple(stride), pads, tuple(dilation), (out_h, out_w))


class MaxPool2d(Function):
    """y = max over the window.  dL/dx goes to the first maximal element of each window (PyTorch's tie rule).

    The kernel keeps, per output, the winning kernel offset (kernels.reference.max_pool2d)."""


    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, ceil_mode):
        kernel_set = ctx.kernels = kernels.active()
        ctx.geometry, ctx.x_shape = _pool_geometry(x.shape, kernel, stride, padding, dilation, ceil_mode), x.shape
        out, ctx.winners = kernel_set.max_pool2d(x, ctx.geometry, track=bool(ctx.needs_input_grad))
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return ctx.kernels.max_pool2d_backward(grad_output, ctx.winners, ctx.x_shape, ctx.geometry), *(None,) * 5

    def backward_graph(self, g):
        """dL/dx routes dL/dy to the winners: a linear map whose adjoint picks, for each window, its winner."""
        backward = LinearMap.apply(g, lambda grad: MaxPool2d.backward(self, grad)[0], self._pick_winners)
        return (backward,) + (None,) * 5

    def _pick_winners(self, u):
        """y[n, c, i, j] = u at the winning position of window (i, j): the max pool of u with x's winners."""
        geometry = self.geometry
        top, bottom, left, right = geometry.padding
        padded = xp.pad(u, ((0, 0), (0, 0), (top, bottom), (left, right)))
        out = xp.zeros(self.winners.shape, dtype=u.dtype)
        for index, rows, cols in kernels.window_offsets(geometry.kernel, geometry.dilation, geometry.stride,
                                                        geometry.out_hw):
            out += padded[:, :, rows, cols] * (self.winners == index)
        return out

    def flat_indices(self, padding, input_width):
        """PyTorch's return_indices: the flat position h W + w of each maximum in its input plane."""
        geometry = self.geometry
        p, q = xp.divmod(self.winners.astype(xp.int64), geometry.kernel[1])
        rows = xp.arange(geometry.out_hw[0])[None, None, :, None] * geometry.stride[0] - padding[0] \
            + p * geometry.dilation[0]
        cols = xp.arange(geometry.out_hw[1])[None, None, None, :] * geometry.stride[1] - padding[1] \
            + q * geometry.dilation[1]
        return (rows * input_width + cols).astype(xp.int64)


class AvgPool2d(Function):
    """y = (1/|window|) sum over the window.  dL/dx = dL/dy / |window| for every element of each window.

    |window| counts the padding when count_include_pad (never the part ceil_mode overhangs), unless
    divisor_override fixes it (kernels.reference.avg_pool2d)."""

    linear_in = 0


    @staticmethod
    def forward(ctx, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        kernel_set = ctx.kernels = kernels.active()
        geometry = _pool_geometry(x.shape, kernel, stride, padding, (1, 1), ceil_mode)
        ctx.scale = _avg_scale(x.shape[2:], padding, geometry.padding, geometry.kernel, geometry.stride,
                               geometry.out_hw, count_include_pad, divisor_override, x.dtype)
        ctx.geometry, ctx.x_shape = geometry, x.shape
        return kernel_set.avg_pool2d(x, geometry, ctx.scale)

    @staticmethod
    def backward(ctx, grad_output):
        return ctx.kernels.avg_pool2d_backward(grad_output, ctx.x_shape, ctx.geometry, ctx.scale), *(None,) * 6


@functools.lru_cache(maxsize=64)
def _avg_scale(in_hw, padding, pads, kernel, stride, out_hw, count_include_pad, divisor_override, dtype):
    """Per-output factor 1/|window| (Ho, Wo), the window pooled over a mask of the cells that count.
    Cached per geometry (it depends on no values); callers must not write into it."""
    if divisor_override:
        return xp.full(out_hw, 1 / float(divisor_override), dtype=dtype)
    h, w = in_hw
    mask = xp.zeros((h + pads[0] + pads[1], w + pads[2] + pads[3]))
    if count_include_pad:
        mask[:h + 2 * padding[0], :w + 2 * padding[1]] = 1
    else:
        mask[padding[0]:padding[0] + h, padding[1]:padding[1] + w] = 1
    counts = xp.zeros(out_hw)
    for _, rows, cols in kernels.window_offsets(kernel, (1, 1), stride, out_hw):
        counts += mask[rows, cols]
    scale = (1 / counts).astype(dtype)
    scale.flags.writeable = False
    return scale


def _adaptive_bounds(size, out):
    return [(math.floor(i * size / out), math.ceil((i + 1) * size / out)) for i in range(out)]


class AdaptiveAvgPool2d(Function):
    """y[i, j] = mean of x over rows [floor(i H/Ho), ceil((i+1) H/Ho)) and the matching columns."""

    linear_in = 0

    @staticmethod
    def forward(ctx, x, out_hw):
        rows = _adaptive_bounds(x.shape[2], out_hw[0])
        cols = _adaptive_bounds(x.shape[3], out_hw[1])
        out = xp.empty((*x.shape[:2], *out_hw), dtype=x.dtype)
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                out[:, :, i, j] = x[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
        ctx.geometry = (x.shape, rows, cols)
        return out

    @staticmethod
    def backward(ctx, g):
        shape, rows, cols = ctx.geometry
        grad = xp.zeros(shape, dtype=g.dtype)
        for i, (r0, r1) in enumerate(rows):
            for j, (c0, c1) in enumerate(cols):
                grad[:, :, r0:r1, c0:c1] += (g[:, :, i, j] / ((r1 - r0) * (c1 - c0)))[:, :, None, None]
        return grad, None


# ---------------------------------------------------------------- functional wrappers
def _batched(input, op, fn):
    if input.dim() == 3:
        result = fn(input.unsqueeze(0))
        return tuple(r.squeeze(0) for r in result) if isinstance(result, tuple) else result.squeeze(0)
    if input.dim() != 4:
        raise RuntimeError(f"{op}: expected a 3-D (unbatched) or 4-D (batched) input, got input of shape "
                           f"{tuple(input.shape)}")
    return fn(input)


def _check_pool_args(op, input, kernel, stride, padding, dilation):
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1:
        raise RuntimeError(f"{op}: kernel_size {kernel}, stride {stride} and dilation {dilation} must be positive")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    for axis in (2, 3):
        k, p, d = kernel[axis - 2], padding[axis - 2], dilation[axis - 2]
        if input.shape[axis] + 2 * p < d * (k - 1) + 1:
            raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} is too small for kernel_size {kernel} "
                               f"with padding {padding}: the output would be empty")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    kernel = _pair(kernel_size, "kernel_size", "max_pool2d")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride", "max_pool2d")
    padding, dilation = _pair(padding, "padding", "max_pool2d"), _pair(dilation, "dilation", "max_pool2d")

    def run(x):
        _check_pool_args("max_pool2d", x, kernel, stride, padding, dilation)
        out = MaxPool2d.apply(x, kernel, stride, padding, dilation, ceil_mode)
        if not return_indices:
            return out
        Tensor = function.Tensor
        node = out.grad_fn or _forward_only(MaxPool2d, x, kernel, stride, padding, dilation, ceil_mode)
        return out, Tensor._make(node.flat_indices(padding, x.shape[3]))

    return _batched(input, "max_pool2d", run)


def _forward_only(function, x, *args):
    """Run forward outside the graph but with its bookkeeping (e.g. the max positions) switched on."""
    node = function()
    node.needs_input_grad = (True,)
    function.forward(node, x._data, *args)
    return node


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    kernel = _pair(kernel_size, "kernel_size", "avg_pool2d")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride", "avg_pool2d")
    padding = _pair(padding, "padding", "avg_pool2d")

    def run(x):
        _check_pool_args("avg_pool2d", x, kernel, stride, padding, (1, 1))
        return AvgPool2d.apply(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)

    return _batched(input, "avg_pool2d", run)


def adaptive_avg_pool2d(input, output_size):
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)

    def run(x):
        out_hw = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(size))
        if min(out_hw) < 1:
            raise RuntimeError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
        return AdaptiveAvgPool2d.apply(x, out_hw)

    return _batched(input, "adaptive_avg_pool2d", run)
