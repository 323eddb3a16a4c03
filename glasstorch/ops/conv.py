"""2-D convolution, computed channels-last (NHWC) with im2col and one matrix product per group.

Logical layout is PyTorch's: input (N, C, H, W), weight (O, C/groups, kh, kw), output (N, O, Ho, Wo),
with Ho = floor((H + pad_top + pad_bottom - dilation (kh - 1) - 1) / stride) + 1.

The textbook formula, y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c, i s + p d, j s + q d],
becomes a matrix product: every output pixel's receptive field is one row of `col`
(N Ho Wo, kh kw C), the weight is a matrix (kh kw C, O), and Y = col W. The backward pass is
    dL/dW = dL/dY^T col,   dL/db = sum over pixels of dL/dY,   dL/dcol = dL/dY W^T,
and dL/dx is dL/dcol added back onto the pixels each row was copied from (col2im, conv_col2im_nhwc), or
the same sum computed as a gather: a convolution of dL/dY with the flipped kernel (conv_transpose_nhwc), whole
or one kernel row at a time (conv_transpose_rows_nhwc). All three are exact and tested against PyTorch and
finite differences; the fastest is picked per shape.

Speed comes from the memory layout, not from changing the math: the arrays are NHWC, so a kernel row is a
contiguous run of kw C values and the product's result is already the NHWC output, returned as an
(N, O, Ho, Wo) transposed view (PyTorch's channels_last format); `col` is built a cache-sized block at a
time (im2col_blocks) and never kept whole; the batch is split over threads (glasstorch.parallel).
"""
from ..autograd.function import Function
from ..backend import add_rows, as_strided, mm, sum_rows, xp
from ..parallel import batch_slices, defer, map_async, settle, sync
from .promotion import promote


def conv_output_size(size, kernel, stride, pad_before, pad_after, dilation):
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


def pad_nhwc(x, padding, value=0):
    """x (N, H, W, C) inside a new buffer with `padding` = (top, bottom, left, right) rows/cols of `value`."""
    top, bottom, left, right = padding
    if not (top or bottom or left or right):
        return x
    n, h, w, c = x.shape
    out = xp.empty((n, h + top + bottom, w + left + right, c), dtype=x.dtype)
    out[:, :top] = value                # the border only: the interior is overwritten right after
    out[:, top + h:] = value
    out[:, top:top + h, :left] = value
    out[:, top:top + h, left + w:] = value
    out[:, top:top + h, left:left + w, :] = x
    return out


def windows_nhwc(x, kernel, stride, dilation, out_hw):
    """Strided view (N, Ho, Wo, kh, kw, C) of the receptive fields of a padded NHWC array (no copy)."""
    sn, sh, sw, sc = x.strides
    shape = (x.shape[0], *out_hw, *kernel, x.shape[3])
    strides = (sn, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1], sc)
    if not x.flags.c_contiguous:
        return as_strided(x, shape=shape, strides=strides, writeable=False)
    view = xp.ndarray(shape, x.dtype, buffer=x, strides=strides)   # the same view, 2 us instead of 9 us
    view.flags.writeable = False
    return view


def offset_slice(offset, dilation, stride, out_size):
    """The input positions that kernel offset `offset` touches: offset d, offset d + s, ..."""
    start = offset * dilation
    return slice(start, start + stride * (out_size - 1) + 1, stride)


BLOCK_BYTES = 1 << 20   # im2col is built this many bytes at a time, so the matrix product reads it from cache


