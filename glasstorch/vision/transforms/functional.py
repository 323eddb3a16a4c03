"""torchvision.transforms.functional on glasstorch tensors and PIL images.

Every function takes a PIL image or a tensor (..., C, H, W) and returns the same kind. Geometric ops work on
the pixel array directly (crop, pad, flip); resize and rotate go through Pillow for both kinds (a tensor channel
by channel, as a 32-bit float image), so PIL images match torchvision exactly and tensors to float rounding.
"""
import enum
import numbers

import numpy as np
from PIL import Image

from ...creation import from_numpy
from ...tensor import Tensor


class InterpolationMode(enum.Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.NEAREST_EXACT: Image.NEAREST,
                InterpolationMode.BILINEAR: Image.BILINEAR, InterpolationMode.BICUBIC: Image.BICUBIC,
                InterpolationMode.BOX: Image.BOX, InterpolationMode.HAMMING: Image.HAMMING,
                InterpolationMode.LANCZOS: Image.LANCZOS}


def interpolation_mode(interpolation):
    """An InterpolationMode from ours, torchvision's (same values) or its string."""
    return InterpolationMode(getattr(interpolation, "value", interpolation))


def _filter(interpolation):
    if isinstance(interpolation, int):          # a PIL constant, as older programs pass
        return interpolation
    return _PIL_FILTERS[interpolation_mode(interpolation)]


def _is_pil(img):
    return isinstance(img, Image.Image)


def _check_image(img, op):
    if not (_is_pil(img) or isinstance(img, Tensor)):
        raise TypeError(f"{op}: img should be a PIL Image or a Tensor, got {type(img).__name__}")
    if isinstance(img, Tensor) and img.dim() < 2:
        raise TypeError(f"{op}: a tensor image needs at least 2 dims (..., H, W), got shape {tuple(img.shape)}")


def get_image_size(img):
    """[width, height]."""
    if _is_pil(img):
        return list(img.size)
    return [img.shape[-1], img.shape[-2]]


def get_dimensions(img):
    """[channels, height, width]."""
    if _is_pil(img):
        return [len(img.getbands()), img.size[1], img.size[0]]
    return [img.shape[-3] if img.dim() > 2 else 1, img.shape[-2], img.shape[-1]]


def _pil_array(img):
    return np.asarray(img)


def _from_array_like(array, like):
    """A PIL image of the same mode as `like` holding `array` (H, W[, C])."""
    return Image.fromarray(np.ascontiguousarray(array), mode=like.mode if like.mode != "1" else "L")


def _tensor(array, like):
    return from_numpy(np.ascontiguousarray(array).astype(like.array.dtype, copy=False))


