import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # course/

import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_IN_SHARED = Path("shared") / "datasets" / "mnist-sample"


def _find_mnist_sample():
    """$GLASSTORCH_MNIST_SAMPLE, else ../shared/datasets/mnist-sample beside this checkout, else beside the local
    repository it was cloned from (a clone made elsewhere, e.g. in a temporary directory, for a clean test run)."""
    if os.environ.get("GLASSTORCH_MNIST_SAMPLE"):
        return Path(os.environ["GLASSTORCH_MNIST_SAMPLE"])
    candidates = [ROOT.parent / SAMPLE_IN_SHARED]
    origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / SAMPLE_IN_SHARED)
    return next((path for path in candidates if path.is_dir()), candidates[0])


MNIST_SAMPLE = _find_mnist_sample()


@pytest.fixture
def mnist_dir():
    """The real MNIST digits of the shared sample (5,000 training, 10,000 test); see _find_mnist_sample."""
    if not MNIST_SAMPLE.is_dir():
        raise FileNotFoundError(f"the shared MNIST sample is missing: {MNIST_SAMPLE} (set GLASSTORCH_MNIST_SAMPLE "
                                "to the folder holding its IDX files)")
    return MNIST_SAMPLE
