"""Conv2d: a bank of out_channels filters of shape (in_channels/groups, kh, kw) slid over the input; ConvTranspose2d:
its transpose, which spreads each input pixel over a kernel-sized patch of a larger output."""
from ... import creation
from ...ops.conv import _pair, conv2d, conv_transpose2d
from ...ops.shape import pad
from .. import init
from ..module import Module
from ..parameter import Parameter


class _Convolution(Module):
    """What Conv2d and ConvTranspose2d share: the groups check, the weight and the optional bias, PyTorch's init."""

    def _check_groups(self, in_channels, out_channels, groups):
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{type(self).__name__}: in_channels ({in_channels}) and out_channels ({out_channels}) "
                             f"must be divisible by groups ({groups})")

    def _make_parameters(self, weight_shape, out_channels, bias, dtype, device):
        self.weight = Parameter(creation.empty(*weight_shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)


class Conv2d(_Convolution):
    """y = conv2d(x, W) + b.  x: (N, C_in, H, W) -> (N, C_out, Ho, Wo),
    Ho = floor((H + 2 padding - dilation (kernel - 1) - 1) / stride) + 1.

    Init as PyTorch: W ~ kaiming_uniform(a=sqrt(5)), b ~ U(+-1/sqrt(fan_in)), fan_in = C_in/groups kh kw.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        self._check_groups(in_channels, out_channels, groups)
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], "
                             f"but got padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = _pair(stride, "stride", "Conv2d")
        self.padding = padding if isinstance(padding, str) else _pair(padding, "padding", "Conv2d")
        self.dilation = _pair(dilation, "dilation", "Conv2d")
        self.groups = groups
        self.padding_mode = padding_mode
        self._make_parameters((out_channels, in_channels // groups, *self.kernel_size), out_channels, bias, dtype,
                              device)

    def forward(self, input):
        if input.dim() not in (3, 4) or input.shape[-3] != self.in_channels:
            plural = "" if self.in_channels == 1 else "s"
            raise RuntimeError(f"{self!r}: expected input with {self.in_channels} channel{plural} "
                               f"(N, {self.in_channels}, H, W), got input of shape {tuple(input.shape)}")
        if self.padding_mode != "zeros" and self.padding != "valid":
            ph, pw = (0, 0) if self.padding == "same" else self.padding
            input = pad(input, (pw, pw, ph, ph), mode=self.padding_mode)
            return conv2d(input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class ConvTranspose2d(_Convolution):
    """y = conv_transpose2d(x, W) + b, W: (C_in, C_out/groups, kh, kw): the dL/dx of a Conv2d, so it upsamples,
    Ho = (H - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1. Init as PyTorch's (fan_in from
    W's second dimension: C_out/groups kh kw)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        self._check_groups(in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for ConvTranspose2d, got {padding_mode!r}')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size", "ConvTranspose2d")
        self.stride = _pair(stride, "stride", "ConvTranspose2d")
        self.padding = _pair(padding, "padding", "ConvTranspose2d")
        self.output_padding = _pair(output_padding, "output_padding", "ConvTranspose2d")
        self.dilation = _pair(dilation, "dilation", "ConvTranspose2d")
        self.groups, self.padding_mode = groups, padding_mode
        self._make_parameters((in_channels, out_channels // groups, *self.kernel_size), out_channels, bias, dtype,
                              device)

    def forward(self, input, output_size=None):
        output_padding = self.output_padding if output_size is None else self._output_padding(input, output_size)
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                self.groups, self.dilation)

    def _output_padding(self, input, output_size):
        """The output_padding that gives the requested (H, W) (or (N, C, H, W)): each size must lie between
        the smallest output, (H - 1) stride - 2 padding + dilation (k - 1) + 1, and that + stride - 1."""
        non_spatial = input.dim() - 2
        if len(output_size) == non_spatial + 2:
            output_size = output_size[non_spatial:]
        if len(output_size) != 2:
            raise ValueError(f"ConvTranspose2D: for {input.dim()}D input, output_size must have 2 or "
                             f"{non_spatial + 2} elements (got {len(output_size)})")
        smallest = [(input.shape[non_spatial + d] - 1) * self.stride[d] - 2 * self.padding[d]
                    + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(2)]
        largest = [size + self.stride[d] - 1 for d, size in enumerate(smallest)]
        if any(not low <= size <= high for size, low, high in zip(output_size, smallest, largest)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {smallest} to "
                             f"{largest} (for an input of torch.Size({list(input.shape[non_spatial:])}))")
        return tuple(size - low for size, low in zip(output_size, smallest))

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        for name, default in (("padding", (0, 0)), ("output_padding", (0, 0)), ("dilation", (1, 1))):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text
