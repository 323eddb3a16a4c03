"""Datasets in their standard files (torchvision's names): where they are found, how they are downloaded, how IDX
files are read. Samples are arrays; glasstorch.vision.datasets gives the same data with torchvision's API (PIL
samples), and glasstorch.vision.transforms prepares both."""
from .idx import IDXError, read_idx, write_idx
from .mnist import MNIST, DatasetNotFoundError, FashionMNIST
from .xor import XOR

DATASETS = {"mnist": MNIST, "fashion-mnist": FashionMNIST, "xor": XOR}

__all__ = ["DATASETS", "MNIST", "FashionMNIST", "XOR", "DatasetNotFoundError", "IDXError", "read_idx", "write_idx"]
