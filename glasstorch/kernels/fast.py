"""The fast kernel set: the same arithmetic as glasstorch.kernels.reference, arranged for speed.

Convolutions are computed channels-last (NHWC) with im2col and one matrix product per group. The textbook
formula y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c, i s + p d, j s + q d] becomes a matrix
product: every output pixel's receptive field is one row of `col` (N Ho Wo, kh kw C), the weight a matrix
(kh kw C, O), and Y = col W. Backward: dL/dW = dL/dY^T col, dL/db = sum over pixels of dL/dY,
dL/dcol = dL/dY W^T, and dL/dx is dL/dcol added back onto the pixels each row came from (col2im), or the same
sum as a gather, a convolution of dL/dY with the flipped kernel (whole, or one kernel row at a time); the
cheapest of the three is picked per shape. `col` is built a cache-sized block at a time and never kept whole.
The output is NHWC memory returned as an (N, O, Ho, Wo) view (PyTorch's channels_last).

Every kernel splits the batch over threads (kernels/threads.py, map_slices: thread t takes slice t, and all are
done when the kernel returns); sums over the slices (dL/dW, dL/db) are added in slice order, so results do not
depend on timing.

Pooling loops only over the kh x kw kernel offsets, each vectorised over batch, pixels and channels; max pooling
tracks the winning offset in int8 arithmetic; average pooling is a separable box sum.
"""
from pathlib import Path

from ..backend import as_strided, repeats_elements, xp
from .threads import batch_slices, map_slices
from .blas import add_rows, mm, pixel_matrix, sum_rows
from .geometry import offset_slice, taps_touching_input, window_offsets


def conv2d(x, weight, bias, geometry):
    """(y, x): y = conv2d(x, w) + b, NCHW in, an NCHW view of NHWC memory out (dL/dW reads x as it is). Kernel
    offsets that read only padding are left out (geometry.taps_touching_input) unless the weights there are not
    finite (0 inf = NaN must stay)."""
    window = taps_touching_input(geometry, x.shape[2:])
    if window is not None and xp.isfinite(weight).all():
        return conv2d(x, weight[:, :, window.rows, window.cols], bias, window.geometry)
    n, c, h, w = x.shape
    out_channels, group_channels, kh, kw = weight.shape
    groups, group_out = geometry.groups, out_channels // geometry.groups
    weight_mats = [weight[g * group_out:(g + 1) * group_out].transpose(2, 3, 1, 0).reshape(-1, group_out)
                   for g in range(groups)]
    x_nhwc = x.transpose(0, 2, 3, 1)
    out = xp.empty((n, *geometry.out_hw, out_channels), dtype=x.dtype)

    def run(rows):
        windows = _windows(x_nhwc[rows], geometry)
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

    map_slices(run, batch_slices(n))
    return out.transpose(0, 3, 1, 2), x


def _windows(x_nhwc, geometry):
    return windows_nhwc(pad_nhwc(x_nhwc, geometry.padding), geometry.kernel, geometry.stride, geometry.dilation,
                        geometry.out_hw)


