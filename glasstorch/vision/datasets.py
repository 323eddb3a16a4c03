"""torchvision.datasets: MNIST, FashionMNIST (torchvision's signature and root/<Name>/raw layout), CIFAR10,
CIFAR100 (cifar.py), FakeData (fakedata.py), and ImageFolder, over glasstorch's dataset files.

A sample is (PIL image, int label), transformed as given. When the transform takes batches (ToTensor and
Normalize composed) a DataLoader gets whole batches in one vectorised call, with the same values.
Files are found as glasstorch.datasets finds them (root/<Name>/raw first, then $GLASSTORCH_DATA, the cache,
/usr/share/datasets); download=True fetches into root/<Name>/raw, and when there is no network MNIST falls back,
with a notice, to the real subset the package ships.
"""
import os
import sys
from pathlib import Path

from PIL import Image

from ..datasets.mnist import DatasetNotFoundError, FashionMNISTFiles, MNISTFiles
from ..creation import from_numpy
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .vision_dataset import VisionDataset, transformed


class _TorchvisionLayout:
    """The torchvision side of MNIST-like datasets: the constructor, PIL samples, tensor data and targets."""

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        self.root = root      # None (glasstorch's own default): the search order of glasstorch.datasets alone
        super().__init__(root, train, download, transform, target_transform)
        self.data, self.targets = from_numpy(self.data), from_numpy(self.targets)

    @property
    def raw_folder(self):
        return None if self.root is None else os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    @classmethod
    def download(cls, root=None, mirrors=None):
        target = Path(root).expanduser() / cls.torchvision_folder / "raw" if root is not None else None
        try:
            return super().download(target, mirrors)
        except DatasetNotFoundError as error:
            if cls.embedded is None:
                raise
            print(f"glasstorch: {cls.__name__} could not be downloaded ({str(error).splitlines()[-1].strip()}); "
                  f"using {cls.embedded_note.split(';')[0]}", file=sys.stderr)
            return cls.embedded

    def __getitem__(self, index):
        return transformed(self, Image.fromarray(self.data.array[index], mode="L"), int(self.targets.array[index]))

    def _arrays(self):
        return self.data.array, self.targets.array


class MNIST(_TorchvisionLayout, MNISTFiles):
    """MNIST(root, train=True, transform=None, target_transform=None, download=False)."""


class FashionMNIST(_TorchvisionLayout, FashionMNISTFiles):
    """FashionMNIST(root, train=True, transform=None, target_transform=None, download=False)."""


IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def pil_loader(path):
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


default_loader = pil_loader


class DatasetFolder(VisionDataset):
    """root/<class>/.../<file>: one class per sub-folder, sorted by name; samples = [(path, class_index), ...]."""

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        super().__init__(str(root), transform=transform, target_transform=target_transform)
        self.loader, self.extensions = loader, extensions
        if (extensions is None) == (is_valid_file is None):
            raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
        self.classes, self.class_to_idx = self.find_classes(self.root)
        valid = is_valid_file or (lambda path: path.lower().endswith(tuple(extensions)))
        self.samples = []
        empty = []
        for name in self.classes:
            found = [(os.path.join(folder, f), self.class_to_idx[name])
                     for folder, _, files in sorted(os.walk(os.path.join(self.root, name), followlinks=True))
                     for f in sorted(files) if valid(os.path.join(folder, f))]
            if not found:
                empty.append(name)
            self.samples += found
        if empty and not allow_empty:
            message = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
            if extensions is not None:
                message += f"Supported extensions are: {', '.join(extensions)}"
            raise FileNotFoundError(message)
        self.imgs = self.samples
        self.targets = [target for _, target in self.samples]

    @staticmethod
    def find_classes(directory):
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"ImageFolder: the folder {directory} does not exist")
        classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
        if not classes:
            raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
        return classes, {name: i for i, name in enumerate(classes)}

    def __getitem__(self, index):
        path, target = self.samples[index]
        try:
            sample = self.loader(path)
        except (OSError, ValueError) as error:
            raise OSError(f"ImageFolder: cannot read {path}: {error}") from None
        return transformed(self, sample, target)

    def __len__(self):
        return len(self.samples)


class ImageFolder(DatasetFolder):
    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform,
                         target_transform, is_valid_file, allow_empty)


__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "FakeData", "ImageFolder", "DatasetFolder", "VisionDataset",
           "IMG_EXTENSIONS", "default_loader"]
