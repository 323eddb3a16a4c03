"""The compiled kernel set: the reference's loops, compiled by Numba, parallel inside each kernel.

Each kernel is the textbook loop nest of kernels/reference.py over NCHW arrays, written out element by element
and compiled (`@njit`), with the outermost independent loop a `prange`: one fork/join per kernel on Numba's own
thread pool, no Python threads, so a process uses every core (and `--nproc` ranks at one thread each still
work). The innermost loop runs along an image row (the output's w), contiguous in memory, with the window's
bounds worked out before it, so it has no branch and LLVM vectorises it.

Exact as the reference, NaN and inf included: no fast-math flag (it would assume finite values), sums in a
fixed order (a dL/dW or bias sum runs per output channel, not split over threads), and, as PyTorch's oneDNN
kernels do, a convolution never multiplies the padding: positions outside the image are skipped, not read as 0.

Compiled code is cached in ~/.cache/glasstorch/numba (or $NUMBA_CACHE_DIR), never beside the installed package:
the first process pays the compiling (once per kernel and dtype), later ones load it. NUMBA_DISABLE_JIT=1 runs
these same functions as plain Python, for a debugger.

Status (issue 31): correct on every op test and against the reference kernels; not yet the default, and not yet
tuned: the convolutions are direct loops without register blocking, slower than the fast set's BLAS products
(benchmarks/bench_step.py with GLASSTORCH_KERNELS=compiled measures it).
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
    """A C-contiguous NCHW copy of an image batch unless it is one already (the fast set hands NHWC views over)."""
    return np.ascontiguousarray(array)


@njit(cache=True)
def _span(out_size, stride, offset, size):
    """(first, last + 1) of the output positions i with 0 <= i stride + offset < size: where one kernel tap reads
    the image and not the padding."""
    first = 0 if offset >= 0 else (-offset + stride - 1) // stride
    last = (size - 1 - offset) // stride + 1 if size - 1 - offset >= 0 else 0
    return first, max(first, min(out_size, last))


# ---------------------------------------------------------------- convolution
@njit(**COMPILE)
def _conv2d(x, weight, bias, has_bias, stride_h, stride_w, top, left, dil_h, dil_w, groups, out_h, out_w):
    """y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c, i s - top + p d, j s - left + q d] over the taps
    inside the image; prange over the batch, the inner loop along j."""
    n_batch, _, height, width = x.shape
    out_channels, group_channels, kh, kw = weight.shape
    group_out = out_channels // groups
    y = np.zeros((n_batch, out_channels, out_h, out_w), dtype=x.dtype)
    for n in prange(n_batch):
        for o in range(out_channels):
            if has_bias:
                y[n, o, :, :] = bias[o]
            c0 = (o // group_out) * group_channels
            for c in range(group_channels):
                for p in range(kh):
                    i0, i1 = _span(out_h, stride_h, p * dil_h - top, height)
                    for q in range(kw):
                        w = weight[o, c, p, q]
                        j0, j1 = _span(out_w, stride_w, q * dil_w - left, width)
                        for i in range(i0, i1):
                            row = i * stride_h + p * dil_h - top
                            for j in range(j0, j1):
                                y[n, o, i, j] += w * x[n, c0 + c, row, j * stride_w + q * dil_w - left]
    return y


@njit(**COMPILE)
def _conv2d_input_grad(grad_output, weight, height, width, stride_h, stride_w, top, left, dil_h, dil_w, groups):
    """dL/dx[n, c, i s - top + p d, j s - left + q d] += sum_o dL/dy[n, o, i, j] w[o, c, p, q] (col2im as loops);
    prange over the batch, so no two threads add into one element."""
    n_batch, out_channels, out_h, out_w = grad_output.shape
    _, group_channels, kh, kw = weight.shape
    group_out = out_channels // groups
    dx = np.zeros((n_batch, group_channels * groups, height, width), dtype=grad_output.dtype)
    for n in prange(n_batch):
        for o in range(out_channels):
            c0 = (o // group_out) * group_channels
            for c in range(group_channels):
                for p in range(kh):
                    i0, i1 = _span(out_h, stride_h, p * dil_h - top, height)
                    for q in range(kw):
                        w = weight[o, c, p, q]
                        j0, j1 = _span(out_w, stride_w, q * dil_w - left, width)
                        for i in range(i0, i1):
                            row = i * stride_h + p * dil_h - top
                            for j in range(j0, j1):
                                dx[n, c0 + c, row, j * stride_w + q * dil_w - left] += w * grad_output[n, o, i, j]
    return dx


@njit(**COMPILE)
def _conv2d_weight_grad(x, grad_output, group_channels, kh, kw, stride_h, stride_w, top, left, dil_h, dil_w,
                        groups):
    """dL/dw[o, c, p, q] = sum_{n, i, j} dL/dy[n, o, i, j] x[n, c, i s - top + p d, j s - left + q d]; prange over
    the output channels, each sum in one fixed order."""
    n_batch, _, height, width = x.shape
    _, out_channels, out_h, out_w = grad_output.shape
    group_out = out_channels // groups
    dw = np.zeros((out_channels, group_channels, kh, kw), dtype=grad_output.dtype)
    for o in prange(out_channels):
        c0 = (o // group_out) * group_channels
        for c in range(group_channels):
            for p in range(kh):
                i0, i1 = _span(out_h, stride_h, p * dil_h - top, height)
                for q in range(kw):
                    j0, j1 = _span(out_w, stride_w, q * dil_w - left, width)
                    total = dw[o, c, p, q]
                    for n in range(n_batch):
                        for i in range(i0, i1):
                            row = i * stride_h + p * dil_h - top
                            for j in range(j0, j1):
                                total += grad_output[n, o, i, j] * x[n, c0 + c, row, j * stride_w + q * dil_w - left]
                    dw[o, c, p, q] = total
    return dw


@njit(**COMPILE)
def _channel_sums(grad_output):
    """dL/db[o] = sum_{n, i, j} dL/dy[n, o, i, j]; prange over channels."""
    n_batch, channels, out_h, out_w = grad_output.shape
    sums = np.zeros(channels, dtype=grad_output.dtype)
    for o in prange(channels):
        total = sums[o]
        for n in range(n_batch):
            for i in range(out_h):
                for j in range(out_w):
                    total += grad_output[n, o, i, j]
        sums[o] = total
    return sums


def _geometry(geometry):
    (stride_h, stride_w), (dil_h, dil_w) = geometry.stride, geometry.dilation
    return stride_h, stride_w, geometry.padding[0], geometry.padding[2], dil_h, dil_w, geometry.groups


def conv2d(x, weight, bias, geometry):
    """y (N, O, H', W') = conv2d(x, w) + b: _conv2d."""
    has_bias = bias is not None
    bias = np.ascontiguousarray(bias) if has_bias else np.zeros(1, dtype=x.dtype)
    return _conv2d(_nchw(x), _nchw(weight), bias, has_bias, *_geometry(geometry), *geometry.out_hw)


def conv2d_backward(grad_output, x, weight, x_shape, weight_shape, geometry, need_x, need_w, need_b):
    """(dL/dx, dL/dW, dL/db), None where not needed."""
    grad_output = _nchw(grad_output)
    grad_x = grad_w = grad_b = None
    if need_x:
        grad_x = _conv2d_input_grad(grad_output, _nchw(weight), x_shape[2], x_shape[3], *_geometry(geometry))
    if need_w:
        grad_w = _conv2d_weight_grad(_nchw(x), grad_output, weight_shape[1], weight_shape[2], weight_shape[3],
                                     *_geometry(geometry))
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