def conv2d_backward(grad_output, x, weight, x_shape, weight_shape, geometry, need_x, need_w, need_b):
    """(dL/dx, dL/dW, dL/db) in one pass over the batch slices (None where not needed; x may be None when dL/dW
    is not, weight when dL/dx is not). dL/dW is rebuilt block by block from the saved input instead of keeping the
    whole im2col matrix. Kernel offsets that read only padding are left out, as in conv2d: their dL/dW is 0 (unless
    dL/dy is not finite: 0 inf = NaN must stay), and what they add to dL/dx lands on padding."""
    # dL/dW multiplies dL/dy by the padding's zeros (0 inf = NaN, as PyTorch's): with a dL/dy that is not finite,
    # neither skip offsets nor take dL/dW from the gather, which reads dL/dy padded instead of x (the check is a
    # pass over dL/dy, made only where one of the two would be used)
    window = taps_touching_input(geometry, x_shape[2:])
    if window is not None and not (need_w and not xp.isfinite(grad_output).all()):
        grads = conv2d_backward(grad_output, x, None if weight is None else weight[:, :, window.rows, window.cols],
                                x_shape, (*weight_shape[:2], *window.geometry.kernel), window.geometry, need_x,
                                need_w, need_b)
        if need_w:
            grad_weight = xp.zeros(weight_shape, dtype=grads[1].dtype)
            grad_weight[:, :, window.rows, window.cols] = grads[1]
            grads = (grads[0], grad_weight, grads[2])
        return grads
    out_channels, group_channels, kh, kw = weight_shape
    groups, group_out = geometry.groups, out_channels // geometry.groups
    batch = grad_output.shape[0]
    x_nhwc = x.transpose(0, 2, 3, 1) if x is not None else None
    grad_x = None
    if need_x:
        n, c, h, w = x_shape
        grad_x = xp.empty((n, h, w, c), dtype=grad_output.dtype)
        input_grad = _input_grad_algorithm(x_shape, grad_output.shape, weight)
    # the gather (conv_transpose_nhwc) computes dL/dW from its own im2col of dL/dY: no second im2col, of x
    shared = need_x and need_w and input_grad is conv_transpose_nhwc and bool(xp.isfinite(grad_output).all())

    def run(rows, partial_w, partial_b):
        # this slice of dL/dY as NHWC rows: a view of channels-last memory, also of a channel slice of it (the
        # share of one Inception branch of a Cat's gradient), else a copy
        g_part = grad_output[rows].transpose(0, 2, 3, 1)
        g_rows = pixel_matrix(g_part)
        if g_rows is None:
            g_part = xp.ascontiguousarray(g_part)
            g_rows = g_part.reshape(-1, out_channels)
        if need_x:
            weight_grad = dict(x=x_nhwc[rows], weight_grads=partial_w) if shared else {}
            grad_x[rows] = input_grad(g_part, weight, x_shape, geometry.stride, geometry.padding, geometry.dilation,
                                      groups, **weight_grad)
        if need_b:
            partial_b[...] = sum_rows(g_rows)
        if not need_w or shared:
            return
        windows = _windows(x_nhwc[rows], geometry)
        for g, total in enumerate(partial_w):
            outs = slice(g * group_out, (g + 1) * group_out)
            for block, col in im2col_blocks(windows, slice(g * group_channels, (g + 1) * group_channels)):
                total += _weight_grad_block(g_rows[block, outs], col)

    dtype = grad_output.dtype
    slices = batch_slices(batch)
    partials_w = [[xp.zeros((group_out, kh * kw * group_channels), dtype=dtype) for _ in range(groups)]
                  if need_w else None for _ in slices]
    partials_b = [xp.empty(out_channels, dtype=dtype) if need_b else None for _ in slices]
    map_slices(run, slices, partials_w, partials_b)
    grad_weight = xp.empty(weight_shape, dtype=dtype) if need_w else None
    if need_w:      # the sums over slices
        for g in range(groups):
            grad_mat = sum(part[g] for part in partials_w)
            grad_weight[g * group_out:(g + 1) * group_out] = grad_mat.reshape(
                group_out, kh, kw, group_channels).transpose(0, 3, 1, 2)
    grad_bias = sum(partials_b) if need_b else None
    return (None if grad_x is None else grad_x.transpose(0, 3, 1, 2)), grad_weight, grad_bias


def _weight_grad_block(g_block, col):
    """One block's share of dL/dW = dL/dY^T col. An offset-major block (col is then a transposed view) is
    multiplied the other way round, (col^T dL/dY)^T, so that BLAS reads both operands row by row: conv1 of the
    course's networks (18,432 x 25 by 18,432 x 10 at batch 32) 0.36 -> 0.18 ms. A row-major block keeps the first
    order, faster for it on every other layer (e.g. conv2, 32 blocks of 64 x 2200: 1.61 against 2.14 ms)."""
    if col.flags.f_contiguous and not col.flags.c_contiguous:
        return mm(col.T, g_block).T
    return mm(g_block.T, col)


