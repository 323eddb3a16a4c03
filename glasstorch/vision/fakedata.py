"""torchvision.datasets.FakeData: random images for trying a pipeline without a dataset."""
import numpy as np
from PIL import Image

from .vision_dataset import VisionDataset, transformed


class FakeData(VisionDataset):
    """FakeData(size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
    random_offset=0): random PIL images (RGB for 3 channels, L for 1) and int labels, the same for the same index
    every time (seeded by index + random_offset; not torchvision's pixels, which come from torch's generator)."""

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(transform=transform, target_transform=target_transform)
        self.size, self.image_size, self.num_classes = size, tuple(image_size), num_classes
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        generator = np.random.default_rng(index + self.random_offset)
        channels, height, width = self.image_size
        pixels = generator.integers(0, 256, (height, width, channels), dtype=np.uint8)
        target = int(generator.integers(0, self.num_classes))
        return transformed(self, Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels), target)

    def __len__(self):
        return self.size
