"""The PyTorch side of the benchmarks: the course's own programs (course/), run with PyTorch."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course import load_program  # noqa: E402

TorchInceptionNet = load_program("inception_net", "torch").Net
TorchResNet = load_program("residual_net", "torch").Net

NETWORKS = {"inception-net": TorchInceptionNet, "resnet": TorchResNet}