def _input_grad_algorithm(x_shape, g_shape, weight):
    """Which of three exact algorithms computes dL/dx fastest (timed on this project's 2-core machine over the
    course's layers). The gathers multiply the zeros around dL/dy by the weights, so with a weight that is not
    finite (0 inf = NaN where PyTorch adds nothing) only the scatter is exact. With a 1x1 kernel the scatter
    (col2im) is one product per slice. Otherwise the gather (transposed convolution, blocked like im2col),
    unless it would copy more than twice the values the scatter
    adds: H W O per kernel offset against H_o W_o C. The gather one kernel row at a time when the output has at
    most 3/4 of the input's rows (no padding, or a stride): it skips the rows of zeros the full gather multiplies
    (conv2 of the Inception Net, 88 -> 20 channels, 12 -> 8 rows: 5.94 -> 4.77 ms for 32 images); and for kernels
    of 5 rows or more, whose im2col it builds kh times smaller (the Inception Net's 5x5 branch, 16 -> 24 channels,
    padded, Zen 5: 0.93 -> 0.79 ms; with 3 rows both are within noise). Both shapes are logical: (N, C, H, W),
    (N, O, H_o, W_o)."""
    kh, kw = weight.shape[2:]
    scatter_is_smaller = x_shape[2] * x_shape[3] * g_shape[1] >= 2 * g_shape[2] * g_shape[3] * x_shape[1]
    if kh * kw == 1 or scatter_is_smaller or not xp.isfinite(weight).all():
        return conv_col2im_nhwc
    if kh >= 5 or (kh > 1 and 4 * g_shape[2] <= 3 * x_shape[2]):
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


