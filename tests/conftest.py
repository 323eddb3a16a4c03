import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # course/

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

MNIST_SAMPLE = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "mnist-sample"


@pytest.fixture
def mnist_dir():
    """The real MNIST digits in ../shared/datasets/mnist-sample (5,000 training, 10,000 test)."""
    if not MNIST_SAMPLE.is_dir():
        raise FileNotFoundError(f"the shared MNIST sample is missing: {MNIST_SAMPLE}")
    return MNIST_SAMPLE
