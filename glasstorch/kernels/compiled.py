"""The compiled kernel set: the reference's loops, compiled by Numba, parallel inside each kernel.

Each kernel is the textbook loop nest of kernels/reference.py, written out element by element and compiled
(`@njit`), with the outermost independent loop a `prange`: one fork/join per kernel on Numba's own thread pool,
no Python threads, so a process uses every core (and `--nproc` ranks at one thread each still work).
A convolution's forward keeps the batch innermost, its dL/dx and dL/dW run channels-last (see below); pooling
and the elementwise kernels run in NCHW order.

Exact as the reference, NaN and inf included: no fast-math flag (it would assume finite values), sums in a
fixed order (a dL/dW or bias sum runs per output channel, not split over threads), and, as PyTorch's oneDNN
kernels do, a convolution never multiplies the padding: positions outside the image are skipped, not read as 0.

Compiled code is cached in ~/.cache/glasstorch/numba (or $NUMBA_CACHE_DIR), never beside the installed package:
the first process pays the compiling (once per kernel and dtype), later ones load it. NUMBA_DISABLE_JIT=1 runs
these same functions as plain Python, for a debugger.

Status (issue 31): correct on every op test and against the reference kernels; not yet the default, and not yet
as fast as the fast set's BLAS products (benchmarks/bench_step.py with GLASSTORCH_KERNELS=compiled measures it).
"""
import os
from pathlib import Path

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                                             / "glasstorch" / "numba"))

import functools  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit, prange  # noqa: E402

from .threads import get_num_threads  # noqa: E402

COMPILE = dict(cache=True, parallel=True, nogil=True)     # no fastmath: NaN and inf must behave as IEEE says


def _nchw(array):
    """A C-contiguous NCHW copy of an image batch unless it is one already (a channels-last view is copied)."""
    return np.ascontiguousarray(array)


# ---------------------------------------------------------------- convolution
# The innermost loop of each convolution runs along a contiguous axis and is free of reductions, which LLVM
# vectorises (a sum would need the fast-math reassociation we refuse): the forward keeps the batch innermost
# (x as (C, H, W, N)); dL/dx and dL/dW work channels-last (N, H, W, C), with the weight as
# (groups, kh, kw, O/groups, C/groups) for dL/dx and dL/dW as (groups, kh, kw, C/groups, O/groups).