def im2col_blocks(windows, channels=slice(None)):
    """Yield (row range, col block): the im2col matrix of `windows` (N, Ho, Wo, kh, kw, C), a few whole images
    at a time, copied into one reused buffer of about BLOCK_BYTES. The matrix is never built in full: written
    and read back while it is still in cache it costs half as much as a whole-batch copy (measured 8.4 -> 4.1 ms
    on the Inception Net's conv2)."""
    n, out_h, out_w, kh, kw = windows.shape[:5]
    part = windows[..., channels]
    width = kh * kw * part.shape[-1]
    per_image = out_h * out_w
    if kh == kw == 1 and part.strides[1] == part.strides[2] * out_w and part.strides[0] == part.strides[1] * out_h \
            and part.strides[2] == part.shape[-1] * part.itemsize:
        yield slice(0, n * per_image), part.reshape(-1, width)     # a 1x1 window over contiguous pixels: a view
        return
    images = max(1, min(n, BLOCK_BYTES // (per_image * width * part.itemsize)))
    offset_major = kw * part.shape[-1] < 16
    if offset_major:
        # Few channels (e.g. a grey first layer): a kernel row of a window is only kw C values, too short a run
        # to copy well. Lay the block out offset-major instead, (kh, kw, C, images, Ho, Wo), where each copy
        # run is a whole output row, and hand the product its transpose (a view BLAS reads as is).
        buffer = xp.empty((kh, kw, part.shape[-1], images, out_h, out_w), dtype=part.dtype)
    else:
        buffer = xp.empty((images, *part.shape[1:]), dtype=part.dtype)
    for start in range(0, n, images):
        count = min(images, n - start)
        rows = slice(start * per_image, (start + count) * per_image)
        if offset_major:
            block = buffer[:, :, :, :count]
            xp.copyto(block, part[start:start + count].transpose(3, 4, 5, 0, 1, 2))
            yield rows, block.reshape(width, -1).T
        else:
            block = buffer[:count]
            xp.copyto(block, part[start:start + count])
            yield rows, block.reshape(-1, width)


class Conv2d(Function):
    """y = conv2d(x, w) + b (see the module docstring for the formulas). The batch is split across threads;
    backward rebuilds each im2col block from the saved input instead of keeping the whole matrix."""

    asynchronous = True

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        settle(weight, bias, whole=True)
        n, c, h, w = x.shape
        out_channels, group_channels, kh, kw = weight.shape
        out_h = conv_output_size(h, kh, stride[0], padding[0], padding[1], dilation[0])
        out_w = conv_output_size(w, kw, stride[1], padding[2], padding[3], dilation[1])
        group_out = out_channels // groups
        weight_mats = [weight[g * group_out:(g + 1) * group_out].transpose(2, 3, 1, 0).reshape(-1, group_out)
                       for g in range(groups)]
        x_nhwc = x.transpose(0, 2, 3, 1)
        out = xp.empty((n, out_h, out_w, out_channels), dtype=x.dtype)
        geometry = ((kh, kw), stride, dilation, (out_h, out_w))

        def run(rows):
            windows = windows_nhwc(pad_nhwc(x_nhwc[rows], padding), *geometry)
            out_rows = out[rows].reshape(-1, out_channels)
            for g, weight_mat in enumerate(weight_mats):
                outs = slice(g * group_out, (g + 1) * group_out)
                for block, col in im2col_blocks(windows, slice(g * group_channels, (g + 1) * group_channels)):
                    if groups == 1:
                        mm(col, weight_mat, out=out_rows[block])
                    else:
                        out_rows[block, outs] = mm(col, weight_mat)
            if bias is not None:
                add_rows(out_rows, bias)

        map_async(run, batch_slices(n), outputs=(out,))
        ctx.save_for_backward(x_nhwc, weight)
        ctx.geometry = (x.shape, weight.shape, stride, padding, dilation, groups, geometry)
        ctx.has_bias = bias is not None
        return out.transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, grad_output):
        x_nhwc, weight = ctx.saved_tensors
        x_shape, weight_shape, stride, padding, dilation, groups, geometry = ctx.geometry
        out_channels, group_channels, kh, kw = weight_shape
        group_out = out_channels // groups
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        need_b = need_b and ctx.has_bias
        grad_x = xp.empty((x_shape[0], x_shape[2], x_shape[3], x_shape[1]), dtype=grad_output.dtype) if need_x else None
        input_grad = _input_grad_algorithm(x_shape, grad_output.shape, kh, kw)

        def run(rows, partial_w, partial_b):
            # this slice of dL/dY as NHWC rows (a copy only when it is not channels-last already, e.g. a Cat slice)
            g_part = xp.ascontiguousarray(grad_output[rows].transpose(0, 2, 3, 1))
            g_rows = g_part.reshape(-1, out_channels)
            if need_x:
                grad_x[rows] = input_grad(g_part, weight, x_shape, stride, padding, dilation, groups)
            if need_b:
                partial_b[...] = sum_rows(g_rows)
            if not need_w:
                return
            # dL/dW = dL/dY^T col: (O, kh kw C) per group, summed over blocks here and over slices in finish()
            windows = windows_nhwc(pad_nhwc(x_nhwc[rows], padding), *geometry)
            for g, total in enumerate(partial_w):
                outs = slice(g * group_out, (g + 1) * group_out)
                for block, col in im2col_blocks(windows, slice(g * group_channels, (g + 1) * group_channels)):
                    total += mm(g_rows[block, outs].T, col)

        dtype = grad_output.dtype
        slices = batch_slices(x_shape[0])
        partials_w = [[xp.zeros((group_out, kh * kw * group_channels), dtype=dtype) for _ in range(groups)]
                      if need_w else None for _ in slices]
        partials_b = [xp.empty(out_channels, dtype=dtype) if need_b else None for _ in slices]
        map_async(run, slices, partials_w, partials_b, outputs=() if grad_x is None else (grad_x,))
        grad_weight = xp.empty(weight_shape, dtype=dtype) if need_w else None
        grad_bias = xp.empty(out_channels, dtype=dtype) if need_b else None

        def finish():   # the sums over slices
            if need_w:
                for g in range(groups):
                    grad_mat = sum(part[g] for part in partials_w)
                    grad_weight[g * group_out:(g + 1) * group_out] = grad_mat.reshape(
                        group_out, kh, kw, group_channels).transpose(0, 3, 1, 2)
            if need_b:
                grad_bias[...] = sum(partials_b)

        defer(finish, outputs=[grad for grad in (grad_weight, grad_bias) if grad is not None])
        return (None if grad_x is None else grad_x.transpose(0, 3, 1, 2)), grad_weight, grad_bias, None, None, None, None


    def backward_graph(self, g):
        """The same three gradients as ops of their own: dL/dx and dL/dW are bilinear, in (dL/dy, W) and in
        (x, dL/dy), and each one's gradients are again a convolution or one of the two."""
        self.saved_tensors
        x, weight = self.input_tensor(0), self.input_tensor(1)
        grad_x = Conv2dInputGrad.apply(g, weight, self) if self.needs_input_grad[0] else None
        grad_w = Conv2dWeightGrad.apply(x, g, self) if self.needs_input_grad[1] else None
        grad_b = g.sum((0, 2, 3)) if self.has_bias and self.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b, None, None, None, None


def _conv_gradient(conv, which, grad_output, x=None, weight=None):
    """Conv2d's dL/dx (which=0, from dL/dy and W) or dL/dW (which=1, from x and dL/dy), with the geometry of the
    convolution `conv` (a Conv2d node), finished."""
    ctx = Conv2d()
    ctx.geometry, ctx.has_bias = conv.geometry, False
    ctx.needs_input_grad = (which == 0, which == 1, False, False, False, False, False)
    ctx.save_for_backward(None if x is None else x.transpose(0, 2, 3, 1), weight)
    grad = Conv2d.backward(ctx, grad_output)[which]
    sync()
    return grad


def _convolve(conv, x, weight):
    """conv2d(x, weight) with the stride, padding, dilation and groups of the convolution `conv`, finished."""
    _, _, stride, padding, dilation, groups, _ = conv.geometry
    out = Conv2d.forward(Conv2d(), x, weight, None, stride, padding, dilation, groups)
    sync()
    return out


def _conv_apply(conv, x, weight):
    _, _, stride, padding, dilation, groups, _ = conv.geometry
    return Conv2d.apply(x, weight, None, stride, padding, dilation, groups)


class Conv2dInputGrad(Function):
    """A = dL/dx of a convolution, from G = dL/dy and W: the transposed convolution of G by W.

    dL/dG = conv2d(dL/dA, W),  dL/dW = dL/dW of conv2d(dL/dA, W) at output gradient G."""

    @staticmethod
    def forward(ctx, g, weight, conv):
        ctx.save_for_backward(g, weight)
        ctx.conv = conv
        return _conv_gradient(conv, 0, g, weight=weight)

    @staticmethod
    def backward(ctx, u):
        g, weight = ctx.saved_tensors
        grad_g = _convolve(ctx.conv, u, weight) if ctx.needs_input_grad[0] else None
        grad_w = _conv_gradient(ctx.conv, 1, g, x=u) if ctx.needs_input_grad[1] else None
        return grad_g, grad_w, None

    def backward_graph(self, u):
        self.saved_tensors
        g, weight = self.input_tensor(0), self.input_tensor(1)
        grad_g = _conv_apply(self.conv, u, weight) if self.needs_input_grad[0] else None
        grad_w = Conv2dWeightGrad.apply(u, g, self.conv) if self.needs_input_grad[1] else None
        return grad_g, grad_w, None


class Conv2dWeightGrad(Function):
    """B = dL/dW of a convolution, from x and G = dL/dy: the correlation of x with G.

    dL/dx = the transposed convolution of G by dL/dB,  dL/dG = conv2d(x, dL/dB)."""

    @staticmethod
    def forward(ctx, x, g, conv):
        ctx.save_for_backward(x, g)
        ctx.conv = conv
        return _conv_gradient(conv, 1, g, x=x)

    @staticmethod
    def backward(ctx, v):
        x, g = ctx.saved_tensors
        grad_x = _conv_gradient(ctx.conv, 0, g, weight=v) if ctx.needs_input_grad[0] else None
        grad_g = _convolve(ctx.conv, x, v) if ctx.needs_input_grad[1] else None
        return grad_x, grad_g, None

    def backward_graph(self, v):
        self.saved_tensors
        x, g = self.input_tensor(0), self.input_tensor(1)
        grad_x = Conv2dInputGrad.apply(g, v, self.conv) if self.needs_input_grad[0] else None
        grad_g = _conv_apply(self.conv, x, v) if self.needs_input_grad[1] else None
        return grad_x, grad_g, None


def _input_grad_algorithm(x_shape, g_shape, kh, kw):
    """Which of three exact algorithms computes dL/dx fastest (timed on this project's 2-core machine over the
    course's layers). With a 1x1 kernel the scatter (col2im) is one product per slice. Otherwise the gather
    (transposed convolution, blocked like im2col), unless it would copy more than twice the values the scatter
    adds: H W O per kernel offset against H_o W_o C. And when the output has at most 3/4 of the input's rows
    (no padding, or a stride), the gather one kernel row at a time, which skips the rows of zeros the full
    gather multiplies (conv2 of the Inception Net, 88 -> 20 channels, 12 -> 8 rows: 5.94 -> 4.77 ms for 32 images).
    Both shapes are logical: (N, C, H, W), (N, O, H_o, W_o)."""
    if kh * kw == 1 or x_shape[2] * x_shape[3] * g_shape[1] >= 2 * g_shape[2] * g_shape[3] * x_shape[1]:
        return conv_col2im_nhwc
    if kh > 1 and 4 * g_shape[2] <= 3 * x_shape[2]:
        return conv_transpose_rows_nhwc
    return conv_transpose_nhwc


def conv_col2im_nhwc(g, weight, x_shape, stride, padding, dilation, groups):
    """dL/dx of a convolution by the textbook col2im: for each kernel offset (p, q), the product
    dL/dY W[:, :, p, q] is added onto the input pixels that offset touched. g: (N, Ho, Wo, O) NHWC;
    returns dL/dx (N, H, W, C) NHWC."""
    n, out_h, out_w, out_channels = g.shape
    _, in_channels, h, w = x_shape
    _, group_channels, kh, kw = weight.shape
    group_out = out_channels // groups
    top, bottom, left, right = padding
    if kh == kw == 1 and groups == 1 and stride == (1, 1) and not any(padding):
        # one offset covering every pixel once: the scatter is a single product, written straight out
        return mm(g.reshape(-1, out_channels), weight[:, :, 0, 0]).reshape(n, h, w, in_channels)
    grad_padded = xp.zeros((n, h + top + bottom, w + left + right, in_channels), dtype=g.dtype)
    for group in range(groups):
        outs = slice(group * group_out, (group + 1) * group_out)
        channels = slice(group * group_channels, (group + 1) * group_channels)
        g_rows = g[..., outs].reshape(-1, group_out)
        for p in range(kh):
            rows = offset_slice(p, dilation[0], stride[0], out_h)
            for q in range(kw):
                cols = offset_slice(q, dilation[1], stride[1], out_w)
                contribution = mm(g_rows, weight[outs, :, p, q]).reshape(n, out_h, out_w, group_channels)
                grad_padded[:, rows, cols, channels] += contribution
    return grad_padded[:, top:top + h, left:left + w, :]


def conv_transpose_nhwc(g, weight, x_shape, stride, padding, dilation, groups):
    """dL/dx of a convolution, as a convolution of dL/dY with the flipped kernel (a transposed convolution).

    dL/dx_pad[h, w] = sum_{p, q} dL/dY[(h - p d) / s, (w - q d) / s] W[:, :, p, q]  (terms with a whole quotient).
    Insert s - 1 zeros between the rows and columns of dL/dY, pad it with d (k - 1) zeros in front, and every
    input pixel's gradient becomes one window of it times the flipped kernel: one im2col and one matrix product
    per group, with no scatter-add. g: (N, Ho, Wo, O) NHWC; returns dL/dx (N, H, W, C) NHWC.
    """
    n, out_h, out_w, out_channels = g.shape
    _, in_channels, h, w = x_shape      # (the batch size of x_shape may cover more slices than g)
    _, group_channels, kh, kw = weight.shape
    group_out = out_channels // groups
    top, _, left, _ = padding
    reach_h, reach_w = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
    dilated_h, dilated_w = (out_h - 1) * stride[0] + 1, (out_w - 1) * stride[1] + 1
    padded = xp.zeros((n, max(reach_h + dilated_h, top + h + reach_h), max(reach_w + dilated_w, left + w + reach_w),
                       out_channels), dtype=g.dtype)
    padded[:, reach_h:reach_h + dilated_h:stride[0], reach_w:reach_w + dilated_w:stride[1], :] = g
    windows = windows_nhwc(padded[:, top:, left:, :], (kh, kw), (1, 1), dilation, (h, w))
    grad_x = xp.empty((n, h, w, in_channels), dtype=g.dtype)
    grad_rows = grad_x.reshape(-1, in_channels)
    flipped = weight[:, :, ::-1, ::-1]
    for group in range(groups):
        outs = slice(group * group_out, (group + 1) * group_out)
        channels = slice(group * group_channels, (group + 1) * group_channels)
        flipped_mat = flipped[outs].transpose(2, 3, 0, 1).reshape(kh * kw * group_out, group_channels)
        for block, col in im2col_blocks(windows, outs):
            if groups == 1:
                mm(col, flipped_mat, out=grad_rows[block])
            else:
                grad_rows[block, channels] = mm(col, flipped_mat)
    return grad_x


def conv_transpose_rows_nhwc(g, weight, x_shape, stride, padding, dilation, groups):
    """dL/dx as conv_transpose_nhwc computes it, one kernel row p at a time.

    dL/dx_pad[i s_h + p d_h, w] += sum_q dL/dY[i, (w - q d_w) / s_w] W[:, :, p, q]: for every kernel row the same
    windows of dL/dY along the width (one im2col of kw O values per output pixel, shared by all kh rows), a
    product with that row's flipped weights, added onto the input rows it touched. The full gather instead
    multiplies windows over every input row, most of them zeros when the output has fewer rows than the input.
    g: (N, Ho, Wo, O) NHWC; returns dL/dx (N, H, W, C) NHWC.
    """
    n, out_h, out_w, out_channels = g.shape
    _, in_channels, h, w = x_shape
    _, group_channels, kh, kw = weight.shape
    group_out = out_channels // groups
    top, bottom, left, _ = padding
    reach_w, dilated_w = dilation[1] * (kw - 1), (out_w - 1) * stride[1] + 1
    padded = xp.zeros((n, out_h, max(reach_w + dilated_w, left + w + reach_w), out_channels), dtype=g.dtype)
    padded[:, :, reach_w:reach_w + dilated_w:stride[1], :] = g
    windows = windows_nhwc(padded[:, :, left:, :], (1, kw), (1, 1), dilation, (out_h, w))   # (N, Ho, W, 1, kw, O)
    grad_padded = xp.zeros((n, h + top + bottom, w, in_channels), dtype=g.dtype)
    span = (out_h - 1) * stride[0] + 1
    flipped = weight[:, :, :, ::-1]
    per_image = out_h * w
    for group in range(groups):
        outs = slice(group * group_out, (group + 1) * group_out)
        channels = slice(group * group_channels, (group + 1) * group_channels)
        row_mats = [flipped[outs, :, p, :].transpose(2, 0, 1).reshape(kw * group_out, group_channels)
                    for p in range(kh)]
        for block, col in im2col_blocks(windows, outs):
            images = slice(block.start // per_image, block.stop // per_image)
            for p, row_mat in enumerate(row_mats):
                start = p * dilation[0]
                grad_padded[images, start:start + span:stride[0], :, channels] += mm(col, row_mat).reshape(
                    -1, out_h, w, group_channels)
    return grad_padded[:, top:top + h]


def _pair(value, name, op="conv2d"):
    if isinstance(value, int):
        return (value, value)
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        return value
    value = tuple(value)
    if len(value) == 1:
        return (value[0], value[0])
    if len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return value


def conv_padding(padding, kernel, dilation, stride):
    """(top, bottom, left, right) for an int, a pair, 'valid' or 'same' (extra padding goes bottom/right)."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("conv2d: padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return (total[0] // 2, total[0] - total[0] // 2, total[1] // 2, total[1] - total[1] // 2)
    if isinstance(padding, str):
        raise ValueError(f"conv2d: invalid padding string {padding!r}, should be one of ['valid', 'same']")
    ph, pw = _pair(padding, "padding")
    return (ph, ph, pw, pw)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """y[n, o] = b[o] + sum_c w[o, c] * x[n, c] (cross-correlation), PyTorch's F.conv2d."""
    if weight.dim() != 4:
        raise RuntimeError(f"conv2d: expected a 4-D weight (out_channels, in_channels/groups, kh, kw), "
                           f"got weight of shape {tuple(weight.shape)}")
    if input.dim() == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if input.dim() != 4:
        raise RuntimeError(f"conv2d: expected a 3-D (unbatched) or 4-D (batched) input, got input of shape "
                           f"{tuple(input.shape)}")
    out_channels, group_channels, kh, kw = weight.shape
    in_channels = input.shape[1]
    if in_channels != group_channels * groups:
        plural = "" if group_channels * groups == 1 else "s"
        raise RuntimeError(f"conv2d: expected input with {group_channels * groups} channel{plural} (weight shape "
                           f"{tuple(weight.shape)}, groups={groups}), got input of shape {tuple(input.shape)}")
    if out_channels % groups:
        raise RuntimeError(f"conv2d: out_channels ({out_channels}) must be divisible by groups ({groups})")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"conv2d: expected bias of shape ({out_channels},), got {tuple(bias.shape)}")
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise RuntimeError(f"conv2d: stride {stride} and dilation {dilation} must be positive")
    pads = conv_padding(padding, (kh, kw), dilation, stride)
    if min(pads) < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported, got {padding}")
    h, w = input.shape[2], input.shape[3]
    if (h + pads[0] + pads[1] < dilation[0] * (kh - 1) + 1) or (w + pads[2] + pads[3] < dilation[1] * (kw - 1) + 1):
        raise RuntimeError(f"conv2d: input of shape {tuple(input.shape)} (padded {h + pads[0] + pads[1]}x"
                           f"{w + pads[2] + pads[3]}) is smaller than the kernel ({kh}x{kw}, dilation {dilation})")
    input, weight = promote(input, weight)
    if bias is not None and bias._array.dtype != weight._array.dtype:
        bias = bias.to(weight.dtype)
    return Conv2d.apply(input, weight, bias, stride, pads, dilation, groups)