def to_tensor(pic):
    """PIL image or ndarray (H, W[, C]) -> float tensor (C, H, W); uint8 values are divided by 255."""
    if not (_is_pil(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        array = array.transpose(2, 0, 1)
        if array.dtype == np.uint8:
            return from_numpy(np.ascontiguousarray(array, dtype=np.float32) / np.float32(255))
        return from_numpy(np.ascontiguousarray(array))
    array = np.array(pic, copy=True)
    if pic.mode == "1":
        array = 255 * array.astype(np.uint8)
    array = array[:, :, None] if array.ndim == 2 else array
    array = array.transpose(2, 0, 1)
    if array.dtype == np.uint8:
        return from_numpy(np.ascontiguousarray(array, dtype=np.float32) / np.float32(255))
    return from_numpy(np.ascontiguousarray(array.astype(np.float32 if array.dtype.kind == "f" else array.dtype)))


def images_to_tensor(images):
    """A batch of uint8 grey images (N, H, W) -> (N, 1, H, W) float in [0, 1]: to_tensor of each at once."""
    return from_numpy(images[:, None].astype(np.float32) / np.float32(255))


def pil_to_tensor(pic):
    """PIL image -> uint8 tensor (C, H, W), values kept."""
    array = np.array(pic, copy=True)
    array = array[:, :, None] if array.ndim == 2 else array
    return from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def to_pil_image(pic, mode=None):
    """Tensor (C, H, W) (float in [0, 1] or uint8) or ndarray (H, W, C) -> PIL image."""
    if isinstance(pic, Tensor):
        array = pic.array
        if array.ndim == 2:
            array = array[None]
        if array.ndim != 3:
            raise ValueError(f"pic should be 2/3 dimensional. Got {array.ndim} dimensions.")
        if array.dtype.kind == "f" and mode != "F":
            array = (array * 255).astype(np.uint8)      # torchvision's pic.mul(255).byte(): truncation
        array = array.transpose(1, 2, 0)
    else:
        array = pic if pic.ndim == 3 else pic[:, :, None]
    if array.shape[2] == 1:
        array = array[:, :, 0]
    return Image.fromarray(np.ascontiguousarray(array), mode=mode)


def normalize(tensor, mean, std, inplace=False):
    """(x - mean_c) / std_c for each channel c of a float tensor (..., C, H, W)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tuple(tensor.shape)}")
    dtype = tensor.array.dtype
    mean = np.asarray(mean, dtype=dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=dtype).reshape(-1, 1, 1)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean.shape[0] not in (1, tensor.shape[-3]) or std.shape[0] not in (1, tensor.shape[-3]):
        raise ValueError(f"Normalize: mean and std have {mean.shape[0]} and {std.shape[0]} values, but the image "
                         f"has {tensor.shape[-3]} channels (shape {tuple(tensor.shape)})")
    if inplace:
        tensor.write_((tensor.array - mean) / std)
        return tensor
    return from_numpy((tensor.array - mean) / std)


def _size_pair(size, op):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    size = tuple(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"{op}: size should be an int or a sequence of length 1 or 2, got {size}")
    return int(size[0]), int(size[1])


def resized_output_size(height, width, size, max_size=None):
    """(new_h, new_w): an int (or [int]) matches the smaller edge keeping the aspect ratio, (h, w) is exact."""
    if isinstance(size, numbers.Number) or len(size) == 1:
        requested = int(size if isinstance(size, numbers.Number) else size[0])
        short, long = (width, height) if width <= height else (height, width)
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                                 f"smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
        return new_h, new_w
    return int(size[0]), int(size[1])


def _through_pil(img, operation):
    """Apply a Pillow operation to a PIL image, or to each channel of a tensor as a float ('F') image."""
    if _is_pil(img):
        return operation(img)
    array = img.array
    lead, (h, w) = array.shape[:-2], array.shape[-2:]
    planes = array.reshape(-1, h, w)
    out = [np.asarray(operation(Image.fromarray(p.astype(np.float32), mode="F")), dtype=np.float32) for p in planes]
    result = np.stack(out).reshape(lead + out[0].shape)
    if array.dtype.kind in "iu":
        result = np.clip(np.round(result), np.iinfo(array.dtype).min, np.iinfo(array.dtype).max)
    return _tensor(result, img)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    _check_image(img, "resize")
    width, height = get_image_size(img)
    new_h, new_w = resized_output_size(height, width, size, max_size)
    if (new_h, new_w) == (height, width):
        return img
    return _through_pil(img, lambda im: im.resize((new_w, new_h), _filter(interpolation)))


def crop(img, top, left, height, width):
    """The height x width window at (top, left); parts outside the image are 0."""
    _check_image(img, "crop")
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    h, w = img.shape[-2:]
    if top < 0 or left < 0 or top + height > h or left + width > w:
        padded = pad(img, [max(-left, 0), max(-top, 0), max(left + width - w, 0), max(top + height - h, 0)])
        top, left = max(top, 0), max(left, 0)
        return padded[..., top:top + height, left:left + width].clone()
    return img[..., top:top + height, left:left + width].clone()


def center_crop(img, output_size):
    _check_image(img, "center_crop")
    crop_h, crop_w = _size_pair(output_size, "center_crop")
    width, height = get_image_size(img)
    if crop_w > width or crop_h > height:
        padding = [(crop_w - width) // 2 if crop_w > width else 0, (crop_h - height) // 2 if crop_h > height else 0,
                   (crop_w - width + 1) // 2 if crop_w > width else 0,
                   (crop_h - height + 1) // 2 if crop_h > height else 0]
        img = pad(img, padding, fill=0)
        width, height = get_image_size(img)
        if crop_w == width and crop_h == height:
            return img
    top = int(round((height - crop_h) / 2.0))
    left = int(round((width - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


def _padding_sides(padding):
    """[left, top, right, bottom] from an int, (left/right, top/bottom) or (left, top, right, bottom)."""
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    if len(padding) == 4:
        return padding
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


_NUMPY_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def pad(img, padding, fill=0, padding_mode="constant"):
    _check_image(img, "pad")
    if padding_mode not in _NUMPY_PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _padding_sides(padding)
    kwargs = {"constant_values": fill} if padding_mode == "constant" else {}
    if _is_pil(img):
        array = _pil_array(img)
        widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
        if padding_mode == "constant" and array.ndim == 3 and isinstance(fill, (tuple, list)):
            out = np.stack([np.pad(array[..., c], widths[:2], constant_values=fill[c]) for c in range(array.shape[2])],
                           axis=2)
        else:
            out = np.pad(array, widths, mode=_NUMPY_PAD_MODES[padding_mode], **kwargs)
        return _from_array_like(out, img)
    array = img.array
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    return _tensor(np.pad(array, widths, mode=_NUMPY_PAD_MODES[padding_mode], **kwargs), img)


def hflip(img):
    _check_image(img, "hflip")
    if _is_pil(img):
        return img.transpose(Image.FLIP_LEFT_RIGHT)
    return _tensor(img.array[..., ::-1], img)


def vflip(img):
    _check_image(img, "vflip")
    if _is_pil(img):
        return img.transpose(Image.FLIP_TOP_BOTTOM)
    return _tensor(img.array[..., ::-1, :], img)


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Counter-clockwise by `angle` degrees about the centre (or `center`, (x, y)); corners filled with `fill`.
    PIL images go through Pillow; tensors are resampled here as torchvision does (_rotate_array)."""
    _check_image(img, "rotate")
    if _is_pil(img):
        if isinstance(fill, (int, float)) and len(img.getbands()) > 1:
            fill = tuple([fill] * len(img.getbands()))
        return img.rotate(angle, resample=_filter(interpolation), expand=expand, center=center, fillcolor=fill)
    mode = interpolation_mode(interpolation)
    if mode not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(f"rotate: a tensor image can be interpolated NEAREST or BILINEAR, not {mode.name}")
    return _tensor(_rotate_array(img.array, angle, mode, expand, center, fill), img)


def _rotate_array(array, angle, mode, expand, center, fill):
    """Inverse mapping: each output pixel centre (x, y), relative to the image centre, is rotated back by `angle`
    into the input and sampled there (nearest: the closest pixel, half to even; bilinear: the four neighbours),
    zeros outside; with `fill`, the outside is blended to it through the same sampling of a mask of ones.
    The arithmetic is torchvision's, in float32, so that ties round the same way."""
    h, w = array.shape[-2:]
    f32 = np.float32
    r = np.radians(-angle)
    cx, cy = (0.0, 0.0) if center is None else (center[0] - w * 0.5, center[1] - h * 0.5)
    m = [np.cos(r), np.sin(r), 0.0, -np.sin(r), np.cos(r), 0.0]
    m[2] += m[0] * -cx + m[1] * -cy + cx
    m[5] += m[3] * -cx + m[4] * -cy + cy
    theta = np.array(m, dtype=f32).reshape(2, 3)
    ow, oh = w, h
    if expand:
        corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                            [0.5 * w, -0.5 * h, 1.0]], dtype=f32) @ theta.T
        shift = np.array([w * 0.5, h * 0.5], dtype=f32)
        tol = f32(1e-4)
        high = np.ceil(np.trunc((corners.max(axis=0) + shift) / tol) * tol)
        low = np.floor(np.trunc((corners.min(axis=0) + shift) / tol) * tol)
        ow, oh = int((high - low)[0]), int((high - low)[1])
    base = np.ones((oh, ow, 3), dtype=f32)
    base[..., 0] = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow, dtype=f32)
    base[..., 1] = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh, dtype=f32)[:, None]
    scaled = theta.T / np.array([0.5 * w, 0.5 * h], dtype=f32)
    grid = [base[..., 0] * scaled[0, k] + base[..., 1] * scaled[1, k] + scaled[2, k] for k in range(2)]
    src_x = ((grid[0] + 1) * w - 1) / 2
    src_y = ((grid[1] + 1) * h - 1) / 2
    values = array.astype(f32) if array.dtype.kind != "f" else array
    out = _sample(values, src_x, src_y, mode)
    if fill is not None:
        value = fill[0] if isinstance(fill, (tuple, list)) else fill
        mask = _sample(np.ones((1, h, w), dtype=values.dtype), src_x, src_y, mode)[0]
        out = np.where(mask < 0.5, value, out) if mode is InterpolationMode.NEAREST else out * mask + (1 - mask) * value
    return np.round(out) if array.dtype.kind in "iu" else out