@njit(**COMPILE)
def _conv2d(x, weight, bias, has_bias, stride_h, stride_w, top, left, dil_h, dil_w, groups, out_h, out_w):
    """y[o, i, j, n] = b[o] + sum_{c, p, q} w[o, c, p, q] x[c, i s - top + p d, j s - left + q d, n] over the taps
    inside the image, with the batch innermost (x is (C, H, W, N)): each weight multiplies a whole run of images
    at once, the vector loop over n; prange over the output channels."""
    _, height, width, n_batch = x.shape
    out_channels, group_channels, kh, kw = weight.shape
    group_out = out_channels // groups
    y = np.empty((out_channels, out_h, out_w, n_batch), dtype=x.dtype)
    for o in prange(out_channels):
        c0 = (o // group_out) * group_channels
        start = bias[o] if has_bias else 0.0
        for i in range(out_h):
            for j in range(out_w):
                for n in range(n_batch):
                    y[o, i, j, n] = start
        for c in range(group_channels):
            for p in range(kh):
                for q in range(kw):
                    w = weight[o, c, p, q]
                    for i in range(out_h):
                        row = i * stride_h + p * dil_h - top
                        if 0 <= row < height:
                            for j in range(out_w):
                                col = j * stride_w + q * dil_w - left
                                if 0 <= col < width:
                                    for n in range(n_batch):
                                        y[o, i, j, n] += w * x[c0 + c, row, col, n]
    return y


@njit(**COMPILE)
def _conv2d_input_grad(grad_output, weight, height, width, stride_h, stride_w, top, left, dil_h, dil_w):
    """dL/dx[n, i s - top + p d, j s - left + q d, c] += sum_o dL/dy[n, i, j, o] w[p, q, o, c] (col2im as loops);
    prange over the batch (no two threads add into one element), the vector loop over the input channels."""
    n_batch, out_h, out_w, _ = grad_output.shape
    groups, kh, kw, group_out, group_channels = weight.shape
    dx = np.zeros((n_batch, height, width, groups * group_channels), dtype=grad_output.dtype)
    for n in prange(n_batch):
        for i in range(out_h):
            for j in range(out_w):
                for p in range(kh):
                    row = i * stride_h + p * dil_h - top
                    if 0 <= row < height:
                        for q in range(kw):
                            col = j * stride_w + q * dil_w - left
                            if 0 <= col < width:
                                for g in range(groups):
                                    for o in range(group_out):
                                        value = grad_output[n, i, j, g * group_out + o]
                                        for c in range(group_channels):
                                            dx[n, row, col, g * group_channels + c] += weight[g, p, q, o, c] * value
    return dx


@njit(**COMPILE)
def _conv2d_weight_grad(x, grad_output, groups, kh, kw, stride_h, stride_w, top, left, dil_h, dil_w, slices):
    """dL/dw[p, q, c, o] = sum_{n, i, j} x[n, i s - top + p d, j s - left + q d, c] dL/dy[n, i, j, o]: prange over
    `slices` contiguous slices of the batch, each adding into its own partial dL/dw (which stays in cache while x
    and dL/dy stream past once), the partials then summed in slice order, so the result does not depend on timing;
    the vector loop over the output channels."""
    n_batch, height, width, channels = x.shape
    _, out_h, out_w, out_channels = grad_output.shape
    group_channels, group_out = channels // groups, out_channels // groups
    partial = np.zeros((slices, groups, kh, kw, group_channels, group_out), dtype=grad_output.dtype)
    for t in prange(slices):
        for n in range(t * n_batch // slices, (t + 1) * n_batch // slices):
            for i in range(out_h):
                for j in range(out_w):
                    for p in range(kh):
                        row = i * stride_h + p * dil_h - top
                        if 0 <= row < height:
                            for q in range(kw):
                                col = j * stride_w + q * dil_w - left
                                if 0 <= col < width:
                                    for g in range(groups):
                                        for c in range(group_channels):
                                            value = x[n, row, col, g * group_channels + c]
                                            for o in range(group_out):
                                                partial[t, g, p, q, c, o] += value * grad_output[n, i, j,
                                                                                                 g * group_out + o]
    dw = partial[0].copy()
    for t in range(1, slices):
        dw += partial[t]
    return dw


@njit(**COMPILE)
def _channel_sums(grad_output):
    """dL/db[o] = sum_{n, i, j} dL/dy[n, i, j, o], the vector loop over the channels."""
    n_batch, out_h, out_w, channels = grad_output.shape
    sums = np.zeros(channels, dtype=grad_output.dtype)
    for n in range(n_batch):
        for i in range(out_h):
            for j in range(out_w):
                for o in range(channels):
                    sums[o] += grad_output[n, i, j, o]
    return sums


def _nhwc(array):
    """An (N, C, H, W) batch as C-contiguous (N, H, W, C) memory (no copy when it is channels-last already)."""
    return np.ascontiguousarray(array.transpose(0, 2, 3, 1))


def _grouped(weight, groups):
    """(O, C/g, kh, kw) as (g, kh, kw, O/g, C/g), contiguous: the weight as dL/dx reads it."""
    out_channels, group_channels, kh, kw = weight.shape
    split = weight.reshape(groups, out_channels // groups, group_channels, kh, kw)
    return np.ascontiguousarray(split.transpose(0, 3, 4, 1, 2))


def _geometry(geometry):
    (stride_h, stride_w), (dil_h, dil_w) = geometry.stride, geometry.dilation
    return stride_h, stride_w, geometry.padding[0], geometry.padding[2], dil_h, dil_w


def conv2d(x, weight, bias, geometry):
    """y (N, O, H', W') = conv2d(x, w) + b: _conv2d on the batch-innermost copy of x, y returned C-contiguous."""
    has_bias = bias is not None
    bias = np.ascontiguousarray(bias) if has_bias else np.zeros(1, dtype=x.dtype)
    y = _conv2d(np.ascontiguousarray(x.transpose(1, 2, 3, 0)), np.ascontiguousarray(weight), bias, has_bias,
                *_geometry(geometry), geometry.groups, *geometry.out_hw)
    return np.ascontiguousarray(y.transpose(3, 0, 1, 2))


def conv2d_backward(grad_output, x, weight, x_shape, weight_shape, geometry, need_x, need_w, need_b):
    """(dL/dx, dL/dW, dL/db), None where not needed."""
    grad_output = _nhwc(grad_output)
    grad_x = grad_w = grad_b = None
    if need_x:
        grad_x = _conv2d_input_grad(grad_output, _grouped(weight, geometry.groups), x_shape[2], x_shape[3],
                                    *_geometry(geometry)).transpose(0, 3, 1, 2)
    if need_w:
        out_channels, group_channels, kh, kw = weight_shape
        grouped = _conv2d_weight_grad(_nhwc(x), grad_output, geometry.groups, kh, kw, *_geometry(geometry),
                                      max(1, min(get_num_threads(), x_shape[0])))
        grad_w = np.ascontiguousarray(grouped.transpose(0, 4, 3, 1, 2).reshape(weight_shape))
    if need_b:
        grad_b = _channel_sums(grad_output)
    return grad_x, grad_w, grad_b


# ---------------------------------------------------------------- pooling
@njit(**COMPILE)
def _max_pool2d(x, kh, kw, stride_h, stride_w, top, left, dil_h, dil_w, out_h, out_w):
    """The maximum of each window, padding as -inf; winners[n, c, i, j] = the flat offset p kw + q of the first
    maximum (a NaN wins, the first NaN; a tie goes to the first), as the reference's argmax."""
    n_batch, channels, height, width = x.shape
    y = np.empty((n_batch, channels, out_h, out_w), dtype=x.dtype)
    winners = np.zeros((n_batch, channels, out_h, out_w), dtype=np.int64)
    for n in prange(n_batch):
        for c in range(channels):
            for i in range(out_h):
                for j in range(out_w):
                    best, at = -np.inf, 0
                    for p in range(kh):
                        row = i * stride_h + p * dil_h - top
                        for q in range(kw):
                            col = j * stride_w + q * dil_w - left
                            if 0 <= row < height and 0 <= col < width:
                                value = x[n, c, row, col]
                                if value > best or (value != value and best == best):
                                    best, at = value, p * kw + q
                    y[n, c, i, j] = best
                    winners[n, c, i, j] = at
    return y, winners


@njit(**COMPILE)
def _max_pool2d_backward(grad_output, winners, height, width, kw, stride_h, stride_w, top, left, dil_h, dil_w):
    n_batch, channels, out_h, out_w = grad_output.shape
    dx = np.zeros((n_batch, channels, height, width), dtype=grad_output.dtype)
    for n in prange(n_batch):
        for c in range(channels):
            for i in range(out_h):
                for j in range(out_w):
                    p, q = divmod(winners[n, c, i, j], kw)
                    row, col = i * stride_h + p * dil_h - top, j * stride_w + q * dil_w - left
                    if 0 <= row < height and 0 <= col < width:
                        dx[n, c, row, col] += grad_output[n, c, i, j]
    return dx


def max_pool2d(x, geometry, track):
    y, winners = _max_pool2d(_nchw(x), *geometry.kernel, *geometry.stride, geometry.padding[0], geometry.padding[2],
                             *geometry.dilation, *geometry.out_hw)
    return y, (winners if track else None)


def max_pool2d_backward(grad_output, winners, x_shape, geometry):
    return _max_pool2d_backward(_nchw(grad_output), winners, x_shape[2], x_shape[3], geometry.kernel[1],
                                *geometry.stride, geometry.padding[0], geometry.padding[2], *geometry.dilation)


@njit(**COMPILE)
def _avg_pool2d(x, scale, kh, kw, stride_h, stride_w, top, left):
    """y[n, c, i, j] = scale[i, j] * the sum of the window's elements inside the image (padding adds 0)."""
    n_batch, channels, height, width = x.shape
    out_h, out_w = scale.shape
    y = np.zeros((n_batch, channels, out_h, out_w), dtype=x.dtype)
    for n in prange(n_batch):
        for c in range(channels):
            for i in range(out_h):
                for j in range(out_w):
                    total = y[n, c, i, j]           # 0 in x's dtype: the sum runs in it, as the reference's
                    for p in range(kh):
                        row = i * stride_h + p - top
                        for q in range(kw):
                            col = j * stride_w + q - left
                            if 0 <= row < height and 0 <= col < width:
                                total += x[n, c, row, col]
                    y[n, c, i, j] = total * scale[i, j]
    return y


@njit(**COMPILE)
def _avg_pool2d_backward(grad_output, scale, height, width, kh, kw, stride_h, stride_w, top, left):
    n_batch, channels, out_h, out_w = grad_output.shape
    dx = np.zeros((n_batch, channels, height, width), dtype=grad_output.dtype)
    for n in prange(n_batch):
        for c in range(channels):
            for i in range(out_h):
                for j in range(out_w):
                    share = grad_output[n, c, i, j] * scale[i, j]
                    for p in range(kh):
                        row = i * stride_h + p - top
                        for q in range(kw):
                            col = j * stride_w + q - left
                            if 0 <= row < height and 0 <= col < width:
                                dx[n, c, row, col] += share
    return dx


def avg_pool2d(x, geometry, scale):
    return _avg_pool2d(_nchw(x), np.ascontiguousarray(np.broadcast_to(scale, geometry.out_hw), dtype=x.dtype),
                       *geometry.kernel, *geometry.stride, geometry.padding[0], geometry.padding[2])


def avg_pool2d_backward(grad_output, x_shape, geometry, scale):
    scale = np.ascontiguousarray(np.broadcast_to(scale, geometry.out_hw), dtype=grad_output.dtype)
    return _avg_pool2d_backward(_nchw(grad_output), scale, x_shape[2], x_shape[3], *geometry.kernel,
                                *geometry.stride, geometry.padding[0], geometry.padding[2])


# ---------------------------------------------------------------- elementwise
@njit(**COMPILE)
def _relu(x):
    """y = x unless x < 0 (then 0): -0.0 and NaN pass as they are."""
    y = np.empty_like(x)
    for k in prange(x.size):
        value = x[k]
        if value < 0:           # an if, not a conditional expression, which Numba compiles to a max losing -0.0
            value = 0.0
        y[k] = value
    return y


@njit(**COMPILE)
def _relu_backward(grad_output, y):
    """dL/dx = dL/dy [not y <= 0], the mask multiplied as the reference does (a NaN y passes the gradient on)."""
    dx = np.empty_like(grad_output)
    for k in prange(grad_output.size):
        mask = 1.0
        if y[k] <= 0:
            mask = 0.0
        dx[k] = grad_output[k] * mask
    return dx


@njit(**COMPILE)
def _add(a, b):
    y = np.empty_like(a)
    for k in prange(a.size):
        y[k] = a[k] + b[k]
    return y


@njit(**COMPILE)
def _sum_rows(matrix):
    """The column sums, prange over columns, each summed down its rows in order."""
    rows, columns = matrix.shape
    sums = np.zeros(columns, dtype=matrix.dtype)
    for j in prange(columns):
        total = sums[j]
        for i in range(rows):
            total += matrix[i, j]
        sums[j] = total
    return sums


def _flat(array):
    return np.ascontiguousarray(array).reshape(-1)


def relu(x):
    return _relu(_flat(x)).reshape(x.shape)


def relu_backward(grad_output, y):
    return _relu_backward(_flat(grad_output), _flat(y)).reshape(grad_output.shape)


def add(a, b):
    return _add(_flat(a), _flat(b)).reshape(a.shape)


def cat(arrays, axis):
    """NumPy's concatenate: a copy, which no loop of ours would make faster."""
    return np.concatenate(arrays, axis=axis)


def sum_rows(matrix):
    return _sum_rows(np.ascontiguousarray(matrix))


def _on_glasstorch_threads(kernel):
    """kernel, run on glasstorch.get_num_threads() of Numba's threads (at most the pool's size)."""
    @functools.wraps(kernel)
    def run(*args, **kwargs):
        numba.set_num_threads(max(1, min(get_num_threads(), numba.config.NUMBA_NUM_THREADS)))
        return kernel(*args, **kwargs)
    return run


for _name in ("conv2d", "conv2d_backward", "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward",
              "relu", "relu_backward", "add", "sum_rows"):
    globals()[_name] = _on_glasstorch_threads(globals()[_name])
