"""The PyTorch twins of the course's networks, shared with the benchmarks."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from torch_models import TorchInceptionNet, TorchResNet  # noqa: E402,F401
