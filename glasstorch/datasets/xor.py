"""The XOR problem as a dataset: (x1, x2) in {0, 1}^2, label x1 XOR x2 (not linearly separable)."""
import numpy as np

from ..creation import from_numpy
from ..utils.data import TensorDataset

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_LABELS = np.array([0, 1, 1, 0], dtype=np.int64)


class XOR(TensorDataset):
    """The four XOR points, each repeated `copies` times (so an epoch holds several mini-batches)."""

    classes = ["0 (equal)", "1 (different)"]
    mean, std = 0.0, 1.0

    def __init__(self, root=None, train=True, download=False, transform=None, copies=64):
        copies = copies if train else 1
        self.train, self.targets = train, np.tile(XOR_LABELS, copies)
        super().__init__(from_numpy(np.tile(XOR_INPUTS, (copies, 1))), from_numpy(self.targets))
