"""The shapes a convolution or pooling kernel works with, as named values (shared by every kernel set)."""
import dataclasses


@dataclasses.dataclass(frozen=True)
class ConvGeometry:
    """A 2-D convolution's kernel size, stride, padding (top, bottom, left, right), dilation, groups and the
    output's (height, width)."""

    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int
    out_hw: tuple


@dataclasses.dataclass(frozen=True)
class PoolGeometry:
    """A pooling window's size, stride, dilation and the output's (height, width); `padding` is
    (top, bottom, left, right) and includes what a ceil_mode window overhangs on the bottom and right."""

    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    out_hw: tuple


def offset_slice(offset, dilation, stride, out_size):
    """The input positions that kernel offset `offset` touches: offset d, offset d + s, ..."""
    start = offset * dilation
    return slice(start, start + stride * (out_size - 1) + 1, stride)


def window_offsets(kernel, dilation, stride, out_hw):
    """(flat offset index p kw + q, row slice, col slice) for every kernel offset (p, q)."""
    for p in range(kernel[0]):
        rows = offset_slice(p, dilation[0], stride[0], out_hw[0])
        for q in range(kernel[1]):
            yield p * kernel[1] + q, rows, offset_slice(q, dilation[1], stride[1], out_hw[1])