def _sample(array, x, y, mode):
    """array[..., y, x] at real coordinates, zero outside the image."""
    h, w = array.shape[-2:]

    def pick(iy, ix):
        inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        values = array[..., np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)]
        return values * inside

    if mode is InterpolationMode.NEAREST:
        return pick(np.rint(y).astype(np.int64), np.rint(x).astype(np.int64))
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    fx, fy = (x - x0).astype(array.dtype), (y - y0).astype(array.dtype)
    return (pick(y0, x0) * (1 - fx) * (1 - fy) + pick(y0, x0 + 1) * fx * (1 - fy)
            + pick(y0 + 1, x0) * (1 - fx) * fy + pick(y0 + 1, x0 + 1) * fx * fy)


def rgb_to_grayscale(img, num_output_channels=1):
    """L = 0.2989 R + 0.587 G + 0.114 B (ITU-R 601-2, as torchvision), repeated to num_output_channels."""
    _check_image(img, "rgb_to_grayscale")
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _is_pil(img):
        grey = img.convert("L")
        return grey if num_output_channels == 1 else Image.merge("RGB", [grey, grey, grey])
    array = img.array
    if array.shape[-3] == 1:
        grey = array
    elif array.shape[-3] == 3:
        r, g, b = (array[..., c, :, :].astype(np.float32) for c in range(3))
        grey = (0.2989 * r + 0.587 * g + 0.114 * b)[..., None, :, :]
    else:
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {array.shape[-3]}")
    grey = grey.astype(array.dtype)
    return _tensor(np.repeat(grey, num_output_channels, axis=-3), img)


to_grayscale = rgb_to_grayscale


def angle_of(degrees):
    """(-d, d) for a number, else the given (min, max)."""
    if isinstance(degrees, numbers.Number):
        if degrees < 0:
            raise ValueError("If degrees is a single number, it must be positive.")
        return [-float(degrees), float(degrees)]
    if len(degrees) != 2:
        raise ValueError("If degrees is a sequence, it must be of len 2.")
    return [float(d) for d in degrees]


__all__ = ["InterpolationMode", "center_crop", "crop", "get_dimensions", "get_image_size", "hflip", "normalize",
           "pad", "pil_to_tensor", "resize", "rgb_to_grayscale", "rotate", "to_grayscale", "to_pil_image",
           "to_tensor", "vflip"]
