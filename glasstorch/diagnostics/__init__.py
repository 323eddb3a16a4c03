"""Make training visible: gradient flow per layer, and the computational graph (see glasstorch.viz)."""
from .gradient_flow import GradientFlowRecorder

__all__ = ["GradientFlowRecorder"]
