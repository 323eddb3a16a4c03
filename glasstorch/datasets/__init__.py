"""Datasets in their standard files (torchvision's names) and the transforms that prepare them."""
from . import transforms
from .idx import IDXError, read_idx, write_idx
from .mnist import MNIST, DatasetNotFoundError, FashionMNIST
from .xor import XOR

DATASETS = {"mnist": MNIST, "fashion-mnist": FashionMNIST, "xor": XOR}

__all__ = ["DATASETS", "MNIST", "FashionMNIST", "XOR", "DatasetNotFoundError", "IDXError", "read_idx", "write_idx",
           "transforms"]
