"""The reference kernel set: the notes' formulas, NCHW, one thread, as short as they can be.

Every kernel of glasstorch.kernels.fast computes exactly this; the tests hold the two to each other. A window
of x is a strided view (no copy): windows[n, c, i, j, p, q] = x[n, c, i s + p d, j s + q d] of the padded
input, for output pixel (i, j) and kernel offset (p, q).
"""
from ..backend import as_strided, xp
from .geometry import window_offsets


def _pad(x, padding, value=0):
    top, bottom, left, right = padding
    return xp.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def _windows(x_padded, kernel, stride, dilation, out_hw):
    """(N, C, Ho, Wo, kh, kw): the receptive field of every output pixel, a view of x_padded."""
    sn, sc, sh, sw = x_padded.strides
    shape = x_padded.shape[:2] + tuple(out_hw) + tuple(kernel)
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1])
    return as_strided(x_padded, shape, strides, writeable=False)


def _groups(weight, groups):
    """(output channels, input channels) of each group."""
    out_per, in_per = weight.shape[0] // groups, weight.shape[1]
    return [(slice(g * out_per, (g + 1) * out_per), slice(g * in_per, (g + 1) * in_per)) for g in range(groups)]


def conv2d(x, weight, bias, geometry):
    """y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c, i s + p d, j s + q d]: one tensordot per group;
    (y, x): dL/dW reads x as it is."""
    windows = _windows(_pad(x, geometry.padding), geometry.kernel, geometry.stride, geometry.dilation,
                       geometry.out_hw)
    parts = [xp.tensordot(windows[:, ins], weight[outs], axes=([1, 4, 5], [1, 2, 3]))     # (N, Ho, Wo, O_g)
             for outs, ins in _groups(weight, geometry.groups)]
    y = xp.concatenate(parts, axis=3).transpose(0, 3, 1, 2)
    return (y + bias[None, :, None, None] if bias is not None else xp.ascontiguousarray(y)), x


def conv2d_input_grad(grad_output, weight, x_shape, geometry):
    """col2im: dL/dx[n, c, i s + p d, j s + q d] += sum_o dL/dy[n, o, i, j] w[o, c, p, q], one offset (p, q) at a
    time, on the padded input (the padding's share is cut off at the end)."""
    n, c, h, w = x_shape
    top, bottom, left, right = geometry.padding
    grad = xp.zeros((n, c, h + top + bottom, w + left + right), dtype=grad_output.dtype)
    for outs, ins in _groups(weight, geometry.groups):
        for index, rows, cols in window_offsets(geometry.kernel, geometry.dilation, geometry.stride,
                                                geometry.out_hw):
            p, q = divmod(index, geometry.kernel[1])
            grad[:, ins, rows, cols] += xp.tensordot(weight[outs, :, p, q], grad_output[:, outs], axes=([0], [1])
                                                     ).transpose(1, 0, 2, 3)
    return grad[:, :, top:top + h, left:left + w]


def conv2d_weight_grad(x, grad_output, weight_shape, geometry):
    """dL/dw[o, c, p, q] = sum_{n, i, j} dL/dy[n, o, i, j] x[n, c, i s + p d, j s + q d]: the windows against
    dL/dy in one tensordot per group."""
    windows = _windows(_pad(x, geometry.padding), geometry.kernel, geometry.stride, geometry.dilation,
                       geometry.out_hw)
    grad = xp.empty(weight_shape, dtype=grad_output.dtype)
    for outs, ins in _groups(grad, geometry.groups):
        grad[outs] = xp.tensordot(grad_output[:, outs], windows[:, ins], axes=([0, 2, 3], [0, 2, 3]))
    return grad


def conv2d_backward(grad_output, x, weight, x_shape, weight_shape, geometry, need_x, need_w, need_b):
    """(dL/dx, dL/dW, dL/db = sum over n, i, j of dL/dy), None where not needed."""
    return (conv2d_input_grad(grad_output, weight, x_shape, geometry) if need_x else None,
            conv2d_weight_grad(x, grad_output, weight_shape, geometry) if need_w else None,
            grad_output.sum(axis=(0, 2, 3)) if need_b else None)


def max_pool2d(x, geometry, track):
    """y = the maximum of each window (padding counts as -inf); winners = the flat offset p kw + q of its first
    maximum, PyTorch's tie rule."""
    windows = _windows(_pad(x, geometry.padding, -xp.inf), geometry.kernel, geometry.stride, geometry.dilation,
                       geometry.out_hw)
    flat = windows.reshape(windows.shape[:4] + (windows.shape[4] * windows.shape[5],))   # no -1: N may be 0
    winners = flat.argmax(axis=4)
    return xp.take_along_axis(flat, winners[..., None], axis=4)[..., 0], (winners if track else None)


def max_pool2d_backward(grad_output, winners, x_shape, geometry):
    """dL/dx: each window's dL/dy added onto its winner."""
    n, c, h, w = x_shape
    top, bottom, left, right = geometry.padding
    grad = xp.zeros((n, c, h + top + bottom, w + left + right), dtype=grad_output.dtype)
    for index, rows, cols in window_offsets(geometry.kernel, geometry.dilation, geometry.stride, geometry.out_hw):
        grad[:, :, rows, cols] += grad_output * (winners == index)
    return grad[:, :, top:top + h, left:left + w]


def avg_pool2d(x, geometry, scale):
    """y[n, c, i, j] = scale[i, j] * (sum of the window): scale = 1 / |window| as counted (padding or not)."""
    windows = _windows(_pad(x, geometry.padding), geometry.kernel, geometry.stride, (1, 1), geometry.out_hw)
    return windows.sum(axis=(4, 5)) * scale


def avg_pool2d_backward(grad_output, x_shape, geometry, scale):
    """dL/dx: every element of window (i, j) gets dL/dy[i, j] scale[i, j]."""
    n, c, h, w = x_shape
    top, bottom, left, right = geometry.padding
    grad = xp.zeros((n, c, h + top + bottom, w + left + right), dtype=grad_output.dtype)
    share = grad_output * scale
    for _, rows, cols in window_offsets(geometry.kernel, (1, 1), geometry.stride, geometry.out_hw):
        grad[:, :, rows, cols] += share
    return grad[:, :, top:top + h, left:left + w]


def relu(x):
    """y = max(x, 0): x unless x < 0, so -0.0 and NaN pass as they are (PyTorch's rule)."""
    return xp.where(x < 0, xp.zeros((), x.dtype), x)


def relu_backward(grad_output, y):
    """dL/dx = dL/dy [not y <= 0] (a NaN passes the gradient on, as in PyTorch)."""
    return grad_output * ~(y <= 0)


def add(a, b):
    """y = a + b for two arrays of one shape and dtype."""
    return a + b


def sum_rows(matrix):
    """sum_i A[i, :] of a 2-D array (a bias gradient)."""
    return matrix.sum(axis=0)


def cat(arrays, axis):
    """y = [x_1, x_2, ...] joined along `axis`."""
    return xp.concatenate(arrays, axis=axis)
