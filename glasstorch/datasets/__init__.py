"""Datasets in their standard files: where they are found (root, $GLASSTORCH_DATA, the cache, /usr/share/datasets,
the shipped MNIST digits), how they are downloaded and how IDX files are read.

MNIST and FashionMNIST here are glasstorch.vision.datasets' (torchvision's API: one data stack), named here too
because the command line's registry, DATASETS, lists them beside XOR. MNISTFiles and FashionMNISTFiles are the
reader underneath, whose samples are the raw arrays.
"""
from .idx import IDXError, read_idx, write_idx
from .mnist import DatasetNotFoundError, FashionMNISTFiles, MNISTFiles
from .xor import XOR

__all__ = ["DATASETS", "MNIST", "FashionMNIST", "MNISTFiles", "FashionMNISTFiles", "XOR", "DatasetNotFoundError",
           "IDXError", "read_idx", "write_idx"]


def __getattr__(name):
    """MNIST, FashionMNIST and DATASETS come from glasstorch.vision.datasets, which is built on this package, so
    they are looked up when first asked for (PEP 562), not when this package loads."""
    if name in ("MNIST", "FashionMNIST"):
        from ..vision import datasets as vision_datasets
        return getattr(vision_datasets, name)
    if name == "DATASETS":
        from ..vision import datasets as vision_datasets
        return {"mnist": vision_datasets.MNIST, "fashion-mnist": vision_datasets.FashionMNIST, "xor": XOR}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
