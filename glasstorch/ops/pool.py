"""Max, average and adaptive-average pooling over (N, C, H, W), computed channels-last.

Output size: Ho = floor((H + 2 pad - dilation (k - 1) - 1) / stride) + 1 (ceil in ceil_mode, where the
last window must still start inside the input or its left padding). Each op loops only over the
kh x kw kernel offsets; every step is vectorised over batch, pixels and channels.
"""
import functools
import math

from ..autograd.function import Function, LinearMap
from ..backend import xp
from ..parallel import batch_slices, map_async, settle
from .conv import _pair, offset_slice, pad_nhwc


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
    return (out_h, out_w), pads


def _offsets(kernel, dilation, stride, out_hw):
    """(flat offset index, row slice, col slice) for every kernel offset (p, q)."""
    for p in range(kernel[0]):
        rows = offset_slice(p, dilation[0], stride[0], out_hw[0])
        for q in range(kernel[1]):
            yield p * kernel[1] + q, rows, offset_slice(q, dilation[1], stride[1], out_hw[1])


class MaxPool2d(Function):
    """y = max over the window.  dL/dx goes to the first maximal element of each window (PyTorch's tie rule).

    Forward keeps, per output, the index of the winning kernel offset; the batch is split across threads."""

    asynchronous = True

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, ceil_mode):
        out_hw, pads = _pool_geometry(x.shape, kernel, stride, padding, dilation, ceil_mode)
        x_nhwc = x.transpose(0, 2, 3, 1)
        n, c = x.shape[0], x.shape[1]
        best = xp.empty((n, *out_hw, c), dtype=x.dtype)
        track = bool(ctx.needs_input_grad)    # the winners are only needed for a backward pass
        argbest = xp.zeros((n, *out_hw, c), dtype=xp.int8 if kernel[0] * kernel[1] < 128 else xp.int32)

        def run(rows):
            x_padded = pad_nhwc(x_nhwc[rows], pads, value=-xp.inf)
            best_part, arg_part = best[rows], argbest[rows]
            better = xp.empty(best_part.shape, dtype=bool) if track else None
            step = xp.empty(best_part.shape, dtype=argbest.dtype) if track else None
            for index, rows_, cols in _offsets(kernel, dilation, stride, out_hw):
                candidate = x_padded[:, rows_, cols, :]
                if index == 0:
                    best_part[...] = candidate
                    continue
                if track:   # arg = index where strictly greater (ties keep the first offset): arg += better (index - arg)
                    xp.greater(candidate, best_part, out=better)
                    xp.subtract(argbest.dtype.type(index), arg_part, out=step)
                    xp.multiply(step, better.view(xp.int8), out=step, casting="unsafe")
                    arg_part += step
                xp.maximum(best_part, candidate, out=best_part)

        map_async(run, batch_slices(n), outputs=(best, argbest))
        ctx.argbest = argbest
        ctx.geometry = (x.shape, pads, kernel, stride, dilation, out_hw)
        return best.transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad_output):
        x_shape, pads, kernel, stride, dilation, out_hw = ctx.geometry
        g = grad_output.transpose(0, 2, 3, 1)
        n, c, h, w = x_shape
        grad_x = xp.empty((n, h, w, c), dtype=g.dtype)

        # Windows that tile the input exactly (kernel = stride, no padding, nothing left over) give each input
        # element to one window: write the routed gradient in place instead of summing into a padded buffer.
        tiles = (tuple(kernel) == tuple(stride) and dilation == (1, 1) and not any(pads)
                 and out_hw[0] * stride[0] == h and out_hw[1] * stride[1] == w)

        def run(rows):
            g_part, arg_part = g[rows], ctx.argbest[rows]
            chosen = xp.empty(g_part.shape, dtype=bool)
            if tiles:
                target = grad_x[rows]
                for index, rows_, cols in _offsets(kernel, dilation, stride, out_hw):
                    xp.equal(arg_part, index, out=chosen)
                    xp.multiply(g_part, chosen, out=target[:, rows_, cols, :])
                return
            grad_padded = xp.zeros((g_part.shape[0], h + pads[0] + pads[1], w + pads[2] + pads[3], c), dtype=g.dtype)
            routed = xp.empty(g_part.shape, dtype=g.dtype)
            for index, rows_, cols in _offsets(kernel, dilation, stride, out_hw):
                xp.equal(arg_part, index, out=chosen)
                xp.multiply(g_part, chosen, out=routed)
                grad_padded[:, rows_, cols, :] += routed
            grad_x[rows] = grad_padded[:, pads[0]:pads[0] + h, pads[2]:pads[2] + w, :]

        map_async(run, batch_slices(n), outputs=(grad_x,))
        return grad_x.transpose(0, 3, 1, 2), None, None, None, None, None

    def backward_graph(self, g):
        """dL/dx routes dL/dy to the winners: a linear map whose adjoint picks, for each window, its winner."""
        backward = LinearMap.apply(g, lambda grad: MaxPool2d.backward(self, grad)[0], self._pick_winners)
        return (backward,) + (None,) * 5

    def _pick_winners(self, u):
        """y[n, c, i, j] = u at the winning position of window (i, j): the max pool of u with x's winners."""
        x_shape, pads, kernel, stride, dilation, out_hw = self.geometry
        settle(self.argbest, whole=True)
        padded = pad_nhwc(u.transpose(0, 2, 3, 1), pads, value=0)
        out = xp.zeros(self.argbest.shape, dtype=u.dtype)
        for index, rows, cols in _offsets(kernel, dilation, stride, out_hw):
            out += padded[:, rows, cols, :] * (self.argbest == index)
        return out.transpose(0, 3, 1, 2)

    def flat_indices(self, padding, input_width):
        """PyTorch's return_indices: the flat position h W + w of each maximum in its input plane."""
        _, _, kernel, stride, dilation, out_hw = self.geometry
        settle(self.argbest, whole=True)
        p, q = xp.divmod(self.argbest.astype(xp.int64), kernel[1])
        rows = xp.arange(out_hw[0])[None, :, None, None] * stride[0] - padding[0] + p * dilation[0]
        cols = xp.arange(out_hw[1])[None, None, :, None] * stride[1] - padding[1] + q * dilation[1]
        return (rows * input_width + cols).astype(xp.int64).transpose(0, 3, 1, 2)


