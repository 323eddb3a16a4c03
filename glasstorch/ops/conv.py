"""2-D convolution: shapes, checks and autograd wiring; the arithmetic is the kernel set's.

Logical layout is PyTorch's: input (N, C, H, W), weight (O, C/groups, kh, kw), output (N, O, Ho, Wo),
with Ho = floor((H + pad_top + pad_bottom - dilation (kh - 1) - 1) / stride) + 1. The textbook forward and
backward, y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x[n, c, i s + p d, j s + q d],
dL/dW = dL/dY^T col, dL/dx = col2im(dL/dY W^T), are glasstorch/kernels/reference.py (conv2d,
conv2d_input_grad, conv2d_weight_grad); glasstorch/kernels/fast.py computes the same channels-last.
"""
from .. import kernels
from ..autograd.function import Function
from .promotion import promote


def conv_output_size(size, kernel, stride, pad_before, pad_after, dilation):
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


class Conv2d(Function):
    """y = conv2d(x, w) + b (kernels.reference.conv2d is the formula).  dL/dx, dL/dW, dL/db: the kernel set's
    conv2d_backward (kernels.reference.conv2d_input_grad and conv2d_weight_grad)."""


    @staticmethod
    def forward(ctx, x, weight, bias, geometry):
        kernel_set = ctx.kernels = kernels.active()
        ctx.geometry, ctx.x_shape, ctx.has_bias = geometry, x.shape, bias is not None
        ctx.weight_shape = weight.shape
        y, kept = kernel_set.conv2d(x, weight, bias, geometry)
        # x and W for the checks and a differentiable backward; x as the kernel set keeps it, for dL/dW
        ctx.save_for_backward(x, weight, kept if ctx.needs_grad(1) else None)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        _, weight, kept = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grads = ctx.kernels.conv2d_backward(grad_output, kept, weight, ctx.x_shape, ctx.weight_shape, ctx.geometry,
                                            need_x, need_w, need_b and ctx.has_bias)
        return (*grads, None)

    def backward_graph(self, g):
        """The same three gradients as ops of their own: dL/dx and dL/dW are bilinear, in (dL/dy, W) and in
        (x, dL/dy), and each one's gradients are again a convolution or one of the two."""
        self.check_saved_unchanged()
        x, weight = self.input_tensor(0), self.input_tensor(1)
        grad_x = Conv2dInputGrad.apply(g, weight, self) if self.needs_input_grad[0] else None
        grad_w = Conv2dWeightGrad.apply(x, g, self) if self.needs_input_grad[1] else None
        grad_b = g.sum((0, 2, 3)) if self.has_bias and self.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b, None


def _conv_gradient(conv, which, grad_output, x=None, weight=None):
    """Conv2d's dL/dx (which=0, from dL/dy and W) or dL/dW (which=1, from x and dL/dy), with the geometry and
    kernel set of the convolution `conv` (a Conv2d node)."""
    grads = conv.kernels.conv2d_backward(grad_output, x, weight, conv.x_shape, conv.weight_shape, conv.geometry,
                                         which == 0, which == 1, False)
    return grads[which]


def _convolve(conv, x, weight):
    """conv2d(x, weight) with the geometry and kernel set of the convolution `conv`."""
    return conv.kernels.conv2d(x, weight, None, conv.geometry)[0]


def _conv_apply(conv, x, weight):
    return Conv2d.apply(x, weight, None, conv.geometry)


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
        self.check_saved_unchanged()
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
        self.check_saved_unchanged()
        x, g = self.input_tensor(0), self.input_tensor(1)
        grad_x = Conv2dInputGrad.apply(g, v, self.conv) if self.needs_input_grad[0] else None
        grad_g = _conv_apply(self.conv, x, v) if self.needs_input_grad[1] else None
        return grad_x, grad_g, None


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
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"conv2d: expected scalar type {input.dtype.name} but found {weight.dtype.name} "
                           f"(input {input.dtype}, weight {weight.dtype}: convert one with .to())")
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
    if bias is not None and bias._data.dtype != weight._data.dtype:
        bias = bias.to(weight.dtype)
    out_hw = (conv_output_size(h, kh, stride[0], pads[0], pads[1], dilation[0]),
              conv_output_size(w, kw, stride[1], pads[2], pads[3], dilation[1]))
    return Conv2d.apply(input, weight, bias, kernels.ConvGeometry((kh, kw), stride, pads, dilation, groups, out_hw))


class _TransposedConvolution:
    """The convolution whose dL/dx a transposed convolution is, as Conv2dInputGrad reads it: the kernel set, the
    geometry (of that convolution), its input's and its weight's shapes."""

    __slots__ = ("kernels", "geometry", "x_shape", "weight_shape")

    def __init__(self, geometry, x_shape, weight_shape):
        self.kernels, self.geometry = kernels.active(), geometry
        self.x_shape, self.weight_shape = x_shape, weight_shape


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """PyTorch's F.conv_transpose2d: y = the dL/dx of conv2d(y, W) at dL/dy = x, W: (C_in, C_out/groups, kh, kw).
    Ho = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1. Its gradients are a convolution
    (dL/dx = conv2d(dL/dy, W)) and a weight gradient: the op is Conv2dInputGrad, differentiable to any order."""
    if weight.dim() != 4:
        raise RuntimeError(f"conv_transpose2d: expected a 4-D weight (in_channels, out_channels/groups, kh, kw), "
                           f"got weight of shape {tuple(weight.shape)}")
    if input.dim() == 3:
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                dilation).squeeze(0)
    if input.dim() != 4:
        raise RuntimeError(f"conv_transpose2d: expected a 3-D (unbatched) or 4-D (batched) input, got input of "
                           f"shape {tuple(input.shape)}")
    in_channels, group_out, kh, kw = weight.shape
    if input.shape[1] != in_channels or in_channels % groups:
        raise RuntimeError(f"conv_transpose2d: expected input with {in_channels} channels (weight shape "
                           f"{tuple(weight.shape)}, groups={groups}), got input of shape {tuple(input.shape)}")
    stride, dilation = _pair(stride, "stride", "conv_transpose2d"), _pair(dilation, "dilation", "conv_transpose2d")
    (ph, pw), (oh, ow) = _pair(padding, "padding", "conv_transpose2d"), _pair(output_padding, "output_padding",
                                                                             "conv_transpose2d")
    if oh >= max(stride[0], dilation[0]) or ow >= max(stride[1], dilation[1]):
        raise RuntimeError(f"conv_transpose2d: output padding {(oh, ow)} must be smaller than either stride "
                           f"{stride} or dilation {dilation}")
    n, _, h, w = input.shape
    out_hw = ((h - 1) * stride[0] - 2 * ph + dilation[0] * (kh - 1) + oh + 1,
              (w - 1) * stride[1] - 2 * pw + dilation[1] * (kw - 1) + ow + 1)
    if min(out_hw) < 1:
        raise RuntimeError(f"conv_transpose2d: the output would be {out_hw[0]}x{out_hw[1]} for input of shape "
                           f"{tuple(input.shape)}")
    input, weight = promote(input, weight)
    geometry = kernels.ConvGeometry((kh, kw), stride, (ph, ph, pw, pw), dilation, groups, (h, w))
    convolution = _TransposedConvolution(geometry, (n, group_out * groups, *out_hw), tuple(weight.shape))
    out = Conv2dInputGrad.apply(input, weight, convolution)
    return out if bias is None else out + bias.to(out.dtype).reshape(1, -1, 1, 1)
