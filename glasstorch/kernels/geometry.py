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


@dataclasses.dataclass(frozen=True)
class TapWindow:
    """The kernel offsets (rows, cols: slices of the kernel) that read the input somewhere, and the geometry of the
    convolution by that part of the kernel alone (same stride, dilation, groups and output; less padding)."""

    rows: slice
    cols: slice
    geometry: ConvGeometry


def outputs_inside(size, offset, stride, pad_before, dilation, out_size):
    """The outputs o, as (first, stop), whose input position o s - pad_before + p d for kernel offset p = `offset`
    lies inside [0, size) (first >= stop: none)."""
    start = offset * dilation - pad_before
    return max(0, -(start // stride)), min(out_size, (size - 1 - start) // stride + 1)


def _taps_used(size, kernel, stride, pad_before, dilation, out_size):
    """Offsets p whose input positions o s - pad_before + p d (o = 0 .. out_size - 1) meet [0, size)."""
    used = []
    for p in range(kernel):
        first, stop = outputs_inside(size, p, stride, pad_before, dilation, out_size)
        if first < stop:
            used.append(p)
    return used


def taps_touching_input(geometry, input_hw):
    """A TapWindow when some kernel offsets read only padding (a 3x3 kernel with padding 1 on a 1x1 image reads
    the input with its centre alone: ResNet-18's last stage on 32x32 images), else None. Convolving by the window
    gives the same output, and a weight gradient that is 0 outside it, with a ninth of the work in that case."""
    rows, cols, padding = [], [], list(geometry.padding)
    for axis, taps in ((0, rows), (1, cols)):
        kernel, dilation = geometry.kernel[axis], geometry.dilation[axis]
        used = _taps_used(input_hw[axis], kernel, geometry.stride[axis], padding[2 * axis], dilation,
                          geometry.out_hw[axis])
        if not used:
            return None
        taps.extend((used[0], used[-1] + 1))
        padding[2 * axis] -= used[0] * dilation
        padding[2 * axis + 1] -= (kernel - 1 - used[-1]) * dilation
    if (rows[1] - rows[0], cols[1] - cols[0]) == tuple(geometry.kernel) or min(padding) < 0:
        return None
    trimmed = dataclasses.replace(geometry, kernel=(rows[1] - rows[0], cols[1] - cols[0]), padding=tuple(padding))
    return TapWindow(slice(*rows), slice(*cols), trimmed)