def conv_transpose_nhwc(g, weight, x_shape, stride, padding, dilation, groups, x=None, weight_grads=None):
    """dL/dx of a convolution, as a convolution of dL/dY with the flipped kernel (a transposed convolution).

    dL/dx_pad[h, w] = sum_{p, q} dL/dY[(h - p d) / s, (w - q d) / s] W[:, :, p, q]  (terms with a whole quotient).
    Insert s - 1 zeros between the rows and columns of dL/dY, pad it with d (k - 1) zeros in front, and every
    input pixel's gradient becomes one window of it times the flipped kernel: one im2col and one matrix product
    per group, with no scatter-add. g: (N, Ho, Wo, O) NHWC; returns dL/dx (N, H, W, C) NHWC.

    Given x (N, H, W, C) NHWC, the input, and weight_grads (per group an (O_g, kh kw C_g) sum, as conv2d_backward
    keeps dL/dW), dL/dW is added too, from the same blocks: with G that zero-filled dL/dY,
    dL/dW[o, c, p, q] = sum_u x_pad[u, c] G[u - p d, o] pairs each input pixel u with the very window it gathers
    (padding pixels, zeros of x, drop out), so dL/dW, flipped, is X^T col and no im2col of x is built (the whole
    backward of a 3x3 padded layer, batch 32, one thread, Zen 5: the ResNet's 16 channels on 12x12 0.56 -> 0.45 ms,
    the Inception Net's 24 -> 24 on 12x12 1.00 -> 0.86 ms).
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
    x_rows = None if weight_grads is None else _pixel_matrix_or_copy(x)
    for group in range(groups):
        outs = slice(group * group_out, (group + 1) * group_out)
        channels = slice(group * group_channels, (group + 1) * group_channels)
        flipped_mat = flipped[outs].transpose(2, 3, 0, 1).reshape(kh * kw * group_out, group_channels)
        flipped_grad = None if x_rows is None else xp.zeros((group_channels, kh * kw * group_out), dtype=g.dtype)
        for block, col in im2col_blocks(windows, outs):
            if groups == 1:
                mm(col, flipped_mat, out=grad_rows[block])
            else:
                grad_rows[block, channels] = mm(col, flipped_mat)
            if flipped_grad is not None:
                flipped_grad += mm(x_rows[block, channels].T, col)
        if flipped_grad is not None:    # [c, p', q', o] with p' = kh - 1 - p  ->  [o, (p, q, c)]
            weight_grads[group] += flipped_grad.reshape(group_channels, kh, kw, group_out)[:, ::-1, ::-1].transpose(
                3, 1, 2, 0).reshape(group_out, -1)
    return grad_x


def _pixel_matrix_or_copy(nhwc):
    """blas.pixel_matrix of an (N, H, W, C) array, or its (pixels, channels) rows copied where its pixels are not
    evenly spaced."""
    rows = pixel_matrix(nhwc)
    return rows if rows is not None else xp.ascontiguousarray(nhwc).reshape(-1, nhwc.shape[3])


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


def _block_bytes(cache_folder="/sys/devices/system/cpu/cpu0/cache"):
    """How many bytes of im2col to build at a time: twice a core's L2 cache, 1 MiB where it cannot be read.
    Measured on the Inception Net's conv2 (batch 32, one thread): with a 512 KiB L2 (Zen 3) 1 MiB blocks were
    best; with a 1 MiB L2 (Zen 5) 2 MiB blocks took forward 1.93 -> 1.75 ms and dL/dW 1.84 -> 1.64 ms, and
    4 or 8 MiB gave nothing more."""
    try:
        for index in sorted(Path(cache_folder).glob("index*")):
            if (index / "level").read_text().strip() == "2" and (index / "type").read_text().strip() != "Instruction":
                size = (index / "size").read_text().strip().upper()
                scale = {"K": 1 << 10, "M": 1 << 20}.get(size[-1:], 1)
                return 2 * int(size.rstrip("KM")) * scale
    except (OSError, ValueError):
        pass
    return 1 << 20


BLOCK_BYTES = _block_bytes()    # im2col is built this many bytes at a time, so the matrix product reads it from cache

# A kernel row of a window shorter than this many values (kw x C) is copied offset-major (see im2col_blocks).
# Copying a batch of 32 24x24 images' windows, Zen 4: kw C = 5 (1 channel, 5x5) 99 us offset-major vs 322 us
# row-major, 9 (3 channels, 3x3) 168 vs 262, 12: 231 vs 242; from 15 on row-major wins (15: 390 vs 341).
OFFSET_MAJOR_BELOW = 16


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
    offset_major = kw * part.shape[-1] < OFFSET_MAJOR_BELOW
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


def max_pool2d(x, geometry, track):
    """(y, winners): y the window maxima; winners (N, C, Ho, Wo) the flat kernel offset of each window's first
    maximum (PyTorch's tie rule), kept only when `track` (a backward will need it)."""
    kernel, stride, dilation, out_hw = geometry.kernel, geometry.stride, geometry.dilation, geometry.out_hw
    x_nhwc = x.transpose(0, 2, 3, 1)
    n, c = x.shape[0], x.shape[1]
    best = xp.empty((n, *out_hw, c), dtype=x.dtype)
    # the offset of each window's best element: int8 holds offsets 0..127, a quarter of int32's memory traffic
    argbest = xp.zeros((n, *out_hw, c), dtype=xp.int8 if kernel[0] * kernel[1] <= xp.iinfo(xp.int8).max + 1
                       else xp.int32)

    def run(rows):
        x_padded = pad_nhwc(x_nhwc[rows], geometry.padding, value=-xp.inf)
        best_part, arg_part = best[rows], argbest[rows]
        better = xp.empty(best_part.shape, dtype=bool) if track else None
        step = xp.empty(best_part.shape, dtype=argbest.dtype) if track else None
        for index, rows_, cols in window_offsets(kernel, dilation, stride, out_hw):
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

    map_slices(run, batch_slices(n))
    return best.transpose(0, 3, 1, 2), argbest.transpose(0, 3, 1, 2)


def max_pool2d_backward(grad_output, winners, x_shape, geometry):
    """dL/dx: each window's dL/dy added onto its winner."""
    kernel, stride, dilation, out_hw, pads = (geometry.kernel, geometry.stride, geometry.dilation, geometry.out_hw,
                                              geometry.padding)
    g = grad_output.transpose(0, 2, 3, 1)
    argbest = winners.transpose(0, 2, 3, 1)
    n, c, h, w = x_shape
    grad_x = xp.empty((n, h, w, c), dtype=g.dtype)
    # Windows that tile the input exactly (kernel = stride, no padding, nothing left over) give each input
    # element to one window: write the routed gradient in place instead of summing into a padded buffer.
    tiles = (tuple(kernel) == tuple(stride) and dilation == (1, 1) and not any(pads)
             and out_hw[0] * stride[0] == h and out_hw[1] * stride[1] == w)

    def run(rows):
        g_part, arg_part = g[rows], argbest[rows]
        chosen = xp.empty(g_part.shape, dtype=bool)
        if tiles:
            target = grad_x[rows]
            for index, rows_, cols in window_offsets(kernel, dilation, stride, out_hw):
                xp.equal(arg_part, index, out=chosen)
                xp.multiply(g_part, chosen, out=target[:, rows_, cols, :])
            return
        grad_padded = xp.zeros((g_part.shape[0], h + pads[0] + pads[1], w + pads[2] + pads[3], c), dtype=g.dtype)
        routed = xp.empty(g_part.shape, dtype=g.dtype)
        for index, rows_, cols in window_offsets(kernel, dilation, stride, out_hw):
            xp.equal(arg_part, index, out=chosen)
            xp.multiply(g_part, chosen, out=routed)
            grad_padded[:, rows_, cols, :] += routed
        grad_x[rows] = grad_padded[:, pads[0]:pads[0] + h, pads[2]:pads[2] + w, :]

    map_slices(run, batch_slices(n))
    return grad_x.transpose(0, 3, 1, 2)


def avg_pool2d(x, geometry, scale):
    """y = scale * (window sum): kh row additions, then kw column additions. scale: (Ho, Wo) per output."""
    kernel, stride, out_hw = geometry.kernel, geometry.stride, geometry.out_hw
    n, c = x.shape[:2]
    x_nhwc = x.transpose(0, 2, 3, 1)
    out = xp.empty((n, *out_hw, c), dtype=x.dtype)
    scale = scale[:, :, None]

    def run(rows):
        x_padded = pad_nhwc(x_nhwc[rows], geometry.padding)
        row_sums = _sum_shifted(x_padded, 1, kernel[0], stride[0], out_hw[0])       # (n, Ho, Wp, C)
        total = _sum_shifted(row_sums, 2, kernel[1], stride[1], out_hw[1])          # (n, Ho, Wo, C)
        xp.multiply(total, scale, out=out[rows])

    map_slices(run, batch_slices(n))
    return out.transpose(0, 3, 1, 2)


def avg_pool2d_backward(grad_output, x_shape, geometry, scale):
    """The adjoint: dL/dy scale, scattered back along the columns, then the rows."""
    kernel, stride, pads = geometry.kernel, geometry.stride, geometry.padding
    n, c, h, w = x_shape
    padded_hw = (h + pads[0] + pads[1], w + pads[2] + pads[3])
    g_nhwc = grad_output.transpose(0, 2, 3, 1)
    grad_x = xp.empty((n, h, w, c), dtype=grad_output.dtype)
    scale = scale[:, :, None]

    def run(rows):
        g_part = g_nhwc[rows]   # dL/dy / |window|, channels-last whatever the layout of dL/dy
        g = xp.multiply(g_part, scale, out=xp.empty(g_part.shape, dtype=g_part.dtype))
        grad_rows = _scatter_shifted(g, 2, kernel[1], stride[1], padded_hw[1])      # (n, Ho, Wp, C)
        grad_padded = _scatter_shifted(grad_rows, 1, kernel[0], stride[0], padded_hw[0])
        grad_x[rows] = grad_padded[:, pads[0]:pads[0] + h, pads[2]:pads[2] + w, :]

    map_slices(run, batch_slices(n))
    return grad_x.transpose(0, 3, 1, 2)


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


# Elementwise work (add, relu and its backward) is split over the threads from this many elements on (a
# (64, 8, 8, 8) batch). Measured alone on a 2-core Zen 4 VM, handing a slice to the idle other thread and joining
# costs ~45 us, more than a float32 add of up to ~1M elements (2^15: 4 -> 48 us; 2^20: 160 -> 136 us), but inside
# a training step the threads are awake: raising the threshold to 2^20 measured 0.96x (Inception) and 1.05x
# (ResNet) per step at 2 threads, bursts 0.8-1.3x (bench_ab.py), so it stays.
MIN_SPLIT_ELEMENTS = 1 << 15


def batchwise(compute, out, *arrays):
    """compute(*(a[s] for a in arrays), out=out[s]) over the batch slices s of `out` (a ufunc such as np.add
    fits), whose first axis all the arrays share; whole when out has fewer than MIN_SPLIT_ELEMENTS values.
    Returns out."""
    if out.ndim and out.size >= MIN_SPLIT_ELEMENTS:
        map_slices(lambda rows: compute(*(a[rows] for a in arrays), out=out[rows]), batch_slices(out.shape[0]))
    else:
        compute(*arrays, out=out)
    return out


def add(a, b):
    """y = a + b for two arrays of one shape and dtype, slice by slice, in a's memory layout."""
    return batchwise(xp.add, _like(a), a, b)


def cat(arrays, axis):
    """y = [x_1, x_2, ...] joined along `axis`. Conv outputs joined along channels stay channels-last: they are
    joined along the last axis of their NHWC views, each thread its slice of the batch."""
    if axis != 1 or not all(_channels_last(a) for a in arrays):
        return xp.concatenate(arrays, axis=axis)
    parts = [a.transpose(0, 2, 3, 1) for a in arrays]
    n, h, w = parts[0].shape[:3]
    joined = xp.empty((n, h, w, sum(p.shape[3] for p in parts)), dtype=xp.result_type(*arrays))
    map_slices(lambda rows: xp.concatenate([p[rows] for p in parts], axis=3, out=joined[rows]), batch_slices(n))
    return joined.transpose(0, 3, 1, 2)


def _channels_last(array):
    """True for a 4-D (N, C, H, W) array whose memory is NHWC (PyTorch's channels_last format)."""
    return array.ndim == 4 and array.transpose(0, 2, 3, 1).flags.c_contiguous and not array.flags.c_contiguous


def relu(x):
    """y = x where not x < 0, else 0 (max(x, 0) that keeps -0.0 and NaN), slice by slice."""
    return batchwise(_relu_into, _like(x), x)


def relu_backward(grad_output, y):
    """dL/dx = dL/dy [not y <= 0] (a NaN passes the gradient on, as in PyTorch)."""
    return batchwise(_relu_grad_into, xp.empty_like(grad_output), grad_output, y)


def _like(x):
    """An array for f(x): x's memory layout (a channels-last conv output stays channels-last), but row-major
    when x repeats elements (an expand()ed input), as PyTorch's result is then."""
    return xp.empty(x.shape, dtype=x.dtype) if repeats_elements(x) else xp.empty_like(x)


def _relu_into(x, out):
    # y = x with every bit of the negative elements cleared: -0.0 and NaN stay as they are, as PyTorch's relu keeps
    # x unless x < 0 (NumPy's maximum(x, 0) picks either zero of a tie, by code path). Three passes, none allocating:
    # 1 where x < 0, minus 1 gives all bits clear there and all set elsewhere, and-ed with x's bits.
    # (0.19 ms against maximum's 0.125 on a (64, 16, 24, 24) float32 batch, Zen 4.)
    same_size_ints = xp.dtype(f"i{x.itemsize}")
    keep = out.view(same_size_ints)
    xp.less(x, 0, out=keep)
    xp.subtract(keep, 1, out=keep)
    xp.bitwise_and(x.view(same_size_ints), keep, out=keep)


def _relu_grad_into(g, y, out):
    passes = xp.less_equal(y, 0, out=xp.empty(y.shape, dtype=bool))
    xp.logical_not(passes, out=passes)
    xp.multiply(g, passes, out=out)
