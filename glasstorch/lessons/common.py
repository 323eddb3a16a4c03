"""What every experiment shares: its result (table, verdict, numbers, figures), data and plotting helpers."""
import dataclasses
import unicodedata
from pathlib import Path

import numpy as np

from ..creation import from_numpy
from ..serialization import make_folder


@dataclasses.dataclass
class ExperimentResult:
    name: str
    headers: list
    rows: list
    verdict: str
    numbers: dict
    figures: list = dataclasses.field(default_factory=list)

    def table(self):
        cells = [[str(h) for h in self.headers]] + [[_cell(c) for c in row] for row in self.rows]
        widths = [max(_width(r[i]) for r in cells) for i in range(len(self.headers))]
        lines = ["  ".join(_pad(c, w, right=bool(i)) for i, (c, w) in enumerate(zip(row, widths)))
                 for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _width(text):
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width, right):
    space = " " * (width - _width(text))
    return space + text if right else text + space


def _cell(value):
    if isinstance(value, float):
        return f"{value:.3e}" if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4) else f"{value:.4f}"
    return str(value)


def mnist_subset(count, data_dir=None, train=True, seed=0):
    """(images (count, 1, 28, 28) normalised, labels) drawn at random from the real MNIST files."""
    from ..datasets import MNISTFiles

    data = MNISTFiles(data_dir, train=train)
    order = np.random.default_rng(seed).permutation(len(data))[:count]
    images = (data.data[order].astype(np.float32) / 255.0 - MNISTFiles.mean) / MNISTFiles.std
    return from_numpy(images[:, None]), from_numpy(data.targets[order])


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, out_dir, name):
    path = Path(out_dir) / name
    make_folder(path.parent, "--out")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    pyplot().close(fig)
    return str(path)
