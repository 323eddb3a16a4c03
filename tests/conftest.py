import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # course/

import pytest  # noqa: E402

from glasstorch.datasets import MNIST  # noqa: E402


@pytest.fixture
def mnist_dir():
    """The real MNIST digits the package ships (5,000 training, 2,000 test): no test needs anything outside
    the repository."""
    return MNIST.embedded
