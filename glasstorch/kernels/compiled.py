"""The compiled kernel set: the reference's loops, compiled by Numba, parallel inside each kernel.

Each kernel is the textbook loop nest of kernels/reference.py, written out element by element and compiled
(`@njit`), with the outermost independent loop a `prange`: one fork/join per kernel on Numba's own thread pool,
no Python threads, so a process uses every core (and `--nproc` ranks at one thread each still work).
Activations stay batch-innermost between kernels: a convolution returns (C, H, W, N) memory as an (N, C, H, W)
view (_images), and the next convolution, 2 x 2 max pooling, average pooling, ReLU and sums take it as it is
(_batch_innermost finds it), their vector loops running over the batch (or, in convolutions, over whole rows of
it); other layouts take the NCHW loops. Loading the set takes the cores from BLAS (threads.claim_cores_from_blas).

Exact as the reference, NaN and inf included: no fast-math flag that assumes finite values (only FMA contraction,
and reassociation of dL/dW's sums, which change rounding, not IEEE's rules), sums in an order fixed by the shapes
(never split over threads), and, as PyTorch's float32 (oneDNN) kernels do, the padding's zeros never meet an
infinite weight or dL/dy (see below).

Compiled code is cached in ~/.cache/glasstorch/numba (or $NUMBA_CACHE_DIR), never beside the installed package:
a machine's first process compiles what training in float32 calls ahead, on every core (compile_ahead.py), and
anything else on first use; later processes load it. NUMBA_DISABLE_JIT=1 runs these same functions as plain
Python, for a debugger.

The default set (kernels/__init__.py): faster than the fast set on the course's networks and, except the ResNet's
training step, than PyTorch (benchmarks/bench_step.py; README, "Kernel sets").
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                                             / "glasstorch" / "numba"))

import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import functools  # noqa: E402

import numba  # noqa: E402
from numba.core import event  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit, prange  # noqa: E402
from numba.core.cpu_options import ParallelOptions  # noqa: E402

numba.config.reload_config()     # where Numba was imported before this module, it has not yet read NUMBA_CACHE_DIR

from ..i18n import t  # noqa: E402
from .geometry import outputs_inside  # noqa: E402
from .threads import claim_cores_from_blas, get_num_threads  # noqa: E402

# Parallel loops are the kernels' prange loops only: NumPy calls inside a kernel (np.zeros, np.arange) stay plain
# calls, where Numba's default would make each its own parallel loop, compiled as one more function (that halves
# the first compile; fills worth sharing between threads are done inside the kernel's prange instead).
PARALLEL = ParallelOptions(dict(numpy=False))
COMPILE = dict(cache=True, parallel=PARALLEL, nogil=True)     # no fastmath: NaN and inf must behave as IEEE says


class _FirstCompileNotice(event.Listener):
    """One line on stderr when this process first compiles a kernel of this set on first use (not when it loads
    one from the cache, nor while compile_ahead compiles, which has its own line): what compile_ahead does not
    compile (float64, strided convolutions) takes a few seconds a kernel, once per machine."""

    said = False
    ahead = False

    def on_start(self, event):
        dispatcher = event.data["dispatcher"]
        if not (self.said or self.ahead) and getattr(dispatcher, "py_func", None) is not None \
                and dispatcher.py_func.__module__ == __name__:
            self.said = True
            print(t("kernels.compiling", folder=numba.config.CACHE_DIR), file=sys.stderr, flush=True)

    def on_end(self, event):
        pass


_notice = _FirstCompileNotice()
event.register("numba:compile", _notice)


@contextlib.contextmanager
def compiling_ahead():
    """While compile_ahead compiles in this process: no first-compile line (it writes its own)."""
    _notice.ahead = True
    try:
        yield
    finally:
        _notice.ahead = False


def _nchw(array):
    """A C-contiguous NCHW copy of an image batch unless it is one already (a channels-last view is copied)."""
    return np.ascontiguousarray(array)


def _batch_innermost(array):
    """The (C, H, W, N) memory of an (N, C, H, W) batch stored with the batch innermost, as this set's
    convolutions and pooling return theirs (a view); None for any other layout, and for one image (whose
    batch-innermost memory is NCHW's too: the NCHW loops, which vectorise along rows, take it)."""
    inner = array.transpose(1, 2, 3, 0)
    return inner if inner.flags.c_contiguous and array.shape[0] > 1 else None


def _images(inner):
    """The (N, C, H, W) view of a batch-innermost (C, H, W, N) array: what this set returns."""
    return inner.transpose(3, 0, 1, 2)


# ---------------------------------------------------------------- convolution
# Two ways to convolve, both with loops whose innermost runs along a contiguous axis free of reductions (or, in
# dL/dW, reductions Numba may split into vector lanes: the `reassoc` flag, which keeps NaN and inf as they are).
#
# Direct (stride 1, no dilation, one group: every convolution of the course's networks): images as (C, H, W, N),
# the batch innermost, so that for a fixed output row i and kernel tap (c, p, q) the inputs that output columns
# j0 <= j < j1 need are ONE contiguous run, x[c, i + p - top, j0 + q - left:j1 + q - left, :], as long as that
# part of the output row ((j1 - j0) N values). The padding is neither stored nor multiplied: a tap serves only the
# output positions whose input lies inside the image, a rectangle of the output, and the taps that serve the same
# rectangle form a block (_tap_blocks: without padding one block of every tap; a 5 x 5 kernel with padding 2,
# 25 blocks of C taps). Skipping the padding's taps saves a fifth of a 5 x 5 layer's multiplications on 12 x 12
# images and half on 4 x 4 ones, and the padded copy of x that the loops once read. Four output channels and
# eight taps of a block per pass share the loads:
#     y[o, i, j0:j1, :] += (w[o, t0] x_t0 + ... + w[o, t3] x_t3) + (w[o, t4] x_t4 + ... + w[o, t7] x_t7)
# for o = o0 .. o0 + 3: two independent chains of four multiply-adds, summed at the end. One chain of eight is
# eight FMA latencies long and kept the FMA units waiting; two chains of four made the forward 15-30% and dL/dx
# 10-20% faster on the course's 5 x 5 and 3 x 3 layers (Zen 4, one and two threads).
# dL/dx is the same loop turned around (a dL/dx row receives runs of dL/dy rows), dL/dW 4 x 4 dot products per
# pass of such runs.
#
# General (any stride, dilation, groups): the forward keeps the batch innermost (x as (C, H, W, N)); dL/dx and
# dL/dW work channels-last (N, H, W, C), with the weight as (groups, kh, kw, O/groups, C/groups) for dL/dx and
# dL/dW as (groups, kh, kw, C/groups, O/groups); positions outside the image are skipped.

BLOCK = 4       # output channels per pass of the direct loops (weights are padded with zero rows to a multiple)
TAPS = 8        # kernel taps per pass of the direct forward


@njit(**COMPILE)
def _to_batch_innermost(x, channels_to):
    """(N, C, H, W) -> (channels_to, H, W, N), zero in the channels C .. channels_to - 1; prange over (channel,
    row), each reading an image row at a time (whole cache lines) into a block (W N values) that stays in L1."""
    n_batch, channels, height, width = x.shape
    inner = np.empty((channels_to, height, width, n_batch), dtype=x.dtype)
    for task in prange(channels_to * height):
        c, i = task // height, task % height
        if c < channels:
            for n in range(n_batch):
                for j in range(width):
                    inner[c, i, j, n] = x[n, c, i, j]
        else:
            inner[c, i] = 0.0
    return inner


@njit(**COMPILE)
def _pad_channels(inner, channels_to):
    """(C, H, W, N) -> (channels_to, H, W, N), zero in the added channels; prange over channels."""
    channels = inner.shape[0]
    padded = np.empty((channels_to,) + inner.shape[1:], dtype=inner.dtype)
    for c in prange(channels_to):
        if c < channels:
            padded[c] = inner[c]
        else:
            padded[c] = 0.0
    return padded


def _as_batch_innermost(x, channels_to=None):
    """x (N, C, H, W) as the C-contiguous (C', H, W, N) array the direct loops read, C' = channels_to (default C)
    with zeros in the added channels: x's own memory where it is stored so (a convolution's output, one image) and
    needs no channels added, else a copy."""
    channels_to = channels_to or x.shape[1]
    inner = x.transpose(1, 2, 3, 0)
    if not inner.flags.c_contiguous:
        return _to_batch_innermost(np.ascontiguousarray(x), channels_to)
    return inner if channels_to == inner.shape[0] else _pad_channels(inner, channels_to)


@dataclasses.dataclass(frozen=True)
class TapBlocks:
    """A stride-1 convolution's kernel taps (c, p, q), each kept only where it reads inside the image, in blocks of
    the taps that serve one rectangle of the output: block b is the taps bounds[b] .. bounds[b + 1] - 1 (c slowest),
    serving output rows rows[b, 0] <= i < rows[b, 1] and columns cols[b, 0] <= j < cols[b, 1]. Tap s reads input
    channel channel[s], row i + row_shift[s] (p - top), column j + col_shift[s] (q - left), and its weights are
    column weight_column[s] (c kh kw + p kw + q) of w as (O, C kh kw); in_weight_order when that is every column in
    order (no padding: one block). dL/dW's tasks are groups[g] = (block, first tap): runs of BLOCK taps of one block
    (fewer at a block's end)."""
    channel: np.ndarray
    row_shift: np.ndarray
    col_shift: np.ndarray
    weight_column: np.ndarray
    bounds: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    groups: np.ndarray
    in_weight_order: bool


@functools.lru_cache(maxsize=64)
def _tap_blocks(channels, kh, kw, top, left, height, width, out_h, out_w):
    """TapBlocks of a stride-1, undilated convolution of C x H x W images padded by top and left (a shape's
    blocks are made once per process)."""
    rectangles = {}         # (first row, stop row, first column, stop column) -> its offsets (p, q)
    for p in range(kh):
        for q in range(kw):
            rows = outputs_inside(height, p, 1, top, 1, out_h)
            cols = outputs_inside(width, q, 1, left, 1, out_w)
            if rows[0] < rows[1] and cols[0] < cols[1]:
                rectangles.setdefault(rows + cols, []).append((p, q))
    taps = np.array([(c, p, q) for offsets in rectangles.values() for c in range(channels) for p, q in offsets],
                    dtype=np.int64).reshape(-1, 3)
    bounds = np.cumsum([0] + [channels * len(offsets) for offsets in rectangles.values()]).astype(np.int64)
    corners = np.array(list(rectangles), dtype=np.int64).reshape(-1, 4)
    groups = [(b, first) for b in range(len(rectangles)) for first in range(bounds[b], bounds[b + 1], BLOCK)]
    c, p, q = taps.T
    return TapBlocks(channel=c.copy(), row_shift=p - top, col_shift=q - left, weight_column=(c * kh + p) * kw + q,
                     bounds=bounds, rows=corners[:, :2].copy(), cols=corners[:, 2:].copy(),
                     groups=np.array(groups, dtype=np.int64).reshape(-1, 2),
                     in_weight_order=len(taps) == channels * kh * kw and len(rectangles) == 1)


@njit(cache=True, parallel=PARALLEL, nogil=True, fastmath={"contract"})
def _direct_conv2d(x, weight, bias, out_h, out_w, channel, row_shift, shift, bounds, rows, cols):
    """y[o, i, j, :] = b[o] + sum_s w[o, s] x[c_s, i + row_shift_s, j + col_shift_s, :] over the taps s of the
    blocks that serve (i, j) (TapBlocks), on the batch-innermost x (C, H, W, N), with w (O, taps) in the blocks'
    order (gathered once per call where that is not w's own: read through an index, the weights cost more per
    pass) and O a multiple of BLOCK; shift[s] = col_shift_s N, where tap s's run starts in an x row (of W N
    values) against the output's. y is batch-innermost too, (O, H', W', N). The vector loop runs over a block's
    columns of an output row, (j1 - j0) N values; prange over (output row, block of output channels)."""
    channels, height, width, n_batch = x.shape
    out_channels = weight.shape[0]
    x_rows = x.reshape(channels, height, width * n_batch)
    y = np.empty((out_channels, out_h, out_w * n_batch), dtype=x.dtype)
    for task in prange(out_h * (out_channels // BLOCK)):
        i, o = task // (out_channels // BLOCK), task % (out_channels // BLOCK) * BLOCK
        y[o, i], y[o + 1, i], y[o + 2, i], y[o + 3, i] = bias[o], bias[o + 1], bias[o + 2], bias[o + 3]
        for b in range(len(bounds) - 1):
            if not rows[b, 0] <= i < rows[b, 1]:
                continue
            lo, hi = cols[b, 0] * n_batch, cols[b, 1] * n_batch
            y0, y1, y2, y3 = y[o, i, lo:hi], y[o + 1, i, lo:hi], y[o + 2, i, lo:hi], y[o + 3, i, lo:hi]
            first, last = bounds[b], bounds[b + 1]
            for s in range(first, last - (last - first) % TAPS, TAPS):   # eight taps by four output channels
                x0 = x_rows[channel[s], i + row_shift[s], lo + shift[s]:hi + shift[s]]
                x1 = x_rows[channel[s + 1], i + row_shift[s + 1], lo + shift[s + 1]:hi + shift[s + 1]]
                x2 = x_rows[channel[s + 2], i + row_shift[s + 2], lo + shift[s + 2]:hi + shift[s + 2]]
                x3 = x_rows[channel[s + 3], i + row_shift[s + 3], lo + shift[s + 3]:hi + shift[s + 3]]
                x4 = x_rows[channel[s + 4], i + row_shift[s + 4], lo + shift[s + 4]:hi + shift[s + 4]]
                x5 = x_rows[channel[s + 5], i + row_shift[s + 5], lo + shift[s + 5]:hi + shift[s + 5]]
                x6 = x_rows[channel[s + 6], i + row_shift[s + 6], lo + shift[s + 6]:hi + shift[s + 6]]
                x7 = x_rows[channel[s + 7], i + row_shift[s + 7], lo + shift[s + 7]:hi + shift[s + 7]]
                w00, w01, w02, w03 = weight[o, s], weight[o, s + 1], weight[o, s + 2], weight[o, s + 3]
                w04, w05, w06, w07 = weight[o, s + 4], weight[o, s + 5], weight[o, s + 6], weight[o, s + 7]
                w10, w11, w12, w13 = weight[o + 1, s], weight[o + 1, s + 1], weight[o + 1, s + 2], weight[o + 1, s + 3]
                w14, w15, w16, w17 = weight[o + 1, s + 4], weight[o + 1, s + 5], weight[o + 1, s + 6], \
                    weight[o + 1, s + 7]
                w20, w21, w22, w23 = weight[o + 2, s], weight[o + 2, s + 1], weight[o + 2, s + 2], weight[o + 2, s + 3]
                w24, w25, w26, w27 = weight[o + 2, s + 4], weight[o + 2, s + 5], weight[o + 2, s + 6], \
                    weight[o + 2, s + 7]
                w30, w31, w32, w33 = weight[o + 3, s], weight[o + 3, s + 1], weight[o + 3, s + 2], weight[o + 3, s + 3]
                w34, w35, w36, w37 = weight[o + 3, s + 4], weight[o + 3, s + 5], weight[o + 3, s + 6], \
                    weight[o + 3, s + 7]
                for k in range(hi - lo):
                    a, b_, c, d, e, f, g, h = x0[k], x1[k], x2[k], x3[k], x4[k], x5[k], x6[k], x7[k]
                    y0[k] = y0[k] + ((w00 * a + w01 * b_ + w02 * c + w03 * d) + (w04 * e + w05 * f + w06 * g + w07 * h))
                    y1[k] = y1[k] + ((w10 * a + w11 * b_ + w12 * c + w13 * d) + (w14 * e + w15 * f + w16 * g + w17 * h))
                    y2[k] = y2[k] + ((w20 * a + w21 * b_ + w22 * c + w23 * d) + (w24 * e + w25 * f + w26 * g + w27 * h))
                    y3[k] = y3[k] + ((w30 * a + w31 * b_ + w32 * c + w33 * d) + (w34 * e + w35 * f + w36 * g + w37 * h))
            for s in range(last - (last - first) % TAPS, last):
                x0 = x_rows[channel[s], i + row_shift[s], lo + shift[s]:hi + shift[s]]
                w00, w10, w20, w30 = weight[o, s], weight[o + 1, s], weight[o + 2, s], weight[o + 3, s]
                for k in range(hi - lo):
                    a = x0[k]
                    y0[k] += w00 * a
                    y1[k] += w10 * a
                    y2[k] += w20 * a
                    y3[k] += w30 * a
    return y.reshape(out_channels, out_h, out_w, n_batch)


@njit(cache=True, parallel=PARALLEL, nogil=True, fastmath={"contract", "reassoc"})
def _direct_conv2d_weight_grad(x, grad_output, kh, kw, channel, row_shift, shift, column, bounds, rows, cols,
                               groups):
    """dL/dw[o, column_s] = sum over the output positions (i, j) that tap s serves of dL/dy[o, i, j, :] .
    x[c_s, i + row_shift_s, j + col_shift_s, :] (0 for a tap that reads only padding): dot products of contiguous
    runs (a block's columns of a row), four output channels by four taps of one block per pass (16 sums sharing 8
    loads; the reassoc flag lets each run be summed in vector lanes). x and dL/dy (O, H', W', N) batch-innermost,
    O a multiple of BLOCK, shift as _direct_conv2d's; dL/dw comes back (O, C kh kw). prange over (block of output
    channels, group of taps)."""
    channels, height, width, n_batch = x.shape
    out_channels, out_h, out_w, _ = grad_output.shape
    x_rows = x.reshape(channels, height, width * n_batch)
    grad_rows = grad_output.reshape(out_channels, out_h, out_w * n_batch)
    dw = np.zeros((out_channels, channels * kh * kw), dtype=x.dtype)
    zero = dw.dtype.type(0)
    for task in prange(out_channels // BLOCK * len(groups)):
        o, g = task // len(groups) * BLOCK, task % len(groups)
        b, t = groups[g, 0], groups[g, 1]
        lo, hi = cols[b, 0] * n_batch, cols[b, 1] * n_batch
        if t + BLOCK <= bounds[b + 1]:
            s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = zero
            s20 = s21 = s22 = s23 = s30 = s31 = s32 = s33 = zero
            for i in range(rows[b, 0], rows[b, 1]):
                x0 = x_rows[channel[t], i + row_shift[t], lo + shift[t]:hi + shift[t]]
                x1 = x_rows[channel[t + 1], i + row_shift[t + 1], lo + shift[t + 1]:hi + shift[t + 1]]
                x2 = x_rows[channel[t + 2], i + row_shift[t + 2], lo + shift[t + 2]:hi + shift[t + 2]]
                x3 = x_rows[channel[t + 3], i + row_shift[t + 3], lo + shift[t + 3]:hi + shift[t + 3]]
                g0, g1 = grad_rows[o, i, lo:hi], grad_rows[o + 1, i, lo:hi]
                g2, g3 = grad_rows[o + 2, i, lo:hi], grad_rows[o + 3, i, lo:hi]
                for k in range(hi - lo):
                    a, b_, c, d = x0[k], x1[k], x2[k], x3[k]
                    s00 += g0[k] * a
                    s01 += g0[k] * b_
                    s02 += g0[k] * c
                    s03 += g0[k] * d
                    s10 += g1[k] * a
                    s11 += g1[k] * b_
                    s12 += g1[k] * c
                    s13 += g1[k] * d
                    s20 += g2[k] * a
                    s21 += g2[k] * b_
                    s22 += g2[k] * c
                    s23 += g2[k] * d
                    s30 += g3[k] * a
                    s31 += g3[k] * b_
                    s32 += g3[k] * c
                    s33 += g3[k] * d
            u = column[t:t + BLOCK]
            dw[o, u[0]], dw[o, u[1]], dw[o, u[2]], dw[o, u[3]] = s00, s01, s02, s03
            dw[o + 1, u[0]], dw[o + 1, u[1]], dw[o + 1, u[2]], dw[o + 1, u[3]] = s10, s11, s12, s13
            dw[o + 2, u[0]], dw[o + 2, u[1]], dw[o + 2, u[2]], dw[o + 2, u[3]] = s20, s21, s22, s23
            dw[o + 3, u[0]], dw[o + 3, u[1]], dw[o + 3, u[2]], dw[o + 3, u[3]] = s30, s31, s32, s33
        else:
            for u in range(t, bounds[b + 1]):
                s0 = s1 = s2 = s3 = zero
                for i in range(rows[b, 0], rows[b, 1]):
                    x0 = x_rows[channel[u], i + row_shift[u], lo + shift[u]:hi + shift[u]]
                    g0, g1 = grad_rows[o, i, lo:hi], grad_rows[o + 1, i, lo:hi]
                    g2, g3 = grad_rows[o + 2, i, lo:hi], grad_rows[o + 3, i, lo:hi]
                    for k in range(hi - lo):
                        s0 += g0[k] * x0[k]
                        s1 += g1[k] * x0[k]
                        s2 += g2[k] * x0[k]
                        s3 += g3[k] * x0[k]
                u0 = column[u]
                dw[o, u0], dw[o + 1, u0], dw[o + 2, u0], dw[o + 3, u0] = s0, s1, s2, s3
    return dw


@njit(cache=True, parallel=PARALLEL, nogil=True, fastmath={"contract"})
def _direct_conv2d_input_grad(grad_output, weight, top, left, height, width):
    """dL/dx[c, i + p - top, j + q - left, :] += sum_o w[o, c, p, q] dL/dy[o, i, j, :] over the (i, j) whose
    input lies inside the image (nothing of the padding is computed): the forward's loop turned around, a dL/dx
    row receiving runs of dL/dy rows, four input channels by eight output channels per pass (32 FMAs per 8 dL/dy
    and 4 dL/dx vectors, each sum of eight as the forward's two chains of four; four output channels in the last
    pass when O is not a multiple of eight). dL/dy is (O, H', W', N) and w (O, C, kh, kw), both with O and C
    multiples of BLOCK; dL/dx comes back batch-innermost, (C, height, width, N). prange over (block of input
    channels, row)."""
    out_channels, out_h, out_w, n_batch = grad_output.shape
    _, channels, kh, kw = weight.shape
    grad_rows = grad_output.reshape(out_channels, out_h, out_w * n_batch)
    octets = out_channels - out_channels % (2 * BLOCK)
    dx = np.empty((channels, height, width * n_batch), dtype=grad_output.dtype)
    for task in prange(channels // BLOCK * height):
        c, r = task // height * BLOCK, task % height
        for channel in range(c, c + BLOCK):         # the rows this task adds into, zeroed by it (in its cache)
            for k in range(width * n_batch):
                dx[channel, r, k] = 0.0
        for p in range(kh):
            i = r + top - p
            if not 0 <= i < out_h:
                continue
            for o in range(0, octets, 2 * BLOCK):      # eight dL/dy rows, kept in L1 over the kw taps
                for q in range(kw):
                    lo, hi = max(0, left - q) * n_batch, min(out_w, width + left - q) * n_batch
                    at = (q - left) * n_batch               # dL/dy column j adds into dL/dx column j + q - left
                    d0, d1 = dx[c, r, lo + at:hi + at], dx[c + 1, r, lo + at:hi + at]
                    d2, d3 = dx[c + 2, r, lo + at:hi + at], dx[c + 3, r, lo + at:hi + at]
                    g0, g1, g2, g3 = grad_rows[o, i, lo:hi], grad_rows[o + 1, i, lo:hi], grad_rows[o + 2, i, lo:hi], \
                        grad_rows[o + 3, i, lo:hi]
                    g4, g5, g6, g7 = grad_rows[o + 4, i, lo:hi], grad_rows[o + 5, i, lo:hi], \
                        grad_rows[o + 6, i, lo:hi], grad_rows[o + 7, i, lo:hi]
                    w = weight[o:o + 2 * BLOCK, c:c + BLOCK, p, q]        # w[o', c'] = weight[o + o', c + c', p, q]
                    w00, w01, w02, w03, w04, w05, w06, w07 = w[0, 0], w[1, 0], w[2, 0], w[3, 0], w[4, 0], w[5, 0], \
                        w[6, 0], w[7, 0]
                    w10, w11, w12, w13, w14, w15, w16, w17 = w[0, 1], w[1, 1], w[2, 1], w[3, 1], w[4, 1], w[5, 1], \
                        w[6, 1], w[7, 1]
                    w20, w21, w22, w23, w24, w25, w26, w27 = w[0, 2], w[1, 2], w[2, 2], w[3, 2], w[4, 2], w[5, 2], \
                        w[6, 2], w[7, 2]
                    w30, w31, w32, w33, w34, w35, w36, w37 = w[0, 3], w[1, 3], w[2, 3], w[3, 3], w[4, 3], w[5, 3], \
                        w[6, 3], w[7, 3]
                    for k in range(hi - lo):
                        a, b, e, f, s, t, u, v = g0[k], g1[k], g2[k], g3[k], g4[k], g5[k], g6[k], g7[k]
                        d0[k] = d0[k] + ((w00 * a + w01 * b + w02 * e + w03 * f)
                                         + (w04 * s + w05 * t + w06 * u + w07 * v))
                        d1[k] = d1[k] + ((w10 * a + w11 * b + w12 * e + w13 * f)
                                         + (w14 * s + w15 * t + w16 * u + w17 * v))
                        d2[k] = d2[k] + ((w20 * a + w21 * b + w22 * e + w23 * f)
                                         + (w24 * s + w25 * t + w26 * u + w27 * v))
                        d3[k] = d3[k] + ((w30 * a + w31 * b + w32 * e + w33 * f)
                                         + (w34 * s + w35 * t + w36 * u + w37 * v))
            for o in range(octets, out_channels, BLOCK):     # the last four, where O is not a multiple of eight
                for q in range(kw):
                    lo, hi = max(0, left - q) * n_batch, min(out_w, width + left - q) * n_batch
                    at = (q - left) * n_batch
                    d0, d1 = dx[c, r, lo + at:hi + at], dx[c + 1, r, lo + at:hi + at]
                    d2, d3 = dx[c + 2, r, lo + at:hi + at], dx[c + 3, r, lo + at:hi + at]
                    g0, g1, g2, g3 = grad_rows[o, i, lo:hi], grad_rows[o + 1, i, lo:hi], grad_rows[o + 2, i, lo:hi], \
                        grad_rows[o + 3, i, lo:hi]
                    w = weight[o:o + BLOCK, c:c + BLOCK, p, q]
                    w00, w01, w02, w03 = w[0, 0], w[1, 0], w[2, 0], w[3, 0]
                    w10, w11, w12, w13 = w[0, 1], w[1, 1], w[2, 1], w[3, 1]
                    w20, w21, w22, w23 = w[0, 2], w[1, 2], w[2, 2], w[3, 2]
                    w30, w31, w32, w33 = w[0, 3], w[1, 3], w[2, 3], w[3, 3]
                    for k in range(hi - lo):
                        a, b, e, f = g0[k], g1[k], g2[k], g3[k]
                        d0[k] = d0[k] + w00 * a + w01 * b + w02 * e + w03 * f
                        d1[k] = d1[k] + w10 * a + w11 * b + w12 * e + w13 * f
                        d2[k] = d2[k] + w20 * a + w21 * b + w22 * e + w23 * f
                        d3[k] = d3[k] + w30 * a + w31 * b + w32 * e + w33 * f
    return dx.reshape(channels, height, width, n_batch)


@njit(cache=True, parallel=PARALLEL, nogil=True, fastmath={"reassoc"})
def _plane_sums(grad_output, channels):
    """dL/db[o] = the sum of plane o of a (O, H', W', N) dL/dy, for the first `channels` planes."""
    out_channels, out_h, out_w, n_batch = grad_output.shape
    planes = grad_output.reshape(out_channels, out_h * out_w * n_batch)
    sums = np.empty(channels, dtype=grad_output.dtype)
    for o in prange(channels):
        total = sums.dtype.type(0)
        for k in range(planes.shape[1]):
            total += planes[o, k]
        sums[o] = total
    return sums


def _to_block(array, axes=(0,)):
    """A C-contiguous copy of `array` with the given axes padded with zeros to a multiple of BLOCK (weights and
    biases of the direct loops)."""
    shape = tuple(size + (-size % BLOCK if axis in axes else 0) for axis, size in enumerate(array.shape))
    if shape == array.shape:
        return np.ascontiguousarray(array)
    padded = np.zeros(shape, dtype=array.dtype)       # (np.pad does the same in 5x the time)
    padded[tuple(slice(0, size) for size in array.shape)] = array
    return padded


def _direct(geometry):
    """Whether the direct loops take this convolution: stride 1, no dilation, one group (any padding)."""
    return geometry.stride == (1, 1) and geometry.dilation == (1, 1) and geometry.groups == 1


def _blocks(geometry, x_shape):
    (kh, kw), (top, _, left, _) = geometry.kernel, geometry.padding
    return _tap_blocks(x_shape[1], kh, kw, top, left, *x_shape[2:], *geometry.out_hw)

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
    """(y, kept): y (N, O, H', W') = conv2d(x, w) + b, returned batch-innermost (the layout the next convolution,
    2 x 2 max pooling, ReLU and sums take as they are): the direct loops where they take the shape (kept: x as
    they read it, batch-innermost, which dL/dW reads too), else _conv2d on the batch-innermost x (kept: x)."""
    if _direct(geometry):
        out_channels = weight.shape[0]
        inner, blocks = _as_batch_innermost(x), _blocks(geometry, x.shape)
        bias = np.zeros(out_channels, dtype=x.dtype) if bias is None else bias
        weight = _to_block(weight).reshape(out_channels + -out_channels % BLOCK, -1)
        if not blocks.in_weight_order:
            weight = np.ascontiguousarray(weight[:, blocks.weight_column])    # (fancy indexing returns it F-ordered)
        y = _direct_conv2d(inner, weight, _to_block(bias), *geometry.out_hw, blocks.channel, blocks.row_shift,
                           blocks.col_shift * x.shape[0], blocks.bounds, blocks.rows, blocks.cols)
        return _images(y[:out_channels]), _images(inner)
    has_bias = bias is not None
    bias = np.ascontiguousarray(bias) if has_bias else np.zeros(1, dtype=x.dtype)
    y = _conv2d(np.ascontiguousarray(x.transpose(1, 2, 3, 0)), np.ascontiguousarray(weight), bias, has_bias,
                *_geometry(geometry), geometry.groups, *geometry.out_hw)
    return _images(y), x


def conv2d_backward(grad_output, x, weight, x_shape, weight_shape, geometry, need_x, need_w, need_b):
    """(dL/dx, dL/dW, dL/db), None where not needed: the direct loops where they take the shape, else the general
    ones. x: conv2d's kept, or any (N, C, H, W) array. dL/dx comes back batch-innermost."""
    if not _direct(geometry):
        return _general_conv2d_backward(grad_output, x, weight, x_shape, weight_shape, geometry, need_x, need_w,
                                        need_b)
    out_channels, channels, kh, kw = weight_shape
    blocked = _as_batch_innermost(grad_output, out_channels + -out_channels % BLOCK)
    grad_x = grad_w = grad_b = None
    if need_x:
        grad_x = _images(_direct_conv2d_input_grad(blocked, _to_block(weight, axes=(0, 1)), geometry.padding[0],
                                                   geometry.padding[2], *x_shape[2:])[:channels])
    if need_w:
        blocks = _blocks(geometry, x_shape)
        grad_w = _direct_conv2d_weight_grad(
            _as_batch_innermost(x), blocked, kh, kw, blocks.channel, blocks.row_shift, blocks.col_shift * x_shape[0],
            blocks.weight_column, blocks.bounds, blocks.rows, blocks.cols, blocks.groups)[:out_channels].reshape(
            weight_shape)
    if need_b:
        grad_b = _plane_sums(blocked, out_channels)
    return grad_x, grad_w, grad_b


def _general_conv2d_backward(grad_output, x, weight, x_shape, weight_shape, geometry, need_x, need_w, need_b):
    """conv2d_backward by the general loops (any stride, dilation, groups; the padding never multiplied)."""
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
@njit(cache=True, nogil=True)
def _column_ranges(kw, stride, left, width, out_w):
    """For each window column q: the output columns j whose tap q reads inside the image (0 <= j s + q - left <
    width), as first[q] <= j < stop[q], and offset[q] = q - left. Computed once per call, so that the loops over j
    need no bounds test and vectorise."""
    first, stop, offset = np.empty(kw, np.int64), np.empty(kw, np.int64), np.empty(kw, np.int64)
    for q in range(kw):
        offset[q] = q - left
        first[q] = max(0, (left - q + stride - 1) // stride)
        stop[q] = max(first[q], min(out_w, (width - 1 - offset[q]) // stride + 1) if width - 1 - offset[q] >= 0 else 0)
    return first, stop, offset


@njit(inline="always")
def _window_step(value, offset, best, at):
    """(best, at) after a max-pooling window's element `value` at flat offset `offset`: PyTorch's rule, a larger
    value or the first NaN takes over, a tie keeps the earlier one (selects, no branches, so loops vectorise)."""
    wins = (value > best) | ((value != value) & (best == best))
    return (value if wins else best), (offset if wins else at)


@njit(**COMPILE)
def _max_pool2d(x, kh, kw, stride_h, stride_w, top, left, dil_h, dil_w, out_h, out_w):
    """The maximum of each window, padding as -inf; winners[n, c, i, j] = the flat offset p kw + q of the first
    maximum (a NaN wins, the first NaN; a tie goes to the first), as the reference's argmax; prange over (image,
    channel)."""
    n_batch, channels, height, width = x.shape
    y = np.empty((n_batch, channels, out_h, out_w), dtype=x.dtype)
    winners = np.empty((n_batch, channels, out_h, out_w), dtype=np.int64)
    for task in prange(n_batch * channels):
        n, c = task // channels, task % channels
        for i in range(out_h):
            for j in range(out_w):
                best, at = -np.inf, 0
                for p in range(kh):
                    row = i * stride_h + p * dil_h - top
                    if 0 <= row < height:
                        for q in range(kw):
                            col = j * stride_w + q * dil_w - left
                            if 0 <= col < width:
                                value = x[n, c, row, col]
                                best, at = _window_step(value, p * kw + q, best, at)
                y[n, c, i, j] = best
                winners[n, c, i, j] = at
    return y, winners


@njit(**COMPILE)
def _max_pool2d_2x2(x, out_h, out_w):
    """_max_pool2d for 2 x 2 windows of stride 2 without padding (F.max_pool2d(x, 2), every max pooling of the
    course's networks): the window a constant the compiler unrolls (selects, no branches: the loop over j
    vectorises); with the window's size a runtime value it runs 5-10x slower."""
    n_batch, channels = x.shape[:2]
    y = np.empty((n_batch, channels, out_h, out_w), dtype=x.dtype)
    winners = np.empty((n_batch, channels, out_h, out_w), dtype=np.int64)
    for task in prange(n_batch * channels):
        n, c = task // channels, task % channels
        for i in range(out_h):
            for j in range(out_w):
                best, at = -np.inf, 0
                for p in range(2):
                    for q in range(2):
                        value = x[n, c, 2 * i + p, 2 * j + q]
                        best, at = _window_step(value, 2 * p + q, best, at)
                y[n, c, i, j] = best
                winners[n, c, i, j] = at
    return y, winners


@njit(**COMPILE)
def _max_pool2d_2x2_batch_innermost(x, out_h, out_w):
    """_max_pool2d_2x2 on a batch-innermost x (C, H, W, N), as convolutions return theirs: y and winners
    (C, H', W', N), the vector loop over the batch; prange over (channel, output row)."""
    channels, _, _, n_batch = x.shape
    y = np.empty((channels, out_h, out_w, n_batch), dtype=x.dtype)
    winners = np.empty((channels, out_h, out_w, n_batch), dtype=np.int64)
    for task in prange(channels * out_h):
        c, i = task // out_h, task % out_h
        for j in range(out_w):
            for n in range(n_batch):
                best, at = -np.inf, 0
                for p in range(2):
                    for q in range(2):
                        value = x[c, 2 * i + p, 2 * j + q, n]
                        best, at = _window_step(value, 2 * p + q, best, at)
                y[c, i, j, n] = best
                winners[c, i, j, n] = at
    return y, winners


@njit(**COMPILE)
def _max_pool2d_2x2_backward_batch_innermost(grad_output, winners, height, width):
    """dL/dx (C, H, W, N) of _max_pool2d_2x2_batch_innermost: each window's four elements written once, dL/dy
    at its winner and 0 at the other three (the windows do not overlap); rows and columns no window covers
    stay 0."""
    channels, out_h, out_w, n_batch = grad_output.shape
    dx = np.empty((channels, height, width, n_batch), dtype=grad_output.dtype)
    if 2 * out_h < height or 2 * out_w < width:
        dx[:] = 0.0
    for task in prange(channels * out_h):
        c, i = task // out_h, task % out_h
        for j in range(out_w):
            for p in range(2):
                for q in range(2):
                    for n in range(n_batch):
                        dx[c, 2 * i + p, 2 * j + q, n] = (grad_output[c, i, j, n] if winners[c, i, j, n] == 2 * p + q
                                                          else 0.0)
    return dx


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


def _two_by_two(geometry):
    return geometry.kernel == geometry.stride == (2, 2) and geometry.dilation == (1, 1) and not any(geometry.padding)


def max_pool2d(x, geometry, track):
    """(y, winners): batch-innermost in and out where x is so (a convolution's output), else NCHW."""
    inner = _batch_innermost(x)
    if inner is not None and _two_by_two(geometry):
        y, winners = _max_pool2d_2x2_batch_innermost(inner, *geometry.out_hw)
        return _images(y), (_images(winners) if track else None)
    x = _nchw(x)
    if _two_by_two(geometry):
        y, winners = _max_pool2d_2x2(x, *geometry.out_hw)
    else:
        y, winners = _max_pool2d(x, *geometry.kernel, *geometry.stride, geometry.padding[0], geometry.padding[2],
                                 *geometry.dilation, *geometry.out_hw)
    return y, (winners if track else None)


def max_pool2d_backward(grad_output, winners, x_shape, geometry):
    """dL/dx in the layout of the forward pass's winners."""
    inner = _batch_innermost(winners)
    if inner is not None and _two_by_two(geometry):
        return _images(_max_pool2d_2x2_backward_batch_innermost(
            np.ascontiguousarray(grad_output.transpose(1, 2, 3, 0)), inner, *x_shape[2:]))
    return _max_pool2d_backward(_nchw(grad_output), winners, x_shape[2], x_shape[3], geometry.kernel[1],
                                *geometry.stride, geometry.padding[0], geometry.padding[2], *geometry.dilation)


@njit(**COMPILE)
def _avg_pool2d(x, scale, kh, kw, stride_h, stride_w, top, left):
    """y[n, c, i, j] = scale[i, j] * the sum of the window's elements inside the image (padding adds 0), the sum
    in tap order as the reference's; an output row at a time (the vector loop over j); prange over (image,
    channel)."""
    n_batch, channels, height, width = x.shape
    out_h, out_w = scale.shape
    y = np.zeros((n_batch, channels, out_h, out_w), dtype=x.dtype)
    first, stop, offset = _column_ranges(kw, stride_w, left, width, out_w)
    for task in prange(n_batch * channels):
        n, c = task // channels, task % channels
        for i in range(out_h):
            total = y[n, c, i]
            for p in range(kh):
                row = i * stride_h + p - top
                if 0 <= row < height:
                    inputs = x[n, c, row]
                    for q in range(kw):
                        for j in range(first[q], stop[q]):
                            total[j] += inputs[j * stride_w + offset[q]]
            for j in range(out_w):
                total[j] *= scale[i, j]
    return y


@njit(**COMPILE)
def _avg_pool2d_backward(grad_output, scale, height, width, kh, kw, stride_h, stride_w, top, left):
    """dL/dx[n, c, i s + p - top, j s + q - left] += dL/dy[n, c, i, j] scale[i, j] for every tap inside the image;
    an output row at a time; prange over (image, channel)."""
    n_batch, channels, out_h, out_w = grad_output.shape
    dx = np.zeros((n_batch, channels, height, width), dtype=grad_output.dtype)
    share = np.empty((n_batch * channels, out_w), dtype=grad_output.dtype)
    first, stop, offset = _column_ranges(kw, stride_w, left, width, out_w)
    for task in prange(n_batch * channels):
        n, c = task // channels, task % channels
        for i in range(out_h):
            for j in range(out_w):
                share[task, j] = grad_output[n, c, i, j] * scale[i, j]
            for p in range(kh):
                row = i * stride_h + p - top
                if 0 <= row < height:
                    target = dx[n, c, row]
                    for q in range(kw):
                        for j in range(first[q], stop[q]):
                            target[j * stride_w + offset[q]] += share[task, j]
    return dx


@njit(**COMPILE)
def _avg_pool2d_batch_innermost(x, scale, kh, kw, stride_h, stride_w, top, left):
    """_avg_pool2d on a batch-innermost x (C, H, W, N) (the same sums in the same order), y (C, H', W', N); the
    vector loop over the batch; prange over (channel, output row)."""
    channels, height, width, n_batch = x.shape
    out_h, out_w = scale.shape
    y = np.zeros((channels, out_h, out_w, n_batch), dtype=x.dtype)
    for task in prange(channels * out_h):
        c, i = task // out_h, task % out_h
        for j in range(out_w):
            total = y[c, i, j]
            for p in range(kh):
                row = i * stride_h + p - top
                if 0 <= row < height:
                    for q in range(kw):
                        col = j * stride_w + q - left
                        if 0 <= col < width:
                            inputs = x[c, row, col]
                            for n in range(n_batch):
                                total[n] += inputs[n]
            for n in range(n_batch):
                total[n] *= scale[i, j]
    return y


@njit(**COMPILE)
def _avg_pool2d_backward_batch_innermost(grad_output, scale, height, width, kh, kw, stride_h, stride_w, top, left):
    """_avg_pool2d_backward on a batch-innermost dL/dy (C, H', W', N) (the same sums in the same order): dL/dx
    (C, H, W, N); the vector loop over the batch; prange over channels (windows of one channel overlap)."""
    channels, out_h, out_w, n_batch = grad_output.shape
    dx = np.zeros((channels, height, width, n_batch), dtype=grad_output.dtype)
    share = np.empty((channels, out_w, n_batch), dtype=grad_output.dtype)
    for c in prange(channels):
        for i in range(out_h):
            for j in range(out_w):
                for n in range(n_batch):
                    share[c, j, n] = grad_output[c, i, j, n] * scale[i, j]
            for p in range(kh):
                row = i * stride_h + p - top
                if 0 <= row < height:
                    for q in range(kw):
                        for j in range(out_w):
                            col = j * stride_w + q - left
                            if 0 <= col < width:
                                target = dx[c, row, col]
                                for n in range(n_batch):
                                    target[n] += share[c, j, n]
    return dx


def avg_pool2d(x, geometry, scale):
    """Batch-innermost in and out where x is so (a convolution's output), else NCHW."""
    inner = _batch_innermost(x)
    if inner is not None:
        return _images(_avg_pool2d_batch_innermost(
            inner, np.ascontiguousarray(np.broadcast_to(scale, geometry.out_hw), dtype=x.dtype), *geometry.kernel,
            *geometry.stride, geometry.padding[0], geometry.padding[2]))
    return _avg_pool2d(_nchw(x), np.ascontiguousarray(np.broadcast_to(scale, geometry.out_hw), dtype=x.dtype),
                       *geometry.kernel, *geometry.stride, geometry.padding[0], geometry.padding[2])


def avg_pool2d_backward(grad_output, x_shape, geometry, scale):
    """dL/dx in dL/dy's layout (batch-innermost or NCHW)."""
    scale = np.ascontiguousarray(np.broadcast_to(scale, geometry.out_hw), dtype=grad_output.dtype)
    inner = _batch_innermost(grad_output)
    if inner is not None:
        return _images(_avg_pool2d_backward_batch_innermost(inner, scale, x_shape[2], x_shape[3], *geometry.kernel,
                                                            *geometry.stride, geometry.padding[0],
                                                            geometry.padding[2]))
    return _avg_pool2d_backward(_nchw(grad_output), scale, x_shape[2], x_shape[3], *geometry.kernel,
                                *geometry.stride, geometry.padding[0], geometry.padding[2])


# ---------------------------------------------------------------- elementwise
@njit(**COMPILE)
def _relu(x, y):
    """y = x unless x < 0 (then 0): -0.0 and NaN pass as they are."""
    for k in prange(x.size):
        value = x[k]
        if value < 0:           # an if, not a conditional expression, which Numba compiles to a max losing -0.0
            value = 0.0
        y[k] = value


@njit(**COMPILE)
def _relu_backward(grad_output, y, dx):
    """dL/dx = dL/dy [not y <= 0], the mask multiplied as the reference does (a NaN y passes the gradient on)."""
    for k in prange(grad_output.size):
        mask = 1.0
        if y[k] <= 0:
            mask = 0.0
        dx[k] = grad_output[k] * mask


@njit(**COMPILE)
def _add(a, b, y):
    for k in prange(a.size):
        y[k] = a[k] + b[k]


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


def _elementwise(kernel, first, *others):
    """kernel(first, *others, out) over the arrays' elements as 1-D runs of memory, in first's memory order
    (C-contiguous, channels-last or batch-innermost alike: no array is reordered for the kernel's sake, only an
    operand stored otherwise than first); out, the result, has first's layout."""
    if not np.may_share_memory(first.ravel(order="K"), first):     # not dense: elements with gaps between
        first = np.ascontiguousarray(first)
    out = np.empty_like(first)
    runs = []
    for array in others:
        if array.strides != first.strides:
            array, reordered = np.empty_like(first), array
            array[...] = reordered
        runs.append(array.ravel(order="K"))
    kernel(first.ravel(order="K"), *runs, out.ravel(order="K"))
    return out


def relu(x):
    return _elementwise(_relu, x)


def relu_backward(grad_output, y):
    return _elementwise(_relu_backward, grad_output, y)


def add(a, b):
    return _elementwise(_add, a, b)


def cat(arrays, axis):
    """NumPy's concatenate: a copy, which no loop of ours would make faster."""
    return np.concatenate(arrays, axis=axis)


def sum_rows(matrix):
    return _sum_rows(np.ascontiguousarray(matrix))


def _on_glasstorch_threads(kernel):
    """kernel, run on glasstorch.get_num_threads() of Numba's threads (at most the pool's size)."""
    @functools.wraps(kernel)
    def run(*args, **kwargs):
        threads = max(1, min(get_num_threads(), numba.config.NUMBA_NUM_THREADS))
        if numba.get_num_threads() != threads:
            numba.set_num_threads(threads)
        return kernel(*args, **kwargs)
    return run


for _name in ("conv2d", "conv2d_backward", "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward",
              "relu", "relu_backward", "add", "sum_rows"):
    globals()[_name] = _on_glasstorch_threads(globals()[_name])
claim_cores_from_blas()      # this set's kernels run on Numba's threads, one per core glasstorch uses