class AvgPool2d(Function):
    """y = (1/|window|) sum over the window.  dL/dx = dL/dy / |window| for every element of each window.

    |window| counts the padding when count_include_pad (never the part ceil_mode overhangs), unless
    divisor_override fixes it. The window sum is separable: kh row additions, then kw column additions
    (kh + kw passes instead of kh kw); backward is its adjoint, the same two steps scattered in reverse.
    """

    linear_in = 0

    asynchronous = True

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        out_hw, pads = _pool_geometry(x.shape, kernel, stride, padding, (1, 1), ceil_mode)
        n, c, h, w = x.shape
        scale = _avg_scale((h, w), padding, pads, kernel, stride, out_hw, count_include_pad, divisor_override, x.dtype)
        x_nhwc = x.transpose(0, 2, 3, 1)
        out = xp.empty((n, *out_hw, c), dtype=x.dtype)

        def run(rows):
            x_padded = pad_nhwc(x_nhwc[rows], pads)
            row_sums = _sum_shifted(x_padded, 1, kernel[0], stride[0], out_hw[0])       # (n, Ho, Wp, C)
            total = _sum_shifted(row_sums, 2, kernel[1], stride[1], out_hw[1])          # (n, Ho, Wo, C)
            xp.multiply(total, scale, out=out[rows])

        map_async(run, batch_slices(n), outputs=(out,))
        ctx.scale = scale
        ctx.geometry = (x.shape, (h + pads[0] + pads[1], w + pads[2] + pads[3]), pads, kernel, stride, out_hw)
        return out.transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad_output):
        x_shape, padded_hw, pads, kernel, stride, out_hw = ctx.geometry
        n, c, h, w = x_shape
        top, _, left, _ = pads
        g_nhwc = grad_output.transpose(0, 2, 3, 1)
        grad_x = xp.empty((n, h, w, c), dtype=grad_output.dtype)

        def run(rows):
            g_part = g_nhwc[rows]   # dL/dy / |window|, channels-last whatever the layout of dL/dy
            g = xp.multiply(g_part, ctx.scale, out=xp.empty(g_part.shape, dtype=g_part.dtype))
            grad_rows = _scatter_shifted(g, 2, kernel[1], stride[1], padded_hw[1])      # (n, Ho, Wp, C)
            grad_padded = _scatter_shifted(grad_rows, 1, kernel[0], stride[0], padded_hw[0])
            grad_x[rows] = grad_padded[:, top:top + h, left:left + w, :]

        map_async(run, batch_slices(n), outputs=(grad_x,))
        return grad_x.transpose(0, 3, 1, 2), None, None, None, None, None, None


def _along(axis, index):
    return (slice(None),) * axis + (index,)


def _sum_shifted(a, axis, kernel, stride, out_size):
    """out[.., i, ..] = sum_{p < kernel} a[.., i stride + p, ..] along `axis`: one pass per offset p."""
    out = a[_along(axis, offset_slice(0, 1, stride, out_size))].copy()
    for p in range(1, kernel):
        out += a[_along(axis, offset_slice(p, 1, stride, out_size))]
    return out


def _scatter_shifted(g, axis, kernel, stride, in_size):
    """The adjoint of _sum_shifted: grad[.., i stride + p, ..] += g[.., i, ..] for every offset p."""
    shape = list(g.shape)
    shape[axis] = in_size
    grad = xp.zeros(shape, dtype=g.dtype)
    for p in range(kernel):
        grad[_along(axis, offset_slice(p, 1, stride, g.shape[axis]))] += g
    return grad


@functools.lru_cache(maxsize=64)
def _avg_scale(in_hw, padding, pads, kernel, stride, out_hw, count_include_pad, divisor_override, dtype):
    """Per-output factor 1/|window| (Ho, Wo, 1), the window pooled over a mask of the cells that count.
    Cached per geometry (it depends on no values); callers must not write into it."""
    if divisor_override:
        return xp.full((*out_hw, 1), 1 / float(divisor_override), dtype=dtype)
    h, w = in_hw
    mask = xp.zeros((h + pads[0] + pads[1], w + pads[2] + pads[3]))
    if count_include_pad:
        mask[:h + 2 * padding[0], :w + 2 * padding[1]] = 1
    else:
        mask[padding[0]:padding[0] + h, padding[1]:padding[1] + w] = 1
    counts = xp.zeros(out_hw)
    for _, rows, cols in _offsets(kernel, (1, 1), stride, out_hw):
        counts += mask[rows, cols]
    scale = (1 / counts[:, :, None]).astype(dtype)
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
        from ..tensor import Tensor

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
