"""Image transforms with torchvision's names. Each works on one image or on a batch (leading batch axis),
so datasets can transform a whole batch with one vectorised call."""
import numpy as np

from ..tensor import Tensor


class Compose:
    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    @property
    def batched(self):
        return all(getattr(t, "batched", False) for t in self.transforms)

    def __repr__(self):
        return "Compose(\n" + "".join(f"    {t!r}\n" for t in self.transforms) + ")"


class ToTensor:
    """uint8 H x W (or N x H x W) in [0, 255] -> float32 1 x H x W (N x 1 x H x W) in [0, 1]."""

    batched = True

    def __call__(self, image):
        array = np.asarray(image._data if isinstance(image, Tensor) else image)
        scaled = array.astype(np.float32) / 255.0 if array.dtype == np.uint8 else array.astype(np.float32)
        return Tensor._make(scaled[..., None, :, :])

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """x -> (x - mean) / std per channel (e.g. MNIST's mean 0.1307, std 0.3081)."""

    batched = True

    def __init__(self, mean, std):
        self.mean = np.asarray(mean, dtype=np.float32).reshape(-1, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(-1, 1, 1)

    def __call__(self, tensor):
        return Tensor._make((tensor._data - self.mean) / self.std)

    def __repr__(self):
        return f"Normalize(mean={self.mean.ravel().tolist()}, std={self.std.ravel().tolist()})"
