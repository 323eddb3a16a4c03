"""Build the MNIST subset the package ships (glasstorch/datasets/data/mnist/) from real MNIST files.

    python scripts/make_embedded_mnist.py SOURCE_DIR

SOURCE_DIR holds the four standard IDX files (e.g. the project's shared sample: 5,000 training digits, 500 a
class, and the 10,000 official test digits). The subset keeps every training digit and 200 test digits a
class, each split interleaved by class (a fixed-seed shuffle, so an unshuffled loader still sees all ten
digits), gzip'd reproducibly. MNIST: Yann LeCun, Corinna Cortes, Christopher J.C. Burges; CC BY-SA 3.0.
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from glasstorch.datasets.idx import read_idx, write_idx  # noqa: E402

TARGET = Path(__file__).resolve().parent.parent / "glasstorch" / "datasets" / "data" / "mnist"
TEST_PER_CLASS = 200


def balanced(labels, per_class, rng):
    """Indices of the first `per_class` digits of each class, in a shuffled order."""
    chosen = np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)])
    return chosen[rng.permutation(len(chosen))]


def main(source):
    source, rng = Path(source), np.random.default_rng(0)
    TARGET.mkdir(parents=True, exist_ok=True)
    for split, per_class in (("train", None), ("t10k", TEST_PER_CLASS)):
        images = read_idx(source / f"{split}-images-idx3-ubyte.gz")
        labels = read_idx(source / f"{split}-labels-idx1-ubyte.gz")
        order = balanced(labels, per_class or len(labels), rng)
        write_idx(TARGET / f"{split}-images-idx3-ubyte.gz", images[order])
        write_idx(TARGET / f"{split}-labels-idx1-ubyte.gz", labels[order])
        print(f"{split}: {len(order)} digits, per class {np.bincount(labels[order]).tolist()}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/mnist-sample")
