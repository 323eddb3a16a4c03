"""torchvision.utils: a grid of images as one image, and saving it."""
import math

import numpy as np
from PIL import Image

from ..creation import from_numpy
from ..serialization import write_atomic


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """(B, C, H, W) (or a list of (C, H, W)) -> (3 or C, rows (H + padding) + padding, cols (W + padding) + padding),
    nrow images per row; grey images become 3 channels; normalize scales to [0, 1] by value_range (or min/max)."""
    if isinstance(tensor, (list, tuple)):
        array = np.stack([t.array for t in tensor])
    else:
        array = tensor.array
    array = array.astype(np.float32) if array.dtype.kind != "f" else array.copy()
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4:
        raise ValueError(f"make_grid: expected a 4-D (B, C, H, W) tensor or a list of (C, H, W) images, got shape "
                         f"{array.shape}")
    if array.shape[1] == 1:
        array = np.repeat(array, 3, axis=1)
    if normalize:
        def scale(part):
            low, high = value_range if value_range is not None else (part.min(), part.max())
            np.clip(part, low, high, out=part)
            part -= low
            part /= max(high - low, 1e-5)

        for part in (array if scale_each else [array]):
            scale(part)
    if array.shape[0] == 1:
        return from_numpy(array[0])
    count, channels, height, width = array.shape
    columns = min(nrow, count)
    rows = int(math.ceil(count / columns))
    cell_h, cell_w = height + padding, width + padding
    grid = np.full((channels, rows * cell_h + padding, columns * cell_w + padding), pad_value, dtype=array.dtype)
    for k in range(count):
        y, x = divmod(k, columns)
        grid[:, y * cell_h + padding:y * cell_h + padding + height,
             x * cell_w + padding:x * cell_w + padding + width] = array[k]
    return from_numpy(grid)


def save_image(tensor, fp, format=None, **kwargs):
    """make_grid(tensor, **kwargs) written as an 8-bit image file (atomically)."""
    grid = make_grid(tensor, **kwargs).array
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    image = Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels)
    if hasattr(fp, "write"):
        image.save(fp, format=format)
        return
    import io

    buffer = io.BytesIO()
    image.save(buffer, format=format or Image.registered_extensions().get(str(fp)[str(fp).rfind("."):].lower(), "PNG"))
    write_atomic(str(fp), buffer.getvalue())
