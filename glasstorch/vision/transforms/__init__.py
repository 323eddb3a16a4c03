"""torchvision.transforms with torchvision's names, arguments and semantics, on PIL images and tensors.

The random ones draw from glasstorch's generator, so torch.manual_seed (glasstorch.manual_seed) makes them
repeatable. ToTensor and Normalize also take a whole batch of grey images at once (`batched`), which is how
glasstorch.vision.datasets.MNIST feeds a DataLoader without one PIL image per sample.
"""
import numbers

from ... import random
from . import functional
from .functional import InterpolationMode

F = functional


class Compose:
    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    @property
    def batched(self):
        return all(getattr(t, "batched", False) for t in self.transforms)

    def batch(self, images):
        for t in self.transforms:
            images = t.batch(images)
        return images

    def __repr__(self):
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class ToTensor:
    """PIL image or ndarray (H, W, C) in [0, 255] -> float tensor (C, H, W) in [0, 1]."""

    batched = True

    def __call__(self, pic):
        return F.to_tensor(pic)

    @staticmethod
    def batch(images):
        return F.images_to_tensor(images)

    def __repr__(self):
        return "ToTensor()"


class PILToTensor:
    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return "PILToTensor()"


class ToPILImage:
    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        return f"ToPILImage(mode={self.mode})" if self.mode else "ToPILImage()"


class Normalize:
    """x_c -> (x_c - mean_c) / std_c per channel."""

    batched = True

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def batch(self, images):
        return F.normalize(images, self.mean, self.std, inplace=True)

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


class Lambda:
    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return "Lambda()"


class Resize:
    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        if not isinstance(size, (numbers.Number, tuple, list)) or (not isinstance(size, numbers.Number)
                                                                    and len(size) not in (1, 2)):
            raise TypeError(f"Size should be int or sequence of length 1 or 2. Got {size!r}")
        self.size, self.interpolation, self.max_size, self.antialias = size, interpolation, max_size, antialias

    def __call__(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f"Resize(size={self.size}, interpolation={F.interpolation_mode(self.interpolation).value}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop:
    def __init__(self, size):
        self.size = F._size_pair(size, "CenterCrop")

    def __call__(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class Pad:
    def __init__(self, padding, fill=0, padding_mode="constant"):
        F._padding_sides(padding)
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f"Pad(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


def _uniform_int(high):
    """An integer in [0, high) from glasstorch's generator (torch.randint(0, high, (1,)))."""
    return int(random.generator().integers(0, high))


def _uniform(low, high):
    return float(random.generator().uniform(low, high))


class RandomCrop:
    """Pad (optional), then cut a size window at a uniformly random position."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = F._size_pair(size, "RandomCrop")
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    @staticmethod
    def get_params(img, output_size):
        width, height = F.get_image_size(img)
        th, tw = output_size
        if height < th or width < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(height, width)}")
        if width == tw and height == th:
            return 0, 0, height, width
        return _uniform_int(height - th + 1), _uniform_int(width - tw + 1), th, tw

    def __call__(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        width, height = F.get_image_size(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        return F.crop(img, *self.get_params(img, self.size))

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        return F.hflip(img) if random.generator().random() < self.p else img

    def __repr__(self):
        return f"RandomHorizontalFlip(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    def __call__(self, img):
        return F.vflip(img) if random.generator().random() < self.p else img

    def __repr__(self):
        return f"RandomVerticalFlip(p={self.p})"


class RandomRotation:
    """Rotate by an angle drawn uniformly from degrees ((-d, d) for a number)."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0):
        self.degrees = F.angle_of(degrees)
        self.interpolation, self.expand, self.center, self.fill = interpolation, expand, center, fill

    @staticmethod
    def get_params(degrees):
        return _uniform(degrees[0], degrees[1])

    def __call__(self, img):
        return F.rotate(img, self.get_params(self.degrees), self.interpolation, self.expand, self.center, self.fill)

    def __repr__(self):
        return (f"RandomRotation(degrees={self.degrees}, interpolation={F.interpolation_mode(self.interpolation).value}"
                f", expand={self.expand}, fill={self.fill})")


class Grayscale:
    def __init__(self, num_output_channels=1):
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return F.rgb_to_grayscale(img, self.num_output_channels)

    def __repr__(self):
        return f"Grayscale(num_output_channels={self.num_output_channels})"


__all__ = ["CenterCrop", "Compose", "Grayscale", "InterpolationMode", "Lambda", "Normalize", "Pad", "PILToTensor",
           "RandomCrop", "RandomHorizontalFlip", "RandomRotation", "RandomVerticalFlip", "Resize", "ToPILImage",
           "ToTensor", "functional"]
